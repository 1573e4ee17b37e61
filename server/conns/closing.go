package conns

import (
	"crypto/tls"
	"encoding/binary"
	"net"
	"syscall"
	"time"

	"socketlab/server/wsframe"
)

// The closing handshake's bounds: after the server's close frame has gone
// out, the connection reads on, discarding, for at most drainTimeout and
// drainMaxBytes, until the peer's close frame or the end of its stream.
// The library's Close waits five seconds for the peer's answer too.
const (
	drainTimeout  = 5 * time.Second
	drainMaxBytes = 16 << 20
)

// closeReasonNotUTF8 is the reason of the 1007 that answers a peer's close
// frame whose reason is not UTF-8.
const closeReasonNotUTF8 = "close reason is not valid UTF-8"

// Read reads the network for the library and follows the peer's frames.
// A close frame is held back until it is whole and vetted: the library
// echoes a peer's close reason without checking it, and RFC 6455 section
// 8.1 wants invalid UTF-8 failed with 1007 instead — so a close frame
// whose reason is not UTF-8 reaches the library as a close 1007 of the
// connection layer's making, which the library then echoes.
func (c *corkConn) Read(p []byte) (int, error) {
	if c.stopRead.Load() {
		return 0, net.ErrClosed
	}
	c.rmu.Lock()
	defer c.rmu.Unlock()
	for {
		if c.stopRead.Load() {
			return 0, net.ErrClosed
		}
		if len(c.pending) > 0 {
			n := copy(p, c.pending)
			c.pending = c.pending[n:]
			return n, nil
		}
		if c.in.closed {
			// After the peer's close: nothing left to follow.
			return c.readNet(p)
		}
		n, err := c.readNet(p)
		pass, end := c.in.scan(p[:n])
		if c.in.release {
			// What was held was no close frame after all (one over 125
			// bytes, or fragmented): it goes first, as it came.
			c.in.release = false
			c.pending = append(c.in.held, p[:n]...)
			c.in.held = nil
			pass = copy(p, c.pending)
			c.pending = c.pending[pass:]
			if len(c.pending) == 0 {
				c.pending = nil
			}
			return pass, err
		}
		if c.in.closed {
			c.closeRecvAt = time.Now()
			c.pending = append(c.vetClose(), p[end:n]...)
		}
		if pass > 0 || err != nil {
			return pass, err
		}
		// All of p was the start of a close frame, held until it is whole,
		// or the whole frame, now pending: read on, or hand it over.
	}
}

// readNet reads what came from the peer: first the bytes net/http read
// early, then the socket. rmu is held.
func (c *corkConn) readNet(p []byte) (int, error) {
	if len(c.early) > 0 {
		n := copy(p, c.early)
		c.early = c.early[n:]
		if len(c.early) == 0 {
			c.early = nil
		}
		return n, nil
	}
	return c.Conn.Read(p)
}

// hasPending reports whether Read has bytes for the library that the
// socket does not show.
func (c *corkConn) hasPending() bool {
	c.rmu.Lock()
	defer c.rmu.Unlock()
	return len(c.pending) > 0 || len(c.early) > 0
}

// vetClose returns the peer's close frame as the library is to see it.
func (c *corkConn) vetClose() []byte {
	if !c.in.badCloseReason() {
		return c.in.held
	}
	c.badCloseReason.Store(true)
	// A masked frame (the key is zero, so the payload reads as it is).
	f := []byte{0x80 | wsframe.OpClose, 0x80 | byte(2+len(closeReasonNotUTF8)), 0, 0, 0, 0, 0, 0}
	binary.BigEndian.PutUint16(f[6:], 1007)
	return append(f, closeReasonNotUTF8...)
}

// noteWrite follows the server's frames on their way out, to know when
// and with what the server's close frame left. c.mu is held.
func (c *corkConn) noteWrite(p []byte) {
	if c.out.closed {
		return
	}
	c.out.scan(p)
	if c.out.closed {
		c.closeSentAt = time.Now()
	}
}

// Close drains, then closes the network connection. The library calls it
// for every way a socket ends: its Close after the handshake, CloseNow,
// an expired context.
//
// Why drain: once the server has sent its close frame, the peer may still
// be sending — a browser mid-way through uploading a message over the
// read limit, most of all. Closing a TCP socket with unread bytes in its
// receive queue makes Linux answer with a reset, and a reset makes the
// peer drop what it has received but not yet read: the close frame. So
// the connection reads on and discards until the peer's close frame (the
// scanner knows where frames begin even where the library gave up) or
// the end of its stream, bounded in time from when the close frame went
// out and in bytes; and whatever is already queued is read before the
// socket closes.
func (c *corkConn) Close() error {
	// A close frame written while corked (the library answering the
	// peer's close in the middle of a writer's batch) is still in memory.
	c.mu.Lock()
	if c.corked {
		c.flushLocked()
	}
	c.mu.Unlock()
	c.drain()
	return c.Conn.Close()
}

func (c *corkConn) drain() {
	c.mu.Lock()
	sent := c.closeSentAt
	c.mu.Unlock()
	c.stopRead.Store(true)
	if !sent.IsZero() && time.Now().Before(sent.Add(drainTimeout)) {
		// Wake a reader blocked in Read or in WaitReadable, then take its
		// place.
		c.Conn.SetReadDeadline(time.Now())
		c.rmu.Lock()
		if !c.in.closed {
			c.Conn.SetReadDeadline(sent.Add(drainTimeout))
			buf := make([]byte, 4<<10)
			for total := 0; !c.in.closed && total < drainMaxBytes; {
				n, err := c.Conn.Read(buf)
				total += n
				c.in.scan(buf[:n])
				if c.in.closed {
					c.closeRecvAt = time.Now()
				}
				if err != nil {
					break
				}
			}
		}
		c.rmu.Unlock()
	}
	discardQueued(c.Conn)
}

// frameLeft reports how many bytes of the peer's current frame are still
// to come from the network.
func (c *corkConn) frameLeft() int64 {
	c.rmu.Lock()
	defer c.rmu.Unlock()
	return c.in.left
}

// sentClose returns the close frame the server sent, if any, and whether
// it went out before the peer's.
func (c *corkConn) sentClose() (code int, reason string, first, ok bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.out.closed {
		return 0, "", false, false
	}
	p := c.out.closePayload()
	code = 1005
	if len(p) >= 2 {
		code, reason = int(binary.BigEndian.Uint16(p)), string(p[2:])
	}
	c.rmu.Lock()
	recv := c.closeRecvAt
	c.rmu.Unlock()
	return code, reason, recv.IsZero() || c.closeSentAt.Before(recv), true
}

// discardQueued reads, without waiting, what the kernel holds for the
// socket under nc: with it read, closing sends a FIN, not a reset.
func discardQueued(nc net.Conn) {
	if t, ok := nc.(*tapConn); ok {
		nc = t.Conn
	}
	if t, ok := nc.(*tls.Conn); ok {
		nc = t.NetConn()
	}
	sc, ok := nc.(syscall.Conn)
	if !ok {
		return
	}
	raw, err := sc.SyscallConn()
	if err != nil {
		return
	}
	// Control, not Read: Read would wait for a reader parked in
	// WaitReadable, which only the close that this precedes releases.
	raw.Control(func(fd uintptr) { discardFD(fd, drainMaxBytes) })
}
