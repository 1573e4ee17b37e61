package chat

import (
	"crypto/sha256"
	"encoding/hex"
	"maps"
	"slices"
	"sync"
	"time"
)

// holds reserves nicks, per room, for the session token that took them:
// while any socket with that token is in the room, and for holdFor after
// the last one disconnected, so that a reconnecting client finds its nick
// free. What it holds goes to the presence bucket (bucket.go), by the
// token's hash, so that other replicas refuse the nick too; every change
// marks the room for the bucket's writer.
type holds struct {
	holdFor time.Duration
	dirty   *dirtyRooms

	mu sync.Mutex
	m  map[string]map[string]*hold // room → msg.NickKey(nick) → hold
}

// A hold is one nick's reservation in one room.
type hold struct {
	token  string
	holder string // holderOf(token)
	conns  int
	until  time.Time // when conns is 0: the hold ends then
}

func (hd *hold) active(now time.Time) bool { return hd.conns > 0 || now.Before(hd.until) }

// holderOf names a token's holds in the presence bucket without giving the
// token away: a token is the bearer's right to its nick, and the bucket is
// readable by anyone with access to NATS.
func holderOf(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:8])
}

func newHolds(holdFor time.Duration, dirty *dirtyRooms) *holds {
	return &holds{holdFor: holdFor, dirty: dirty, m: map[string]map[string]*hold{}}
}

// reserve takes the nick (by its key) in room for one more socket of
// token. It reports false, and takes nothing, when another token holds it.
func (hs *holds) reserve(room, key, token string, now time.Time) bool {
	hs.mu.Lock()
	defer hs.mu.Unlock()
	held := hs.m[room][key]
	if held != nil && held.token != token && held.active(now) {
		return false
	}
	r := hs.m[room]
	if r == nil {
		r = map[string]*hold{}
		hs.m[room] = r
	}
	if held == nil || held.token != token {
		held = &hold{token: token, holder: holderOf(token)}
		r[key] = held
	}
	held.conns++
	hs.dirty.mark(room)
	return true
}

// release gives back one socket's share of token's hold. An explicit
// leave ends the hold with its last socket; a disconnect keeps it for
// holdFor.
func (hs *holds) release(room, key, token string, explicit bool, now time.Time) {
	hs.mu.Lock()
	defer hs.mu.Unlock()
	hd := hs.m[room][key]
	if hd == nil || hd.token != token {
		return
	}
	if hd.conns--; hd.conns > 0 {
		return
	}
	if explicit {
		hs.dropLocked(room, key)
	} else {
		hd.until = now.Add(hs.holdFor)
		hs.dirty.mark(room)
	}
}

// moved drops the hold of a session that dropped here and is online on
// another replica (holder is its hash there): its hold lives there now,
// and its explicit leave there must free the nick everywhere.
func (hs *holds) moved(room, key, holder string) {
	hs.mu.Lock()
	defer hs.mu.Unlock()
	if hd := hs.m[room][key]; hd != nil && hd.conns == 0 && hd.holder == holder {
		hs.dropLocked(room, key)
	}
}

// prune forgets holds that have expired.
func (hs *holds) prune(now time.Time) {
	hs.mu.Lock()
	defer hs.mu.Unlock()
	for room, r := range hs.m {
		for key, hd := range r {
			if !hd.active(now) {
				hs.dropLocked(room, key)
			}
		}
	}
}

func (hs *holds) dropLocked(room, key string) {
	delete(hs.m[room], key)
	if len(hs.m[room]) == 0 {
		delete(hs.m, room)
	}
	hs.dirty.mark(room)
}

// view returns the holders of the nicks held in room now, by nick key: what
// this replica writes to the presence bucket.
func (hs *holds) view(room string, now time.Time) map[string]string {
	hs.mu.Lock()
	defer hs.mu.Unlock()
	var v map[string]string
	for key, hd := range hs.m[room] {
		if hd.active(now) {
			if v == nil {
				v = map[string]string{}
			}
			v[key] = hd.holder
		}
	}
	return v
}

// rooms returns the rooms with a hold in them.
func (hs *holds) rooms() []string {
	hs.mu.Lock()
	defer hs.mu.Unlock()
	return slices.Collect(maps.Keys(hs.m))
}
