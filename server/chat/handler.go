package chat

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"socketlab/app/msg"
	"socketlab/server/conns"
	"socketlab/server/natsstore"
)

// Handler serves /ws/chat: it accepts each socket and runs its reader
// (reader.go) until the socket ends; the socket's writer (writer.go) and
// publisher (publish.go) run only while they have work. Create it with New; Close it after the sockets
// are closed and before the store.
type Handler struct {
	conns *conns.Registry
	store *natsstore.Store
	opts  Options
	log   *slog.Logger
	hub   *hub

	writers workers // the goroutines the sockets' writers run on

	stopFeed  func()
	stopPrune context.CancelFunc
	pruned    sync.WaitGroup
}

// New starts following the store and returns the handler.
func New(reg *conns.Registry, store *natsstore.Store, opts Options, log *slog.Logger) (*Handler, error) {
	opts.setDefaults()
	if err := opts.check(); err != nil {
		return nil, err
	}
	h := &Handler{conns: reg, store: store, opts: opts, log: log, hub: newHub(opts.NickHold)}
	stop, err := store.FollowFeed(natsstore.Feed{Deliver: h.hub.rooms.deliver, Skip: h.hub.rooms.skip})
	if err != nil {
		return nil, fmt.Errorf("chat: %w", err)
	}
	h.stopFeed = stop
	h.hub.bucket, err = startBucket(h.hub, store, log)
	if err != nil {
		stop()
		return nil, fmt.Errorf("chat: %w", err)
	}
	// The counters are registered last, once nothing can fail: a start
	// that failed (the site retries it while NATS comes up) must leave the
	// registry as it was, or the next try's registration is refused.
	if err := h.hub.counters.register(reg.Metrics); err != nil {
		h.hub.bucket.stop()
		stop()
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	h.stopPrune = cancel
	h.pruned.Go(func() { every(ctx, time.Minute, h.hub.holds.prune) })
	return h, nil
}

// Ready reports whether the chat can take and deliver messages now (see
// natsstore.Store.Ready). It is meant for a readiness check.
func (h *Handler) Ready(ctx context.Context) error { return h.store.Ready(ctx) }

// Close stops the fan-out. Call it once the sockets are closed.
func (h *Handler) Close() {
	h.hub.bucket.stop()
	h.stopFeed()
	h.stopPrune()
	h.pruned.Wait()
	h.writers.close()
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
	cl := newClient(c, h.opts.SendQueue, func() {
		c.Log().Warn("chat: send queue full, closing as too slow", "queue", h.opts.SendQueue)
		h.conns.Metrics.Overflow(msg.ChatPath)
	})
	cl.blocked = c.WriteBlocked
	ctx, cancel := context.WithCancel(ctx)
	write := func() { h.runWriter(ctx, cl) }
	cl.startWriter = func() { h.writers.run(write) }
	err := h.readLoop(ctx, cl)
	// The say being published is finished (and acked) before the context
	// that bounds it ends; those still waiting were not acked and are
	// dropped — the page resends them.
	cl.pubs.finish()
	h.hub.leave(cl, false)
	cancel()
	cl.stop(func() { c.CloseNow() })
	c.Finish(err)
}
