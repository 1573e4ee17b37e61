package wire

import (
	"reflect"
	"testing"
	"time"

	"socketlab/app/msg"
	"socketlab/server/wsframe"
)

var time0 = time.Unix(0, 0)

// FuzzDecoder feeds any bytes, cut at any point: the decoder must not
// panic, must frame the same way however the input is cut, must never
// report more payload than arrived, and must keep its memory bounded.
func FuzzDecoder(f *testing.F) {
	for _, ex := range rfcExamples() {
		f.Add(ex.stream, uint16(3), true)
	}
	f.Add(h("c1 85 01 02 03 04 00 00 00 00 00"), uint16(1), true)
	f.Add(h("82 7F 80 00 00 00 00 00 00 00"), uint16(5), false)
	f.Fuzz(func(t *testing.T, data []byte, cut uint16, deflate bool) {
		whole := Decoder{Deflate: deflate}
		var a []Frame
		errA := whole.Feed(data, func(f Frame) { a = append(a, f) })

		split := Decoder{Deflate: deflate}
		var b []Frame
		i := int(cut) % (len(data) + 1)
		errB := split.Feed(data[:i], func(f Frame) { b = append(b, f) })
		if errB == nil {
			errB = split.Feed(data[i:], func(f Frame) { b = append(b, f) })
		}
		if (errA == nil) != (errB == nil) || !reflect.DeepEqual(a, b) {
			t.Fatalf("cut at %d changed the result: %v / %v, %d / %d frames", i, errA, errB, len(a), len(b))
		}
		total := uint64(0)
		for _, fr := range a {
			total += uint64(len(fr.Header)) + fr.Length
			if len(fr.Raw) > 125 || (fr.Opcode < wsframe.OpClose && len(fr.Raw) > msg.WirePayloadShown) {
				t.Fatalf("kept %d payload bytes", len(fr.Raw))
			}
			Record(fr, 1, msg.WireIn, time0) // must not panic either
		}
		if total > uint64(len(data)) {
			t.Fatalf("frames account for %d bytes of %d", total, len(data))
		}
	})
}
