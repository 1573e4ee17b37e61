package chat

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"sync"
	"time"

	"github.com/coder/websocket"
	"golang.org/x/time/rate"

	"socketlab/app/msg"
	"socketlab/server/conns"
	"socketlab/server/natsstore"
)

// Handler serves /ws/chat. Create it with New; Close it after the sockets
// are closed and before the store.
type Handler struct {
	conns *conns.Registry
	store *natsstore.Store
	opts  Options
	log   *slog.Logger
	hub   *hub

	stopFeed  func()
	stopPrune context.CancelFunc
	pruned    sync.WaitGroup

	stats stats
}

// New starts following the store and returns the handler.
func New(reg *conns.Registry, store *natsstore.Store, opts Options, log *slog.Logger) (*Handler, error) {
	opts.setDefaults()
	h := &Handler{conns: reg, store: store, opts: opts, log: log, hub: newHub(opts.NickHold)}
	stop, err := store.FollowFeed(natsstore.Feed{Deliver: h.hub.deliver, Skip: h.hub.skip})
	if err != nil {
		return nil, fmt.Errorf("chat: %w", err)
	}
	h.stopFeed = stop
	if err := h.hub.startPresence(store, log); err != nil {
		stop()
		return nil, fmt.Errorf("chat: %w", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	h.stopPrune = cancel
	h.pruned.Go(func() {
		t := time.NewTicker(time.Minute)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case now := <-t.C:
				h.hub.prune(now)
			}
		}
	})
	return h, nil
}

// Ready reports whether the chat can take and deliver messages now (see
// natsstore.Store.Ready). It is meant for a readiness check.
func (h *Handler) Ready(ctx context.Context) error { return h.store.Ready(ctx) }

// Close stops the fan-out. Call it once the sockets are closed.
func (h *Handler) Close() {
	h.hub.stopPresence()
	h.stopFeed()
	h.stopPrune()
	h.pruned.Wait()
}

// ServeHTTP upgrades the request and hands the socket to a goroutine of
// its own, which serves it until it closes.
//
// Returning at once is allowed once the connection is hijacked, and it
// matters for memory: net/http's connection goroutine carries a deep stack
// (16 KB by the time a chat socket idles in its read), while a fresh
// goroutine reading the socket needs a fraction of that. With thousands
// of idle sockets, that stack is most of what each one costs. The request's
// context ends when ServeHTTP returns, so the socket keeps only its values.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c, err := h.conns.Accept(w, r, msg.ChatPath, conns.Options{ReadLimit: msg.ChatReadLimit, MaxUnsent: h.opts.MaxUnsent})
	if err != nil {
		return
	}
	go h.serve(context.WithoutCancel(r.Context()), c)
}

// serve reads the socket until it ends, then takes it out of its room.
func (h *Handler) serve(ctx context.Context, c *conns.Conn) {
	cl := newClient(c, h.opts.SendQueue, &h.hub.kicked)
	ctx, cancel := context.WithCancel(ctx)
	cl.startWriter = func() { go h.runWriter(ctx, cl) }
	err := h.readLoop(ctx, cl)
	// The say being published is finished (and acked) before the context
	// that bounds it ends; those still waiting were not acked and are
	// dropped — the page resends them.
	cl.pubs.finish()
	h.hub.leave(cl, false)
	cancel()
	cl.stop()
	c.Finish(err)
}

// readLoop reads envelopes and acts on them. Whatever a client sends, it
// gets an answer and the socket stays open; only the socket ending stops
// the loop.
func (h *Handler) readLoop(ctx context.Context, c *client) error {
	lim := rate.NewLimiter(rate.Limit(h.opts.Rate), h.opts.Burst)
	// One timer for the socket's life, reset by each message, rather than a
	// context with a deadline for each read: an idle socket sits in its
	// read, and a timer is the smaller thing to keep for it.
	idle := time.AfterFunc(h.opts.IdleTimeout, func() {
		c.conn.Log().Info("chat: idle timeout", "after", h.opts.IdleTimeout)
		c.conn.Close(websocket.StatusGoingAway, msg.CloseIdleReason)
	})
	defer idle.Stop()
	// The read needs no context: what ends a socket (the peer, the idle
	// timer, a shutdown's 1001, the writer giving up) closes it, and that
	// ends the read. A context that can be cancelled would make the
	// library register a watcher on it for every read, kept by every idle
	// socket.
	read := context.WithoutCancel(ctx)
	for {
		// Idle sockets wait here, where their stack can shrink.
		if err := c.conn.WaitReadable(); err != nil {
			return err
		}
		typ, data, err := c.conn.Read(read)
		if err != nil {
			return err
		}
		idle.Reset(h.opts.IdleTimeout)
		h.receive(ctx, c, lim, typ, data)
	}
}

// receive acts on one message and answers it when there is something to
// say. It is apart from readLoop so that its envelopes live in a stack
// frame only while a message is handled: an idle socket's goroutine waits
// in readLoop, and the smaller its stack then, the less each of thousands
// of idle sockets costs (Go shrinks a stack that is mostly unused).
//
//go:noinline
func (h *Handler) receive(ctx context.Context, c *client, lim *rate.Limiter, typ websocket.MessageType, data []byte) {
	// Answers keep the order of the frames they answer: behind the says
	// still waiting for the store, if any.
	reply := func(env msg.Chat) {
		o := &out{frame: encode(env)}
		if !c.pubs.addReply(o) {
			c.push(o)
		}
	}
	if typ != websocket.MessageText {
		h.stats.refused.Add(1)
		h.conns.Metrics.Drop(msg.ChatPath, msg.ErrBadFrame)
		reply(msg.Chat{Type: msg.ChatError, Code: msg.ErrBadFrame, Detail: "binary frames are not part of the chat protocol; send JSON text"})
		return
	}
	env, cerr := msg.DecodeChat(data)
	if cerr == nil && env.Type == msg.ChatPing {
		// Pings are the client's heartbeat: never rate limited, or a busy
		// client would be taken for dead.
		reply(msg.Chat{Type: msg.ChatPong})
		return
	}
	if !lim.Allow() {
		h.stats.limited.Add(1)
		h.conns.Metrics.Drop(msg.ChatPath, msg.ErrRateLimited)
		e := &msg.ChatErr{Code: msg.ErrRateLimited, ID: env.ID, Room: env.Room,
			Detail: fmt.Sprintf("too many messages: at most %g a second (bursts of %d); try again in a moment", h.opts.Rate, h.opts.Burst)}
		if cerr != nil {
			e.ID, e.Room = cerr.ID, cerr.Room
		}
		reply(e.Envelope())
		return
	}
	if cerr != nil {
		h.stats.refused.Add(1)
		h.conns.Metrics.Drop(msg.ChatPath, cerr.Code)
		reply(cerr.Envelope())
		return
	}
	if e := h.handle(ctx, c, env); e != nil {
		h.stats.refused.Add(1)
		h.conns.Metrics.Drop(msg.ChatPath, e.Code)
		reply(e.Envelope())
	}
}

// handle acts on a valid join, say or leave.
func (h *Handler) handle(ctx context.Context, c *client, env msg.Chat) *msg.ChatErr {
	switch env.Type {
	case msg.ChatJoin:
		return h.hub.join(c, joinReq{room: env.Room, nick: env.Nick, since: env.Since}, env.Token)
	case msg.ChatLeave:
		if !h.inRoom(c, env.Room) {
			return notJoined(env)
		}
		h.hub.leave(c, true)
		return nil
	case msg.ChatSay:
		if !h.inRoom(c, env.Room) {
			return notJoined(env)
		}
		h.hub.mu.Lock()
		nick := c.nick
		h.hub.mu.Unlock()
		// Published apart from the read loop (publish.go): the loop goes
		// on reading — and counting against the rate — as frames arrive.
		if !c.pubs.add(pubReq{room: env.Room, id: env.ID, nick: nick, text: env.Text}, func() { h.runPublisher(ctx, c) }) {
			return &msg.ChatErr{Code: msg.ErrUnavailable, ID: env.ID, Room: env.Room,
				Detail: "sending is unavailable: the message store is slow; it will be sent again"}
		}
		return nil
	}
	return nil
}

func (h *Handler) inRoom(c *client, room string) bool {
	h.hub.mu.Lock()
	defer h.hub.mu.Unlock()
	return c.room == room
}

func notJoined(env msg.Chat) *msg.ChatErr {
	return &msg.ChatErr{Code: msg.ErrNotJoined, ID: env.ID, Room: env.Room,
		Detail: fmt.Sprintf("you have not joined room %q; send a join first", env.Room)}
}

// errTooSlow stops a writer whose socket the hub found too slow: the writer
// then closes it with 4008.
var errTooSlow = errors.New("chat: closed as too slow")

// runWriter is the socket's writer while its queue is not empty. It writes
// queued frames in order, serves joins (history, then live), and closes
// the socket with 4008 when the hub found its queue full. It stops when
// the queue is empty; the next push starts another.
func (h *Handler) runWriter(ctx context.Context, c *client) {
	for {
		batch, ok := c.next()
		if !ok {
			return
		}
		err := errTooSlow
		if !c.isKicked() {
			err = h.writeBatch(ctx, c, batch)
		}
		if err == nil {
			continue
		}
		// Stop taking frames first: nothing queued from now on can be
		// written, and a full queue must not count as a slow reader.
		c.fail()
		if errors.Is(err, errTooSlow) {
			h.closeTooSlow(c)
		} else if ctx.Err() == nil {
			// A socket that cannot be written to is of no use: cut it, so
			// that its reader ends too.
			c.conn.Log().Debug("chat: writer stopped", "err", err)
			c.conn.CloseNow()
		}
		return
	}
}

// position is where a socket's writer stands in the room it serves.
type position struct {
	room string // the room of the last join served
	last uint64 // the last msg seq written in room
}

// writeBatch writes what was queued for the socket, corked: all of it goes
// out in one write system call. In a busy room a socket falls a few
// messages behind while its previous write is in flight, so the busier the
// room, the bigger the batches and the cheaper each delivery. Nothing
// waits for more to arrive: a lone message leaves at once.
func (h *Handler) writeBatch(ctx context.Context, c *client, batch []*out) error {
	c.conn.Cork(h.opts.WriteTimeout)
	// The batch's writes only copy bytes and run without a context; this
	// one hook cuts the socket if the handler ends during the network
	// write at Uncork.
	stop := context.AfterFunc(ctx, func() { c.conn.CloseNow() })
	defer stop()
	var err error
	for _, o := range batch {
		if c.isKicked() {
			err = errTooSlow
			break
		}
		if o.join != nil {
			// A join's catch-up waits on the store between its writes.
			// It runs uncorked: corked, the pings, pongs and closes that
			// other goroutines write meanwhile would wait on the store
			// too, and a slow store would look like a dead peer.
			if err = c.conn.Uncork(); err != nil {
				break
			}
			err = h.writeOut(ctx, c, o, &c.pos)
			c.conn.Cork(h.opts.WriteTimeout)
		} else {
			err = h.writeOut(ctx, c, o, &c.pos)
		}
		if err != nil {
			break
		}
	}
	if uerr := c.conn.Uncork(); err == nil {
		err = uerr
	}
	return err
}

// writeOut writes one queued item: a frame, a join's catch-up, or a
// resync after a stall of the feed.
func (h *Handler) writeOut(ctx context.Context, c *client, o *out, st *position) error {
	if o.resync != 0 {
		return h.resync(ctx, c, o.resync, st)
	}
	if o.join != nil {
		last, err := h.catchUp(ctx, c, o.join)
		if err != nil {
			if !errors.Is(err, errTooSlow) && ctx.Err() == nil {
				c.conn.Log().Warn("chat: history", "room", o.join.room, "err", err)
				c.conn.Close(websocket.StatusTryAgainLater, "chat history unavailable: reconnect")
			}
			return err
		}
		st.room, st.last = o.join.room, last
		return nil
	}
	if o.seq != 0 {
		// A message for a room left since, or one the join's history
		// already delivered.
		if o.room != st.room || o.seq <= st.last {
			return nil
		}
		st.last = o.seq
	}
	return h.writeCorked(c, o.frame)
}

// writeCorked writes one frame inside writeBatch, corked, where a write
// copies bytes, hence no context: the network write of the batch, at
// Uncork or when it passes 64 KiB, has the cork's own deadline.
func (h *Handler) writeCorked(c *client, frame []byte) error {
	return c.conn.Write(context.Background(), websocket.MessageText, frame)
}

// writeNow writes one frame to the network, uncorked, within WriteTimeout.
func (h *Handler) writeNow(ctx context.Context, c *client, frame []byte) error {
	wctx, cancel := context.WithTimeout(ctx, h.opts.WriteTimeout)
	defer cancel()
	return c.conn.Write(wctx, websocket.MessageText, frame)
}

// resync writes the messages of the socket's room after the last one it
// wrote, up to upTo, read from the stream: the share of a backlog the feed
// handed over (hub.skip). Live messages up to upTo are then dropped as
// already seen.
func (h *Handler) resync(ctx context.Context, c *client, upTo uint64, st *position) error {
	if st.room == "" || upTo <= st.last {
		return nil
	}
	if err := c.conn.Uncork(); err != nil {
		return err
	}
	defer c.conn.Cork(h.opts.WriteTimeout)
	sctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	n := h.opts.History
	if st.last == 0 {
		n = math.MaxInt // a room that was empty: all of it, from its start
	}
	err := h.store.History(sctx, st.room, st.last, n, upTo, func(m natsstore.Message) error {
		if c.isKicked() {
			return errTooSlow
		}
		if m.Seq <= st.last {
			return nil
		}
		st.last = m.Seq
		return h.writeNow(ctx, c, encode(m.Envelope()))
	})
	if err != nil {
		if !errors.Is(err, errTooSlow) && ctx.Err() == nil {
			c.conn.Log().Warn("chat: resync", "room", st.room, "err", err)
			c.conn.Close(websocket.StatusTryAgainLater, "chat history unavailable: reconnect")
		}
		return err
	}
	st.last = max(st.last, upTo)
	return nil
}

func (h *Handler) closeTooSlow(c *client) {
	h.conns.Metrics.Overflow(msg.ChatPath)
	c.conn.Close(websocket.StatusCode(msg.CloseTooSlow), msg.CloseTooSlowReason)
}

// catchUp serves a join: welcome, the room's history the join asked for,
// synced. It returns the last seq it delivered; live messages up to it are
// then dropped as already seen.
func (h *Handler) catchUp(ctx context.Context, c *client, j *joinReq) (uint64, error) {
	sctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	upTo, err := h.store.LastSeq(sctx, j.room)
	if err != nil {
		return 0, err
	}
	since, reset := j.since, false
	if since > upTo {
		// Nothing new in this room, or the store no longer knows since.
		streamLast, err := h.store.StreamLastSeq(sctx)
		if err != nil {
			return 0, err
		}
		if since > streamLast {
			since, reset = 0, true
		}
	}
	if err := h.writeNow(ctx, c, encode(msg.Chat{Type: msg.ChatWelcome, Room: j.room, Nick: j.nick, Reset: reset})); err != nil {
		return 0, err
	}
	last := max(since, upTo)
	if since < upTo {
		err = h.store.History(sctx, j.room, since, h.opts.History, upTo, func(m natsstore.Message) error {
			if c.isKicked() {
				return errTooSlow
			}
			return h.writeNow(ctx, c, encode(m.Envelope()))
		})
		if err != nil {
			return 0, err
		}
	}
	return last, h.writeNow(ctx, c, encode(msg.Chat{Type: msg.ChatSynced, Room: j.room, Seq: last}))
}
