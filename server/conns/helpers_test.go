package conns

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// serve runs handle on every socket that reg accepts, as endpoint, on a
// test server, and returns the server's ws:// URL.
func serve(t *testing.T, reg *Registry, endpoint string, opts Options, handle func(c *Conn, r *http.Request)) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := reg.Accept(w, r, endpoint, opts)
		if err != nil {
			return
		}
		handle(c, r)
	}))
	t.Cleanup(srv.Close)
	return "ws" + strings.TrimPrefix(srv.URL, "http")
}

// dial opens a client socket to url and returns it with the test's
// deadline, 10 s from now.
func dial(t *testing.T, url string) (*websocket.Conn, context.Context) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	ws, _, err := websocket.Dial(ctx, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ws.CloseNow() })
	return ws, ctx
}

// rawUpgrade is a client written by hand, for what the library would not
// do: it sends the upgrade request to url, followed at once by early (frames
// that do not wait for the 101), and reads nothing.
func rawUpgrade(t *testing.T, url string, early []byte) (net.Conn, *bufio.Reader) {
	t.Helper()
	return rawUpgradePath(t, url, "/", early)
}

// rawUpgradePath is rawUpgrade to a path (and query) of the server.
func rawUpgradePath(t *testing.T, url, path string, early []byte) (net.Conn, *bufio.Reader) {
	t.Helper()
	addr := strings.TrimPrefix(url, "ws://")
	nc, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { nc.Close() })
	nc.SetDeadline(time.Now().Add(10 * time.Second))
	req := "GET " + path + " HTTP/1.1\r\nHost: " + addr + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
		"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
	if _, err := nc.Write(append([]byte(req), early...)); err != nil {
		t.Fatal(err)
	}
	return nc, bufio.NewReader(nc)
}

// switched reads the server's answer to rawUpgrade and fails unless it is
// 101 Switching Protocols.
func switched(t *testing.T, br *bufio.Reader) {
	t.Helper()
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusSwitchingProtocols {
		t.Fatalf("handshake: %s", resp.Status)
	}
}

// clientFrame encodes a final client frame of opcode with a payload under
// 126 bytes, masked with mask as RFC 6455 requires of clients.
func clientFrame(opcode byte, payload []byte, mask [4]byte) []byte {
	f := []byte{0x80 | opcode, 0x80 | byte(len(payload)), mask[0], mask[1], mask[2], mask[3]}
	for i, b := range payload {
		f = append(f, b^mask[i%4])
	}
	return f
}

// serverFrame reads one server frame with a payload under 126 bytes: its
// first header byte (FIN and opcode) and its payload.
func serverFrame(t *testing.T, br *bufio.Reader) (byte, []byte) {
	t.Helper()
	head := make([]byte, 2)
	if _, err := io.ReadFull(br, head); err != nil {
		t.Fatal(err)
	}
	payload := make([]byte, head[1]&0x7f)
	if _, err := io.ReadFull(br, payload); err != nil {
		t.Fatal(err)
	}
	return head[0], payload
}
