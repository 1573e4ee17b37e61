package wire

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"socketlab/app/msg"
)

func TestRecordMaskedHello(t *testing.T) {
	f := decodeAll(t, h("81 85 37 fa 21 3d 7f 9f 4d 51 58"))[0]
	at := time.UnixMicro(1700000000123456)
	got := Record(f, 3, msg.WireIn, at)
	want := msg.WireFrame{
		N: 3, Dir: msg.WireIn, Time: 1700000000123456, FIN: true, Opcode: 1, OpName: "text",
		Masked: true, Len7: 5, ExtLen: "none", Header: "81 85 37 fa 21 3d", Length: 5,
		MaskKey: "37 fa 21 3d", Raw: "7f 9f 4d 51 58", Unmasked: "48 65 6c 6c 6f", Text: "Hello",
	}
	if got != want {
		t.Fatalf("got  %+v\nwant %+v", got, want)
	}
}

func TestRecordExtendedLengths(t *testing.T) {
	for _, c := range []struct {
		stream        []byte
		len7          int
		extLen, bytes string
	}{
		{append(h("82 7E 01 00"), make([]byte, 256)...), 126, "16", "01 00"},
		{append(h("82 7F 00 00 00 00 00 01 00 00"), make([]byte, 65536)...), 127, "64", "00 00 00 00 00 01 00 00"},
		{append(h("82 7D"), make([]byte, 125)...), 125, "none", ""},
	} {
		r := Record(decodeAll(t, c.stream)[0], 1, msg.WireOut, time.Now())
		if r.Len7 != c.len7 || r.ExtLen != c.extLen || r.ExtBytes != c.bytes || r.OpName != "binary" {
			t.Errorf("len7 %d ext %q %q, want %d %q %q", r.Len7, r.ExtLen, r.ExtBytes, c.len7, c.extLen, c.bytes)
		}
		if r.Raw != strings.TrimSpace(strings.Repeat("00 ", msg.WirePayloadShown)) {
			t.Errorf("raw %q: want the first %d bytes", r.Raw, msg.WirePayloadShown)
		}
	}
}

func TestRecordClose(t *testing.T) {
	// A masked client close, 4000 "bye".
	key := [4]byte{1, 2, 3, 4}
	payload := append([]byte{0x0F, 0xA0}, "bye"...)
	stream := append([]byte{0x88, 0x80 | byte(len(payload)), 1, 2, 3, 4}, unmask(payload, key, 0)...)
	r := Record(decodeAll(t, stream)[0], 9, msg.WireIn, time.Now())
	if r.OpName != "close" || r.CloseCode != 4000 || r.CloseReason != "bye" || r.Text != "" {
		t.Fatalf("got %+v", r)
	}
	if r := Record(decodeAll(t, h("88 00"))[0], 1, msg.WireOut, time.Now()); r.CloseCode != 0 || r.Length != 0 {
		t.Fatalf("empty close: %+v", r)
	}
}

func TestRecordReservedOpcode(t *testing.T) {
	if r := Record(decodeAll(t, h("83 00"))[0], 1, msg.WireIn, time.Now()); r.OpName != "reserved" || r.Opcode != 3 {
		t.Fatalf("got %+v", r)
	}
}

func TestText(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"Hello", "Hello"},
		{"h\u00e9", "h\u00e9"},
		{"h\xc3", "h"},         // é cut after its first byte
		{"ab\xe2\x82", "ab"},   // € cut after two
		{"a\xff", ""},          // not UTF-8 at all
		{"\xf0\x9f\x98", ""},   // only a cut code point: nothing left
		{"x\xf0\x9f\x98", "x"}, // 😀 cut
		{"x\x80\x80\x80", ""},  // continuation bytes without a start
		{"", ""},
	} {
		if got := text([]byte(c.in)); got != c.want {
			t.Errorf("text(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestSpacedHex(t *testing.T) {
	if got := spacedHex([]byte{0x81, 0x05, 0xff}); got != "81 05 ff" {
		t.Fatalf("got %q", got)
	}
	if spacedHex(nil) != "" || !bytes.Equal(h(spacedHex([]byte{1, 2})), []byte{1, 2}) {
		t.Fatal("empty or round trip")
	}
}
