package chat

import (
	"encoding/json"
	"sync"

	"socketlab/app/msg"
	"socketlab/server/natsstore"
)

// rooms knows which sockets of this replica are in which room, and fans
// frames out to them: a stored message (deliver), a presence change
// (broadcast), a resync after a stall (skip). It never waits for a
// socket: a push only queues (queue.go).
type rooms struct {
	counters *counters

	mu sync.Mutex
	m  map[string]map[*client]struct{} // room → its sockets here
}

func newRooms(c *counters) *rooms {
	return &rooms{counters: c, m: map[string]map[*client]struct{}{}}
}

// encode marshals an envelope. A Chat always marshals.
func encode(c msg.Chat) []byte {
	b, _ := json.Marshal(c)
	return b
}

// add puts c in room after queueing first to it. Both happen under the
// lock the fan-out holds, so nothing of the room can be queued to c before
// first: a join's catch-up request and the room's full presence list.
func (r *rooms) add(c *client, room string, first ...*out) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, o := range first {
		send(c, o)
	}
	set := r.m[room]
	if set == nil {
		set = map[*client]struct{}{}
		r.m[room] = set
		r.counters.rooms.Inc()
	}
	if _, in := set[c]; !in {
		set[c] = struct{}{}
		r.counters.sockets.Inc()
	}
}

// remove takes c out of room.
func (r *rooms) remove(c *client, room string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	set := r.m[room]
	if _, in := set[c]; !in {
		return
	}
	delete(set, c)
	r.counters.sockets.Dec()
	if len(set) == 0 {
		delete(r.m, room)
		r.counters.rooms.Dec()
	}
}

// empty reports whether no socket of this replica is in room.
func (r *rooms) empty(room string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.m[room]) == 0
}

// broadcast queues o to every socket of room but except.
func (r *rooms) broadcast(room string, o *out, except *client) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for c := range r.m[room] {
		if c != except {
			send(c, o)
		}
	}
}

// deliver fans a stored message out to its room. It is called by the store's
// feed, one message at a time, in stream order; it encodes the message once
// and never waits for a socket.
func (r *rooms) deliver(m natsstore.Message) {
	o := &out{frame: encode(m.Envelope()), seq: m.Seq, room: m.Room}
	r.mu.Lock()
	defer r.mu.Unlock()
	for c := range r.m[m.Room] {
		if send(c, o) {
			r.counters.delivered.Inc()
		}
	}
}

// skip is the feed's answer to a backlog after a stall (natsstore.Feed):
// the messages up to upTo are in the stream but will not be delivered one
// by one. Each socket gets one item instead, and its writer reads its
// room's share from the stream at the pace the socket takes, as a client
// reconnecting with since does. The queues stay short: no 4008 for all.
func (r *rooms) skip(upTo uint64) {
	o := &out{resync: upTo}
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, set := range r.m {
		for c := range set {
			send(c, o)
		}
	}
}

// send queues o to c unless c is already on its way out as too slow.
func send(c *client, o *out) bool {
	if c.isKicked() {
		return false
	}
	return c.push(o)
}
