package plot

import (
	"bufio"
	"io"
	"log/slog"
	"net"
	"strings"
	"testing"
	"time"

	"socketlab/app/msg"
	"socketlab/internal/testkit"
)

// runIngest serves t on a loopback port until the test ends and returns
// the address.
func runIngest(t *testing.T, in *TCPIngest) string {
	t.Helper()
	in.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	return testkit.Serve(t, in).Addr
}

// netcat is a producer: a plain TCP connection writing lines and reading
// the server's replies.
type netcat struct {
	t    *testing.T
	conn net.Conn
	r    *bufio.Reader
}

func dialSource(t *testing.T, addr string) *netcat {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return &netcat{t: t, conn: c, r: bufio.NewReader(c)}
}

func (n *netcat) write(s string) {
	n.t.Helper()
	if _, err := io.WriteString(n.conn, s); err != nil {
		n.t.Fatalf("write: %v", err)
	}
}

// reply reads the server's next line, or "" and the error.
func (n *netcat) reply() (string, error) {
	n.conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	return n.r.ReadString('\n')
}

func (n *netcat) expect(want string) {
	n.t.Helper()
	got, err := n.reply()
	if err != nil || !strings.Contains(got, want) {
		n.t.Fatalf("reply %q, %v; want one containing %q", got, err, want)
	}
}

// expectClosed reads one more reply containing want, then the end of the
// stream.
func (n *netcat) expectClosed(want string) {
	n.t.Helper()
	n.expect(want)
	if got, err := n.reply(); err != io.EOF {
		n.t.Fatalf("after %q: %q, %v; want the connection closed", want, got, err)
	}
}

// waitTotal waits, through the store's own change channel, until the
// series has total points; it fails on more.
func waitTotal(t *testing.T, s *Store, name string, total uint64) []msg.PlotPoint {
	t.Helper()
	var c Cursor
	var got []msg.PlotPoint
	var have uint64
	deadline := time.After(5 * time.Second)
	for {
		m, changed := s.Next(&c)
		for _, sr := range m.Series {
			if sr.Name == name {
				got = append(got, sr.Points...)
				have = sr.Total
			}
		}
		if have > total {
			t.Fatalf("series %q has %d points, want %d", name, have, total)
		}
		if have == total {
			return got
		}
		if changed == nil {
			continue
		}
		select {
		case <-changed:
		case <-deadline:
			t.Fatalf("series %q has %d points after 5s, want %d", name, have, total)
		}
	}
}

func TestTCPIngest(t *testing.T) {
	store := NewStore(100, 4)
	addr := runIngest(t, &TCPIngest{Store: store})

	other, _ := store.Series("other")
	store.Append(other, pts(0, 3)...)

	nc := dialSource(t, addr)
	nc.write("my source\r\n1700000000000 1\r\n1700000001000 2\n\n")
	got := waitTotal(t, store, "my source", 2)
	if got[1] != (msg.PlotPoint{1700000001000, 2}) {
		t.Fatalf("points %v", got)
	}

	// Bad lines are answered with their number; the source stays connected
	// and its later lines count.
	nc.write("hello world\n3 NaN\n" + strings.Repeat("9", 300) + "\n1 \xff\n3 4\n")
	nc.expect(`error line 5: x: "hello" is not a number`)
	nc.expect(`error line 6: y: "NaN" is not a finite number`)
	nc.expect("error line 7: line is longer than 256 bytes")
	nc.expect("error line 8: line is not valid UTF-8")
	waitTotal(t, store, "my source", 3)
	// The other series is untouched.
	waitTotal(t, store, "other", 3)

	// Binary garbage with no newline at all is one long bad line; the
	// source goes on after it.
	garbage := make([]byte, 64<<10)
	for i := range garbage {
		garbage[i] = byte(i*7 + 1)
		if garbage[i] == '\n' {
			garbage[i] = 0
		}
	}
	nc.write(string(garbage) + "\n5 6\n")
	nc.expect("error line 10: line is longer than 256 bytes")
	if got := waitTotal(t, store, "my source", 4); got[len(got)-1] != (msg.PlotPoint{5, 6}) {
		t.Fatalf("last point %v, want [5 6]", got[len(got)-1])
	}

	// A second source on the same name adds to the same series.
	nc2 := dialSource(t, addr)
	nc2.write("my source\n7 8\n")
	waitTotal(t, store, "my source", 5)
}

func TestTCPIngestName(t *testing.T) {
	store := NewStore(100, 2)
	addr := runIngest(t, &TCPIngest{Store: store})

	// A point as the first line: the producer forgot the name. It is
	// refused and the next line is taken as the name.
	nc := dialSource(t, addr)
	nc.write("1 2\n\x00\x01\nsensor 1\n3 4\n")
	nc.expect("error line 1: the first line must be the series name")
	nc.expect("error line 2: series name contains the control character U+0000")
	waitTotal(t, store, "sensor 1", 1)

	// The store is full (2 series): a third name closes the source.
	store.Series("sensor 2")
	full := dialSource(t, addr)
	full.write("sensor 3\n1 1\n")
	full.expectClosed("error line 1: too many series: the server keeps at most 2")
}

func TestTCPIngestLimits(t *testing.T) {
	store := NewStore(100, 8)
	addr := runIngest(t, &TCPIngest{Store: store, MaxSources: 2, MaxBadLines: 3, IdleTimeout: 200 * time.Millisecond})

	// Too many bad lines.
	nc := dialSource(t, addr)
	nc.write("junk\na\nb\nc\n")
	nc.expect("error line 2")
	nc.expect("error line 3")
	nc.expect("error line 4")
	nc.expectClosed("error: 3 bad lines, closing")

	// Idle too long.
	idle := dialSource(t, addr)
	idle.write("quiet\n")
	idle.expectClosed("error: nothing received for 200ms, closing")

	// Sources over the cap are refused; the listener goes on.
	var keep []*netcat
	for range 2 {
		nc := dialSource(t, addr)
		nc.write("busy\n1 1\n")
		keep = append(keep, nc)
	}
	waitTotal(t, store, "busy", 2)
	dialSource(t, addr).expectClosed("error: too many sources (2), try again later")
	keep[0].conn.Close()
	// Once a slot is free a source is accepted again. The slot is freed
	// when the server notices the close, so retry within a deadline.
	for deadline := time.Now().Add(5 * time.Second); ; {
		nc := dialSource(t, addr)
		nc.write("busy\n2 2\n")
		if got, err := nc.reply(); err == io.EOF || strings.Contains(got, "too many sources") {
			if time.Now().After(deadline) {
				t.Fatal("no slot freed after a source left")
			}
			continue
		}
		break
	}
	waitTotal(t, store, "busy", 3)
}

// TestTCPIngestShutdown: cancelling Serve closes the listener and every
// source, keeping the points already read.
func TestTCPIngestShutdown(t *testing.T) {
	store := NewStore(100, 8)
	in := &TCPIngest{Store: store, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	s := testkit.Serve(t, in)
	nc := dialSource(t, s.Addr)
	nc.write("s\n1 1\n2 2\n")
	waitTotal(t, store, "s", 2)
	// Stop cancels Serve's context and waits for it to return.
	stopped := make(chan error, 1)
	go func() { stopped <- s.Stop() }()
	select {
	case err := <-stopped:
		if err != nil {
			t.Fatalf("Serve after cancel: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Serve did not return after cancel")
	}
	if got, err := nc.reply(); err != io.EOF {
		t.Fatalf("source after shutdown read %q, %v; want EOF", got, err)
	}
	if _, err := net.Dial("tcp", s.Addr); err == nil {
		t.Fatal("listener still accepts after shutdown")
	}
}
