package msg

import "time"

// The hello lab: the server pushes HelloFirst, waits HelloDelay, pushes
// HelloSecond and then closes the socket with 1000 (normal closure). Nothing
// is read from the client; it is the smallest possible server push.
const (
	HelloFirst  = "Hello"
	HelloSecond = "World"
	HelloDelay  = time.Second
	// HelloCloseReason is the reason sent with the final 1000 close frame.
	HelloCloseReason = "that is all"
)
