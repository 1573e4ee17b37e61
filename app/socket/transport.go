package socket

import "context"

// transport is one open WebSocket. There are two real implementations:
// natively, github.com/coder/websocket over TCP (transport_native.go); in
// the browser, the browser's own WebSocket object (transport_js.go).
//
// Why not coder/websocket in the browser too: its js/wasm build reports a
// closed socket as net.ErrClosed without the close code and reason, and can
// drop messages that arrived just before the close frame — the very things
// the hello lab exists to show. The browser wrapper here delivers every
// message before the close, then the close code and reason.
type transport interface {
	// Read returns the next message. After the socket closes it returns a
	// websocket.CloseError with the peer's code and reason (1006 when the
	// connection dropped without a close frame).
	Read(ctx context.Context) (binary bool, data []byte, err error)
	// Write sends one message, text or binary.
	Write(ctx context.Context, binary bool, data []byte) error
	// Close starts the close handshake with code and reason and waits for it
	// to finish, bounded by the implementation.
	Close(code int, reason string) error
	// Abort drops the connection without waiting for the peer.
	Abort()
}
