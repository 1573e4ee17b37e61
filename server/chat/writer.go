package chat

import (
	"context"
	"errors"
	"time"

	"github.com/coder/websocket"

	"socketlab/app/msg"
)

// errTooSlow stops a writer whose socket the hub found too slow: the writer
// then closes it with 4008.
var errTooSlow = errors.New("chat: closed as too slow")

// runWriter is the socket's writer while its queue is not empty. It writes
// queued frames in order, serves joins (history, then live), and closes
// the socket with 4008 when the hub found its queue full. It stops when
// the queue is empty; the next push starts another.
func (h *Handler) runWriter(ctx context.Context, c *client) {
	if d := h.opts.WriteDelay; d > 0 {
		// What else the room says meanwhile joins this write. The wait
		// is a bounded pause of this socket's writer alone: the queue
		// keeps taking frames (the overflow rules still apply) and no
		// other socket waits for it. A socket that ends meanwhile ends
		// the wait (its context), so its close is not held up.
		t := time.NewTimer(d)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
		}
	}
	for {
		batch, ok := c.next()
		if !ok {
			return
		}
		err := errTooSlow
		if !c.isKicked() {
			err = h.writeBatch(ctx, c, batch)
		}
		if err == nil {
			continue
		}
		// Stop taking frames first: nothing queued from now on can be
		// written, and a full queue must not count as a slow reader.
		c.fail()
		if errors.Is(err, errTooSlow) {
			h.closeTooSlow(c)
		} else if ctx.Err() == nil {
			// A socket that cannot be written to is of no use: cut it, so
			// that its reader ends too.
			c.conn.Log().Debug("chat: writer stopped", "err", err)
			c.conn.CloseNow()
		}
		return
	}
}

// position is where a socket's writer stands in the room it serves.
type position struct {
	room  string // the room of the last join served
	last  uint64 // the last msg seq written in room
	batch bool   // that join asked for batched frames
}

// writeBatch writes what was queued for the socket, corked: all of it goes
// out in one write system call. In a busy room a socket falls a few
// messages behind while its previous write is in flight, so the busier the
// room, the bigger the batches and the cheaper each delivery; runWriter
// has waited WriteDelay for more before the first batch. For a client
// that reads batched frames, the batch's frames also go as one WebSocket
// frame (joiner), as the classic chat's writer does: one frame to write
// and one for the client to read, however many envelopes.
func (h *Handler) writeBatch(ctx context.Context, c *client, batch []*out) error {
	if h.opts.beforeWrite != nil {
		h.opts.beforeWrite()
	}
	// The batch's writes only copy bytes and run without a context: the
	// network write at Uncork has the cork's deadline, and a handler that
	// ends meanwhile cuts the socket (sendQueue.stop).
	c.conn.Cork(h.opts.WriteTimeout)
	j := joiner{write: func(b []byte) error { return h.writeCorked(c, b) }}
	defer j.release()
	var err error
	for _, o := range batch {
		if c.isKicked() {
			err = errTooSlow
			break
		}
		if o.join == nil && o.resync == 0 {
			frame, live := c.pos.live(o)
			switch {
			case !live:
			case c.pos.batch:
				err = j.add(frame)
			default:
				err = h.writeCorked(c, frame)
			}
			if err != nil {
				break
			}
			continue
		}
		// A join or a resync writes frames of its own: what was joined so
		// far goes first.
		if err = j.flush(); err != nil {
			break
		}
		if o.join != nil {
			// A join's catch-up waits on the store between its writes.
			// It runs uncorked: corked, the pings, pongs and closes that
			// other goroutines write meanwhile would wait on the store
			// too, and a slow store would look like a dead peer.
			if err = c.conn.Uncork(); err != nil {
				break
			}
			err = h.writeOut(ctx, c, o, &c.pos)
			c.conn.Cork(h.opts.WriteTimeout)
		} else {
			err = h.writeOut(ctx, c, o, &c.pos)
		}
		if err != nil {
			break
		}
	}
	if err == nil {
		err = j.flush()
	}
	if uerr := c.conn.Uncork(); err == nil {
		err = uerr
	}
	return err
}

// writeOut serves a queued item that writes frames of its own: a join's
// catch-up, or a resync after a stall of the feed.
func (h *Handler) writeOut(ctx context.Context, c *client, o *out, st *position) error {
	if o.resync != 0 {
		return h.resync(ctx, c, o.resync, st)
	}
	if o.join != nil {
		last, err := h.catchUp(ctx, c, o.join)
		if err != nil {
			if !errors.Is(err, errTooSlow) && ctx.Err() == nil {
				c.conn.Log().Warn("chat: history", "room", o.join.room, "err", err)
				c.conn.Close(websocket.StatusTryAgainLater, "chat history unavailable: reconnect")
			}
			return err
		}
		st.room, st.last, st.batch = o.join.room, last, o.join.batch
	}
	return nil
}

// live returns the frame of o, a queued frame, unless it is a message the
// socket must not get: one for a room left since, or one the join's
// history already delivered. A message it returns counts as written.
func (st *position) live(o *out) ([]byte, bool) {
	if o.seq != 0 {
		if o.room != st.room || o.seq <= st.last {
			return nil, false
		}
		st.last = o.seq
	}
	return o.frame, true
}

// writeCorked writes one frame inside writeBatch, corked, where a write
// copies bytes, hence no context: the network write of the batch, at
// Uncork or when it passes 64 KiB, has the cork's own deadline.
func (h *Handler) writeCorked(c *client, frame []byte) error {
	return c.conn.Write(context.Background(), websocket.MessageText, frame)
}

// writeNow writes one frame to the network, uncorked, within WriteTimeout.
func (h *Handler) writeNow(ctx context.Context, c *client, frame []byte) error {
	wctx, cancel := context.WithTimeout(ctx, h.opts.WriteTimeout)
	defer cancel()
	return c.conn.Write(wctx, websocket.MessageText, frame)
}

func (h *Handler) closeTooSlow(c *client) {
	c.conn.Close(websocket.StatusCode(msg.CloseTooSlow), msg.CloseTooSlowReason)
}
