package natsstore

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"socketlab/internal/testkit"
)

// TestReplicasShareOneStream is the scale-out shape: two Stores on one
// external NATS (here a real server on a loopback port of its own), each
// following the stream. Whatever either publishes, both see, in one order.
func TestReplicasShareOneStream(t *testing.T) {
	ns := testkit.JetStream(t)
	a := open(t, Options{URL: ns.ClientURL()})
	b := open(t, Options{URL: ns.ClientURL()})

	var mu sync.Mutex
	seen := map[string][]uint64{}
	for name, s := range map[string]*Store{"a": a, "b": b} {
		stop, err := s.Follow(func(m Message) {
			mu.Lock()
			seen[name] = append(seen[name], m.Seq)
			mu.Unlock()
		})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(stop)
	}
	var wg sync.WaitGroup
	for name, s := range map[string]*Store{"a": a, "b": b} {
		wg.Go(func() {
			for i := range 25 {
				publish(t, s, "lobby", fmt.Sprint(name, i), name, "hi")
			}
		})
	}
	wg.Wait()
	testkit.Eventually(t, 10*time.Second, "both replicas to see 50 messages", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(seen["a"]) == 50 && len(seen["b"]) == 50
	})
	mu.Lock()
	defer mu.Unlock()
	for i := range 50 {
		if seen["a"][i] != seen["b"][i] || (i > 0 && seen["a"][i] <= seen["a"][i-1]) {
			t.Fatalf("replicas disagree at %d: %v vs %v", i, seen["a"], seen["b"])
		}
	}
}
