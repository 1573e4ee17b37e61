package chat

import (
	"encoding/json"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"socketlab/app/msg"
	"socketlab/server/natsstore"
)

// hub knows who is in which room and delivers each stored message to the
// sockets of its room.
type hub struct {
	nickHold time.Duration

	mu    sync.Mutex
	rooms map[string]map[*client]struct{}
	holds map[holdKey]*hold

	// Presence as this replica's sockets know it, for the rooms they are
	// in: local counts the sockets of each nick (two tabs share one), and
	// shown is the set last announced to the room's sockets: the full list
	// each got when it joined, with every change since applied. A change
	// is announced as the difference between shown and the nicks online
	// now, here or on another replica (remote).
	local map[string]map[string]int      // room → nick → sockets here
	shown map[string]map[string]struct{} // room → nicks announced

	// Presence across replicas (presence.go); pres is nil until started.
	pres    *presence
	remote  map[string]map[string]remote // room → other replica → its nicks
	dirty   map[string]struct{}          // rooms whose local nicks changed, to write
	written map[string]struct{}          // rooms with a key of ours in the bucket

	delivered atomic.Int64 // frames queued by the fan-out
	kicked    atomic.Int64 // sockets closed as too slow
}

// A hold reserves a nick in a room for one session token: while any socket
// with that token is in the room, and for nickHold after the last one
// disconnected, so that a reconnecting client finds its nick free.
type holdKey struct{ room, nick string } // nick as msg.NickKey

type hold struct {
	token string
	conns int
	until time.Time // when conns is 0: the hold ends then
}

func newHub(nickHold time.Duration) *hub {
	return &hub{nickHold: nickHold, rooms: map[string]map[*client]struct{}{}, holds: map[holdKey]*hold{},
		local: map[string]map[string]int{}, shown: map[string]map[string]struct{}{},
		remote: map[string]map[string]remote{}, dirty: map[string]struct{}{}, written: map[string]struct{}{}}
}

// encode marshals an envelope. A Chat always marshals.
func encode(c msg.Chat) []byte {
	b, _ := json.Marshal(c)
	return b
}

// join puts c in room as nick, leaving its current room if any, and queues
// the catch-up request. It fails with nick_taken when another token holds
// the nick.
func (h *hub) join(c *client, req joinReq, token string) *msg.ChatErr {
	now := time.Now()
	key := holdKey{req.room, msg.NickKey(req.nick)}
	h.mu.Lock()
	defer h.mu.Unlock()
	if hd := h.holds[key]; hd != nil && hd.token != token && (hd.conns > 0 || now.Before(hd.until)) {
		return &msg.ChatErr{Code: msg.ErrNickTaken, Room: req.room,
			Detail: "the nickname " + req.nick + " is taken in " + req.room + "; choose another"}
	}
	if c.room != "" {
		h.leaveLocked(c, true, now)
	}
	hd := h.holds[key]
	if hd == nil || hd.token != token {
		hd = &hold{token: token}
		h.holds[key] = hd
	}
	hd.conns++
	c.room, c.nick, c.token = req.room, req.nick, token
	r := h.rooms[req.room]
	if r == nil {
		r = map[*client]struct{}{}
		h.rooms[req.room] = r
	}
	// The catch-up goes first, then the client is in the room: the fan-out
	// holds h.mu too, so no live frame can be queued before it. The same
	// holds for presence: the room's full list is queued right after the
	// catch-up and every change after it, so the socket sees each change
	// exactly once.
	h.pushLocked(c, &out{join: &req})
	r[c] = struct{}{}
	nicks := h.local[req.room]
	if nicks == nil {
		nicks = map[string]int{}
		h.local[req.room] = nicks
	}
	nicks[req.nick]++
	h.changedLocked(req.room)
	h.presenceLocked(req.room, []string{req.nick}, c)
	return nil
}

// leave takes c out of its room. An explicit leave releases the nick at
// once; a disconnect keeps it held for nickHold.
func (h *hub) leave(c *client, explicit bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.leaveLocked(c, explicit, time.Now())
}

func (h *hub) leaveLocked(c *client, explicit bool, now time.Time) {
	if c.room == "" {
		return
	}
	room, nick := c.room, c.nick
	if r := h.rooms[room]; r != nil {
		delete(r, c)
		if len(r) == 0 {
			delete(h.rooms, room)
		}
	}
	if nicks := h.local[room]; nicks != nil {
		if nicks[nick]--; nicks[nick] <= 0 {
			delete(nicks, nick)
		}
		if len(nicks) == 0 {
			delete(h.local, room)
		}
	}
	key := holdKey{room, msg.NickKey(c.nick)}
	if hd := h.holds[key]; hd != nil && hd.token == c.token {
		hd.conns--
		if hd.conns <= 0 {
			if explicit {
				delete(h.holds, key)
			} else {
				hd.until = now.Add(h.nickHold)
			}
		}
	}
	c.room, c.nick = "", ""
	h.changedLocked(room)
	h.presenceLocked(room, []string{nick}, nil)
}

// localNicksLocked returns the nicks of this replica's sockets in room,
// sorted, each once (two tabs of one browser share a token and a nick: one
// name).
func (h *hub) localNicksLocked(room string) []string {
	nicks := make([]string, 0, len(h.local[room]))
	for n := range h.local[room] {
		nicks = append(nicks, n)
	}
	slices.Sort(nicks)
	return nicks
}

// onlineLocked reports whether nick is in room on this replica or, by its
// live key, on another.
func (h *hub) onlineLocked(room, nick string) bool {
	if h.local[room][nick] > 0 {
		return true
	}
	for _, v := range h.remote[room] {
		if _, ok := slices.BinarySearch(v.nicks, nick); ok {
			return true
		}
	}
	return false
}

// presenceLocked brings the presence of this replica's sockets in room up
// to date after a change that may have brought nicks online or taken them
// off: those nicks whose state differs from what the room was last shown
// go, as one change (joined, left), to every socket of the room but
// joiner. joiner, when set, has just joined: it gets the full list
// instead, after the change. Only the nicks named can have changed, so a
// join costs one small frame per socket, not the whole list.
func (h *hub) presenceLocked(room string, nicks []string, joiner *client) {
	r := h.rooms[room]
	if len(r) == 0 {
		delete(h.shown, room) // nobody here to tell: start over on a join
		return
	}
	shown := h.shown[room]
	if shown == nil {
		// The room's first socket here: everyone online is news.
		shown = map[string]struct{}{}
		h.shown[room] = shown
		nicks = h.localNicksLocked(room)
		for _, v := range h.remote[room] {
			nicks = append(nicks, v.nicks...)
		}
	}
	var joined, left []string
	for _, n := range nicks {
		_, was := shown[n]
		switch on := h.onlineLocked(room, n); {
		case on && !was:
			shown[n] = struct{}{}
			joined = append(joined, n)
		case !on && was:
			delete(shown, n)
			left = append(left, n)
		}
	}
	if len(joined) > 0 || len(left) > 0 {
		slices.Sort(joined)
		slices.Sort(left)
		o := &out{frame: encode(msg.Chat{Type: msg.ChatPresence, Room: room, Joined: joined, Left: left})}
		for c := range r {
			if c != joiner {
				h.pushLocked(c, o)
			}
		}
	}
	if joiner != nil {
		all := make([]string, 0, len(shown))
		for n := range shown {
			all = append(all, n)
		}
		slices.Sort(all)
		h.pushLocked(joiner, &out{frame: encode(msg.Chat{Type: msg.ChatPresence, Room: room, Nicks: all})})
	}
}

// deliver fans a stored message out to its room. It is called by the store's
// feed, one message at a time, in stream order; it encodes the message once
// and never waits for a socket.
func (h *hub) deliver(m natsstore.Message) {
	o := &out{frame: encode(m.Envelope()), seq: m.Seq, room: m.Room}
	h.mu.Lock()
	defer h.mu.Unlock()
	for c := range h.rooms[m.Room] {
		if h.pushLocked(c, o) {
			h.delivered.Add(1)
		}
	}
}

func (h *hub) pushLocked(c *client, o *out) bool {
	if c.isKicked() {
		return false
	}
	return c.push(o)
}

// prune forgets holds that have expired.
func (h *hub) prune(now time.Time) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for k, hd := range h.holds {
		if hd.conns <= 0 && now.After(hd.until) {
			delete(h.holds, k)
		}
	}
}

// counts returns how many sockets are in rooms, and how many rooms.
func (h *hub) counts() (clients, rooms int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, r := range h.rooms {
		clients += len(r)
	}
	return clients, len(h.rooms)
}
