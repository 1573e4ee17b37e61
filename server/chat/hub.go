package chat

import (
	"crypto/sha256"
	"encoding/hex"
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
	holds map[string]map[string]*hold // room → msg.NickKey(nick) → hold

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
	clock   func() time.Time             // the watch's Clock (presence.go); nil: time.Now

	delivered atomic.Int64 // frames queued by the fan-out
	kicked    atomic.Int64 // sockets closed as too slow
}

// A hold reserves a nick in a room for one session token: while any socket
// with that token is in the room, and for nickHold after the last one
// disconnected, so that a reconnecting client finds its nick free. Other
// replicas learn of it through the presence bucket, by the token's hash
// (holder), and refuse the nick to anyone else too.
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

func newHub(nickHold time.Duration) *hub {
	return &hub{nickHold: nickHold, rooms: map[string]map[*client]struct{}{}, holds: map[string]map[string]*hold{},
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
	key := msg.NickKey(req.nick)
	h.mu.Lock()
	defer h.mu.Unlock()
	held := h.holds[req.room][key]
	if held != nil && held.token != token && held.active(now) || h.heldElsewhereLocked(req.room, key, token) {
		return &msg.ChatErr{Code: msg.ErrNickTaken, Room: req.room,
			Detail: "the nickname " + req.nick + " is taken in " + req.room + "; choose another"}
	}
	if c.room != "" {
		h.leaveLocked(c, true, now)
	}
	room := h.holds[req.room]
	if room == nil {
		room = map[string]*hold{}
		h.holds[req.room] = room
	}
	hd := room[key]
	if hd == nil || hd.token != token {
		hd = &hold{token: token, holder: holderOf(token)}
		room[key] = hd
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
	key := msg.NickKey(c.nick)
	if hd := h.holds[room][key]; hd != nil && hd.token == c.token {
		hd.conns--
		if hd.conns <= 0 {
			if explicit {
				h.dropHoldLocked(room, key)
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

// skip is the feed's answer to a backlog after a stall (natsstore.Feed):
// the messages up to upTo are in the stream but will not be delivered one
// by one. Each socket gets one item instead, and its writer reads its
// room's share from the stream at the pace the socket takes, as a client
// reconnecting with since does. The queues stay short: no 4008 for all.
func (h *hub) skip(upTo uint64) {
	o := &out{resync: upTo}
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, r := range h.rooms {
		for c := range r {
			h.pushLocked(c, o)
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
	for room, holds := range h.holds {
		for key, hd := range holds {
			if !hd.active(now) {
				h.dropHoldLocked(room, key)
			}
		}
	}
}

// dropHoldLocked forgets a hold, and tells the other replicas.
func (h *hub) dropHoldLocked(room, key string) {
	delete(h.holds[room], key)
	if len(h.holds[room]) == 0 {
		delete(h.holds, room)
	}
	h.changedLocked(room)
}

// heldElsewhereLocked reports whether another replica holds the nick (by
// its key) in room for another token. Replicas learn of each other's holds
// through the presence bucket, within milliseconds; two joins of one nick
// on two replicas within that window can both succeed.
func (h *hub) heldElsewhereLocked(room, key, token string) bool {
	var mine string
	for _, v := range h.remote[room] {
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

// localViewLocked is what this replica writes to the presence bucket for
// room: its sockets' nicks, sorted, and the holders of the nicks it holds
// there now.
func (h *hub) localViewLocked(room string, now time.Time) (nicks []string, holds map[string]string) {
	nicks = h.localNicksLocked(room)
	for key, hd := range h.holds[room] {
		if hd.active(now) {
			if holds == nil {
				holds = map[string]string{}
			}
			holds[key] = hd.holder
		}
	}
	return nicks, holds
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
