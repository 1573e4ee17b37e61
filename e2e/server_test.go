package e2e

import (
	"bytes"
	"context"
	"log/slog"
	"net"
	"sync"
	"testing"
	"time"

	"socketlab/server/site"
)

// testServer is a socketlab server running inside the test process, on a
// port of its own. Its log goes to a buffer that becomes an artifact on
// failure.
type testServer struct {
	t    *testing.T
	cfg  site.Config
	addr string
	URL  string
	log  *syncBuffer
	site *site.Server // the running server, replaced by Start

	cancel context.CancelFunc
	done   chan error
}

// syncBuffer is a bytes.Buffer safe for the server's concurrent log writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// startServer runs a server with cfg on a free loopback port and stops it
// when the test ends.
func startServer(t *testing.T, cfg site.Config) *testServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &testServer{t: t, cfg: cfg, addr: ln.Addr().String(), log: &syncBuffer{}}
	s.URL = "http://" + s.addr
	s.serve(ln)
	t.Cleanup(func() {
		s.Stop()
		if t.Failed() {
			writeArtifact(t, "server.log", []byte(s.log.String()))
		}
	})
	return s
}

func (s *testServer) serve(ln net.Listener) {
	s.t.Helper()
	cfg := s.cfg
	cfg.Log = slog.New(slog.NewTextHandler(s.log, &slog.HandlerOptions{Level: slog.LevelDebug}))
	srv, err := site.New(cfg)
	if err != nil {
		ln.Close()
		s.t.Fatal(err)
	}
	s.site = srv
	ctx, cancel := context.WithCancel(context.Background())
	s.cancel, s.done = cancel, make(chan error, 1)
	go func() { s.done <- srv.Serve(ctx, ln) }()
}

// Stop shuts the server down gracefully, as SIGTERM would, and waits for it.
func (s *testServer) Stop() {
	if s.cancel == nil {
		return
	}
	s.cancel()
	s.cancel = nil
	select {
	case err := <-s.done:
		if err != nil {
			s.t.Errorf("server shutdown: %v", err)
		}
	case <-time.After(10 * time.Second):
		s.t.Error("server did not stop within 10s")
	}
}

// Start starts the server again on the same address, as a restarted process
// would.
func (s *testServer) Start() {
	s.t.Helper()
	var ln net.Listener
	var err error
	for deadline := time.Now().Add(5 * time.Second); ; {
		if ln, err = net.Listen("tcp", s.addr); err == nil || time.Now().After(deadline) {
			break
		}
		time.Sleep(50 * time.Millisecond) // the port is released asynchronously
	}
	if err != nil {
		s.t.Fatalf("restart on %s: %v", s.addr, err)
	}
	s.serve(ln)
}
