package conns

import (
	"io"
	"net"
	"strings"
	"testing"
	"time"
)

func TestAsksForTap(t *testing.T) {
	for line, want := range map[string]bool{
		"GET /ws/wire?tap=abc HTTP/1.1":         true,
		"GET /ws/chat?x=1&tap=abc HTTP/1.1":     true,
		"GET /ws/chat?tap HTTP/1.1":             true,
		"GET /ws/chat HTTP/1.1":                 false,
		"GET /ws/chat?notap=1 HTTP/1.1":         false,
		"GET /tap=1 HTTP/1.1":                   false,
		"POST /ws/wire?tap=abc HTTP/1.1":        false,
		"GET /ws/wire/watch?id=abc HTTP/1.1":    false,
		"\x16\x03\x01 TLS looks like this":      false,
		"GET /ws/casefold?x=tap%3D1 HTTP/1.1":   false,
		"GET /ws/casefold?x=1&tap=2&y HTTP/1.1": true,
	} {
		if got := asksForTap(line); got != want {
			t.Errorf("asksForTap(%q) = %v, want %v", line, got, want)
		}
	}
}

// pipeConn is a headConn over one end of a pipe, with the other end
// answering as a test says.
func headPipe(t *testing.T) (*headConn, net.Conn) {
	t.Helper()
	a, b := net.Pipe()
	t.Cleanup(func() { a.Close(); b.Close() })
	a.SetDeadline(time.Now().Add(5 * time.Second))
	b.SetDeadline(time.Now().Add(5 * time.Second))
	return &headConn{Conn: a}, b
}

// exchange sends req from the client end, reads it on the server end in
// small pieces (as TCP may deliver it), and writes resp back.
func exchange(t *testing.T, hc *headConn, peer net.Conn, req, resp string) {
	t.Helper()
	go peer.Write([]byte(req))
	buf := make([]byte, 7)
	got := 0
	for got < len(req) {
		n, err := hc.Read(buf)
		if err != nil {
			t.Fatal(err)
		}
		got += n
	}
	go func() { b := make([]byte, len(resp)); peer.Read(b) }()
	if _, err := hc.Write([]byte(resp)); err != nil {
		t.Fatal(err)
	}
}

func TestHeadConnRecordsATapUpgrade(t *testing.T) {
	hc, peer := headPipe(t)
	req := "GET /ws/wire?tap=abc HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n\r\n\x81\x80"
	resp := "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n"
	exchange(t, hc, peer, req, resp)
	in, out := hc.take()
	if string(in) != req || string(out) != resp {
		t.Fatalf("recorded %q / %q", in, out)
	}
	// Taken: nothing more is kept.
	if hc.state.Load() != headOff || hc.in != nil {
		t.Fatal("still recording after take")
	}
}

func TestHeadConnKeepsNothingOtherwise(t *testing.T) {
	for name, c := range map[string]struct{ req, resp string }{
		"no tap":        {"GET /ws/chat HTTP/1.1\r\nHost: x\r\n\r\n", "HTTP/1.1 101 Switching Protocols\r\n\r\n"},
		"a page":        {"GET /wire?tap=abc HTTP/1.1\r\nHost: x\r\n\r\n", "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"},
		"no line break": {"GET /ws/wire?tap=" + strings.Repeat("a", maxRequestLine), "HTTP/1.1 414 URI Too Long\r\n\r\n"},
	} {
		t.Run(name, func(t *testing.T) {
			hc, peer := headPipe(t)
			exchange(t, hc, peer, c.req, c.resp)
			if in, out := hc.take(); in != nil || out != nil || hc.in != nil || hc.out != nil {
				t.Fatalf("kept %d and %d bytes", len(in), len(out))
			}
		})
	}
}

// TestHeadConnKeepsTCPMethods: net/http's graceful close (CloseWrite) and
// sendfile (ReadFrom) still reach the TCP connection through the recorder.
func TestHeadConnKeepsTCPMethods(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	rec := RecordHeads(ln)
	go func() {
		c, err := net.Dial("tcp", ln.Addr().String())
		if err == nil {
			io.Copy(io.Discard, c) // until the server half-closes
			c.Write([]byte("done"))
			c.Close()
		}
	}()
	c, err := rec.Accept()
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	hc := c.(*headConn)
	hc.state.Store(headOff)
	if n, err := hc.ReadFrom(strings.NewReader("body")); n != 4 || err != nil {
		t.Fatalf("ReadFrom: %d, %v", n, err)
	}
	if err := hc.CloseWrite(); err != nil {
		t.Fatal(err)
	}
	// The peer saw the end of our output, and can still answer.
	if b, err := io.ReadAll(hc); string(b) != "done" {
		t.Fatalf("after CloseWrite: %q, %v", b, err)
	}
}
