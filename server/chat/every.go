package chat

import (
	"context"
	"time"
)

// every calls f with the tick's time every d until ctx ends: the loop of
// the chat's housekeepers (the bucket's sweep of silent replicas, the
// prune of expired nick holds), which own no other state of their own.
func every(ctx context.Context, d time.Duration, f func(now time.Time)) {
	t := time.NewTicker(d)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-t.C:
			f(now)
		}
	}
}
