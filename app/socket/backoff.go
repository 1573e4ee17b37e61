package socket

import (
	"math/rand/v2"
	"time"
)

// Backoff computes the wait before each reconnect attempt: exponential from
// Min to Max, with "equal jitter" — half the delay fixed, half random — so
// that a thousand clients cut off by the same server restart do not all come
// back in the same millisecond, yet none retries with no wait at all.
type Backoff struct {
	Min, Max time.Duration // defaults 250ms and 10s
}

// Delay returns the wait before retry number attempt (0 for the first).
func (b Backoff) Delay(attempt int) time.Duration {
	lo, hi := b.Min, b.Max
	if lo <= 0 {
		lo = 250 * time.Millisecond
	}
	if hi < lo {
		hi = max(lo, 10*time.Second)
	}
	d := lo
	for i := 0; i < attempt && d < hi; i++ {
		d *= 2
	}
	d = min(d, hi)
	return d/2 + rand.N(d/2+1)
}
