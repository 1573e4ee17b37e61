package socket

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"socketlab/app/msg"
)

// Conn is a self-healing client socket. Create it with New, start it with
// Run, send with Send, stop it with Close or by cancelling Run's context.
//
// Its life, as the callbacks tell it: OnStatus(Connecting); then for each
// socket, OnStatus(Open), OnOpen, the messages (OnMessage), OnClose(code,
// reason), OnStatus(Reconnecting) — or OnDialError for an attempt that
// did not connect — and at the end OnStatus(Closed). Options.Dispatch
// says where the callbacks run.
type Conn struct {
	url  string
	opts Options

	mu        sync.Mutex
	ws        transport
	status    Status
	online    bool
	wake      chan struct{}
	stop      context.CancelFunc
	closeCode msg.CloseCode
	closeWhy  string
	running   bool
	stopped   bool
	redial    bool // Redial closed the current socket: dial again at once

	// The send queue (queue.go). opening: the socket is up and OnOpen has
	// not returned yet; Send then inserts at index ahead (and moves it on),
	// so OnOpen's sends go first, in their own order.
	queue   []outMsg
	lastID  uint64
	opening bool
	ahead   int
	queued  chan struct{}

	lastRecv atomic.Int64 // unix nanoseconds
	dead     atomic.Bool  // the heartbeat cut the current socket
}

// New returns a Conn for the ws:// or wss:// url. Nothing is dialled until
// Run is called; Send queues until then.
func New(url string, opts Options) *Conn {
	opts.setDefaults()
	return &Conn{
		url: url, opts: opts, status: Closed, online: true,
		wake: make(chan struct{}, 1), queued: make(chan struct{}, 1),
	}
}

// URL returns the address the Conn dials.
func (c *Conn) URL() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.url
}

// Status returns the current status; Closed before Run starts.
func (c *Conn) Status() Status {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.status
}

// LastClose returns the code and reason of the most recent close, or 0 and
// "" if no socket has closed yet; OnClose reports each as it happens.
func (c *Conn) LastClose() (code msg.CloseCode, reason string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.closeCode, c.closeWhy
}

func (c *Conn) setStatus(s Status) {
	c.mu.Lock()
	changed := c.status != s
	c.status = s
	c.mu.Unlock()
	if changed && c.opts.OnStatus != nil {
		c.opts.Dispatch(func() { c.opts.OnStatus(s) })
	}
}

func (c *Conn) frame(f Frame) {
	if c.opts.OnFrame != nil {
		f.Time = time.Now()
		c.opts.Dispatch(func() { c.opts.OnFrame(f) })
	}
}

// SetOnline tells the Conn what the browser reports about the network
// (navigator.onLine and the online/offline events). While offline, the Conn
// stops dialing and reports Offline instead of burning attempts; coming back
// online retries at once rather than after the current backoff.
func (c *Conn) SetOnline(online bool) {
	c.mu.Lock()
	c.online = online
	status := c.status
	c.mu.Unlock()
	if online {
		c.poke()
		return
	}
	if status != Open && status != Closed {
		c.setStatus(Offline)
	}
}

// poke wakes Run from a backoff or an offline wait.
func (c *Conn) poke() {
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

// Run dials and keeps the socket up until ctx is cancelled, Close is called,
// or the server closes with 1000 (normal closure: the server is done with
// this client, so reconnecting would be wrong). Any other close — 1001 on a
// server restart, a dropped TCP connection, a heartbeat timeout — leads to a
// reconnect after a backoff. Run returns the reason it stopped; what is
// still queued then is not sent, and Send returns ErrClosed.
func (c *Conn) Run(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	c.mu.Lock()
	if c.running || c.stopped {
		c.mu.Unlock()
		return errors.New("socket: Run called twice")
	}
	c.running, c.stop = true, cancel
	c.mu.Unlock()
	defer c.setStatus(Closed)
	defer func() {
		c.mu.Lock()
		c.stopped, c.queue = true, nil
		c.mu.Unlock()
	}()

	c.setStatus(Connecting)
	for attempt := 0; ; {
		if err := c.waitOnline(ctx); err != nil {
			return nil
		}
		ws, err := c.dial(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			c.frame(Frame{Dir: Event, Data: "dial failed: " + err.Error()})
			if f := c.opts.OnDialError; f != nil {
				c.opts.Dispatch(func() { f(err) })
			}
			if c.opts.Once {
				return err
			}
		} else {
			attempt = 0
			if done := c.serve(ctx, ws); done || ctx.Err() != nil {
				return nil
			}
			if c.takeRedial() {
				c.setStatus(Reconnecting)
				continue
			}
			if c.opts.Once {
				return nil
			}
		}
		c.setStatus(Reconnecting)
		if err := c.sleep(ctx, c.opts.Backoff.Delay(attempt)); err != nil {
			return nil
		}
		attempt++
	}
}

// waitOnline blocks while the browser reports no network.
func (c *Conn) waitOnline(ctx context.Context) error {
	for {
		c.mu.Lock()
		online := c.online
		c.mu.Unlock()
		if online {
			return nil
		}
		c.setStatus(Offline)
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-c.wake:
		}
	}
}

// sleep waits d, returning early when the network comes back.
func (c *Conn) sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
	case <-c.wake:
	}
	return nil
}

func (c *Conn) dial(ctx context.Context) (transport, error) {
	dctx, cancel := context.WithTimeout(ctx, c.opts.DialTimeout)
	defer cancel()
	return dialTransport(dctx, c.URL(), c.opts.ReadLimit)
}

// takeRedial reports and clears a pending Redial.
func (c *Conn) takeRedial() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	r := c.redial
	c.redial = false
	return r
}

// Redial moves the Conn to another url (the same endpoint with a query
// added, say): the current socket, if one is open, is closed with 1000 and
// the new url is dialled at once, without a backoff; callbacks and OnOpen
// run again as after any reconnect. Without an open socket, the next dial
// uses the new url.
func (c *Conn) Redial(url string) {
	c.mu.Lock()
	c.url = url
	ws := c.ws
	if ws != nil {
		c.redial = true
	}
	c.mu.Unlock()
	if ws != nil {
		go ws.Close(msg.CloseNormal, "redial")
	}
	c.poke()
}

// serve runs one socket until it ends. It reports true when the server
// closed normally (1000) or Close was called: Run should stop.
func (c *Conn) serve(ctx context.Context, ws transport) (done bool) {
	sctx, cancel := context.WithCancel(ctx)
	defer cancel()
	c.mu.Lock()
	if c.stopped {
		c.mu.Unlock()
		ws.Abort()
		return true
	}
	c.ws, c.opening, c.ahead = ws, true, 0
	c.mu.Unlock()
	c.lastRecv.Store(time.Now().UnixNano())
	c.dead.Store(false)
	c.frame(Frame{Dir: Event, Data: "open " + c.URL()})
	c.setStatus(Open)

	// OnOpen runs where the callbacks run; the writer waits for it, so
	// what it sends goes first.
	opened := make(chan struct{})
	c.opts.Dispatch(func() {
		if c.opts.OnOpen != nil {
			c.opts.OnOpen(c)
		}
		c.mu.Lock()
		c.opening, c.ahead = false, 0
		c.mu.Unlock()
		close(opened)
	})
	var helpers sync.WaitGroup
	helpers.Go(func() { c.writeLoop(sctx, ws, opened) })
	if c.opts.Ping != nil {
		helpers.Go(func() { c.heartbeat(sctx, ws) })
	}

	err := c.readLoop(sctx, ws)
	cancel()
	helpers.Wait()

	c.mu.Lock()
	c.ws, c.opening = nil, false
	stopped, redial := c.stopped, c.redial
	c.mu.Unlock()

	code, reason := msg.CloseAbnormal, "connection lost"
	var ce *closeError
	switch {
	case c.dead.Load():
		reason = "no answer to heartbeat"
	case errors.As(err, &ce) && ce.code != msg.CloseAbnormal:
		code, reason = ce.code, ce.reason
	case stopped:
		code, reason = msg.CloseNormal, "closed by client"
	}
	c.mu.Lock()
	c.closeCode, c.closeWhy = code, reason
	c.mu.Unlock()
	c.frame(Frame{Dir: Event, Code: code, Data: fmt.Sprintf("close %d %s", int(code), reason)})
	if f := c.opts.OnClose; f != nil {
		c.opts.Dispatch(func() { f(code, reason) })
	}
	ws.Abort()
	if redial && !stopped {
		return false // our own 1000: the Conn goes on at the new url
	}
	return stopped || code == msg.CloseNormal
}

// readLoop delivers the socket's messages until it ends, and returns why.
func (c *Conn) readLoop(ctx context.Context, ws transport) error {
	for {
		binary, data, err := ws.Read(ctx)
		if err != nil {
			return err
		}
		c.lastRecv.Store(time.Now().UnixNano())
		c.frame(Frame{Dir: Received, Binary: binary, Size: len(data), Data: string(data)})
		if f := c.opts.OnMessage; f != nil {
			c.opts.Dispatch(func() { f(binary, data) })
		}
	}
}
