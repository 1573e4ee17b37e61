package site

import (
	"io"
	"net"
	"testing"
	"time"
)

// TestShutdownClosesUnusedConnections opens a connection that sends nothing,
// as a browser's speculative preconnect does, and shuts the server down:
// the shutdown must succeed within its bound (net/http alone waits five
// seconds for such a connection, past the bound of two set here), and the
// unused connection must be closed.
func TestShutdownClosesUnusedConnections(t *testing.T) {
	s := startSite(t, Config{ShutdownTimeout: 2 * time.Second})

	idle, err := net.Dial("tcp", s.Addr)
	if err != nil {
		t.Fatal(err)
	}
	defer idle.Close()
	// A request served on another connection proves the server has
	// accepted (and so is tracking) the first one by now: it accepts in
	// order.
	resp, _ := get(t, "http://"+s.Addr+"/healthz")
	if resp.StatusCode != 200 {
		t.Fatalf("/healthz = %d", resp.StatusCode)
	}

	if err := s.Stop(); err != nil {
		t.Fatalf("shutdown with an unused connection open: %v", err)
	}
	idle.SetReadDeadline(time.Now().Add(5 * time.Second))
	if n, err := idle.Read(make([]byte, 1)); err != io.EOF {
		t.Fatalf("the unused connection read %d bytes, %v; want it closed (EOF)", n, err)
	}
}
