package conformance

import (
	"fmt"
	"strings"
	"time"
)

// Group 7: close handling.
func closing(ep Endpoint) []Case {
	cs := []Case{
		{ID: "7.1.1", Group: "7", Desc: "a text, then a close", Steps: steps(text("hello world!"), closeFrame(1000, ""))},
		{ID: "7.1.2", Group: "7", Desc: "two closes", Steps: steps(closeFrame(1000, ""), closeFrame(1000, ""))},
		{ID: "7.1.3", Group: "7", Desc: "a close, then a ping (no pong after the close)", Steps: steps(closeFrame(1000, ""), ping([]byte("hello world!")))},
		{ID: "7.1.4", Group: "7", Desc: "a close, then a text (data after close: not answered)", Steps: steps(closeFrame(1000, ""), text("hello world!"))},
		{ID: "7.1.5", Group: "7", Desc: "a first fragment, a close, then the last fragment", Steps: steps(frag(OpText, false, []byte("fragment1")), closeFrame(1000, ""), frag(OpCont, true, []byte("fragment2")))},
		{ID: "7.1.6", Group: "7", Desc: "a close with 100 KiB of text after it, in one write", Steps: steps(closeFrame(1000, ""), textB(filler(100<<10)))},
		{ID: "7.3.1", Group: "7", Desc: "close without payload", Steps: steps(Frame{Fin: true, Op: OpClose})},
		{ID: "7.3.2", Group: "7", Desc: "close with a one-byte payload", Steps: steps(Frame{Fin: true, Op: OpClose, Payload: []byte{0x03}})},
		{ID: "7.3.3", Group: "7", Desc: "close 1000 without a reason", Steps: steps(closeFrame(1000, ""))},
		{ID: "7.3.4", Group: "7", Desc: "close 1000 with a reason", Steps: steps(closeFrame(1000, "hello world!"))},
		{ID: "7.3.5", Group: "7", Desc: "close 1000 with a 123-byte reason (the most)", Steps: steps(closeFrame(1000, strings.Repeat("*", 123)))},
		{ID: "7.3.6", Group: "7", Desc: "close 1000 with a 124-byte reason (payload over 125)", Steps: steps(closeFrame(1000, strings.Repeat("*", 124)))},
		{ID: "7.5.1", Group: "7", Desc: "close reason not UTF-8 (answered 1007, not echoed)", Steps: steps(closeFrame(1000, "κόσμε\xed\xa0\x80edited"))},
		{ID: "7.5.2", Group: "7", Desc: "close reason not UTF-8, the frame written in chops of 1", Steps: []Step{{Frames: []Frame{closeFrame(1000, "\xff\xfe")}, Chop: 1}}},
		{ID: "7.5.3", Group: "7", Desc: "close reason valid UTF-8 split nowhere (κόσμε)", Steps: steps(closeFrame(1000, "κόσμε"))},
		{ID: "7.6.1", Group: "7", Desc: "who closes TCP: after the client's close, the server", Run: func(s *Session) (string, string, Verdict, string) {
			return s.tcpCloser()
		}},
	}
	for i, c := range []int{1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 3000, 3999, 4000, 4999} {
		cs = append(cs, Case{ID: fmt.Sprintf("7.7.%d", i+1), Group: "7", Desc: fmt.Sprintf("close with valid code %d", c), Steps: steps(closeFrame(c, ""))})
	}
	for i, c := range []int{0, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000, 65535} {
		cs = append(cs, Case{ID: fmt.Sprintf("7.9.%d", i+1), Group: "7", Desc: fmt.Sprintf("close with invalid code %d", c), Steps: steps(closeFrame(c, ""))})
	}
	return cs
}

// tcpCloser sends a close and checks that the server answers it and then
// closes TCP itself (RFC 6455 section 7.1.1: the server closes first),
// promptly.
func (s *Session) tcpCloser() (string, string, Verdict, string) {
	exp := "close 1000 echoed; the server closes TCP within a second, without a reset"
	start := time.Now()
	s.C.Write(closeFrame(1000, "bye").encode(), 0, 0)
	o := &observed{}
	if !s.readToClose(o, "client") {
		return exp, o.describe(), Failed, ""
	}
	o.end, o.trailing = s.C.WaitEnd()
	took := time.Since(start)
	obs := fmt.Sprintf("%s; TCP closed by the server after %s", o.describe(), took.Round(time.Millisecond))
	if code, _ := closeOf(o.close.Payload); code != 1000 || o.end != "EOF" || took > time.Second {
		return exp, obs, Failed, ""
	}
	return exp, "close 1000 echoed; TCP closed by the server promptly, EOF", OK, ""
}

// Group 9: limits — at, just over and far over the endpoint's read
// limit, sent in full as a browser does.
func limits(ep Endpoint) []Case {
	l := ep.ReadLimit
	var pieces []Frame
	const piece = 4 << 10
	far := 8 * l
	if far < 1<<20 {
		far = 1 << 20
	}
	for i := 0; i < far; i += piece {
		op := byte(OpCont)
		if i == 0 {
			op = OpText
		}
		pieces = append(pieces, frag(op, i+piece >= far, filler(min(piece, far-i))))
	}
	huge := Frame{Fin: true, Op: OpText, Payload: filler(l + 1)}
	return []Case{
		{ID: "9.1.1", Group: "9", Desc: fmt.Sprintf("text at the read limit (%d bytes)", l), Steps: steps(textB(filler(l)))},
		{ID: "9.1.2", Group: "9", Desc: fmt.Sprintf("binary at the read limit (%d bytes)", l), Steps: steps(binMsg(octets(l)))},
		{ID: "9.2.1", Group: "9", Desc: "text one byte over the limit", Steps: steps(textB(filler(l + 1)))},
		{ID: "9.2.2", Group: "9", Desc: "binary one byte over the limit", Steps: steps(binMsg(octets(l + 1)))},
		{ID: "9.3.1", Group: "9", Desc: fmt.Sprintf("text of %d bytes, far over, sent in full in one frame", far), Steps: steps(textB(filler(far))), Timeout: 10 * time.Second},
		{ID: "9.3.2", Group: "9", Desc: fmt.Sprintf("text of %d bytes, far over, sent in full in frames of 4 KiB", far), Steps: steps(pieces...), Timeout: 10 * time.Second},
		{ID: "9.3.3", Group: "9", Desc: "4 MiB text in one frame, written in chops of 64 KiB", Steps: []Step{{Frames: []Frame{textB(filler(4 << 20))}, Chop: 64 << 10}}, Timeout: 10 * time.Second},
		{ID: "9.4.1", Group: "9", Desc: "over the limit, then a ping: the close comes, the ping is not answered", Steps: steps(huge, ping([]byte("late")))},
	}
}
