package wsframe

import "testing"

// The headers of RFC 6455 section 5.7's examples, and one with the top
// bit of a 64-bit length set.
func TestHeader(t *testing.T) {
	for _, c := range []struct {
		name   string
		h      []byte
		length uint64
		key    [4]byte
		masked bool
	}{
		{"unmasked Hello", []byte{0x81, 0x05}, 5, [4]byte{}, false},
		{"masked Hello", []byte{0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d}, 5, [4]byte{0x37, 0xfa, 0x21, 0x3d}, true},
		{"256 bytes", []byte{0x82, 0x7E, 0x01, 0x00}, 256, [4]byte{}, false},
		{"64 KiB", []byte{0x82, 0x7F, 0, 0, 0, 0, 0, 1, 0, 0}, 65536, [4]byte{}, false},
		{"64-bit, masked", []byte{0x82, 0xFF, 0, 0, 0, 0, 0, 1, 0, 0, 1, 2, 3, 4}, 65536, [4]byte{1, 2, 3, 4}, true},
		{"top bit set", []byte{0x82, 0x7F, 0x80, 0, 0, 0, 0, 0, 0, 1}, 1<<63 | 1, [4]byte{}, false},
	} {
		if n := HeaderLen(c.h[1]); n != len(c.h) {
			t.Errorf("%s: HeaderLen = %d, want %d", c.name, n, len(c.h))
		}
		if n := PayloadLen(c.h); n != c.length {
			t.Errorf("%s: PayloadLen = %d, want %d", c.name, n, c.length)
		}
		if key, masked := MaskKey(c.h); key != c.key || masked != c.masked {
			t.Errorf("%s: MaskKey = % x %v, want % x %v", c.name, key, masked, c.key, c.masked)
		}
	}
	if MaxHeader != HeaderLen(0xFF) {
		t.Errorf("MaxHeader %d, the longest header is %d", MaxHeader, HeaderLen(0xFF))
	}
}
