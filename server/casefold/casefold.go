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
// Its page is app/ui/casefold.go.
package casefold

import (
	"context"
	"errors"
	"net/http"
	"unicode/utf8"

	"github.com/coder/websocket"

	"socketlab/app/msg"
	"socketlab/server/conns"
)

// Handler answers each text message with its case folding.
type Handler struct {
	Conns *conns.Registry
	// ReadLimit is the largest message accepted; msg.CasefoldReadLimit when
	// zero.
	ReadLimit int64
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
	c.Finish(serve(r.Context(), c))
}

// errClosed reports that serve closed the socket itself after a bad frame.
var errClosed = errors.New("casefold: closed after a bad frame")

func serve(ctx context.Context, c *conns.Conn) error {
	var f Folder
	var out []byte
	for {
		typ, in, err := c.Read(ctx)
		if err != nil {
			return err
		}
		if typ != websocket.MessageText {
			c.Close(websocket.StatusUnsupportedData, "casefold takes text frames only")
			return errClosed
		}
		// RFC 6455 requires text frames to be UTF-8; coder/websocket leaves
		// the check to us. The whole message is checked after reassembly, so
		// a character split across fragments is fine.
		if !utf8.Valid(in) {
			c.Close(websocket.StatusInvalidFramePayloadData, "text is not valid UTF-8")
			return errClosed
		}
		out = f.Append(out[:0], in)
		if err := c.Write(ctx, websocket.MessageText, out); err != nil {
			return err
		}
	}
}
