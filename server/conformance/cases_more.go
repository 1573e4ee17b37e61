package conformance

import (
	"fmt"
	"strings"
	"time"
)

// Group 5: fragmentation.
func fragmentation(ep Endpoint) []Case {
	p := func(s string) []byte { return []byte(s) }
	frag1, frag2 := p("fragment1"), p("fragment2")
	withPing := []Frame{frag(OpText, false, frag1), ping(p("ping payload")), frag(OpCont, true, frag2)}
	var five []Frame
	for i := 1; i <= 5; i++ {
		op := byte(OpCont)
		if i == 1 {
			op = OpText
		}
		five = append(five, frag(op, i == 5, p(fmt.Sprintf("fragment%d", i))))
		if i < 5 {
			five = append(five, ping(p(fmt.Sprintf("pongme %d!", i))))
		}
	}
	slow := func(id, desc string, fs []Frame) Case {
		st := make([]Step, len(fs))
		for i, f := range fs {
			st[i] = Step{Frames: []Frame{f}, Gap: 2 * time.Millisecond}
		}
		return Case{ID: id, Group: "5", Desc: desc, Steps: st}
	}
	return []Case{
		{ID: "5.1", Group: "5", Desc: "ping in two fragments", Steps: steps(frag(OpPing, false, frag1), frag(OpCont, true, frag2))},
		{ID: "5.2", Group: "5", Desc: "pong in two fragments", Steps: steps(frag(OpPong, false, frag1), frag(OpCont, true, frag2))},
		{ID: "5.3", Group: "5", Desc: "text in two fragments", Steps: steps(frag(OpText, false, frag1), frag(OpCont, true, frag2))},
		{ID: "5.4", Group: "5", Desc: "text in two fragments, written in chops of 1", Steps: []Step{{Frames: []Frame{frag(OpText, false, frag1), frag(OpCont, true, frag2)}, Chop: 1}}},
		slow("5.5", "text in two fragments, one write each with pauses", []Frame{frag(OpText, false, frag1), frag(OpCont, true, frag2)}),
		{ID: "5.6", Group: "5", Desc: "text in two fragments with a ping between", Steps: steps(withPing...)},
		{ID: "5.7", Group: "5", Desc: "same, written in chops of 1", Steps: []Step{{Frames: withPing, Chop: 1}}},
		slow("5.8", "same, one write each with pauses", withPing),
		{ID: "5.9", Group: "5", Desc: "continuation (final) without a message to continue", Steps: steps(frag(OpCont, true, frag1), text("hello"))},
		{ID: "5.10", Group: "5", Desc: "same, written in chops of 1", Steps: []Step{{Frames: []Frame{frag(OpCont, true, frag1), text("hello")}, Chop: 1}}},
		{ID: "5.12", Group: "5", Desc: "continuation (not final) without a message to continue", Steps: steps(frag(OpCont, false, frag1), text("hello"))},
		{ID: "5.15", Group: "5", Desc: "text in two fragments, then a new text started inside another", Steps: steps(frag(OpText, false, frag1), frag(OpCont, true, frag2), frag(OpCont, false, p("fragment3")), frag(OpCont, true, p("fragment4")))},
		{ID: "5.16", Group: "5", Desc: "a continuation after a finished message", Steps: steps(text("fragment1"), frag(OpCont, true, frag2))},
		{ID: "5.18", Group: "5", Desc: "new text message (final) inside a fragmented one", Steps: steps(frag(OpText, false, frag1), text("fragment2"))},
		{ID: "5.18b", Group: "5", Desc: "new binary message inside a fragmented text", Steps: steps(frag(OpText, false, frag1), frag(OpBin, true, frag2))},
		{ID: "5.19", Group: "5", Desc: "text in five fragments with pings between", Steps: steps(five...)},
		slow("5.20", "same, one write each with pauses", five),
		{ID: "5.21", Group: "5", Desc: "control frames between fragments: pong and ping", Steps: steps(frag(OpText, false, frag1), pong(p("x")), ping(p("y")), frag(OpCont, true, frag2))},
	}
}

// utf8Samples are Autobahn's 6.x sequences, each sent as one text message.
var utf8Samples = []struct {
	desc string
	b    string
}{
	{"κόσμε", "κόσμε"},
	{"first 1-byte sequence U+0000", "\x00"},
	{"first 2-byte sequence U+0080", "\xc2\x80"},
	{"first 3-byte sequence U+0800", "\xe0\xa0\x80"},
	{"first 4-byte sequence U+10000", "\xf0\x90\x80\x80"},
	{"last 1-byte sequence U+007F", "\x7f"},
	{"last 2-byte sequence U+07FF", "\xdf\xbf"},
	{"last 3-byte sequence U+FFFF", "\xef\xbf\xbf"},
	{"last code point U+10FFFF", "\xf4\x8f\xbf\xbf"},
	{"U+D7FF, before the surrogates", "\xed\x9f\xbf"},
	{"U+E000, after the surrogates", "\xee\x80\x80"},
	{"U+FFFD", "\xef\xbf\xbd"},
	{"noncharacters U+FFFE, U+FDD0 (valid UTF-8)", "\xef\xbf\xbe\xef\xb7\x90"},
	{"beyond U+10FFFF: f4 90 80 80", "\xf4\x90\x80\x80"},
	{"5-byte sequence", "\xf8\x88\x80\x80\x80"},
	{"6-byte sequence", "\xfc\x84\x80\x80\x80\x80"},
	{"lone continuation byte 80", "\x80"},
	{"lone continuation byte bf", "\xbf"},
	{"two continuation bytes", "\x80\xbf"},
	{"all 64 continuation bytes", contBytes()},
	{"lonely start byte c0 then space", "\xc0 "},
	{"lonely start byte e0 then space", "\xe0 "},
	{"lonely start byte f0 then space", "\xf0 "},
	{"2-byte sequence missing its last byte", "\xc2"},
	{"3-byte sequence missing its last byte", "\xe0\xa0"},
	{"4-byte sequence missing its last byte", "\xf0\x90\x80"},
	{"impossible byte fe", "\xfe"},
	{"impossible byte ff", "\xff"},
	{"overlong slash, 2 bytes", "\xc0\xaf"},
	{"overlong slash, 3 bytes", "\xe0\x80\xaf"},
	{"overlong slash, 4 bytes", "\xf0\x80\x80\xaf"},
	{"overlong U+07FF", "\xe0\x9f\xbf"},
	{"overlong NUL", "\xc0\x80"},
	{"surrogate U+D800", "\xed\xa0\x80"},
	{"surrogate U+DFFF", "\xed\xbf\xbf"},
	{"surrogate pair U+D800 U+DC00", "\xed\xa0\x80\xed\xb0\x80"},
	{"κόσμε, then a surrogate, then text", "κόσμε\xed\xa0\x80edited"},
}

func contBytes() string {
	var b strings.Builder
	for c := 0x80; c <= 0xbf; c++ {
		b.WriteByte(byte(c))
	}
	return b.String()
}

// perOctet splits a text message into one fragment per byte.
func perOctet(b []byte) []Frame {
	if len(b) == 0 {
		return []Frame{textB(nil)}
	}
	fs := make([]Frame, len(b))
	for i := range b {
		op := byte(OpCont)
		if i == 0 {
			op = OpText
		}
		fs[i] = frag(op, i == len(b)-1, b[i:i+1])
	}
	return fs
}

// Group 6: UTF-8.
func utf8Cases(ep Endpoint) []Case {
	hello := []byte("hello-μ@ssöäüàá-utf-8!!")
	cs := []Case{
		{ID: "6.1.1", Group: "6", Desc: "empty text message", Steps: steps(text(""))},
		{ID: "6.1.2", Group: "6", Desc: "text in three empty fragments", Steps: steps(frag(OpText, false, nil), frag(OpCont, false, nil), frag(OpCont, true, nil))},
		{ID: "6.1.3", Group: "6", Desc: "empty, non-empty, empty fragments", Steps: steps(frag(OpText, false, nil), frag(OpCont, false, []byte("middle frame payload")), frag(OpCont, true, nil))},
		{ID: "6.2.1", Group: "6", Desc: "valid UTF-8 in one frame", Steps: steps(textB(hello))},
		{ID: "6.2.2", Group: "6", Desc: "valid UTF-8 in two fragments, split on a code point", Steps: steps(frag(OpText, false, hello[:7]), frag(OpCont, true, hello[7:]))},
		{ID: "6.2.3", Group: "6", Desc: "valid UTF-8, one fragment per byte (split inside code points)", Steps: steps(perOctet(hello)...)},
		{ID: "6.2.4", Group: "6", Desc: "κόσμε, one fragment per byte", Steps: steps(perOctet([]byte("κόσμε"))...)},
		{ID: "6.3.1", Group: "6", Desc: "invalid UTF-8 in one frame", Steps: steps(textB([]byte("κόσμε\xed\xa0\x80edited")))},
		{ID: "6.3.2", Group: "6", Desc: "invalid UTF-8, one fragment per byte", Steps: steps(perOctet([]byte("κόσμε\xed\xa0\x80edited"))...)},
		failFast("6.4.1", "bad code point in the 2nd of 3 fragments: failed before the 3rd?", []byte("κόσμε"), []byte("\xf4\x90\x80\x80"), []byte("edited")),
		failFast("6.4.2", "bad sequence split across fragments 1 and 2: failed at the 2nd?", []byte("κόσμε\xf4"), []byte("\x90\x80\x80"), []byte("edited")),
		failFastInFrame("6.4.3", "bad code point at the start of a frame's payload, the rest of the frame held back: failed within the frame?"),
	}
	for i, s := range utf8Samples {
		cs = append(cs, Case{ID: fmt.Sprintf("6.5.%d", i+1), Group: "6", Desc: s.desc, Steps: steps(textB([]byte(s.b)))})
	}
	cs = append(cs, Case{ID: "6.6.1", Group: "6", Desc: "surrogate, one fragment per byte", Steps: steps(perOctet([]byte("a\xed\xa0\x80b"))...)})
	return cs
}

// failFast sends a valid first fragment and an invalid second, then waits
// for the server to fail before sending the third: RFC 6455 section 8.1
// wants invalid text failed as soon as it is seen.
func failFast(id, desc string, a, b, c []byte) Case {
	return Case{ID: id, Group: "6", Desc: desc, Run: func(s *Session) (string, string, Verdict, string) {
		first := []Frame{frag(OpText, false, a), frag(OpCont, false, b)}
		all := append(first, frag(OpCont, true, c))
		want := model(s.EP, s.C.Deflate, all)
		if len(want.codes) == 0 || want.codes[0] != 1007 || want.failFrame > 1 {
			return s.play(steps(all...))
		}
		return s.failEarly(want, steps(first...), steps(frag(OpCont, true, c)), "failed only after the message's last fragment: RFC 6455 section 8.1 asks for failure at once, and the server fails at the end of the frame that shows the error")
	}}
}

// failFastInFrame sends a frame header and the first, bad, bytes of its
// payload, and waits before the rest.
func failFastInFrame(id, desc string) Case {
	return Case{ID: id, Group: "6", Desc: desc, Run: func(s *Session) (string, string, Verdict, string) {
		payload := []byte("\xf4\x90\x80\x80" + strings.Repeat("*", 2000))
		whole := frag(OpCont, true, payload)
		whole.Key = []byte{1, 2, 3, 4}
		enc := whole.encode()
		head := enc[:8+4+4] // 2 + 2 (16-bit length) + 4 key, and 8 payload bytes
		want := model(s.EP, s.C.Deflate, []Frame{frag(OpText, false, []byte("κόσμε")), whole})
		if len(want.codes) == 0 || want.codes[0] != 1007 {
			return s.play(steps(frag(OpText, false, []byte("κόσμε")), whole))
		}
		s.C.Write(frag(OpText, false, []byte("κόσμε")).encode(), 0, 0)
		s.C.Write(head, 0, 0)
		return s.failEarlyRaw(want, enc[len(head):], "failed at the end of the frame, not inside it: the library reads a frame's payload before handing it on, so a server on it sees bad bytes only when the frame (or its read buffer) is full")
	}}
}

// failEarly plays first, waits up to a second for the server's close, and
// only then sends rest.
func (s *Session) failEarly(want expectation, first, rest []Step, lateNote string) (string, string, Verdict, string) {
	var b []byte
	for _, f := range frames(first) {
		b = append(b, f.encode()...)
	}
	s.C.Write(b, 0, 0)
	var r []byte
	for _, f := range frames(rest) {
		r = append(r, f.encode()...)
	}
	return s.failEarlyRaw(want, r, lateNote)
}

func (s *Session) failEarlyRaw(want expectation, rest []byte, lateNote string) (string, string, Verdict, string) {
	exp := want.String() + ", before the rest of the message is sent"
	o := &observed{}
	s.C.nc.SetReadDeadline(time.Now().Add(time.Second))
	f, err := s.next()
	late := false
	if err != nil && endOf(err) == "timeout" {
		// Not failed yet: send the rest, and see.
		late = true
		s.C.nc.SetReadDeadline(s.deadline)
		s.C.Write(rest, 0, 0)
		f, err = s.next()
	}
	s.C.nc.SetReadDeadline(s.deadline)
	if err != nil {
		o.readErr, o.end = err, endOf(err)
		return exp, o.describe(), Failed, ""
	}
	if f.Op != OpClose {
		o.replies = append(o.replies, f)
		return exp, o.describe(), Failed, ""
	}
	o.close, o.closedBy = &f, "server"
	s.finish(o, 1000)
	e, obs, v, note := judge(s.EP, want, o)
	_ = e
	if late {
		obs = "after the rest was sent: " + obs
		if v == OK {
			return exp, obs, NonStrict, lateNote
		}
	} else {
		obs = "before the rest was sent: " + obs
	}
	return exp, obs, v, note
}
