package conformance

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"time"
)

// Cases returns the whole suite for ep: every group, with the sizes of
// group 9 taken from its read limit.
func Cases(ep Endpoint) []Case {
	var cs []Case
	for _, g := range []func(Endpoint) []Case{framing, pings, reserved, opcodes, fragmentation, utf8Cases, closing, limits, masking, compression} {
		cs = append(cs, g(ep)...)
	}
	return cs
}

// Frame builders.
func text(s string) Frame                    { return Frame{Fin: true, Op: OpText, Payload: []byte(s)} }
func textB(b []byte) Frame                   { return Frame{Fin: true, Op: OpText, Payload: b} }
func binMsg(b []byte) Frame                  { return Frame{Fin: true, Op: OpBin, Payload: b} }
func ping(b []byte) Frame                    { return Frame{Fin: true, Op: OpPing, Payload: b} }
func pong(b []byte) Frame                    { return Frame{Fin: true, Op: OpPong, Payload: b} }
func frag(op byte, fin bool, b []byte) Frame { return Frame{Fin: fin, Op: op, Payload: b} }
func closeFrame(code int, reason string) Frame {
	return Frame{Fin: true, Op: OpClose, Payload: append(binary.BigEndian.AppendUint16(nil, uint16(code)), reason...)}
}

// steps makes one step of frames sent at once.
func steps(fs ...Frame) []Step { return []Step{{Frames: fs}} }

// filler is n bytes of already-folded ASCII text (casefold echoes it
// unchanged).
func filler(n int) []byte { return bytes.Repeat([]byte("*"), n) }

// octets is bytes 0..255 repeated to n.
func octets(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i)
	}
	return b
}

// Group 1: framing — every payload-length boundary, text and binary,
// and slow and chopped writes.
func framing(ep Endpoint) []Case {
	var cs []Case
	sizes := []int{0, 125, 126, 127, 128, 65535, 65536}
	for i, n := range sizes {
		cs = append(cs, Case{ID: fmt.Sprintf("1.1.%d", i+1), Group: "1", Desc: fmt.Sprintf("text message of %d bytes", n), Steps: steps(textB(filler(n)))})
	}
	cs = append(cs, Case{ID: "1.1.8", Group: "1", Desc: "text message of 65535 bytes, written in chops of 997", Steps: []Step{{Frames: []Frame{textB(filler(65535))}, Chop: 997}}})
	for i, n := range sizes {
		cs = append(cs, Case{ID: fmt.Sprintf("1.2.%d", i+1), Group: "1", Desc: fmt.Sprintf("binary message of %d bytes", n), Steps: steps(binMsg(octets(n)))})
	}
	cs = append(cs, Case{ID: "1.2.8", Group: "1", Desc: "binary message of 65535 bytes, written in chops of 997", Steps: []Step{{Frames: []Frame{binMsg(octets(65535))}, Chop: 997}}})
	cs = append(cs,
		Case{ID: "1.3.1", Group: "1", Desc: "a text frame written one byte at a time, 1 ms apart", Steps: []Step{{Frames: []Frame{text("slow and steady")}, Chop: 1, Pause: time.Millisecond}}},
		Case{ID: "1.3.2", Group: "1", Desc: "a 16-bit-length frame whose header arrives in three pieces", Steps: []Step{{Frames: []Frame{textB(filler(300))}, Chop: 3, Pause: time.Millisecond}}},
		Case{ID: "1.3.3", Group: "1", Desc: "three messages in one write", Steps: steps(text("one"), text("two"), text("three"))},
	)
	return cs
}

// Group 2: ping and pong.
func pings(ep Endpoint) []Case {
	ten := make([]Frame, 10)
	for i := range ten {
		ten[i] = ping([]byte(fmt.Sprintf("ping %d", i)))
	}
	flood := make([]Frame, 1000)
	for i := range flood {
		flood[i] = ping([]byte("p"))
	}
	return []Case{
		{ID: "2.1", Group: "2", Desc: "ping without payload", Steps: steps(ping(nil))},
		{ID: "2.2", Group: "2", Desc: "ping with a small text payload", Steps: steps(ping([]byte("Hello, world!")))},
		{ID: "2.3", Group: "2", Desc: "ping with a small binary payload", Steps: steps(ping([]byte{0, 0xff, 0xfe, 0xfd, 0xfc, 0xfb, 0, 0xff}))},
		{ID: "2.4", Group: "2", Desc: "ping with 125 bytes", Steps: steps(ping(octets(125)))},
		{ID: "2.5", Group: "2", Desc: "ping with 126 bytes (over the control frame limit)", Steps: steps(ping(octets(126)))},
		{ID: "2.6", Group: "2", Desc: "ping with 125 bytes, written one byte at a time", Steps: []Step{{Frames: []Frame{ping(octets(125))}, Chop: 1}}},
		{ID: "2.7", Group: "2", Desc: "unsolicited pong without payload", Steps: steps(pong(nil))},
		{ID: "2.8", Group: "2", Desc: "unsolicited pong with payload", Steps: steps(pong([]byte("unsolicited")))},
		{ID: "2.9", Group: "2", Desc: "unsolicited pong, then a ping", Steps: steps(pong([]byte("unsolicited")), ping([]byte("solicited")))},
		{ID: "2.10", Group: "2", Desc: "10 pings in one write", Steps: steps(ten...)},
		{ID: "2.11", Group: "2", Desc: "10 pings, written in chops of 1", Steps: []Step{{Frames: ten, Chop: 1}}},
		{ID: "2.12", Group: "2", Desc: "ping flood: 1000 pings in one write", Run: func(s *Session) (string, string, Verdict, string) {
			return s.pingFlood(flood)
		}},
	}
}

// pingFlood sends the flood and a close: the server may answer a bounded
// number of pongs, but must stay up and close cleanly.
func (s *Session) pingFlood(flood []Frame) (string, string, Verdict, string) {
	exp := "some pongs, bounded (a flood must not make the server write as much as it reads); stays open; clean close 1000"
	s.send([]Step{{Frames: flood}, {Frames: []Frame{closeFrame(1000, "")}}})
	pongs := 0
	o := &observed{}
	for {
		f, ok := s.nextInto(o, "client")
		if !ok {
			if o.close != nil {
				o.end, o.trailing = s.C.WaitEnd()
			}
			break
		}
		if f.Op == OpPong {
			pongs++
		}
	}
	obs := fmt.Sprintf("%d pongs; %s", pongs, o.describe())
	if o.close == nil || o.end != "EOF" || pongs == 0 {
		return exp, obs, Failed, ""
	}
	if pongs < len(flood) {
		return exp, obs, NonStrict, "pongs are rate limited (20 a second, bursts of 40): RFC 6455 asks for a pong to each ping, but a flood is not a keepalive"
	}
	return exp, obs, OK, ""
}

// Group 3: reserved bits.
func reserved(ep Endpoint) []Case {
	return []Case{
		{ID: "3.1", Group: "3", Desc: "text with RSV1", Steps: steps(Frame{Fin: true, RSV: 4, Op: OpText, Payload: []byte("hello")})},
		{ID: "3.2", Group: "3", Desc: "valid text, then text with RSV2, then a ping", Steps: steps(text("hello"), Frame{Fin: true, RSV: 2, Op: OpText, Payload: []byte("hello")}, ping([]byte("hello")))},
		{ID: "3.3", Group: "3", Desc: "same, frame by frame with pauses", Steps: []Step{{Frames: []Frame{text("hello")}}, {Gap: 5 * time.Millisecond, Frames: []Frame{{Fin: true, RSV: 3, Op: OpText, Payload: []byte("hello")}}}, {Gap: 5 * time.Millisecond, Frames: []Frame{ping([]byte("hello"))}}}},
		{ID: "3.4", Group: "3", Desc: "text with RSV1|RSV2, written in chops of 1", Steps: []Step{{Frames: []Frame{text("hello"), {Fin: true, RSV: 6, Op: OpText, Payload: []byte("hello")}, ping([]byte("hello"))}, Chop: 1}}},
		{ID: "3.5", Group: "3", Desc: "binary with RSV1|RSV3", Steps: steps(Frame{Fin: true, RSV: 5, Op: OpBin, Payload: octets(8)})},
		{ID: "3.6", Group: "3", Desc: "ping with RSV2|RSV3", Steps: steps(Frame{Fin: true, RSV: 3, Op: OpPing, Payload: []byte("hello")})},
		{ID: "3.7", Group: "3", Desc: "close with all three RSV bits", Steps: steps(Frame{Fin: true, RSV: 7, Op: OpClose, Payload: closeFrame(1000, "").Payload})},
	}
}

// Group 4: reserved opcodes.
func opcodes(ep Endpoint) []Case {
	var cs []Case
	for i, op := range []byte{3, 4, 5, 6, 7} {
		cs = append(cs, Case{ID: fmt.Sprintf("4.1.%d", i+1), Group: "4", Desc: fmt.Sprintf("reserved non-control opcode %d after a valid text", op),
			Steps: steps(text("hello"), Frame{Fin: true, Op: op, Payload: []byte("reserved")}, ping([]byte("hello")))})
	}
	for i, op := range []byte{11, 12, 13, 14, 15} {
		cs = append(cs, Case{ID: fmt.Sprintf("4.2.%d", i+1), Group: "4", Desc: fmt.Sprintf("reserved control opcode %d after a valid text", op),
			Steps: steps(text("hello"), Frame{Fin: true, Op: op, Payload: []byte("reserved")}, ping([]byte("hello")))})
	}
	return cs
}

// Group 10: masking and length encodings.
func masking(ep Endpoint) []Case {
	auto := func(b []byte, size int) []Frame {
		var fs []Frame
		for i := 0; i < len(b); i += size {
			op := byte(OpCont)
			if i == 0 {
				op = OpText
			}
			fs = append(fs, frag(op, i+size >= len(b), b[i:min(i+size, len(b))]))
		}
		return fs
	}
	zero := text("masked with a zero key")
	zero.Key = []byte{0, 0, 0, 0}
	var keyed []Frame
	for i, part := range []string{"every ", "fragment ", "its own ", "key"} {
		op := byte(OpCont)
		if i == 0 {
			op = OpText
		}
		f := frag(op, i == 3, []byte(part))
		f.Key = []byte{byte(i + 1), 0x80, 0xff, byte(i * 40)}
		keyed = append(keyed, f)
	}
	unmasked := text("not masked")
	unmasked.Unmasked = true
	unmaskedPing := ping([]byte("not masked"))
	unmaskedPing.Unmasked = true
	l16 := text("short")
	l16.Len16 = true
	l64 := textB(filler(200))
	l64.Len64 = true
	msb := text("huge")
	msb.LenMSB = true
	return []Case{
		{ID: "10.1.1", Group: "10", Desc: "text of 65536 bytes in frames of 1300", Steps: steps(auto(filler(65536), 1300)...)},
		{ID: "10.2.1", Group: "10", Desc: "mask key of zeros", Steps: steps(zero)},
		{ID: "10.2.2", Group: "10", Desc: "a different mask key on each fragment", Steps: steps(keyed...)},
		{ID: "10.3.1", Group: "10", Desc: "unmasked text frame", Steps: steps(unmasked)},
		{ID: "10.3.2", Group: "10", Desc: "unmasked ping", Steps: steps(unmaskedPing)},
		{ID: "10.4.1", Group: "10", Desc: "5 bytes with a 16-bit length (not minimal)", Run: func(s *Session) (string, string, Verdict, string) { return s.lenient(steps(l16)) }},
		{ID: "10.4.2", Group: "10", Desc: "200 bytes with a 64-bit length (not minimal)", Run: func(s *Session) (string, string, Verdict, string) { return s.lenient(steps(l64)) }},
		{ID: "10.4.3", Group: "10", Desc: "64-bit length with the most significant bit set", Steps: steps(msb)},
	}
}

// lenient plays a frame whose length is not minimally encoded: RFC 6455
// section 5.2 says MUST, but Autobahn does not test it and most servers
// accept it; failing it with 1002 is strict, accepting it non-strict.
func (s *Session) lenient(st []Step) (string, string, Verdict, string) {
	exp, obs, v, _ := s.play(st)
	exp += " — or close 1002, the strict answer"
	if v == OK {
		return exp, obs, NonStrict, "a length not minimally encoded is accepted (RFC 6455 section 5.2 says it MUST be minimal; the library does not check)"
	}
	if bytes.Contains([]byte(obs), []byte("close 1002")) && !bytes.Contains([]byte(obs), []byte("reset")) {
		return exp, obs, OK, ""
	}
	return exp, obs, v, ""
}
