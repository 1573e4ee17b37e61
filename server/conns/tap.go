package conns

import (
	"bytes"
	"fmt"
	"net"
	"net/http"
	"sync"
)

// A Tapper watches the sockets that ask for it: any socket whose URL has a
// tap parameter, on any endpoint, unless its Accept sets Options.NoTap.
// server/wire's hub is one: it decodes every frame for the wire lab.
type Tapper interface {
	// Tap is called by Accept once the handshake is done, before the
	// socket reads or writes anything. It returns the Tap that gets a
	// copy of every byte from then on; or an error, and Accept then
	// closes the socket with 1008 and the error's text as the reason.
	// A write to c from another goroutine while Tap runs (Tap may have
	// made c known to one) waits for Tap, and the returned Tap sees it.
	Tap(c *Conn, req *http.Request, hs Handshake) (Tap, error)
}

// A Tap receives a copy of every byte a tapped socket reads and writes, in
// order, as it crosses the network (under the library's buffers and the
// cork): bytes written as they are handed to the network, bytes read as
// they arrive from it. Its methods are never called concurrently; they must not block
// and must not keep p.
type Tap interface {
	In(p []byte)  // bytes read from the peer
	Out(p []byte) // bytes written to the peer
	End()         // the connection is closed: the last call
}

// Handshake is the opening handshake of a tapped socket.
type Handshake struct {
	// Request is the client's request head, Response the server's, each
	// up to and including its blank line.
	Request, Response []byte
	// Recorded says they are the bytes as they crossed (RecordHeads
	// saw them). Otherwise, behind TLS or on a reused connection, they
	// are rebuilt from what net/http parsed and set: the headers sorted
	// by name, in Go's spelling.
	Recorded bool
}

// tapConn is the network connection of a tapped socket: every byte read or
// written is also handed to the tap. Untapped sockets never get one, so
// their reads and writes go straight to the network as before.
type tapConn struct {
	net.Conn

	mu  sync.Mutex // orders the tap's calls: Read and Write run concurrently
	tap Tap        // nil before attach and after end
}

func (c *tapConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	if n > 0 {
		c.mu.Lock()
		if c.tap != nil {
			c.tap.In(p[:n])
		}
		c.mu.Unlock()
	}
	return n, err
}

// Write hands p to the tap before the network: once written, the peer may
// answer before this Write returns, and the tap must see a frame before the
// answer to it. (A write that fails leaves the connection broken anyway.)
func (c *tapConn) Write(p []byte) (int, error) {
	c.mu.Lock()
	if c.tap != nil {
		c.tap.Out(p)
	}
	c.mu.Unlock()
	return c.Conn.Write(p)
}

// attach asks newTap for the tap and starts the copy, holding the lock
// throughout: once newTap has made the socket known (the wire lab's hub
// posts its handshake, and an observer may answer with "ping" at once), a
// write from another goroutine must wait for the tap rather than cross
// unseen. early are bytes the client sent right behind its request, which
// net/http had already read into its buffer: the library reads them from
// there, never through this connection.
func (c *tapConn) attach(newTap func() (Tap, error), early []byte) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	t, err := newTap()
	if err != nil {
		return err
	}
	c.tap = t
	if len(early) > 0 {
		t.In(early)
	}
	return nil
}

// end tells the tap the connection is closed.
func (c *tapConn) end() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.tap != nil {
		c.tap.End()
		c.tap = nil
	}
}

// tapHead is what corkingWriter.Hijack collects for a tapped socket.
type tapHead struct {
	in, out []byte      // recorded by a headConn, nil without
	early   []byte      // bytes net/http had buffered past the request
	header  http.Header // the response headers, for a rebuilt response
	tc      *tapConn
}

// handshake returns the heads as recorded, or rebuilt from req and the
// response headers.
func (h *tapHead) handshake(req *http.Request) Handshake {
	if end := bytes.Index(h.in, []byte("\r\n\r\n")); end >= 0 && len(h.out) > 0 {
		return Handshake{Request: h.in[:end+4], Response: h.out, Recorded: true}
	}
	var rq, rs bytes.Buffer
	fmt.Fprintf(&rq, "%s %s %s\r\nHost: %s\r\n", req.Method, req.RequestURI, req.Proto, req.Host)
	req.Header.Write(&rq)
	rq.WriteString("\r\n")
	rs.WriteString("HTTP/1.1 101 Switching Protocols\r\n")
	h.header.Write(&rs)
	rs.WriteString("\r\n")
	return Handshake{Request: rq.Bytes(), Response: rs.Bytes()}
}
