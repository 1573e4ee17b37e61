// Package bidi is a small WebDriver BiDi client: the W3C's WebSocket-based
// browser automation protocol, which Firefox speaks natively (no CDP).
//
// It sits under the e2e suite (socketlab/e2e), which drives Firefox through
// it; it knows nothing of socketlab. A Conn sends commands and matches their
// answers by id, and hands events to the functions registered with On.
// No maintained Go client exists, and the protocol is JSON over one
// WebSocket, so a few hundred lines over github.com/coder/websocket do.
package bidi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"

	"github.com/coder/websocket"
)

// Conn is one WebDriver BiDi connection. It is safe for concurrent use.
type Conn struct {
	ws *websocket.Conn

	mu       sync.Mutex
	nextID   int64
	pending  map[int64]chan message
	handlers map[string][]func(json.RawMessage)
	err      error // why the read loop ended; set once
	done     chan struct{}
}

// message is any frame the remote end sends: a command's answer (id set)
// or an event (method set).
type message struct {
	Type    string          `json:"type"`
	ID      *int64          `json:"id,omitempty"`
	Method  string          `json:"method,omitempty"`
	Params  json.RawMessage `json:"params,omitempty"`
	Result  json.RawMessage `json:"result,omitempty"`
	Error   string          `json:"error,omitempty"`
	Message string          `json:"message,omitempty"`
}

// Error is an error answer to a command, as the remote end named it.
type Error struct {
	Method  string // the command
	Code    string // e.g. "no such frame", "invalid argument"
	Message string
}

func (e *Error) Error() string {
	return fmt.Sprintf("bidi %s: %s: %s", e.Method, e.Code, e.Message)
}

// Dial connects to a BiDi WebSocket URL such as ws://127.0.0.1:9222/session.
func Dial(ctx context.Context, url string) (*Conn, error) {
	ws, _, err := websocket.Dial(ctx, url, nil)
	if err != nil {
		return nil, fmt.Errorf("bidi: dial %s: %w", url, err)
	}
	// Screenshots arrive base64-encoded in one message.
	ws.SetReadLimit(128 << 20)
	c := &Conn{ws: ws, pending: map[int64]chan message{}, handlers: map[string][]func(json.RawMessage){}, done: make(chan struct{})}
	go c.read()
	return c, nil
}

// read dispatches every incoming message until the connection ends.
func (c *Conn) read() {
	defer close(c.done)
	for {
		_, data, err := c.ws.Read(context.Background())
		if err != nil {
			c.fail(fmt.Errorf("bidi: connection closed: %w", err))
			return
		}
		var m message
		if err := json.Unmarshal(data, &m); err != nil {
			c.fail(fmt.Errorf("bidi: bad message %.200q: %w", data, err))
			return
		}
		c.mu.Lock()
		if m.ID != nil {
			ch := c.pending[*m.ID]
			delete(c.pending, *m.ID)
			c.mu.Unlock()
			if ch != nil {
				ch <- m
			}
			continue
		}
		hs := c.handlers[m.Method]
		c.mu.Unlock()
		for _, h := range hs {
			h(m.Params)
		}
	}
}

// fail records why the connection ended and wakes every waiting command.
func (c *Conn) fail(err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.err == nil {
		c.err = err
	}
	for id, ch := range c.pending {
		close(ch)
		delete(c.pending, id)
	}
}

// On registers fn for every event named method (e.g. "log.entryAdded").
// Events are only sent for what session.subscribe asked for. fn runs on the
// read loop: it must not call Call.
func (c *Conn) On(method string, fn func(params json.RawMessage)) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.handlers[method] = append(c.handlers[method], fn)
}

// Call sends a command and waits for its answer, decoding the result into
// out (unless out is nil). An error answer is an *Error.
func (c *Conn) Call(ctx context.Context, method string, params, out any) error {
	if params == nil {
		params = struct{}{}
	}
	c.mu.Lock()
	if c.err != nil {
		err := c.err
		c.mu.Unlock()
		return fmt.Errorf("%s: %w", method, err)
	}
	c.nextID++
	id := c.nextID
	ch := make(chan message, 1)
	c.pending[id] = ch
	c.mu.Unlock()
	forget := func() {
		c.mu.Lock()
		delete(c.pending, id)
		c.mu.Unlock()
	}

	data, err := json.Marshal(struct {
		ID     int64  `json:"id"`
		Method string `json:"method"`
		Params any    `json:"params"`
	}{id, method, params})
	if err != nil {
		forget()
		return fmt.Errorf("bidi %s: encoding params: %w", method, err)
	}
	if err := c.ws.Write(ctx, websocket.MessageText, data); err != nil {
		forget()
		return fmt.Errorf("bidi %s: %w", method, err)
	}
	select {
	case m, ok := <-ch:
		if !ok {
			c.mu.Lock()
			err := c.err
			c.mu.Unlock()
			return fmt.Errorf("bidi %s: %w", method, err)
		}
		if m.Type == "error" {
			return &Error{Method: method, Code: m.Error, Message: m.Message}
		}
		if out == nil {
			return nil
		}
		if err := json.Unmarshal(m.Result, out); err != nil {
			return fmt.Errorf("bidi %s: decoding result: %w", method, err)
		}
		return nil
	case <-ctx.Done():
		forget()
		return fmt.Errorf("bidi %s: %w", method, ctx.Err())
	}
}

// Close ends the connection with a closing handshake.
func (c *Conn) Close() error {
	err := c.ws.Close(websocket.StatusNormalClosure, "")
	<-c.done
	if err != nil && !errors.Is(err, context.Canceled) {
		return fmt.Errorf("bidi: close: %w", err)
	}
	return nil
}
