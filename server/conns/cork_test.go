package conns

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// countingConn records every Write that reaches the network.
type countingConn struct {
	net.Conn
	mu     sync.Mutex
	writes [][]byte
}

func (c *countingConn) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.writes = append(c.writes, bytes.Clone(p))
	return len(p), nil
}

func (c *countingConn) SetWriteDeadline(time.Time) error { return nil }

func TestCorkHoldsWritesUntilUncork(t *testing.T) {
	under := &countingConn{}
	c := &corkConn{Conn: under}

	c.cork(time.Second)
	for _, s := range []string{"one ", "two ", "three"} {
		if _, err := c.Write([]byte(s)); err != nil {
			t.Fatal(err)
		}
	}
	if n := len(under.writes); n != 0 {
		t.Fatalf("corked: %d writes reached the network, want 0", n)
	}
	if err := c.uncork(); err != nil {
		t.Fatal(err)
	}
	if len(under.writes) != 1 || string(under.writes[0]) != "one two three" {
		t.Fatalf("after uncork: writes %q, want one write of %q", under.writes, "one two three")
	}

	// Uncorked, every write goes straight through.
	c.Write([]byte("a"))
	c.Write([]byte("b"))
	if len(under.writes) != 3 {
		t.Fatalf("uncorked: %d writes, want 3", len(under.writes))
	}
}

func TestCorkFlushesPastItsBound(t *testing.T) {
	under := &countingConn{}
	c := &corkConn{Conn: under}
	c.cork(time.Second)
	chunk := bytes.Repeat([]byte("x"), 4096)
	total := 0
	for total < corkMax+10000 {
		c.Write(chunk)
		total += len(chunk)
	}
	if len(under.writes) != 1 {
		t.Fatalf("after %d bytes corked: %d writes, want 1 (flushed at %d)", total, len(under.writes), corkMax)
	}
	c.uncork()
	got := 0
	for _, w := range under.writes {
		got += len(w)
	}
	if len(under.writes) != 2 || got != total {
		t.Fatalf("after uncork: %d writes of %d bytes, want 2 writes of %d", len(under.writes), got, total)
	}
}

// TestCorkedMessagesArrive goes through the whole stack: a handler corks,
// writes three messages and a ping is answered meanwhile; the client gets
// them all, in order, intact.
func TestCorkedMessagesArrive(t *testing.T) {
	reg := NewRegistry(slog.New(slog.DiscardHandler))
	message := func(i int) string {
		// The big one needs the 16-bit payload length and spans several
		// of the library's buffer flushes.
		return fmt.Sprintf("message %d %s", i, strings.Repeat("é", i*3000))
	}
	url := serve(t, reg, "/cork", Options{MaxUnsent: 16 << 10}, func(c *Conn, r *http.Request) {
		c.Cork(time.Second)
		for i := range 3 {
			if err := c.Write(context.Background(), websocket.MessageText, []byte(message(i))); err != nil {
				c.Finish(err)
				return
			}
		}
		err := c.Uncork()
		if err == nil {
			_, _, err = c.Read(r.Context()) // until the client closes
		}
		c.Finish(err)
	})
	ws, ctx := dial(t, url)
	for i := range 3 {
		_, b, err := ws.Read(ctx)
		if err != nil {
			t.Fatalf("message %d: %v", i, err)
		}
		if want := message(i); string(b) != want {
			t.Fatalf("message %d: got %d bytes starting %q, want %d bytes", i, len(b), b[:min(len(b), 20)], len(want))
		}
	}
	ws.Close(websocket.StatusNormalClosure, "")
}

// TestFrameSentWithTheHandshake sends the upgrade request and a first frame
// in one write, before the 101 arrives, so that net/http has read part of
// the frame when the connection is hijacked: the frame must still arrive
// whole (the buffers handed to the library must keep those bytes).
func TestFrameSentWithTheHandshake(t *testing.T) {
	url := echoServer(t, NewRegistry(slog.New(slog.DiscardHandler)))
	payload := []byte("sent before the handshake completed")
	_, br := rawUpgrade(t, url, clientFrame(0x1, payload, [4]byte{1, 2, 3, 4}))
	switched(t, br)
	// The echo: an unmasked text frame with the same payload.
	if head, got := serverFrame(t, br); head != 0x81 || string(got) != string(payload) {
		t.Fatalf("echo: header %#x, payload %q; want 0x81, %q", head, got, payload)
	}
}

// TestWaitReadableMissesNothing sends several frames in one TCP write, so
// that after the first read the rest sit in the library's buffer, not on
// the socket: a wait on the socket alone would hang there. Every frame
// must be echoed, then a frame sent later, after the server went idle.
func TestWaitReadableMissesNothing(t *testing.T) {
	url := echoServer(t, NewRegistry(slog.New(slog.DiscardHandler)))
	nc, br := rawUpgrade(t, url, nil)
	switched(t, br)
	frame := func(text string) []byte { return clientFrame(0x1, []byte(text), [4]byte{}) }
	echo := func() string {
		t.Helper()
		_, b := serverFrame(t, br)
		return string(b)
	}
	var burst []byte
	for _, s := range []string{"one", "two", "three"} {
		burst = append(burst, frame(s)...)
	}
	nc.Write(burst)
	for _, want := range []string{"one", "two", "three"} {
		if got := echo(); got != want {
			t.Fatalf("echo %q, want %q", got, want)
		}
	}
	nc.Write(frame("later"))
	if got := echo(); got != "later" {
		t.Fatalf("echo %q, want later", got)
	}
}

// TestWaitReadableEndsWithTheConnection: a reader parked in WaitReadable
// is released when the connection is closed under it.
func TestWaitReadableEndsWithTheConnection(t *testing.T) {
	reg := NewRegistry(slog.New(slog.DiscardHandler))
	waited := make(chan error, 1)
	accepted := make(chan *Conn, 1)
	url := serve(t, reg, "/wait", Options{}, func(c *Conn, _ *http.Request) {
		accepted <- c
		err := c.WaitReadable()
		waited <- err
		c.Finish(err)
	})
	_, ctx := dial(t, url)
	c := <-accepted
	c.CloseNow()
	select {
	case err := <-waited:
		if err == nil {
			t.Fatal("WaitReadable returned nil on a closed connection")
		}
	case <-ctx.Done():
		t.Fatal("WaitReadable still waiting after the connection was closed")
	}
}

// TestCloseWhileWaitingReadable: Close from another goroutine (a shutdown,
// an idle timer) while the reader waits in WaitReadable. Close then reads
// the peer's answer itself, from the buffer WaitReadable looks at; it
// completes, and the reader is released.
func TestCloseWhileWaitingReadable(t *testing.T) {
	reg := NewRegistry(slog.New(slog.DiscardHandler))
	accepted := make(chan *Conn, 1)
	done := make(chan error, 1)
	url := serve(t, reg, "/wait", Options{}, func(c *Conn, _ *http.Request) {
		accepted <- c
		for {
			err := c.WaitReadable()
			if err == nil {
				_, _, err = c.Read(context.Background())
			}
			if err != nil {
				done <- err
				c.Finish(err)
				return
			}
		}
	})
	ws, ctx := dial(t, url)
	go ws.Read(ctx) // answers the close
	c := <-accepted
	if err := c.Close(websocket.StatusGoingAway, "bye"); err != nil {
		t.Fatalf("close: %v", err)
	}
	select {
	case <-done:
	case <-ctx.Done():
		t.Fatal("the reader is still waiting after the close")
	}
}
