package socket

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// TestRedialMovesToTheNewURL: Redial closes the open socket and the next
// one is dialled at the new url, with OnOpen run again.
func TestRedialMovesToTheNewURL(t *testing.T) {
	queries := make(chan string, 4)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		queries <- r.URL.RawQuery
		echo(w, r)
	}))
	defer srv.Close()
	rec := newRecorder()
	opened := make(chan string, 4)
	opts := rec.options(Options{})
	opts.OnOpen = func(c *Conn) { opened <- c.URL() }
	c := New(wsURL(srv)+"/x", opts)
	run(t, c)
	if q := recv(t, queries, "first dial"); q != "" {
		t.Fatalf("first dial query %q, want none", q)
	}
	recv(t, opened, "first open")
	c.Redial(wsURL(srv) + "/x?tap=abc")
	if q := recv(t, queries, "the redial"); q != "tap=abc" {
		t.Fatalf("redial query %q, want tap=abc", q)
	}
	if u := recv(t, opened, "second open"); u != wsURL(srv)+"/x?tap=abc" {
		t.Fatalf("OnOpen saw %q after the redial", u)
	}
	rec.waitFor(t, "the echo on the new socket", func(r *recorder) bool { return count(r.statuses, Open) == 2 })
	if err := c.Send([]byte("again")); err != nil {
		t.Fatal(err)
	}
	rec.waitFor(t, "the echo", func(r *recorder) bool { return len(r.msgs) == 1 && r.msgs[0] == "again" })
}

// TestOnceDoesNotReconnect: with Once, a 1001 from the server ends Run
// instead of leading to a reconnect.
func TestOnceDoesNotReconnect(t *testing.T) {
	dials := make(chan struct{}, 4)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		dials <- struct{}{}
		c, err := websocket.Accept(w, r, nil)
		if err != nil {
			return
		}
		c.Close(websocket.StatusGoingAway, "bye for now")
	}))
	defer srv.Close()
	c := New(wsURL(srv), Options{Once: true, Backoff: Backoff{Min: time.Millisecond}})
	done := make(chan error, 1)
	go func() { done <- c.Run(context.Background()) }()
	recv(t, done, "Run with Once to return after the server's 1001")
	if code, reason := c.LastClose(); code != 1001 || reason != "bye for now" {
		t.Fatalf("LastClose = %d %q", code, reason)
	}
	if n := len(dials); n != 1 {
		t.Fatalf("%d dials, want 1", n)
	}
	// A refused dial ends Run too, with the error.
	bad := New("ws://127.0.0.1:1/", Options{Once: true, DialTimeout: time.Second})
	if err := bad.Run(context.Background()); err == nil {
		t.Fatal("Run with Once returned nil after a failed dial")
	}
}

// TestSendBinary: SendBinary arrives as a binary message.
func TestSendBinary(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(echo))
	defer srv.Close()
	got := make(chan bool, 1)
	rec := newRecorder()
	opts := rec.options(Options{})
	opts.OnMessage = func(binary bool, _ []byte) { got <- binary }
	c := New(wsURL(srv), opts)
	run(t, c)
	rec.waitFor(t, "open", func(r *recorder) bool { return count(r.statuses, Open) == 1 })
	if err := c.SendBinary([]byte{0, 1, 2}); err != nil {
		t.Fatal(err)
	}
	if !recv(t, got, "the echo") {
		t.Fatal("the echo of SendBinary was text")
	}
}
