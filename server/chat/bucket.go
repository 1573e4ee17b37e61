package chat

import (
	"context"
	"crypto/rand"
	"log/slog"
	"sync"
	"time"

	"socketlab/server/natsstore"
)

// Presence across replicas. Each replica writes, for each room it has
// sockets or holds in, the nicks of those sockets and the holders of those
// holds to the store's presence bucket (natsstore.PresenceBucket), on
// every change and again every presenceBeat; it watches the bucket for the
// other replicas' keys (presence.remoteUpdate). A key not heard of for
// PresenceTimeout is dropped: that is how the users of a replica that died
// (no graceful stop to delete its keys) leave the presence lists of the
// others. The timeout runs on the watch's Clock, which stands still while
// the watch is not proven to work, so a stalled watch or an unwritable
// bucket never drops anyone.
const (
	presenceBeat = 5 * time.Second
	// PresenceTimeout is how long after its last heartbeat a replica's
	// users are still shown to other replicas. Three beats, so that one
	// or two late writes do not make people flicker out.
	PresenceTimeout = 3 * presenceBeat
)

// bucket is this replica's link to the presence bucket: a watcher feeding
// the other replicas' keys into presence, a writer of this replica's keys,
// and a sweeper of the keys of replicas gone quiet.
type bucket struct {
	store   *natsstore.Store
	replica string // this replica's key suffix
	log     *slog.Logger
	hub     *hub

	written map[string]struct{} // rooms with a key of ours; the writer's, then stop's

	watch  *natsstore.PresenceWatch
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// newReplicaID returns a random id for this process: a restarted replica is
// a new one, and its predecessor's keys simply time out.
func newReplicaID() string {
	return rand.Text()[:16]
}

// startBucket joins h to the presence bucket.
func startBucket(h *hub, store *natsstore.Store, log *slog.Logger) (*bucket, error) {
	b := &bucket{store: store, replica: newReplicaID(), log: log, hub: h, written: map[string]struct{}{}}
	w, err := store.WatchPresence(h.pres.remoteUpdate(b.replica))
	if err != nil {
		return nil, err
	}
	b.watch = w
	h.pres.setClock(w.Clock)
	ctx, cancel := context.WithCancel(context.Background())
	b.cancel = cancel
	b.wg.Go(func() { b.write(ctx) })
	b.wg.Go(func() { b.sweep(ctx) })
	return b, nil
}

// stop stops the watcher and the writer, and deletes this replica's keys
// so that the others drop its users at once rather than after the
// timeout. Call it once the sockets are gone.
func (b *bucket) stop() {
	b.watch.Stop()
	b.cancel()
	b.wg.Wait()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	for room := range b.written {
		if err := b.store.PutPresence(ctx, room, b.replica, nil, nil); err != nil {
			b.log.Debug("chat presence: delete on stop", "room", room, "err", err)
		}
	}
}

// write writes this replica's keys: changed rooms at once, every room with
// sockets or holds every presenceBeat. A failed write (NATS away) marks
// the room again for the next beat.
func (b *bucket) write(ctx context.Context) {
	t := time.NewTicker(presenceBeat)
	defer t.Stop()
	dirty := b.hub.dirty
	for {
		beat := false
		select {
		case <-ctx.Done():
			return
		case <-dirty.wake:
		case <-t.C:
			beat = true
		}
		todo := map[string]struct{}{}
		for _, room := range dirty.take() {
			todo[room] = struct{}{}
		}
		if beat {
			// Every room with a socket or a hold here: the beat keeps the
			// keys alive, and drops holds that have just run out.
			for _, room := range b.hub.pres.roomsHere() {
				todo[room] = struct{}{}
			}
			for _, room := range b.hub.holds.rooms() {
				todo[room] = struct{}{}
			}
		}
		for room := range todo {
			nicks, holds := b.hub.localView(room, time.Now())
			wctx, cancel := context.WithTimeout(ctx, 2*time.Second)
			err := b.store.PutPresence(wctx, room, b.replica, nicks, holds)
			cancel()
			switch {
			case err != nil:
				dirty.retry(room)
				if ctx.Err() == nil {
					b.log.Debug("chat presence: write", "room", room, "err", err)
				}
			case len(nicks) == 0 && len(holds) == 0:
				delete(b.written, room)
			default:
				b.written[room] = struct{}{}
			}
		}
	}
}

// sweep drops the views of replicas not heard of for PresenceTimeout while
// this replica's watch was working.
func (b *bucket) sweep(ctx context.Context) {
	every(ctx, time.Second, func(time.Time) {
		// Not the tick's time: a replica is silent only if this
		// replica's watch would have seen its writes. While the watch is
		// stalled (or the bucket unwritable) its Clock stands still, and
		// nobody is dropped for what this replica failed to hear, or what
		// nobody could write.
		b.hub.pres.sweep(b.watch.Clock())
	})
}
