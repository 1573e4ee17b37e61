package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"socketlab/app/msg"
)

// chatPlans are the fan-out runs: the comparison with the classic design
// (fanoutLoads) and, for the slow-consumer section, 1 000 subscribers of
// one room, publishers at 200 messages a second for 10 s, with JetStream
// persistence on (the embedded store, file storage); quick mode scales down.
func chatPlans(cfg config) (fan, slow fanoutPlan) {
	fan = fanoutPlan{subs: 1000, pubs: 4, rate: 200, d: 10 * time.Second}
	if cfg.quick {
		fan.subs, fan.d = 100, 2*time.Second
	}
	slow = fan
	slow.slow, slow.slowDelay = fan.subs/10, 50*time.Millisecond
	return fan, slow
}

// fanoutLoads are the two loads of the comparison (issue 17): 500
// subscribers of one room with 20 senders at 5 messages/s each (50 000
// deliveries/s), and 1 000 with 20 at 10/s (200 000 deliveries/s).
func fanoutLoads(cfg config) []fanoutPlan {
	d := 10 * time.Second
	if cfg.quick {
		return []fanoutPlan{{subs: 100, pubs: 10, rate: 100, d: 2 * time.Second}, {subs: 200, pubs: 10, rate: 200, d: 2 * time.Second}}
	}
	return []fanoutPlan{{subs: 500, pubs: 20, rate: 100, d: d}, {subs: 1000, pubs: 20, rate: 200, d: d}}
}

// Targets of the comparison, as ratios to the classic baseline.
const (
	cpuTarget = 1.5  // server CPU per delivery
	p99Target = 1.25 // fast subscribers' p99
)

// benchChat runs the fan-out loads against the classic baseline and
// socketlab, each server a process of its own pinned to one core, back to
// back, with the load generator pinned to the other.
func benchChat(ctx context.Context, cfg config) (*section, error) {
	loads := fanoutLoads(cfg)
	if err := raiseFileLimit(2*loads[len(loads)-1].subs + 1000); err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "socketlab-bench-fan-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	slBin, err := buildBinary(ctx, dir, "./server")
	if err != nil {
		return nil, err
	}
	gBin, err := buildBinary(ctx, dir, "./e2e/bench/gorillachat")
	if err != nil {
		return nil, err
	}
	unpin, err := pinSelf(loadCPU)
	if err != nil {
		return nil, err
	}
	defer unpin()

	s := &section{title: "Chat fan-out against the classic design",
		header: []string{"load", "server", "deliveries/s", "server CPU per delivery", "p50", "p99", "lost", "duplicated", "cut: 4008 / any close", "target"}}
	var profiles []string
	for li, p := range loads {
		var base fanoutResult
		for _, classic := range []bool{true, false} {
			name, bin, args := "gorilla examples/chat", gBin, []string(nil)
			if !classic {
				name, bin = "socketlab", slBin
				args = []string{"-addr", "127.0.0.1:0", "-data", filepath.Join(dir, "data-"+strconv.Itoa(li)),
					"-plot-addr", "", "-plot-demo=false", "-max-conns", "20000", "-debug-addr", "127.0.0.1:0",
					// The per-connection rate limit (5/s, burst 20) is not
					// what is measured.
					"-chat-rate", "1e6", "-chat-burst", strconv.Itoa(1 << 20)}
			}
			srv, err := startPinned(serverCPU, bin, args...)
			if err != nil {
				return nil, err
			}
			path := "ws" + strings.TrimPrefix(srv.url, "http") + "/ws"
			if !classic {
				path = "ws" + strings.TrimPrefix(srv.url, "http") + msg.ChatPath
			}
			prof := filepath.Join(dir, fmt.Sprintf("%d-%t.prof", li, classic))
			r, err := runFanout(ctx, p, fanTarget{url: path, classic: classic, pid: srv.pid, debug: srv.debug, profile: prof})
			srv.stop()
			if err != nil {
				return nil, fmt.Errorf("%s: %w", name, err)
			}
			if !classic || li == len(loads)-1 {
				profiles = append(profiles, fmt.Sprintf("%s at %d × %d/s, `go tool pprof -top` of the server process:\n\n%s", name, p.subs, p.rate, pprofTop(prof, 25)))
			}
			target := ""
			if classic {
				base = r
			} else {
				target = fanoutVerdict(r, base)
			}
			got := rate(r.unique, r.elapsed)
			s.rows = append(s.rows, []string{
				fmt.Sprintf("%d × %d/s", p.subs, p.rate), name,
				fmt.Sprintf("%.0f (%.2f× offered)", got, got/float64(p.subs*p.rate)),
				fmt.Sprintf("%.2f µs", perDelivery(r).Seconds()*1e6),
				ms(r.fastLat.percentile(50)), ms(r.fastLat.percentile(99)),
				fmt.Sprintf("%d of %d", r.lost, r.expected), strconv.Itoa(r.dups),
				fmt.Sprintf("%d / %d", r.kicks, r.fastCuts), target})
		}
	}
	s.notes = append(s.notes,
		"**Method.** Each server is a process of its own, pinned with `taskset -c "+serverCPU+"`; the load generator (this bench, every thread, GOMAXPROCS 1) is pinned to cpu "+loadCPU+". "+
			"On the 2-core machine that is what pinning means: the server and its load do not compete for one core, but other work on the machine still runs on both. "+
			"The baseline is gorilla/websocket v1.5.3's examples/chat, its hub.go and client.go unchanged (e2e/bench/gorillachat): an in-memory hub goroutine, "+
			"a writer goroutine per client with a send channel of 256 that writes every message already queued into one frame joined by newlines, and a hub that drops a client whose channel is full. "+
			"socketlab is the real binary with its embedded JetStream (file storage): every say is stored, acked, and fanned out from the stream's consumer. "+
			"Its per-connection rate limit is lifted (-chat-rate); its send queue (256) and its 4008 close are what they always are.",
		"**Measures.** One room; each publisher sends at a fixed pace (open loop), its clock in the text. Every subscriber reads at full speed and counts every message by (publisher, number): "+
			"lost = messages sent (acked, for socketlab) that a subscriber never got; duplicated = got twice. p50/p99 are publish → delivery on the one machine clock. "+
			"Server CPU per delivery is the server process's utime + stime (/proc/<pid>/stat, all threads) from the first publish until every subscriber has every message, divided by the deliveries. "+
			"A CPU profile of each server is taken meanwhile (/debug/pprof/profile, served on a flag only); it costs both alike. "+
			"Cut counts a subscriber's sockets that were closed under it: 4008 (socketlab's too slow) and, after the slash, any close at all. "+
			fmt.Sprintf("Targets for socketlab: server CPU per delivery ≤ %.2g× the baseline's, p99 ≤ %.3g× its p99, 0 lost, no socket cut.", cpuTarget, p99Target),
	)
	s.notes = append(s.notes,
		"**socketlab's delivery path.** The feed follows the stream with one consumer and fans each message out encoded once (server/chat/rooms.go); each socket's "+
			"bounded queue wakes its writer, which runs on a kept goroutine (workers.go: a fresh goroutine per wake grew and copied its stack down the "+
			"library's write path, a sixth of the server's CPU), takes everything queued and writes it corked, in one system call with no deadline unless the "+
			"socket is full (conns/cork.go); the bench's clients, like the page, ask for batched frames, so a batch is also one WebSocket frame of envelopes, "+
			"one per line (joiner.go), as the classic writer joins its queue. A queue at 256 is full only while the socket's kernel takes no more "+
			"(conns.Conn.WriteBlocked): a queue that grew because the server's writers did not get the CPU may grow to 16× before the socket is cut, "+
			"so a client that reads at full speed is not cut for the server's backlog.")
	s.notes = append(s.notes, profiles...)
	return s, nil
}

// perDelivery is the server's CPU time per delivery of a run.
func perDelivery(r fanoutResult) time.Duration {
	if r.unique == 0 {
		return 0
	}
	return r.serverCPU / time.Duration(r.unique)
}

// fanoutVerdict holds a socketlab run to the targets against the baseline
// run at the same load.
func fanoutVerdict(r, base fanoutResult) string {
	cpu := float64(perDelivery(r)) / float64(max(perDelivery(base), 1))
	p99 := float64(r.fastLat.percentile(99)) / float64(max(base.fastLat.percentile(99), 1))
	return fmt.Sprintf("CPU %.2f× — %s; p99 %.2f× — %s; lost — %s; cut — %s",
		cpu, verdict(cpu <= cpuTarget), p99, verdict(p99 <= p99Target),
		verdict(r.lost == 0 && r.complete), verdict(r.fastCuts == 0))
}

func benchSlow(ctx context.Context, cfg config) (*section, error) {
	fan, slow := chatPlans(cfg)
	r, err := runFanoutInProcess(ctx, slow)
	if err != nil {
		return nil, err
	}
	p99 := r.fastLat.percentile(99)
	s := &section{title: "Chat fan-out with slow consumers",
		header: []string{"measure", "value", "target"}}
	s.rows = [][]string{
		{"subscribers (slow)", fmt.Sprintf("%d (%d read one message per %s while the load lasts)", slow.subs, slow.slow, slow.slowDelay), ""},
		{"fast subscribers' p50 / p99", ms(r.fastLat.percentile(50)) + " / " + ms(p99), "p99 ≤ 25 ms — " + verdict(p99 <= 25*time.Millisecond)},
		{"slow subscribers' p50 / p99 (includes catch-up)", ms(r.slowLat.percentile(50)) + " / " + ms(r.slowLat.percentile(99)), ""},
		{"sockets cut as too slow (4008) / reconnects", fmt.Sprintf("%d / %d", r.kicks, r.reconnects), fmt.Sprintf("slow ones cut — %s", verdict(r.kicks >= slow.slow))},
		{"lost after catch-up", fmt.Sprintf("%d of %d", r.lost, r.expected), "0 — " + verdict(r.lost == 0 && r.complete)},
		{"duplicated", strconv.Itoa(r.dups), "0 — " + verdict(r.dups == 0)},
		{"time for everyone to have everything after the last publish", r.drain.Round(time.Millisecond).String(), ""},
	}
	s.notes = append(s.notes, fmt.Sprintf("Same as the fan-out run (%d subscribers, %d/s for %s, rate limit lifted), but the last %d%% of the subscribers sleep %s after each message while the publishers run, with a 4 KB kernel receive buffer (a slow phone, not loopback's megabytes), "+
		"so their 256-frame send queue overflows and the server cuts them with 4008; they reconnect with since = the last seq they saw, as the app does, and read at full speed once the load stops. "+
		"Compare the fast subscribers' latency with the run without slow ones above. "+
		"The server's side of a slow socket's backlog must wait in its send queue, where it is counted, and not in the kernel: Linux grows a loopback "+
		"socket's send buffer to megabytes, which swallowed the whole backlog, so no queue ever filled and no one was cut (an earlier run). Chat sockets "+
		"therefore set TCP_NOTSENT_LOWAT to 16 KiB (chat.Options.MaxUnsent).", fan.subs, fan.rate, fan.d, 10, slow.slowDelay))
	return s, nil
}
