package socket

import (
	"time"

	"socketlab/app/msg"
)

// Direction says which way a Frame went, or that it is a connection event.
type Direction int

// Frame directions as seen from the client.
const (
	Sent Direction = iota
	Received
	Event // open, close, error: no payload crossed the wire
)

func (d Direction) String() string {
	switch d {
	case Sent:
		return "sent"
	case Received:
		return "received"
	}
	return "event"
}

// Frame is one entry of the wire inspector: a message that crossed the
// socket, or an open/close event with its code and reason.
type Frame struct {
	Time   time.Time
	Dir    Direction
	Binary bool
	// Size is the payload size in bytes (the whole message, however it was
	// fragmented on the wire).
	Size int
	// Data is the payload for messages; for events, a description for a
	// person, such as "open ws://…" or "close 1000 that is all". Pages
	// learn of events from OnOpen, OnClose and OnDialError, not from this.
	Data string
	// Code is the close code for close events, 0 otherwise.
	Code msg.CloseCode
}
