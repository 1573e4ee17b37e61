package conns

import (
	"unicode/utf8"

	"socketlab/server/wsframe"
)

// frameScanner follows the frame boundaries of one direction of a
// WebSocket byte stream, as the bytes cross the network connection, and
// remembers the first close frame. It reads headers and skips payloads, so
// it costs a few instructions per frame, not per byte.
//
// Why a second parser beside the library's: the library hides its frames,
// and after it has failed a connection for a protocol error its own parser
// stops where the error was. The scanner still knows where the next frame
// begins, so a draining close can read on until the peer's close frame
// (and not a byte further, which would wait for nothing), and the log can
// say which close frame really went out.
type frameScanner struct {
	hdr  [wsframe.MaxHeader]byte
	hn   int   // header bytes collected so far
	left int64 // payload bytes of the current frame still to come
	op   byte  // the current frame's opcode
	key  [4]byte
	kpos int // position in the mask key of the next payload byte

	// hold makes the scanner keep a close frame's bytes, header and
	// payload, instead of letting them pass; see corkConn.Read.
	hold bool
	held []byte

	closeBuf [125]byte // the close frame's payload, unmasked
	closeLen int
	// closed is set once a whole close frame has passed; the scanner
	// then looks at nothing more.
	closed bool
	// release: the frame held as a close is not one the library will
	// take as a close (a payload over 125 bytes, no FIN); held goes on
	// first, unvetted, before the whole of the chunk scan was given.
	release  bool
	notClose bool // the current frame has a close opcode but is invalid
}

// scan follows p, the next bytes of the stream, and returns how many of
// them pass on at once and where its scan stopped. Without hold, all of p
// passes. With hold, a close frame's bytes do not: the bytes before it
// pass, and the frame's bytes so far are kept in held. Once the frame is
// complete (closed), end is where it ended in p; what follows is not
// scanned, and is the caller's.
func (s *frameScanner) scan(p []byte) (pass, end int) {
	holdFrom := -1
	if s.hold && s.op == wsframe.OpClose && s.hn > 0 {
		holdFrom = 0 // a close frame began in an earlier chunk
	}
	i := 0
	for i < len(p) && !s.closed {
		if s.hn < 2 || s.hn < wsframe.HeaderLen(s.hdr[1]) {
			if s.hn == 0 {
				s.op = p[i] & 0x0f
				if s.hold && s.op == wsframe.OpClose {
					holdFrom = i
				}
			}
			s.hdr[s.hn] = p[i]
			s.hn++
			i++
			if s.hn >= 2 && s.hn == wsframe.HeaderLen(s.hdr[1]) {
				s.startPayload()
				if s.notClose && holdFrom >= 0 {
					if holdFrom == 0 && len(s.held) > 0 {
						s.release = true
					}
					holdFrom = -1
					if !s.release {
						s.held = s.held[:0]
					}
				}
			}
			continue
		}
		n := min(int64(len(p)-i), s.left)
		if s.op == wsframe.OpClose {
			s.collect(p[i : i+int(n)])
		}
		i += int(n)
		s.left -= n
		if s.left == 0 {
			s.endFrame()
		}
	}
	if holdFrom < 0 {
		return len(p), i
	}
	s.held = append(s.held, p[holdFrom:i]...)
	return holdFrom, i
}

// startPayload decodes a complete header.
func (s *frameScanner) startPayload() {
	h := s.hdr[:s.hn]
	s.left = int64(wsframe.PayloadLen(h) & (1<<63 - 1))
	s.key, _ = wsframe.MaskKey(h)
	s.kpos = 0
	s.closeLen = 0
	// The library fails a close frame that is fragmented or too long
	// without taking it for a close.
	s.notClose = s.op == wsframe.OpClose && (h[0]&0x80 == 0 || s.left > 125)
	if s.notClose {
		s.op = 0xff
	}
	if s.left == 0 {
		s.endFrame()
	}
}

// collect keeps up to 125 unmasked bytes of a close frame's payload.
func (s *frameScanner) collect(b []byte) {
	for _, c := range b {
		if s.closeLen < len(s.closeBuf) {
			s.closeBuf[s.closeLen] = c ^ s.key[s.kpos&3]
			s.closeLen++
		}
		s.kpos++
	}
}

// endFrame marks the end of the current frame.
func (s *frameScanner) endFrame() {
	if s.op == wsframe.OpClose {
		s.closed = true
	}
	s.hn, s.left = 0, 0
}

// closePayload returns the first close frame's payload, once closed.
func (s *frameScanner) closePayload() []byte { return s.closeBuf[:s.closeLen] }

// badCloseReason reports whether the close frame carries a reason that is
// not UTF-8, which RFC 6455 section 8.1 answers with 1007.
func (s *frameScanner) badCloseReason() bool {
	p := s.closePayload()
	return len(p) > 2 && !utf8.Valid(p[2:])
}
