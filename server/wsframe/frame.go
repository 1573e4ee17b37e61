package wsframe

import (
	"encoding/binary"
	"fmt"
	"io"
)

// Frame is one whole frame as a raw client writes or reads it, with every
// header field settable, so that a test can break any rule of section 5.2
// on purpose. It is the one writer and reader of raw frames in socketlab:
// the conformance suite's client (server/conformance) and the test kit's
// raw connection (internal/testkit) both go through it.
type Frame struct {
	Fin bool
	RSV byte // the three reserved bits, RSV1 = 4
	Op  byte
	// Masked sets the MASK bit and masks the payload with Key, as every
	// client frame must; a reader sets it from the header.
	Masked bool
	Key    [4]byte
	// Len16 and Len64 force a longer length encoding than the payload
	// needs, which RFC 6455 forbids ("the minimal number of bytes").
	Len16, Len64 bool
	// LenMSB sets the most significant bit of a 64-bit length, which
	// RFC 6455 forbids.
	LenMSB bool
	// Payload is the payload unmasked.
	Payload []byte
}

// Append appends f's bytes on the wire to dst: the header, the masking
// key when Masked, the payload masked with it.
func (f Frame) Append(dst []byte) []byte {
	b0 := f.Op | f.RSV<<4
	if f.Fin {
		b0 |= 0x80
	}
	m := byte(0)
	if f.Masked {
		m = 0x80
	}
	dst = append(dst, b0)
	switch n := len(f.Payload); {
	case f.Len64 || f.LenMSB || n > 0xFFFF:
		l := uint64(n)
		if f.LenMSB {
			l |= 1 << 63
		}
		dst = binary.BigEndian.AppendUint64(append(dst, m|127), l)
	case f.Len16 || n > 125:
		dst = binary.BigEndian.AppendUint16(append(dst, m|126), uint16(n))
	default:
		dst = append(dst, m|byte(n))
	}
	if !f.Masked {
		return append(dst, f.Payload...)
	}
	dst = append(dst, f.Key[:]...)
	for i, c := range f.Payload {
		dst = append(dst, c^f.Key[i%4])
	}
	return dst
}

// ReadFrame reads one frame from r and unmasks its payload. A frame that
// announces more than limit bytes is an error before any of its payload is
// read: a peer's length field must not choose how much memory a reader
// takes.
func ReadFrame(r io.Reader, limit uint64) (Frame, error) {
	var h [MaxHeader]byte
	if _, err := io.ReadFull(r, h[:2]); err != nil {
		return Frame{}, err
	}
	n := HeaderLen(h[1])
	if _, err := io.ReadFull(r, h[2:n]); err != nil {
		return Frame{}, fmt.Errorf("frame header: %w", err)
	}
	f := Frame{Fin: h[0]&0x80 != 0, RSV: h[0] >> 4 & 7, Op: h[0] & 0xF}
	f.Key, f.Masked = MaskKey(h[:n])
	l := PayloadLen(h[:n])
	if l > limit {
		return f, fmt.Errorf("frame of %d bytes, over the reader's limit of %d", l, limit)
	}
	f.Payload = make([]byte, l)
	if _, err := io.ReadFull(r, f.Payload); err != nil {
		return f, fmt.Errorf("frame payload: %w", err)
	}
	if f.Masked {
		for i := range f.Payload {
			f.Payload[i] ^= f.Key[i%4]
		}
	}
	return f, nil
}

// ClosePayload is the payload of a close frame with code and reason
// (section 5.5.1).
func ClosePayload(code int, reason string) []byte {
	return append(binary.BigEndian.AppendUint16(nil, uint16(code)), reason...)
}
