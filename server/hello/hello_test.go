package hello

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"socketlab/app/msg"
	"socketlab/server/conns"
)

func TestHelloWorldThenNormalClose(t *testing.T) {
	reg := conns.NewRegistry(slog.New(slog.NewTextHandler(io.Discard, nil)))
	srv := httptest.NewServer(&Handler{Conns: reg, Delay: 50 * time.Millisecond})
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	// The clock starts before the dial: the server's delay starts when it
	// has written Hello, which can be before the dial returns here.
	start := time.Now()
	c, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(srv.URL, "http"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.CloseNow()
	var got []string
	for {
		_, b, err := c.Read(ctx)
		if err != nil {
			var ce websocket.CloseError
			if !errors.As(err, &ce) || ce.Code != websocket.StatusNormalClosure || ce.Reason != msg.HelloCloseReason {
				t.Fatalf("ended with %v, want close 1000 %q", err, msg.HelloCloseReason)
			}
			break
		}
		got = append(got, string(b))
		if len(got) == 2 && time.Since(start) < 50*time.Millisecond {
			t.Errorf("World came %v after the dial, before the %v delay", time.Since(start), 50*time.Millisecond)
		}
	}
	if strings.Join(got, " ") != "Hello World" {
		t.Fatalf("got %q, want Hello then World", got)
	}
}
