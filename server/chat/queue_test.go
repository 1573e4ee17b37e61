package chat

import "testing"

// A queue whose socket takes every byte grows past maxQueue (the backlog
// is the server's), up to overloadQueue × maxQueue; one whose peer holds
// the writes back is full at maxQueue.
func TestQueueFullOnlyWhenThePeerIsSlow(t *testing.T) {
	for _, tc := range []struct {
		name    string
		blocked bool
		takes   int // pushes accepted before the kick
	}{
		{"peer keeps up: the server's own backlog", false, 64 * overloadQueue},
		{"peer holds the writes back", true, 64},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var q sendQueue
			kicks := 0
			q.init(64, func() { kicks++ })
			polls := 0
			q.blocked = func() bool { polls++; return tc.blocked }
			// No writer: nothing drains, as when writers get no CPU.
			for i := range tc.takes {
				if !q.push(&out{frame: []byte("m")}) {
					t.Fatalf("push %d refused, want %d accepted", i, tc.takes)
				}
			}
			if kicks != 0 {
				t.Fatalf("kicked after %d pushes", tc.takes)
			}
			if q.push(&out{frame: []byte("one more")}) || kicks != 1 || !q.isKicked() {
				t.Fatalf("push %d: accepted (kicks %d), want the socket closed as too slow", tc.takes+1, kicks)
			}
			if !tc.blocked && polls > tc.takes/4 {
				t.Errorf("%d polls of the socket for %d pushes: the check is not spaced out", polls, tc.takes)
			}
		})
	}
}

// Without a way to tell (TLS, a tapped socket), a full queue is a slow
// peer, as before.
func TestQueueWithoutBlockedIsFullAtMaxQueue(t *testing.T) {
	var q sendQueue
	q.init(4, nil)
	for range 4 {
		q.push(&out{})
	}
	if q.push(&out{}) || !q.isKicked() {
		t.Fatal("a fifth push into a queue of 4 with no blocked check was accepted")
	}
}
