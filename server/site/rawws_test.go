package site

import (
	"bufio"
	"crypto/rand"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// rawConn is a WebSocket client written out by hand, so that the tests can
// send what no well-behaved library would: unmasked frames, oversized
// control frames, broken fragmentation, bad handshakes.
type rawConn struct {
	t  *testing.T
	c  net.Conn
	br *bufio.Reader
	// reason is the reason of the close frame closeCode read.
	reason string
}

const (
	opCont  = 0x0
	opText  = 0x1
	opBin   = 0x2
	opClose = 0x8
	opPing  = 0x9
	opPong  = 0xA
)

// rawHandshake sends an upgrade request with the given header lines
// (defaults are filled in unless overridden with an empty value) and returns
// the HTTP status.
func rawHandshake(t *testing.T, addr, path string, headers map[string]string) (*rawConn, int) {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	c.SetDeadline(time.Now().Add(10 * time.Second))
	key := make([]byte, 16)
	rand.Read(key)
	h := map[string]string{
		"Host":                  addr,
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
	if _, err := io.WriteString(c, b.String()); err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(c)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatalf("reading handshake response: %v", err)
	}
	if resp.StatusCode != http.StatusSwitchingProtocols {
		resp.Body.Close()
	}
	return &rawConn{t: t, c: c, br: br}, resp.StatusCode
}

// dialRaw completes a good handshake.
func dialRaw(t *testing.T, addr, path string) *rawConn {
	t.Helper()
	rc, status := rawHandshake(t, addr, path, nil)
	if status != http.StatusSwitchingProtocols {
		t.Fatalf("handshake to %s: HTTP %d", path, status)
	}
	return rc
}

// writeFrame sends one frame. Client frames must be masked; mask=false
// breaks that rule on purpose.
func (r *rawConn) writeFrame(fin bool, rsv, op byte, payload []byte, mask bool) {
	r.t.Helper()
	var hdr []byte
	b0 := op | rsv<<4
	if fin {
		b0 |= 0x80
	}
	hdr = append(hdr, b0)
	m := byte(0)
	if mask {
		m = 0x80
	}
	switch n := len(payload); {
	case n <= 125:
		hdr = append(hdr, m|byte(n))
	case n <= 0xFFFF:
		hdr = append(hdr, m|126, byte(n>>8), byte(n))
	default:
		hdr = append(hdr, m|127)
		hdr = binary.BigEndian.AppendUint64(hdr, uint64(n))
	}
	body := append([]byte(nil), payload...)
	if mask {
		key := []byte{0x12, 0x34, 0x56, 0x78}
		hdr = append(hdr, key...)
		for i := range body {
			body[i] ^= key[i%4]
		}
	}
	if _, err := r.c.Write(append(hdr, body...)); err != nil {
		// The server may already have closed on an earlier frame; the
		// test reads the close that explains why.
		r.t.Logf("write: %v", err)
	}
}

// writeHeaderOnly sends a frame header that announces length bytes without
// sending them: enough for the server to refuse an oversized frame.
func (r *rawConn) writeHeaderOnly(op byte, length uint64) {
	hdr := []byte{0x80 | op, 0x80 | 127}
	hdr = binary.BigEndian.AppendUint64(hdr, length)
	hdr = append(hdr, 1, 2, 3, 4)
	r.c.Write(hdr)
}

// readFrame reads one server frame.
func (r *rawConn) readFrame() (op byte, payload []byte, err error) {
	var h [2]byte
	if _, err = io.ReadFull(r.br, h[:]); err != nil {
		return 0, nil, err
	}
	op = h[0] & 0x0F
	n := uint64(h[1] & 0x7F)
	switch n {
	case 126:
		var b [2]byte
		if _, err = io.ReadFull(r.br, b[:]); err != nil {
			return
		}
		n = uint64(binary.BigEndian.Uint16(b[:]))
	case 127:
		var b [8]byte
		if _, err = io.ReadFull(r.br, b[:]); err != nil {
			return
		}
		n = binary.BigEndian.Uint64(b[:])
	}
	payload = make([]byte, n)
	_, err = io.ReadFull(r.br, payload)
	return op, payload, err
}

// dropped is what closeCode returns when the server cut the connection
// without a close frame.
const dropped = -1

// closeCode reads frames until the server's close frame and returns its
// code; -1 if the connection ended without one.
func (r *rawConn) closeCode() int {
	r.t.Helper()
	for {
		op, p, err := r.readFrame()
		if err != nil {
			return -1
		}
		if op == opClose {
			// Answer as RFC 6455 asks, so the server's close handshake
			// completes instead of waiting for us.
			r.writeFrame(true, 0, opClose, p, true)
			if len(p) < 2 {
				return 1005
			}
			r.reason = string(p[2:])
			return int(binary.BigEndian.Uint16(p))
		}
	}
}

// closePayload builds a close frame payload.
func closePayload(code int, reason string) []byte {
	return append(binary.BigEndian.AppendUint16(nil, uint16(code)), reason...)
}

func bufioReader(c net.Conn) *bufio.Reader { return bufio.NewReader(c) }
