package conformance

import (
	"bufio"
	"bytes"
	"compress/flate"
	"crypto/rand"
	"crypto/sha1"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"

	"socketlab/server/wsframe"
)

// Opcodes (RFC 6455 section 5.2), named as the cases use them.
const (
	OpCont  = wsframe.OpContinuation
	OpText  = wsframe.OpText
	OpBin   = wsframe.OpBinary
	OpClose = wsframe.OpClose
	OpPing  = wsframe.OpPing
	OpPong  = wsframe.OpPong
)

// Frame is one frame as the client sends it, with every field settable so
// that a case can break any rule.
type Frame struct {
	Fin bool
	RSV byte // the three reserved bits, RSV1 = 4
	Op  byte
	// Payload is the payload as it goes on the wire (compressed, for a
	// compressed message).
	Payload []byte
	// Unmasked sends the frame without a mask, which a client must not.
	Unmasked bool
	// Key is the mask key; a random one when nil.
	Key []byte
	// Len16 and Len64 force a longer length encoding than the payload
	// needs, which RFC 6455 forbids ("the minimal number of bytes").
	Len16, Len64 bool
	// LenMSB sets the most significant bit of a 64-bit length, which
	// RFC 6455 forbids.
	LenMSB bool
	// Plain is, for the first frame of a compressed message, the whole
	// message uncompressed: what the model checks and expects back.
	Plain []byte
}

// encode returns the frame's bytes, written by the one raw-frame writer
// (server/wsframe).
func (f Frame) encode() []byte {
	w := wsframe.Frame{Fin: f.Fin, RSV: f.RSV, Op: f.Op, Masked: !f.Unmasked, Len16: f.Len16, Len64: f.Len64, LenMSB: f.LenMSB, Payload: f.Payload}
	if f.Key != nil {
		copy(w.Key[:], f.Key)
	} else {
		rand.Read(w.Key[:])
	}
	return w.Append(nil)
}

// Client is one raw WebSocket connection to the server under test.
type Client struct {
	nc      net.Conn
	br      *bufio.Reader
	Deflate bool   // permessage-deflate was negotiated
	Agreed  string // the server's Sec-WebSocket-Extensions
}

// Dial connects to addr and performs the opening handshake for path,
// offering the extensions given (none when empty).
func Dial(addr, path, extensions string, deadline time.Time) (*Client, error) {
	nc, err := net.DialTimeout("tcp", addr, time.Until(deadline))
	if err != nil {
		return nil, fmt.Errorf("dial %s: %w", addr, err)
	}
	nc.SetDeadline(deadline)
	key := make([]byte, 16)
	rand.Read(key)
	k := base64.StdEncoding.EncodeToString(key)
	req := "GET " + path + " HTTP/1.1\r\nHost: " + addr + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
		"Sec-WebSocket-Key: " + k + "\r\nSec-WebSocket-Version: 13\r\n"
	if extensions != "" {
		req += "Sec-WebSocket-Extensions: " + extensions + "\r\n"
	}
	if _, err := io.WriteString(nc, req+"\r\n"); err != nil {
		nc.Close()
		return nil, fmt.Errorf("handshake: %w", err)
	}
	br := bufio.NewReader(nc)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		nc.Close()
		return nil, fmt.Errorf("handshake response: %w", err)
	}
	if resp.StatusCode != http.StatusSwitchingProtocols {
		nc.Close()
		return nil, fmt.Errorf("handshake: %s", resp.Status)
	}
	sum := sha1.Sum([]byte(k + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"))
	if resp.Header.Get("Sec-WebSocket-Accept") != base64.StdEncoding.EncodeToString(sum[:]) {
		nc.Close()
		return nil, errors.New("handshake: wrong Sec-WebSocket-Accept")
	}
	c := &Client{nc: nc, br: br, Agreed: resp.Header.Get("Sec-WebSocket-Extensions")}
	c.Deflate = strings.Contains(c.Agreed, "permessage-deflate")
	return c, nil
}

// Close closes the TCP connection.
func (c *Client) Close() error { return c.nc.Close() }

// Write sends bytes in pieces of chop bytes (all at once when chop is 0),
// waiting pause between pieces: the slow and chopped writes of a case.
func (c *Client) Write(b []byte, chop int, pause time.Duration) error {
	if chop <= 0 {
		chop = len(b)
	}
	for len(b) > 0 {
		n := min(chop, len(b))
		if _, err := c.nc.Write(b[:n]); err != nil {
			return err
		}
		b = b[n:]
		if pause > 0 && len(b) > 0 {
			time.Sleep(pause) // the input's own timing, not synchronisation
		}
	}
	return nil
}

// Received is one frame from the server.
type Received struct {
	Fin     bool
	RSV     byte
	Op      byte
	Payload []byte
	Masked  bool
}

// ReadFrame reads one server frame (of at most 64 MiB).
func (c *Client) ReadFrame() (Received, error) {
	f, err := wsframe.ReadFrame(c.br, 64<<20)
	return Received{Fin: f.Fin, RSV: f.RSV, Op: f.Op, Payload: f.Payload, Masked: f.Masked}, err
}

// WaitEnd reads until the server closes TCP and reports how: "EOF", or
// the error (a reset, a timeout), and how many bytes came meanwhile.
func (c *Client) WaitEnd() (string, int) {
	n, err := io.Copy(io.Discard, c.br)
	switch {
	case err == nil:
		return "EOF", int(n)
	case errors.Is(err, net.ErrClosed):
		return "closed", int(n)
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return "timeout", int(n)
	}
	if strings.Contains(err.Error(), "reset") {
		return "reset", int(n)
	}
	return err.Error(), int(n)
}

// deflate compresses one message as permessage-deflate does: a raw
// DEFLATE stream flushed and without its final 00 00 ff ff.
func deflate(p []byte) []byte {
	var b bytes.Buffer
	w, _ := flate.NewWriter(&b, flate.BestSpeed)
	w.Write(p)
	w.Flush()
	return bytes.TrimSuffix(b.Bytes(), []byte{0, 0, 0xff, 0xff})
}

// inflate undoes deflate for one message (no context takeover).
func inflate(p []byte) ([]byte, error) {
	r := flate.NewReader(io.MultiReader(bytes.NewReader(p), bytes.NewReader([]byte{0, 0, 0xff, 0xff, 1, 0, 0, 0xff, 0xff})))
	out, err := io.ReadAll(r)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) {
		return out, err
	}
	return out, nil
}
