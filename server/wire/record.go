package wire

import (
	"encoding/binary"
	"encoding/hex"
	"time"
	"unicode/utf8"

	"socketlab/app/msg"
	"socketlab/server/wsframe"
)

// Record turns a decoded frame into the record an observer receives: n is
// its number on the socket, dir msg.WireIn or msg.WireOut, at the time its
// last byte was seen.
func Record(f Frame, n int, dir string, at time.Time) msg.WireFrame {
	r := msg.WireFrame{
		N: n, Dir: dir, Time: at.UnixMicro(),
		FIN: f.FIN, RSV1: f.RSV1, RSV2: f.RSV2, RSV3: f.RSV3,
		Opcode: int(f.Opcode), OpName: opName(f.Opcode),
		Masked: f.Masked, Len7: int(f.Len7), ExtLen: "none",
		Header: spacedHex(f.Header), Length: f.Length, Inflated: f.Inflated,
	}
	switch f.Len7 {
	case 126:
		r.ExtLen, r.ExtBytes = "16", spacedHex(f.Header[2:4])
	case 127:
		r.ExtLen, r.ExtBytes = "64", spacedHex(f.Header[2:10])
	}
	payload := f.Raw
	if f.Masked {
		r.MaskKey = spacedHex(f.Key[:])
		payload = unmask(f.Raw, f.Key, 0)
	}
	shown := min(len(payload), msg.WirePayloadShown)
	r.Raw, r.Unmasked = spacedHex(f.Raw[:shown]), spacedHex(payload[:shown])
	switch {
	case f.Opcode == wsframe.OpClose:
		// Section 5.5.1: a 2-byte code, then a reason in UTF-8.
		if len(payload) >= 2 {
			r.CloseCode = msg.CloseCode(binary.BigEndian.Uint16(payload))
			r.CloseReason = string(payload[2:])
		}
	case !f.Compressed:
		// Compressed bytes are not text, whatever they happen to spell.
		r.Text = text(payload[:shown])
	}
	return r
}

// opName names an opcode of RFC 6455 section 5.2; the others are
// reserved.
func opName(op byte) string {
	switch op {
	case wsframe.OpContinuation:
		return "continuation"
	case wsframe.OpText:
		return "text"
	case wsframe.OpBinary:
		return "binary"
	case wsframe.OpClose:
		return "close"
	case wsframe.OpPing:
		return "ping"
	case wsframe.OpPong:
		return "pong"
	}
	return "reserved"
}

// text returns b as text if it is valid UTF-8, else "". A code point cut at
// the end, because only the start of the payload is shown or because it
// continues in the next fragment, is left out.
func text(b []byte) string {
	if utf8.Valid(b) {
		return string(b)
	}
	// A UTF-8 sequence is at most 4 bytes: drop up to 3 trailing bytes
	// of an incomplete one.
	for i := 1; i <= 3 && i < len(b); i++ {
		head, tail := b[:len(b)-i], b[len(b)-i:]
		if utf8.Valid(head) && !utf8.FullRune(tail) && utf8.RuneStart(tail[0]) {
			return string(head)
		}
	}
	return ""
}

// spacedHex writes b as lower-case hex bytes separated by spaces ("81 05").
func spacedHex(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	out := make([]byte, 0, 3*len(b)-1)
	for i, c := range b {
		if i > 0 {
			out = append(out, ' ')
		}
		out = hex.AppendEncode(out, []byte{c})
	}
	return string(out)
}
