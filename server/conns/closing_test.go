package conns

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"testing"

	"socketlab/server/wsframe"
)

// readLoop is a handler that reads until the connection ends.
func readLoop(c *Conn, r *http.Request) {
	var buf bytes.Buffer
	for {
		if _, err := c.ReadInto(r.Context(), &buf); err != nil {
			c.Finish(err)
			return
		}
	}
}

// bigFrame is a masked client text frame of n bytes with a 64-bit length.
func bigFrame(n int) []byte {
	f := []byte{0x81, 0x80 | 127}
	f = binary.BigEndian.AppendUint64(f, uint64(n))
	f = append(f, 0, 0, 0, 0) // a zero mask key: the payload goes as it is
	return append(f, bytes.Repeat([]byte("a"), n)...)
}

// TestOverLimitUploadGetsItsClose: a client still sending a 4 MiB
// message over a 1 KiB limit gets the 1009 and a clean end of stream, not
// a reset that would destroy the close frame.
func TestOverLimitUploadGetsItsClose(t *testing.T) {
	reg := NewRegistry(slog.New(slog.DiscardHandler))
	url := serve(t, reg, "/limit", Options{ReadLimit: 1 << 10}, readLoop)
	nc, br := rawUpgrade(t, url, nil)
	switched(t, br)
	go nc.Write(bigFrame(4 << 20))
	head, payload := serverFrame(t, br)
	if head != 0x88 || len(payload) < 2 || binary.BigEndian.Uint16(payload) != 1009 || string(payload[2:]) != ReasonTooBig {
		t.Fatalf("got frame %x %q, want close 1009 %q", head, payload, ReasonTooBig)
	}
	nc.Write(clientFrame(wsframe.OpClose, payload[:2], [4]byte{9, 9, 9, 9}))
	if n, err := io.Copy(io.Discard, br); err != nil || n != 0 {
		t.Fatalf("after the close: %d bytes, %v; want a clean end of stream", n, err)
	}
}

// TestEarlyCloseReasonNotUTF8: the same close frame sent together with the
// upgrade request, so that net/http has read it before the hijack, is
// vetted all the same (it used to reach the library unscanned and have its
// reason echoed).
func TestEarlyCloseReasonNotUTF8(t *testing.T) {
	reg := NewRegistry(slog.New(slog.DiscardHandler))
	url := serve(t, reg, "/reason", Options{}, readLoop)
	nc, br := rawUpgrade(t, url, clientFrame(wsframe.OpClose, []byte{0x03, 0xe8, 0xff, 0xfe}, [4]byte{1, 2, 3, 4}))
	defer nc.Close()
	switched(t, br)
	head, payload := serverFrame(t, br)
	if head != 0x88 || len(payload) < 2 || binary.BigEndian.Uint16(payload) != 1007 || string(payload[2:]) != closeReasonNotUTF8 {
		t.Fatalf("got frame %x %q, want close 1007 %q", head, payload, closeReasonNotUTF8)
	}
}

// TestCloseReasonNotUTF8: a client close whose reason is not UTF-8 is
// answered 1007, and its reason is not echoed.
func TestCloseReasonNotUTF8(t *testing.T) {
	reg := NewRegistry(slog.New(slog.DiscardHandler))
	url := serve(t, reg, "/reason", Options{}, readLoop)
	nc, br := rawUpgrade(t, url, nil)
	switched(t, br)
	// Written a byte at a time: the vetting must not depend on the frame
	// arriving in one read.
	for _, b := range clientFrame(wsframe.OpClose, []byte{0x03, 0xe8, 0xff, 0xfe}, [4]byte{1, 2, 3, 4}) {
		nc.Write([]byte{b})
	}
	head, payload := serverFrame(t, br)
	if head != 0x88 || len(payload) < 2 || binary.BigEndian.Uint16(payload) != 1007 || string(payload[2:]) != closeReasonNotUTF8 {
		t.Fatalf("got frame %x %q, want close 1007 %q", head, payload, closeReasonNotUTF8)
	}
	if _, err := io.Copy(io.Discard, br); err != nil && !errors.Is(err, io.EOF) {
		t.Fatalf("after the close: %v", err)
	}
}
