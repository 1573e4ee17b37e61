package conns

import (
	"context"
	"encoding/binary"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"socketlab/internal/testkit"

	"github.com/coder/websocket"
)

// echoServer serves an echo handler through a registry.
func echoServer(t *testing.T, reg *Registry) string {
	t.Helper()
	return serve(t, reg, "/echo", Options{}, func(c *Conn, r *http.Request) {
		for {
			// As the chat does: wait, then read. Every test through this
			// server exercises WaitReadable too.
			if err := c.WaitReadable(); err != nil {
				c.Finish(err)
				return
			}
			typ, b, err := c.Read(r.Context())
			if err != nil {
				c.Finish(err)
				return
			}
			if err := c.Write(r.Context(), typ, b); err != nil {
				c.Finish(err)
				return
			}
		}
	})
}

func TestMaxConns(t *testing.T) {
	reg := NewRegistry(slog.New(slog.NewTextHandler(io.Discard, nil)))
	reg.MaxConns = 2
	url := echoServer(t, reg)
	ctx := context.Background()
	for range 2 {
		c, _, err := websocket.Dial(ctx, url, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer c.CloseNow()
	}
	_, resp, err := websocket.Dial(ctx, url, nil)
	if err == nil || resp == nil || resp.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("third connection: %v (%v), want 503", err, resp)
	}
}

func TestShutdownClosesWith1001AndLogs(t *testing.T) {
	log := &testkit.LogBuffer{}
	reg := NewRegistry(slog.New(slog.NewTextHandler(log, nil)))
	url := echoServer(t, reg)
	ctx := context.Background()
	c, _, err := websocket.Dial(ctx, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.CloseNow()
	testkit.Eventually(t, 10*time.Second, "registration", func() bool { return reg.Len() == 1 })
	read := make(chan error, 1)
	go func() { _, _, err := c.Read(ctx); read <- err }()
	sctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := reg.Shutdown(sctx); err != nil {
		t.Fatal(err)
	}
	if code := websocket.CloseStatus(<-read); code != websocket.StatusGoingAway {
		t.Fatalf("client saw close %v, want 1001", code)
	}
	if !strings.Contains(log.String(), `msg="ws close" conn=1 endpoint=/echo code=1001`) {
		t.Fatalf("no close line with 1001 in the log:\n%s", log)
	}
	if _, resp, err := websocket.Dial(ctx, url, nil); err == nil || resp.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("dial after shutdown: %v, want 503", err)
	}
}

// TestKeepaliveDropsHalfOpen: a client whose TCP connection is alive but
// which never answers pings (a vanished peer behind a NAT looks like this)
// is dropped.
func TestKeepaliveDropsHalfOpen(t *testing.T) {
	log := &testkit.LogBuffer{}
	reg := NewRegistry(slog.New(slog.NewTextHandler(log, nil)))
	reg.PingEvery, reg.PongTimeout = 50*time.Millisecond, 100*time.Millisecond
	url := echoServer(t, reg)
	// A raw TCP client that completes the handshake and then reads nothing:
	// pings go unanswered.
	rawUpgrade(t, url, nil)
	testkit.Eventually(t, 10*time.Second, "the half-open client to be dropped", func() bool {
		return strings.Contains(log.String(), `reason="no pong"`)
	})
	testkit.Eventually(t, 10*time.Second, "deregistration", func() bool { return reg.Len() == 0 })
}

// TestPeerCloseDuringPing: a peer that closes with 1000 while a keepalive
// ping waits for its pong is logged with its 1000, not as a lost pong.
func TestPeerCloseDuringPing(t *testing.T) {
	log := &testkit.LogBuffer{}
	reg := NewRegistry(slog.New(slog.NewTextHandler(log, nil)))
	reg.PingEvery, reg.PongTimeout = 50*time.Millisecond, 5*time.Second
	url := serve(t, reg, "/echo", Options{}, func(c *Conn, _ *http.Request) {
		for {
			if _, _, err := c.Read(context.Background()); err != nil {
				// A handler takes a moment to wind down (the chat's takes
				// its socket out of its room and waits for its writer):
				// the failed ping is seen first.
				time.Sleep(20 * time.Millisecond)
				c.Finish(err)
				return
			}
		}
	})
	nc, br := rawUpgrade(t, url, nil)
	switched(t, br)
	// Wait for the first ping (opcode 0x9), answer nothing.
	for {
		if head, _ := serverFrame(t, br); head == 0x89 {
			break
		}
	}
	// A close frame, 1000.
	payload := make([]byte, 2)
	binary.BigEndian.PutUint16(payload, 1000)
	nc.Write(clientFrame(0x8, payload, [4]byte{}))
	testkit.Eventually(t, 10*time.Second, "close", func() bool { return reg.Len() == 0 })
	if !strings.Contains(log.String(), "code=1000") || strings.Contains(log.String(), "no pong") {
		t.Fatalf("peer's 1000 not logged:\n%s", log)
	}
}
