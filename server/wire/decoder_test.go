package wire

import (
	"bytes"
	"encoding/hex"
	"errors"
	"reflect"
	"strings"
	"testing"

	"socketlab/server/wsframe"
)

// h decodes spaced hex ("81 05 48").
func h(s string) []byte {
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		panic(err)
	}
	return b
}

// decodeAll feeds the chunks to a fresh decoder and returns its frames.
func decodeAll(t *testing.T, chunks ...[]byte) []Frame {
	t.Helper()
	var d Decoder
	var got []Frame
	for _, c := range chunks {
		if err := d.Feed(c, func(f Frame) { got = append(got, f) }); err != nil {
			t.Fatalf("Feed: %v", err)
		}
	}
	return got
}

// rfcExamples are the examples of RFC 6455 section 5.7, byte for byte, with
// the frames they must decode to.
func rfcExamples() []struct {
	name   string
	stream []byte
	want   []Frame
} {
	hello := h("48 65 6c 6c 6f")
	key := [4]byte{0x37, 0xfa, 0x21, 0x3d}
	maskedHello := h("7f 9f 4d 51 58")
	bin256 := bytes.Repeat([]byte{0xAB}, 256)
	bin64k := bytes.Repeat([]byte{0xCD}, 65536)
	return []struct {
		name   string
		stream []byte
		want   []Frame
	}{
		{"single-frame unmasked text", h("81 05 48 65 6c 6c 6f"), []Frame{
			{FIN: true, Opcode: wsframe.OpText, Len7: 5, Header: h("81 05"), Length: 5, Raw: hello},
		}},
		{"single-frame masked text", h("81 85 37 fa 21 3d 7f 9f 4d 51 58"), []Frame{
			{FIN: true, Opcode: wsframe.OpText, Masked: true, Len7: 5, Header: h("81 85 37 fa 21 3d"), Length: 5, Key: key, Raw: maskedHello},
		}},
		{"fragmented unmasked text", h("01 03 48 65 6c 80 02 6c 6f"), []Frame{
			{Opcode: wsframe.OpText, Len7: 3, Header: h("01 03"), Length: 3, Raw: h("48 65 6c")},
			{FIN: true, Opcode: wsframe.OpContinuation, Len7: 2, Header: h("80 02"), Length: 2, Raw: h("6c 6f")},
		}},
		{"unmasked ping, masked pong", h("89 05 48 65 6c 6c 6f 8a 85 37 fa 21 3d 7f 9f 4d 51 58"), []Frame{
			{FIN: true, Opcode: wsframe.OpPing, Len7: 5, Header: h("89 05"), Length: 5, Raw: hello},
			{FIN: true, Opcode: wsframe.OpPong, Masked: true, Len7: 5, Header: h("8a 85 37 fa 21 3d"), Length: 5, Key: key, Raw: maskedHello},
		}},
		{"256 bytes, 16-bit length", append(h("82 7E 01 00"), bin256...), []Frame{
			{FIN: true, Opcode: wsframe.OpBinary, Len7: 126, Header: h("82 7E 01 00"), Length: 256, Raw: bin256[:64]},
		}},
		{"64 KiB, 64-bit length", append(h("82 7F 00 00 00 00 00 01 00 00"), bin64k...), []Frame{
			{FIN: true, Opcode: wsframe.OpBinary, Len7: 127, Header: h("82 7F 00 00 00 00 00 01 00 00"), Length: 65536, Raw: bin64k[:64]},
		}},
	}
}

func TestDecoderRFCExamples(t *testing.T) {
	for _, ex := range rfcExamples() {
		t.Run(ex.name, func(t *testing.T) {
			if got := decodeAll(t, ex.stream); !reflect.DeepEqual(got, ex.want) {
				t.Fatalf("whole:\n got %+v\nwant %+v", got, ex.want)
			}
			// Split in two at every byte position: TCP may cut anywhere.
			for i := range len(ex.stream) + 1 {
				if got := decodeAll(t, ex.stream[:i], ex.stream[i:]); !reflect.DeepEqual(got, ex.want) {
					t.Fatalf("split at %d:\n got %+v\nwant %+v", i, got, ex.want)
				}
			}
			// And one byte at a time, for the short ones.
			if len(ex.stream) < 1000 {
				var chunks [][]byte
				for i := range ex.stream {
					chunks = append(chunks, ex.stream[i:i+1])
				}
				if got := decodeAll(t, chunks...); !reflect.DeepEqual(got, ex.want) {
					t.Fatalf("byte by byte:\n got %+v\nwant %+v", got, ex.want)
				}
			}
		})
	}
}

// TestDecoderAllExamplesInOneStream: the examples back to back are decoded
// in order, whatever the cut.
func TestDecoderAllExamplesInOneStream(t *testing.T) {
	var stream []byte
	var want []Frame
	for _, ex := range rfcExamples()[:4] {
		stream = append(stream, ex.stream...)
		want = append(want, ex.want...)
	}
	for i := range len(stream) + 1 {
		for j := i; j <= len(stream); j += 7 {
			if got := decodeAll(t, stream[:i], stream[i:j], stream[j:]); !reflect.DeepEqual(got, want) {
				t.Fatalf("cut at %d and %d: got %d frames, want %d", i, j, len(got), len(want))
			}
		}
	}
}

func TestDecoderKeepsWholeControlPayload(t *testing.T) {
	reason := strings.Repeat("r", 100)
	payload := append([]byte{0x03, 0xE8}, reason...)
	got := decodeAll(t, append([]byte{0x88, byte(len(payload))}, payload...))
	if len(got) != 1 || !bytes.Equal(got[0].Raw, payload) {
		t.Fatalf("close frame: kept %d of %d payload bytes", len(got[0].Raw), len(payload))
	}
}

func TestDecoderEmptyFrames(t *testing.T) {
	got := decodeAll(t, h("01 00 80 00 88 00"))
	if len(got) != 3 || got[0].FIN || got[1].Opcode != wsframe.OpContinuation || got[2].Opcode != wsframe.OpClose || got[2].Length != 0 {
		t.Fatalf("got %+v", got)
	}
}

func TestDecoderStopsOnImpossibleLength(t *testing.T) {
	var d Decoder
	n := 0
	err := d.Feed(h("82 7F 80 00 00 00 00 00 00 00 81 00"), func(Frame) { n++ })
	if !errors.Is(err, ErrLength) || n != 0 {
		t.Fatalf("err %v after %d frames, want ErrLength and none", err, n)
	}
	// It stays stopped: what follows cannot be framed.
	if err := d.Feed(h("81 00"), func(Frame) { n++ }); !errors.Is(err, ErrLength) || n != 0 {
		t.Fatalf("after the error: %v, %d frames", err, n)
	}
}

// TestDecoderBoundedMemory: a frame announcing 2^62 bytes keeps only the
// shown bytes however much of it arrives.
func TestDecoderBoundedMemory(t *testing.T) {
	var d Decoder
	if err := d.Feed(h("82 7F 40 00 00 00 00 00 00 00"), func(Frame) { t.Fatal("no frame is complete") }); err != nil {
		t.Fatal(err)
	}
	chunk := make([]byte, 1<<20)
	for range 8 {
		d.Feed(chunk, func(Frame) { t.Fatal("no frame is complete") })
	}
	if cap(d.cur.Raw) > 64 || d.pos != 8<<20 {
		t.Fatalf("kept %d bytes, counted %d", cap(d.cur.Raw), d.pos)
	}
}
