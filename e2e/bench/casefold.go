package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"runtime/pprof"
	"slices"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/coder/websocket"
	"golang.org/x/text/cases"

	"socketlab/server/site"
)

// bareCasefold is the baseline: the least a casefold server can be — accept,
// read, fold, write — with none of socketlab's checks, limits or logging.
func bareCasefold(w http.ResponseWriter, r *http.Request) {
	c, err := websocket.Accept(w, r, nil)
	if err != nil {
		return
	}
	defer c.CloseNow()
	c.SetReadLimit(128 << 10)
	fold := cases.Fold()
	for {
		_, b, err := c.Read(r.Context())
		if err != nil {
			return
		}
		if err := c.Write(r.Context(), websocket.MessageText, fold.Bytes(b)); err != nil {
			return
		}
	}
}

// startSocketlab runs the real server in-process on loopback. The casefold
// rate limit (200/s a connection by default) is lifted: it would measure the
// limiter, not the server.
func startSocketlab(ctx context.Context) (addr string, stop func(), err error) {
	s, err := site.New(site.Config{Log: slog.New(slog.NewTextHandler(io.Discard, nil)), CasefoldRate: 1e9})
	if err != nil {
		return "", nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { s.Serve(ctx, ln); close(done) }()
	return ln.Addr().String(), func() { cancel(); <-done }, nil
}

func startBare() (addr string, stop func(), err error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	srv := &http.Server{Handler: http.HandlerFunc(bareCasefold)}
	go srv.Serve(ln)
	return ln.Addr().String(), func() { srv.Close() }, nil
}

// loadResult is one casefold load run.
type loadResult struct {
	requests int
	lat      latencies
	elapsed  time.Duration
	errors   int
	// cpu is the bench process's CPU time (user and system) over the
	// run: the clients' and the server's, none of other processes'.
	cpu time.Duration
}

// cpuPerRequest is the process's CPU time per request of r.
func (r loadResult) cpuPerRequest() time.Duration {
	if r.requests == 0 {
		return 0
	}
	return r.cpu / time.Duration(r.requests)
}

// processCPU is this process's user and system CPU time so far.
func processCPU() time.Duration {
	var u syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &u) != nil {
		return 0
	}
	return time.Duration(u.Utime.Nano() + u.Stime.Nano())
}

// casefoldLoad runs conns clients, each sending a request and waiting for its
// reply in a loop, for d (and at most maxReq requests per client).
func casefoldLoad(ctx context.Context, url string, conns int, d time.Duration) (loadResult, error) {
	if err := checkLoopback(url); err != nil {
		return loadResult{}, err
	}
	const maxReq = 2_000_000
	payload := []byte("Hello WORLD, Straße ΣΑΣ ﬁ")
	var wg sync.WaitGroup
	var mu sync.Mutex
	var res loadResult
	clients := make([]*websocket.Conn, conns)
	for i := range clients {
		c, _, err := websocket.Dial(ctx, url, nil)
		if err != nil {
			return res, fmt.Errorf("dial %d: %w", i, err)
		}
		clients[i] = c
	}
	start, cpu0 := time.Now(), processCPU()
	deadline := start.Add(d)
	for _, c := range clients {
		wg.Go(func() {
			defer c.CloseNow()
			var lat latencies
			errs := 0
			for n := 0; n < maxReq && time.Now().Before(deadline); n++ {
				t0 := time.Now()
				if err := c.Write(ctx, websocket.MessageText, payload); err != nil {
					errs++
					break
				}
				if _, _, err := c.Read(ctx); err != nil {
					errs++
					break
				}
				lat = append(lat, time.Since(t0))
			}
			mu.Lock()
			res.requests += len(lat)
			res.lat = append(res.lat, lat...)
			res.errors += errs
			mu.Unlock()
		})
	}
	wg.Wait()
	res.elapsed, res.cpu = time.Since(start), processCPU()-cpu0
	return res, nil
}

// casefoldRounds is how many times the 100-connection runs of the two
// servers alternate. One pair of runs on a shared two-core machine swings
// by ±8% (0.87–1.02× in repeated runs of the same code); the median of
// several interleaved pairs is steadier, and every pair is reported.
const casefoldRounds = 5

func benchCasefold(ctx context.Context, cfg config) (*section, error) {
	sl, stopSL, err := startSocketlab(ctx)
	if err != nil {
		return nil, err
	}
	defer stopSL()
	bare, stopBare, err := startBare()
	if err != nil {
		return nil, err
	}
	defer stopBare()
	servers := []struct{ name, addr string }{{"bare coder/websocket", bare}, {"socketlab", sl}}

	s := &section{title: "Casefold request/reply",
		header: []string{"connections", "server", "requests/s", "p50", "p99", "vs bare"}}
	row := func(n int, name string, r loadResult, vs string) {
		s.rows = append(s.rows, []string{fmt.Sprint(n), name, fmt.Sprintf("%.0f", rate(r.requests, r.elapsed)),
			ms(r.lat.percentile(50)), ms(r.lat.percentile(99)), vs})
	}
	for _, n := range []int{1, 10} {
		var res [2]loadResult
		for i, srv := range servers {
			if res[i], err = casefoldLoad(ctx, "ws://"+srv.addr+"/ws/casefold", n, cfg.duration); err != nil {
				return nil, err
			}
		}
		row(n, servers[0].name, res[0], "1.00×")
		row(n, servers[1].name, res[1], fmt.Sprintf("%.2f×", rate(res[1].requests, res[1].elapsed)/rate(res[0].requests, res[0].elapsed)))
	}

	// At 100 connections the servers take turns, bare first in odd
	// rounds and socketlab first in even ones, so that a drift of the
	// machine's speed during the rounds favours neither.
	rounds := casefoldRounds
	if cfg.quick {
		rounds = 3
	}
	var all [][2]loadResult
	var ratios []float64
	var pairs []string
	var cpuRatios []float64 // socketlab's CPU per request over bare's, per round
	for k := range rounds {
		var res [2]loadResult
		order := []int{0, 1}
		if k%2 == 1 {
			order = []int{1, 0}
		}
		for _, i := range order {
			var prof *os.File
			if i == 1 && k == 0 {
				prof, _ = os.CreateTemp("", "casefold-*.prof")
				pprof.StartCPUProfile(prof)
			}
			r, err := casefoldLoad(ctx, "ws://"+servers[i].addr+"/ws/casefold", 100, cfg.duration)
			if prof != nil {
				pprof.StopCPUProfile()
				prof.Close()
				s.notes = append(s.notes, profileTop(prof.Name()))
				os.Remove(prof.Name())
			}
			if err != nil {
				return nil, err
			}
			res[i] = r
		}
		ratio := rate(res[1].requests, res[1].elapsed) / rate(res[0].requests, res[0].elapsed)
		all, ratios = append(all, res), append(ratios, ratio)
		cpuRatios = append(cpuRatios, float64(res[1].cpuPerRequest())/float64(res[0].cpuPerRequest()))
		pairs = append(pairs, fmt.Sprintf("%.0f / %.0f = %.2f× (CPU per request %.1f / %.1f µs)", rate(res[1].requests, res[1].elapsed), rate(res[0].requests, res[0].elapsed), ratio,
			float64(res[1].cpuPerRequest())/1e3, float64(res[0].cpuPerRequest())/1e3))
	}
	// The median round (rounds is odd): its ratio is reported, its runs
	// are the table's rows.
	byRatio := make([]int, rounds)
	for i := range byRatio {
		byRatio[i] = i
	}
	sort.Slice(byRatio, func(a, b int) bool { return ratios[byRatio[a]] < ratios[byRatio[b]] })
	mid := byRatio[rounds/2]
	med, ratio100 := all[mid], ratios[mid]
	row(100, servers[0].name, med[0], "1.00×")
	row(100, servers[1].name, med[1], fmt.Sprintf("%.2f× (median of %d rounds)", ratio100, rounds))
	p99at100 := med[1].lat.percentile(99)
	s.notes = append([]string{
		fmt.Sprintf("Target at 100 connections: ≥ 0.95× the bare baseline's throughput — %.2f× (the median of %d interleaved rounds), %s; p99 ≤ 5 ms — %s, %s.",
			ratio100, rounds, verdict(ratio100 >= 0.95), ms(p99at100), verdict(p99at100 <= 5*time.Millisecond)),
		fmt.Sprintf("The %d rounds at 100 connections, socketlab / bare requests/s each, %s each way, bare first in the 1st, 3rd, … and socketlab first in the others: %s. "+
			"The rows at 100 are the median round's. "+
			"The bench process's CPU time per request (getrusage: clients and server, not other processes) is steadier than requests/s on a shared machine: "+
			"socketlab's is %.2f× bare's (median of the rounds; below 1 is cheaper).", rounds, cfg.duration, strings.Join(pairs, "; "), medianOf(cpuRatios)),
		"Each client sends a 33-byte mixed-script text and waits for its reply before sending the next; both servers run in the bench process, so client and server share the CPUs.",
	}, s.notes...)
	return s, nil
}

// profileTop formats the top of a CPU profile of the 100-connection
// socketlab run.
func profileTop(path string) string {
	exe, err := os.Executable()
	if err != nil {
		return "(profile unavailable: " + err.Error() + ")"
	}
	out, err := exec.Command("go", "tool", "pprof", "-top", "-nodecount=15", exe, path).Output()
	if err != nil {
		return "(profile unavailable: " + err.Error() + ")"
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	for i, l := range lines {
		if strings.Contains(l, "flat%") {
			lines = lines[i:]
			break
		}
	}
	return "CPU profile of the 100-connection socketlab run (client and server in one process), `go tool pprof -top`:\n\n```\n" +
		strings.Join(lines, "\n") + "\n```"
}

// medianOf returns the median of vs (the upper middle for an even count).
func medianOf(vs []float64) float64 {
	s := slices.Clone(vs)
	slices.Sort(s)
	return s[len(s)/2]
}
