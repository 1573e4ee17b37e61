package wsframe

import (
	"bytes"
	"strings"
	"testing"
)

// TestFrameAppend checks the writer against RFC 6455 section 5.7's
// examples, byte for byte, and the rules it can break on request.
func TestFrameAppend(t *testing.T) {
	key := [4]byte{0x37, 0xfa, 0x21, 0x3d}
	for _, c := range []struct {
		name string
		f    Frame
		want []byte
	}{
		{"unmasked Hello", Frame{Fin: true, Op: OpText, Payload: []byte("Hello")}, []byte{0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f}},
		{"masked Hello", Frame{Fin: true, Op: OpText, Masked: true, Key: key, Payload: []byte("Hello")},
			[]byte{0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58}},
		{"first fragment Hel", Frame{Op: OpText, Payload: []byte("Hel")}, []byte{0x01, 0x03, 0x48, 0x65, 0x6c}},
		{"RSV1 and a forced 16-bit length", Frame{Fin: true, RSV: 4, Op: OpBinary, Len16: true}, []byte{0xC2, 0x7E, 0, 0}},
		{"forced 64-bit length, top bit set", Frame{Fin: true, Op: OpBinary, LenMSB: true}, []byte{0x82, 0x7F, 0x80, 0, 0, 0, 0, 0, 0, 0}},
	} {
		if got := c.f.Append(nil); !bytes.Equal(got, c.want) {
			t.Errorf("%s: % x, want % x", c.name, got, c.want)
		}
	}
	if h := (Frame{Fin: true, Op: OpBinary, Payload: make([]byte, 256)}).Append(nil)[:4]; !bytes.Equal(h, []byte{0x82, 0x7E, 0x01, 0x00}) {
		t.Errorf("256 bytes: header % x", h)
	}
}

// TestReadFrameRoundTrip reads back what Append wrote, for each length
// encoding, masked and not.
func TestReadFrameRoundTrip(t *testing.T) {
	for _, n := range []int{0, 125, 126, 0xFFFF, 0x10000} {
		for _, masked := range []bool{false, true} {
			in := Frame{Fin: true, Op: OpBinary, Masked: masked, Key: [4]byte{1, 2, 3, 4}, Payload: bytes.Repeat([]byte{'x'}, n)}
			out, err := ReadFrame(bytes.NewReader(in.Append(nil)), 1<<20)
			if err != nil || !out.Fin || out.Op != OpBinary || out.Masked != masked || !bytes.Equal(out.Payload, in.Payload) {
				t.Errorf("%d bytes, masked %v: %+v, %v", n, masked, out.Op, err)
			}
		}
	}
}

// TestReadFrameLimit: a length over the limit is refused from the header
// alone, and a frame cut short is an error, not a short payload.
func TestReadFrameLimit(t *testing.T) {
	_, err := ReadFrame(bytes.NewReader([]byte{0x82, 0x7F, 0, 0, 0, 1, 0, 0, 0, 0}), 1<<20)
	if err == nil || !strings.Contains(err.Error(), "over the reader's limit") {
		t.Errorf("4 GiB frame: %v", err)
	}
	if _, err := ReadFrame(bytes.NewReader([]byte{0x81, 0x05, 'H'}), 1<<20); err == nil {
		t.Error("a frame cut short read without error")
	}
	if p := ClosePayload(1000, "bye"); !bytes.Equal(p, []byte{0x03, 0xE8, 'b', 'y', 'e'}) {
		t.Errorf("ClosePayload = % x", p)
	}
}
