package socket

import (
	"fmt"

	"socketlab/app/msg"
)

// Close closes the socket with 1000 and stops Run. It does not wait for Run
// to return; what is still queued is not sent.
func (c *Conn) Close() { c.CloseWith(msg.CloseNormal, "closed by client") }

// CloseWith closes the socket with code and reason and stops Run, like
// Close. What a browser may not send (msg.ValidClientClose) is refused
// here with an error rather than thrown by the browser's WebSocket.close.
func (c *Conn) CloseWith(code msg.CloseCode, reason string) error {
	if err := msg.ValidClientClose(code, reason); err != nil {
		return fmt.Errorf("socket: %w", err)
	}
	c.mu.Lock()
	c.stopped = true
	c.queue = nil
	ws, stop := c.ws, c.stop
	c.mu.Unlock()
	if ws != nil {
		// Close waits (bounded) for the server's close frame; do it in the
		// background so a UI calling Close is never blocked.
		go ws.Close(code, reason)
	}
	if stop != nil && ws == nil {
		stop()
	}
	return nil
}
