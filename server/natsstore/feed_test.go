package natsstore

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"socketlab/internal/testkit"
)

// A fan-out slower than the room's pace keeps a gap between the stream and
// the feed open for good; as long as the feed works through it, that is
// the server's own backlog, not a stalled consumer: nothing is handed to
// Skip (every socket reading it again from the stream), and every message
// is delivered once, in order.
func TestSlowDeliverIsNotAStall(t *testing.T) {
	s := open(t, Options{})
	var mu sync.Mutex
	var got []uint64
	var skipped []uint64
	stop, err := s.FollowFeed(Feed{
		Deliver: func(m Message) {
			time.Sleep(15 * time.Millisecond) // a fan-out to many sockets on a busy CPU
			mu.Lock()
			got = append(got, m.Seq)
			mu.Unlock()
		},
		Skip: func(upTo uint64) {
			mu.Lock()
			skipped = append(skipped, upTo)
			mu.Unlock()
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	// 150 messages at once: 2 s of delivery, well past stallAfter, and
	// more than BacklogMax behind.
	const n = 150
	for i := range n {
		publish(t, s, "lobby", fmt.Sprint(i), "ada", "x")
	}
	testkit.Eventually(t, 10*time.Second, "every message delivered", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(got)+len(skipped) > 0 && (len(got) == n || len(skipped) > 0)
	})
	mu.Lock()
	defer mu.Unlock()
	if len(skipped) > 0 {
		t.Fatalf("the backlog was handed to Skip (up to %v) after %d delivered: a slow fan-out taken for a stall", skipped, len(got))
	}
	for i := 1; i < len(got); i++ {
		if got[i] != got[i-1]+1 {
			t.Fatalf("delivered %d after %d", got[i], got[i-1])
		}
	}
}
