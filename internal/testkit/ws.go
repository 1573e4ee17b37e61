package testkit

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// socketTime is how long a test's socket may take for all it does: long
// enough for a loaded 2-core machine under -race, short enough that a
// hang fails the test instead of the suite's timeout.
const socketTime = 15 * time.Second

// ServeHTTP runs h on a loopback httptest server until the test ends and
// returns its ws:// URL: a lab handler alone, without the whole site.
// wrap, if given, wraps the listener (one that records or throttles).
func ServeHTTP(t testing.TB, h http.Handler, wrap ...func(net.Listener) net.Listener) string {
	t.Helper()
	srv := httptest.NewUnstartedServer(h)
	for _, w := range wrap {
		srv.Listener = w(srv.Listener)
	}
	srv.Start()
	t.Cleanup(srv.Close)
	return "ws" + strings.TrimPrefix(srv.URL, "http")
}

// Context is a context for the test's socket work, cancelled after
// socketTime or when the test ends.
func Context(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), socketTime)
	t.Cleanup(cancel)
	return ctx
}

// Dial opens a client socket to url (opts may be nil) and returns it with
// the test's Context; the socket is dropped when the test ends.
func Dial(t testing.TB, url string, opts *websocket.DialOptions) (*websocket.Conn, context.Context) {
	t.Helper()
	ctx := Context(t)
	ws, _, err := websocket.Dial(ctx, url, opts)
	if err != nil {
		t.Fatalf("dial %s: %v", url, err)
	}
	t.Cleanup(func() { ws.CloseNow() })
	return ws, ctx
}

// Code is a close code in either type a test holds it in: the library's
// websocket.StatusCode or app/msg's CloseCode (both ints underneath), so
// that a test that speaks app/msg needs no import of the library for it.
type Code interface {
	~int
}

// ClosedWith reads until the socket ends and fails the test unless it
// ended with a close frame of code and, if reason is not empty, reason.
// Messages before the close are skipped; Messages keeps them.
func ClosedWith[C Code](t testing.TB, ws *websocket.Conn, code C, reason string) {
	t.Helper()
	Messages(t, ws, code, reason)
}

// Messages reads until the socket ends and returns every message it
// carried, in order, failing the test unless it ended with a close frame
// of code and, if reason is not empty, reason.
func Messages[C Code](t testing.TB, ws *websocket.Conn, code C, reason string) []string {
	t.Helper()
	ctx := Context(t)
	var got []string
	for {
		_, b, err := ws.Read(ctx)
		if err == nil {
			got = append(got, string(b))
			continue
		}
		var ce websocket.CloseError
		if !errors.As(err, &ce) || int(ce.Code) != int(code) || (reason != "" && ce.Reason != reason) {
			t.Fatalf("ended with %v after %d messages, want %d %q", err, len(got), int(code), reason)
		}
		return got
	}
}
