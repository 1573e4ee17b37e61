package conns

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"sync"
	"syscall"
	"time"

	"github.com/coder/websocket"

	"socketlab/server/metrics"
)

// Conn is an accepted WebSocket with the bookkeeping the registry needs.
// It does not expose the *websocket.Conn it wraps: every read and write
// goes through its methods, so that each message is counted and vetted and
// each close logged with its code.
type Conn struct {
	ws *websocket.Conn // set under the registry's lock at Accept
	// ID identifies the connection in logs; unique within the process.
	ID string
	// Endpoint is the socket path this connection was accepted on.
	Endpoint string

	reg   *Registry
	log   *slog.Logger
	start time.Time

	pinger   *time.Timer       // the next keepalive ping; nil without
	counters *metrics.Endpoint // this endpoint's message counters
	net      *corkConn         // the network connection, for Cork
	limit    int64             // the read limit, in bytes
	tap      *tapConn          // under net when the socket is tapped; nil otherwise
	readGate sync.Mutex        // held by Close, which reads; see WaitReadable

	mu         sync.Mutex
	sentCode   websocket.StatusCode
	sentReason string
	finished   bool
	lostPong   bool
}

// Log returns the connection's logger, which tags every line with the
// connection id and endpoint.
func (c *Conn) Log() *slog.Logger { return c.log }

// Read reads one message, counting it for metrics. Like the embedded
// method, it must not be called concurrently with itself.
func (c *Conn) Read(ctx context.Context) (websocket.MessageType, []byte, error) {
	var buf bytes.Buffer
	typ, err := c.ReadInto(ctx, &buf)
	return typ, buf.Bytes(), err
}

// ErrClosedBadInput is returned by Read and ReadInto when the message
// broke a rule the connection enforces (its size, its UTF-8) and the
// socket has been closed for it, with 1009 or 1007.
var ErrClosedBadInput = errors.New("conns: closed for a bad message")

// Reasons of the closes the connection makes for a bad message.
const (
	ReasonTooBig      = "message too big"
	ReasonInvalidUTF8 = "text is not valid UTF-8"
)

// ReadInto reads one message into buf, replacing its contents and reusing
// its memory: a handler that reads in a loop allocates nothing per message
// once buf has grown to its working size (Read allocates a new slice each
// time).
//
// It enforces two rules as the message arrives, not once it is whole: a
// message over the read limit is closed with 1009 and a text message that
// is not UTF-8 with 1007, at the first frame that shows it. Both closes
// do the closing handshake, with the rest of the message read and
// dropped, so that a peer still sending gets the close frame. (The
// library's own limit would close with a reason of its own making.)
func (c *Conn) ReadInto(ctx context.Context, buf *bytes.Buffer) (websocket.MessageType, error) {
	buf.Reset()
	typ, r, err := c.ws.Reader(ctx)
	if err != nil {
		return typ, err
	}
	isText := typ == websocket.MessageText
	var text utf8Stream
	for {
		if buf.Available() < 512 {
			buf.Grow(max(512, buf.Len()))
		}
		// At most one byte over the limit: enough to know it is over.
		free := buf.AvailableBuffer()
		free = free[:min(int64(cap(free)), c.limit+1-int64(buf.Len()))]
		n, err := r.Read(free)
		buf.Write(free[:n])
		if isText && !text.write(free[:n]) {
			c.Close(websocket.StatusInvalidFramePayloadData, ReasonInvalidUTF8)
			return typ, fmt.Errorf("%w: %s", ErrClosedBadInput, ReasonInvalidUTF8)
		}
		if int64(buf.Len()) > c.limit {
			c.discardRest(r)
			c.Close(websocket.StatusMessageTooBig, ReasonTooBig)
			return typ, fmt.Errorf("%w: %s (over %d bytes)", ErrClosedBadInput, ReasonTooBig, c.limit)
		}
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return typ, err
		}
	}
	if isText && !text.end() {
		c.Close(websocket.StatusInvalidFramePayloadData, ReasonInvalidUTF8)
		return typ, fmt.Errorf("%w: %s", ErrClosedBadInput, ReasonInvalidUTF8)
	}
	c.counters.In(buf.Len())
	return typ, nil
}

// discardRest reads the rest of a message over the limit and drops it,
// before the 1009 goes out.
//
// Why before: a browser stops sending a message once the server's close
// arrives, and then reports the close as not clean (wasClean false)
// because part of what the page sent was never sent — Chrome does, for
// every upload still under way. Read to its end first, the message has
// all been sent when the 1009 arrives. Bounded: a frame announcing more
// than drainMaxBytes is not waited for, and neither is a peer that takes
// longer than drainTimeout.
func (c *Conn) discardRest(r io.Reader) {
	if c.net == nil || c.net.frameLeft() > drainMaxBytes {
		return
	}
	t := time.AfterFunc(drainTimeout, func() { c.net.Conn.SetReadDeadline(time.Now()) })
	defer t.Stop()
	io.CopyN(io.Discard, r, drainMaxBytes)
}

// Write writes one message, counting it for metrics.
func (c *Conn) Write(ctx context.Context, typ websocket.MessageType, data []byte) error {
	err := c.ws.Write(ctx, typ, data)
	if err == nil {
		c.counters.Out(len(data))
	}
	return err
}

// Cork holds back what is written to the socket, in memory, until Uncork,
// which sends it all with one system call: a writer with several messages
// queued for a socket corks, writes them, and uncorks. A batch larger than
// 64 KiB goes out in pieces along the way. timeout bounds each of those
// network writes; writes made while corked only copy bytes and need no
// deadline of their own. Pings and close frames sent meanwhile by other
// goroutines join the batch, so keep a batch short: what is already
// queued, not what may arrive.
func (c *Conn) Cork(timeout time.Duration) {
	if c.net != nil {
		c.net.cork(timeout)
	}
}

// Uncork sends what Cork held back and writes directly again.
func (c *Conn) Uncork() error {
	if c.net == nil {
		return nil
	}
	return c.net.uncork()
}

// keepAlive pings the peer every interval until Finish. A peer that does not
// pong within timeout is taken for gone: its connection is cut, which ends
// the handler's read with an error and so its Finish. It runs on a timer,
// not in a goroutine of its own: a goroutine per socket that sleeps
// between pings would cost its stack on every idle socket; the timer's
// function runs in a goroutine only for the moment of the ping.
func (c *Conn) keepAlive(every, timeout time.Duration) {
	if timeout <= 0 {
		timeout = 10 * time.Second
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.pinger = time.AfterFunc(every, func() { c.ping(every, timeout) })
}

// ping sends one keepalive ping and arms the next.
func (c *Conn) ping(every, timeout time.Duration) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	err := c.ws.Ping(ctx)
	cancel()
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case c.finished:
		// Finish cut the connection, which is why the ping failed.
	case errors.Is(err, context.DeadlineExceeded):
		c.log.Info("ws keepalive: no pong", "timeout", timeout)
		c.lostPong = true
		c.ws.CloseNow()
	case err != nil:
		// The connection is closing for another reason (the peer's close,
		// ours): Finish will say which.
	default:
		c.pinger.Reset(every)
	}
}

// Close sends a close frame with code and reason and waits (bounded) for the
// peer's answer. The first code sent is the one logged by Finish.
func (c *Conn) Close(code websocket.StatusCode, reason string) error {
	c.mu.Lock()
	if c.sentCode == 0 {
		c.sentCode, c.sentReason = code, reason
	}
	c.mu.Unlock()
	// The library's Close reads the peer's answer itself when no Read is
	// in progress, which is the case while the reader waits in
	// WaitReadable: the gate keeps the two apart.
	c.readGate.Lock()
	defer c.readGate.Unlock()
	return c.ws.Close(code, reason)
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
	lostPong := c.lostPong
	if c.pinger != nil {
		c.pinger.Stop()
	}
	c.mu.Unlock()

	var wireCode int
	var wireReason string
	var serverFirst bool
	if c.net != nil {
		wireCode, wireReason, serverFirst, _ = c.net.sentClose()
	}
	switch {
	case lostPong:
		code, reason, by = websocket.StatusAbnormalClosure, "no pong", "network"
	case c.net != nil && c.net.badCloseReason.Load():
		// The peer's close reason was not UTF-8: the connection answered
		// 1007 in its place (closing.go).
		code, reason = websocket.StatusInvalidFramePayloadData, closeReasonNotUTF8
		err = errors.New("conns: the peer's close reason is not valid UTF-8")
	case serverFirst:
		// What really went out: ours, or the library's own (1002 for most
		// protocol errors, with its description as the reason).
		code, reason = websocket.StatusCode(wireCode), wireReason
	case websocket.CloseStatus(err) != -1:
		var ce websocket.CloseError
		errors.As(err, &ce)
		code, reason, by = ce.Code, ce.Reason, "client"
	case code != 0:
		// Close was called but its frame did not go out: the connection
		// was already gone.
		by = "network"
	case err == nil || dropped(err):
		code, by = websocket.StatusAbnormalClosure, "network"
	default:
		// A protocol violation that the library failed without a close
		// frame (an unmasked frame): RFC 6455 allows one, so send it now.
		// The library must not read for its answer — its parser is lost
		// in the stream — so reads are refused and the connection drains.
		code, reason = websocket.StatusProtocolError, "protocol error"
		if c.net != nil {
			c.net.stopRead.Store(true)
		}
		c.ws.Close(code, reason)
	}
	c.ws.CloseNow()
	if c.tap != nil {
		c.tap.end()
	}
	attrs := []any{"code", int(code), "reason", reason, "by", by,
		"duration", time.Since(c.start).Round(time.Millisecond)}
	if err != nil && !errors.Is(err, io.EOF) && by != "client" {
		attrs = append(attrs, "err", err)
	}
	// Log and count before leaving the registry: Shutdown returns once the
	// registry is empty, and every close must be on record by then.
	c.log.Info("ws close", attrs...)
	c.reg.Metrics.Closed(c.Endpoint, int(code))
	c.reg.remove(c)
}

// dropped reports whether err means the TCP connection went away (no close
// frame) rather than that the peer broke the protocol.
func dropped(err error) bool {
	return errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, net.ErrClosed) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) ||
		errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}
