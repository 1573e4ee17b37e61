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

	// Guarded by the hub's mutex.
	room, nick, token string
}

func newClient(c *conns.Conn, queue int, kicks *atomic.Int64) *client {
	return &client{conn: c, queue: make(chan *out, queue), kicked: make(chan struct{}), kicks: kicks}
}

// push queues o without ever waiting. It reports false, and marks the
// client to be closed as too slow, when the queue is full: the one who
// pushes (the hub's fan-out, or this socket's own reader) must not be held
// up by a socket that does not read.
func (c *client) push(o *out) bool {
	select {
	case c.queue <- o:
		return true
	default:
		c.kick()
		return false
	}
}

func (c *client) kick() {
	c.kickOnce.Do(func() {
		c.kicks.Add(1)
		c.conn.Log().Warn("chat: send queue full, closing as too slow", "queue", cap(c.queue))
		close(c.kicked)
	})
}

func (c *client) isKicked() bool {
	select {
	case <-c.kicked:
		return true
	default:
		return false
	}
}
