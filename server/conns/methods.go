package conns

import (
	"context"
	"io"

	"github.com/coder/websocket"
)

// What a handler may do with its socket beyond Read, ReadInto, Write, Close
// and Finish (conn.go), Cork and Uncork, WaitReadable: each goes through
// the connection, so that what it sends is counted like any other message.

// Writer returns a writer for one message sent in pieces: each Write is a
// frame of its own, the last one goes at Close. The message is counted
// when it is closed.
func (c *Conn) Writer(ctx context.Context, typ websocket.MessageType) (io.WriteCloser, error) {
	w, err := c.ws.Writer(ctx, typ)
	if err != nil {
		return nil, err
	}
	return &countingWriter{w: w, c: c}, nil
}

// countingWriter counts a message written in pieces once, at its Close.
type countingWriter struct {
	w io.WriteCloser
	c *Conn
	n int
}

func (w *countingWriter) Write(p []byte) (int, error) {
	n, err := w.w.Write(p)
	w.n += n
	return n, err
}

func (w *countingWriter) Close() error {
	err := w.w.Close()
	if err == nil {
		w.c.counters.Out(w.n)
	}
	return err
}

// Ping sends a ping and waits for its pong (the connection's own
// keepalive pings run apart from it).
func (c *Conn) Ping(ctx context.Context) error { return c.ws.Ping(ctx) }

// CloseNow cuts the connection without a closing handshake: for a socket
// that cannot be written to any more. A peer that can still read should
// get Close instead (see the package doc: with unread input, Linux sends
// a reset). Finish logs it as 1006 unless a close frame was sent before.
func (c *Conn) CloseNow() error { return c.ws.CloseNow() }
