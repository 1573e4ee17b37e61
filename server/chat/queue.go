package chat

import "sync"

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
	// resync, when set, asks the writer to read its room from the stream
	// up to this seq: the feed recovered from a stall and handed its
	// backlog over (rooms.skip) rather than queue it all at once.
	resync uint64
}

type joinReq struct {
	room, nick string
	since      uint64
	batch      bool // the client reads batched frames (msg.ChatEnvelopes)
}

// sendQueue is a socket's bounded send queue and the start of its writer.
// The writer is a goroutine that runs only while the queue has something
// for it (Handler.runWriter, writer.go): an idle socket, the common case by
// far, then costs neither a writer stack nor queue memory (a slice that is
// nil when empty, where a channel would keep its 256 slots). At most one
// writer runs at a time, so frames leave in queue order.
type sendQueue struct {
	startWriter func() // starts runWriter, on a parked worker (workers.go) or a new goroutine
	onKick      func() // logs and counts a socket closed as too slow
	// blocked reports whether the peer holds the socket's writes back
	// (conns.Conn.WriteBlocked); nil: a full queue always means too slow.
	blocked func() bool

	kickOnce sync.Once
	kicked   chan struct{} // closed when the queue overflowed

	wmu      sync.Mutex
	wdone    *sync.Cond // signalled when a writer stops
	pending  []*out     // queued, oldest first (see fullLocked for how many)
	maxQueue int
	// recheckAt is the queue length at which a queue past maxQueue asks
	// blocked again: once a socket was found writable, the next 1/8 of
	// maxQueue pushes go without a system call each.
	recheckAt int
	writing   bool // a writer is running
	// flushing: the running writer took a batch and is writing it, so a
	// stop may have to cut its network write (a writer that waits for
	// more, or stops, holds no write to cut)
	flushing bool
	stopped  bool // the socket is done: start no writer
}

func (c *sendQueue) init(maxQueue int, onKick func()) {
	c.maxQueue, c.onKick, c.kicked = maxQueue, onKick, make(chan struct{})
	c.wdone = sync.NewCond(&c.wmu)
}

// push queues o without ever waiting and makes sure a writer will send it.
// It reports false, and marks the client to be closed as too slow, when the
// queue is full: the one who pushes (the hub's fan-out, or this socket's
// own reader) must not be held up by a socket that does not read.
func (c *sendQueue) push(o *out) bool {
	c.wmu.Lock()
	if c.stopped {
		// The socket is done or its writer failed: nothing will be
		// written, and the socket is on its way out of its room.
		c.wmu.Unlock()
		return false
	}
	if c.fullLocked() {
		c.wmu.Unlock()
		c.kick()
		return false
	}
	c.pending = append(c.pending, o)
	c.wakeLocked()
	c.wmu.Unlock()
	return true
}

// overloadQueue is how many times maxQueue a queue may grow to while its
// socket takes every byte it is given: the backlog is then the server's
// own (its writers did not get the CPU), not the peer's. It bounds a
// socket's memory (8 bytes a slot) however long the overload lasts.
const overloadQueue = 16

// fullLocked reports whether the queue can take no more, which makes its
// socket too slow: at maxQueue when the peer is what holds the writes back
// (its kernel would take no more), at overloadQueue × maxQueue whatever
// the cause. A queue that filled while its socket would take more is the
// server falling behind, and cutting a client that reads at full speed
// for it would only add reconnects and catch-ups to the overload.
func (c *sendQueue) fullLocked() bool {
	n := len(c.pending)
	switch {
	case n < c.maxQueue:
		return false
	case n >= c.maxQueue*overloadQueue || c.blocked == nil:
		return true
	case n < c.recheckAt:
		return false
	}
	if c.blocked() {
		return true
	}
	c.recheckAt = n + max(1, c.maxQueue/8)
	return false
}

// wakeLocked starts a writer unless one is running (it will see what was
// just queued: it looks at the queue under wmu before it stops) or the
// socket is done.
func (c *sendQueue) wakeLocked() {
	if c.writing || c.stopped || c.startWriter == nil {
		return
	}
	c.writing = true
	c.startWriter()
}

// take empties the queue and returns what was in it.
func (c *sendQueue) take() []*out {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	return c.takeLocked()
}

func (c *sendQueue) takeLocked() []*out {
	batch := c.pending
	c.pending, c.recheckAt = nil, 0
	return batch
}

// next is the writer's step: it returns what is queued, or, when there is
// nothing (and no 4008 to send) or the socket is done, reports false and
// the writer stops.
func (c *sendQueue) next() ([]*out, bool) {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	c.flushing = false // the writer is done with what it took before
	if c.stopped || (len(c.pending) == 0 && !c.isKicked()) {
		c.writing = false
		c.wdone.Broadcast()
		return nil, false
	}
	c.flushing = true
	return c.takeLocked(), true
}

// fail stops the writer for good: its socket is broken, closed or too
// slow, and later pushes are dropped.
func (c *sendQueue) fail() {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	c.stopped, c.writing, c.pending = true, false, nil
	c.wdone.Broadcast()
}

// stop starts no more writers and waits for the running one, if any, to
// finish. The handler calls it once the socket's context is cancelled,
// which ends a writer's catch-up and its wait for more (WriteDelay) at
// once; cut, called when a writer is writing a batch, ends its network
// write: a batch's writes carry no context (writeBatch), so that a batch
// does not pay for a hook on it. A writer that is not writing is not cut,
// so that the handler's own close (a 1002 after a protocol error) still
// goes out as a close frame.
func (c *sendQueue) stop(cut func()) {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	c.stopped = true
	if c.flushing && cut != nil {
		cut()
	}
	for c.writing {
		c.wdone.Wait()
	}
}

func (c *sendQueue) kick() {
	c.kickOnce.Do(func() {
		if c.onKick != nil {
			c.onKick()
		}
		close(c.kicked)
	})
	c.wmu.Lock()
	c.wakeLocked() // the writer sends the 4008 close
	c.wmu.Unlock()
}

func (c *sendQueue) isKicked() bool {
	select {
	case <-c.kicked:
		return true
	default:
		return false
	}
}
