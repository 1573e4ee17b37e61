package main

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"os/exec"
	"path/filepath"
	"regexp"
	"syscall"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// startBinary builds and starts the real server process on a free port and
// returns it with its address, read from its "serving" log line.
func startBinary(t *testing.T, args ...string) (*exec.Cmd, string, <-chan error) {
	t.Helper()
	return startBuilt(t, buildBinary(t), args...)
}

// buildBinary builds the server into a temporary directory.
func buildBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "socketlab")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// startBuilt starts bin as startBinary does.
func startBuilt(t *testing.T, bin string, args ...string) (*exec.Cmd, string, <-chan error) {
	t.Helper()
	// Defaults that keep parallel test processes apart: a free port, no
	// plot TCP port, a data directory of its own (a later flag wins).
	cmd := exec.Command(bin, append([]string{"-addr", "127.0.0.1:0", "-plot-addr", "", "-data", t.TempDir()}, args...)...)
	stderr, _ := cmd.StderrPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill() })
	addrc := make(chan string, 1)
	go func() {
		re := regexp.MustCompile(`msg=serving url=https?://(\S+)`)
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			t.Log(sc.Text())
			if m := re.FindStringSubmatch(sc.Text()); m != nil {
				addrc <- m[1]
			}
		}
	}()
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	select {
	case addr := <-addrc:
		return cmd, addr, exited
	case err := <-exited:
		t.Fatalf("server exited at start: %v", err)
	case <-time.After(60 * time.Second):
		t.Fatal("server did not report its address")
	}
	return nil, "", nil
}

// TestSIGTERMClosesSocketsWith1001 sends the real signal to the real process.
func TestSIGTERMClosesSocketsWith1001(t *testing.T) {
	cmd, addr, exited := startBinary(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c, _, err := websocket.Dial(ctx, "ws://"+addr+"/ws/casefold", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.CloseNow()
	read := make(chan error, 1)
	go func() { _, _, err := c.Read(ctx); read <- err }()

	start := time.Now()
	cmd.Process.Signal(syscall.SIGTERM)
	if code := websocket.CloseStatus(<-read); code != websocket.StatusGoingAway {
		t.Fatalf("socket closed with %v, want 1001 going away", code)
	}
	select {
	case err := <-exited:
		if err != nil {
			t.Fatalf("exit after SIGTERM: %v, want status 0", err)
		}
		t.Logf("exited %v after SIGTERM", time.Since(start).Round(time.Millisecond))
	case <-ctx.Done():
		t.Fatal("process still running after SIGTERM")
	}
}

// TestSecondSignalExitsAtOnce: a client that never answers the close
// handshake holds the graceful shutdown; a second signal must not wait.
func TestSecondSignalExitsAtOnce(t *testing.T) {
	cmd, addr, exited := startBinary(t, "-shutdown-timeout", "1m")
	nc, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	io.WriteString(nc, "GET /ws/casefold HTTP/1.1\r\nHost: "+addr+"\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"+
		"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
	br := bufio.NewReader(nc)
	if line, _ := br.ReadString('\n'); line != "HTTP/1.1 101 Switching Protocols\r\n" {
		t.Fatalf("handshake: %q", line)
	}
	cmd.Process.Signal(syscall.SIGTERM)
	// Wait until the server has started the graceful part: the close frame
	// reaches us (and we never answer it).
	nc.SetReadDeadline(time.Now().Add(30 * time.Second))
	for {
		b, err := br.ReadByte()
		if err != nil {
			t.Fatalf("no close frame after SIGTERM: %v", err)
		}
		if b == 0x88 { // FIN + close opcode
			break
		}
	}
	cmd.Process.Signal(syscall.SIGINT)
	select {
	case err := <-exited:
		var ee *exec.ExitError
		if !errorsAs(err, &ee) || ee.ExitCode() != exitForced {
			t.Fatalf("exit %v: want status %d, the forced exit of a second signal", err, exitForced)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("second signal did not end the process")
	}
}

func errorsAs(err error, target any) bool { return errors.As(err, target) }
