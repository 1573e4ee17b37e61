package testkit

import (
	"bufio"
	"crypto/rand"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"socketlab/server/wsframe"
)

// RawConn is a WebSocket client written out by hand, so that a test can
// send what no well-behaved library would: unmasked frames, oversized
// control frames, broken fragmentation, bad handshakes, frames that do not
// wait for the 101. Its frames go through wsframe.Frame, the writer the
// conformance suite uses too.
type RawConn struct {
	t testing.TB
	// Conn is the TCP connection, for what a test does beneath frames
	// (half a header, a close without a word).
	Conn net.Conn
	// R reads what the server sent, the handshake response first.
	R *bufio.Reader
	// Reason is the reason of the close frame CloseCode read.
	Reason string
}

// Dropped is what CloseCode returns when the server ended the connection
// without a close frame.
const Dropped = -1

// rawDeadline bounds every raw connection, so that a server that never
// answers fails the test instead of hanging it.
const rawDeadline = 10 * time.Second

// RawDial opens a TCP connection to addr; nothing is sent yet.
func RawDial(t testing.TB, addr string) *RawConn {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	c.SetDeadline(time.Now().Add(rawDeadline))
	return &RawConn{t: t, Conn: c, R: bufio.NewReader(c)}
}

// RawHandshake dials addr, sends an upgrade request for path with the
// given header lines (the defaults of a good request are filled in unless
// overridden; an empty value removes one) and returns the HTTP status.
func RawHandshake(t testing.TB, addr, path string, headers map[string]string) (*RawConn, int) {
	t.Helper()
	r := RawDial(t, addr)
	r.SendUpgrade(path, headers, nil)
	return r, r.ReadUpgrade()
}

// DialRaw completes a good handshake to path, failing the test otherwise.
func DialRaw(t testing.TB, addr, path string) *RawConn {
	t.Helper()
	r, status := RawHandshake(t, addr, path, nil)
	if status != http.StatusSwitchingProtocols {
		t.Fatalf("handshake to %s: HTTP %d", path, status)
	}
	return r
}

// SendUpgrade writes an upgrade request for path (see RawHandshake for
// headers), followed at once by early: frames that do not wait for the
// server's answer.
func (r *RawConn) SendUpgrade(path string, headers map[string]string, early []byte) {
	r.t.Helper()
	key := make([]byte, 16)
	rand.Read(key)
	h := map[string]string{
		"Host":                  r.Conn.RemoteAddr().String(),
		"Upgrade":               "websocket",
		"Connection":            "Upgrade",
		"Sec-WebSocket-Key":     base64.StdEncoding.EncodeToString(key),
		"Sec-WebSocket-Version": "13",
	}
	for k, v := range headers {
		h[k] = v
	}
	var b strings.Builder
	fmt.Fprintf(&b, "GET %s HTTP/1.1\r\n", path)
	for k, v := range h {
		if v != "" {
			fmt.Fprintf(&b, "%s: %s\r\n", k, v)
		}
	}
	b.WriteString("\r\n")
	if _, err := r.Conn.Write(append([]byte(b.String()), early...)); err != nil {
		r.t.Fatal(err)
	}
}

// ReadUpgrade reads the server's answer to SendUpgrade and returns its
// status (101 when the socket is open).
func (r *RawConn) ReadUpgrade() int {
	r.t.Helper()
	resp, err := http.ReadResponse(r.R, nil)
	if err != nil {
		r.t.Fatalf("reading handshake response: %v", err)
	}
	if resp.StatusCode != http.StatusSwitchingProtocols {
		resp.Body.Close()
	}
	return resp.StatusCode
}

// rawKey is the masking key of every frame WriteFrame sends: a fixed one,
// so that a failing test's bytes are the same each run.
const rawKey = 0x12345678

// WriteFrame sends one frame. Client frames must be masked; mask=false
// breaks that rule on purpose. A write error is logged, not fatal: the
// server may have closed on an earlier frame, and the test reads the close
// that says why.
func (r *RawConn) WriteFrame(fin bool, rsv, op byte, payload []byte, mask bool) {
	r.t.Helper()
	f := wsframe.Frame{Fin: fin, RSV: rsv, Op: op, Masked: mask, Key: rawKeyBytes(), Payload: payload}
	if _, err := r.Conn.Write(f.Append(nil)); err != nil {
		r.t.Logf("write: %v", err)
	}
}

// WriteHeaderOnly sends a masked frame header that announces length bytes
// without sending them: enough for the server to refuse an oversized
// frame.
func (r *RawConn) WriteHeaderOnly(op byte, length uint64) {
	hdr := binary.BigEndian.AppendUint64([]byte{0x80 | op, 0x80 | 127}, length)
	key := rawKeyBytes()
	r.Conn.Write(append(hdr, key[:]...))
}

// ReadFrame reads one server frame (of at most 16 MiB).
func (r *RawConn) ReadFrame() (op byte, payload []byte, err error) {
	f, err := wsframe.ReadFrame(r.R, 16<<20)
	return f.Op, f.Payload, err
}

// CloseCode reads frames until the server's close frame, answers it as
// RFC 6455 asks (so the server's closing handshake completes instead of
// waiting for us) and returns its code, with its reason in Reason: 1005
// for a close without a code, Dropped if the connection ended without one.
func (r *RawConn) CloseCode() int {
	r.t.Helper()
	for {
		op, p, err := r.ReadFrame()
		if err != nil {
			return Dropped
		}
		if op == wsframe.OpClose {
			r.WriteFrame(true, 0, wsframe.OpClose, p, true)
			if len(p) < 2 {
				return 1005
			}
			r.Reason = string(p[2:])
			return int(binary.BigEndian.Uint16(p))
		}
	}
}

// rawKeyBytes is rawKey as the four bytes a frame carries.
func rawKeyBytes() [4]byte {
	var k [4]byte
	binary.BigEndian.PutUint32(k[:], rawKey)
	return k
}
