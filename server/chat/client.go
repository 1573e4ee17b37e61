package chat

import (
	"sync"
	"sync/atomic"

	"socketlab/server/conns"
)

// out is one item of a socket's send queue. The queue holds pointers, and
// the fan-out queues one *out per message to every socket of the room: an
// idle socket's queue then costs 8 bytes a slot (2 KB for 256) instead of
// the 56 of an out, and a delivery copies one pointer. An out is never
// modified once queued.
type out struct {
	// frame is the encoded envelope. For msg and presence frames it is
	// shared by every socket of the room: never modify it.
	frame []byte
	// seq and room are set for msg frames, so that the writer can drop
	// what the history of a join already delivered.
	seq  uint64
	room string
	// join, when set, asks the writer to serve a join: welcome, history,
	// synced. It is queued by the hub in the same critical section that
	// adds the socket to the room, so every live frame comes after it.
	join *joinReq
}

type joinReq struct {
	room, nick string
	since      uint64
}

// client is one chat socket.
type client struct {
	conn  *conns.Conn
	queue chan *out

	kickOnce sync.Once
	kicked   chan struct{} // closed when the queue overflowed
	kicks    *atomic.Int64 // the hub's count of sockets closed as too slow

	// The socket's writer is a goroutine that runs only while the queue
	// has something for it (Handler.runWriter): an idle socket, the
	// common case by far, then costs no writer stack. At most one runs at
	// a time, so frames leave in queue order.
	startWriter func() // starts runWriter in a new goroutine
	wmu         sync.Mutex
	wdone       *sync.Cond // signalled when a writer stops
	writing     bool       // a writer is running
	stopped     bool       // the socket is done: start no writer
	pos         position   // where the writer stands; only the writer touches it

	// Guarded by the hub's mutex.
	room, nick, token string
}

func newClient(c *conns.Conn, queue int, kicks *atomic.Int64) *client {
	cl := &client{conn: c, queue: make(chan *out, queue), kicked: make(chan struct{}), kicks: kicks}
	cl.wdone = sync.NewCond(&cl.wmu)
	return cl
}

// push queues o without ever waiting and makes sure a writer will send it.
// It reports false, and marks the client to be closed as too slow, when the
// queue is full: the one who pushes (the hub's fan-out, or this socket's
// own reader) must not be held up by a socket that does not read.
func (c *client) push(o *out) bool {
	select {
	case c.queue <- o:
		c.wake()
		return true
	default:
		c.kick()
		return false
	}
}

// wake starts a writer unless one is running (it will see what was just
// queued: it checks the queue under wmu before it stops) or the socket is
// done.
func (c *client) wake() {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	if c.writing || c.stopped || c.startWriter == nil {
		return
	}
	c.writing = true
	c.startWriter()
}

// writerDone is the writer's last step: it stops unless something was
// queued meanwhile (or the socket was kicked), in which case it reports
// false and goes on.
func (c *client) writerDone(failed bool) (stop bool) {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	if !failed && !c.stopped && (len(c.queue) > 0 || c.isKicked()) {
		return false
	}
	if failed {
		c.stopped = true // its socket is broken: no writer after this one
	}
	c.writing = false
	c.wdone.Broadcast()
	return true
}

// stop starts no more writers and waits for the running one, if any, to
// finish. The handler calls it once the socket's context is cancelled,
// which ends a writer's network write and catch-up at once.
func (c *client) stop() {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	c.stopped = true
	for c.writing {
		c.wdone.Wait()
	}
}

func (c *client) kick() {
	c.kickOnce.Do(func() {
		c.kicks.Add(1)
		c.conn.Log().Warn("chat: send queue full, closing as too slow", "queue", cap(c.queue))
		close(c.kicked)
	})
	c.wake() // the writer sends the 4008 close
}

func (c *client) isKicked() bool {
	select {
	case <-c.kicked:
		return true
	default:
		return false
	}
}
