package conformance

// Policy is what an endpoint does with a complete data message.
type Policy int

const (
	// Echo sends the same message back.
	Echo Policy = iota
	// Answer sends some text message back (an error envelope, say) and
	// stays open.
	Answer
	// Refuse closes the connection with the endpoint's code for it.
	Refuse
)

// Endpoint is one socket under test: where it is and what its protocol
// does with what the suite sends.
type Endpoint struct {
	Name string
	Path string
	// Extensions is offered in the handshake (permessage-deflate).
	Extensions string
	// ReadLimit is the largest message accepted, in bytes.
	ReadLimit int
	// Text and Binary say what a valid text or binary message gets;
	// TextCode and BinaryCode are the close codes of a Refuse.
	Text, Binary         Policy
	TextCode, BinaryCode int
	// Noise reports a frame the server sends on its own (not an answer
	// to the case), which the suite skips.
	Noise func(Received) bool
	// EndsItself: the server closes with 1000 on its own after a while
	// (the hello lab); that close stands for the client's own in a case
	// that leaves the connection open.
	EndsItself bool
	// Unanswered reports a valid message the protocol does not answer at
	// once (the plot's empty request waits for points).
	Unanswered func(op byte, msg []byte) bool
	// Async: answers are written apart from the reading (chat's writer,
	// plot's handler), so a failure may overtake answers still queued.
	Async bool
	// Groups limits the groups run (all when nil).
	Groups []string
}

// runs reports whether the endpoint takes part in group g.
func (e Endpoint) runs(g string) bool {
	if e.Groups == nil {
		return g != "12" && g != "13"
	}
	for _, x := range e.Groups {
		if x == g {
			return true
		}
	}
	return false
}
