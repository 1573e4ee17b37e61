package msg

import "time"

// The casefold lab is plain text on purpose: every text frame in gets one
// text frame out holding the full Unicode case folding of the input (what
// Python's str.casefold returns). A stock client such as Python's websockets
// library can talk to it with no knowledge of socketlab.
const (
	// CasefoldReadLimit is the default largest message the casefold endpoint
	// accepts; a bigger one is closed with 1009 (message too big). It is well
	// past 65 535 bytes so that both extended payload lengths of RFC 6455
	// (16-bit and 64-bit) are exercised.
	CasefoldReadLimit = 128 << 10
	// CasefoldFloodGrace is how long a casefold client may keep pushing
	// messages faster than its rate (several already waiting each time
	// the server's reader is held back) before it is closed with 1008.
	// Until then it is only slowed down; a client that waits for each
	// answer is never closed.
	CasefoldFloodGrace = 5 * time.Second
)
