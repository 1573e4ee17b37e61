package conns

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"socketlab/internal/testkit"

	"github.com/coder/websocket"
)

// recordingTapper taps every socket that asks and keeps what it saw.
type recordingTapper struct {
	refuse error

	mu      sync.Mutex
	hs      Handshake
	in, out bytes.Buffer
	ends    int
	conn    *Conn
}

func (r *recordingTapper) Tap(c *Conn, _ *http.Request, hs Handshake) (Tap, error) {
	if r.refuse != nil {
		return nil, r.refuse
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.hs, r.conn = hs, c
	return r, nil
}

func (r *recordingTapper) In(p []byte)  { r.mu.Lock(); r.in.Write(p); r.mu.Unlock() }
func (r *recordingTapper) Out(p []byte) { r.mu.Lock(); r.out.Write(p); r.mu.Unlock() }
func (r *recordingTapper) End()         { r.mu.Lock(); r.ends++; r.mu.Unlock() }

func (r *recordingTapper) snapshot() (hs Handshake, in, out []byte, ends int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.hs, bytes.Clone(r.in.Bytes()), bytes.Clone(r.out.Bytes()), r.ends
}

// serveRecorded is serve with RecordHeads on the listener, as server/site
// runs it; it returns the ws:// URL and the accepted Conns.
func serveRecorded(t *testing.T, reg *Registry, opts Options) (string, chan *Conn) {
	t.Helper()
	accepted := make(chan *Conn, 4)
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := reg.Accept(w, r, "/echo", opts)
		if err != nil {
			return
		}
		accepted <- c
		for {
			typ, b, err := c.Read(context.Background())
			if err == nil {
				err = c.Write(context.Background(), typ, b)
			}
			if err != nil {
				c.Finish(err)
				return
			}
		}
	}))
	srv.Listener = RecordHeads(srv.Listener)
	srv.Start()
	t.Cleanup(srv.Close)
	return "ws" + strings.TrimPrefix(srv.URL, "http"), accepted
}

func TestTapSeesEveryByteAndTheHandshake(t *testing.T) {
	reg := NewRegistry(slog.New(slog.DiscardHandler))
	tapper := &recordingTapper{}
	reg.Tapper = tapper
	url, _ := serveRecorded(t, reg, Options{})
	ws, ctx := dial(t, url+"?tap=abc")
	ws.Write(ctx, websocket.MessageText, []byte("hi"))
	if _, b, err := ws.Read(ctx); err != nil || string(b) != "hi" {
		t.Fatalf("echo: %q %v", b, err)
	}
	ws.Close(websocket.StatusNormalClosure, "bye")
	testkit.Eventually(t, 10*time.Second, "the end of the tap", func() bool { _, _, _, ends := tapper.snapshot(); return ends == 1 })

	hs, in, out, _ := tapper.snapshot()
	if !hs.Recorded || !bytes.HasPrefix(hs.Request, []byte("GET /?tap=abc HTTP/1.1\r\nHost: ")) ||
		!bytes.HasSuffix(hs.Request, []byte("\r\n\r\n")) || !bytes.HasPrefix(hs.Response, []byte("HTTP/1.1 101 Switching Protocols\r\n")) {
		t.Fatalf("handshake recorded %v:\n%s\n%s", hs.Recorded, hs.Request, hs.Response)
	}
	// In: the client's masked "hi", then its close frame; out: the echo,
	// unmasked, then the server's close frame.
	if len(in) != 8+6+5 || in[0] != 0x81 || in[1] != 0x82 || in[8] != 0x88 {
		t.Fatalf("in % x", in)
	}
	if !bytes.HasPrefix(out, []byte{0x81, 0x02, 'h', 'i', 0x88, 0x05, 0x03, 0xe8, 'b', 'y', 'e'}) {
		t.Fatalf("out % x", out)
	}
}

// TestTapGetsEarlyBytes: a frame sent with the upgrade request, which
// net/http read before the hijack, reaches the tap first.
func TestTapGetsEarlyBytes(t *testing.T) {
	reg := NewRegistry(slog.New(slog.DiscardHandler))
	tapper := &recordingTapper{}
	reg.Tapper = tapper
	url, _ := serveRecorded(t, reg, Options{})
	early := clientFrame(0x1, []byte("early"), [4]byte{1, 2, 3, 4})
	nc, br := rawUpgradePath(t, url, "/?tap=x", early)
	switched(t, br)
	if head, p := serverFrame(t, br); head != 0x81 || string(p) != "early" {
		t.Fatalf("echo %x %q", head, p)
	}
	nc.Close()
	testkit.Eventually(t, 10*time.Second, "the end of the tap", func() bool { _, _, _, ends := tapper.snapshot(); return ends == 1 })
	hs, in, _, _ := tapper.snapshot()
	if !bytes.Equal(in, early) || bytes.Contains(hs.Request, []byte("early")) {
		t.Fatalf("in % x, request %q", in, hs.Request)
	}
}

// TestUntappedSocketIsUntouched: without a tap parameter (or with NoTap,
// or without a Tapper) the socket's connection is the bare TCP connection
// under the cork, even on a listener that records heads: no recorder, no
// tap in its path.
func TestUntappedSocketIsUntouched(t *testing.T) {
	for name, c := range map[string]struct {
		query  string
		opts   Options
		tapper bool
	}{
		"no parameter":   {"", Options{}, true},
		"NoTap":          {"?tap=abc", Options{NoTap: true}, true},
		"no Tapper":      {"?tap=abc", Options{}, false},
		"other endpoint": {"?x=1", Options{}, true},
	} {
		t.Run(name, func(t *testing.T) {
			reg := NewRegistry(slog.New(slog.DiscardHandler))
			tapper := &recordingTapper{}
			if c.tapper {
				reg.Tapper = tapper
			}
			url, accepted := serveRecorded(t, reg, c.opts)
			ws, ctx := dial(t, url+c.query)
			ws.Write(ctx, websocket.MessageText, []byte("hi"))
			ws.Read(ctx)
			conn := <-accepted
			if _, ok := conn.net.Conn.(*net.TCPConn); !ok || conn.tap != nil {
				t.Fatalf("under the cork: %T (tap %v)", conn.net.Conn, conn.tap)
			}
			if _, in, _, _ := tapper.snapshot(); len(in) != 0 {
				t.Fatal("tapped")
			}
		})
	}
}

func TestTapRefusedCloses1008(t *testing.T) {
	reg := NewRegistry(slog.New(slog.DiscardHandler))
	reg.Tapper = &recordingTapper{refuse: errors.New("tap id already in use")}
	url, _ := serveRecorded(t, reg, Options{})
	ws, ctx := dial(t, url+"?tap=abc")
	_, _, err := ws.Read(ctx)
	var ce websocket.CloseError
	if !errors.As(err, &ce) || ce.Code != websocket.StatusPolicyViolation || ce.Reason != "tap id already in use" {
		t.Fatalf("got %v, want 1008 with the tapper's reason", err)
	}
	testkit.Eventually(t, 10*time.Second, "deregistration", func() bool { return reg.Len() == 0 })
}

// TestTapWithoutRecorder: served without RecordHeads (as behind TLS), the
// heads are rebuilt and say so.
func TestTapWithoutRecorder(t *testing.T) {
	reg := NewRegistry(slog.New(slog.DiscardHandler))
	tapper := &recordingTapper{}
	reg.Tapper = tapper
	url := echoServer(t, reg)
	ws, ctx := dial(t, url+"?tap=abc")
	ws.Write(ctx, websocket.MessageText, []byte("hi"))
	ws.Read(ctx)
	hs, in, _, _ := tapper.snapshot()
	if hs.Recorded || !bytes.HasPrefix(hs.Request, []byte("GET /?tap=abc HTTP/1.1\r\nHost: ")) ||
		!bytes.Contains(hs.Response, []byte("Sec-Websocket-Accept: ")) || len(in) != 8 {
		t.Fatalf("rebuilt %v:\n%s\n%s\nin % x", hs.Recorded, hs.Request, hs.Response, in)
	}
}

// TestRecorderKeepsTheIdleWaiter: a socket accepted through RecordHeads is
// unwrapped at the hijack, so WaitReadable can still park it in the poller
// (it needs the bare TCP connection).
func TestRecorderKeepsTheIdleWaiter(t *testing.T) {
	reg := NewRegistry(slog.New(slog.DiscardHandler))
	reg.Tapper = &recordingTapper{}
	url, accepted := serveRecorded(t, reg, Options{})
	_, br := rawUpgradePath(t, url, "/", nil) // sends nothing after its request
	switched(t, br)
	if conn := <-accepted; conn.net.idle == nil {
		t.Fatal("no idle waiter behind the recorder")
	}
}

// writingTapper is a Tapper under which the socket is written to while Tap
// runs, as when the wire lab's observer, told of the handshake, asks for a
// ping at once.
type writingTapper struct {
	recordingTapper
	written chan error
}

func (w *writingTapper) Tap(c *Conn, req *http.Request, hs Handshake) (Tap, error) {
	go func() { w.written <- c.Write(context.Background(), websocket.MessageText, []byte("early bird")) }()
	// Give the write every chance to cross before the tap is in place:
	// it must wait for Tap instead.
	select {
	case err := <-w.written:
		w.written <- err
	case <-time.After(300 * time.Millisecond):
	}
	return w.recordingTapper.Tap(c, req, hs)
}

// TestTapSeesWritesMadeDuringTap: nothing written while the Tapper sets up
// crosses untapped.
func TestTapSeesWritesMadeDuringTap(t *testing.T) {
	reg := NewRegistry(slog.New(slog.DiscardHandler))
	tapper := &writingTapper{written: make(chan error, 1)}
	reg.Tapper = tapper
	url, _ := serveRecorded(t, reg, Options{})
	ws, ctx := dial(t, url+"/?tap=x")
	if _, b, err := ws.Read(ctx); err != nil || string(b) != "early bird" {
		t.Fatalf("read %q, %v", b, err)
	}
	if err := <-tapper.written; err != nil {
		t.Fatal(err)
	}
	if _, _, out, _ := tapper.snapshot(); !bytes.Contains(out, []byte("early bird")) {
		t.Fatalf("the tap saw % x, not the message written during Tap", out)
	}
}
