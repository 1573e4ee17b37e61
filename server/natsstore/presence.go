package natsstore

import (
	"bytes"
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
				v, err := decodePresence(e.Value())
				if err != nil {
					s.log.Warn("chat presence: skipped", "key", e.Key(), "err", err)
					continue
				}
				p.Nicks, p.Holds = v.Nicks, v.Holds
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
