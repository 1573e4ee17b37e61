package socket

import (
	"time"

	"socketlab/app/msg"
)

// Options configure a Conn. Only the callbacks a lab needs must be set.
type Options struct {
	// Ping is the application-level heartbeat message, sent as a text frame
	// every PingEvery while the socket is open; the lab's server must answer
	// it (any message received counts as a sign of life). Nil disables the
	// heartbeat.
	Ping []byte
	// PingEvery defaults to 15s.
	PingEvery time.Duration
	// DeadAfter is how long the socket may stay silent before it is taken
	// for dead and replaced; it defaults to twice PingEvery.
	DeadAfter time.Duration
	// ReadLimit is the largest message accepted from the server; 1 MiB when
	// zero.
	ReadLimit int64
	// DialTimeout bounds each connection attempt; 10s when zero.
	DialTimeout time.Duration
	// Backoff spaces out reconnect attempts.
	Backoff Backoff
	// Once makes Run dial a single time and return when that socket ends,
	// however it ends. The wire lab wants this: a tap id belongs to one
	// connection, and a socket the server closed on purpose (1001, 1008)
	// should stay closed for the learner to read.
	Once bool
	// QueueMax bounds the send queue: the messages Send accepted that are
	// not written yet (DefaultQueueMax when zero). A Send that finds it
	// full queues nothing and returns ErrQueueFull.
	QueueMax int

	// Dispatch runs every callback below. A UI passes its own loop's
	// (go-app: ctx.Dispatch), so that page code runs on the UI goroutine
	// only, in the order the Conn saw things happen. Nil runs callbacks on
	// the Conn's goroutines: the reader's, the writer's, Run's.
	Dispatch func(func())

	// OnStatus is called on every status change.
	OnStatus func(Status)
	// OnOpen is called after each successful dial, before any message of
	// the new socket is delivered and before anything queued is written
	// on it: the place to send a join. Its sends, and any made while it is
	// due, go out first, ahead of what was queued before the socket
	// opened.
	OnOpen func(c *Conn)
	// OnClose is called when a socket that opened has ended, with the
	// close code and reason: the server's, the client's own, or 1006 when
	// the connection dropped without a close frame. It comes before the
	// status changes to reconnecting or closed, and nothing is written
	// between it and the next OnOpen.
	OnClose func(code msg.CloseCode, reason string)
	// OnDialError is called when an attempt to connect fails (refused,
	// timed out, no server); the Conn retries after a backoff unless
	// Once is set.
	OnDialError func(err error)
	// OnMessage is called for each message received, in order.
	OnMessage func(binary bool, data []byte)
	// OnFrame is called for every message sent or received and for open,
	// close and dial events: the wire inspector's feed. Its Data is text
	// for a person; page logic belongs in the callbacks above.
	OnFrame func(Frame)
}

// DefaultQueueMax is the send queue's bound when Options.QueueMax is 0:
// far more than a page sends while a reconnect takes (a chat outbox is
// flushed from storage, not from here), small enough that a page writing
// into a socket that will not come back learns of it.
const DefaultQueueMax = 256

func (o *Options) setDefaults() {
	if o.PingEvery <= 0 {
		o.PingEvery = 15 * time.Second
	}
	if o.DeadAfter <= 0 {
		o.DeadAfter = 2 * o.PingEvery
	}
	if o.ReadLimit <= 0 {
		o.ReadLimit = 1 << 20
	}
	if o.DialTimeout <= 0 {
		o.DialTimeout = 10 * time.Second
	}
	if o.QueueMax <= 0 {
		o.QueueMax = DefaultQueueMax
	}
	if o.Dispatch == nil {
		o.Dispatch = func(f func()) { f() }
	}
}
