package conformance

import "fmt"

// compressed is a text or binary message compressed into one frame.
func compressed(op byte, plain []byte) Frame {
	return Frame{Fin: true, RSV: 4, Op: op, Payload: deflate(plain), Plain: plain}
}

// Groups 12 and 13: permessage-deflate, where the endpoint agrees to it
// (the wire lab's ?deflate=1: no context takeover either way).
func compression(ep Endpoint) []Case {
	var cs []Case
	for i, n := range []int{16, 64, 256, 1024, 4096, 8192, 65536, 131072} {
		if n > ep.ReadLimit {
			continue
		}
		cs = append(cs, Case{ID: fmt.Sprintf("12.1.%d", i+1), Group: "12", Desc: fmt.Sprintf("compressed text of %d bytes", n), Steps: steps(compressed(OpText, filler(n)))})
		cs = append(cs, Case{ID: fmt.Sprintf("12.2.%d", i+1), Group: "12", Desc: fmt.Sprintf("compressed binary of %d bytes", n), Steps: steps(compressed(OpBin, octets(n)))})
	}
	many := make([]Frame, 20)
	for i := range many {
		many[i] = compressed(OpText, []byte(fmt.Sprintf("message %d, each compressed on its own", i)))
	}
	whole := deflate(filler(3000))
	fragged := []Frame{
		{Fin: false, RSV: 4, Op: OpText, Payload: whole[:len(whole)/2], Plain: filler(3000)},
		{Fin: true, Op: OpCont, Payload: whole[len(whole)/2:]},
	}
	bad := []Frame{{Fin: true, RSV: 4, Op: OpCont, Payload: deflate([]byte("x"))}}
	cs = append(cs,
		Case{ID: "13.1.1", Group: "13", Desc: "20 compressed messages in one write", Steps: steps(many...)},
		Case{ID: "13.2.1", Group: "13", Desc: "a compressed message in two fragments (RSV1 on the first only)", Steps: steps(fragged...)},
		Case{ID: "13.3.1", Group: "13", Desc: "an uncompressed message on a compressing connection", Steps: steps(text("plain"))},
		Case{ID: "13.4.1", Group: "13", Desc: "RSV1 on a continuation frame", Steps: steps(append([]Frame{frag(OpText, false, []byte("a"))}, bad...)...)},
		Case{ID: "13.4.2", Group: "13", Desc: "RSV1 on a ping", Steps: steps(Frame{Fin: true, RSV: 4, Op: OpPing, Payload: []byte("x")})},
		Case{ID: "13.5.1", Group: "13", Desc: "compressed text that inflates to invalid UTF-8", Steps: steps(compressed(OpText, []byte("κόσμε\xed\xa0\x80edited")))},
	)
	if ep.ReadLimit < 1<<20 {
		cs = append(cs, Case{ID: "13.6.1", Group: "13", Desc: "a compressed message that inflates past the read limit (a deflate bomb)", Steps: steps(compressed(OpText, filler(ep.ReadLimit*4)))})
	}
	return cs
}
