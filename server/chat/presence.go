package chat

import (
	"context"
	"crypto/rand"
	"log/slog"
	"slices"
	"sync"
	"time"

	"socketlab/app/msg"
	"socketlab/server/natsstore"
)

// Presence across replicas. Each replica writes, for each room it has
// sockets in, the nicks of those sockets to the store's presence bucket
// (natsstore.PresenceBucket), on every change and again every
// presenceBeat; it watches the bucket for the other replicas' keys. A key
// not heard of for PresenceTimeout is dropped: that is how the users of a
// replica that died (no graceful stop to delete its keys) leave the
// presence lists of the others. The timeout runs on the watch's Clock,
// which stands still while the watch is not proven to work, so a stalled
// watch or an unwritable bucket never drops anyone. A room's presence is this replica's own
// sockets, known at once, plus the live keys of the others.
const (
	presenceBeat = 5 * time.Second
	// PresenceTimeout is how long after its last heartbeat a replica's
	// users are still shown to other replicas. Three beats, so that one
	// or two late writes do not make people flicker out.
	PresenceTimeout = 3 * presenceBeat
)

// remote is another replica's nicks in one room.
type remote struct {
	nicks []string          // sorted, each once: found by binary search
	holds map[string]string // msg.NickKey(nick) → holder, online or held after a drop
	seen  time.Time         // by this replica's clock
}

// presence is the hub's link to the presence bucket.
type presence struct {
	store   *natsstore.Store
	replica string // this replica's key suffix
	log     *slog.Logger

	wake chan struct{} // a room's local nicks changed

	watch  *natsstore.PresenceWatch
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// newReplicaID returns a random id for this process: a restarted replica is
// a new one, and its predecessor's keys simply time out.
func newReplicaID() string {
	return rand.Text()[:16]
}

// startPresence joins the hub to the presence bucket: a watcher feeding
// remote views into the hub, a writer of this replica's keys, and a sweeper
// of the keys of replicas gone quiet.
func (h *hub) startPresence(store *natsstore.Store, log *slog.Logger) error {
	p := &presence{store: store, replica: newReplicaID(), log: log, wake: make(chan struct{}, 1)}
	w, err := store.WatchPresence(h.remoteUpdate(p.replica))
	if err != nil {
		return err
	}
	p.watch = w
	ctx, cancel := context.WithCancel(context.Background())
	p.cancel = cancel
	h.mu.Lock()
	h.pres = p
	h.clock = w.Clock
	h.mu.Unlock()
	p.wg.Go(func() { h.writePresence(ctx, p) })
	p.wg.Go(func() { h.sweepPresence(ctx, w) })
	return nil
}

// stopPresence stops the watcher and the writer, and deletes this replica's
// keys so that the others drop its users at once rather than after the
// timeout. Call it once the sockets are gone.
func (h *hub) stopPresence() {
	p := h.pres
	if p == nil {
		return
	}
	p.watch.Stop()
	p.cancel()
	p.wg.Wait()
	h.mu.Lock()
	rooms := make([]string, 0, len(h.written))
	for room := range h.written {
		rooms = append(rooms, room)
	}
	h.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	for _, room := range rooms {
		if err := p.store.PutPresence(ctx, room, p.replica, nil, nil); err != nil {
			p.log.Debug("chat presence: delete on stop", "room", room, "err", err)
		}
	}
}

// changedLocked notes that room's local nicks changed, for the writer.
func (h *hub) changedLocked(room string) {
	if h.pres == nil {
		return
	}
	h.dirty[room] = struct{}{}
	select {
	case h.pres.wake <- struct{}{}:
	default:
	}
}

// writePresence writes this replica's keys: changed rooms at once, every
// room with sockets every presenceBeat. A failed write (NATS away) leaves
// the room dirty for the next beat.
func (h *hub) writePresence(ctx context.Context, p *presence) {
	t := time.NewTicker(presenceBeat)
	defer t.Stop()
	for {
		beat := false
		select {
		case <-ctx.Done():
			return
		case <-p.wake:
		case <-t.C:
			beat = true
		}
		type view struct {
			nicks []string
			holds map[string]string
		}
		h.mu.Lock()
		now := time.Now()
		todo := map[string]view{}
		add := func(room string) {
			if _, ok := todo[room]; !ok {
				nicks, holds := h.localViewLocked(room, now)
				todo[room] = view{nicks, holds}
			}
		}
		for room := range h.dirty {
			add(room)
		}
		if beat {
			// Every room with a socket or a hold here: the beat keeps the
			// keys alive, and drops holds that have just run out.
			for room := range h.rooms {
				add(room)
			}
			for room := range h.holds {
				add(room)
			}
		}
		clear(h.dirty)
		h.mu.Unlock()
		for room, v := range todo {
			wctx, cancel := context.WithTimeout(ctx, 2*time.Second)
			err := p.store.PutPresence(wctx, room, p.replica, v.nicks, v.holds)
			cancel()
			h.mu.Lock()
			if err != nil {
				h.dirty[room] = struct{}{}
			} else if len(v.nicks) == 0 && len(v.holds) == 0 {
				delete(h.written, room)
			} else {
				h.written[room] = struct{}{}
			}
			h.mu.Unlock()
			if err != nil && ctx.Err() == nil {
				p.log.Debug("chat presence: write", "room", room, "err", err)
			}
		}
	}
}

// remoteUpdate returns the watcher's callback: it records other replicas'
// views and tells this replica's sockets when a room's list changed.
func (h *hub) remoteUpdate(self string) func(natsstore.Presence) {
	return func(u natsstore.Presence) {
		if u.Replica == self {
			return
		}
		// Replicas write sorted lists; be sure, since lookups rely on it.
		// The watcher hands over the slice: it is ours to sort.
		slices.Sort(u.Nicks)
		u.Nicks = slices.Compact(u.Nicks)
		wall := time.Now()
		h.mu.Lock()
		defer h.mu.Unlock()
		now := h.nowLocked()
		seen := now
		if u.Initial && !u.Again && u.Time.Before(wall) {
			// A key from before this replica started may already be
			// stale: its age counts. Not so after the watch was started
			// again: the key's age may be an outage that kept its
			// replica from writing, and the sweep will judge it.
			seen = now.Add(-wall.Sub(u.Time))
		}
		// A session that holds a nick here since it dropped, and is online
		// on that replica now, has moved: its hold lives there, and its
		// explicit leave there must free the nick everywhere.
		for _, n := range u.Nicks {
			key := msg.NickKey(n)
			if hd := h.holds[u.Room][key]; hd != nil && hd.conns == 0 && hd.holder == u.Holds[key] {
				h.dropHoldLocked(u.Room, key)
			}
		}
		r := h.remote[u.Room]
		old, had := r[u.Replica]
		if len(u.Nicks) == 0 && len(u.Holds) == 0 || now.Sub(seen) > PresenceTimeout {
			if !had {
				return
			}
			delete(r, u.Replica)
			if len(r) == 0 {
				delete(h.remote, u.Room)
			}
		} else {
			if r == nil {
				r = map[string]remote{}
				h.remote[u.Room] = r
			}
			r[u.Replica] = remote{nicks: u.Nicks, holds: u.Holds, seen: seen}
			if had && slices.Equal(old.nicks, u.Nicks) {
				return // a heartbeat: nothing to tell
			}
		}
		// Only the nicks of this replica's old and new lists can have
		// come or gone.
		h.presenceLocked(u.Room, append(slices.Clip(old.nicks), u.Nicks...), nil)
	}
}

// nowLocked is the time by which other replicas' silence is judged: the
// watch's Clock, which stands still while the watch is not proven to work.
func (h *hub) nowLocked() time.Time {
	if h.clock == nil {
		return time.Now()
	}
	return h.clock()
}

// sweepPresence drops the views of replicas not heard of for
// PresenceTimeout while this replica's watch was working.
func (h *hub) sweepPresence(ctx context.Context, w *natsstore.PresenceWatch) {
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			// Not time.Now: a replica is silent only if this replica's
			// watch would have seen its writes. While the watch is
			// stalled (or the bucket unwritable) its Clock stands still,
			// and nobody is dropped for what this replica failed to
			// hear, or what nobody could write.
			h.sweep(w.Clock())
		}
	}
}

// sweep drops the views last heard of more than PresenceTimeout before
// now, the time up to which the watch is known to have passed every change.
func (h *hub) sweep(now time.Time) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for room, r := range h.remote {
		var gone []string // the nicks of the replicas dropped
		for replica, v := range r {
			if now.Sub(v.seen) > PresenceTimeout {
				delete(r, replica)
				gone = append(gone, v.nicks...)
			}
		}
		if len(r) == 0 {
			delete(h.remote, room)
		}
		if len(gone) > 0 {
			h.presenceLocked(room, gone, nil)
		}
	}
}
