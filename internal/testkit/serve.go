package testkit

import (
	"context"
	"fmt"
	"net"
	"sync"
	"testing"
	"time"
)

// Server is what Serve runs: anything that serves on a listener until its
// context ends, then shuts down gracefully (server/site's *Server).
type Server interface {
	Serve(ctx context.Context, ln net.Listener) error
}

// stopWithin bounds a graceful shutdown: a server that does not stop in
// this time has a bug the test should report, not wait out.
const stopWithin = 30 * time.Second

// Serving is a Server running on a loopback port of its own.
type Serving struct {
	// Addr is host:port, e.g. 127.0.0.1:41234.
	Addr string
	stop func() error
}

// Serve runs srv on a free loopback port until the test ends (or Stop),
// and fails the test if its shutdown reports an error.
func Serve(t testing.TB, srv Server) *Serving {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &Serving{Addr: ln.Addr().String()}
	s.run(ln, srv)
	t.Cleanup(func() {
		if err := s.Stop(); err != nil {
			t.Errorf("server shutdown: %v", err)
		}
	})
	return s
}

// URL is the server's http:// URL, with path appended.
func (s *Serving) URL(path string) string { return "http://" + s.Addr + path }

// WS is the server's ws:// URL, with path appended.
func (s *Serving) WS(path string) string { return "ws://" + s.Addr + path }

// Stop shuts the server down as SIGTERM would (its context ends) and
// returns Serve's error. It runs once per start: later calls return the
// same error.
func (s *Serving) Stop() error { return s.stop() }

// Restart stops the server if it runs and serves srv on the same address,
// as a restarted process would. The port is released asynchronously, so
// listening is retried for a few seconds.
func (s *Serving) Restart(t testing.TB, srv Server) {
	t.Helper()
	if err := s.Stop(); err != nil {
		t.Errorf("server shutdown: %v", err)
	}
	var ln net.Listener
	err := Poll(5*time.Second, func() (err error) {
		ln, err = net.Listen("tcp", s.Addr)
		return err
	})
	if err != nil {
		t.Fatalf("restart on %s: %v", s.Addr, err)
	}
	s.run(ln, srv)
}

func (s *Serving) run(ln net.Listener, srv Server) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, ln) }()
	s.stop = sync.OnceValue(func() error {
		cancel()
		select {
		case err := <-done:
			return err
		case <-time.After(stopWithin):
			return fmt.Errorf("server on %s did not stop within %v", s.Addr, stopWithin)
		}
	})
}
