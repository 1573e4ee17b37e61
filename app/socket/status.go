package socket

// Status is where a Conn is in its life cycle, as shown to a person.
type Status int

// The statuses a Conn moves through. A Conn starts Connecting, is Open while
// a socket is up, Reconnecting between sockets, Offline while the browser
// reports no network (dialing is paused, not failing), and Closed once Run
// has returned.
const (
	Connecting Status = iota
	Open
	Reconnecting
	Offline
	Closed
)

var statusNames = [...]string{"connecting", "open", "reconnecting", "offline", "closed"}

// String returns the lower-case name used in the UI and in CSS classes.
func (s Status) String() string {
	if s < 0 || int(s) >= len(statusNames) {
		return "unknown"
	}
	return statusNames[s]
}
