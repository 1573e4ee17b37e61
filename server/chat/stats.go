package chat

import "sync/atomic"

type stats struct {
	published, duplicates, limited, refused atomic.Int64
}

// Stats are the chat's counters since the handler started.
type Stats struct {
	Clients     int   // sockets in a room now
	Rooms       int   // rooms with someone in them now
	Published   int64 // messages stored
	Duplicates  int64 // resends recognised and not stored again
	Delivered   int64 // msg frames queued to sockets by the fan-out
	RateLimited int64 // envelopes refused as over the rate
	Refused     int64 // envelopes answered with another error
	TooSlow     int64 // sockets closed with 4008
}

// Stats returns the current counters.
func (h *Handler) Stats() Stats {
	clients, rooms := h.hub.counts()
	return Stats{
		Clients: clients, Rooms: rooms,
		Published: h.stats.published.Load(), Duplicates: h.stats.duplicates.Load(),
		Delivered: h.hub.delivered.Load(), RateLimited: h.stats.limited.Load(),
		Refused: h.stats.refused.Load(), TooSlow: h.hub.kicked.Load(),
	}
}
