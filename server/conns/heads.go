package conns

import (
	"bytes"
	"io"
	"net"
	"strings"
	"sync"
	"sync/atomic"
)

// RecordHeads wraps ln so that a tapped socket's opening handshake can be
// shown as it crossed: net/http parses a request into a map and keeps
// neither the order of its headers nor their spelling, and writes its
// response where no handler sees it.
//
// Each connection's first bytes are looked at: if its first request line
// asks for a tap (a tap parameter in its query), the request and the
// server's answer are kept until the upgrade takes them (Accept, for a
// Tapper); any other connection keeps nothing and costs one atomic load per
// read and write until it is hijacked, after which it costs nothing. Do not
// wrap a listener that net/http serves with TLS: this would see only
// ciphertext (Accept then rebuilds the heads from the parsed request).
func RecordHeads(ln net.Listener) net.Listener { return &headListener{ln} }

// headListener is the listener RecordHeads returns: it hands out
// headConns.
type headListener struct{ net.Listener }

// Accept wraps each connection in a headConn.
func (l *headListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &headConn{Conn: c}, nil
}

// Bounds on what a headConn keeps: a request head up to net/http's header
// limit with the first frames after it, a 101 response.
const (
	maxHeadIn  = 80 << 10
	maxHeadOut = 4 << 10
	// maxRequestLine is how far a request line is looked for.
	maxRequestLine = 8 << 10
)

// headConn states.
const (
	headSniffing  = iota // no complete request line seen yet
	headRecording        // the first request asks for a tap: keep its bytes
	headOff              // anything else: keep nothing
)

// headConn is an accepted connection that keeps the bytes of its first
// request and response when that request asks for a tap.
type headConn struct {
	net.Conn
	state atomic.Int32

	mu      sync.Mutex
	in, out []byte
}

func (c *headConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	if n > 0 && c.state.Load() != headOff {
		c.recordIn(p[:n])
	}
	return n, err
}

func (c *headConn) Write(p []byte) (int, error) {
	n, err := c.Conn.Write(p)
	if n > 0 && c.state.Load() == headRecording {
		c.recordOut(p[:n])
	}
	return n, err
}

// CloseWrite half-closes the connection, as the TCP connection underneath
// does: net/http looks for this method to end a connection gracefully
// after an error response (without it, unread input makes Linux send a
// reset that can destroy the response).
func (c *headConn) CloseWrite() error {
	if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return nil
}

// ReadFrom keeps the TCP connection's sendfile path for a response body
// once nothing is being recorded.
func (c *headConn) ReadFrom(r io.Reader) (int64, error) {
	if rf, ok := c.Conn.(io.ReaderFrom); ok && c.state.Load() == headOff {
		return rf.ReadFrom(r)
	}
	return io.Copy(struct{ io.Writer }{c}, r)
}

func (c *headConn) recordIn(b []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.state.Load() == headOff {
		return
	}
	if len(c.in)+len(b) > maxHeadIn {
		c.offLocked()
		return
	}
	c.in = append(c.in, b...)
	if c.state.Load() != headSniffing {
		return
	}
	line, _, ok := bytes.Cut(c.in, []byte("\r\n"))
	switch {
	case !ok && len(c.in) < maxRequestLine:
		// The line is not complete yet.
	case !ok || !asksForTap(string(line)):
		c.offLocked()
	default:
		c.state.Store(headRecording)
	}
}

func (c *headConn) recordOut(b []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.state.Load() != headRecording {
		return
	}
	// Only an upgrade's answer is worth keeping: a page asked for with
	// ?tap= is answered 200 and forgotten.
	if len(c.out) == 0 && !bytes.HasPrefix(b, []byte("HTTP/1.1 101 ")) || len(c.out)+len(b) > maxHeadOut {
		c.offLocked()
		return
	}
	c.out = append(c.out, b...)
}

func (c *headConn) offLocked() {
	c.state.Store(headOff)
	c.in, c.out = nil, nil
}

// take ends the recording and returns what it kept: the bytes read and
// written so far, both nil if the connection was not recording.
func (c *headConn) take() (in, out []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.state.Load() == headRecording {
		in, out = c.in, c.out
	}
	c.offLocked()
	return in, out
}

// asksForTap reports whether an HTTP request line is a GET whose query has
// a tap parameter.
func asksForTap(line string) bool {
	target, ok := strings.CutPrefix(line, "GET ")
	if !ok {
		return false
	}
	target, _, _ = strings.Cut(target, " ")
	_, query, _ := strings.Cut(target, "?")
	for _, kv := range strings.Split(query, "&") {
		if k, _, _ := strings.Cut(kv, "="); k == "tap" {
			return true
		}
	}
	return false
}
