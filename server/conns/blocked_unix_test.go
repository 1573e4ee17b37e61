//go:build linux || darwin || freebsd

package conns

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"testing"
	"time"

	"github.com/coder/websocket"

	"socketlab/internal/testkit"
)

// WriteBlocked is false while the peer keeps up, true once a peer that
// reads nothing has filled what the kernel will hold, and false again once
// it has read.
func TestWriteBlockedFollowsThePeer(t *testing.T) {
	reg := NewRegistry(slog.New(slog.DiscardHandler))
	got := make(chan *Conn, 1)
	release := make(chan struct{})
	url := serve(t, reg, "/t", Options{MaxUnsent: 4096}, func(c *Conn, r *http.Request) {
		got <- c
		<-release
	})
	t.Cleanup(func() { close(release) })
	ws, ctx := dial(t, url)
	ws.SetReadLimit(1 << 20)
	c := <-got
	if c.WriteBlocked() {
		t.Fatal("a fresh socket reports its writes blocked")
	}
	// Write until the peer's kernel and ours are full: a writer goroutine
	// that the peer does not read from.
	frame := bytes.Repeat([]byte("x"), 8<<10)
	go func() {
		for ctx.Err() == nil && c.Write(ctx, websocket.MessageBinary, frame) == nil {
		}
	}()
	testkit.Eventually(t, 10*time.Second, "writes blocked by a peer that reads nothing", c.WriteBlocked)
	// The peer reads: the socket takes output again.
	rctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		for rctx.Err() == nil {
			if _, _, err := ws.Read(rctx); err != nil {
				return
			}
		}
	}()
	testkit.Eventually(t, 10*time.Second, "writes unblocked once the peer reads", func() bool { return !c.WriteBlocked() || ctx.Err() != nil })
}
