package chat

import "socketlab/server/conns"

// client is one chat socket: its connection, its send queue and writer
// (queue.go, writer.go), its says on their way to the store (publish.go)
// and the room it is in.
type client struct {
	conn *conns.Conn
	sendQueue
	pos  position // where the writer stands; only the writer touches it
	pubs pubQueue // says on their way to the store

	// The room joined, as what nick, with what session token. Only the
	// socket's reader joins and leaves (hub.join, hub.leave), so only it
	// touches them: no lock.
	room, nick, token string
}

// newClient makes the client of c; onKick, when set, runs once when its
// queue overflows, before the writer closes it with 4008.
func newClient(c *conns.Conn, maxQueue int, onKick func()) *client {
	cl := &client{conn: c}
	cl.init(maxQueue, onKick)
	return cl
}
