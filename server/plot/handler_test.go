package plot

import (
	"context"
	"encoding/json"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"

	"socketlab/app/msg"
	"socketlab/app/socket"
	"socketlab/internal/testkit"
	"socketlab/server/conns"
)

// serveStore runs a Handler over store on an httptest server and returns
// the ws:// URL and the registry.
func serveStore(t *testing.T, h *Handler) (string, *conns.Registry) {
	t.Helper()
	reg := conns.NewRegistry(slog.New(slog.DiscardHandler))
	h.Conns = reg
	url := testkit.ServeHTTP(t, h)
	// Registered after the server's cleanup, so it runs first: the
	// registry closes its sockets, then the server stops.
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		reg.Shutdown(ctx)
	})
	return url + msg.PlotPath, reg
}

// puller is a plot client built on the real client package (app/socket):
// it reads messages into a channel and asks for the next batch on demand.
type puller struct {
	t    *testing.T
	conn *socket.Conn
	msgs chan msg.PlotMessage
}

func newPuller(t *testing.T, url string) *puller {
	t.Helper()
	p := &puller{t: t, msgs: make(chan msg.PlotMessage, 1024)}
	p.conn = socket.New(url, socket.Options{
		ReadLimit: 64 << 20,
		OnMessage: func(_ bool, data []byte) {
			var m msg.PlotMessage
			if err := json.Unmarshal(data, &m); err != nil {
				t.Errorf("undecodable message %q: %v", data, err)
				return
			}
			p.msgs <- m
		},
	})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { p.conn.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	return p
}

// recv returns the next message, failing after a deadline.
func (p *puller) recv() msg.PlotMessage {
	p.t.Helper()
	select {
	case m := <-p.msgs:
		return m
	case <-time.After(10 * time.Second):
		p.t.Fatal("no message within 10s")
		return msg.PlotMessage{}
	}
}

// next asks for the next batch, as {"type":"next"} or, with empty set, as
// an empty text frame.
func (p *puller) next(empty bool) {
	p.t.Helper()
	req := []byte(`{"type":"next"}`)
	if empty {
		req = nil
	}
	if err := p.conn.Send(req); err != nil {
		p.t.Fatalf("send next: %v", err)
	}
}

// TestNoPullNoPush: a client that does not ask gets nothing after the
// history however much the producer writes; when it asks, one batch holds
// every missed point still in the ring and says how many were lost.
func TestNoPullNoPush(t *testing.T) {
	store := NewStore(10000, 4)
	url, _ := serveStore(t, &Handler{Store: store})
	a, _ := store.Series("a")
	store.Append(a, pts(0, 5)...)

	p := newPuller(t, url)
	h := p.recv()
	if h.Type != msg.PlotHistory || len(h.Series) != 1 {
		t.Fatalf("first message = %+v, want the history", h)
	}
	checkRun(t, "history", h.Series[0].Points, 0, 5)

	// 500 points, fewer than the ring: all of them come, in one batch, and
	// only once asked.
	for i := range 5 {
		store.Append(a, pts(5+100*i, 100)...)
		if len(p.msgs) != 0 {
			t.Fatalf("the server pushed %+v without a request", <-p.msgs)
		}
	}
	p.next(true) // the classic plotter's empty frame
	// Messages arrive in order: had the server pushed anything while the
	// producer wrote, it would come before this batch.
	m := p.recv()
	if m.Type != msg.PlotBatch || m.Cursor != 505 || m.Dropped != 0 || len(m.Series) != 1 {
		t.Fatalf("batch = %+v", summary(m))
	}
	checkRun(t, "batch within the ring", m.Series[0].Points, 5, 500)

	// 25 000 more, 2.5 rings: the batch holds the newest 10 000 and says
	// 15 000 are gone.
	for i := range 100 {
		store.Append(a, pts(505+250*i, 250)...)
	}
	if len(p.msgs) != 0 {
		t.Fatalf("the server pushed %+v without a request", summary(<-p.msgs))
	}
	p.next(false)
	m = p.recv()
	if m.Cursor != 25505 || m.Dropped != 15000 || m.Series[0].Dropped != 15000 || m.Series[0].Total != 25505 {
		t.Fatalf("batch past the ring = %+v", summary(m))
	}
	checkRun(t, "batch past the ring", m.Series[0].Points, 15505, 10000)
}

// TestPullingClientLosesNothing: two producers write 5 000 points/s each for
// 2 s while a client pulls as fast as it can; it gets every point exactly
// once, in order, and nothing is reported dropped.
func TestPullingClientLosesNothing(t *testing.T) {
	store := NewStore(10000, 4)
	url, _ := serveStore(t, &Handler{Store: store})
	p := newPuller(t, url)
	if h := p.recv(); h.Type != msg.PlotHistory || len(h.Series) != 0 {
		t.Fatalf("history of an empty store = %+v", h)
	}

	const perTick, ticks = 50, 200 // every 10 ms: 5 000 points/s per series, 2 s
	var producers sync.WaitGroup
	for _, name := range []string{"a", "b"} {
		id, err := store.Series(name)
		if err != nil {
			t.Fatal(err)
		}
		producers.Go(func() {
			// The ticker paces the load; no test condition depends on it.
			tick := time.NewTicker(10 * time.Millisecond)
			defer tick.Stop()
			for i := range ticks {
				<-tick.C
				store.Append(id, pts(i*perTick, perTick)...)
			}
		})
	}

	got := map[string][]msg.PlotPoint{}
	batches := 0
	for total := 0; total < 2*perTick*ticks; {
		p.next(false)
		m := p.recv()
		if m.Type != msg.PlotBatch || m.Dropped != 0 {
			t.Fatalf("batch %d = %+v", batches, summary(m))
		}
		batches++
		for _, s := range m.Series {
			got[s.Name] = append(got[s.Name], s.Points...)
			total += len(s.Points)
		}
	}
	producers.Wait()
	for _, name := range []string{"a", "b"} {
		checkRun(t, "series "+name, got[name], 0, perTick*ticks)
	}
	t.Logf("%d points in %d batches", 2*perTick*ticks, batches)
}

// TestEmptyBatchAfterWait: a request with nothing new is answered, after
// the bounded wait, with an empty batch at the same cursor.
func TestEmptyBatchAfterWait(t *testing.T) {
	store := NewStore(10, 2)
	a, _ := store.Series("a")
	store.Append(a, pts(0, 3)...)
	url, _ := serveStore(t, &Handler{Store: store, Wait: 50 * time.Millisecond})
	p := newPuller(t, url)
	p.recv()
	p.next(false)
	if m := p.recv(); m.Type != msg.PlotBatch || len(m.Series) != 0 || m.Cursor != 3 {
		t.Fatalf("answer to an idle request = %+v", summary(m))
	}
	// A point arriving during the next wait is delivered at once.
	p.next(false)
	store.Append(a, pts(3, 1)...)
	for {
		m := p.recv()
		if len(m.Series) == 0 { // the wait may have ended before the append
			p.next(false)
			continue
		}
		checkRun(t, "batch", m.Series[0].Points, 3, 1)
		break
	}
}

// dial opens a raw WebSocket (coder/websocket) to send what the client
// package never would.
func dial(t *testing.T, url string) *websocket.Conn {
	t.Helper()
	c, _ := testkit.Dial(t, url, nil)
	return c
}

func readMsg(t *testing.T, c *websocket.Conn) (msg.PlotMessage, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, data, err := c.Read(ctx)
	if err != nil {
		return msg.PlotMessage{}, err
	}
	var m msg.PlotMessage
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatalf("undecodable %q: %v", data, err)
	}
	return m, nil
}

func TestBadRequests(t *testing.T) {
	store := NewStore(10, 2)
	a, _ := store.Series("a")
	url, _ := serveStore(t, &Handler{Store: store, Wait: time.Hour})
	ctx := context.Background()

	// Garbage gets an error message; the connection stays up.
	c := dial(t, url)
	readMsg(t, c) // history
	c.Write(ctx, websocket.MessageText, []byte(`{"type":"more"}`))
	m, err := readMsg(t, c)
	if err != nil || m.Type != msg.PlotError || !strings.Contains(m.Error, `unknown request type "more"`) {
		t.Fatalf("answer to a bad request = %+v, %v", m, err)
	}
	c.Write(ctx, websocket.MessageText, []byte(`{"type":"next"}`))
	store.Append(a, pts(0, 2)...)
	if m, err := readMsg(t, c); err != nil || len(m.Series) != 1 {
		t.Fatalf("batch after a bad request = %+v, %v", m, err)
	}

	// A binary frame is closed with 1003.
	c = dial(t, url)
	readMsg(t, c)
	c.Write(ctx, websocket.MessageBinary, []byte{0, 1})
	if _, err := readMsg(t, c); websocket.CloseStatus(err) != websocket.StatusUnsupportedData {
		t.Fatalf("after a binary frame: %v, want close 1003", err)
	}

	// Requests piling up past the cap are closed with 1008. The handler
	// holds the first one (nothing is new, Wait is an hour).
	c = dial(t, url)
	readMsg(t, c)
	for range msg.PlotMaxInFlight + 2 {
		if err := c.Write(ctx, websocket.MessageText, nil); err != nil {
			break
		}
	}
	if _, err := readMsg(t, c); websocket.CloseStatus(err) != websocket.StatusPolicyViolation {
		t.Fatalf("after %d requests in flight: %v, want close 1008", msg.PlotMaxInFlight+2, err)
	}
}

// TestShutdownDuringWait: a client whose request is being held is closed
// with 1001 at once on shutdown; the held request does not delay it.
func TestShutdownDuringWait(t *testing.T) {
	store := NewStore(10, 2)
	url, reg := serveStore(t, &Handler{Store: store, Wait: time.Hour})
	c := dial(t, url)
	readMsg(t, c)
	c.Write(context.Background(), websocket.MessageText, nil)

	done := make(chan error, 1)
	go func() {
		// The client side must keep reading to answer the close handshake.
		_, err := readMsg(t, c)
		done <- err
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := reg.Shutdown(ctx); err != nil {
		t.Fatalf("shutdown with a held request: %v", err)
	}
	if err := <-done; websocket.CloseStatus(err) != websocket.StatusGoingAway {
		t.Fatalf("client saw %v, want close 1001", err)
	}
}

// summary keeps failure messages short: point counts, not points.
func summary(m msg.PlotMessage) string {
	var b strings.Builder
	b.WriteString(m.Type)
	for _, s := range m.Series {
		b.WriteString(" " + s.Name + ":")
		b.WriteString(itoa(len(s.Points)))
	}
	return b.String() + " cursor " + itoa(int(m.Cursor)) + " dropped " + itoa(int(m.Dropped))
}

func itoa(n int) string { return strconv.Itoa(n) }
