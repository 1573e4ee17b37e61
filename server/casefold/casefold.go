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
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"unicode/utf8"

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
	// Rate bounds the messages per second one connection may send, with
	// bursts of twice that; over it the socket is closed with 1008 (policy
	// violation). The protocol is plain text, so there is no error message
	// to send instead. Zero means no limit.
	Rate rate.Limit
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
	var lim *rate.Limiter
	if h.Rate > 0 {
		lim = rate.NewLimiter(h.Rate, max(1, int(2*h.Rate)))
	}
	c.Finish(h.serve(r.Context(), c, lim))
}

// errClosed reports that serve closed the socket itself after a bad frame.
var errClosed = errors.New("casefold: closed after a bad frame")

func (h *Handler) serve(ctx context.Context, c *conns.Conn, lim *rate.Limiter) error {
	// One input buffer, one output buffer and one folder per connection:
	// the reply path allocates nothing per message once they have grown.
	var f Folder
	var buf bytes.Buffer
	var out []byte
	for {
		typ, err := c.ReadInto(ctx, &buf)
		if err != nil {
			return err
		}
		in := buf.Bytes()
		if lim != nil && !lim.Allow() {
			h.Metrics.Drop(msg.CasefoldPath, "rate")
			c.Close(websocket.StatusPolicyViolation, fmt.Sprintf("rate limit: over %g messages a second", float64(lim.Limit())))
			return errClosed
		}
		if typ != websocket.MessageText {
			h.Metrics.Drop(msg.CasefoldPath, "binary")
			c.Close(websocket.StatusUnsupportedData, "casefold takes text frames only")
			return errClosed
		}
		// RFC 6455 requires text frames to be UTF-8; coder/websocket leaves
		// the check to us. The whole message is checked after reassembly, so
		// a character split across fragments is fine.
		if !utf8.Valid(in) {
			h.Metrics.Drop(msg.CasefoldPath, "invalid_utf8")
			c.Close(websocket.StatusInvalidFramePayloadData, "text is not valid UTF-8")
			return errClosed
		}
		out = f.Append(out[:0], in)
		if err := c.Write(ctx, websocket.MessageText, out); err != nil {
			return err
		}
	}
}
