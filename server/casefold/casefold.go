// Package casefold serves the casefold lab on /ws/casefold: request/reply
// over one socket. Each text frame in gets exactly one text frame out, the
// full Unicode case folding of the input — byte for byte what Python's
// str.casefold returns, which the tests check against Python itself.
//
// The protocol is plain text so that the classic asyncio demo client, or any
// stock WebSocket client, works unchanged. What a plain-text protocol still
// has to police is policed here: a binary frame is closed with 1003, invalid
// UTF-8 with 1007 (the WebSocket library does not check it), a message over
// the read limit with 1009.
//
// The rate limit shapes rather than kills (pace.go): the reader takes the
// next message only when the connection's budget allows, so a client
// over the rate is slowed by TCP back-pressure, and a client that waits
// for each answer is never closed, however fast it asks. Only a client
// that keeps pushing — its next message already waiting at every turn —
// for longer than FloodGrace is closed with 1008.
//
// Its page is app/ui/casefold.go.
package casefold

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/coder/websocket"
	"golang.org/x/time/rate"

	"socketlab/app/msg"
	"socketlab/server/conns"
	"socketlab/server/metrics"
)

// Handler answers each text message with its case folding.
type Handler struct {
	Conns *conns.Registry
	// ReadLimit is the largest message accepted; msg.CasefoldReadLimit when
	// zero.
	ReadLimit int64
	// Rate bounds the messages per second one connection is served, with
	// bursts of twice that: the reader is paced to it. Zero means no limit.
	Rate rate.Limit
	// FloodGrace is how long a client may keep pushing over Rate (its next
	// message waiting each time the reader is held back) before it is
	// closed with 1008 (policy violation); msg.CasefoldFloodGrace when
	// zero. The protocol is plain text, so there is no error message to
	// send instead.
	FloodGrace time.Duration
	// Metrics counts drops by reason; may be nil.
	Metrics *metrics.Metrics
}

// ServeHTTP upgrades the request and serves it until the client leaves.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	limit := h.ReadLimit
	if limit == 0 {
		limit = msg.CasefoldReadLimit
	}
	c, err := h.Conns.Accept(w, r, msg.CasefoldPath, conns.Options{ReadLimit: limit})
	if err != nil {
		return
	}
	var p *pacer
	if h.Rate > 0 {
		grace := h.FloodGrace
		if grace == 0 {
			grace = msg.CasefoldFloodGrace
		}
		p = newPacer(h.Rate, grace)
	}
	// The socket is served in a goroutine of its own and ServeHTTP
	// returns: net/http's connection goroutine, deep in its own frames,
	// would otherwise be what every idle socket keeps. Its request context
	// ends as ServeHTTP returns; what ends the socket is its closing.
	go func() { c.Finish(h.serve(context.WithoutCancel(r.Context()), c, p)) }()
}

// buffers are a socket's working memory: its input, its output and its
// folder. A socket holds them only while it handles a message (bufPool):
// ten thousand idle sockets hold none.
type buffers struct {
	in  bytes.Buffer
	out []byte
	f   Folder
}

// bufPool recycles buffers between sockets and messages.
var bufPool = sync.Pool{New: func() any { return new(buffers) }}

// maxPooled bounds the buffers kept for reuse: one huge message must not
// pin its memory in the pool.
const maxPooled = 64 << 10

// errClosed reports that serve closed the socket itself after a bad frame.
var errClosed = errors.New("casefold: closed after a bad frame")

func (h *Handler) serve(ctx context.Context, c *conns.Conn, p *pacer) error {
	for {
		// Idle sockets wait here, with a small stack and no buffers.
		if err := c.WaitReadable(); err != nil {
			return err
		}
		if err := h.one(ctx, c, p); err != nil {
			return err
		}
	}
}

// one reads one message and answers it. The buffers come from the pool
// for the message and go back after it: the reply path allocates nothing
// per message once the pool has buffers of the working size. It is apart
// from serve, and not inlined, so that its frame is on the stack only
// while a message is handled: the smaller an idle socket's stack, the
// smaller Go shrinks it.
//
//go:noinline
func (h *Handler) one(ctx context.Context, c *conns.Conn, p *pacer) error {
	if p != nil {
		flood, err := p.wait(ctx, c)
		if err != nil {
			return err
		}
		if flood {
			h.Metrics.Drop(msg.CasefoldPath, "rate")
			c.Close(websocket.StatusPolicyViolation, fmt.Sprintf("rate limit: over %g messages a second for %s", float64(p.lim.Limit()), p.grace))
			return errClosed
		}
	}
	b := bufPool.Get().(*buffers)
	defer func() {
		if b.in.Cap() <= maxPooled && cap(b.out) <= maxPooled {
			bufPool.Put(b)
		}
	}()
	typ, err := c.ReadInto(ctx, &b.in)
	if err != nil {
		return err
	}
	in := b.in.Bytes()
	if p != nil {
		p.read(len(in))
	}
	if typ != websocket.MessageText {
		h.Metrics.Drop(msg.CasefoldPath, "binary")
		c.Close(websocket.StatusUnsupportedData, "casefold takes text frames only")
		return errClosed
	}
	// RFC 6455 requires text frames to be UTF-8; coder/websocket leaves
	// the check to us, and the connection does it (ReadInto) as the
	// frames arrive: invalid text never gets here.
	b.out = b.f.Append(b.out[:0], in)
	return c.Write(ctx, websocket.MessageText, b.out)
}
