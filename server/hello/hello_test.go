package hello

import (
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"socketlab/app/msg"
	"socketlab/internal/testkit"
	"socketlab/server/conns"
)

func TestHelloWorldThenNormalClose(t *testing.T) {
	reg := conns.NewRegistry(slog.New(slog.DiscardHandler))
	url := testkit.ServeHTTP(t, &Handler{Conns: reg, Delay: 50 * time.Millisecond})
	// The clock starts before the dial: the server's delay starts when it
	// has written Hello, which can be before the dial returns here.
	start := time.Now()
	c, ctx := testkit.Dial(t, url, nil)
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
