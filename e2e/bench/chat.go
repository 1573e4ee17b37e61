package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"
)

// chatPlans are the fan-out runs of issue 9: 1 000 subscribers of one room,
// publishers at 200 messages a second for 10 s, with JetStream persistence
// on (the embedded store, file storage); quick mode scales down.
func chatPlans(cfg config) (fan, slow fanoutPlan) {
	fan = fanoutPlan{subs: 1000, pubs: 4, rate: 200, d: 10 * time.Second}
	if cfg.quick {
		fan.subs, fan.d = 100, 2*time.Second
	}
	slow = fan
	slow.slow, slow.slowDelay = fan.subs/10, 50*time.Millisecond
	return fan, slow
}

func benchChat(ctx context.Context, cfg config) (*section, error) {
	fan, _ := chatPlans(cfg)
	dir, err := os.MkdirTemp("", "socketlab-bench-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	fan.profile = filepath.Join(dir, "fanout.prof")
	r, err := runFanout(ctx, fan)
	if err != nil {
		return nil, err
	}
	target := fan.rate * fan.subs
	got := rate(r.unique, r.elapsed)
	p50, p99 := r.fastLat.percentile(50), r.fastLat.percentile(99)
	s := &section{title: "Chat fan-out",
		header: []string{"measure", "value", "target"}}
	s.rows = [][]string{
		{"subscribers × publish rate", fmt.Sprintf("%d × %d/s for %s (%d messages sent, %d acked)", fan.subs, fan.rate, fan.d, r.sent, r.acked), ""},
		{"deliveries/s", fmt.Sprintf("%.0f (%.2f× the offered %d/s)", got, got/float64(target), target), fmt.Sprintf("%d/s — %s", target, verdict(got >= 0.99*float64(target)))},
		{"end-to-end p50 (publish → delivery)", ms(p50), ""},
		{"end-to-end p99", ms(p99), "≤ 25 ms — " + verdict(p99 <= 25*time.Millisecond)},
		{"lost (acked, never delivered)", fmt.Sprintf("%d of %d", r.lost, r.expected), "0 — " + verdict(r.lost == 0)},
		{"duplicated", strconv.Itoa(r.dups), "0 — " + verdict(r.dups == 0)},
		{"sockets cut as too slow (4008) / reconnects", fmt.Sprintf("%d / %d", r.kicks, r.reconnects), ""},
		{"error envelopes", strconv.Itoa(r.errors), ""},
		{"join of all subscribers (with presence storm)", r.setup.Round(time.Millisecond).String(), ""},
		{"drain after the last publish", r.drain.Round(time.Millisecond).String(), ""},
	}
	s.notes = append(s.notes,
		"Server in-process (real site.Server, embedded JetStream with file storage), clients are coder/websocket sockets in the same process that decode only the fields they need. "+
			"The per-connection rate limit (5/s, burst 20) is lifted for this run: it is not what is measured. Each subscriber counts every message by (publisher, id): lost = acked messages it never got, duplicated = got twice. "+
			"Latency is from the publisher's clock at send (in the text) to the subscriber's read, on the same machine clock.",
		"**What limits it.** 1 000 subscribers × 200 messages/s is 200 000 frames a second to write and as many to read, on 2 cores shared by the load "+
			"generator and the server. coder/websocket flushes after every frame, one write system call each; at that rate the calls alone took about a third "+
			"of the server's CPU, and the server fell seconds behind (85 000 deliveries/s, p99 13 s). So each socket's writer corks (conns.Conn.Cork, "+
			"TCP_CORK done in user space): it writes every frame already queued for the socket into memory and sends them with one system call. "+
			"Nothing waits for more to arrive, so a lone message leaves at once; under load, a socket that fell a few messages behind while its last write "+
			"was in flight catches up in one call, so batches grow with the load and the latency left is the batching that the shared CPUs force. "+
			"Each message is also encoded once, and the same bytes queued for every socket. Not done: a machine where clients and server do not share two cores. "+
			"Presence is sent as changes: a joiner gets the room's full list once, everyone else a change of about 50 bytes (joined), so a join costs "+
			"O(n) frames and bytes. n joins into one room (the join row above) are still n²/2 frames, but small ones: for 1 000 subscribers about 500 000 "+
			"frames of about 50 bytes, where the full lists were 500 000 frames of up to 20 KB (the join row took 8.5 s then).",
		"Server-side CPU profile of the load (client goroutines excluded with `-tagignore side=client`), `go tool pprof -top`:\n\n"+pprofTop(fan.profile, 20, "-tagignore", "side=client"),
		"Whole process (client and server), by cumulative time, to see the share of each side:\n\n"+pprofTop(fan.profile, 12, "-cum", "-tagfocus", "side=client"),
	)
	return s, nil
}

func benchSlow(ctx context.Context, cfg config) (*section, error) {
	fan, slow := chatPlans(cfg)
	r, err := runFanout(ctx, slow)
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
