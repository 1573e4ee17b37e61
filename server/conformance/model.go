package conformance

import (
	"encoding/binary"
	"fmt"
	"strings"
	"unicode/utf8"
)

// reply is one frame the server is to send back.
type reply struct {
	op      byte
	payload []byte
	any     bool // any text payload will do (an Answer)
}

func (r reply) String() string {
	name := opName(r.op)
	switch {
	case r.any:
		return name + " (an answer)"
	case r.op == OpPong:
		return fmt.Sprintf("pong %s", short(r.payload))
	}
	return fmt.Sprintf("%s %s", name, short(r.payload))
}

// expectation is what RFC 6455, and the endpoint's protocol, ask of the
// server for a sequence of frames.
type expectation struct {
	replies []reply
	// codes, when not empty, are the close codes the server must send
	// (the first is the one the suite names); empty: the connection stays
	// open and the client closes it.
	codes []int
	// noCode: a close without a code is also right (an answer to an
	// empty close).
	noCode bool
	// why says what the server must react to.
	why string
	// failFrame is the index of the frame at which it must fail.
	failFrame int
}

func (e expectation) String() string {
	var parts []string
	for _, r := range e.replies {
		parts = append(parts, r.String())
	}
	switch {
	case len(e.codes) == 0:
		parts = append(parts, "stays open; clean close 1000 on request")
	default:
		c := fmt.Sprintf("close %d", e.codes[0])
		if len(e.codes) > 1 {
			c = "close " + strings.Trim(strings.Join(strings.Fields(fmt.Sprint(e.codes)), " or "), "[]")
		}
		if e.why != "" {
			c += " (" + e.why + ")"
		}
		parts = append(parts, c)
	}
	return strings.Join(parts, "; ")
}

// model works out what the server must do with frames, sent in order on
// one connection to ep (deflate: permessage-deflate was agreed).
func model(ep Endpoint, deflate bool, frames []Frame) expectation {
	var e expectation
	fail := func(i, code int, why string) expectation {
		e.codes, e.why, e.failFrame = []int{code}, why, i
		return e
	}
	var msg []byte // the message being assembled
	var msgOp byte
	in := false
	compressed := false
	for i, f := range frames {
		control := f.Op >= 8
		switch {
		case f.Unmasked:
			return fail(i, 1002, "unmasked frame")
		case f.LenMSB:
			return fail(i, 1002, "64-bit length with its top bit set")
		case f.RSV&4 != 0 && (!deflate || control || f.Op == OpCont):
			return fail(i, 1002, "RSV1 without an extension that defines it")
		case f.RSV&3 != 0:
			return fail(i, 1002, "RSV2/RSV3 set")
		case f.Op > 2 && f.Op < 8 || f.Op > 0xA:
			return fail(i, 1002, fmt.Sprintf("reserved opcode %d", f.Op))
		case control && len(f.Payload) > 125:
			return fail(i, 1002, "control frame over 125 bytes")
		case control && !f.Fin:
			return fail(i, 1002, "fragmented control frame")
		}
		switch f.Op {
		case OpPing:
			e.replies = append(e.replies, reply{op: OpPong, payload: f.Payload})
			continue
		case OpPong:
			continue
		case OpClose:
			p := f.Payload
			if len(p) == 1 {
				return fail(i, 1002, "close payload of one byte")
			}
			if len(p) == 0 {
				e.codes, e.noCode = []int{1000}, true
				return e
			}
			code := int(binary.BigEndian.Uint16(p))
			if !validCode(code) {
				return fail(i, 1002, fmt.Sprintf("close code %d may not be sent", code))
			}
			if !utf8.Valid(p[2:]) {
				return fail(i, 1007, "close reason not UTF-8")
			}
			e.codes = []int{code, 1000}
			return e
		case OpCont:
			if !in {
				return fail(i, 1002, "continuation without a message to continue")
			}
		default:
			if in {
				return fail(i, 1002, "new message inside a fragmented one")
			}
			in, msgOp, msg, compressed = true, f.Op, nil, f.RSV&4 != 0
		}
		if compressed {
			if f.Plain != nil {
				msg = append(msg, f.Plain...)
			}
		} else {
			msg = append(msg, f.Payload...)
		}
		if len(msg) > ep.ReadLimit {
			e := fail(i, 1009, fmt.Sprintf("over the read limit of %d bytes", ep.ReadLimit))
			if msgOp == OpText && !validSoFar(msg, f.Fin) {
				// Both are wrong; a server may see either first.
				e.codes, e.why = []int{1009, 1007}, "over the read limit, and not UTF-8"
			}
			return e
		}
		if msgOp == OpText && !validSoFar(msg, f.Fin) {
			return fail(i, 1007, "text not UTF-8")
		}
		if !f.Fin {
			continue
		}
		in = false
		pol, code := ep.Text, ep.TextCode
		if msgOp == OpBin {
			pol, code = ep.Binary, ep.BinaryCode
		}
		switch pol {
		case Echo:
			e.replies = append(e.replies, reply{op: msgOp, payload: msg})
		case Answer:
			if ep.Unanswered == nil || !ep.Unanswered(msgOp, msg) {
				e.replies = append(e.replies, reply{op: OpText, any: true})
			}
		case Refuse:
			return fail(i, code, "the endpoint refuses this message")
		}
	}
	return e
}

// validCode reports whether a close code may be sent on the wire (RFC
// 6455 section 7.4, the IANA registry).
func validCode(c int) bool {
	switch {
	case c >= 1000 && c <= 1003, c >= 1007 && c <= 1014, c >= 3000 && c <= 4999:
		return true
	}
	return false
}

// validSoFar reports whether text can still be valid UTF-8 (end: it is
// complete).
func validSoFar(b []byte, end bool) bool {
	if end || utf8.Valid(b) {
		return utf8.Valid(b)
	}
	// Allow an incomplete character at the end, if it can be completed.
	for k := 1; k <= 3 && k <= len(b); k++ {
		for _, pad := range [][]byte{{0x80}, {0xA0}, {0x90}, {0x80, 0x80}, {0xA0, 0x80}, {0x90, 0x80}, {0x80, 0x80, 0x80}, {0x90, 0x80, 0x80}} {
			if utf8.Valid(append(append([]byte(nil), b...), pad...)) {
				return true
			}
		}
	}
	return false
}

func opName(op byte) string {
	switch op {
	case OpText:
		return "text"
	case OpBin:
		return "binary"
	case OpClose:
		return "close"
	case OpPing:
		return "ping"
	case OpPong:
		return "pong"
	case OpCont:
		return "continuation"
	}
	return fmt.Sprintf("opcode %d", op)
}

// short describes a payload briefly.
func short(p []byte) string {
	if len(p) <= 16 {
		if utf8.Valid(p) {
			return fmt.Sprintf("%q", p)
		}
		return fmt.Sprintf("% x", p)
	}
	return fmt.Sprintf("(%d bytes)", len(p))
}
