package socket

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"

	"socketlab/app/msg"
)

// gatheringServer records the messages each connection receives, in
// order, on got; the first connection is closed with 1001 after its
// first two messages, and the second is accepted only once gate closes.
func gatheringServer(got chan<- string, gate <-chan struct{}) http.HandlerFunc {
	var n atomic.Int32
	return func(w http.ResponseWriter, r *http.Request) {
		k := n.Add(1)
		if k == 2 {
			<-gate // the client is connecting meanwhile
		}
		c, err := websocket.Accept(w, r, nil)
		if err != nil {
			return
		}
		defer c.CloseNow()
		for i := 0; ; i++ {
			if k == 1 && i == 2 {
				c.Close(websocket.StatusGoingAway, "restarting")
				return
			}
			_, b, err := c.Read(r.Context())
			if err != nil {
				return
			}
			got <- fmt.Sprintf("%d:%s", k, b)
		}
	}
}

// TestQueueOrderAcrossReconnect: what is sent before Run, while a socket
// is down and while the next one is connecting, is written on the next
// socket in the order it was sent — after OnOpen's join, which goes first
// although it was sent last. Both with callbacks on the Conn's goroutines
// and dispatched to a UI loop, where OnOpen runs later than the socket
// opens and the writer must wait for it.
func TestQueueOrderAcrossReconnect(t *testing.T) {
	t.Run("direct", func(t *testing.T) { testQueueOrder(t, nil) })
	t.Run("dispatched", func(t *testing.T) { testQueueOrder(t, newUILoop(t).dispatch) })
}

func testQueueOrder(t *testing.T, dispatch func(func())) {
	got := make(chan string, 16)
	gate := make(chan struct{})
	srv := httptest.NewServer(gatheringServer(got, gate))
	defer srv.Close()
	opens := 0
	var c *Conn
	c = New(wsURL(srv), Options{
		Dispatch: dispatch,
		Backoff:  Backoff{Min: time.Millisecond, Max: 5 * time.Millisecond},
		OnOpen: func(c *Conn) {
			opens++
			c.Send(fmt.Appendf(nil, "join%d", opens))
		},
		OnClose: func(msg.CloseCode, string) {
			// Between sockets: queued for the next one.
			c.Send([]byte("c"))
		},
		OnStatus: func(s Status) {
			if s == Reconnecting {
				c.Send([]byte("d"))
			}
		},
	})
	c.Send([]byte("a")) // before Run: the first socket's, after its join
	run(t, c)
	for _, want := range []string{"1:join1", "1:a"} {
		if m := recv(t, got, want); m != want {
			t.Fatalf("first socket got %q, want %q", m, want)
		}
	}
	// The first socket is gone and the second is connecting: queue more.
	waitQueued(t, c, 2) // c and d
	c.Send([]byte("e"))
	close(gate)
	for _, want := range []string{"2:join2", "2:c", "2:d", "2:e"} {
		if m := recv(t, got, want); m != want {
			t.Fatalf("second socket got %q, want %q", m, want)
		}
	}
	c.Send([]byte("f"))
	if m := recv(t, got, "2:f"); m != "2:f" {
		t.Fatalf("after the queue, got %q, want 2:f", m)
	}
}

// waitQueued waits until n messages wait in c's queue.
func waitQueued(t *testing.T, c *Conn, n int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for c.Queued() != n {
		if time.Now().After(deadline) {
			t.Fatalf("%d messages queued, want %d", c.Queued(), n)
		}
		time.Sleep(time.Millisecond)
	}
}

// TestQueueBound: a full queue refuses with ErrQueueFull and keeps what it
// holds, which is then written in order; Discard empties it; a stopped
// Conn refuses with ErrClosed.
func TestQueueBound(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(echo))
	defer srv.Close()
	rec := newRecorder()
	c := New(wsURL(srv), rec.options(Options{QueueMax: 3}))
	for _, m := range []string{"x", "1", "2"} {
		if err := c.Send([]byte(m)); err != nil {
			t.Fatalf("Send(%q) = %v", m, err)
		}
	}
	if n := c.Discard(); n != 3 || c.Queued() != 0 {
		t.Fatalf("Discard = %d, then %d queued; want 3, then 0", n, c.Queued())
	}
	for _, m := range []string{"a", "b", "c"} {
		if err := c.Send([]byte(m)); err != nil {
			t.Fatalf("Send(%q) = %v", m, err)
		}
	}
	if err := c.Send([]byte("d")); !errors.Is(err, ErrQueueFull) {
		t.Fatalf("fourth Send = %v, want ErrQueueFull", err)
	}
	run(t, c)
	rec.waitFor(t, "the three echoes", func(r *recorder) bool { return len(r.msgs) == 3 })
	rec.mu.Lock()
	if got := fmt.Sprint(rec.msgs); got != "[a b c]" {
		t.Fatalf("echoes %s, want [a b c]", got)
	}
	rec.mu.Unlock()
	if err := c.Send([]byte("e")); err != nil {
		t.Fatalf("Send once the queue drained = %v", err)
	}
	rec.waitFor(t, "the fourth echo", func(r *recorder) bool { return len(r.msgs) == 4 && r.msgs[3] == "e" })
	c.Close()
	if err := c.Send([]byte("f")); !errors.Is(err, ErrClosed) {
		t.Fatalf("Send after Close = %v, want ErrClosed", err)
	}
}

// TestSendDoesNotBlock: while the socket cannot write (the server reads
// nothing and TCP's buffers are full), Send still returns at once.
func TestSendDoesNotBlock(t *testing.T) {
	stall := make(chan struct{})
	url := serveEach(t, func(c *websocket.Conn, r *http.Request) {
		<-stall
	})
	defer close(stall)
	rec := newRecorder()
	c := New(url, rec.options(Options{QueueMax: 16}))
	run(t, c)
	rec.waitFor(t, "open", func(r *recorder) bool { return count(r.statuses, Open) == 1 })
	big := make([]byte, 64<<10)
	done := make(chan error, 1)
	go func() {
		// Past what TCP buffers between the two, the writer waits and the
		// queue fills: Send refuses then, never waits.
		var err error
		for i := 0; i < 100000 && err == nil; i++ {
			err = c.Send(big)
		}
		done <- err
	}()
	if err := recv(t, done, "Sends into a stalled socket to return"); !errors.Is(err, ErrQueueFull) {
		t.Fatalf("Send into a stalled socket = %v, want ErrQueueFull once 16 wait", err)
	}
	// The writer may take one more off meanwhile; never more than the
	// bound wait.
	if n := c.Queued(); n > 16 {
		t.Fatalf("%d queued, over the bound of 16", n)
	}
}
