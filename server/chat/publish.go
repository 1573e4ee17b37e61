package chat

import (
	"context"
	"sync"
	"time"

	"socketlab/app/msg"
)

// maxPubQueue bounds the says a socket may have waiting for the store.
// The rate limit keeps it short (a burst of 20, then 5 a second); a store
// slower than that for long answers the excess with unavailable, which
// the page resends.
const maxPubQueue = 64

// pubReq is one say to store, or (reply set) an answer to a later frame
// that must not overtake the says before it.
type pubReq struct {
	room, id, nick, text string
	reply                *out
}

// pubQueue holds a socket's says on their way to the store, in order, and
// runs one publisher goroutine while it holds any.
//
// Why not publish in the read loop: a publish can be slow (a store under
// load, a NATS reconnect: up to its 5 s timeout), and frames that arrive
// meanwhile would wait in TCP and then be read — and counted against the
// rate limit — all at once, so a client well within 5 a second would get
// rate_limited for the server's own slowness. With the store's wait here,
// the loop reads each frame when it arrives and counts it then.
type pubQueue struct {
	mu      sync.Mutex
	idle    *sync.Cond
	q       []pubReq
	running bool
}

// add queues r and starts the publisher (start) if none runs; false when
// the queue is full.
func (p *pubQueue) add(r pubReq, start func()) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.q) >= maxPubQueue {
		return false
	}
	p.q = append(p.q, r)
	if !p.running {
		p.running = true
		go start()
	}
	return true
}

// addReply queues o behind the says waiting, if there are any, and
// reports whether it did (otherwise the caller pushes it at once).
func (p *pubQueue) addReply(o *out) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.running || len(p.q) >= maxPubQueue {
		return false
	}
	p.q = append(p.q, pubReq{reply: o})
	return true
}

// next returns the next say, or false (and the publisher stops) when
// there is none.
func (p *pubQueue) next() (pubReq, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.q) == 0 {
		p.running = false
		if p.idle != nil {
			p.idle.Broadcast()
		}
		return pubReq{}, false
	}
	r := p.q[0]
	p.q = p.q[1:]
	if len(p.q) == 0 {
		p.q = nil
	}
	return r, true
}

// finish drops the says not yet started — unacked, so the page sends
// them again — and returns once the one in flight, if any, is done.
func (p *pubQueue) finish() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.q = nil
	if p.idle == nil {
		p.idle = sync.NewCond(&p.mu)
	}
	for p.running {
		p.idle.Wait()
	}
}

// runPublisher stores c's queued says in order and acks each.
func (h *Handler) runPublisher(ctx context.Context, c *client) {
	for {
		r, ok := c.pubs.next()
		if !ok {
			return
		}
		if r.reply != nil {
			c.push(r.reply)
			continue
		}
		if h.opts.beforePublish != nil {
			h.opts.beforePublish() // a slow store, in tests
		}
		pctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		seq, dup, err := h.store.Publish(pctx, r.room, r.id, r.nick, r.text)
		cancel()
		if err != nil {
			c.conn.Log().Warn("chat: publish", "err", err)
			h.conns.Metrics.Drop(msg.ChatPath, msg.ErrUnavailable)
			e := &msg.ChatErr{Code: msg.ErrUnavailable, ID: r.id, Room: r.room,
				Detail: "sending is unavailable: the message store cannot be reached; it will be sent again"}
			c.push(&out{frame: encode(e.Envelope())})
			continue
		}
		if dup {
			h.hub.counters.duplicates.Inc()
		} else {
			h.hub.counters.published.Inc()
		}
		c.push(&out{frame: encode(msg.Chat{Type: msg.ChatAck, Room: r.room, ID: r.id, Seq: seq})})
	}
}
