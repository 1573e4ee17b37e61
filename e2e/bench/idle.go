package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/coder/websocket"

	"socketlab/app/msg"
)

// idleRoomSize is how many idle chat sockets share a room. Every join sends
// the joiner the room's list and everyone else a small presence change
// (about 50 bytes), so joining n sockets to one room costs O(n) frames and
// bytes per join, n²/2 frames in all: 10 000 in one room would be 50
// million frames, which measures that and not an idle connection. Rooms of
// 100 keep the measure about the connection.
const idleRoomSize = 100

// idleMeasure is the server's memory with n idle sockets of one endpoint,
// against the same process before the first of them.
type idleMeasure struct {
	n                      int
	before, after, afterGC int64         // RSS in bytes; afterGC 0 when no collection could be asked for
	goroutines             [2]int        // before, after; -1 when unknown
	stack, heap            [2]int64      // MemStats Stack and HeapInuse, before and after the collection
	took                   time.Duration // to open all the sockets
	heapTop                string        // the heap profile's top, for chat
	collections            int           // garbage collections asked for before afterGC
}

func (m idleMeasure) perConn() float64   { return float64(m.after-m.before) / float64(m.n) }
func (m idleMeasure) perConnGC() float64 { return float64(m.afterGC-m.before) / float64(m.n) }

// benchIdle measures the server's resident memory per idle socket on each
// of socketlab's endpoints and on the classic baseline, gorilla/websocket's
// examples/chat (./e2e/bench/gorillachat). Each server runs as its own
// process, one fresh process per endpoint, so that its RSS is its own:
// /proc/<pid>/status VmRSS before the sockets and once they are all open
// and quiet, then again after a garbage collection the bench asks for.
func benchIdle(ctx context.Context, cfg config) (*section, error) {
	n := 10_000
	if cfg.quick {
		n = 1_000
	}
	if err := raiseFileLimit(n + 1000); err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "socketlab-bench-idle-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	bin, err := buildServer(ctx, dir)
	if err != nil {
		return nil, err
	}
	base, err := measureIdle(ctx, func() (*serverProcess, error) { return startGorillaProcess(ctx, dir) }, gorillaIdle, n)
	if err != nil {
		return nil, fmt.Errorf("idle, gorilla baseline: %w", err)
	}
	s := &section{title: "Idle connections: server memory",
		header: []string{"endpoint", "idle sockets", "RSS/conn after the opens", "RSS/conn after the collections", "baseline (gorilla chat), after the collections",
			"collections", "goroutines/conn", "stack/conn", "heap/conn", "target ≤ baseline"}}
	s.rows = append(s.rows, idleRow("gorilla/websocket examples/chat (baseline)", base, 0))
	var chat idleMeasure
	for i, ep := range idleEndpoints() {
		start := func() (*serverProcess, error) {
			return startServerBinary(bin, filepath.Join(dir, fmt.Sprint("data", i)), "-hello-delay", "1h")
		}
		m, err := measureIdle(ctx, start, ep, n)
		if err != nil {
			return nil, fmt.Errorf("idle, %s: %w", ep.path, err)
		}
		if ep.path == msg.ChatPath {
			chat = m
		}
		s.rows = append(s.rows, idleRow(ep.name, m, base.perConnGC()))
	}
	s.notes = append(s.notes,
		"Each row is a fresh server process: the real socketlab binary (`go build ./server`, run with `-hello-delay 1h` so that hello sockets stay in their pause), "+
			"or the baseline, gorilla/websocket v1.5.3's examples/chat with its hub.go and client.go unchanged (./e2e/bench/gorillachat; its main only adds a free port and /debug/pprof/). "+
			"RSS is /proc/<pid>/status VmRSS, taken once it has not moved by 1% for a second: before the first socket, once all are open and no frame has arrived for half a second, "+
			"and again after garbage collections asked for through /debug/pprof/heap?gc=1 until the goroutine stacks stop shrinking (the collections column) — the same for both servers (a Go process runs one at least every two minutes anyway; "+
			"each halves the stack of a goroutine parked since the opens that uses under a quarter of it). Per connection is (after − before) / sockets. "+
			"Goroutines from /debug/pprof/goroutine, stack and heap from the heap profile's MemStats (Stack, HeapInuse), after the collection, per socket.",
		fmt.Sprintf("What each idle client did before going quiet (it keeps reading, so it answers pings): "+
			"**gorilla** dials /ws and says nothing (a message would be broadcast to every client); "+
			"**chat** joins a room (rooms of %d: every join tells the room, so n joins in one room are n²/2 frames) and reads welcome, history (none), synced and presence; "+
			"**casefold** sends one text and reads its folding; **hello** reads the first push and waits in the pause before the second; "+
			"**plot** reads the history and sends a request, which the server holds (no source runs, so nothing is new) and answers with the empty batch after %s, and the client asks again; "+
			"**wire** (the wire lab's echo, untapped) sends one text and reads the echo.", idleRoomSize, msg.PlotWait))
	s.notes = append(s.notes, "**Where the memory goes.** Each socketlab socket keeps one goroutine, its reader, parked in conns.Conn.WaitReadable "+
		"(a one-byte MSG_PEEK in the network poller) rather than inside the library's read, and served in a goroutine of its own rather than net/http's deep connection goroutine: "+
		"before this, casefold, hello, plot and wire kept that goroutine's 16 KB stack and 2 goroutines for hello and plot, 33–38 KB a socket. "+
		"A reader that has handled a message keeps a 4 KB stack (it grew to 8 KB in the read path; a collection halves a stack only while under a quarter of it is in use, "+
		"counting an 800-byte guard, which a parked reader's frames exceed at 4 KB); hello's reader never reads a message and stays at 2 KB. "+
		"Casefold takes its buffers from a pool for each message only; plot's held request is a timer and a store watch, not a goroutine. "+
		"The baseline keeps two goroutines a client (read and write pumps), a ticker and a 256-slot channel.")
	if cfg.quick {
		s.notes = append(s.notes, "In -quick (1 000 sockets a row) the server's own start-up garbage, collected with the sockets', is as large as the sockets' memory (hence negative heap rows): only the full run's 10 000 measure a socket.")
	}
	if chat.heapTop != "" {
		s.notes = append(s.notes, "The chat server's heap once its sockets are idle (`go tool pprof -top -sample_index=inuse_space` of /debug/pprof/heap, served on -debug-addr):\n\n"+chat.heapTop)
	}
	return s, nil
}

// idleRow formats one endpoint's measure; base is the baseline's RSS per
// connection after its collection (0 for the baseline's own row).
func idleRow(name string, m idleMeasure, base float64) []string {
	kb := func(v float64) string { return fmt.Sprintf("%.1f KB", v/1e3) }
	row := []string{name, fmt.Sprintf("%d (opened in %s)", m.n, m.took.Round(100*time.Millisecond)), kb(m.perConn()), "—", "", fmt.Sprint(m.collections), "—", "—", "—", ""}
	if m.afterGC > 0 {
		row[3] = kb(m.perConnGC())
	}
	if base > 0 {
		row[4] = kb(base)
		if m.afterGC > 0 {
			row[9] = fmt.Sprintf("%.2f× — %s", m.perConnGC()/base, verdict(m.perConnGC() <= base))
		}
	}
	if m.goroutines[0] >= 0 && m.goroutines[1] >= 0 {
		row[6] = fmt.Sprintf("%.2f", float64(m.goroutines[1]-m.goroutines[0])/float64(m.n))
	}
	if m.stack[1] > 0 {
		row[7] = kb(float64(m.stack[1]-m.stack[0]) / float64(m.n))
		row[8] = kb(float64(m.heap[1]-m.heap[0]) / float64(m.n))
	}
	return row
}

// collectIdle asks the server at debug for garbage collections until its
// goroutine stacks stop shrinking (at most 5), and returns how many it
// ran; 0 when it could not ask. Each collection halves the stack of a
// goroutine that uses under a quarter of it, so a goroutine parked since
// the opens needs more than one to reach its floor, as it would in a long
// idle hour of any Go server (one collection every two minutes at least).
func collectIdle(debug string) int {
	last := int64(-1)
	for n := 1; n <= 5; n++ {
		if forceGC(debug) != nil {
			return n - 1
		}
		ms, err := memStats(debug, "Stack")
		if err != nil || (last >= 0 && ms["Stack"] >= last) {
			return n
		}
		last = ms["Stack"]
	}
	return 5
}

// measureIdle starts a server with start, opens n idle sockets of ep on it
// and measures its memory; the server is stopped before it returns.
func measureIdle(ctx context.Context, start func() (*serverProcess, error), ep idleEndpoint, n int) (idleMeasure, error) {
	m := idleMeasure{n: n, goroutines: [2]int{-1, -1}}
	srv, err := start()
	if err != nil {
		return m, err
	}
	defer srv.stop()
	url := "ws" + strings.TrimPrefix(srv.url, "http") + ep.path
	if err := checkLoopback(url); err != nil {
		return m, err
	}
	if m.before, err = settledRSS(srv.pid); err != nil {
		return m, err
	}
	if g, err := goroutines(srv.debug); err == nil {
		m.goroutines[0] = g
	}
	if ms, err := memStats(srv.debug, "Stack", "HeapInuse"); err == nil {
		m.stack[0], m.heap[0] = ms["Stack"], ms["HeapInuse"]
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var frames atomic.Int64
	conns := make([]*websocket.Conn, n)
	var readers sync.WaitGroup
	defer func() {
		cancel()
		for _, c := range conns {
			if c != nil {
				c.CloseNow()
			}
		}
		readers.Wait()
	}()
	begin := time.Now()
	sem := make(chan struct{}, 64)
	errc := make(chan error, 1)
	var dialWG sync.WaitGroup
	for i := range n {
		sem <- struct{}{}
		dialWG.Go(func() {
			defer func() { <-sem }()
			c, err := ep.open(ctx, url, i, &readers, &frames)
			conns[i] = c
			if err != nil {
				select {
				case errc <- fmt.Errorf("socket %d: %w", i, err):
				default:
				}
			}
		})
	}
	dialWG.Wait()
	select {
	case err := <-errc:
		return m, err
	default:
	}
	m.took = time.Since(begin)
	waitQuiet(frames.Load, 500*time.Millisecond, 30*time.Second)
	if m.after, err = settledRSS(srv.pid); err != nil {
		return m, err
	}
	if m.collections = collectIdle(srv.debug); m.collections > 0 {
		if m.afterGC, err = settledRSS(srv.pid); err != nil {
			return m, err
		}
	}
	if g, err := goroutines(srv.debug); err == nil && m.goroutines[0] >= 0 {
		m.goroutines[1] = g
	}
	if ms, err := memStats(srv.debug, "Stack", "HeapInuse"); err == nil && m.stack[0] > 0 {
		m.stack[1], m.heap[1] = ms["Stack"], ms["HeapInuse"]
	}
	if ep.path == msg.ChatPath {
		m.heapTop = pprofTop(srv.debug+"heap", 12, "-sample_index=inuse_space")
	}
	return m, nil
}

// serverProcess is the socketlab binary running on loopback.
type serverProcess struct {
	pid   int
	url   string
	debug string // the server's /debug/pprof/ url
	stop  func()
}

// startServerProcess builds ./server into dir and starts it on a free
// loopback port with its data in dir, and waits for its "serving" line.
// extra are more flags for the server.
func startServerProcess(ctx context.Context, dir string, extra ...string) (*serverProcess, error) {
	bin, err := buildServer(ctx, dir)
	if err != nil {
		return nil, err
	}
	return startServerBinary(bin, filepath.Join(dir, "data"), extra...)
}

// buildServer builds ./server into dir and returns the binary's path.
func buildServer(ctx context.Context, dir string) (string, error) {
	bin := filepath.Join(dir, "socketlab")
	build := exec.CommandContext(ctx, "go", "build", "-o", bin, "./server")
	if out, err := build.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build ./server: %w: %s", err, out)
	}
	return bin, nil
}

// startServerBinary starts the socketlab binary bin on a free loopback
// port with its data in data.
func startServerBinary(bin, data string, extra ...string) (*serverProcess, error) {
	args := append([]string{"-addr", "127.0.0.1:0", "-data", data, "-plot-addr", "", "-plot-demo=false", "-max-conns", "20000",
		"-debug-addr", "127.0.0.1:0"}, extra...)
	return startLogged(exec.Command(bin, args...))
}

// startLogged starts cmd, a server that logs its profiler's url and then
// the url it serves (slog's text lines `msg=profiler url=…` and
// `msg=serving url=…`), and waits for the serving line.
func startLogged(cmd *exec.Cmd) (*serverProcess, error) {
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	stop := func() {
		cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(15 * time.Second):
			cmd.Process.Kill()
			<-done
		}
	}
	urlc := make(chan string, 1)
	ended := make(chan struct{}) // stderr ended before the server served
	var debug string             // the profiler's url, logged before the site's
	var lines []string           // what it logged until then, for the error
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			if u, ok := loggedURL(sc.Text(), "profiler"); ok {
				debug = u
			}
			if u, ok := loggedURL(sc.Text(), "serving"); ok {
				urlc <- u
				io.Copy(io.Discard, stderr) // the server's connection log
				return
			}
			lines = append(lines[max(0, len(lines)-9):], sc.Text())
		}
		close(ended)
	}()
	select {
	case <-ended:
		// It exited (a bad flag, a port in use): its last words say why.
		stop()
		return nil, fmt.Errorf("server exited before serving:\n%s", strings.Join(lines, "\n"))
	case u := <-urlc:
		if err := checkLoopback(u); err != nil {
			stop()
			return nil, err
		}
		return &serverProcess{pid: cmd.Process.Pid, url: u, debug: debug, stop: stop}, nil
	case <-time.After(30 * time.Second):
		stop()
		return nil, fmt.Errorf("server did not log its url within 30s")
	}
}

// loggedURL reads the url of the server's `msg=<what> url=…` log line.
func loggedURL(line, what string) (string, bool) {
	if !strings.Contains(line, "msg="+what+" ") {
		return "", false
	}
	_, rest, ok := strings.Cut(line, " url=")
	if !ok {
		return "", false
	}
	u, _, _ := strings.Cut(rest, " ")
	return u, u != ""
}

// rss reads a process's resident set size in bytes.
func rss(pid int) (int64, error) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0, err
	}
	return parseVmRSS(string(b))
}

func parseVmRSS(status string) (int64, error) {
	for l := range strings.Lines(status) {
		if v, ok := strings.CutPrefix(l, "VmRSS:"); ok {
			f := strings.Fields(v)
			if len(f) == 2 && f[1] == "kB" {
				kb, err := strconv.ParseInt(f[0], 10, 64)
				return kb * 1024, err
			}
		}
	}
	return 0, fmt.Errorf("no VmRSS line")
}

// settledRSS waits (at most 10s) until the RSS has not changed by more
// than 1% for a second, and returns it.
func settledRSS(pid int) (int64, error) {
	v, err := rss(pid)
	if err != nil {
		return 0, err
	}
	since, end := time.Now(), time.Now().Add(10*time.Second)
	for time.Now().Before(end) && time.Since(since) < time.Second {
		time.Sleep(100 * time.Millisecond)
		nv, err := rss(pid)
		if err != nil {
			return 0, err
		}
		if d := nv - v; d > v/100 || -d > v/100 {
			v, since = nv, time.Now()
		}
	}
	return v, nil
}

// raiseFileLimit raises this process's open-file limit (inherited by the
// server it starts) to at least n, within the hard limit.
func raiseFileLimit(n int) error {
	var l syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &l); err != nil {
		return err
	}
	if l.Cur >= uint64(n) {
		return nil
	}
	l.Cur = min(max(uint64(n), l.Cur), l.Max)
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &l); err != nil {
		return fmt.Errorf("raise open files to %d: %w", n, err)
	}
	if l.Cur < uint64(n) {
		return fmt.Errorf("open files limited to %d (hard limit); %d sockets need more", l.Cur, n)
	}
	return nil
}
