package plot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"

	"socketlab/app/msg"
	"socketlab/server/conns"
)

// Handler serves /ws/plot: the history on connect, then one batch per
// request (see app/msg/plot.go for the exchange).
type Handler struct {
	Conns *conns.Registry
	Store *Store
	// Wait is how long a request is held when there is nothing new;
	// msg.PlotWait when zero.
	Wait time.Duration
}

// errClosed reports that the handler closed the socket itself.
var errClosed = errors.New("plot: closed by the server")

// ServeHTTP upgrades the request and streams until the client leaves.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c, err := h.Conns.Accept(w, r, msg.PlotPath, conns.Options{ReadLimit: msg.PlotRequestLimit})
	if err != nil {
		return
	}
	// Served in a goroutine of its own, and ServeHTTP returns: an idle
	// page's socket then keeps two small goroutines, not net/http's deep
	// connection goroutine. The request context ends as ServeHTTP
	// returns; what ends the socket is its closing (serve's own context
	// ends with its reader).
	go func() { c.Finish(h.serve(context.WithoutCancel(r.Context()), c)) }()
}

// requests counts the requests a client has sent and the handler has not
// answered yet. The reader adds, the handler takes; poke wakes the handler.
type requests struct {
	pending atomic.Int64
	poke    chan struct{}
}

func (q *requests) add() int64 {
	n := q.pending.Add(1)
	select {
	case q.poke <- struct{}{}:
	default:
	}
	return n
}

func (h *Handler) serve(ctx context.Context, c *conns.Conn) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	q := &requests{poke: make(chan struct{}, 1)}
	// The reader runs beside the handler so that close frames, pongs and
	// requests are read while the handler waits for points: coder/websocket
	// only processes control frames inside a Read.
	go func() { cancel(h.read(ctx, c, q)) }()

	// Dead TCP connections are found by the registry's keepalive pings
	// (server/conns), which the reader goroutine answers.
	wait := h.Wait
	if wait <= 0 {
		wait = msg.PlotWait
	}

	var cur Cursor
	m, _ := h.Store.Next(&cur)
	if err := write(ctx, c, m); err != nil {
		return err
	}
	for {
		// Wait for a request. A client that never asks sits here: no
		// points are read, copied or queued for it.
		for q.pending.Load() == 0 {
			select {
			case <-q.poke:
			case <-ctx.Done():
				return context.Cause(ctx)
			}
		}
		q.pending.Add(-1)

		m, err := h.awaitNews(ctx, &cur, wait)
		if err != nil {
			return err
		}
		if err := write(ctx, c, m); err != nil {
			return err
		}
	}
}

// awaitNews returns the next batch for cur, waiting up to wait for one; an
// empty batch when none came.
func (h *Handler) awaitNews(ctx context.Context, cur *Cursor, wait time.Duration) (msg.PlotMessage, error) {
	timer := time.NewTimer(wait)
	defer timer.Stop()
	for {
		m, changed := h.Store.Next(cur)
		if changed == nil {
			return m, nil
		}
		select {
		case <-changed:
		case <-timer.C:
			return m, nil // empty: the heartbeat
		case <-ctx.Done():
			return m, context.Cause(ctx)
		}
	}
}

// read takes the client's messages until the connection ends. Each
// request is counted; a message that is not a request gets an error
// message and the connection stays up.
func (h *Handler) read(ctx context.Context, c *conns.Conn, q *requests) error {
	// The read's context is never cancelled: a cancellable one would make
	// the library watch it for every read, on every idle socket. What
	// ends the read is the socket closing.
	read := context.WithoutCancel(ctx)
	for {
		// A page waiting for its batch waits here, where its stack can
		// shrink.
		if err := c.WaitReadable(); err != nil {
			return err
		}
		typ, data, err := c.Read(read)
		if err != nil {
			return err
		}
		if typ != websocket.MessageText {
			c.Close(websocket.StatusUnsupportedData, "plot takes text frames only")
			return errClosed
		}
		if err := msg.ParsePlotRequest(data); err != nil {
			e := msg.PlotMessage{Type: msg.PlotError, Error: err.Error()}
			if err := write(ctx, c, e); err != nil {
				return err
			}
			continue
		}
		if q.add() > msg.PlotMaxInFlight {
			c.Close(websocket.StatusPolicyViolation, "too many requests in flight")
			return errClosed
		}
	}
}

func write(ctx context.Context, c *conns.Conn, m msg.PlotMessage) error {
	b, err := json.Marshal(m)
	if err != nil {
		return fmt.Errorf("plot: encode %s: %w", m.Type, err)
	}
	return c.Write(ctx, websocket.MessageText, b)
}
