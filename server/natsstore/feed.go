package natsstore

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// The live feed, and how it cannot stall silently.
//
// A replica follows the stream with an ephemeral consumer: R1, in memory,
// on one peer of the stream that the meta leader picks. When that peer
// dies, the consumer dies with it, and nothing tells the client but the
// heartbeats it stops sending; a replacement may be placed on the dead
// peer again if the cluster has not noticed it is gone. So the feed does
// not trust its consumer: it knows what it delivered (next) and what the
// stream stored (the probe's last seq and this replica's publish acks,
// health.lastSeq). A gap between the two that does not close within
// stallAfter is a stall: the feed logs it, reads what it missed straight
// from the stream by direct gets (answered by any live peer, no consumer
// needed) and starts a new consumer from where it stands. While the new
// consumer is not delivering, the same check keeps reading by direct
// gets, so the feed lives on as long as any peer can answer.
const (
	// stallAfter is how long a gap may stay open before the feed takes
	// its consumer as stalled. In normal operation a stored message
	// reaches the feed in about a millisecond.
	stallAfter = 700 * time.Millisecond
	// checkEvery is how often the feed compares what it delivered with
	// what the stream stored.
	checkEvery = 100 * time.Millisecond
	// consumerHeartbeat is the consumer's idle heartbeat: a consumer gone
	// with its peer is noticed after two missed ones even when nobody
	// talks.
	consumerHeartbeat = time.Second
	// BacklogMax is the largest backlog a recovering feed delivers itself,
	// message by message, into the sockets' queues. A larger one is
	// handed to Feed.Skip, so that each socket reads it from the stream at
	// its own pace, as a reconnecting client does, rather than every
	// socket's queue overflowing at once.
	BacklogMax = 64
)

// FeedDescription is the description of every feed consumer, by which an
// operator (or the chaos test) tells them from other consumers.
const FeedDescription = "socketlab chat feed"

// Feed receives the messages of Follow.
type Feed struct {
	// Deliver is called for every message stored from Follow on, in every
	// room, in stream order, from one goroutine.
	Deliver func(Message)
	// Skip, when set, is called after a stall instead of Deliver for a
	// backlog of more than BacklogMax messages: every message up to and
	// including upTo was stored and will not be delivered; read them from
	// the stream (History). Deliver goes on after upTo. When Skip is nil
	// the backlog is delivered.
	Skip func(upTo uint64)
}

// Follow calls fn for every message stored from now on, in stream order,
// from one goroutine: Follow(Feed{Deliver: fn}).
func (s *Store) Follow(fn func(Message)) (stop func(), err error) {
	return s.FollowFeed(Feed{Deliver: fn})
}

// FollowFeed starts the fan-out feed: with several replicas on one NATS,
// each follows the stream on its own. Nothing stored after it returns is
// missed; stop ends the feed and waits for its callbacks to return.
//
// After a reconnection to NATS, a consumer that stops sending heartbeats,
// or a gap that stays open for stallAfter, the feed catches up from the
// stream and starts a new consumer right after the last message it
// delivered, so what was stored meanwhile still arrives, in order, once.
func (s *Store) FollowFeed(feed Feed) (stop func(), err error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	info, err := s.stream.Info(ctx)
	cancel()
	if err != nil {
		return nil, fmt.Errorf("natsstore: follow: %w", err)
	}
	s.health.leaderOK(info.State.LastSeq)
	f := &follower{s: s, feed: feed, next: info.State.LastSeq + 1,
		in: make(chan item, 64), quit: make(chan struct{}), done: make(chan struct{})}
	reconnected := s.onReconnect()
	go f.run(reconnected)
	return func() {
		close(f.quit)
		f.mu.Lock()
		f.gen++ // what the current consumer still sends is ignored
		if f.it != nil {
			f.it.Stop()
		}
		f.mu.Unlock()
		<-f.done
		f.wg.Wait()
		s.offReconnect(reconnected)
	}, nil
}

// follower is one feed's state. Only run's goroutine touches next and
// gapSince; mu guards the current consumer, which its reader goroutine
// replaces.
type follower struct {
	s    *Store
	feed Feed

	next     uint64    // the seq after the last one delivered
	gapSince time.Time // when the stream was seen ahead of next with no progress since; zero: no gap
	// checked is next as the last check saw it: a gap across which the
	// feed delivered since is a backlog being worked off, not a stall.
	checked uint64
	stalled bool // counted in health.stalled
	// proven is set once the current consumer delivered a message. Until
	// then a gap is read from the stream at once: after a stall, the
	// feed reads the stream every checkEvery until a new consumer works.
	proven  bool
	retryAt time.Time // when to try again to start a consumer after a failure

	in   chan item
	quit chan struct{}
	done chan struct{}
	wg   sync.WaitGroup // consumer goroutines

	mu       sync.Mutex
	gen      int // the current consumer's generation; items of older ones are ignored
	it       jetstream.MessagesContext
	consumer string // its name, to delete it when replaced
	starting bool   // a consumer is being created
}

// item is what a consumer's reader hands to run: a message or the error
// that ended the consumer.
type item struct {
	gen int
	msg jetstream.Msg
	err error
}

func (f *follower) run(reconnected <-chan struct{}) {
	defer close(f.done)
	defer f.setStalled(false)
	f.restart("start")
	t := time.NewTicker(checkEvery)
	defer t.Stop()
	for {
		select {
		case <-f.quit:
			return
		case <-reconnected:
			f.restart("reconnected to NATS")
		case it := <-f.in:
			f.mu.Lock()
			current := it.gen == f.gen
			f.mu.Unlock()
			if !current {
				continue
			}
			if it.err != nil {
				if f.s.nc.IsClosed() {
					return
				}
				f.s.log.Warn("chat feed: consumer ended, starting another", "err", it.err, "from", f.next)
				f.retryAt = time.Now().Add(500 * time.Millisecond)
				f.drop()
				continue
			}
			f.proven = true
			f.onMsg(it.msg)
		case <-t.C:
			f.check()
		}
	}
}

// onMsg delivers a message from the consumer, after the ones it skipped
// over if any (read from the stream), unless it was delivered already.
func (f *follower) onMsg(m jetstream.Msg) {
	meta, err := m.Metadata()
	if err != nil {
		f.s.log.Warn("chat feed", "err", err)
		return
	}
	seq := meta.Sequence.Stream
	if seq < f.next {
		return // delivered already, by the catch-up or an older consumer
	}
	if seq > f.next && !f.catchUp(seq-1, false) {
		// The missing ones could not be read now: deliver nothing out
		// of order; the check reads them (and this one) again.
		return
	}
	if seq < f.next {
		return
	}
	f.deliver(m.Subject(), seq, meta.Timestamp, m.Data())
}

func (f *follower) deliver(subj string, seq uint64, ts time.Time, data []byte) {
	f.next = seq + 1
	dm, err := decode(subj, seq, ts, data)
	if err != nil {
		f.s.log.Warn("chat feed: skipped", "err", err)
		return
	}
	f.feed.Deliver(dm)
}

// check compares what the feed delivered with what the stream stored. A
// gap open for stallAfter means the consumer is not delivering: read the
// missed messages from the stream and start another consumer.
func (f *follower) check() {
	f.mu.Lock()
	running := f.it != nil || f.starting
	f.mu.Unlock()
	if !running && time.Now().After(f.retryAt) {
		f.restart("no consumer")
	}
	last := f.s.health.lastSeq.Load()
	if last < f.next {
		f.gapSince = time.Time{}
		f.setStalled(false)
		return
	}
	now := time.Now()
	if f.gapSince.IsZero() || f.next != f.checked {
		// A new gap, or one the feed is working through: a fan-out that
		// takes longer per message than the room's pace (a busy CPU) keeps
		// a gap open for good, and reading that backlog again from the
		// stream, socket by socket, would only add to the load.
		f.gapSince, f.checked = now, f.next
	}
	if f.proven && now.Sub(f.gapSince) < stallAfter {
		return
	}
	if f.proven {
		f.s.log.Warn("chat feed stalled: the stream has messages the consumer did not deliver; reading them from the stream and starting a new consumer",
			"delivered", f.next-1, "stream_last", last, "for", now.Sub(f.gapSince).Round(time.Millisecond))
		f.setStalled(true)
		f.restart("stalled")
	}
	if f.catchUp(last, f.stalled) {
		f.gapSince = time.Time{}
		if f.stalled {
			f.s.log.Info("chat feed caught up from the stream", "delivered", f.next-1)
		}
		f.setStalled(false)
	} else if !f.stalled && now.Sub(f.gapSince) >= stallAfter {
		// The stream cannot be read either: say so in readiness.
		f.setStalled(true)
	}
}

func (f *follower) setStalled(on bool) {
	if on == f.stalled {
		return
	}
	f.stalled = on
	if on {
		f.s.health.stalled.Add(1)
	} else {
		f.s.health.stalled.Add(-1)
	}
}

// catchUp delivers every message from next up to upTo, read from the
// stream by direct gets in batches. After a stall (skip), a backlog of
// more than BacklogMax goes to Feed.Skip instead. It reports whether next
// is past upTo now: false when the stream could not be read (its peers
// gone, or the one that answered is behind), to be tried again.
func (f *follower) catchUp(upTo uint64, skip bool) bool {
	if skip && f.feed.Skip != nil && upTo-f.next+1 > BacklogMax {
		f.s.log.Info("chat feed: backlog handed to the sockets to read from the stream", "from", f.next, "to", upTo)
		f.feed.Skip(upTo)
		f.next = upTo + 1
		return true
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	for f.next <= upTo {
		got := false
		err := f.s.direct(ctx, directReq{Seq: f.next, NextFor: subjects, Batch: f.s.batchSize()}, func(m *nats.Msg) error {
			seq, err := strconv.ParseUint(m.Header.Get(hdrSeq), 10, 64)
			if err != nil {
				return fmt.Errorf("natsstore: direct get: bad %s: %w", hdrSeq, err)
			}
			if seq < f.next || seq > upTo {
				return nil
			}
			got = true
			ts, _ := time.Parse(time.RFC3339Nano, m.Header.Get(hdrTime))
			f.deliver(m.Header.Get(hdrSubject), seq, ts, m.Data)
			return nil
		})
		if err != nil {
			f.s.log.Debug("chat feed: catch-up", "err", err)
			return false
		}
		if !got {
			return false
		}
	}
	return true
}

// drop stops the current consumer, if any, and deletes it on the server
// (best effort: an ephemeral consumer also goes by itself once inactive).
func (f *follower) drop() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.proven = false
	f.gen++
	if f.it != nil {
		f.it.Stop()
		f.it = nil
	}
	if name := f.consumer; name != "" {
		f.consumer = ""
		f.wg.Go(func() {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			defer cancel()
			if err := f.s.js.DeleteConsumer(ctx, StreamName, name); err != nil {
				f.s.log.Debug("chat feed: delete consumer", "name", name, "err", err)
			}
		})
	}
}

// restart replaces the consumer by a new one from next, created in a
// goroutine of its own: a create that waits on a dead peer must not hold
// the feed up, since the check goes on reading the stream meanwhile.
func (f *follower) restart(why string) {
	f.drop()
	f.mu.Lock()
	defer f.mu.Unlock()
	f.starting = true
	gen, from := f.gen, f.next
	f.wg.Go(func() { f.consume(gen, from, why) })
}

// consume creates a consumer from seq from and hands its messages to run
// until it ends or is replaced.
func (f *follower) consume(gen int, from uint64, why string) {
	send := func(it item) bool {
		select {
		case f.in <- it:
			return true
		case <-f.quit:
			return false
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	cons, err := f.s.js.CreateConsumer(ctx, StreamName, jetstream.ConsumerConfig{
		Description:   FeedDescription,
		FilterSubject: subjects,
		DeliverPolicy: jetstream.DeliverByStartSequencePolicy,
		OptStartSeq:   from,
		AckPolicy:     jetstream.AckNonePolicy,
		MemoryStorage: true,
		Replicas:      1,
		// A consumer left on a peer that died is removed once that peer
		// is back and sees nobody pulls.
		InactiveThreshold: 15 * time.Second,
	})
	cancel()
	var it jetstream.MessagesContext
	if err == nil {
		it, err = cons.Messages(jetstream.PullExpiry(5*time.Second), jetstream.PullHeartbeat(consumerHeartbeat),
			jetstream.WithMessagesErrOnMissingHeartbeat(true), jetstream.PullMaxMessages(256))
	}
	f.mu.Lock()
	if gen != f.gen {
		// Replaced while it was being created.
		f.mu.Unlock()
		if it != nil {
			it.Stop()
		}
		if cons != nil {
			dctx, dcancel := context.WithTimeout(context.Background(), 2*time.Second)
			f.s.js.DeleteConsumer(dctx, StreamName, cons.CachedInfo().Name)
			dcancel()
		}
		return
	}
	f.starting = false
	if err != nil {
		f.mu.Unlock()
		send(item{gen: gen, err: fmt.Errorf("natsstore: follow (%s): %w", why, err)})
		return
	}
	f.it, f.consumer = it, cons.CachedInfo().Name
	f.mu.Unlock()
	if why != "start" {
		host := ""
		if ci := cons.CachedInfo().Cluster; ci != nil {
			host = ci.Leader
		}
		f.s.log.Info("chat feed: new consumer", "why", why, "from", from, "on", host)
	}
	for {
		m, err := it.Next()
		if err != nil {
			if errors.Is(err, jetstream.ErrMsgIteratorClosed) {
				f.mu.Lock()
				current := gen == f.gen
				f.mu.Unlock()
				if !current {
					return
				}
			}
			send(item{gen: gen, err: err})
			return
		}
		if !send(item{gen: gen, msg: m}) {
			return
		}
	}
}
