package msg

import "time"

// The wire lab shows the WebSocket protocol itself: the upgrade handshake
// and every frame, byte by byte, as the server saw them. Nothing is
// predicted: a passive decoder under the WebSocket library (server/wire)
// reads a copy of every byte that crosses one socket, the subject, and
// reports each frame to a second socket, the observer. The observer's own
// frames are never tapped, so a report never describes itself.
//
// Any socket can be a subject: the page adds ?tap=<id> to the socket's URL
// (/ws/wire, or any lab's socket when its inspector asks for "frames as
// the server saw them") and opens WireWatchPath?id=<id>. The id is chosen by
// the page: WireTapIDLen characters of [A-Za-z0-9_-] from a cryptographic
// random source, so that nobody else can watch. An observer whose subject
// does not arrive within WireWatchWait is closed with 1008 and
// CloseNoSubjectReason; a second subject or observer with an id already in
// use is refused the same way (CloseTapInUseReason).
//
// /ws/wire itself echoes: each text or binary message comes back as the
// same type, in one frame unless the observer asked for fragments. With
// ?deflate=1 the server accepts the browser's permessage-deflate offer.
//
// The observer speaks JSON, one WireEvent per text frame, server to client:
//
//	→ {"type":"handshake","handshake":{…}}            always first
//	→ {"type":"frame","frame":{"n":1,"dir":"in",…}}   one per decoded frame, in order
//	→ {"type":"closed","detail":"tcp closed"}         the subject's TCP connection ended
//	→ {"type":"error","detail":"…"}                   a command it could not carry out
//
// and WireCommand, client to server, to act on the subject from the server
// side:
//
//	← {"type":"ping"}                      the server pings the subject
//	← {"type":"fragments","n":3}           the next echo goes out in 3 frames
//	← {"type":"close","code":1001}         the server closes the subject (1001, 1008 or 1011)
const (
	// WirePath is the wire lab's subject socket: an echo.
	WirePath = "/ws/wire"
	// WireWatchPath is the observer socket, for a subject of any lab.
	WireWatchPath = "/ws/wire/watch"

	// WireReadLimit is the largest message /ws/wire accepts; above it,
	// 1009. It is past 65 536 so that the 64-bit length preset fits.
	WireReadLimit = 128 << 10
	// WireTapIDLen is the length of a tap id.
	WireTapIDLen = 22
	// WirePayloadShown is how many payload bytes a WireFrame carries (as
	// sent and unmasked); Length always tells the whole.
	WirePayloadShown = 64
	// WireMaxFragments caps WireCommand.N.
	WireMaxFragments = 16
	// WireCommandLimit is the largest WireCommand the observer accepts;
	// above it, 1009.
	WireCommandLimit = 1 << 10
	// WireMaxBacklog is how many frames the server keeps for an observer
	// that has not connected yet, or reads slowly; older ones are counted
	// in WireEvent.Dropped, never silently lost.
	WireMaxBacklog = 512
)

// WireWatchWait is how long an observer waits for its subject before it is
// closed with 1008 and CloseNoSubjectReason; a subject's records wait as
// long for an observer that has not come yet.
const WireWatchWait = 10 * time.Second

// CloseNoSubjectReason is the 1008 reason for an observer whose subject
// never arrived (an unknown, wrong or expired id).
const CloseNoSubjectReason = "no subject with this tap id"

// CloseTapInUseReason is the 1008 reason for a second subject or observer
// that claims an id already in use.
const CloseTapInUseReason = "tap id already in use"

// WireEvent types.
const (
	WireHandshake = "handshake"
	WireFrameRec  = "frame"
	WireClosed    = "closed"
	WireError     = "error"
)

// WireCommand types.
const (
	WirePing      = "ping"
	WireFragments = "fragments"
	WireClose     = "close"
)

// WireEvent is one message from the observer socket.
type WireEvent struct {
	Type      string             `json:"type"`
	Handshake *WireHandshakeInfo `json:"handshake,omitempty"`
	Frame     *WireFrame         `json:"frame,omitempty"`
	Detail    string             `json:"detail,omitempty"`
	// Dropped counts frames not reported before this one because the
	// backlog was full.
	Dropped int `json:"dropped,omitempty"`
}

// WireCommand is one message to the observer socket.
type WireCommand struct {
	Type string `json:"type"`
	// Text is accepted for a ping (≤ 125 bytes) but not sent: the
	// WebSocket library picks a ping's payload itself (a counter), and
	// the record shows what it sent.
	Text   string    `json:"text,omitempty"`
	N      int       `json:"n,omitempty"`      // fragments: 2…WireMaxFragments
	Code   CloseCode `json:"code,omitempty"`   // close: 1001, 1008 or 1011
	Reason string    `json:"reason,omitempty"` // close reason, ≤ 123 bytes
}

// Frame directions in a WireFrame, as the server sees them.
const (
	WireIn  = "in"  // client → server
	WireOut = "out" // server → client
)

// WireFrame is one RFC 6455 frame as it crossed the wire (section 5.2):
//
//	 0                   1                   2                   3
//	 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//	+-+-+-+-+-------+-+-------------+-------------------------------+
//	|F|R|R|R| opcode|M| Payload len |    Extended payload length    |
//	|I|S|S|S|  (4)  |A|     (7)     |             (16/64)           |
//	|N|V|V|V|       |S|             |   (if payload len==126/127)   |
//	| |1|2|3|       |K|             |                               |
//	+-+-+-+-+-------+-+-------------+ - - - - - - - - - - - - - - - +
//	|     Extended payload length continued, if payload len == 127  |
//	+ - - - - - - - - - - - - - - - +-------------------------------+
//	|                               |Masking-key, if MASK set to 1  |
//	+-------------------------------+-------------------------------+
//	| Masking-key (continued)       |          Payload Data         |
//	+-------------------------------- - - - - - - - - - - - - - - - +
type WireFrame struct {
	N    int    `json:"n"`    // 1, 2, … in the order the tap decoded them (both directions)
	Dir  string `json:"dir"`  // WireIn or WireOut
	Time int64  `json:"time"` // Unix microseconds when its last byte was seen
	FIN  bool   `json:"fin"`
	RSV1 bool   `json:"rsv1"` // set on the first frame of a compressed message (permessage-deflate)
	RSV2 bool   `json:"rsv2"`
	RSV3 bool   `json:"rsv3"`
	// Opcode and its name: continuation, text, binary, close, ping, pong,
	// or "reserved".
	Opcode int    `json:"opcode"`
	OpName string `json:"opName"`
	Masked bool   `json:"masked"`
	// Len7 is the 7-bit payload length field: the length itself up to
	// 125, 126 for a 16-bit extended length, 127 for a 64-bit one.
	Len7 int `json:"len7"`
	// ExtLen is "none", "16" or "64"; ExtBytes the extended length's
	// bytes in hex ("01 00").
	ExtLen   string `json:"extLen"`
	ExtBytes string `json:"extBytes,omitempty"`
	// Header is every header byte in hex, from the first byte to the end
	// of the masking key.
	Header  string `json:"header"`
	Length  uint64 `json:"length"`            // payload bytes in this frame
	MaskKey string `json:"maskKey,omitempty"` // 4 bytes in hex, when Masked
	// Raw and Unmasked are the first WirePayloadShown payload bytes in hex:
	// as sent (masked, for a client frame) and after unmasking. Text is
	// the unmasked bytes as text when they are valid UTF-8 (a cut code
	// point at the end is left out).
	Raw      string `json:"raw,omitempty"`
	Unmasked string `json:"unmasked,omitempty"`
	Text     string `json:"text,omitempty"`
	// Inflated is the message's length after permessage-deflate
	// decompression, on the frame that completes a compressed message
	// (0 when it was not compressed or could not be inflated).
	Inflated uint64 `json:"inflated,omitempty"`
	// CloseCode and CloseReason are a close frame's payload; CloseCode 0
	// with Opcode 8 means an empty close payload (1005 to the peer).
	CloseCode   CloseCode `json:"closeCode,omitempty"`
	CloseReason string    `json:"closeReason,omitempty"`
}

// WireHandshakeInfo is the opening handshake of the subject as the server
// received and answered it, with the Sec-WebSocket-Accept computation
// shown step by step and, for comparison, the hixie-76 handshake the
// classic demos spoke, computed for the same visit.
type WireHandshakeInfo struct {
	// Request and Response are the lines exactly as they crossed: the
	// request line, then each header in the order received (Cookie and
	// Authorization values redacted); the status line, then each header.
	Request  []string `json:"request"`
	Response []string `json:"response"`

	// Key is Sec-WebSocket-Key; Concat is Key followed by the RFC's GUID;
	// SHA1 is the SHA-1 of Concat in hex; Accept is its base64, which
	// must equal AcceptSent, the header the server sent.
	Key        string `json:"key"`
	GUID       string `json:"guid"`
	Concat     string `json:"concat"`
	SHA1       string `json:"sha1"`
	Accept     string `json:"accept"`
	AcceptSent string `json:"acceptSent"`

	// Offered is every extension the browser offered
	// (Sec-WebSocket-Extensions, one per entry); Accepted the extension
	// header the server answered with, "" for none.
	Offered  []string `json:"offered,omitempty"`
	Accepted string   `json:"accepted,omitempty"`

	Hixie76 WireHixie76 `json:"hixie76"`
}

// WireHixie76 is the draft-ietf-hybi-thewebsocketprotocol-00 (hixie-76)
// handshake: the client sends two keys made of digits and spaces and 8
// random bytes; the server divides each key's digits by its number of
// spaces, writes both quotients as 32-bit big-endian numbers followed by the
// 8 bytes, and answers with the MD5 of those 16 bytes.
type WireHixie76 struct {
	Key1    string `json:"key1"`
	Key2    string `json:"key2"`
	Digits1 uint64 `json:"digits1"`
	Spaces1 int    `json:"spaces1"`
	Digits2 uint64 `json:"digits2"`
	Spaces2 int    `json:"spaces2"`
	Part1   uint32 `json:"part1"` // Digits1 / Spaces1
	Part2   uint32 `json:"part2"` // Digits2 / Spaces2
	Key3    string `json:"key3"`  // the 8 bytes after the headers, hex
	// Challenge is Part1, Part2 (big-endian) and Key3: 16 bytes in hex;
	// Response their MD5 in hex.
	Challenge string `json:"challenge"`
	Response  string `json:"response"`
}
