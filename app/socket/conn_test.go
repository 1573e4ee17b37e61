package socket

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"

	"socketlab/app/msg"
)

// recorder collects what a Conn reports, for assertions with deadlines:
// statuses, messages and frames, and every callback in order as a line of
// events ("status open", "open", "message hi", "close 1000 bye").
type recorder struct {
	mu       sync.Mutex
	statuses []Status
	msgs     []string
	frames   []Frame
	events   []string
	changed  chan struct{}
	// ui, when set, is where the callbacks are dispatched; each then
	// checks that it runs there.
	ui *uiLoop
	t  *testing.T
}

func newRecorder() *recorder { return &recorder{changed: make(chan struct{}, 1)} }

func (r *recorder) poke() {
	select {
	case r.changed <- struct{}{}:
	default:
	}
}

func (r *recorder) options(o Options) Options {
	if r.ui != nil {
		o.Dispatch = r.ui.dispatch
	}
	o.OnStatus = func(s Status) { r.note(func() { r.statuses = append(r.statuses, s) }, "status %v", s) }
	o.OnMessage = func(_ bool, b []byte) { r.note(func() { r.msgs = append(r.msgs, string(b)) }, "message %s", b) }
	o.OnFrame = func(f Frame) { r.note(func() { r.frames = append(r.frames, f) }, "") }
	o.OnOpen = func(*Conn) { r.note(nil, "open") }
	o.OnClose = func(code msg.CloseCode, reason string) { r.note(nil, "close %d %s", int(code), reason) }
	o.OnDialError = func(error) { r.note(nil, "dial error") }
	return o
}

// note records one callback: keep, under the lock, and the event line
// (none for frames, which the inspector has its own tests for).
func (r *recorder) note(keep func(), format string, args ...any) {
	if r.ui != nil {
		if got, want := goid(), r.ui.id.Load(); got != want {
			r.t.Errorf("callback %q ran on goroutine %d, not the UI loop's %d", fmt.Sprintf(format, args...), got, want)
		}
	}
	r.mu.Lock()
	if keep != nil {
		keep()
	}
	if format != "" {
		r.events = append(r.events, fmt.Sprintf(format, args...))
	}
	r.mu.Unlock()
	r.poke()
}

// waitFor polls cond, under the recorder's lock, until it holds or the
// deadline passes.
func (r *recorder) waitFor(t *testing.T, what string, cond func(r *recorder) bool) {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		r.mu.Lock()
		ok := cond(r)
		r.mu.Unlock()
		if ok {
			return
		}
		select {
		case <-r.changed:
		case <-time.After(20 * time.Millisecond):
		case <-deadline:
			r.mu.Lock()
			defer r.mu.Unlock()
			t.Fatalf("timed out waiting for %s; statuses %v, messages %q", what, r.statuses, r.msgs)
		}
	}
}

func count(ss []Status, s Status) (n int) {
	for _, x := range ss {
		if x == s {
			n++
		}
	}
	return n
}

func wsURL(s *httptest.Server) string { return "ws" + strings.TrimPrefix(s.URL, "http") }

// serveEach runs handle for each socket dialled to a loopback server that
// lives until the test ends, and returns the server's ws:// URL. The
// socket is dropped when handle returns, unless handle closed it.
func serveEach(t *testing.T, handle func(c *websocket.Conn, r *http.Request)) string {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := websocket.Accept(w, r, nil)
		if err != nil {
			return
		}
		defer c.CloseNow()
		handle(c, r)
	}))
	t.Cleanup(srv.Close)
	return wsURL(srv)
}

// recv waits (bounded) for a value on ch, what naming it in a failure.
func recv[T any](t *testing.T, ch chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(5 * time.Second):
		t.Fatalf("timed out waiting for %s", what)
	}
	var zero T
	return zero
}

// echo answers each message with itself.
func echo(w http.ResponseWriter, r *http.Request) {
	c, err := websocket.Accept(w, r, nil)
	if err != nil {
		return
	}
	defer c.CloseNow()
	for {
		typ, b, err := c.Read(r.Context())
		if err != nil {
			return
		}
		if err := c.Write(r.Context(), typ, b); err != nil {
			return
		}
	}
}

func run(t *testing.T, c *Conn) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { c.Run(ctx); close(done) }()
	t.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			t.Error("Run did not return after cancel")
		}
	})
}

func TestSendAndReceive(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(echo))
	defer srv.Close()
	rec := newRecorder()
	c := New(wsURL(srv), rec.options(Options{}))
	// Before Run, Send queues: the message goes out once a socket opens.
	if err := c.Send([]byte("early")); err != nil {
		t.Fatalf("Send before open = %v, want it queued", err)
	}
	run(t, c)
	rec.waitFor(t, "open", func(r *recorder) bool { return count(r.statuses, Open) == 1 })
	if err := c.Send([]byte("héllo")); err != nil {
		t.Fatal(err)
	}
	rec.waitFor(t, "echoes", func(r *recorder) bool { return len(r.msgs) == 2 && r.msgs[0] == "early" && r.msgs[1] == "héllo" })
	rec.mu.Lock()
	defer rec.mu.Unlock()
	var sent, recv bool
	for _, f := range rec.frames {
		sent = sent || f.Dir == Sent && f.Data == "héllo" && f.Size == len("héllo")
		recv = recv || f.Dir == Received && f.Data == "héllo"
	}
	if !sent || !recv {
		t.Fatalf("inspector frames miss the round trip: %+v", rec.frames)
	}
}

// TestReconnectAfterDrop uses a server that cuts the TCP connection without
// a close frame, twice, then behaves. The client must report reconnecting,
// come back on its own and run OnOpen each time.
func TestReconnectAfterDrop(t *testing.T) {
	var accepted atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if accepted.Add(1) <= 2 {
			c, err := websocket.Accept(w, r, nil)
			if err != nil {
				return
			}
			c.CloseNow() // no close frame: what a crash or a cable pull looks like
			return
		}
		echo(w, r)
	}))
	defer srv.Close()
	rec := newRecorder()
	var opens atomic.Int32
	opts := rec.options(Options{Backoff: Backoff{Min: 10 * time.Millisecond, Max: 40 * time.Millisecond}})
	opts.OnOpen = func(c *Conn) {
		opens.Add(1)
		c.Send([]byte("join"))
	}
	c := New(wsURL(srv), opts)
	run(t, c)
	rec.waitFor(t, "third connection's echo", func(r *recorder) bool { return len(r.msgs) >= 1 && r.msgs[0] == "join" })
	if n := opens.Load(); n != 3 {
		t.Fatalf("OnOpen ran %d times, want 3", n)
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	if count(rec.statuses, Reconnecting) < 1 || rec.statuses[0] != Connecting || rec.statuses[len(rec.statuses)-1] != Open {
		t.Fatalf("statuses %v: want connecting … reconnecting … open", rec.statuses)
	}
	if code, _ := c.LastClose(); code != 1006 {
		t.Fatalf("LastClose = %d, want 1006 for a dropped connection", code)
	}
}

// TestReconnectWhileServerDown: nothing listens for a while, then a server
// comes back on the same address.
func TestReconnectWhileServerDown(t *testing.T) {
	srv := httptest.NewUnstartedServer(http.HandlerFunc(echo))
	addr := srv.Listener.Addr().String()
	srv.Listener.Close()
	rec := newRecorder()
	c := New("ws://"+addr, rec.options(Options{Backoff: Backoff{Min: 10 * time.Millisecond, Max: 50 * time.Millisecond}}))
	run(t, c)
	rec.waitFor(t, "several failed dials", func(r *recorder) bool {
		n := 0
		for _, f := range r.frames {
			if strings.HasPrefix(f.Data, "dial failed") {
				n++
			}
		}
		return n >= 3 && r.statuses[len(r.statuses)-1] == Reconnecting
	})
	srv2 := httptest.NewUnstartedServer(http.HandlerFunc(echo))
	l, err := listenRetry(addr)
	if err != nil {
		t.Skipf("port %s taken meanwhile: %v", addr, err)
	}
	srv2.Listener = l
	srv2.Start()
	defer srv2.Close()
	rec.waitFor(t, "open after the server returns", func(r *recorder) bool { return r.statuses[len(r.statuses)-1] == Open })
}

// TestNormalCloseStops: a server that closes with 1000 is done with us.
func TestNormalCloseStops(t *testing.T) {
	url := serveEach(t, func(c *websocket.Conn, r *http.Request) {
		c.Write(r.Context(), websocket.MessageText, []byte("bye"))
		c.Close(websocket.StatusNormalClosure, "done")
	})
	rec := newRecorder()
	c := New(url, rec.options(Options{}))
	err := make(chan error, 1)
	go func() { err <- c.Run(context.Background()) }()
	recv(t, err, "Run to return after a 1000 close")
	if code, reason := c.LastClose(); code != 1000 || reason != "done" {
		t.Fatalf("LastClose = %d %q, want 1000 \"done\"", code, reason)
	}
	if c.Status() != Closed {
		t.Fatalf("status %v, want closed", c.Status())
	}
}

// TestGoingAwayReconnects: 1001 (server restart) is not the end.
func TestGoingAwayReconnects(t *testing.T) {
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			c, err := websocket.Accept(w, r, nil)
			if err != nil {
				return
			}
			c.Close(websocket.StatusGoingAway, "restarting")
			return
		}
		echo(w, r)
	}))
	defer srv.Close()
	rec := newRecorder()
	c := New(wsURL(srv), rec.options(Options{Backoff: Backoff{Min: 10 * time.Millisecond}}))
	run(t, c)
	rec.waitFor(t, "second open", func(r *recorder) bool { return count(r.statuses, Open) == 2 })
	if code, _ := c.LastClose(); code != 1001 {
		t.Fatalf("LastClose = %d, want 1001", code)
	}
}

// TestHeartbeatDetectsSilentServer: the server keeps the TCP connection but
// never answers. The heartbeat must notice and reconnect.
func TestHeartbeatDetectsSilentServer(t *testing.T) {
	var n atomic.Int32
	url := serveEach(t, func(c *websocket.Conn, r *http.Request) {
		if n.Add(1) == 1 {
			<-r.Context().Done() // read nothing, answer nothing
			return
		}
		echo2(r.Context(), c)
	})
	rec := newRecorder()
	c := New(url, rec.options(Options{
		Ping: []byte("ping"), PingEvery: 30 * time.Millisecond, DeadAfter: 100 * time.Millisecond,
		Backoff: Backoff{Min: 10 * time.Millisecond},
	}))
	run(t, c)
	rec.waitFor(t, "reconnect after a silent server", func(r *recorder) bool { return count(r.statuses, Open) == 2 })
	rec.waitFor(t, "a pong on the second socket", func(r *recorder) bool { return len(r.msgs) > 0 && r.msgs[0] == "ping" })
	rec.mu.Lock()
	defer rec.mu.Unlock()
	found := false
	for _, f := range rec.frames {
		found = found || strings.Contains(f.Data, "no answer to heartbeat")
	}
	if !found {
		t.Fatal("no close event naming the heartbeat")
	}
}

func echo2(ctx context.Context, c *websocket.Conn) {
	for {
		typ, b, err := c.Read(ctx)
		if err != nil {
			return
		}
		c.Write(ctx, typ, b)
	}
}

func TestOfflinePausesDialing(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(echo))
	defer srv.Close()
	rec := newRecorder()
	c := New(wsURL(srv), rec.options(Options{}))
	c.SetOnline(false)
	run(t, c)
	rec.waitFor(t, "offline", func(r *recorder) bool { return count(r.statuses, Offline) == 1 })
	rec.mu.Lock()
	opened := count(rec.statuses, Open)
	rec.mu.Unlock()
	if opened != 0 {
		t.Fatal("dialled while offline")
	}
	c.SetOnline(true)
	rec.waitFor(t, "open once online", func(r *recorder) bool { return count(r.statuses, Open) == 1 })
}

func TestCloseStopsRun(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(echo))
	defer srv.Close()
	rec := newRecorder()
	c := New(wsURL(srv), rec.options(Options{}))
	done := make(chan struct{})
	go func() { c.Run(context.Background()); close(done) }()
	rec.waitFor(t, "open", func(r *recorder) bool { return count(r.statuses, Open) == 1 })
	c.Close()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Run still running after Close")
	}
	if code, _ := c.LastClose(); code != 1000 {
		t.Fatalf("LastClose = %d, want 1000", code)
	}
}
