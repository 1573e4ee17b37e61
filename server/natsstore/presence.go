package natsstore

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"socketlab/app/msg"
)

// PresenceBucket is the JetStream KV bucket where each replica says who is
// in each room on it: key "<room>.<replica>", value a JSON object with the
// nicks online there and the holders of the nicks it holds
// ({"nicks":["Ada"],"holds":{"ada":"3f1c…"}}; an older replica's plain
// list of nicks is read too).
// One key per replica and room means a replica only ever writes its own
// keys, so replicas never race on a value.
const PresenceBucket = "chat-presence"

// presenceMaxAge is how long the bucket keeps a key not written again. It
// only bounds the bucket's size: replicas rewrite their keys far more often
// and decide liveness themselves (see server/chat), by when they last heard
// of a key, not by this.
const presenceMaxAge = time.Minute

// Presence is one replica's view of one room.
type Presence struct {
	Room    string
	Replica string
	Nicks   []string // nil when the replica has nobody in the room
	// Holds maps the key (msg.NickKey) of each nick the replica holds in
	// the room, online or kept for a client that dropped, to an opaque
	// name of the session holding it (a hash of its token): another
	// replica refuses the nick to any other session.
	Holds map[string]string
	// Time is when the key was written, by the NATS server's clock.
	Time time.Time
	// Initial marks the values that existed when the watch started.
	Initial bool
	// Again marks the Initial values of a watch started again after a
	// stall: Time then tells when the key was last written, which says
	// nothing of whether its replica lives (it may have been unable to
	// write, like everyone).
	Again bool
}

func (s *Store) openPresence(ctx context.Context, replicas int) error {
	kv, err := s.js.CreateOrUpdateKeyValue(ctx, jetstream.KeyValueConfig{
		Bucket:      PresenceBucket,
		Description: "socketlab chat: who is in which room, per replica",
		TTL:         presenceMaxAge,
		// File, not memory: a memory bucket would not survive a restart
		// of NATS, and every replica's watcher would be left on nothing.
		Storage:  jetstream.FileStorage,
		Replicas: replicas,
		History:  1,
	})
	if err != nil {
		return fmt.Errorf("natsstore: presence bucket: %w", err)
	}
	s.kv = kv
	return nil
}

func presenceKey(room, replica string) string { return room + "." + replica }

// presenceValue is a presence key's value.
type presenceValue struct {
	Nicks []string          `json:"nicks,omitempty"`
	Holds map[string]string `json:"holds,omitempty"`
}

// PutPresence records that nicks are in room on replica and that it holds
// the nicks (by key) in holds for their holders; with neither, it deletes
// the key.
func (s *Store) PutPresence(ctx context.Context, room, replica string, nicks []string, holds map[string]string) error {
	key := presenceKey(room, replica)
	if !s.nc.IsConnected() {
		return fmt.Errorf("natsstore: presence %s: %w", key, errNotConnected)
	}
	if len(nicks) == 0 && len(holds) == 0 {
		if err := s.kv.Delete(ctx, key); err != nil {
			return fmt.Errorf("natsstore: presence %s: %w", key, err)
		}
		return nil
	}
	data, _ := json.Marshal(presenceValue{Nicks: nicks, Holds: holds})
	if _, err := s.kv.Put(ctx, key, data); err != nil {
		return fmt.Errorf("natsstore: presence %s: %w", key, err)
	}
	return nil
}

// A presence watch, like the feed, rests on a consumer on one NATS peer,
// which can die with its peer without a word. So the watch proves itself:
// every watchBeat it writes a key of its own (watchKeyPrefix + its id, not
// a room, so other replicas skip it) and waits for the watcher to bring it
// back. A write acknowledged but not seen within watchStall means the
// watcher stalled: it is started again (the bucket's current values come
// again, Initial set). LiveAt tells how far the watch is proven: a key
// written before then by anyone has been seen.
const (
	watchBeat      = time.Second
	watchStall     = 2 * time.Second
	watchKeyPrefix = "_watch."
)

// PresenceWatch is a running WatchPresence.
type PresenceWatch struct {
	s       *Store
	id      string
	fn      func(Presence)
	restart chan struct{}

	mu     sync.Mutex
	liveAt time.Time     // when the last key the watch saw back was written
	lost   time.Duration // the time the watch was not proven, beyond watchGrace at a time (Clock)
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// WatchPresence calls fn, from one goroutine, with every presence key that
// exists now (Initial set) and every later change, of every replica. A
// deleted or purged key comes with no nicks. A watch that stalls is
// started again, and its keys come again (Initial set). Stop ends the
// watch and waits for fn to return.
func (s *Store) WatchPresence(fn func(Presence)) (*PresenceWatch, error) {
	ctx, cancel := context.WithCancel(context.Background())
	w, err := s.kv.WatchAll(ctx)
	if err != nil {
		cancel()
		return nil, fmt.Errorf("natsstore: watch presence: %w", err)
	}
	pw := &PresenceWatch{s: s, id: nats.NewInbox()[len(nats.InboxPrefix):], fn: fn, restart: make(chan struct{}, 1), cancel: cancel}
	pw.liveAt = time.Now()
	pw.wg.Go(func() { pw.run(ctx, w) })
	pw.wg.Go(func() { pw.beat(ctx) })
	return pw, nil
}

// LiveAt is when the last of the watch's own keys that it saw back was
// written, by this process's clock: every change made before then has
// been passed to fn. It stops moving while the watch is stalled or the
// bucket cannot be written.
func (pw *PresenceWatch) LiveAt() time.Time {
	pw.mu.Lock()
	defer pw.mu.Unlock()
	return pw.liveAt
}

// watchGrace is how long the watch may go unproven (its key not back)
// before Clock stops: a beat and a late one.
const watchGrace = 2 * watchBeat

// Clock is the time by which to judge another replica's silence: it runs
// with the wall clock while the watch proves itself, and stands still
// while it does not (the watch stalled, or the bucket could not be written
// at all — then no replica could refresh its keys either). A replica not
// heard of for PresenceTimeout by this clock is silent while everyone
// could have heard it. It never goes back.
func (pw *PresenceWatch) Clock() time.Time {
	pw.mu.Lock()
	defer pw.mu.Unlock()
	now := time.Now()
	lost := pw.lost
	if gap := now.Sub(pw.liveAt); gap > watchGrace {
		lost += gap - watchGrace
	}
	return now.Add(-lost)
}

// proven notes that the watch brought back its key written at at.
func (pw *PresenceWatch) proven(at time.Time) {
	pw.mu.Lock()
	defer pw.mu.Unlock()
	if !at.After(pw.liveAt) {
		return
	}
	if gap := at.Sub(pw.liveAt); gap > watchGrace {
		pw.lost += gap - watchGrace
	}
	pw.liveAt = at
}

// Stop ends the watch, waits for fn to return and deletes the watch's key.
func (pw *PresenceWatch) Stop() {
	pw.cancel()
	pw.wg.Wait()
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if err := pw.s.kv.Delete(ctx, watchKeyPrefix+pw.id); err != nil {
		pw.s.log.Debug("chat presence: delete watch key", "err", err)
	}
}

// run passes the watcher's updates to fn, and starts a new watcher when
// beat finds this one stalled.
func (pw *PresenceWatch) run(ctx context.Context, w jetstream.KeyWatcher) {
	for again := false; ; again = true {
		if !pw.pass(ctx, w, again) {
			return
		}
		for {
			var err error
			if w, err = pw.s.kv.WatchAll(ctx); err == nil {
				break
			}
			pw.s.log.Warn("chat presence: watch again", "err", err)
			select {
			case <-ctx.Done():
				return
			case <-time.After(time.Second):
			}
		}
	}
}

// pass hands w's updates to fn until ctx ends (false) or a restart is
// asked for (true). It stops w either way.
func (pw *PresenceWatch) pass(ctx context.Context, w jetstream.KeyWatcher, again bool) bool {
	defer func() {
		if err := w.Stop(); err != nil && !errors.Is(err, context.Canceled) {
			pw.s.log.Debug("chat presence: stop", "err", err)
		}
	}()
	initial := true
	own := watchKeyPrefix + pw.id
	for {
		var e jetstream.KeyValueEntry
		select {
		case <-ctx.Done():
			return false
		case <-pw.restart:
			return true
		case e = <-w.Updates():
		}
		if e == nil { // the end of the initial values
			initial = false
			continue
		}
		if e.Key() == own {
			if at, err := strconv.ParseInt(string(e.Value()), 10, 64); err == nil && e.Operation() == jetstream.KeyValuePut {
				pw.proven(time.Unix(0, at))
			}
			continue
		}
		room, replica, ok := strings.Cut(e.Key(), ".")
		if !ok || msg.ValidRoom(room) != nil || replica == "" {
			continue
		}
		p := Presence{Room: room, Replica: replica, Time: e.Created(), Initial: initial, Again: again && initial}
		if e.Operation() == jetstream.KeyValuePut {
			v, err := decodePresence(e.Value())
			if err != nil {
				pw.s.log.Warn("chat presence: skipped", "key", e.Key(), "err", err)
				continue
			}
			p.Nicks, p.Holds = v.Nicks, v.Holds
		}
		pw.fn(p)
	}
}

// beat writes the watch's key every watchBeat and asks for a new watcher
// when one it wrote has not come back within watchStall.
func (pw *PresenceWatch) beat(ctx context.Context) {
	t := time.NewTicker(watchBeat)
	defer t.Stop()
	var unseen time.Time // the first write acknowledged and not seen back since; zero: none
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		now := time.Now()
		if !unseen.IsZero() && pw.LiveAt().Before(unseen) && now.Sub(unseen) > watchStall {
			pw.s.log.Warn("chat presence: watch stalled (its own key did not come back); watching again",
				"for", now.Sub(unseen).Round(time.Millisecond))
			select {
			case pw.restart <- struct{}{}:
			default:
			}
			unseen = time.Time{}
			continue
		}
		if !unseen.IsZero() && !pw.LiveAt().Before(unseen) {
			unseen = time.Time{}
		}
		wctx, cancel := context.WithTimeout(ctx, watchBeat)
		_, err := pw.s.kv.Put(wctx, watchKeyPrefix+pw.id, []byte(strconv.FormatInt(now.UnixNano(), 10)))
		cancel()
		if err == nil && unseen.IsZero() {
			unseen = now
		}
	}
}

// decodePresence reads a presence value, either form, keeping only valid
// nicks and holds: the bucket is shared, and what other processes wrote is
// input like any other.
func decodePresence(data []byte) (presenceValue, error) {
	var v presenceValue
	if bytes.HasPrefix(bytes.TrimSpace(data), []byte("[")) {
		if err := json.Unmarshal(data, &v.Nicks); err != nil {
			return v, err
		}
	} else if err := json.Unmarshal(data, &v); err != nil {
		return v, err
	}
	valid := v.Nicks[:0]
	for _, n := range v.Nicks {
		if msg.ValidNick(n) == nil {
			valid = append(valid, n)
		}
	}
	v.Nicks = valid
	for key, holder := range v.Holds {
		if msg.ValidNick(key) != nil || key != msg.NickKey(key) || holder == "" || len(holder) > 64 {
			delete(v.Holds, key)
		}
	}
	return v, nil
}
