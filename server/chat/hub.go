package chat

import (
	"time"

	"socketlab/app/msg"
)

// hub is the chat's shared state on this replica, in parts that each own
// their state and lock: rooms (membership and fan-out, rooms.go), holds
// (nicks reserved by session token, holds.go) and presence (who is shown
// online, presence.go), linked to the other replicas by the presence
// bucket (bucket.go). The hub adds only the order in which a join and a
// leave go through them.
type hub struct {
	counters *counters
	rooms    *rooms
	holds    *holds
	pres     *presence
	dirty    *dirtyRooms // rooms whose key in the bucket is out of date
	bucket   *bucket     // nil until started
}

func newHub(nickHold time.Duration) *hub {
	h := &hub{counters: newCounters(), dirty: newDirtyRooms()}
	h.rooms = newRooms(h.counters)
	h.holds = newHolds(nickHold, h.dirty)
	h.pres = newPresence(h.rooms, h.holds, h.dirty)
	return h
}

// join puts c in room as nick, leaving its current room if any, and queues
// the catch-up request. It fails with nick_taken when another token holds
// the nick, here or on another replica. Only c's reader calls it (and
// leave), so c's room and nick need no lock.
func (h *hub) join(c *client, req joinReq, token string) *msg.ChatErr {
	key := msg.NickKey(req.nick)
	if h.pres.heldElsewhere(req.room, key, token) || !h.holds.reserve(req.room, key, token, time.Now()) {
		return &msg.ChatErr{Code: msg.ErrNickTaken, Room: req.room,
			Detail: "the nickname " + req.nick + " is taken in " + req.room + "; choose another"}
	}
	if c.room != "" {
		h.leave(c, true)
	}
	c.room, c.nick, c.token = req.room, req.nick, token
	// The catch-up goes first, then the room's full list, then c is in the
	// room (presence.join): nothing live can be queued before them, and c
	// sees each presence change after its list exactly once.
	h.pres.join(c, req.room, req.nick, &out{join: &req})
	return nil
}

// leave takes c out of its room. An explicit leave releases the nick at
// once; a disconnect keeps it held for the nick hold.
func (h *hub) leave(c *client, explicit bool) {
	if c.room == "" {
		return
	}
	room, nick := c.room, c.nick
	c.room, c.nick = "", ""
	h.pres.leave(c, room, nick)
	h.holds.release(room, msg.NickKey(nick), c.token, explicit, time.Now())
}

// localView is what this replica writes to the presence bucket for room:
// its sockets' nicks, sorted, and the holders of the nicks it holds there.
func (h *hub) localView(room string, now time.Time) (nicks []string, holds map[string]string) {
	return h.pres.localNicks(room), h.holds.view(room, now)
}
