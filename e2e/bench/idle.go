package main

import (
	"context"
	"fmt"
	"os"
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

// idleRoomSize is how many idle sockets share a room. Every join sends the
// joiner the room's list and everyone else a small presence change (about
// 50 bytes), so joining n sockets to one room costs O(n) frames and bytes
// per join, n²/2 frames in all: 10 000 in one room would be 50 million
// frames, which measures that and not an idle connection. Rooms of 100 keep
// the measure about the connection.
const idleRoomSize = 100

// benchIdle measures the server's resident memory per idle chat socket. The
// server runs as its own process (the real binary), so that its RSS is its
// own: /proc/<pid>/status VmRSS before the sockets and once they are all
// joined and quiet.
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
	srv, err := startServerProcess(ctx, dir)
	if err != nil {
		return nil, err
	}
	defer srv.stop()
	url := "ws" + strings.TrimPrefix(srv.url, "http") + msg.ChatPath
	if err := checkLoopback(url); err != nil {
		return nil, err
	}

	before, err := settledRSS(srv.pid)
	if err != nil {
		return nil, err
	}
	gBefore, _ := goroutines(srv.debug)
	mBefore, _ := memStats(srv.debug, "Stack", "HeapInuse")
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var frames atomic.Int64
	conns := make([]*websocket.Conn, n)
	var wg sync.WaitGroup
	defer func() {
		cancel()
		for _, c := range conns {
			if c != nil {
				c.CloseNow()
			}
		}
		wg.Wait()
	}()
	start := time.Now()
	sem := make(chan struct{}, 64)
	errc := make(chan error, 1)
	var dialWG sync.WaitGroup
	for i := range n {
		sem <- struct{}{}
		dialWG.Go(func() {
			defer func() { <-sem }()
			c, err := dialChat(ctx, url)
			if err != nil {
				select {
				case errc <- fmt.Errorf("socket %d: %w", i, err):
				default:
				}
				return
			}
			conns[i] = c
			room := "idle-" + strconv.Itoa(i/idleRoomSize)
			if err := join(ctx, c, room, "i"+strconv.Itoa(i), benchToken("idle", i), 0); err != nil {
				return
			}
			synced := make(chan struct{})
			// Each idle client keeps reading (and so answers the server's
			// pings) but does nothing else.
			wg.Go(func() {
				once := sync.OnceFunc(func() { close(synced) })
				defer once()
				for {
					_, b, err := c.Read(ctx)
					if err != nil {
						return
					}
					frames.Add(1)
					if frameType(b) == msg.ChatSynced {
						once()
					}
				}
			})
			<-synced
		})
	}
	dialWG.Wait()
	select {
	case err := <-errc:
		return nil, err
	default:
	}
	connectTook := time.Since(start)
	waitQuiet(frames.Load, 500*time.Millisecond, 30*time.Second)
	after, err := settledRSS(srv.pid)
	if err != nil {
		return nil, err
	}
	per := float64(after-before) / float64(n)
	// The garbage of the joins is still in the heap. A Go process runs a
	// collection at least every two minutes, idle or not; ask for it now
	// (the heap profile's gc=1) instead of waiting, and measure again.
	afterGC, gcErr := int64(0), forceGC(srv.debug)
	if gcErr == nil {
		afterGC, gcErr = settledRSS(srv.pid)
	}
	gAfter, gerr := goroutines(srv.debug)
	mAfter, merr := memStats(srv.debug, "Stack", "HeapInuse")
	heap := pprofTopURL(srv.debug+"heap", 12, "-sample_index=inuse_space")
	s := &section{title: "Idle chat connections: server memory",
		header: []string{"measure", "value", "target"}}
	s.rows = [][]string{
		{"idle sockets, joined", fmt.Sprintf("%d (rooms of %d)", n, idleRoomSize), ""},
		{"server RSS before / after", fmt.Sprintf("%.1f MB / %.1f MB", float64(before)/1e6, float64(after)/1e6), ""},
		{"server RSS per connection, right after the joins", fmt.Sprintf("%.1f KB", per/1e3), ""},
	}
	if gcErr == nil {
		perGC := float64(afterGC-before) / float64(n)
		s.rows = append(s.rows,
			[]string{"server RSS after a garbage collection", fmt.Sprintf("%.1f MB", float64(afterGC)/1e6), ""},
			[]string{"server RSS per connection, idle (after the collection)", fmt.Sprintf("%.1f KB", perGC/1e3), "≤ 20 KB — " + verdict(perGC <= 20e3)})
	}
	s.rows = append(s.rows, []string{"connect + join + synced, all", connectTook.Round(time.Millisecond).String(), ""})
	if merr == nil && mBefore != nil {
		s.rows = append(s.rows,
			[]string{"of which goroutine stacks, per socket", fmt.Sprintf("%.1f KB", float64(mAfter["Stack"]-mBefore["Stack"])/float64(n)/1e3), ""},
			[]string{"of which heap in use, per socket", fmt.Sprintf("%.1f KB", float64(mAfter["HeapInuse"]-mBefore["HeapInuse"])/float64(n)/1e3), ""})
	}
	if gerr == nil {
		s.rows = append(s.rows, []string{"server goroutines per socket", fmt.Sprintf("%.2f (%d before, %d after)",
			float64(gAfter-gBefore)/float64(n), gBefore, gAfter), ""})
	}
	s.notes = append(s.notes, fmt.Sprintf("The real server binary (`go build ./server`) as its own process, its RSS from /proc/%s/status (VmRSS, taken once it has not moved for a second). "+
		"Each client dials /ws/chat, joins a room, reads welcome, history (none), synced and the room's presence, and then only reads. "+
		"Rooms of %d, not one room: every join tells everyone in the room (a presence change of about 50 bytes each), so n joins in one room are n²/2 frames — see the note on presence in the fan-out section.",
		"<pid>", idleRoomSize),
		"**Where the memory goes** (the rows above and the heap profile below): one goroutine per socket, the one reading it, parked in "+
			"conns.Conn.WaitReadable with a 4 KB stack; about 8 KB of live heap (the library's connection, 1 KB read and write buffers, the "+
			"client's state, its idle timer); and the runtime's own overhead on top. It was 84 KB: every history read allocated a 512 KB NATS "+
			"subscription buffer (garbage, but RSS); each socket had three goroutines (reader, writer, keepalive), read in net/http's deep "+
			"connection goroutine (16 KB of stack), kept net/http's 4 KB buffers and a 256-slot channel. Now keepalive pings run on a timer, the "+
			"writer goroutine exists only while a socket has something queued, the queue is a slice that is nil when empty, and the reader is a "+
			"fresh goroutine that waits for the peer in the network poller (a one-byte MSG_PEEK) rather than inside the library's read: Go halves "+
			"an idle stack at a collection only when less than a quarter of it is in use, and the library's read path was just over a quarter "+
			"of 8 KB. Right after the joins the stacks are still 8 KB; the collection that any Go process runs within two minutes shrinks them.")
	s.notes = append(s.notes, "The server's heap once the sockets are idle (`go tool pprof -top -sample_index=inuse_space` of /debug/pprof/heap, served on -debug-addr):\n\n"+heap)
	return s, nil
}

// startServerProcess builds ./server into dir and starts it on a free
// loopback port with its data in dir, its profiler on, and waits for its
// "serving" line.
func startServerProcess(ctx context.Context, dir string) (*pinnedProcess, error) {
	bin, err := buildBinary(ctx, dir, "./server")
	if err != nil {
		return nil, err
	}
	return startPinned("", bin, "-addr", "127.0.0.1:0", "-data", filepath.Join(dir, "data"), "-plot-addr", "", "-plot-demo=false", "-max-conns", "20000",
		"-debug-addr", "127.0.0.1:0")
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
