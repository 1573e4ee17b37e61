// Package hello serves the hello lab on /ws/hello: the smallest possible
// server push. The server speaks first and the client never writes; the lab
// shows that a WebSocket is a two-way pipe the server can use on its own, and
// what a clean close handshake (1000) looks like from the browser.
//
// Read it first: it is the whole accept → write → close life cycle in one
// short file (ServeHTTP, the timer of the second push, and the reader
// beside them). Its page is app/ui/hello.go.
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
//
// Between the two messages the socket holds one goroutine, its reader,
// parked until the peer sends something, and a timer for the second push:
// ServeHTTP returns once the first is out, so net/http's deep connection
// goroutine is not what the pause keeps, and no goroutine sleeps through
// it. (Its request context ends as ServeHTTP returns; what ends the socket
// is its closing.)
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c, err := h.Conns.Accept(w, r, msg.HelloPath, conns.Options{ReadLimit: 1 << 10})
	if err != nil {
		return
	}
	ctx := context.WithoutCancel(r.Context())
	if err := c.Write(ctx, websocket.MessageText, []byte(msg.HelloFirst)); err != nil {
		c.Finish(err)
		return
	}
	delay := h.Delay
	if delay == 0 {
		delay = msg.HelloDelay
	}
	second := time.AfterFunc(delay, func() {
		// A failed write has closed the connection, which ends the read.
		if err := c.Write(ctx, websocket.MessageText, []byte(msg.HelloSecond)); err == nil {
			c.Close(websocket.StatusNormalClosure, msg.HelloCloseReason)
		}
	})
	go func() {
		err := readNothing(ctx, c)
		second.Stop()
		c.Finish(err)
	}()
}

// readNothing reads until the socket ends. The client has nothing to say,
// but someone must read: reading is what answers pings and the close
// handshake. Anything that arrives is a violation (1008).
// (websocket.Conn.CloseRead does the same, but its own 1008 close waits on
// itself for the peer's answer and holds the handler for seconds.)
func readNothing(ctx context.Context, c *conns.Conn) error {
	if err := c.WaitReadable(); err != nil {
		return err
	}
	if _, _, err := c.Read(ctx); err != nil {
		return err
	}
	c.Close(websocket.StatusPolicyViolation, "the hello lab reads nothing")
	return errors.New("hello: client sent data")
}
