package socket

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"runtime"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// uiLoop stands in for a UI goroutine (go-app's): Dispatch hands it
// functions, which it runs one at a time, later, on its own goroutine.
type uiLoop struct {
	fs chan func()
	id atomic.Uint64 // the loop's goroutine
}

func newUILoop(t *testing.T) *uiLoop {
	u := &uiLoop{fs: make(chan func(), 1024)}
	done := make(chan struct{})
	go func() {
		defer close(done)
		u.id.Store(goid())
		for f := range u.fs {
			f()
		}
	}()
	t.Cleanup(func() { close(u.fs); <-done })
	return u
}

func (u *uiLoop) dispatch(f func()) { u.fs <- f }

// goid is the calling goroutine's number, as runtime.Stack prints it.
func goid() uint64 {
	b := make([]byte, 64)
	b = b[:runtime.Stack(b, false)]
	b = bytes.TrimPrefix(b, []byte("goroutine "))
	n, _ := strconv.ParseUint(string(b[:bytes.IndexByte(b, ' ')]), 10, 64)
	return n
}

// TestLifecycleOrderAndCodes: three sockets end three ways — the server's
// 1001, a dropped connection, the server's 1000 — and the callbacks say so
// in order, each close with its code and reason, every one on the UI
// loop.
func TestLifecycleOrderAndCodes(t *testing.T) {
	var n atomic.Int32
	url := serveEach(t, func(c *websocket.Conn, r *http.Request) {
		k := n.Add(1)
		c.Write(r.Context(), websocket.MessageText, []byte(fmt.Sprint("m", k)))
		switch k {
		case 1:
			c.Close(websocket.StatusGoingAway, "restarting")
		case 2:
			c.CloseNow() // no close frame
		default:
			c.Close(websocket.StatusNormalClosure, "done")
		}
	})
	ui := newUILoop(t)
	rec := newRecorder()
	rec.ui, rec.t = ui, t
	c := New(url, rec.options(Options{Backoff: Backoff{Min: 5 * time.Millisecond, Max: 20 * time.Millisecond}}))
	if err := c.Run(context.Background()); err != nil {
		t.Fatalf("Run = %v, want nil after the server's 1000", err)
	}
	waitEvents(t, rec,
		"status connecting",
		"status open", "open", "message m1", "close 1001 restarting", "status reconnecting",
		"status open", "open", "message m2", "close 1006 connection lost", "status reconnecting",
		"status open", "open", "message m3", "close 1000 done", "status closed",
	)

	// A dial that fails says so, and with Once ends Run with its error.
	rec2 := newRecorder()
	rec2.ui, rec2.t = ui, t
	bad := New("ws://127.0.0.1:1/", rec2.options(Options{Once: true, DialTimeout: time.Second}))
	if err := bad.Run(context.Background()); err == nil {
		t.Fatal("Run with Once returned nil after a failed dial")
	}
	waitEvents(t, rec2, "status connecting", "dial error", "status closed")
}

// waitEvents waits until r holds as many events as want, then fails
// unless they are want.
func waitEvents(t *testing.T, r *recorder, want ...string) {
	t.Helper()
	r.waitFor(t, fmt.Sprintf("%d callbacks", len(want)), func(r *recorder) bool { return len(r.events) >= len(want) })
	r.mu.Lock()
	defer r.mu.Unlock()
	if fmt.Sprint(r.events) != fmt.Sprint(want) {
		t.Fatalf("callbacks\n got %q\nwant %q", r.events, want)
	}
}
