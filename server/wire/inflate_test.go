package wire

import (
	"bytes"
	"compress/flate"
	"crypto/rand"
	"strings"
	"testing"

	"socketlab/app/msg"
	"socketlab/server/wsframe"
)

// deflated compresses p as permessage-deflate sends it: a sync flush, with
// its final 00 00 ff ff removed.
func deflated(t *testing.T, p []byte) []byte {
	t.Helper()
	var b bytes.Buffer
	w, _ := flate.NewWriter(&b, flate.BestSpeed)
	w.Write(p)
	w.Flush()
	out := b.Bytes()
	if !bytes.HasSuffix(out, []byte{0, 0, 0xff, 0xff}) {
		t.Fatal("no sync flush tail")
	}
	return out[:len(out)-4]
}

// clientFrameBytes encodes a masked frame with any payload length.
func clientFrameBytes(b0 byte, payload []byte, key [4]byte) []byte {
	var f []byte
	switch n := len(payload); {
	case n <= 125:
		f = []byte{b0, 0x80 | byte(n)}
	case n <= 0xFFFF:
		f = []byte{b0, 0x80 | 126, byte(n >> 8), byte(n)}
	default:
		f = []byte{b0, 0x80 | 127, 0, 0, 0, 0, byte(n >> 24), byte(n >> 16), byte(n >> 8), byte(n)}
	}
	f = append(f, key[:]...)
	return append(f, unmask(payload, key, 0)...)
}

func TestInflateCompressedMessage(t *testing.T) {
	text := []byte(strings.Repeat("the wire lab ", 200))
	random := make([]byte, 3000)
	rand.Read(random)
	for _, raw := range [][]byte{text, random} {
		z := deflated(t, raw)
		key := [4]byte{9, 8, 7, 6}
		// In two fragments: RSV1 on the first only (RFC 7692 section 6.1),
		// with a ping between them.
		half := len(z) / 2
		stream := clientFrameBytes(0x40|wsframe.OpText, z[:half], key)
		stream = append(stream, clientFrameBytes(0x80|wsframe.OpPing, []byte("p"), key)...)
		stream = append(stream, clientFrameBytes(0x80|wsframe.OpContinuation, z[half:], key)...)
		for _, split := range []int{0, 1, 7, len(stream) / 2, len(stream) - 1} {
			d := Decoder{Deflate: true}
			var got []Frame
			d.Feed(stream[:split], func(f Frame) { got = append(got, f) })
			d.Feed(stream[split:], func(f Frame) { got = append(got, f) })
			if len(got) != 3 {
				t.Fatalf("%d frames", len(got))
			}
			first, ping, last := got[0], got[1], got[2]
			if !first.RSV1 || !first.Compressed || first.Inflated != 0 || ping.Compressed || !last.Compressed {
				t.Fatalf("flags: %+v / %+v / %+v", first, ping, last)
			}
			if last.Inflated != uint64(len(raw)) {
				t.Fatalf("inflated %d, want %d", last.Inflated, len(raw))
			}
			if r := Record(first, 1, msg.WireIn, time0); r.Text != "" {
				t.Fatalf("compressed bytes shown as text %q", r.Text)
			}
		}
		if len(raw) == len(text) && len(z) >= len(raw) {
			t.Fatalf("a repetitive text did not compress: %d → %d", len(raw), len(z))
		}
	}
}

func TestInflateOffOrBroken(t *testing.T) {
	z := deflated(t, []byte(strings.Repeat("a", 1000)))
	stream := clientFrameBytes(0xC0|wsframe.OpText, z, [4]byte{})
	// Without the extension negotiated, RSV1 is only a flag.
	got := decodeAll(t, stream)
	if got[0].Compressed || got[0].Inflated != 0 {
		t.Fatalf("inflated without deflate: %+v", got[0])
	}
	// Garbage with RSV1 is reported as not inflated.
	d := Decoder{Deflate: true}
	var f Frame
	d.Feed(clientFrameBytes(0xC0|wsframe.OpBinary, []byte{0xff, 0xff, 0xff, 0xff, 0xff}, [4]byte{}), func(g Frame) { f = g })
	if !f.Compressed || f.Inflated != 0 {
		t.Fatalf("garbage: %+v", f)
	}
	// The next message is not compressed: state does not leak.
	d.Feed(clientFrameBytes(0x80|wsframe.OpText, []byte("plain"), [4]byte{}), func(g Frame) { f = g })
	if f.Compressed || Record(f, 1, msg.WireIn, time0).Text != "plain" {
		t.Fatalf("after garbage: %+v", f)
	}
}
