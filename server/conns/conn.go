package conns

import (
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/coder/websocket"
)

// Conn is an accepted WebSocket with the bookkeeping the registry needs.
// Use the embedded *websocket.Conn for reads and writes; use Conn.Close
// (not the embedded one) so that the close code is logged.
type Conn struct {
	*websocket.Conn
	// ID identifies the connection in logs; unique within the process.
	ID string
	// Endpoint is the socket path this connection was accepted on.
	Endpoint string

	reg   *Registry
	log   *slog.Logger
	start time.Time

	mu         sync.Mutex
	sentCode   websocket.StatusCode
	sentReason string
	finished   bool
}

// Log returns the connection's logger, which tags every line with the
// connection id and endpoint.
func (c *Conn) Log() *slog.Logger { return c.log }

// Close sends a close frame with code and reason and waits (bounded) for the
// peer's answer. The first code sent is the one logged by Finish.
func (c *Conn) Close(code websocket.StatusCode, reason string) error {
	c.mu.Lock()
	if c.sentCode == 0 {
		c.sentCode, c.sentReason = code, reason
	}
	c.mu.Unlock()
	return c.Conn.Close(code, reason)
}

// Finish releases the connection and logs its close: the code this side
// sent, or else the peer's code, or 1006 when the TCP connection simply
// dropped. err is the error that ended the handler's read or write loop (nil
// if the handler closed the socket itself). Finish is idempotent.
func (c *Conn) Finish(err error) {
	c.mu.Lock()
	if c.finished {
		c.mu.Unlock()
		return
	}
	c.finished = true
	code, reason, by := c.sentCode, c.sentReason, "server"
	c.mu.Unlock()

	switch {
	case code != 0:
	case errors.Is(err, websocket.ErrMessageTooBig):
		// The library sends 1009 itself when the read limit is hit.
		code, reason = websocket.StatusMessageTooBig, "message too big"
	case websocket.CloseStatus(err) != -1:
		var ce websocket.CloseError
		errors.As(err, &ce)
		code, reason, by = ce.Code, ce.Reason, "client"
	default:
		code, by = websocket.StatusAbnormalClosure, "network"
	}
	c.Conn.CloseNow()
	c.reg.remove(c)
	attrs := []any{"code", int(code), "reason", reason, "by", by,
		"duration", time.Since(c.start).Round(time.Millisecond)}
	if err != nil && by == "network" {
		attrs = append(attrs, "err", err)
	}
	c.log.Info("ws close", attrs...)
}
