//go:build !js

package socket

import (
	"context"
	"errors"
	"fmt"

	"github.com/coder/websocket"

	"socketlab/app/msg"
)

// nativeTransport is the client over TCP: coder/websocket. Tests of this
// package, and server tests that want the browser's own client code
// (server/chat, server/plot), run on it.
type nativeTransport struct{ c *websocket.Conn }

func dialTransport(ctx context.Context, url string, readLimit int64) (transport, error) {
	c, resp, err := websocket.Dial(ctx, url, nil)
	if err != nil {
		if resp != nil {
			return nil, &dialError{status: resp.StatusCode, err: err}
		}
		return nil, err
	}
	c.SetReadLimit(readLimit)
	return nativeTransport{c}, nil
}

func (t nativeTransport) Read(ctx context.Context) (bool, []byte, error) {
	typ, data, err := t.c.Read(ctx)
	if err == nil {
		return typ == websocket.MessageBinary, data, nil
	}
	var ce websocket.CloseError
	if errors.As(err, &ce) {
		return false, nil, &closeError{code: msg.CloseCode(ce.Code), reason: ce.Reason}
	}
	// A drop without a close frame: report it as the browser would.
	return false, nil, &closeError{code: msg.CloseAbnormal, err: err}
}

func (t nativeTransport) Write(ctx context.Context, binary bool, data []byte) error {
	typ := websocket.MessageText
	if binary {
		typ = websocket.MessageBinary
	}
	return t.c.Write(ctx, typ, data)
}

func (t nativeTransport) Close(code msg.CloseCode, reason string) error {
	return t.c.Close(websocket.StatusCode(code), reason)
}

func (t nativeTransport) Abort() { t.c.CloseNow() }

// dialError is a handshake the server refused with an HTTP status.
type dialError struct {
	status int
	err    error
}

func (e *dialError) Error() string { return fmt.Sprintf("HTTP %d: %v", e.status, e.err) }
func (e *dialError) Unwrap() error { return e.err }
