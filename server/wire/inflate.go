package wire

import (
	"bytes"
	"compress/flate"
	"io"
	"strings"
)

// Bounds on the work and memory of inflating one message. The wire lab
// reads at most msg.WireReadLimit bytes; past these bounds the message is
// reported as not inflated rather than followed.
const (
	maxCompressed = 1 << 20
	maxInflated   = 16 << 20
)

// deflateTail ends a permessage-deflate message for compress/flate: the
// sender removes the 00 00 ff ff of its final sync flush (RFC 7692 section
// 7.2.1), the receiver puts it back; the empty final stored block after it
// tells the reader that the stream is over rather than cut.
const deflateTail = "\x00\x00\xff\xff\x01\x00\x00\xff\xff"

// inflater measures one compressed message at a time.
//
// The server negotiates no context takeover in both directions
// (client_no_context_takeover; server_no_context_takeover), so each message
// is a deflate stream of its own and can be inflated alone, once its last
// frame has arrived. With context takeover, each message would refer back
// to the previous ones, and a tap would have to keep a live inflater, and
// its 32 KB window, per direction for the socket's whole life.
type inflater struct {
	active bool   // a compressed message is in progress
	buf    []byte // its payload so far, unmasked
	over   bool   // it outgrew maxCompressed
}

// begin starts a message, compressed or not.
func (m *inflater) begin(compressed bool) {
	m.active, m.buf, m.over = compressed, m.buf[:0], false
}

// add takes payload bytes of the message at offset off of their frame.
func (m *inflater) add(b []byte, key [4]byte, masked bool, off uint64) {
	if m.over {
		return
	}
	if len(m.buf)+len(b) > maxCompressed {
		m.over, m.buf = true, nil
		return
	}
	if masked {
		b = unmask(b, key, off)
	}
	m.buf = append(m.buf, b...)
}

// finish inflates the message and returns its length, 0 if it could not
// be inflated.
func (m *inflater) finish() uint64 {
	defer func() { m.active, m.buf = false, nil }()
	if m.over {
		return 0
	}
	r := flate.NewReader(io.MultiReader(bytes.NewReader(m.buf), strings.NewReader(deflateTail)))
	defer r.Close()
	n, err := io.Copy(io.Discard, io.LimitReader(r, maxInflated))
	if err != nil || n == maxInflated {
		return 0
	}
	return uint64(n)
}
