package ui

import (
	"encoding/binary"
	"fmt"
	"strconv"
	"strings"

	"socketlab/app/msg"
)

// The words and numbers of the wire lab's frame rows and controls. Pure
// functions, so that what a learner reads is tested natively
// (wirefmt_test.go) and shared by the wire page and every inspector.

// wirePresets are the payload sizes of the length presets: each side of
// each boundary of RFC 6455 §5.2's payload length (125 | 126, 65 535 |
// 65 536), the empty message and one well past 64 KiB.
var wirePresets = []int{0, 125, 126, 65535, 65536, 70000}

// lengthEncoding returns how RFC 6455 writes a payload length: the value of
// the 7-bit field and the extended length's bytes in hex ("" when none).
func lengthEncoding(n uint64) (len7 int, ext string) {
	switch {
	case n <= 125:
		return int(n), ""
	case n <= 0xFFFF:
		var b [2]byte
		binary.BigEndian.PutUint16(b[:], uint16(n))
		return 126, hexBytes(b[:])
	}
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], n)
	return 127, hexBytes(b[:])
}

// lengthKind names the length field that carries n: "7-bit", "16-bit" or
// "64-bit".
func lengthKind(n uint64) string {
	switch len7, _ := lengthEncoding(n); len7 {
	case 126:
		return "16-bit"
	case 127:
		return "64-bit"
	}
	return "7-bit"
}

// presetWhy explains the length field of a preset of n bytes, shown when
// it is sent.
func presetWhy(n int) string {
	len7, ext := lengthEncoding(uint64(n))
	switch {
	case n == 125:
		return "The largest length the 7-bit field holds itself (125)."
	case n == 126:
		return "The smallest that needs more: the 7-bit field says 126, then 16 bits follow (" + ext + ")."
	case n == 65535:
		return "The largest 16-bit length: 7-bit field 126, then " + ext + "."
	case n == 65536:
		return "The smallest that needs 64 bits: the 7-bit field says 127, then 8 bytes follow (" + ext + ")."
	case len7 == 127:
		return "7-bit field 127, then 64 bits (" + ext + ")."
	case len7 == 126:
		return "7-bit field 126, then 16 bits (" + ext + ")."
	}
	return "The 7-bit field holds the length itself (" + strconv.Itoa(len7) + ")."
}

// lengthWhy explains the length of a frame as it crossed.
func lengthWhy(f msg.WireFrame) string {
	switch f.Len7 {
	case 126:
		return fmt.Sprintf("7-bit field 126: the length follows in 16 bits, %s = %s", f.ExtBytes, spaced(f.Length))
	case 127:
		return fmt.Sprintf("7-bit field 127: the length follows in 64 bits, %s = %s", f.ExtBytes, spaced(f.Length))
	}
	return fmt.Sprintf("%d in the 7-bit field itself (0–125 fit)", f.Len7)
}

// extLenLabel is the extended length column: "none", or its size and bytes.
func extLenLabel(f msg.WireFrame) string {
	switch f.ExtLen {
	case "16", "64":
		return f.ExtLen + "-bit: " + f.ExtBytes
	}
	return "none"
}

// opLabel is the opcode as a number and its name: "1 (text)".
func opLabel(f msg.WireFrame) string {
	name := f.OpName
	if name == "" {
		name = "reserved"
	}
	return fmt.Sprintf("%X (%s)", f.Opcode, name)
}

// dirLabel says which way a frame went, from the reader's side: the page
// is the browser.
func dirLabel(dir string) string {
	if dir == msg.WireIn {
		return "browser → server"
	}
	return "server → browser"
}

// bit is a flag as the one character the header holds.
func bit(b bool) string {
	if b {
		return "1"
	}
	return "0"
}

// closeLabel is a close frame's payload: "4000 bye", or what an empty one
// means.
func closeLabel(f msg.WireFrame) string {
	if f.CloseCode == 0 {
		return "no code (the peer reports 1005)"
	}
	s := strconv.Itoa(int(f.CloseCode))
	if f.CloseReason != "" {
		s += " " + f.CloseReason
	}
	return s
}

// inflatedLabel sets a compressed message's length beside its inflated one.
func inflatedLabel(f msg.WireFrame) string {
	return fmt.Sprintf("%s bytes compressed, %s inflated", spaced(f.Length), spaced(f.Inflated))
}

// parseClientClose checks a close the page is about to send: a browser
// may send 1000 or 3000–4999, with a reason of at most 123 bytes.
func parseClientClose(code, reason string) (msg.CloseCode, error) {
	n, err := strconv.Atoi(strings.TrimSpace(code))
	if err != nil {
		return 0, fmt.Errorf("close code %q is not a number", code)
	}
	if err := msg.ValidClientClose(msg.CloseCode(n), reason); err != nil {
		return 0, err
	}
	return msg.CloseCode(n), nil
}

// hexBytes writes b as spaced hex pairs: "01 00".
func hexBytes(b []byte) string {
	var s strings.Builder
	for i, c := range b {
		if i > 0 {
			s.WriteByte(' ')
		}
		fmt.Fprintf(&s, "%02x", c)
	}
	return s.String()
}

// spaced writes n with thin groups of three digits, as in "65 536", with a
// no-break space so that a number never wraps.
func spaced(n uint64) string {
	s := strconv.FormatUint(n, 10)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "\u00a0" + s[i:]
	}
	return s
}

// pluralNoun is the noun for n of it.
func pluralNoun(n int, noun string) string {
	if n == 1 {
		return noun
	}
	return noun + "s"
}
