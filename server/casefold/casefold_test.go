package casefold

import (
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"socketlab/internal/testkit"
	"socketlab/server/conns"
)

func newServer(t *testing.T) string {
	t.Helper()
	return testkit.ServeHTTP(t, &Handler{Conns: conns.NewRegistry(slog.New(slog.DiscardHandler))})
}

// dial opens a socket that takes answers up to 1 MiB, beyond the lab's
// own limit, so that the server's limit is what a test meets.
func dial(t *testing.T, url string) *websocket.Conn {
	t.Helper()
	c, _ := testkit.Dial(t, url, nil)
	c.SetReadLimit(1 << 20)
	return c
}

// TestPayloadLengths sends messages whose frames need the 7-bit, 16-bit and
// 64-bit payload length encodings of RFC 6455 and checks each round trip.
func TestPayloadLengths(t *testing.T) {
	c := dial(t, newServer(t))
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for _, n := range []int{0, 1, 125, 126, 127, 65535, 65536, 70000, 128 << 10} {
		in := strings.Repeat("A", n)
		if err := c.Write(ctx, websocket.MessageText, []byte(in)); err != nil {
			t.Fatalf("write %d bytes: %v", n, err)
		}
		typ, out, err := c.Read(ctx)
		if err != nil {
			t.Fatalf("read reply to %d bytes: %v", n, err)
		}
		if typ != websocket.MessageText || string(out) != strings.Repeat("a", n) {
			t.Fatalf("%d bytes: got %v frame of %d bytes", n, typ, len(out))
		}
	}
}

// TestCloseCodes sends each kind of bad frame and checks the close code the
// server answers with.
func TestCloseCodes(t *testing.T) {
	url := newServer(t)
	for _, tc := range []struct {
		name string
		typ  websocket.MessageType
		data []byte
		want websocket.StatusCode
	}{
		{"binary frame", websocket.MessageBinary, []byte("hi"), websocket.StatusUnsupportedData},
		{"invalid UTF-8", websocket.MessageText, []byte("ok \xff\xfe"), websocket.StatusInvalidFramePayloadData},
		{"truncated UTF-8", websocket.MessageText, []byte("Stra\xc3"), websocket.StatusInvalidFramePayloadData},
		{"surrogate half", websocket.MessageText, []byte("\xed\xa0\x80"), websocket.StatusInvalidFramePayloadData},
		{"over read limit", websocket.MessageText, []byte(strings.Repeat("x", 128<<10+1)), websocket.StatusMessageTooBig},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := dial(t, url)
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			if err := c.Write(ctx, tc.typ, tc.data); err != nil {
				t.Fatal(err)
			}
			_, _, err := c.Read(ctx)
			if got := websocket.CloseStatus(err); got != tc.want {
				t.Fatalf("close status = %v (err %v), want %v", got, err, tc.want)
			}
		})
	}
}

// TestSplitUTF8 sends one character split across two fragments: valid as a
// message, so it must be folded, not rejected.
func TestSplitUTF8(t *testing.T) {
	c := dial(t, newServer(t))
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	w, err := c.Writer(ctx, websocket.MessageText)
	if err != nil {
		t.Fatal(err)
	}
	ss := []byte("STRAẞE") // ẞ is E1 BA 9E
	w.Write(ss[:5])        // one frame: "STRA" + first byte of ẞ
	w.Write(ss[5:])        // a continuation frame with the rest
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	_, out, err := c.Read(ctx)
	if err != nil || string(out) != "strasse" {
		t.Fatalf("got %q, %v; want strasse", out, err)
	}
}
