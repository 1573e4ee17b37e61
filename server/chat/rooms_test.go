package chat

import (
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"

	"socketlab/server/natsstore"
)

// The fan-out queues one shared *out to every socket of a room: one
// encoding, one allocation, whatever the room's size.
func TestDeliverSharesOneFrame(t *testing.T) {
	h := newHub(time.Minute)
	a, b := newClient(nil, 8, nil), newClient(nil, 8, nil)
	for i, c := range []*client{a, b} {
		if err := h.join(c, joinReq{room: "r", nick: []string{"ada", "bob"}[i]}, "token-"+[]string{"ada", "bob"}[i]+"-0123456789"); err != nil {
			t.Fatal(err)
		}
	}
	drain := func(c *client) *out {
		var last *out
		if q := c.take(); len(q) > 0 {
			last = q[len(q)-1]
		}
		return last
	}
	drain(a)
	drain(b)
	h.rooms.deliver(natsstore.Message{Room: "r", Seq: 7, ID: "x", Nick: "ada", Text: "hi", Time: time.Now()})
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
	var got dto.Metric
	if err := h.counters.delivered.Write(&got); err != nil || got.GetCounter().GetValue() != 2 {
		t.Errorf("delivered = %v (%v), want 2", got.GetCounter().GetValue(), err)
	}
}
