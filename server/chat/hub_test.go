package chat

import (
	"sync/atomic"
	"testing"
	"time"

	"socketlab/server/natsstore"
)

// The fan-out queues one shared *out to every socket of a room: one
// encoding, one allocation, whatever the room's size.
func TestDeliverSharesOneFrame(t *testing.T) {
	h := newHub(time.Minute)
	var kicks atomic.Int64
	a, b := newClient(nil, 8, &kicks), newClient(nil, 8, &kicks)
	for i, c := range []*client{a, b} {
		if err := h.join(c, joinReq{room: "r", nick: []string{"ada", "bob"}[i]}, "token-"+[]string{"ada", "bob"}[i]+"-0123456789"); err != nil {
			t.Fatal(err)
		}
	}
	drain := func(c *client) *out {
		var last *out
		for len(c.queue) > 0 {
			last = <-c.queue
		}
		return last
	}
	drain(a)
	drain(b)
	h.deliver(natsstore.Message{Room: "r", Seq: 7, ID: "x", Nick: "ada", Text: "hi", Time: time.Now()})
	oa, ob := drain(a), drain(b)
	if oa == nil || ob == nil {
		t.Fatal("a socket of the room got nothing")
	}
	if oa != ob {
		t.Error("each socket got its own copy of the message")
	}
	if oa.seq != 7 || oa.room != "r" || len(oa.frame) == 0 {
		t.Errorf("queued %+v", oa)
	}
	if got := h.delivered.Load(); got != 2 {
		t.Errorf("delivered = %d, want 2", got)
	}
}
