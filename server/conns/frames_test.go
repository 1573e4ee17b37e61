package conns

import (
	"bytes"
	"testing"

	"socketlab/server/wsframe"
)

// TestFrameScannerHoldsTheCloseFrame feeds a stream of frames in every
// two-piece split: what passes plus what is held must be the stream, the
// close frame must be held whole, and its payload read back unmasked.
func TestFrameScannerHoldsTheCloseFrame(t *testing.T) {
	key := [4]byte{1, 2, 3, 4}
	var stream []byte
	stream = append(stream, clientFrame(0x1, []byte("hello"), key)...)
	stream = append(stream, clientFrame(0x9, []byte("ping"), key)...)
	closeAt := len(stream)
	closeF := clientFrame(wsframe.OpClose, []byte{0x03, 0xe8, 'b', 'y', 'e'}, key)
	stream = append(stream, closeF...)
	after := []byte("junk after the close")
	stream = append(stream, after...)
	for cut := 0; cut <= len(stream); cut++ {
		s := frameScanner{hold: true}
		var passed []byte
		rest := []byte(nil)
		for _, piece := range [][]byte{stream[:cut], stream[cut:]} {
			if s.closed {
				rest = append(rest, piece...)
				continue
			}
			pass, end := s.scan(piece)
			passed = append(passed, piece[:pass]...)
			if s.closed {
				rest = append(rest, piece[end:]...)
			}
		}
		if !s.closed || !bytes.Equal(passed, stream[:closeAt]) || !bytes.Equal(s.held, closeF) || !bytes.Equal(rest, after) {
			t.Fatalf("cut %d: closed %v, passed %d bytes, held %x, rest %q", cut, s.closed, len(passed), s.held, rest)
		}
		if p := s.closePayload(); string(p[2:]) != "bye" || s.badCloseReason() {
			t.Fatalf("cut %d: close payload %q", cut, p)
		}
	}
}

// TestFrameScannerSkipsPayloads: a 64-bit length payload is skipped, and a
// close opcode on a frame over 125 bytes is not taken for a close.
func TestFrameScannerSkipsPayloads(t *testing.T) {
	big := make([]byte, 70000)
	f := []byte{0x82, 0x80 | 127, 0, 0, 0, 0, 0, 1, 0x11, 0x70, 0, 0, 0, 0}
	f = append(f, big...)
	bad := []byte{0x88, 0x80 | 126, 0, 126, 0, 0, 0, 0}
	bad = append(bad, make([]byte, 126)...)
	s := frameScanner{hold: true}
	stream := append(append(f, bad...), 0x81, 0x80, 0, 0, 0, 0)
	for i := 0; i < len(stream); i += 1000 {
		piece := stream[i:min(i+1000, len(stream))]
		pass, _ := s.scan(piece)
		if pass != len(piece) && !s.release {
			t.Fatalf("at %d: held back %d bytes of no close frame", i, len(piece)-pass)
		}
		s.release, s.held = false, nil
	}
	if s.closed || s.hn != 0 || s.left != 0 {
		t.Fatalf("scanner lost its place: closed %v, hn %d, left %d", s.closed, s.hn, s.left)
	}
}
