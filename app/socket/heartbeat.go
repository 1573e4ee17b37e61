package socket

import (
	"context"
	"time"
)

// heartbeat queues Ping every PingEvery and cuts a socket that stayed
// silent past DeadAfter.
func (c *Conn) heartbeat(ctx context.Context, ws transport) {
	t := time.NewTicker(c.opts.PingEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if time.Since(time.Unix(0, c.lastRecv.Load())) > c.opts.DeadAfter {
			c.frame(Frame{Dir: Event, Data: "heartbeat: no answer for " + c.opts.DeadAfter.String()})
			// Closing the socket makes the read loop return; Abort does
			// not wait for a peer that is not answering anyway.
			c.dead.Store(true)
			ws.Abort()
			return
		}
		// A full queue drops this ping: the next tick sends another, and
		// silence is judged by what arrives, not by what was sent.
		c.Send(c.opts.Ping)
	}
}
