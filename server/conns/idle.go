package conns

import (
	"bufio"
	"context"
	"net"
	"sync"
	"syscall"

	"github.com/coder/websocket"
)

// idleWaiter parks a socket's reader until the peer sends something, in
// the runtime's network poller and with a shallow stack.
//
// Why: a goroutine blocked in a WebSocket read holds the library's whole
// read path on its stack, just over the quarter of 8 KB below which Go
// halves an idle stack at a garbage collection. Waiting here, the same
// goroutine holds a few frames, and its stack shrinks to 2 or 4 KB: for an
// idle chat socket, a third of what it costs the server.
type idleWaiter struct {
	raw syscall.RawConn
	br  *bufio.Reader // the library's reader: bytes in it need no wait
}

// newIdleWaiter returns a waiter for nc read through br, or nil when nc is
// not a plain socket (TLS keeps decrypted bytes of its own that the socket
// does not show).
func newIdleWaiter(nc net.Conn, br *bufio.Reader) *idleWaiter {
	sc, ok := nc.(*net.TCPConn)
	if !ok || !peekSupported {
		return nil
	}
	raw, err := sc.SyscallConn()
	if err != nil {
		return nil
	}
	return &idleWaiter{raw: raw, br: br}
}

// wait returns once a read would not block: bytes are buffered, or the
// socket has data, an end of file or an error for the read to report. It
// returns an error only when the connection is closed.
func (w *idleWaiter) wait(gate *sync.Mutex) error {
	// The library's reader is read by Close too, from another goroutine,
	// while this one waits outside any Read; Close holds the gate.
	gate.Lock()
	buffered := w.br.Buffered()
	gate.Unlock()
	if buffered > 0 {
		return nil
	}
	// RawConn.Read calls the function until it returns true, waiting in
	// the poller for the socket to be readable after each false. The
	// function peeks: it consumes nothing, so the library's read sees it
	// all.
	return w.raw.Read(func(fd uintptr) bool { return !peekWouldBlock(fd) })
}

// WaitReadable returns once the peer has sent something (or the connection
// ended), parked with a small stack; a handler calls it before each Read
// to make its idle sockets cheaper. It returns at once where it cannot
// help (TLS, a platform without the peek it needs, a connection whose
// first bytes came with the handshake), and returns an error only when
// the connection has been closed.
func (c *Conn) WaitReadable() error {
	if c.net == nil || c.net.idle == nil {
		return nil
	}
	if c.net.hasPending() {
		// A vetted close frame waits in the connection, not the socket.
		return nil
	}
	return c.net.idle.wait(&c.readGate)
}

// InputQueued reports, without waiting, how many bytes the peer has sent
// that no read has taken yet, and false where it cannot tell (TLS, a
// platform without the ioctl). A handler that paces its reader asks it to
// tell a peer that keeps pushing (messages pile up) from one that waits
// for each answer (one message at most).
func (c *Conn) InputQueued() (int, bool) {
	if c.net == nil || c.net.idle == nil {
		return 0, false
	}
	c.net.rmu.Lock()
	n := len(c.net.pending)
	c.net.rmu.Unlock()
	w := c.net.idle
	c.readGate.Lock()
	n += w.br.Buffered()
	c.readGate.Unlock()
	queued, ok := 0, false
	w.raw.Control(func(fd uintptr) { queued, ok = unreadBytes(fd) })
	return n + queued, ok
}

// ReadParked is the reader's step of every lab's loop: WaitReadable, then
// Read. Written once so that no handler forgets the wait and holds a
// library read, with its deep stack, on each idle socket.
func (c *Conn) ReadParked(ctx context.Context) (websocket.MessageType, []byte, error) {
	if err := c.WaitReadable(); err != nil {
		return 0, nil, err
	}
	return c.Read(ctx)
}
