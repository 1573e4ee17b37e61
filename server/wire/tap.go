package wire

import (
	"fmt"
	"time"

	"socketlab/app/msg"
)

// tap decodes the bytes of one subject, both directions, and posts each
// frame to its session (conns.Tap: its calls are never concurrent, so it
// needs no lock of its own).
type tap struct {
	s   *session
	sub *subject
	hub *Hub

	in, out Decoder
	n       int // frames so far, both directions
	failed  [2]bool
}

// In decodes bytes from the client.
func (t *tap) In(p []byte) { t.feed(&t.in, 0, msg.WireIn, p) }

// Out decodes bytes to the client.
func (t *tap) Out(p []byte) { t.feed(&t.out, 1, msg.WireOut, p) }

func (t *tap) feed(d *Decoder, side int, dir string, p []byte) {
	if t.failed[side] {
		return
	}
	err := d.Feed(p, func(f Frame) {
		t.n++
		rec := Record(f, t.n, dir, time.Now())
		t.s.push(msg.WireEvent{Type: msg.WireFrameRec, Frame: &rec})
	})
	if err != nil {
		// The socket itself goes on (the library judges the protocol);
		// only this direction's report stops.
		t.failed[side] = true
		t.s.push(msg.WireEvent{Type: msg.WireError, Detail: fmt.Sprintf("frames %s: %v; no more frames are decoded in this direction", dir, err)})
	}
}

// End reports the subject's close.
func (t *tap) End() {
	t.hub.ended(t.sub)
	t.s.ended(t.sub)
}
