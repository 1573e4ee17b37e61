package site

import (
	"context"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"socketlab/app/msg"
	"socketlab/internal/testkit"
)

// parkedIn reports whether a goroutine of the handler package pkg (its
// import path) waits in conns.Conn.WaitReadable, and whether any of that
// package's goroutines is inside the WebSocket library's read instead:
// an idle socket must be the first and not the second.
func parkedIn(pkg string) (parked, inRead bool) {
	buf := make([]byte, 1<<20)
	buf = buf[:runtime.Stack(buf, true)]
	for _, g := range strings.Split(string(buf), "\n\n") {
		if !strings.Contains(g, pkg+".") {
			continue
		}
		if strings.Contains(g, "socketlab/server/conns.(*Conn).WaitReadable") {
			parked = true
		}
		if strings.Contains(g, "github.com/coder/websocket.(*Conn).Reader") ||
			strings.Contains(g, "github.com/coder/websocket.(*Conn).Read(") {
			inRead = true
		}
	}
	return parked, inRead
}

// waitParked waits until pkg's socket is parked and none of its goroutines
// reads in the library.
func waitParked(t *testing.T, pkg string) {
	t.Helper()
	testkit.Eventually(t, 10*time.Second, pkg+"'s reader parked in WaitReadable", func() bool {
		parked, inRead := parkedIn(pkg)
		return parked && !inRead
	})
}

// closePromptly closes c from the client side and checks that the server
// answers the close handshake at once (the library would wait 5 s for an
// answer that does not come, and then fail).
func closePromptly(t *testing.T, c *websocket.Conn) {
	t.Helper()
	start := time.Now()
	if err := c.Close(websocket.StatusNormalClosure, "bye"); err != nil {
		t.Fatalf("close: %v", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("close took %v", d)
	}
}

// TestIdleSocketsPark: on every long-lived endpoint, a socket with nothing
// to read parks its reader in the poller (conns.Conn.WaitReadable), not in
// the WebSocket library's read, and still serves the next message and a
// close promptly.
func TestIdleSocketsPark(t *testing.T) {
	ts := startSite(t, Config{HelloDelay: 3 * time.Second})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	dial := func(t *testing.T, path string) *websocket.Conn {
		t.Helper()
		c, _, err := websocket.Dial(ctx, "ws://"+ts.Addr+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.CloseNow() })
		c.SetReadLimit(1 << 20)
		return c
	}
	exchange := func(t *testing.T, c *websocket.Conn, in, want string) {
		t.Helper()
		if err := c.Write(ctx, websocket.MessageText, []byte(in)); err != nil {
			t.Fatal(err)
		}
		_, b, err := c.Read(ctx)
		if err != nil || string(b) != want {
			t.Fatalf("answer to %q: %q %v, want %q", in, b, err, want)
		}
	}

	for _, tc := range []struct {
		name, path, pkg string
		in, want        [2]string
	}{
		{"casefold", msg.CasefoldPath, "socketlab/server/casefold", [2]string{"Straße", "ΣΑΣ"}, [2]string{"strasse", "σασ"}},
		{"wire echo", msg.WirePath, "socketlab/server/wire", [2]string{"one", "two"}, [2]string{"one", "two"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := dial(t, tc.path)
			for i := range tc.in {
				exchange(t, c, tc.in[i], tc.want[i])
				waitParked(t, tc.pkg)
			}
			closePromptly(t, c)
		})
	}
	t.Run("hello", func(t *testing.T) {
		c := dial(t, msg.HelloPath)
		if _, b, err := c.Read(ctx); err != nil || string(b) != msg.HelloFirst {
			t.Fatalf("first push: %q %v", b, err)
		}
		// In the pause the reader is parked and nothing else runs.
		waitParked(t, "socketlab/server/hello")
		if _, b, err := c.Read(ctx); err != nil || string(b) != msg.HelloSecond {
			t.Fatalf("second push: %q %v", b, err)
		}
		_, _, err := c.Read(ctx)
		if websocket.CloseStatus(err) != websocket.StatusNormalClosure {
			t.Fatalf("after the pushes: %v, want the server's 1000", err)
		}
	})
	t.Run("hello closed in the pause", func(t *testing.T) {
		c := dial(t, msg.HelloPath)
		if _, _, err := c.Read(ctx); err != nil {
			t.Fatal(err)
		}
		waitParked(t, "socketlab/server/hello")
		closePromptly(t, c)
	})
	t.Run("plot", func(t *testing.T) {
		c := dial(t, msg.PlotPath)
		if _, b, err := c.Read(ctx); err != nil || !strings.Contains(string(b), `"type":"history"`) {
			t.Fatalf("history: %.80q %v", b, err)
		}
		// A request held for news: the reader waits in the poller.
		if err := c.Write(ctx, websocket.MessageText, nil); err != nil {
			t.Fatal(err)
		}
		waitParked(t, "socketlab/server/plot")
		id, err := ts.srv.plot.Series("idle")
		if err != nil {
			t.Fatal(err)
		}
		ts.srv.plot.Append(id, msg.PlotPoint{1, 2})
		if _, b, err := c.Read(ctx); err != nil || !strings.Contains(string(b), `"name":"idle"`) {
			t.Fatalf("the batch with the new point: %.200q %v", b, err)
		}
		waitParked(t, "socketlab/server/plot")
		closePromptly(t, c)
	})
}
