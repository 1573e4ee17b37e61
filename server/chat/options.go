package chat

import (
	"time"

	"socketlab/app/msg"
)

// Options are the chat's limits. The zero value of each field is a sane
// default.
type Options struct {
	// Rate is how many envelopes per second a connection may send (pings
	// excepted), with Burst more at once; over it, envelopes are refused
	// with a rate_limited error and the connection stays open. Defaults 5
	// per second and a burst of 20.
	Rate  float64
	Burst int
	// SendQueue is how many frames may wait for a slow socket before it is
	// closed with 4008; 256 when zero.
	SendQueue int
	// MaxUnsent is how many bytes the kernel may hold unsent for a socket
	// (Linux); beyond that the socket's writer waits and its queue fills,
	// so that a slow reader is found by the queue rather than hidden by a
	// send buffer of megabytes. 16 KiB when zero.
	MaxUnsent int
	// WriteTimeout bounds one frame's write to a socket that does not read;
	// 10s when zero.
	WriteTimeout time.Duration
	// IdleTimeout closes a socket from which nothing arrived for this long
	// (the browser client pings every 15s); 90s when zero.
	IdleTimeout time.Duration
	// NickHold is how long a nick stays reserved for its session token after
	// the last socket holding it disconnected (not after an explicit
	// leave), so that a reconnecting client gets it back; 2 minutes when
	// zero.
	NickHold time.Duration
	// History is how many messages a join with since 0 shows;
	// msg.ChatHistory when zero.
	History int

	// beforePublish, set by tests, runs before each publish: a slow store.
	beforePublish func()
}

func (o *Options) setDefaults() {
	if o.Rate == 0 {
		o.Rate = 5
	}
	if o.Burst == 0 {
		o.Burst = 20
	}
	if o.SendQueue == 0 {
		o.SendQueue = 256
	}
	if o.MaxUnsent == 0 {
		o.MaxUnsent = 16 << 10
	}
	if o.WriteTimeout == 0 {
		o.WriteTimeout = 10 * time.Second
	}
	if o.IdleTimeout == 0 {
		o.IdleTimeout = 90 * time.Second
	}
	if o.NickHold == 0 {
		o.NickHold = 2 * time.Minute
	}
	if o.History == 0 {
		o.History = msg.ChatHistory
	}
}
