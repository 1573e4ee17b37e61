package hello

import (
	"log/slog"
	"strings"
	"testing"
	"time"

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
	for range 2 {
		_, b, err := c.Read(ctx)
		if err != nil {
			t.Fatalf("after %q: %v", got, err)
		}
		got = append(got, string(b))
	}
	if time.Since(start) < 50*time.Millisecond {
		t.Errorf("World came %v after the dial, before the %v delay", time.Since(start), 50*time.Millisecond)
	}
	// Nothing more may come before the close.
	got = append(got, testkit.Messages(t, c, msg.CloseNormal, msg.HelloCloseReason)...)
	if strings.Join(got, " ") != "Hello World" {
		t.Fatalf("got %q, want Hello then World", got)
	}
}
