package socket

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/coder/websocket"

	"socketlab/app/msg"
)

// TestCloseWithCodeAndReason: the server receives the code and reason the
// client chose, and Run stops.
func TestCloseWithCodeAndReason(t *testing.T) {
	got := make(chan websocket.CloseError, 1)
	url := serveEach(t, func(c *websocket.Conn, r *http.Request) {
		_, _, err := c.Read(r.Context())
		var ce websocket.CloseError
		if errors.As(err, &ce) {
			got <- ce
		}
	})
	rec := newRecorder()
	c := New(url, rec.options(Options{}))
	done := make(chan error, 1)
	go func() { done <- c.Run(context.Background()) }()
	rec.waitFor(t, "open", func(r *recorder) bool { return count(r.statuses, Open) == 1 })
	if err := c.CloseWith(4000, "bye"); err != nil {
		t.Fatal(err)
	}
	if ce := recv(t, got, "the close frame at the server"); ce.Code != 4000 || ce.Reason != "bye" {
		t.Fatalf("server got close %d %q, want 4000 \"bye\"", ce.Code, ce.Reason)
	}
	recv(t, done, "Run to return after CloseWith")
	if code, reason := c.LastClose(); code != 4000 || reason != "bye" {
		t.Fatalf("LastClose = %d %q, want the echoed 4000 \"bye\"", code, reason)
	}
}

// TestCloseWithRefusesWhatABrowserMayNotSend: codes outside 1000 and
// 3000–4999, reasons over 123 bytes and reasons not in UTF-8 are errors,
// and the socket stays.
func TestCloseWithRefusesWhatABrowserMayNotSend(t *testing.T) {
	c := New("ws://127.0.0.1:1/never", Options{})
	for _, tc := range []struct {
		code   msg.CloseCode
		reason string
		want   string
	}{
		{1001, "", "1000 or 3000–4999"},
		{2999, "", "1000 or 3000–4999"},
		{5000, "", "1000 or 3000–4999"},
		{4000, strings.Repeat("x", 124), "at most 123"},
		{4000, "by\xffe", "not UTF-8"},
	} {
		err := c.CloseWith(tc.code, tc.reason)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("CloseWith(%d, %d bytes) = %v, want an error saying %q", tc.code, len(tc.reason), err, tc.want)
		}
	}
	c.mu.Lock()
	stopped := c.stopped
	c.mu.Unlock()
	if stopped {
		t.Fatal("a refused CloseWith stopped the Conn")
	}
	for _, code := range []msg.CloseCode{1000, 3000, 4999} {
		if err := New("ws://127.0.0.1:1/never", Options{}).CloseWith(code, strings.Repeat("x", 123)); err != nil {
			t.Errorf("CloseWith(%d, 123 bytes) = %v, want nil", code, err)
		}
	}
}
