//go:build linux || darwin || freebsd

package conns

import (
	"bytes"
	"errors"
	"io"
	"net"
	"testing"
	"time"
)

// tcpPair is a loopback TCP connection: the dialled end and the accepted one.
func tcpPair(t *testing.T) (client, server *net.TCPConn) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	accepted := make(chan net.Conn, 1)
	go func() {
		c, _ := ln.Accept()
		accepted <- c
	}()
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	s := <-accepted
	if s == nil {
		t.Fatal("accept failed")
	}
	t.Cleanup(func() { c.Close(); s.Close() })
	return c.(*net.TCPConn), s.(*net.TCPConn)
}

// corkedSmallTCP is a corkConn over a real socket, with the no-wait flush
// on, and its peer. Both ends' kernel buffers are small, so that a batch
// does not fit in them.
func corkedSmallTCP(t *testing.T) (*corkConn, *net.TCPConn) {
	t.Helper()
	peer, nc := tcpPair(t)
	peer.SetReadBuffer(4096)
	if err := limitUnsent(nc, 4096); err != nil {
		t.Fatal(err)
	}
	raw, err := nc.SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	return &corkConn{Conn: nc, raw: raw}, peer
}

// A batch bigger than the socket takes at once goes out whole and in
// order: the no-wait write sends what fits and the waiting write the rest.
func TestCorkFlushToAFullSocketSendsEverything(t *testing.T) {
	c, peer := corkedSmallTCP(t)
	var want bytes.Buffer
	for i := range 3000 {
		want.WriteString("frame ")
		want.WriteByte(byte('a' + i%26))
		want.WriteString(" 0123456789abcdefghijklmnopqrstuvwxyz\n")
	}
	got := make(chan []byte, 1)
	go func() {
		b, _ := io.ReadAll(io.LimitReader(peer, int64(want.Len())))
		got <- b
	}()
	c.cork(10 * time.Second)
	for line := range bytes.Lines(want.Bytes()) {
		if _, err := c.Write(line); err != nil {
			t.Fatal(err)
		}
	}
	if err := c.uncork(); err != nil {
		t.Fatal(err)
	}
	if b := <-got; !bytes.Equal(b, want.Bytes()) {
		t.Fatalf("the peer read %d bytes, want the %d written, in order", len(b), want.Len())
	}
	// No deadline is left behind for the writes that follow.
	if _, err := c.Write([]byte("after")); err != nil {
		t.Fatalf("an uncorked write after the flush: %v", err)
	}
}

// A peer that reads nothing still fails the flush within the cork's
// timeout: the part that must wait has the deadline.
func TestCorkFlushToAStuckPeerTimesOut(t *testing.T) {
	c, _ := corkedSmallTCP(t)
	c.cork(300 * time.Millisecond)
	chunk := bytes.Repeat([]byte("x"), 16<<10)
	start := time.Now()
	var err error
	for i := 0; i < 1000 && err == nil; i++ {
		_, err = c.Write(chunk) // flushes every 64 KiB
	}
	if err == nil {
		err = c.uncork()
	}
	if err == nil {
		t.Fatal("16 MB corked to a peer that never reads: no error")
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("the flush failed after %s, want about the 300ms timeout", d)
	}
	var ne net.Error
	if !errors.As(err, &ne) || !ne.Timeout() {
		t.Fatalf("err = %v, want a timeout", err)
	}
}
