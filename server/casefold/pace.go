package casefold

import (
	"context"
	"time"

	"golang.org/x/time/rate"

	"socketlab/server/conns"
)

// pacer holds a connection's reader to its rate, and finds the client
// that floods.
//
// Why pace instead of refusing: a client that asks, waits for the answer
// and asks again (the classic asyncio demo, a few hundred round trips a
// second on loopback) is doing nothing wrong, yet a counter of messages
// a second would cut it. Paced, it is merely served at the rate; a
// flood is served at the rate too, and its unread messages back up in
// TCP, which slows the sender down. What tells the two apart is whether
// more than the next message is waiting when the reader is held back:
// for a flood there soon is; for a closed-loop client never (its next
// message may be, as it asks the moment an answer arrives).
type pacer struct {
	lim   *rate.Limiter
	grace time.Duration
	// pushed is how long the reader has been held back, without a turn
	// in between that was within the rate, while the client had more
	// than its next message waiting.
	pushed time.Duration
	// last is the size of the last message read, which tells one
	// message waiting from several.
	last  int
	timer *time.Timer
}

// newPacer paces to r messages a second with bursts of twice that, and
// reports a flood after grace of pushing.
func newPacer(r rate.Limit, grace time.Duration) *pacer {
	return &pacer{lim: rate.NewLimiter(r, max(1, int(2*r))), grace: grace}
}

// read records the size of a message read.
func (p *pacer) read(n int) { p.last = n }

// wait returns when the next message may be read, or reports a flood.
func (p *pacer) wait(ctx context.Context, c *conns.Conn) (flood bool, err error) {
	if p.pushed == 0 && p.lim.Allow() {
		// Within the rate: the common case, with no allocation (Reserve
		// makes one).
		return false, nil
	}
	res := p.lim.Reserve()
	d := res.Delay()
	// More than one message's worth unread (a frame header is at most
	// 14 bytes): the client is not waiting for answers. Only a turn
	// without that ends a flood's count: a turn that happens to be
	// within the rate (the reader woke late) does not.
	if q, ok := c.InputQueued(); ok && q > 2*(p.last+14) {
		p.pushed += d
		if p.pushed > p.grace {
			res.Cancel()
			return true, nil
		}
	} else {
		p.pushed = 0
	}
	if d == 0 {
		return false, nil
	}
	if p.timer == nil {
		p.timer = time.NewTimer(d)
	} else {
		p.timer.Reset(d)
	}
	select {
	case <-p.timer.C:
		return false, nil
	case <-ctx.Done():
		p.timer.Stop()
		return false, ctx.Err()
	}
}
