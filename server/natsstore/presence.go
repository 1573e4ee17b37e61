package natsstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"socketlab/app/msg"
)

// PresenceBucket is the JetStream KV bucket where each replica says who is
// in each room on it: key "<room>.<replica>", value the JSON list of nicks.
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
	// Time is when the key was written, by the NATS server's clock.
	Time time.Time
	// Initial marks the values that existed when the watch started.
	Initial bool
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

// PutPresence records that nicks are in room on replica; an empty list
// deletes the key.
func (s *Store) PutPresence(ctx context.Context, room, replica string, nicks []string) error {
	key := presenceKey(room, replica)
	if !s.nc.IsConnected() {
		return fmt.Errorf("natsstore: presence %s: %w", key, errNotConnected)
	}
	if len(nicks) == 0 {
		if err := s.kv.Delete(ctx, key); err != nil {
			return fmt.Errorf("natsstore: presence %s: %w", key, err)
		}
		return nil
	}
	data, _ := json.Marshal(nicks)
	if _, err := s.kv.Put(ctx, key, data); err != nil {
		return fmt.Errorf("natsstore: presence %s: %w", key, err)
	}
	return nil
}

// WatchPresence calls fn, from one goroutine, with every presence key that
// exists now (Initial set) and every later change, of every replica. A
// deleted or purged key comes with no nicks. stop ends the watch and waits
// for fn to return.
func (s *Store) WatchPresence(fn func(Presence)) (stop func(), err error) {
	ctx, cancel := context.WithCancel(context.Background())
	w, err := s.kv.WatchAll(ctx)
	if err != nil {
		cancel()
		return nil, fmt.Errorf("natsstore: watch presence: %w", err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		initial := true
		for e := range w.Updates() {
			if e == nil { // the end of the initial values
				initial = false
				continue
			}
			room, replica, ok := strings.Cut(e.Key(), ".")
			if !ok || msg.ValidRoom(room) != nil || replica == "" {
				continue
			}
			p := Presence{Room: room, Replica: replica, Time: e.Created(), Initial: initial}
			if e.Operation() == jetstream.KeyValuePut {
				if err := json.Unmarshal(e.Value(), &p.Nicks); err != nil {
					s.log.Warn("chat presence: skipped", "key", e.Key(), "err", err)
					continue
				}
				valid := p.Nicks[:0]
				for _, n := range p.Nicks {
					if msg.ValidNick(n) == nil {
						valid = append(valid, n)
					}
				}
				p.Nicks = valid
			}
			fn(p)
		}
	}()
	return func() {
		if err := w.Stop(); err != nil && !errors.Is(err, context.Canceled) {
			s.log.Debug("chat presence: stop", "err", err)
		}
		cancel()
		<-done
	}, nil
}
