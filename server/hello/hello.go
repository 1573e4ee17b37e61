// Package hello serves the hello lab on /ws/hello: the smallest possible
// server push. The server speaks first and the client never writes; the lab
// shows that a WebSocket is a two-way pipe the server can use on its own, and
// what a clean close handshake (1000) looks like from the browser.
//
// Read it first: it is the whole accept → write → close life cycle in one
// function. Its page is app/ui/hello.go.
package hello

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/coder/websocket"

	"socketlab/app/msg"
	"socketlab/server/conns"
)

// Handler pushes msg.HelloFirst, then msg.HelloSecond after Delay, then
// closes with 1000.
type Handler struct {
	Conns *conns.Registry
	// Delay between the two messages; msg.HelloDelay when zero.
	Delay time.Duration
}

// ServeHTTP upgrades the request and runs the push.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c, err := h.Conns.Accept(w, r, msg.HelloPath, conns.Options{ReadLimit: 1 << 10})
	if err != nil {
		return
	}
	err = h.push(r.Context(), c)
	c.Finish(err)
}

func (h *Handler) push(ctx context.Context, c *conns.Conn) error {
	// The client has nothing to say, but someone must read: reading is what
	// answers pings and the close handshake. Anything that arrives is a
	// violation (1008); the read ending for any reason ends the push.
	// (websocket.Conn.CloseRead does the same, but its own 1008 close waits
	// on itself for the peer's answer and holds the handler for seconds.)
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	go func() {
		_, _, err := c.Read(ctx)
		if err == nil {
			c.Close(websocket.StatusPolicyViolation, "the hello lab reads nothing")
			err = errors.New("hello: client sent data")
		}
		cancel(err)
	}()
	delay := h.Delay
	if delay == 0 {
		delay = msg.HelloDelay
	}
	if err := c.Write(ctx, websocket.MessageText, []byte(msg.HelloFirst)); err != nil {
		return err
	}
	t := time.NewTimer(delay)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
		return context.Cause(ctx)
	}
	if err := c.Write(ctx, websocket.MessageText, []byte(msg.HelloSecond)); err != nil {
		return err
	}
	return c.Close(websocket.StatusNormalClosure, msg.HelloCloseReason)
}
