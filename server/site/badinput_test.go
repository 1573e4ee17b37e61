package site

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"socketlab/app/msg"
	"socketlab/internal/testkit"
	"socketlab/server/wsframe"
)

// bystander is a well-behaved casefold client that must keep working while
// the attacks run on other connections.
func bystander(t *testing.T, addr string) func() {
	t.Helper()
	ctx := context.Background()
	c, _, err := websocket.Dial(ctx, "ws://"+addr+"/ws/casefold", nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.CloseNow() })
	return func() {
		t.Helper()
		ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		if err := c.Write(ctx, websocket.MessageText, []byte("ÀB")); err != nil {
			t.Fatalf("bystander write: %v", err)
		}
		_, got, err := c.Read(ctx)
		if err != nil || string(got) != "àb" {
			t.Fatalf("bystander got %q, %v: an attack on another connection disturbed it", got, err)
		}
	}
}

// TestBadInput attacks every endpoint with broken and hostile input. Each
// case asserts the exact HTTP status or close code, and after each one a
// bystander connection must still be served.
func TestBadInput(t *testing.T) {
	site := startSite(t, Config{HeaderTimeout: 500 * time.Millisecond, CasefoldRate: 50, CasefoldFloodGrace: 300 * time.Millisecond, PingEvery: -1, WireWatchWait: 2 * time.Second})
	ok := bystander(t, site.Addr)
	big := func(n int) []byte { return bytes.Repeat([]byte("a"), n) }

	type attack struct {
		name    string
		path    string
		headers map[string]string        // handshake headers; "" removes a default
		status  int                      // expected handshake status
		frames  func(r *testkit.RawConn) // sent after a successful handshake
		close   int                      // expected close code from the server
		reason  string                   // and its reason, where the README documents it
		check   func(t *testing.T, r *testkit.RawConn)
	}
	casefold, hello := "/ws/casefold", "/ws/hello"
	wireEcho := msg.WirePath
	watch := func(id byte) string { return msg.WireWatchPath + "?id=" + strings.Repeat(string(id), msg.WireTapIDLen) }
	nothing := func(*testkit.RawConn) {}
	attacks := []attack{
		// The handshake.
		{name: "cross-site origin", path: casefold, headers: map[string]string{"Origin": "http://evil.example"}, status: 403},
		{name: "cross-site origin on hello", path: hello, headers: map[string]string{"Origin": "https://evil.example"}, status: 403},
		{name: "origin with same host but other port", path: casefold, headers: map[string]string{"Origin": "http://127.0.0.1:1"}, status: 403},
		{name: "null origin", path: casefold, headers: map[string]string{"Origin": "null"}, status: 403},
		{name: "no origin (non-browser client)", path: casefold, status: 101, frames: func(r *testkit.RawConn) {
			r.WriteFrame(true, 0, wsframe.OpClose, wsframe.ClosePayload(1000, ""), true)
		}, close: 1000},
		{name: "missing Sec-WebSocket-Key", path: casefold, headers: map[string]string{"Sec-WebSocket-Key": ""}, status: 400},
		{name: "wrong Sec-WebSocket-Version", path: casefold, headers: map[string]string{"Sec-WebSocket-Version": "8"}, status: 400},
		{name: "no Upgrade header", path: casefold, headers: map[string]string{"Upgrade": ""}, status: 426},
		{name: "Connection without Upgrade", path: casefold, headers: map[string]string{"Connection": "keep-alive"}, status: 426},
		{name: "unknown socket path", path: "/ws/nope", status: 404},

		// Frames on the casefold endpoint.
		{name: "binary frame", path: casefold, frames: func(r *testkit.RawConn) { r.WriteFrame(true, 0, wsframe.OpBinary, []byte{0, 1, 2}, true) }, close: 1003, reason: "casefold takes text frames only"},
		{name: "invalid UTF-8", path: casefold, frames: func(r *testkit.RawConn) { r.WriteFrame(true, 0, wsframe.OpText, []byte("a\xffb"), true) }, close: 1007, reason: "text is not valid UTF-8"},
		{name: "overlong UTF-8 encoding", path: casefold, frames: func(r *testkit.RawConn) { r.WriteFrame(true, 0, wsframe.OpText, []byte{0xC0, 0xAF}, true) }, close: 1007},
		{name: "UTF-16 surrogate in UTF-8", path: casefold, frames: func(r *testkit.RawConn) { r.WriteFrame(true, 0, wsframe.OpText, []byte{0xED, 0xA0, 0x80}, true) }, close: 1007},
		{name: "invalid UTF-8 split across fragments", path: casefold, frames: func(r *testkit.RawConn) {
			r.WriteFrame(false, 0, wsframe.OpText, []byte("ok \xE2\x82"), true) // first two bytes of €
			r.WriteFrame(true, 0, wsframe.OpContinuation, []byte("\xFF"), true) // not its third
		}, close: 1007},
		{name: "valid UTF-8 split across fragments is fine", path: casefold, check: func(t *testing.T, r *testkit.RawConn) {
			r.WriteFrame(false, 0, wsframe.OpText, []byte("\xE2\x82"), true)
			r.WriteFrame(true, 0, wsframe.OpContinuation, []byte("\xACUR"), true)
			op, p, err := r.ReadFrame()
			if err != nil || op != wsframe.OpText || string(p) != "€ur" {
				t.Fatalf("got op %d %q, %v; want text €ur", op, p, err)
			}
		}},
		{name: "message over the read limit", path: casefold, frames: func(r *testkit.RawConn) { r.WriteFrame(true, 0, wsframe.OpText, big(128<<10+1), true) }, close: 1009, reason: "message too big"},
		// Sent in full, as a browser does: the server closes at the limit
		// but reads the rest, so the close frame is not lost to a reset.
		{name: "message far over the read limit, sent in full", path: casefold, frames: func(r *testkit.RawConn) { r.WriteFrame(true, 0, wsframe.OpText, big(4<<20), true) }, close: 1009, reason: "message too big"},
		{name: "frame header announcing 2^62 bytes", path: casefold, frames: func(r *testkit.RawConn) {
			r.WriteHeaderOnly(wsframe.OpText, 1<<62)
			r.Conn.Write(big(128<<10 + 1)) // the server reads up to its limit, then refuses
		}, close: 1009},
		{name: "fragment flood past the read limit", path: casefold, frames: func(r *testkit.RawConn) {
			r.WriteFrame(false, 0, wsframe.OpText, big(10), true)
			for range 20000 {
				r.WriteFrame(false, 0, wsframe.OpContinuation, big(10), true)
			}
		}, close: 1009},
		{name: "control frame over 125 bytes", path: casefold, frames: func(r *testkit.RawConn) { r.WriteFrame(true, 0, wsframe.OpPing, big(126), true) }, close: 1002},
		{name: "fragmented control frame", path: casefold, frames: func(r *testkit.RawConn) { r.WriteFrame(false, 0, wsframe.OpPing, []byte("x"), true) }, close: 1002},
		// RFC 6455 section 5.1: the server MUST close the connection on an
		// unmasked frame, and MAY send 1002 first. coder/websocket drops it
		// without a close frame; the connection layer sends the 1002.
		{name: "unmasked client frame", path: casefold, frames: func(r *testkit.RawConn) { r.WriteFrame(true, 0, wsframe.OpText, []byte("hi"), false) }, close: 1002, reason: "protocol error"},
		{name: "reserved bit set without an extension", path: casefold, frames: func(r *testkit.RawConn) { r.WriteFrame(true, 4, wsframe.OpText, []byte("hi"), true) }, close: 1002},
		{name: "unknown opcode", path: casefold, frames: func(r *testkit.RawConn) { r.WriteFrame(true, 0, 0x3, []byte("hi"), true) }, close: 1002},
		{name: "continuation with nothing to continue", path: casefold, frames: func(r *testkit.RawConn) { r.WriteFrame(true, 0, wsframe.OpContinuation, []byte("hi"), true) }, close: 1002},
		{name: "new message inside a fragmented one", path: casefold, frames: func(r *testkit.RawConn) {
			r.WriteFrame(false, 0, wsframe.OpText, []byte("a"), true)
			r.WriteFrame(true, 0, wsframe.OpText, []byte("b"), true)
		}, close: 1002},
		{name: "close with a reserved code", path: casefold, frames: func(r *testkit.RawConn) { r.WriteFrame(true, 0, wsframe.OpClose, wsframe.ClosePayload(1005, ""), true) }, close: 1002},
		{name: "close with a one-byte payload", path: casefold, frames: func(r *testkit.RawConn) { r.WriteFrame(true, 0, wsframe.OpClose, []byte{3}, true) }, close: 1002},
		// RFC 6455 section 8.1: invalid UTF-8 in a close reason fails the
		// connection with 1007; the reason is not echoed.
		{name: "close reason that is not UTF-8", path: casefold, frames: func(r *testkit.RawConn) {
			r.WriteFrame(true, 0, wsframe.OpClose, wsframe.ClosePayload(1000, "\xff"), true)
		}, close: 1007, reason: "close reason is not valid UTF-8"},
		{name: "message flood over the rate limit", path: casefold, frames: func(r *testkit.RawConn) {
			for range 500 {
				r.WriteFrame(true, 0, wsframe.OpText, []byte("x"), true)
			}
		}, close: 1008},
		{name: "ping flood gets bounded pongs and no disconnect", path: casefold, check: func(t *testing.T, r *testkit.RawConn) {
			for range 1000 {
				r.WriteFrame(true, 0, wsframe.OpPing, []byte("p"), true)
			}
			r.WriteFrame(true, 0, wsframe.OpText, []byte("STILL HERE"), true)
			pongs := 0
			for {
				op, p, err := r.ReadFrame()
				if err != nil {
					t.Fatalf("connection lost during a ping flood: %v", err)
				}
				if op == wsframe.OpPong {
					pongs++
					continue
				}
				if op != wsframe.OpText || string(p) != "still here" {
					t.Fatalf("got op %d %q after the flood", op, p)
				}
				break
			}
			if pongs >= 1000 || pongs == 0 {
				t.Fatalf("%d pongs for 1000 pings: want some, but bounded", pongs)
			}
		}},

		// The wire lab: its echo, the observer, and a tap on any lab.
		{name: "wire echo: message over the read limit", path: wireEcho, frames: func(r *testkit.RawConn) { r.WriteFrame(true, 0, wsframe.OpBinary, big(msg.WireReadLimit+1), true) }, close: 1009},
		{name: "wire echo: unmasked client frame", path: wireEcho, frames: func(r *testkit.RawConn) { r.WriteFrame(true, 0, wsframe.OpText, []byte("hi"), false) }, close: 1002, reason: "protocol error"},
		{name: "wire echo: RSV1 without permessage-deflate", path: wireEcho, frames: func(r *testkit.RawConn) { r.WriteFrame(true, 4, wsframe.OpText, []byte("hi"), true) }, close: 1002},
		{name: "tap with a bad id, on another lab", path: casefold + "?tap=nope", frames: nothing, close: 1008},
		{name: "tapped socket still polices its lab", path: casefold + "?tap=" + strings.Repeat("t", msg.WireTapIDLen), frames: func(r *testkit.RawConn) { r.WriteFrame(true, 0, wsframe.OpBinary, []byte{0}, true) }, close: 1003},
		{name: "observer with a bad id", path: msg.WireWatchPath + "?id=../../etc", frames: nothing, close: 1008},
		{name: "observer without an id", path: msg.WireWatchPath, frames: nothing, close: 1008},
		{name: "observer for an unknown subject", path: watch('u'), frames: nothing, close: 1008},
		{name: "observer command over the limit", path: watch('l'), frames: func(r *testkit.RawConn) { r.WriteFrame(true, 0, wsframe.OpText, big(msg.WireCommandLimit+1), true) }, close: 1009},
		{name: "observer: garbage JSON gets an error event", path: watch('g'), check: func(t *testing.T, r *testkit.RawConn) {
			r.WriteFrame(true, 0, wsframe.OpText, []byte("{nope"), true)
			op, p, err := r.ReadFrame()
			var ev msg.WireEvent
			if err != nil || op != wsframe.OpText || json.Unmarshal(p, &ev) != nil || ev.Type != msg.WireError || !strings.Contains(ev.Detail, "bad JSON") {
				t.Fatalf("got op %d %q, %v; want an error event", op, p, err)
			}
		}},
		{name: "observer: a command for no subject gets an error event", path: watch('c'), check: func(t *testing.T, r *testkit.RawConn) {
			r.WriteFrame(true, 0, wsframe.OpText, []byte(`{"type":"close","code":1001}`), true)
			op, p, err := r.ReadFrame()
			if err != nil || op != wsframe.OpText || !strings.Contains(string(p), "no subject connected") {
				t.Fatalf("got op %d %q, %v", op, p, err)
			}
		}},

		// The hello endpoint reads nothing: anything sent is a violation.
		{name: "text to hello", path: hello, frames: func(r *testkit.RawConn) { r.WriteFrame(true, 0, wsframe.OpText, []byte("hi"), true) }, close: 1008, reason: "the hello lab reads nothing"},
		{name: "binary to hello", path: hello, frames: func(r *testkit.RawConn) { r.WriteFrame(true, 0, wsframe.OpBinary, []byte{1}, true) }, close: 1008},
		{name: "unmasked frame to hello", path: hello, frames: func(r *testkit.RawConn) { r.WriteFrame(true, 0, wsframe.OpText, []byte("hi"), false) }, close: 1002},
	}
	for _, a := range attacks {
		t.Run(a.name, func(t *testing.T) {
			r, status := testkit.RawHandshake(t, site.Addr, a.path, a.headers)
			want := a.status
			if want == 0 {
				want = http.StatusSwitchingProtocols
			}
			if status != want {
				t.Fatalf("handshake status %d, want %d", status, want)
			}
			switch {
			case a.check != nil:
				a.check(t, r)
			case a.frames != nil:
				a.frames(r)
				if got := r.CloseCode(); got != a.close {
					t.Fatalf("close code %d, want %d", got, a.close)
				}
				if a.reason != "" && r.Reason != a.reason {
					t.Fatalf("close reason %q, want %q", r.Reason, a.reason)
				}
			}
			ok()
		})
	}

	// HTTP-level attacks on the same server.
	httpAttacks := []struct {
		name   string
		req    string // raw request
		status int
	}{
		// ServeMux cleans the path and redirects to /go.mod, which is a
		// page route: the file itself is never served (checked below).
		{"path traversal in static assets", "GET /web/../../go.mod HTTP/1.1\r\nHost: x\r\n\r\n", 307},
		{"encoded path traversal", "GET /web/%2e%2e/%2e%2e/go.mod HTTP/1.1\r\nHost: x\r\n\r\n", 404},
		{"static file outside web/static", "GET /web/dist/README.md HTTP/1.1\r\nHost: x\r\n\r\n", 404},
		{"headers over the size limit", "GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + strings.Repeat("a", 200<<10) + "\r\n\r\n", 431},
		{"POST to a socket endpoint", "POST /ws/casefold HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n", 404},
		{"malformed request line", "GET\r\n\r\n", 400},
	}
	for _, a := range httpAttacks {
		t.Run(a.name, func(t *testing.T) {
			if got, body := rawHTTP(t, site.Addr, a.req); got != a.status || strings.Contains(body, "module socketlab") {
				t.Fatalf("status %d, want %d (body leaks go.mod: %v)", got, a.status, strings.Contains(body, "module socketlab"))
			}
			ok()
		})
	}

	t.Run("slowloris headers are cut", func(t *testing.T) {
		r := testkit.RawDial(t, site.Addr) // bounded: a server that never hangs up fails the read
		io.WriteString(r.Conn, "GET /ws/casefold HTTP/1.1\r\nHost: x\r\n")
		// Never finish the headers: the server must hang up on its own.
		if _, err := io.ReadAll(r.Conn); err != nil {
			t.Fatalf("server kept a slowloris connection open: %v", err)
		}
		ok()
	})
}
