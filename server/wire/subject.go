package wire

import (
	"context"
	"fmt"
	"net/http"

	"github.com/coder/websocket"

	"socketlab/app/msg"
	"socketlab/server/conns"
)

// Echo serves msg.WirePath, the socket the wire lab looks at: each text or
// binary message comes back as the same type, in one frame, or in as many
// as its observer asked for. With ?deflate=1 the server accepts the
// browser's permessage-deflate offer, without context takeover both ways
// (so that the tap inflates each message alone, see inflater).
type Echo struct {
	Conns *conns.Registry
	Hub   *Hub
}

// ServeHTTP upgrades the request and echoes until the client leaves.
func (e *Echo) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	opts := conns.Options{ReadLimit: msg.WireReadLimit}
	if r.URL.Query().Get("deflate") == "1" {
		opts.Compression = websocket.CompressionNoContextTakeover
	}
	c, err := e.Conns.Accept(w, r, msg.WirePath, opts)
	if err != nil {
		return
	}
	// Served in a goroutine of its own, and ServeHTTP returns: an idle
	// echo socket then keeps its reader only, parked in WaitReadable, not
	// net/http's deep connection goroutine. The request context ends as
	// ServeHTTP returns; what ends the socket is its closing.
	sub := e.Hub.subjectOf(c)
	go func() { c.Finish(e.echo(context.WithoutCancel(r.Context()), c, sub)) }()
}

// echo answers each message; sub is nil for an untapped socket.
func (e *Echo) echo(ctx context.Context, c *conns.Conn, sub *subject) error {
	for {
		// Idle sockets wait here, where their stack can shrink.
		typ, data, err := c.ReadParked(ctx)
		if err != nil {
			return err
		}
		n := 0
		if sub != nil {
			n = int(sub.fragments.Swap(0))
		}
		if n < 2 {
			err = c.Write(ctx, typ, data)
		} else {
			err = e.fragmented(ctx, c, sub, typ, data, n)
		}
		if err != nil {
			return err
		}
	}
}

// deflateThreshold is the size from which coder/websocket compresses a
// message when context takeover is off (its default).
const deflateThreshold = 512

// fragmented sends data in n frames: n-1 pieces, then the empty final
// frame with which the library ends a streamed message (its Writer makes
// one frame per Write, and one more at Close).
func (e *Echo) fragmented(ctx context.Context, c *conns.Conn, sub *subject, typ websocket.MessageType, data []byte, n int) error {
	pieces := split(data, n-1)
	if sub.deflate && len(pieces[0]) >= deflateThreshold {
		// The library compresses a streamed message whose first piece
		// crosses its threshold and then cuts frames where its compressor
		// flushes: n could not be kept.
		sub.session.push(msg.WireEvent{Type: msg.WireError, Detail: fmt.Sprintf(
			"fragments: with permessage-deflate, a message whose pieces are %d bytes or more is compressed and framed by the library itself; this echo went out whole", deflateThreshold)})
		return c.Write(ctx, typ, data)
	}
	w, err := c.Writer(ctx, typ)
	if err != nil {
		return fmt.Errorf("wire: fragments: %w", err)
	}
	for _, p := range pieces {
		if _, err := w.Write(p); err != nil {
			return fmt.Errorf("wire: fragments: %w", err)
		}
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("wire: fragments: %w", err)
	}
	return nil
}

// split cuts data into n pieces as equal as can be (some may be empty).
func split(data []byte, n int) [][]byte {
	out := make([][]byte, n)
	for i := range n {
		out[i] = data[len(data)*i/n : len(data)*(i+1)/n]
	}
	return out
}
