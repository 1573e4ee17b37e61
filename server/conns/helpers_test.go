package conns

import (
	"bufio"
	"context"
	"net"
	"net/http"
	"strings"
	"testing"

	"socketlab/internal/testkit"
	"socketlab/server/wsframe"

	"github.com/coder/websocket"
)

// serve runs handle on every socket that reg accepts, as endpoint, on a
// test server, and returns the server's ws:// URL.
func serve(t *testing.T, reg *Registry, endpoint string, opts Options, handle func(c *Conn, r *http.Request)) string {
	t.Helper()
	return testkit.ServeHTTP(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := reg.Accept(w, r, endpoint, opts)
		if err != nil {
			return
		}
		handle(c, r)
	}))
}

// dial opens a client socket to url and returns it with the test's
// deadline.
func dial(t *testing.T, url string) (*websocket.Conn, context.Context) {
	t.Helper()
	return testkit.Dial(t, url, nil)
}

// rawUpgrade is a client written by hand (the kit's), for what the library
// would not do: it sends the upgrade request to url, followed at once by
// early (frames that do not wait for the 101), and reads nothing.
func rawUpgrade(t *testing.T, url string, early []byte) (net.Conn, *bufio.Reader) {
	t.Helper()
	return rawUpgradePath(t, url, "/", early)
}

// rawUpgradePath is rawUpgrade to a path (and query) of the server.
func rawUpgradePath(t *testing.T, url, path string, early []byte) (net.Conn, *bufio.Reader) {
	t.Helper()
	r := testkit.RawDial(t, strings.TrimPrefix(url, "ws://"))
	r.SendUpgrade(path, nil, early)
	return r.Conn, r.R
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

// clientFrame encodes a final client frame of opcode, masked with mask as
// RFC 6455 requires of clients.
func clientFrame(opcode byte, payload []byte, mask [4]byte) []byte {
	return wsframe.Frame{Fin: true, Op: opcode, Masked: true, Key: mask, Payload: payload}.Append(nil)
}

// serverFrame reads one server frame: its first header byte (FIN, RSV and
// opcode) and its payload.
func serverFrame(t *testing.T, br *bufio.Reader) (byte, []byte) {
	t.Helper()
	f, err := wsframe.ReadFrame(br, 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	head := f.Op | f.RSV<<4
	if f.Fin {
		head |= 0x80
	}
	return head, f.Payload
}
