package wire

import (
	"errors"
	"fmt"

	"socketlab/app/msg"
	"socketlab/server/wsframe"
)

// Frame is one RFC 6455 frame as it crossed, decoded (section 5.2): its
// header, and the first bytes of its payload as sent.
type Frame struct {
	FIN, RSV1, RSV2, RSV3 bool
	Opcode                byte
	Masked                bool
	// Len7 is the 7-bit payload length field (126: a 16-bit length
	// follows, 127: a 64-bit one).
	Len7 byte
	// Header is every header byte, from the first to the end of the
	// masking key.
	Header []byte
	Length uint64
	Key    [4]byte
	// Raw is the start of the payload as sent (masked, for a client
	// frame): msg.WirePayloadShown bytes of a data frame, the whole
	// payload (at most 125 bytes) of a valid control frame.
	Raw []byte
	// Compressed marks a frame of a permessage-deflate message, and
	// Inflated is that message's length once inflated, on its last frame
	// (0 if it could not be inflated).
	Compressed bool
	Inflated   uint64
}

// maxControl is the largest valid control frame payload.
const maxControl = 125

// ErrLength is returned for a 64-bit length with its most significant bit
// set, which RFC 6455 forbids: past it, the stream cannot be trusted.
var ErrLength = errors.New("wire: 64-bit payload length with the most significant bit set")

// Decoder decodes one direction of a WebSocket connection, passively: it
// is fed a copy of the bytes as they cross, split anywhere, and reports
// each frame once its last byte has arrived. Its memory is bounded: it
// keeps a frame's header and the first bytes of its payload, and counts
// the rest. The zero value is ready to use.
type Decoder struct {
	// Deflate says permessage-deflate was negotiated: a message whose
	// first frame has RSV1 set is then inflated to tell its length.
	Deflate bool

	hdr       [wsframe.MaxHeader]byte
	hn        int    // header bytes so far
	inPayload bool   // the header is complete; payload bytes follow
	cur       Frame  // the frame being read
	left      uint64 // its payload bytes still to come
	pos       uint64 // its payload bytes seen so far
	msg       inflater
	err       error
}

// Feed decodes p, calling emit for each frame it completes, in order. After
// an error, Feed decodes nothing more and returns that error again: the
// bytes that follow cannot be framed.
func (d *Decoder) Feed(p []byte, emit func(Frame)) error {
	for len(p) > 0 && d.err == nil {
		if d.inPayload {
			n := min(uint64(len(p)), d.left)
			d.payload(p[:n])
			p = p[n:]
			d.left -= n
			if d.left == 0 {
				d.end(emit)
			}
			continue
		}
		need := 2
		if d.hn >= 2 {
			need = wsframe.HeaderLen(d.hdr[1])
		}
		n := copy(d.hdr[d.hn:need], p)
		d.hn += n
		p = p[n:]
		if d.hn < 2 || d.hn < wsframe.HeaderLen(d.hdr[1]) {
			continue
		}
		if err := d.start(); err != nil {
			d.err = err
			break
		}
		if d.left == 0 {
			d.end(emit)
		}
	}
	return d.err
}

// start parses a complete header into d.cur.
func (d *Decoder) start() error {
	b0, b1 := d.hdr[0], d.hdr[1]
	f := Frame{
		FIN: b0&0x80 != 0, RSV1: b0&0x40 != 0, RSV2: b0&0x20 != 0, RSV3: b0&0x10 != 0,
		Opcode: b0 & 0x0F, Masked: b1&0x80 != 0, Len7: b1 & 0x7F,
		Header: append([]byte(nil), d.hdr[:d.hn]...),
	}
	f.Length = wsframe.PayloadLen(f.Header)
	if f.Length>>63 != 0 {
		return fmt.Errorf("%w (header % x)", ErrLength, f.Header)
	}
	f.Key, _ = wsframe.MaskKey(f.Header)
	keep := uint64(msg.WirePayloadShown)
	if f.Opcode >= wsframe.OpClose {
		keep = maxControl // all of a valid control frame, for a close reason
	}
	f.Raw = make([]byte, 0, min(f.Length, keep))

	// permessage-deflate (RFC 7692): RSV1 on a message's first frame says
	// the whole message is compressed; control frames never are.
	switch f.Opcode {
	case wsframe.OpText, wsframe.OpBinary:
		d.msg.begin(d.Deflate && f.RSV1)
	}
	f.Compressed = f.Opcode < wsframe.OpClose && d.msg.active

	d.cur, d.left, d.pos, d.inPayload = f, f.Length, 0, true
	return nil
}

// payload takes the next bytes of the current frame's payload.
func (d *Decoder) payload(b []byte) {
	f := &d.cur
	if room := cap(f.Raw) - len(f.Raw); room > 0 {
		f.Raw = append(f.Raw, b[:min(room, len(b))]...)
	}
	if f.Compressed {
		d.msg.add(b, f.Key, f.Masked, d.pos)
	}
	d.pos += uint64(len(b))
}

// end reports the current frame and gets ready for the next header.
func (d *Decoder) end(emit func(Frame)) {
	f := d.cur
	if f.Compressed && f.FIN {
		f.Inflated = d.msg.finish()
	}
	d.cur, d.hn, d.inPayload = Frame{}, 0, false
	emit(f)
}

// unmask returns b, the payload bytes starting at offset off, unmasked.
func unmask(b []byte, key [4]byte, off uint64) []byte {
	out := make([]byte, len(b))
	for i, c := range b {
		out[i] = c ^ key[(off+uint64(i))%4]
	}
	return out
}
