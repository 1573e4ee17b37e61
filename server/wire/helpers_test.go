package wire

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"log/slog"
	"net/http"
	"testing"
	"time"

	"github.com/coder/websocket"

	"socketlab/app/msg"
	"socketlab/internal/testkit"
	"socketlab/server/conns"
)

// lab serves the wire lab's two endpoints through a registry whose tapper
// is the hub, on a listener that records heads, as server/site does.
type lab struct {
	url string // ws://host
	reg *conns.Registry
	hub *Hub
	mux *http.ServeMux
}

func startLab(t *testing.T, wait time.Duration) *lab {
	t.Helper()
	reg := conns.NewRegistry(slog.New(slog.DiscardHandler))
	hub := NewHub()
	hub.Wait = wait
	reg.Tapper = hub
	mux := http.NewServeMux()
	mux.Handle("GET "+msg.WirePath, &Echo{Conns: reg, Hub: hub})
	mux.Handle("GET "+msg.WireWatchPath, &Watch{Conns: reg, Hub: hub})
	return &lab{url: testkit.ServeHTTP(t, mux, conns.RecordHeads), reg: reg, hub: hub, mux: mux}
}

// newID returns a fresh tap id as a page makes one.
func newID() string {
	b := make([]byte, 16)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// dialWS dials url with a read limit of 1 MiB, over every message the
// lab sends.
func dialWS(t *testing.T, url string, opts *websocket.DialOptions) *websocket.Conn {
	t.Helper()
	ws, _ := testkit.Dial(t, url, opts)
	ws.SetReadLimit(1 << 20)
	return ws
}

// observer is a client of the watch socket.
type observer struct {
	t   *testing.T
	ws  *websocket.Conn
	ctx context.Context
}

func (l *lab) watch(t *testing.T, id string) *observer {
	t.Helper()
	return &observer{t: t, ws: dialWS(t, l.url+msg.WireWatchPath+"?id="+id, nil), ctx: testkit.Context(t)}
}

// next reads one event.
func (o *observer) next() msg.WireEvent {
	o.t.Helper()
	_, b, err := o.ws.Read(o.ctx)
	if err != nil {
		o.t.Fatalf("observer: %v", err)
	}
	var ev msg.WireEvent
	if err := json.Unmarshal(b, &ev); err != nil {
		o.t.Fatalf("observer: %q: %v", b, err)
	}
	return ev
}

// frame reads events up to the next frame record, skipping none: any
// other event on the way fails the test.
func (o *observer) frame() msg.WireFrame {
	o.t.Helper()
	ev := o.next()
	if ev.Type != msg.WireFrameRec || ev.Frame == nil {
		o.t.Fatalf("got %+v, want a frame", ev)
	}
	return *ev.Frame
}

// event reads events until one of type typ, skipping frames.
func (o *observer) event(typ string) msg.WireEvent {
	o.t.Helper()
	for {
		if ev := o.next(); ev.Type == typ {
			return ev
		} else if ev.Type != msg.WireFrameRec {
			o.t.Fatalf("got %+v while waiting for %s", ev, typ)
		}
	}
}

func (o *observer) send(cmd string) {
	o.t.Helper()
	if err := o.ws.Write(o.ctx, websocket.MessageText, []byte(cmd)); err != nil {
		o.t.Fatal(err)
	}
}

// subjectClient is a client of /ws/wire that reads in the background (so
// that it answers pings), handing messages over on a channel.
type subjectClient struct {
	ws  *websocket.Conn
	got chan []byte
	err chan error
}

func (l *lab) subject(t *testing.T, query string, opts *websocket.DialOptions) *subjectClient {
	t.Helper()
	s := &subjectClient{ws: dialWS(t, l.url+msg.WirePath+query, opts), got: make(chan []byte, 1000), err: make(chan error, 1)}
	go func() {
		for {
			_, b, err := s.ws.Read(context.Background())
			if err != nil {
				s.err <- err
				return
			}
			s.got <- b
		}
	}()
	return s
}

// watchedLab is a lab with one subject of /ws/wire and its observer, the
// handshake already read off the observer.
type watchedLab struct {
	*lab
	id  string
	obs *observer
	sub *subjectClient
	hs  *msg.WireHandshakeInfo
}

// watched starts a lab and a watched subject the way most tests need
// them: the observer first, then a subject with ?tap=<id> and query
// after it ("&deflate=1").
func watched(t *testing.T, query string, opts *websocket.DialOptions) *watchedLab {
	t.Helper()
	w := &watchedLab{lab: startLab(t, 5*time.Second), id: newID()}
	w.obs = w.watch(t, w.id)
	w.sub = w.subject(t, "?tap="+w.id+query, opts)
	w.hs = w.obs.event(msg.WireHandshake).Handshake
	return w
}

func (s *subjectClient) echo(t *testing.T, typ websocket.MessageType, p []byte) {
	t.Helper()
	if err := s.ws.Write(testkit.Context(t), typ, p); err != nil {
		t.Fatal(err)
	}
	select {
	case b := <-s.got:
		if string(b) != string(p) {
			t.Fatalf("echo of %d bytes: got %d", len(p), len(b))
		}
	case err := <-s.err:
		t.Fatalf("subject: %v", err)
	case <-time.After(10 * time.Second):
		t.Fatal("no echo")
	}
}
