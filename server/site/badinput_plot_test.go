package site

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"socketlab/app/msg"
	"socketlab/internal/testkit"
	"socketlab/server/plot"
	"socketlab/server/wsframe"
)

// seriesTotal reads, as a fresh plot client would, how many points a series
// has received.
func seriesTotal(t *testing.T, s *Server, name string) uint64 {
	t.Helper()
	var cur plot.Cursor
	m, _ := s.plot.Next(&cur)
	for _, sr := range m.Series {
		if sr.Name == name {
			return sr.Total
		}
	}
	return 0
}

// TestBadInputPlot attacks the plot lab's three doors — the TCP line port,
// POST /api/plot/{series} and /ws/plot — and checks the exact answer each
// time, that the attacking TCP source stays connected, and that a bystander
// series loses nothing.
func TestBadInputPlot(t *testing.T) {
	site := startSite(t, Config{PlotAddr: "127.0.0.1:0", PingEvery: -1})
	tcpAddr := site.srv.PlotAddr()

	// The bystander: a well-behaved source with 100 points already stored.
	good, err := net.Dial("tcp", tcpAddr)
	if err != nil {
		t.Fatal(err)
	}
	defer good.Close()
	io.WriteString(good, "bystander\n")
	for i := range 100 {
		io.WriteString(good, strings.Repeat(" ", i%3)+"1 2\n")
	}
	testkit.Eventually(t, 10*time.Second, "the bystander's 100 points", func() bool { return seriesTotal(t, site.srv, "bystander") == 100 })
	unharmed := func(t *testing.T) {
		t.Helper()
		if n := seriesTotal(t, site.srv, "bystander"); n != 100 {
			t.Fatalf("bystander series has %d points, want 100: an attack disturbed it", n)
		}
	}

	tcpCases := []struct {
		name  string
		send  string // after the series name line
		reply string // expected reply line (prefix)
	}{
		{"NaN", "1 NaN\n", `error line 2: y: "NaN" is not a finite number`},
		{"infinity", "+Inf 1\n", `error line 2: x: "+Inf" is not a finite number`},
		{"out of float64 range", "1 1e999\n", `error line 2: y: "1e999" is out of range for a float64`},
		{"not a number", "1 two\n", `error line 2: y: "two" is not a number`},
		{"three fields", "1 2 3\n", `error line 2: want two numbers "x y", got 3 fields`},
		{"one field", "42\n", `error line 2: want two numbers "x y", got 1 field`},
		{"invalid UTF-8", "1 \xff\xfe\n", `error line 2: line is not valid UTF-8`},
		{"line too long", "1 " + strings.Repeat("9", 5000) + "\n", `error line 2: line is longer than`},
		{"binary garbage", "\x00\x01\x02\x03\xc0\xff\n", `error line 2:`},
	}
	for _, c := range tcpCases {
		t.Run("tcp "+c.name, func(t *testing.T) {
			conn, err := net.Dial("tcp", tcpAddr)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			conn.SetDeadline(time.Now().Add(10 * time.Second))
			series := "attack " + c.name
			io.WriteString(conn, series+"\n"+c.send)
			br := bufio.NewReader(conn)
			line, err := br.ReadString('\n')
			if err != nil || !strings.HasPrefix(line, c.reply) {
				t.Fatalf("reply %q (%v), want %q…", line, err, c.reply)
			}
			// Still connected: a good line after the bad one is stored.
			io.WriteString(conn, "7 8\n")
			testkit.Eventually(t, 10*time.Second, "the good line after the bad one", func() bool { return seriesTotal(t, site.srv, series) == 1 })
			unharmed(t)
		})
	}

	postCases := []struct {
		name, series, body, origin string
		status                     int
		says                       string
	}{
		{"bad line", "p1", "1 2\n3 x\n", "", 400, `line 2: y: "x" is not a number`},
		{"NaN point", "p2", "NaN 1\n", "", 400, `line 1: x: "NaN" is not a finite number`},
		{"body over 1 MiB", "p3", strings.Repeat("1 2\n", 300000), "", 413, "larger than"},
		{"cross-site post", "p4", "1 2\n", "http://evil.example", 403, ""},
	}
	for _, c := range postCases {
		t.Run("post "+c.name, func(t *testing.T) {
			req, _ := http.NewRequest("POST", "http://"+site.Addr+"/api/plot/"+c.series, strings.NewReader(c.body))
			if c.origin != "" {
				req.Header.Set("Origin", c.origin)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != c.status || !strings.Contains(string(body), c.says) {
				t.Fatalf("%d %q, want %d containing %q", resp.StatusCode, body, c.status, c.says)
			}
			if n := seriesTotal(t, site.srv, c.series); n != 0 {
				t.Fatalf("a refused POST stored %d points", n)
			}
			unharmed(t)
		})
	}

	t.Run("ws binary frame", func(t *testing.T) {
		r := testkit.DialRaw(t, site.Addr, msg.PlotPath)
		r.WriteFrame(true, 0, wsframe.OpBinary, []byte{1, 2}, true)
		if got := r.CloseCode(); got != 1003 {
			t.Fatalf("close %d, want 1003", got)
		}
		unharmed(t)
	})
	t.Run("ws bad JSON gets an error and the socket stays", func(t *testing.T) {
		c, ctx := testkit.Dial(t, "ws://"+site.Addr+msg.PlotPath, nil)
		c.SetReadLimit(8 << 20)
		c.Read(ctx) // the history
		c.Write(ctx, websocket.MessageText, []byte(`{"type":`))
		_, b, err := c.Read(ctx)
		if err != nil || !strings.Contains(string(b), `"type":"error"`) {
			t.Fatalf("got %q, %v; want an error message", b, err)
		}
		c.Write(ctx, websocket.MessageText, nil) // "" means next: still served
		resp, err := http.Post("http://"+site.Addr+"/api/plot/after-the-error", "text/plain", strings.NewReader("1 2\n"))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if _, b, err := c.Read(ctx); err != nil || !strings.Contains(string(b), "after-the-error") {
			t.Fatalf("socket unusable after the error: %q, %v", b, err)
		}
		unharmed(t)
	})
}
