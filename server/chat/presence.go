package chat

import (
	"maps"
	"slices"
	"sync"
	"time"

	"socketlab/app/msg"
	"socketlab/server/natsstore"
)

// presence is who the room's sockets are told is online: this replica's
// own sockets' nicks (local), known at once, and the other replicas' as
// their keys in the presence bucket say (remote, fed by bucket.go).
//
// A socket gets the room's full list once, queued right after its join's
// catch-up, and then only changes (joined, left): presence keeps, per
// room, the set it last announced (shown) and, on each join, leave,
// disconnect or change of another replica's key, sends the difference to
// the room's sockets — one small frame each, so n joins cost O(n²) small
// frames, not O(n²) lists of up to n nicks.
//
// Its lock is taken before the rooms' and the holds' (it calls them to
// send and to drop moved holds); they never call it.
type presence struct {
	rooms *rooms
	holds *holds
	dirty *dirtyRooms

	mu     sync.Mutex
	local  map[string]map[string]int      // room → nick → sockets here
	shown  map[string]map[string]struct{} // room → nicks announced
	remote map[string]map[string]remote   // room → other replica → its nicks
	clock  func() time.Time               // the watch's Clock (bucket.go); nil: time.Now
}

// remote is another replica's nicks in one room.
type remote struct {
	nicks []string          // sorted, each once: found by binary search
	holds map[string]string // msg.NickKey(nick) → holder, online or held after a drop
	seen  time.Time         // by this replica's clock
}

func newPresence(r *rooms, hs *holds, dirty *dirtyRooms) *presence {
	return &presence{rooms: r, holds: hs, dirty: dirty, local: map[string]map[string]int{},
		shown: map[string]map[string]struct{}{}, remote: map[string]map[string]remote{}}
}

// join counts c's nick online in room and puts c in the room, with its
// catch-up (join) and then the room's full list queued first; the others
// hear of the nick if it is news.
func (p *presence) join(c *client, room, nick string, join *out) {
	p.mu.Lock()
	defer p.mu.Unlock()
	nicks := p.local[room]
	if nicks == nil {
		nicks = map[string]int{}
		p.local[room] = nicks
	}
	nicks[nick]++
	p.dirty.mark(room)
	p.announceLocked(room, []string{nick}, c, join)
}

// leave takes c out of room and its nick off, unless another socket here
// still has it; the others hear of it if it went offline.
func (p *presence) leave(c *client, room, nick string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.rooms.remove(c, room)
	if nicks := p.local[room]; nicks != nil {
		if nicks[nick]--; nicks[nick] <= 0 {
			delete(nicks, nick)
		}
		if len(nicks) == 0 {
			delete(p.local, room)
		}
	}
	p.dirty.mark(room)
	p.announceLocked(room, []string{nick}, nil, nil)
}

// localNicks returns the nicks of this replica's sockets in room, sorted,
// each once (two tabs of one browser share a token and a nick: one name).
func (p *presence) localNicks(room string) []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.localNicksLocked(room)
}

func (p *presence) localNicksLocked(room string) []string {
	nicks := make([]string, 0, len(p.local[room]))
	for n := range p.local[room] {
		nicks = append(nicks, n)
	}
	slices.Sort(nicks)
	return nicks
}

// roomsHere returns the rooms with a socket of this replica in them.
func (p *presence) roomsHere() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Collect(maps.Keys(p.local))
}

// onlineLocked reports whether nick is in room on this replica or, by its
// live key, on another.
func (p *presence) onlineLocked(room, nick string) bool {
	if p.local[room][nick] > 0 {
		return true
	}
	for _, v := range p.remote[room] {
		if _, ok := slices.BinarySearch(v.nicks, nick); ok {
			return true
		}
	}
	return false
}

// announceLocked brings what room's sockets were shown up to date after a
// change that may have brought nicks online or taken them off: those
// nicks whose state differs from what the room was last shown go, as one
// change (joined, left), to every socket of the room but joiner. joiner,
// when set, is put in the room with join and then the full list queued
// first. Only the nicks named can have changed, so a join costs one small
// frame per socket, not the whole list.
func (p *presence) announceLocked(room string, nicks []string, joiner *client, join *out) {
	if joiner == nil && p.rooms.empty(room) {
		delete(p.shown, room) // nobody here to tell: start over on a join
		return
	}
	shown := p.shown[room]
	if shown == nil {
		// The room's first socket here: everyone online is news.
		shown = map[string]struct{}{}
		p.shown[room] = shown
		nicks = p.localNicksLocked(room)
		for _, v := range p.remote[room] {
			nicks = append(nicks, v.nicks...)
		}
	}
	var joined, left []string
	for _, n := range nicks {
		_, was := shown[n]
		switch on := p.onlineLocked(room, n); {
		case on && !was:
			shown[n] = struct{}{}
			joined = append(joined, n)
		case !on && was:
			delete(shown, n)
			left = append(left, n)
		}
	}
	if joiner != nil {
		all := make([]string, 0, len(shown))
		for n := range shown {
			all = append(all, n)
		}
		slices.Sort(all)
		p.rooms.add(joiner, room, join, &out{frame: encode(msg.Chat{Type: msg.ChatPresence, Room: room, Nicks: all})})
	}
	if len(joined) > 0 || len(left) > 0 {
		slices.Sort(joined)
		slices.Sort(left)
		p.rooms.broadcast(room, &out{frame: encode(msg.Chat{Type: msg.ChatPresence, Room: room, Joined: joined, Left: left})}, joiner)
	}
}

// heldElsewhere reports whether another replica holds the nick (by its
// key) in room for another token. Replicas learn of each other's holds
// through the presence bucket, within milliseconds; two joins of one nick
// on two replicas within that window can both succeed.
func (p *presence) heldElsewhere(room, key, token string) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	var mine string
	for _, v := range p.remote[room] {
		if holder, ok := v.holds[key]; ok {
			if mine == "" {
				mine = holderOf(token)
			}
			if holder != mine {
				return true
			}
		}
	}
	return false
}

// remoteUpdate returns the bucket watcher's callback: it records other
// replicas' views and tells this replica's sockets when a room's list
// changed.
func (p *presence) remoteUpdate(self string) func(natsstore.Presence) {
	return func(u natsstore.Presence) {
		if u.Replica == self {
			return
		}
		// Replicas write sorted lists; be sure, since lookups rely on it.
		// The watcher hands over the slice: it is ours to sort.
		slices.Sort(u.Nicks)
		u.Nicks = slices.Compact(u.Nicks)
		wall := time.Now()
		p.mu.Lock()
		defer p.mu.Unlock()
		now := p.nowLocked()
		seen := now
		if u.Initial && !u.Again && u.Time.Before(wall) {
			// A key from before this replica started may already be
			// stale: its age counts. Not so after the watch was started
			// again: the key's age may be an outage that kept its
			// replica from writing, and the sweep will judge it.
			seen = now.Add(-wall.Sub(u.Time))
		}
		// A session that holds a nick here since it dropped, and is online
		// on that replica now, has moved.
		for _, n := range u.Nicks {
			key := msg.NickKey(n)
			p.holds.moved(u.Room, key, u.Holds[key])
		}
		r := p.remote[u.Room]
		old, had := r[u.Replica]
		if len(u.Nicks) == 0 && len(u.Holds) == 0 || now.Sub(seen) > PresenceTimeout {
			if !had {
				return
			}
			delete(r, u.Replica)
			if len(r) == 0 {
				delete(p.remote, u.Room)
			}
		} else {
			if r == nil {
				r = map[string]remote{}
				p.remote[u.Room] = r
			}
			r[u.Replica] = remote{nicks: u.Nicks, holds: u.Holds, seen: seen}
			if had && slices.Equal(old.nicks, u.Nicks) {
				return // a heartbeat: nothing to tell
			}
		}
		// Only the nicks of this replica's old and new lists can have
		// come or gone.
		p.announceLocked(u.Room, append(slices.Clip(old.nicks), u.Nicks...), nil, nil)
	}
}

// nowLocked is the time by which other replicas' silence is judged: the
// watch's Clock, which stands still while the watch is not proven to work.
func (p *presence) nowLocked() time.Time {
	if p.clock == nil {
		return time.Now()
	}
	return p.clock()
}

// setClock makes the watch's Clock the one silence is judged by.
func (p *presence) setClock(clock func() time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.clock = clock
}

// sweep drops the views last heard of more than PresenceTimeout before
// now, the time up to which the watch is known to have passed every change.
func (p *presence) sweep(now time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for room, r := range p.remote {
		var gone []string // the nicks of the replicas dropped
		for replica, v := range r {
			if now.Sub(v.seen) > PresenceTimeout {
				delete(r, replica)
				gone = append(gone, v.nicks...)
			}
		}
		if len(r) == 0 {
			delete(p.remote, room)
		}
		if len(gone) > 0 {
			p.announceLocked(room, gone, nil, nil)
		}
	}
}
