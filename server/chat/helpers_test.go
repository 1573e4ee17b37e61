package chat

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"

	"socketlab/app/msg"
	"socketlab/server/conns"
	"socketlab/server/metrics"
	"socketlab/server/natsstore"
)

// testServer is the real handler with a real embedded JetStream in a
// temporary directory, behind an httptest server.
type testServer struct {
	h       *Handler
	store   *natsstore.Store
	metrics *metrics.Metrics
	url     string
}

// metric reads one counter or gauge from the server's metrics, as /metrics
// serves it: name without the socketlab_ prefix, then label pairs. A
// metric not yet counted reads 0.
func (s *testServer) metric(t *testing.T, name string, labels ...string) float64 {
	t.Helper()
	families, err := s.metrics.Registry().Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range families {
		if f.GetName() != "socketlab_"+name {
			continue
		}
	next:
		for _, m := range f.GetMetric() {
			have := map[string]string{}
			for _, l := range m.GetLabel() {
				have[l.GetName()] = l.GetValue()
			}
			for i := 0; i+1 < len(labels); i += 2 {
				if have[labels[i]] != labels[i+1] {
					continue next
				}
			}
			if m.GetCounter() != nil {
				return m.GetCounter().GetValue()
			}
			return m.GetGauge().GetValue()
		}
	}
	return 0
}

// sockets is how many sockets are in a room now.
func (s *testServer) sockets(t *testing.T) float64 { return s.metric(t, "chat_room_sockets") }

// tooSlow is how many sockets were closed as too slow.
func (s *testServer) tooSlow(t *testing.T) float64 {
	return s.metric(t, "queue_overflows_total", "endpoint", msg.ChatPath)
}

// rateLimited is how many envelopes were refused as over the rate.
func (s *testServer) rateLimited(t *testing.T) float64 {
	return s.metric(t, "drops_total", "endpoint", msg.ChatPath, "reason", msg.ErrRateLimited)
}

func startServer(t *testing.T, opts Options, wrap func(net.Listener) net.Listener) *testServer {
	t.Helper()
	log := slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
	store, err := natsstore.Open(context.Background(), natsstore.Options{DataDir: t.TempDir(), Log: log})
	if err != nil {
		t.Fatal(err)
	}
	reg := conns.NewRegistry(log)
	reg.Metrics = metrics.New()
	h, err := New(reg, store, opts, log)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(h)
	if wrap != nil {
		srv.Listener = wrap(srv.Listener)
	}
	srv.Start()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		reg.Shutdown(ctx)
		srv.Close()
		h.Close()
		store.Close()
	})
	return &testServer{h: h, store: store, metrics: reg.Metrics, url: "ws" + strings.TrimPrefix(srv.URL, "http")}
}

// testWriter sends the server's log to the test's log, shown on failure.
type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

// tclient is a raw chat client: it records every envelope it receives.
type tclient struct {
	t    *testing.T
	name string
	ws   *websocket.Conn

	mu     sync.Mutex
	got    []msg.Chat
	views  [][]string // after each of got: the presence view, as msg.ApplyPresence keeps it
	badPre []string   // presence frames that did not fit the view: a missed or repeated change
	next   int        // waitFor scans from here
	err    error      // why the read loop ended
	notify chan struct{}
	gate   chan struct{} // when non-nil, reading waits until open is called
	opened sync.Once
	done   chan struct{}
}

func dial(t *testing.T, url, name string) *tclient {
	return dialWith(t, url, name, nil, nil)
}

func dialWith(t *testing.T, url, name string, httpc *http.Client, gate chan struct{}) *tclient {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	ws, _, err := websocket.Dial(ctx, url+msg.ChatPath, &websocket.DialOptions{HTTPClient: httpc})
	if err != nil {
		t.Fatalf("%s: dial: %v", name, err)
	}
	ws.SetReadLimit(msg.ChatReadLimit)
	c := &tclient{t: t, name: name, ws: ws, notify: make(chan struct{}, 1), gate: gate, done: make(chan struct{})}
	go c.read()
	t.Cleanup(func() { c.open(); ws.CloseNow(); <-c.done })
	return c
}

func (c *tclient) read() {
	defer close(c.done)
	if c.gate != nil {
		<-c.gate
	}
	for {
		typ, data, err := c.ws.Read(context.Background())
		c.mu.Lock()
		if err != nil {
			c.err = err
			c.mu.Unlock()
			c.poke()
			return
		}
		var env msg.Chat
		if typ != websocket.MessageText || json.Unmarshal(data, &env) != nil {
			env = msg.Chat{Type: "unreadable: " + string(data)}
		}
		c.got = append(c.got, env)
		c.views = append(c.views, c.applyPresence(env))
		c.mu.Unlock()
		c.poke()
	}
}

// applyPresence returns the presence view after env, noting any presence
// frame that breaks the protocol's promise: after a join's welcome, one
// full list, then changes that each fit the list. Called with c.mu held.
func (c *tclient) applyPresence(env msg.Chat) []string {
	var view []string
	if n := len(c.views); n > 0 {
		view = c.views[n-1]
	}
	if env.Type == msg.ChatWelcome {
		return nil // a new join: a new full list comes
	}
	if env.Type != msg.ChatPresence {
		return view
	}
	if view == nil && !env.FullPresence() {
		c.badPre = append(c.badPre, fmt.Sprintf("a change before the full list: %+v", env))
	}
	next, ok := msg.ApplyPresence(view, env)
	if !ok {
		c.badPre = append(c.badPre, fmt.Sprintf("%+v does not fit %q", env, view))
	}
	if next == nil {
		next = []string{}
	}
	return next
}

// open lets a gated client start reading.
func (c *tclient) open() {
	if c.gate != nil {
		c.opened.Do(func() { close(c.gate) })
	}
}

func (c *tclient) poke() {
	select {
	case c.notify <- struct{}{}:
	default:
	}
}

func (c *tclient) send(env msg.Chat) {
	c.t.Helper()
	b, _ := json.Marshal(env)
	c.sendRaw(websocket.MessageText, b)
}

func (c *tclient) sendRaw(typ websocket.MessageType, data []byte) {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := c.ws.Write(ctx, typ, data); err != nil {
		c.t.Fatalf("%s: send: %v", c.name, err)
	}
}

// waitFor returns the first envelope, after the last one waitFor returned,
// that matches ok. It fails the test after a deadline or when the socket
// closes first.
func (c *tclient) waitFor(what string, ok func(msg.Chat) bool) msg.Chat {
	c.t.Helper()
	env, _ := c.waitForView(what, func(e msg.Chat, _ []string) bool { return ok(e) })
	return env
}

// waitForView is waitFor with the presence view after each envelope.
func (c *tclient) waitForView(what string, ok func(msg.Chat, []string) bool) (msg.Chat, []string) {
	c.t.Helper()
	deadline := time.NewTimer(15 * time.Second)
	defer deadline.Stop()
	for {
		c.mu.Lock()
		for i := c.next; i < len(c.got); i++ {
			if ok(c.got[i], c.views[i]) {
				c.next = i + 1
				env, view := c.got[i], c.views[i]
				c.mu.Unlock()
				return env, view
			}
		}
		err := c.err
		c.mu.Unlock()
		if err != nil {
			c.t.Fatalf("%s: socket closed (%v) while waiting for %s", c.name, err, what)
		}
		select {
		case <-c.notify:
		case <-deadline.C:
			c.t.Fatalf("%s: timed out waiting for %s; got %v", c.name, what, c.types())
		}
	}
}

// waitClosed waits for the read loop to end and returns its error.
func (c *tclient) waitClosed() error {
	c.t.Helper()
	select {
	case <-c.done:
	case <-time.After(15 * time.Second):
		c.t.Fatalf("%s: socket still open", c.name)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.err
}

func (c *tclient) all() []msg.Chat {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]msg.Chat(nil), c.got...)
}

func (c *tclient) types() []string {
	var ts []string
	for _, e := range c.all() {
		t := e.Type
		if e.Code != "" {
			t += ":" + e.Code
		}
		ts = append(ts, t)
	}
	if len(ts) > 30 {
		ts = append(ts[:10], append([]string{"…"}, ts[len(ts)-20:]...)...)
	}
	return ts
}

// msgs returns the msg envelopes received for room.
func (c *tclient) msgs(room string) []msg.Chat {
	var ms []msg.Chat
	for _, e := range c.all() {
		if e.Type == msg.ChatMsg && e.Room == room {
			ms = append(ms, e)
		}
	}
	return ms
}

func isType(t string) func(msg.Chat) bool { return func(e msg.Chat) bool { return e.Type == t } }

func isErr(code string) func(msg.Chat) bool {
	return func(e msg.Chat) bool { return e.Type == msg.ChatError && e.Code == code }
}

// waitPresence waits, from where the last wait stopped, for a presence
// frame after which the client's view is nicks, and returns that frame. It
// fails the test when a presence frame so far did not fit the view.
func (c *tclient) waitPresence(nicks ...string) msg.Chat {
	c.t.Helper()
	want := strings.Join(nicks, ",")
	env, _ := c.waitForView("presence "+want, func(e msg.Chat, view []string) bool {
		return e.Type == msg.ChatPresence && strings.Join(view, ",") == want
	})
	c.checkPresence()
	return env
}

// checkPresence fails the test if a presence frame did not fit the view.
func (c *tclient) checkPresence() {
	c.t.Helper()
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.badPre) > 0 {
		c.t.Fatalf("%s: presence broken: %s", c.name, strings.Join(c.badPre, "; "))
	}
}

// presences returns the presence frames received so far, as JSON.
func (c *tclient) presences() []string {
	var ps []string
	for _, e := range c.all() {
		if e.Type == msg.ChatPresence {
			b, _ := json.Marshal(e)
			ps = append(ps, string(b))
		}
	}
	return ps
}

func token(name string) string { return "token-of-" + name + "-0123456789" }

// join joins room as nick and waits for the catch-up to end.
func (c *tclient) join(room, nick string, since uint64) {
	c.t.Helper()
	c.send(msg.Chat{Type: msg.ChatJoin, Room: room, Nick: nick, Token: token(c.name), Since: since})
	c.waitFor("welcome", isType(msg.ChatWelcome))
	c.waitFor("synced", isType(msg.ChatSynced))
}

// ping proves the socket is still usable: a ping must come back as pong.
func (c *tclient) ping() {
	c.t.Helper()
	c.send(msg.Chat{Type: msg.ChatPing})
	c.waitFor("pong", isType(msg.ChatPong))
}

func (c *tclient) say(room, id, text string) {
	c.t.Helper()
	c.send(msg.Chat{Type: msg.ChatSay, Room: room, ID: id, Text: text})
}

func waitUntil(t *testing.T, what string, ok func() bool) {
	t.Helper()
	for deadline := time.Now().Add(15 * time.Second); !ok(); {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond) // poll interval within the deadline
	}
}

// queued drains what the hub queued for c: "join" for a catch-up, else the
// frame.
func queued(c *client) []string {
	var got []string
	for _, o := range c.take() {
		if o.join != nil {
			got = append(got, "join "+o.join.room)
		} else {
			got = append(got, string(o.frame))
		}
	}
	return got
}

func expectQueued(t *testing.T, who string, c *client, want ...string) {
	t.Helper()
	if got := queued(c); !slices.Equal(got, want) {
		t.Errorf("%s got\n\t%s\nwant\n\t%s", who, strings.Join(got, "\n\t"), strings.Join(want, "\n\t"))
	}
}
