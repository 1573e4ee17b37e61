package conns

import (
	"bufio"
	"bytes"
	"fmt"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// corkMax bounds the bytes a corked connection holds back; past it the batch
// goes out early, so a socket's memory stays bounded however much is queued
// for it.
const corkMax = 64 << 10

// corkPool recycles batch buffers: only a socket that is writing a batch
// holds one, so ten thousand idle sockets cost nothing here.
var corkPool = sync.Pool{New: func() any { b := make([]byte, 0, 8<<10); return &b }}

// corkConn is the network connection under a WebSocket, with the corking of
// Linux's TCP_CORK done in user space. The library flushes after every
// frame, one write system call each; on a busy chat socket those calls are
// most of the server's CPU. Corked, the flushes land in memory instead, and
// Uncork sends everything with one write.
type corkConn struct {
	net.Conn

	mu      sync.Mutex // serialises writes to Conn with Uncork's
	corked  bool
	timeout time.Duration // bounds each network write made while corked
	buf     *[]byte       // from corkPool while corked
	// raw is the TCP socket under Conn, for a flush that needs no
	// deadline (flushLocked); nil for TLS, a tapped socket or a pipe.
	raw syscall.RawConn

	idle *idleWaiter // for Conn.WaitReadable; nil when it cannot be used

	// The closing handshake (closing.go). out follows the server's frames
	// under mu; in follows the peer's under rmu, which Read holds.
	out         frameScanner
	closeSentAt time.Time // when the server's close frame went out
	rmu         sync.Mutex
	in          frameScanner
	pending     []byte // bytes for the library's next reads
	// early are bytes net/http read past the handshake before the hijack
	// (a client that sent its first frame without waiting): Read takes
	// them before the socket, through the scanner like any other.
	early       []byte
	closeRecvAt time.Time // when the peer's close frame came in
	// stopRead refuses the library's reads from the moment the socket
	// drains (or Finish fails it): its parser may be lost in the stream.
	stopRead       atomic.Bool
	badCloseReason atomic.Bool // the peer's close reason was not UTF-8
}

func (c *corkConn) cork(timeout time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.corked {
		return
	}
	c.corked, c.timeout = true, timeout
	c.buf = corkPool.Get().(*[]byte)
}

func (c *corkConn) uncork() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.corked {
		return nil
	}
	err := c.flushLocked()
	c.corked = false
	if cap(*c.buf) <= 2*corkMax {
		*c.buf = (*c.buf)[:0]
		corkPool.Put(c.buf)
	}
	c.buf = nil
	return err
}

// Write sends p, or keeps it for the batch while corked.
func (c *corkConn) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.noteWrite(p)
	if !c.corked {
		// The library bounds this write itself: its context closes the
		// connection when it expires.
		return c.Conn.Write(p)
	}
	*c.buf = append(*c.buf, p...)
	if len(*c.buf) >= corkMax {
		if err := c.flushLocked(); err != nil {
			return 0, err
		}
	}
	return len(p), nil
}

// flushLocked writes the held bytes with the cork's own deadline: the
// library wrote them with no deadline of its own, into memory.
//
// A socket that takes them all at once, the common case by far, needs no
// deadline: they are written without waiting first (writeNoWait), and a
// deadline is set, and cleared, only for what is left. Each deadline
// moves a runtime timer, and a busy chat socket flushes hundreds of times
// a second.
func (c *corkConn) flushLocked() error {
	b := *c.buf
	*c.buf = (*c.buf)[:0]
	if c.raw != nil && len(b) > 0 {
		n, err := writeNoWait(c.raw, b)
		if err != nil {
			return fmt.Errorf("conns: uncork: %w", err)
		}
		b = b[n:]
	}
	if len(b) == 0 {
		return nil
	}
	if err := c.Conn.SetWriteDeadline(time.Now().Add(c.timeout)); err != nil {
		return fmt.Errorf("conns: uncork: %w", err)
	}
	_, err := c.Conn.Write(b)
	if derr := c.Conn.SetWriteDeadline(time.Time{}); err == nil && derr != nil {
		err = derr
	}
	if err != nil {
		return fmt.Errorf("conns: uncork: %w", err)
	}
	return nil
}

// corkingWriter hands the WebSocket library a corkConn when it hijacks the
// HTTP connection.
type corkingWriter struct {
	http.ResponseWriter
	conn *corkConn
	// unsent, when positive, bounds the bytes the kernel keeps unsent
	// (see limitUnsent).
	unsent int
	// tap, for a socket to be tapped, collects its handshake and gets
	// the tapConn that Hijack puts under the cork; nil otherwise.
	tap *tapHead
}

// Buffer sizes of a socket's reader and writer. net/http hands over 4 KB
// each with a hijacked connection, and the library keeps them for the
// socket's life: 8 KB of an idle socket's 16. Smaller ones cost little:
// a read or write bigger than the buffer bypasses it, and a corked writer
// batches in its own memory anyway.
const (
	readBufferSize  = 1 << 10
	writeBufferSize = 1 << 10
)

// Hijack takes over the connection, as http.Hijacker, with buffers of its
// own. The library reads what the reader it is given has buffered, then
// the connection it is given; bytes net/http has already read past the
// handshake (a client that sent its first frame without waiting) would
// thus reach it without passing the frame scanner. So they move out of
// net/http's reader into the connection, whose Read hands them over
// first, scanned like every other byte, and the library gets an empty
// reader of our own.
//
// A connection from RecordHeads is unwrapped here: from now on the socket
// reads and writes the network directly (a tapped one through a tapConn).
func (w *corkingWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	if w.tap != nil {
		w.tap.header = w.ResponseWriter.Header().Clone()
	}
	nc, brw, err := http.NewResponseController(w.ResponseWriter).Hijack()
	if err != nil {
		return nil, nil, err
	}
	if hc, ok := nc.(*headConn); ok {
		in, out := hc.take()
		if w.tap != nil {
			w.tap.in, w.tap.out = in, out
		}
		nc = hc.Conn
	}
	if w.unsent > 0 {
		if err := limitUnsent(nc, w.unsent); err != nil {
			nc.Close()
			return nil, nil, err
		}
	}
	under := nc
	if w.tap != nil {
		w.tap.tc = &tapConn{Conn: nc}
		under = w.tap.tc
		if n := brw.Reader.Buffered(); n > 0 {
			early, _ := brw.Reader.Peek(n)
			w.tap.early = bytes.Clone(early)
		}
	}
	w.conn = &corkConn{Conn: under}
	if sc, ok := under.(syscall.Conn); ok && w.tap == nil {
		if raw, err := sc.SyscallConn(); err == nil {
			w.conn.raw = raw
		}
	}
	// Bytes net/http read past the handshake are taken out of its reader
	// and given to the connection's Read, so that the scanner follows
	// them as it does every byte from the socket: a close frame whose
	// first bytes came early is held and vetted like any other. The
	// library then reads through a fresh reader of our own.
	if n := brw.Reader.Buffered(); n > 0 {
		early, _ := brw.Reader.Peek(n)
		w.conn.early = bytes.Clone(early)
	}
	w.conn.in.hold = true
	br := bufio.NewReaderSize(nc, readBufferSize)
	w.conn.idle = newIdleWaiter(nc, br)
	return w.conn, bufio.NewReadWriter(br, bufio.NewWriterSize(w.conn, writeBufferSize)), nil
}

// Unwrap gives http.ResponseController the writer underneath.
func (w *corkingWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
