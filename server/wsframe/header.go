// Package wsframe is the layout of an RFC 6455 frame header (section 5.2):
// the opcodes, how long a header is, where its payload length and masking
// key sit.
//
// It is the one piece of the protocol socketlab reads beneath its WebSocket
// library (coder/websocket does the protocol itself, and hides its
// frames). Two readers of the raw byte stream share it: the connection
// layer's frame scanner (server/conns), which follows frame boundaries to
// find the peer's close frame, and the wire lab's decoder (server/wire),
// which reports every field of every frame to a learner. Frame (frame.go)
// writes and reads whole frames for the raw clients that must send what
// no library would: the conformance suite's (server/conformance) and the
// test kit's (internal/testkit).
package wsframe

import "encoding/binary"

// Opcodes (RFC 6455 section 5.2). Opcodes from OpClose up are control
// frames.
const (
	OpContinuation = 0x0
	OpText         = 0x1
	OpBinary       = 0x2
	OpClose        = 0x8
	OpPing         = 0x9
	OpPong         = 0xA
)

// MaxHeader is the longest frame header: 2 bytes, a 64-bit extended
// length and a 4-byte masking key.
const MaxHeader = 2 + 8 + 4

// HeaderLen is the full length of a header whose second byte is b1: the
// 7-bit length field says whether a 16-bit (126) or 64-bit (127) extended
// length follows, and the MASK bit whether a masking key does.
func HeaderLen(b1 byte) int {
	n := 2
	switch b1 & 0x7F {
	case 126:
		n += 2
	case 127:
		n += 8
	}
	if b1&0x80 != 0 {
		n += 4
	}
	return n
}

// PayloadLen is the payload length announced by h, a complete header
// (HeaderLen(h[1]) bytes). A 64-bit length is returned as sent, its most
// significant bit included, which RFC 6455 requires to be 0: what to make
// of a frame that sets it is the caller's choice.
func PayloadLen(h []byte) uint64 {
	switch l := h[1] & 0x7F; l {
	case 126:
		return uint64(binary.BigEndian.Uint16(h[2:4]))
	case 127:
		return binary.BigEndian.Uint64(h[2:10])
	default:
		return uint64(l)
	}
}

// MaskKey is the masking key of h, a complete header, and whether it has
// one (the MASK bit); every frame from a client must.
func MaskKey(h []byte) (key [4]byte, masked bool) {
	if h[1]&0x80 == 0 {
		return key, false
	}
	copy(key[:], h[len(h)-4:])
	return key, true
}
