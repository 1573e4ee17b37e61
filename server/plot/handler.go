package plot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
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

// ServeHTTP upgrades the request, sends the history and leaves the socket
// to its reader.
//
// An idle page's socket holds one goroutine, its reader, parked in the
// poller until the page sends something; the request it holds for news
// is a timer and an entry in the store (answer.go), not a goroutine.
// ServeHTTP returns, so net/http's deep connection goroutine is not kept
// either. (Its request context ends as ServeHTTP returns; what ends the
// socket is its closing.)
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c, err := h.Conns.Accept(w, r, msg.PlotPath, conns.Options{ReadLimit: msg.PlotRequestLimit})
	if err != nil {
		return
	}
	wait := h.Wait
	if wait <= 0 {
		wait = msg.PlotWait
	}
	ctx := context.WithoutCancel(r.Context())
	s := &page{store: h.Store, c: c, ctx: ctx, wait: wait}
	m, _ := h.Store.Next(&s.cur)
	if err := write(ctx, c, m); err != nil {
		c.Finish(err)
		return
	}
	// Dead TCP connections are found by the registry's keepalive pings
	// (server/conns), which the reader answers.
	go func() {
		err := h.read(ctx, c, s)
		s.end()
		c.Finish(err)
	}()
}

// read takes the client's messages until the connection ends. Each
// request is counted; a message that is not a request gets an error
// message and the connection stays up.
//
// ctx is never cancelled: a cancellable one would make the library watch
// it for every read, on every idle socket. What ends the read is the
// socket closing.
func (h *Handler) read(ctx context.Context, c *conns.Conn, s *page) error {
	for {
		// A page waiting for its batch waits here, where its stack can
		// shrink.
		typ, data, err := c.ReadParked(ctx)
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
		if s.request() > msg.PlotMaxInFlight {
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
