package chat

import (
	"fmt"
	"time"

	"socketlab/app/msg"
)

// Options are the chat's limits. The zero value of each field means its
// default (Defaults).
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
	// WriteDelay is how long a socket's writer, woken by a first frame,
	// waits for more before it writes them all: in a busy room a socket
	// then gets one write (and, for a client that reads batched frames,
	// one frame) per delay instead of one per message, which is most of
	// what a delivery costs. It adds at most this much to a message's
	// latency; 20ms when zero, negative: write at once. Centrifuge's
	// WriteDelay is the same idea.
	WriteDelay time.Duration
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
	// MaxText is the longest text a say may carry, in characters;
	// msg.ChatMaxText when zero, and never more: that is the protocol's
	// limit, which the browser checks before sending and the read limit
	// is sized for. A server may lower it; a longer say is then refused
	// with too_long, naming this limit, which the page shows.
	MaxText int

	// beforePublish, set by tests, runs before each publish: a slow store.
	beforePublish func()
	// beforeWrite, set by tests, runs before each batch a writer writes:
	// a server whose writers do not get the CPU.
	beforeWrite func()
}

// Defaults returns the limits the zero value of each field stands for:
// the one place they are defined (server/flags.go's -chat-… flags show
// them).
func Defaults() Options {
	return Options{
		Rate: 5, Burst: 20, SendQueue: 256, MaxUnsent: 16 << 10,
		WriteDelay: 20 * time.Millisecond, WriteTimeout: 10 * time.Second, IdleTimeout: 90 * time.Second,
		NickHold: 2 * time.Minute, History: msg.ChatHistory, MaxText: msg.ChatMaxText,
	}
}

// maxWriteDelay bounds WriteDelay: past it the wait would be a lag a
// person notices, not a batching of what arrives together.
const maxWriteDelay = time.Second

// setDefaults fills in the zero fields from Defaults.
func (o *Options) setDefaults() {
	d := Defaults()
	fill(&o.Rate, d.Rate)
	fill(&o.Burst, d.Burst)
	fill(&o.SendQueue, d.SendQueue)
	fill(&o.MaxUnsent, d.MaxUnsent)
	fill(&o.WriteDelay, d.WriteDelay)
	fill(&o.WriteTimeout, d.WriteTimeout)
	fill(&o.IdleTimeout, d.IdleTimeout)
	fill(&o.NickHold, d.NickHold)
	fill(&o.History, d.History)
	fill(&o.MaxText, d.MaxText)
}

// fill sets *v to def when it is zero.
func fill[T comparable](v *T, def T) {
	var zero T
	if *v == zero {
		*v = def
	}
}

// check refuses limits that cannot work: a negative one, or a text length
// above the wire's (msg.ChatMaxText), which the read limit and the
// browser's own check are sized for.
func (o *Options) check() error {
	if o.Rate < 0 || o.Burst < 0 || o.SendQueue < 0 || o.History < 0 || o.MaxText < 0 {
		return fmt.Errorf("chat: negative limit in %+v", *o)
	}
	if o.WriteDelay > maxWriteDelay {
		// Every message waits this long, and so does a socket's end.
		return fmt.Errorf("chat: write delay %v is over %v: messages would wait that long", o.WriteDelay, maxWriteDelay)
	}
	if o.MaxText > msg.ChatMaxText {
		return fmt.Errorf("chat: text length %d is over the protocol's %d (msg.ChatMaxText): it can only be lowered", o.MaxText, msg.ChatMaxText)
	}
	return nil
}
