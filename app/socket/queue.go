package socket

import (
	"context"
	"errors"
	"slices"
)

// ErrQueueFull is returned by Send when Options.QueueMax messages are
// already waiting. Nothing is queued then: the caller keeps the message
// (the chat's outbox does, in storage) or lets it go (a heartbeat).
var ErrQueueFull = errors.New("socket: send queue full")

// ErrClosed is returned by Send once the Conn has stopped: Close was
// called, or Run returned.
var ErrClosed = errors.New("socket: closed")

// outMsg is one message waiting in the send queue. id tells the writer,
// after a write, whether the head is still the message it wrote: Close or
// Discard may have emptied the queue meanwhile.
type outMsg struct {
	id     uint64
	binary bool
	data   []byte
}

// Send queues data to be written as one text message. It never blocks:
// messages are written in the order they were queued, by the socket's
// writer, on the socket open now or, while there is none (connecting,
// reconnecting, offline), on the next one, after OnOpen's own sends. What
// a socket did not write before it ended is written on the next, in the
// same order; what it wrote is gone, so a message may be lost with a
// dropped connection, and the lab's protocol says what is acknowledged
// (the chat's ack). Send returns ErrQueueFull when the queue holds
// Options.QueueMax messages, ErrClosed after Close or once Run returned.
func (c *Conn) Send(data []byte) error { return c.enqueue(false, data) }

// SendBinary queues data as one binary message, like Send.
func (c *Conn) SendBinary(data []byte) error { return c.enqueue(true, data) }

// Queued returns how many messages wait to be written.
func (c *Conn) Queued() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.queue)
}

func (c *Conn) enqueue(binary bool, data []byte) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.stopped {
		return ErrClosed
	}
	if len(c.queue) >= c.opts.QueueMax {
		return ErrQueueFull
	}
	// A copy: the caller may reuse its buffer before the writer runs.
	c.lastID++
	m := outMsg{id: c.lastID, binary: binary, data: slices.Clone(data)}
	if c.opening {
		// Sent by OnOpen (or while it is due): ahead of what waited for
		// this socket, after what OnOpen sent before.
		c.queue = slices.Insert(c.queue, c.ahead, m)
		c.ahead++
	} else {
		c.queue = append(c.queue, m)
	}
	select {
	case c.queued <- struct{}{}:
	default:
	}
	return nil
}

// writeLoop writes the queue on ws, oldest first, until ctx ends or a
// write fails. It starts once OnOpen has run (opened is closed), so a
// join goes out before anything that waited for the socket. A message is
// taken off the queue only once written: after a failed write it stays
// first, for the next socket (the reader sees the same failure and ends
// this one).
func (c *Conn) writeLoop(ctx context.Context, ws transport, opened <-chan struct{}) {
	select {
	case <-opened:
	case <-ctx.Done():
		return
	}
	for {
		c.mu.Lock()
		if len(c.queue) == 0 {
			c.mu.Unlock()
			select {
			case <-c.queued:
				continue
			case <-ctx.Done():
				return
			}
		}
		m := c.queue[0]
		c.mu.Unlock()
		// The inspector shows the frame before it is written, so that it
		// comes before the answer it may bring.
		c.frame(Frame{Dir: Sent, Binary: m.binary, Size: len(m.data), Data: string(m.data)})
		if err := ws.Write(ctx, m.binary, m.data); err != nil {
			c.frame(Frame{Dir: Event, Data: "send failed: " + err.Error() + " (kept for the next socket)"})
			return
		}
		c.mu.Lock()
		// Only this goroutine takes from the queue, and Send inserts
		// ahead of the head only while no writer runs (c.opening).
		if len(c.queue) > 0 && c.queue[0].id == m.id {
			c.queue[0] = outMsg{}
			c.queue = c.queue[1:]
		}
		c.mu.Unlock()
	}
}

// Discard empties the send queue and reports how many messages it held.
// A page whose messages mean nothing on another socket calls it from
// OnClose: casefold, whose replies pair with requests by their order on
// one socket; the chat, whose says wait in its outbox for the next
// synced. Nothing is written between OnClose and the next OnOpen, so
// what it discards there is what the old socket left unwritten.
func (c *Conn) Discard() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := len(c.queue)
	c.queue, c.ahead = nil, 0
	return n
}
