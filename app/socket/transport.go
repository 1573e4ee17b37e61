package socket

import (
	"context"
	"fmt"

	"socketlab/app/msg"
)

// transport is one open WebSocket. There are two real implementations:
// natively, github.com/coder/websocket over TCP (transport_native.go); in
// the browser, the browser's own WebSocket object (transport_js.go).
//
// Why not coder/websocket in the browser too: its js/wasm build reports a
// closed socket as net.ErrClosed without the close code and reason, and can
// drop messages that arrived just before the close frame — the very things
// the hello lab exists to show. The browser wrapper here delivers every
// message before the close, then the close code and reason; and the wasm
// binary does not link the library at all.
type transport interface {
	// Read returns the next message. After the socket closes it returns a
	// *closeError with the peer's code and reason (1006 when the
	// connection dropped without a close frame).
	Read(ctx context.Context) (binary bool, data []byte, err error)
	// Write sends one message, text or binary.
	Write(ctx context.Context, binary bool, data []byte) error
	// Close starts the close handshake with code and reason and waits for it
	// to finish, bounded by the implementation.
	Close(code msg.CloseCode, reason string) error
	// Abort drops the connection without waiting for the peer.
	Abort()
}

// closeError is how a transport reports that its socket closed: the close
// code and reason as the browser's close event (or coder/websocket's
// CloseError) gave them. err, when set, is the underlying error.
type closeError struct {
	code   msg.CloseCode
	reason string
	err    error
}

func (e *closeError) Error() string {
	if e.err != nil {
		return fmt.Sprintf("socket closed: %v %s: %v", e.code, e.reason, e.err)
	}
	return fmt.Sprintf("socket closed: %v %s", e.code, e.reason)
}

func (e *closeError) Unwrap() error { return e.err }

// Codes the client itself uses. A browser may send only 1000 and
// 3000–4999, so these sit in the private range.
const (
	// closeAbandoned is sent when the client gives up on a socket whose
	// peer does not answer (the JavaScript API has no abort).
	closeAbandoned msg.CloseCode = 4000
	// closeTooBig is sent when a message over Options.ReadLimit arrives:
	// 1009 says the same but only a server may send it from a browser.
	closeTooBig msg.CloseCode = 4009
)
