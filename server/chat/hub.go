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
	// holds h.mu too, so no live frame can be queued before it.
	h.pushLocked(c, &out{join: &req})
	r[c] = struct{}{}
	h.changedLocked(req.room)
	h.presenceLocked(req.room)
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
	room := c.room
	if r := h.rooms[room]; r != nil {
		delete(r, c)
		if len(r) == 0 {
			delete(h.rooms, room)
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
	h.presenceLocked(room)
}

// localNicksLocked returns the nicks of this replica's sockets in room,
// sorted, each once.
func (h *hub) localNicksLocked(room string) []string {
	r := h.rooms[room]
	nicks := make([]string, 0, len(r))
	for c := range r {
		nicks = append(nicks, c.nick)
	}
	slices.Sort(nicks)
	// Two tabs of one browser share a token and a nick: one name.
	return slices.Compact(nicks)
}

// presenceLocked sends the room's nicks, of every replica, to this
// replica's sockets in it.
func (h *hub) presenceLocked(room string) {
	r := h.rooms[room]
	if len(r) == 0 {
		return
	}
	nicks := h.localNicksLocked(room)
	if others := h.remote[room]; len(others) > 0 {
		for _, v := range others {
			nicks = append(nicks, v.nicks...)
		}
		slices.Sort(nicks)
		nicks = slices.Compact(nicks)
	}
	o := &out{frame: encode(msg.Chat{Type: msg.ChatPresence, Room: room, Nicks: nicks})}
	for c := range r {
		h.pushLocked(c, o)
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
