//go:build js && wasm

package socket

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"syscall/js"
	"time"

	"socketlab/app/msg"
)

// jsTransport wraps the browser's WebSocket object. Events arrive on the
// JavaScript event loop; they are queued here and handed to Read in order,
// messages first, the close last.
type jsTransport struct {
	ws        js.Value
	readLimit int64

	mu      sync.Mutex
	queue   []jsMessage
	signal  chan struct{} // poked when queue or closed changes
	closed  chan struct{}
	closeCE *closeError // set when closed is
	funcs   []js.Func
}

type jsMessage struct {
	binary bool
	data   []byte
}

func dialTransport(ctx context.Context, url string, readLimit int64) (transport, error) {
	t := &jsTransport{readLimit: readLimit, signal: make(chan struct{}, 1), closed: make(chan struct{})}
	var err error
	func() {
		defer func() {
			if r := recover(); r != nil {
				err = fmt.Errorf("socket: new WebSocket(%q): %v", url, r)
			}
		}()
		t.ws = js.Global().Get("WebSocket").New(url)
	}()
	if err != nil {
		return nil, err
	}
	t.ws.Set("binaryType", "arraybuffer")
	opened := make(chan struct{})
	var once sync.Once
	t.on("open", func(js.Value) { once.Do(func() { close(opened) }) })
	t.on("message", func(e js.Value) {
		d := e.Get("data")
		var m jsMessage
		if d.Type() == js.TypeString {
			m.data = []byte(d.String())
		} else {
			u := js.Global().Get("Uint8Array").New(d)
			m.binary, m.data = true, make([]byte, u.Length())
			js.CopyBytesToGo(m.data, u)
		}
		t.mu.Lock()
		t.queue = append(t.queue, m)
		t.mu.Unlock()
		t.poke()
	})
	t.on("close", func(e js.Value) {
		t.mu.Lock()
		select {
		case <-t.closed:
		default:
			t.closeCE = &closeError{code: msg.CloseCode(e.Get("code").Int()), reason: e.Get("reason").String()}
			close(t.closed)
		}
		t.mu.Unlock()
		t.poke()
		t.release()
	})
	select {
	case <-opened:
		return t, nil
	case <-t.closed:
		// The browser hides why a handshake failed (HTTP status included);
		// the close event says 1006 and the console says the rest.
		return nil, fmt.Errorf("socket: could not connect to %s (%d)", url, int(t.closeCE.code))
	case <-ctx.Done():
		t.Abort()
		return nil, ctx.Err()
	}
}

func (t *jsTransport) on(event string, f func(js.Value)) {
	fn := js.FuncOf(func(_ js.Value, args []js.Value) any {
		f(args[0])
		return nil
	})
	t.funcs = append(t.funcs, fn)
	t.ws.Call("addEventListener", event, fn)
}

func (t *jsTransport) release() {
	for _, f := range t.funcs {
		f.Release()
	}
	t.funcs = nil
}

func (t *jsTransport) poke() {
	select {
	case t.signal <- struct{}{}:
	default:
	}
}

func (t *jsTransport) Read(ctx context.Context) (bool, []byte, error) {
	for {
		t.mu.Lock()
		if len(t.queue) > 0 {
			m := t.queue[0]
			t.queue[0] = jsMessage{}
			t.queue = t.queue[1:]
			t.mu.Unlock()
			if int64(len(m.data)) > t.readLimit {
				t.Close(closeTooBig, "message too big")
				return false, nil, fmt.Errorf("socket: %d-byte message over the %d-byte limit", len(m.data), t.readLimit)
			}
			return m.binary, m.data, nil
		}
		select {
		case <-t.closed:
			ce := t.closeCE
			t.mu.Unlock()
			return false, nil, ce
		default:
		}
		t.mu.Unlock()
		select {
		case <-t.signal:
		case <-ctx.Done():
			return false, nil, ctx.Err()
		}
	}
}

func (t *jsTransport) Write(ctx context.Context, binary bool, data []byte) error {
	select {
	case <-t.closed:
		return errors.New("socket: closed")
	default:
	}
	if t.ws.Get("readyState").Int() != 1 {
		return errors.New("socket: not open")
	}
	if binary {
		// An ArrayBuffer (not a string) makes the browser send opcode 2.
		u := js.Global().Get("Uint8Array").New(len(data))
		js.CopyBytesToJS(u, data)
		t.ws.Call("send", u.Get("buffer"))
		return nil
	}
	t.ws.Call("send", string(data))
	return nil
}

func (t *jsTransport) Close(code msg.CloseCode, reason string) error {
	t.ws.Call("close", int(code), reason)
	select {
	case <-t.closed:
	case <-time.After(5 * time.Second):
	}
	return nil
}

func (t *jsTransport) Abort() {
	// The JavaScript API has no abort: start a close with a code browsers
	// may send, and consider the socket gone now rather than when (if ever)
	// the silent peer answers.
	t.ws.Call("close", int(closeAbandoned), "abandoned by client")
	t.mu.Lock()
	select {
	case <-t.closed:
	default:
		t.closeCE = &closeError{code: msg.CloseAbnormal, reason: "abandoned by client"}
		close(t.closed)
	}
	t.mu.Unlock()
	t.poke()
}
