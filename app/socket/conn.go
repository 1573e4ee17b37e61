package socket

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/coder/websocket"
)

// ErrNotOpen is returned by Send while no socket is up. Callers that must not
// lose the message (the chat outbox) keep it and send it from OnOpen.
var ErrNotOpen = errors.New("socket: not open")

// Options configure a Conn. Only the callbacks a lab needs must be set.
type Options struct {
	// Ping is the application-level heartbeat message, sent as a text frame
	// every PingEvery while the socket is open; the lab's server must answer
	// it (any message received counts as a sign of life). Nil disables the
	// heartbeat.
	Ping []byte
	// PingEvery defaults to 15s.
	PingEvery time.Duration
	// DeadAfter is how long the socket may stay silent before it is taken
	// for dead and replaced; it defaults to twice PingEvery.
	DeadAfter time.Duration
	// ReadLimit is the largest message accepted from the server; 1 MiB when
	// zero.
	ReadLimit int64
	// DialTimeout bounds each connection attempt; 10s when zero.
	DialTimeout time.Duration
	// Backoff spaces out reconnect attempts.
	Backoff Backoff
	// Once makes Run dial a single time and return when that socket ends,
	// however it ends. The wire lab wants this: a tap id belongs to one
	// connection, and a socket the server closed on purpose (1001, 1008)
	// should stay closed for the learner to read.
	Once bool

	// OnStatus is called on every status change.
	OnStatus func(Status)
	// OnOpen is called after each successful dial, before any message is
	// delivered: the place to send a join or resend an outbox. Sends made
	// here go out before anything else.
	OnOpen func(ctx context.Context, c *Conn)
	// OnMessage is called for each message received, in order.
	OnMessage func(binary bool, data []byte)
	// OnFrame is called for every frame sent or received and for open and
	// close events; the wire inspector listens here.
	OnFrame func(Frame)
}

// Conn is a self-healing client socket. Create it with New, start it with
// Run, send with Send, stop it with Close or by cancelling Run's context.
// Callbacks run on Run's goroutines; a UI must hand them over to its own
// loop (go-app: ctx.Dispatch).
type Conn struct {
	url  string
	opts Options

	mu        sync.Mutex
	ws        transport
	status    Status
	online    bool
	wake      chan struct{}
	stop      context.CancelFunc
	closeCode int
	closeWhy  string
	running   bool
	stopped   bool
	redial    bool // Redial closed the current socket: dial again at once

	lastRecv atomic.Int64 // unix nanoseconds
	dead     atomic.Bool  // the heartbeat cut the current socket
}

// New returns a Conn for the ws:// or wss:// url. Nothing is dialled until
// Run is called.
func New(url string, opts Options) *Conn {
	if opts.PingEvery <= 0 {
		opts.PingEvery = 15 * time.Second
	}
	if opts.DeadAfter <= 0 {
		opts.DeadAfter = 2 * opts.PingEvery
	}
	if opts.ReadLimit <= 0 {
		opts.ReadLimit = 1 << 20
	}
	if opts.DialTimeout <= 0 {
		opts.DialTimeout = 10 * time.Second
	}
	return &Conn{url: url, opts: opts, status: Closed, online: true, wake: make(chan struct{}, 1)}
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
// "" if no socket has closed yet. 1006 means the connection dropped without
// a close frame.
func (c *Conn) LastClose() (code int, reason string) {
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
		c.opts.OnStatus(s)
	}
}

func (c *Conn) frame(f Frame) {
	if c.opts.OnFrame != nil {
		f.Time = time.Now()
		c.opts.OnFrame(f)
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
		select {
		case c.wake <- struct{}{}:
		default:
		}
		return
	}
	if status != Open && status != Closed {
		c.setStatus(Offline)
	}
}

// Run dials and keeps the socket up until ctx is cancelled, Close is called,
// or the server closes with 1000 (normal closure: the server is done with
// this client, so reconnecting would be wrong). Any other close — 1001 on a
// server restart, a dropped TCP connection, a heartbeat timeout — leads to a
// reconnect after a backoff. Run returns the reason it stopped.
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
		go ws.Close(int(websocket.StatusNormalClosure), "redial")
	}
	select {
	case c.wake <- struct{}{}:
	default:
	}
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
	c.ws = ws
	c.mu.Unlock()
	c.lastRecv.Store(time.Now().UnixNano())
	c.dead.Store(false)
	c.frame(Frame{Dir: Event, Data: "open " + c.URL()})
	c.setStatus(Open)

	if c.opts.OnOpen != nil {
		c.opts.OnOpen(sctx, c)
	}
	var beat sync.WaitGroup
	if c.opts.Ping != nil {
		beat.Add(1)
		go func() {
			defer beat.Done()
			c.heartbeat(sctx, ws)
		}()
	}

	var err error
	for {
		var binary bool
		var data []byte
		binary, data, err = ws.Read(sctx)
		if err != nil {
			break
		}
		c.lastRecv.Store(time.Now().UnixNano())
		c.frame(Frame{Dir: Received, Binary: binary, Size: len(data), Data: string(data)})
		if c.opts.OnMessage != nil {
			c.opts.OnMessage(binary, data)
		}
	}
	cancel()
	beat.Wait()

	c.mu.Lock()
	c.ws = nil
	stopped, redial := c.stopped, c.redial
	c.mu.Unlock()

	code, reason := int(websocket.StatusAbnormalClosure), "connection lost"
	var ce websocket.CloseError
	switch {
	case c.dead.Load():
		reason = "no answer to heartbeat"
	case errors.As(err, &ce) && ce.Code != websocket.StatusAbnormalClosure:
		code, reason = int(ce.Code), ce.Reason
	case stopped:
		code, reason = int(websocket.StatusNormalClosure), "closed by client"
	}
	c.mu.Lock()
	c.closeCode, c.closeWhy = code, reason
	c.mu.Unlock()
	c.frame(Frame{Dir: Event, Code: code, Data: fmt.Sprintf("close %d %s", code, reason)})
	ws.Abort()
	if redial && !stopped {
		return false // our own 1000: the Conn goes on at the new url
	}
	return stopped || code == int(websocket.StatusNormalClosure)
}

// heartbeat sends Ping every PingEvery and cuts a socket that stayed silent
// past DeadAfter.
func (c *Conn) heartbeat(ctx context.Context, ws transport) {
	t := time.NewTicker(c.opts.PingEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if time.Since(time.Unix(0, c.lastRecv.Load())) > c.opts.DeadAfter {
			c.frame(Frame{Dir: Event, Data: "heartbeat: no answer for " + c.opts.DeadAfter.String()})
			// Closing the socket makes the read loop return; CloseNow does
			// not wait for a peer that is not answering anyway.
			c.dead.Store(true)
			ws.Abort()
			return
		}
		c.Send(ctx, c.opts.Ping)
	}
}

// Send writes data as one text message. It returns ErrNotOpen when no socket
// is up; it does not queue.
func (c *Conn) Send(ctx context.Context, data []byte) error {
	return c.write(ctx, false, data)
}

// SendBinary writes data as one binary message, like Send.
func (c *Conn) SendBinary(ctx context.Context, data []byte) error {
	return c.write(ctx, true, data)
}

func (c *Conn) write(ctx context.Context, binary bool, data []byte) error {
	c.mu.Lock()
	ws := c.ws
	c.mu.Unlock()
	if ws == nil {
		return ErrNotOpen
	}
	if err := ws.Write(ctx, binary, data); err != nil {
		return fmt.Errorf("socket: send: %w", err)
	}
	c.frame(Frame{Dir: Sent, Binary: binary, Size: len(data), Data: string(data)})
	return nil
}

// Close closes the socket with 1000 and stops Run. It does not wait for Run
// to return.
func (c *Conn) Close() { c.CloseWith(int(websocket.StatusNormalClosure), "closed by client") }

// CloseWith closes the socket with code and reason and stops Run, like
// Close. A browser may only send 1000 or 3000–4999 with a reason of at most
// 123 bytes; anything else is refused here with an error rather than
// thrown by the browser's WebSocket.close.
func (c *Conn) CloseWith(code int, reason string) error {
	if code != int(websocket.StatusNormalClosure) && (code < 3000 || code > 4999) {
		return fmt.Errorf("socket: close code %d: a client may only send 1000 or 3000–4999", code)
	}
	if len(reason) > maxCloseReason {
		return fmt.Errorf("socket: close reason of %d bytes: at most %d fit in a control frame", len(reason), maxCloseReason)
	}
	if !utf8.ValidString(reason) {
		// The browser would carry each bad byte as U+FFFD, 3 bytes, past
		// the limit just checked; RFC 6455 §5.5.1 wants UTF-8 anyway.
		return fmt.Errorf("socket: close reason %q is not UTF-8", reason)
	}
	c.mu.Lock()
	c.stopped = true
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

// maxCloseReason is what fits in a close frame's 125-byte payload after
// the 2-byte code (RFC 6455 §5.5).
const maxCloseReason = 123
