package wire

import (
	"strings"
	"testing"

	"socketlab/app/msg"
)

// TestTapStopsADirectionOnGarbage: bytes that cannot be framed are
// reported once, that direction is no longer decoded, the other one is.
func TestTapStopsADirectionOnGarbage(t *testing.T) {
	s := newSession("x")
	sub := &subject{session: s}
	s.claimSubject(sub)
	tp := &tap{s: s, sub: sub, hub: NewHub()}
	tp.In(h("82 7F ff ff ff ff ff ff ff ff"))
	tp.In(h("81 00"))
	tp.Out(h("81 02 6f 6b"))
	evs := s.take()
	if len(evs) != 2 || evs[0].Type != msg.WireError || !strings.Contains(evs[0].Detail, "frames in") ||
		evs[1].Type != msg.WireFrameRec || evs[1].Frame.Dir != msg.WireOut || evs[1].Frame.Text != "ok" || evs[1].Frame.N != 1 {
		t.Fatalf("events %+v", evs)
	}
}
