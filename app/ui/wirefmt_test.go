package ui

import (
	"strings"
	"testing"

	"socketlab/app/msg"
)

// TestLengthEncoding: RFC 6455 §5.2 and the examples of §5.7 (256 bytes:
// 7E 01 00; 64 KiB: 7F 00 00 00 00 00 01 00 00).
func TestLengthEncoding(t *testing.T) {
	for _, c := range []struct {
		n    uint64
		len7 int
		ext  string
		kind string
	}{
		{0, 0, "", "7-bit"},
		{5, 5, "", "7-bit"},
		{125, 125, "", "7-bit"},
		{126, 126, "00 7e", "16-bit"},
		{256, 126, "01 00", "16-bit"},
		{65535, 126, "ff ff", "16-bit"},
		{65536, 127, "00 00 00 00 00 01 00 00", "64-bit"},
		{70000, 127, "00 00 00 00 00 01 11 70", "64-bit"},
	} {
		len7, ext := lengthEncoding(c.n)
		if len7 != c.len7 || ext != c.ext || lengthKind(c.n) != c.kind {
			t.Errorf("%d bytes: %d %q %s, want %d %q %s", c.n, len7, ext, lengthKind(c.n), c.len7, c.ext, c.kind)
		}
	}
}

// TestPresets: the presets sit on each side of each length boundary, and
// each explanation names the field it will use.
func TestPresets(t *testing.T) {
	want := []int{0, 125, 126, 65535, 65536, 70000}
	if len(wirePresets) != len(want) {
		t.Fatalf("presets %v, want %v", wirePresets, want)
	}
	for i, n := range want {
		if wirePresets[i] != n {
			t.Fatalf("presets %v, want %v", wirePresets, want)
		}
	}
	for n, parts := range map[int][]string{
		0:     {"7-bit field holds the length itself (0)"},
		125:   {"largest", "7-bit", "(125)"},
		126:   {"says 126", "16 bits", "00 7e"},
		65535: {"largest 16-bit", "126", "ff ff"},
		65536: {"says 127", "64 bits", "00 00 00 00 00 01 00 00"},
		70000: {"127", "64 bits", "00 00 00 00 00 01 11 70"},
	} {
		got := presetWhy(n)
		for _, p := range parts {
			if !strings.Contains(got, p) {
				t.Errorf("presetWhy(%d) = %q, want it to say %q", n, got, p)
			}
		}
	}
}

// TestFrameRowLabels: the words of one frame row, for the RFC's masked
// "Hello" (81 85 37 fa 21 3d 7f 9f 4d 51 58), a 16-bit and a 64-bit
// length, a close frame and a compressed one.
func TestFrameRowLabels(t *testing.T) {
	hello := msg.WireFrame{N: 1, Dir: msg.WireIn, FIN: true, Opcode: 1, OpName: "text", Masked: true,
		Len7: 5, ExtLen: "none", Header: "81 85 37 fa 21 3d", Length: 5, MaskKey: "37 fa 21 3d",
		Raw: "7f 9f 4d 51 58", Unmasked: "48 65 6c 6c 6f", Text: "Hello"}
	for got, want := range map[string]string{
		opLabel(hello):                      "1 (text)",
		dirLabel(hello.Dir):                 "browser → server",
		dirLabel(msg.WireOut):               "server → browser",
		bit(hello.FIN) + bit(hello.RSV1):    "10",
		extLenLabel(hello):                  "none",
		lengthWhy(hello):                    "5 in the 7-bit field itself (0–125 fit)",
		opLabel(msg.WireFrame{Opcode: 0xB}): "B (reserved)",
	} {
		if got != want {
			t.Errorf("got %q, want %q", got, want)
		}
	}
	f16 := msg.WireFrame{Len7: 126, ExtLen: "16", ExtBytes: "01 00", Length: 256}
	if got := extLenLabel(f16); got != "16-bit: 01 00" {
		t.Errorf("16-bit ext label %q", got)
	}
	if got := lengthWhy(f16); got != "7-bit field 126: the length follows in 16 bits, 01 00 = 256" {
		t.Errorf("16-bit why %q", got)
	}
	f64 := msg.WireFrame{Len7: 127, ExtLen: "64", ExtBytes: "00 00 00 00 00 01 00 00", Length: 65536}
	if got := lengthWhy(f64); got != "7-bit field 127: the length follows in 64 bits, 00 00 00 00 00 01 00 00 = 65\u00a0536" {
		t.Errorf("64-bit why %q", got)
	}
	if got := closeLabel(msg.WireFrame{Opcode: 8, CloseCode: 4000, CloseReason: "bye"}); got != "4000 bye" {
		t.Errorf("close label %q", got)
	}
	if got := closeLabel(msg.WireFrame{Opcode: 8}); !strings.Contains(got, "1005") {
		t.Errorf("empty close label %q", got)
	}
	if got := inflatedLabel(msg.WireFrame{Length: 27, Inflated: 2000}); got != "27 bytes compressed, 2\u00a0000 inflated" {
		t.Errorf("inflated label %q", got)
	}
}

func TestParseClientClose(t *testing.T) {
	for _, c := range []struct {
		code, reason string
		want         msg.CloseCode
		err          string
	}{
		{"1000", "", 1000, ""},
		{" 4000 ", "bye", 4000, ""},
		{"3000", strings.Repeat("é", 61), 3000, ""}, // 122 bytes
		{"1001", "", 0, "only 1000 or 3000–4999"},
		{"5000", "", 0, "only 1000 or 3000–4999"},
		{"bye", "", 0, "not a number"},
		{"4000", strings.Repeat("x", 124), 0, "at most 123"},
	} {
		n, err := parseClientClose(c.code, c.reason)
		if c.err == "" && (err != nil || n != c.want) {
			t.Errorf("parseClientClose(%q) = %d, %v; want %d", c.code, n, err, c.want)
		}
		if c.err != "" && (err == nil || !strings.Contains(err.Error(), c.err)) {
			t.Errorf("parseClientClose(%q) error %v, want %q", c.code, err, c.err)
		}
	}
}
