package main

import (
	"bytes"
	"context"
	"fmt"
	"runtime/pprof"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"

	"socketlab/app/msg"
)

// fanoutPlan is one chat fan-out run: subs sockets in one room, pubs of
// them publishing rate messages a second in all for d, the first slow of
// them reading slowly (slowDelay per message) while the load lasts.
type fanoutPlan struct {
	subs, pubs int
	rate       int
	d          time.Duration
	slow       int
	slowDelay  time.Duration
}

// fanTarget is the server a fan-out plan runs against.
type fanTarget struct {
	url string // the chat socket's ws:// url
	// classic is the baseline's protocol (gorilla's examples/chat): a
	// say is its bare text, the server sends texts joined by newlines
	// into frames, and there is no join, ack or history.
	classic bool
	pid     int    // the server's process, for its CPU time; 0 when in-process
	debug   string // its /debug/pprof/ url, for profile
	profile string // when set, a CPU profile of the server under load is written there
}

// fanoutResult is what the subscribers saw.
type fanoutResult struct {
	sent, acked       int
	expected          int // acked × subs: every subscriber must have every acked message
	unique, dups      int
	lost              int
	elapsed           time.Duration // first publish to last delivery
	serverCPU         time.Duration // the server's CPU time from first publish to complete (process targets)
	fastCuts          int           // closes (4008 or any) of subscribers that read at full speed
	fastLat, slowLat  latencies
	kicks, reconnects int
	errors            int
	setup, drain      time.Duration
	complete          bool // every subscriber had every message before the drain deadline
}

// subscriber is one bench socket in the room. It reconnects when cut
// (4008 or otherwise) and catches up with since, as a real client does.
type subscriber struct {
	i           int
	classic     bool // the baseline's protocol (fanTarget.classic)
	nick, token string
	room, url   string
	slow        time.Duration
	rcvbuf      int // kernel receive buffer of a slow one
	loadOn      *atomic.Bool

	conn atomic.Pointer[websocket.Conn]

	// Owned by the reader goroutine until it returns.
	cursor  uint64
	counts  [][]uint8 // [publisher][n]: how many times each message arrived
	lat     latencies
	dupSeqs int

	unique     atomic.Int64
	dups       atomic.Int64
	lastAt     atomic.Int64 // Unix ns of the last new delivery
	presence   atomic.Int64
	errors     atomic.Int64
	kicks      atomic.Int64
	reconnects atomic.Int64
	synced     chan struct{}
	syncOnce   sync.Once

	acks func(id []byte) // set on publishers
}

func (s *subscriber) run(ctx context.Context) {
	for first := true; ctx.Err() == nil; first = false {
		if !first {
			s.reconnects.Add(1)
		}
		c, err := dialChatBuf(ctx, s.url, s.rcvbuf)
		if err != nil {
			if ctx.Err() == nil {
				// Bounded by ctx; a refused dial under load is retried.
				time.Sleep(20 * time.Millisecond)
			}
			continue
		}
		s.conn.Store(c)
		if s.classic {
			// No join: a socket is in the one room once connected.
			s.syncOnce.Do(func() { close(s.synced) })
			if err := readFrames(ctx, c, s.classicFrame); tooSlow(err) {
				s.kicks.Add(1)
			}
		} else if err := send(ctx, c, msg.Chat{Type: msg.ChatJoin, Room: s.room, Nick: s.nick, Token: s.token, Since: s.cursor, Batch: true}); err == nil {
			err = readFrames(ctx, c, func(frame []byte) {
				for _, b := range msg.ChatEnvelopes(frame) {
					s.handle(b)
				}
			})
			if tooSlow(err) {
				s.kicks.Add(1)
			}
		}
		c.CloseNow()
	}
}

// readFrames reads c's frames until it ends, handing each to fn, which
// must not keep it.
func readFrames(ctx context.Context, c *websocket.Conn, fn func(frame []byte)) error {
	// One buffer reused for every frame: the load generator shares the CPUs
	// with the server it measures, and Read would allocate each time.
	var buf bytes.Buffer
	for {
		_, r, err := c.Reader(ctx)
		if err != nil {
			return err
		}
		buf.Reset()
		if _, err := buf.ReadFrom(r); err != nil {
			return err
		}
		fn(buf.Bytes())
	}
}

// handle acts on one server envelope (of a batched frame, maybe: the
// subscriber's join asks for them).
func (s *subscriber) handle(b []byte) {
	switch frameType(b) {
	case msg.ChatMsg:
		now := time.Now().UnixNano()
		_, text, seq, ok := msgFields(b)
		if !ok {
			s.errors.Add(1)
			return
		}
		if seq <= s.cursor {
			s.dupSeqs++
			s.dups.Add(1)
			return
		}
		s.cursor = seq
		s.record(text, now)
	case msg.ChatSynced:
		if seq, ok := seqField(b); ok && seq > s.cursor {
			s.cursor = seq
		}
		s.syncOnce.Do(func() { close(s.synced) })
	case msg.ChatAck:
		if id, ok := idField(b); ok && s.acks != nil {
			s.acks(id)
		}
	case msg.ChatPresence:
		s.presence.Add(1)
	case msg.ChatError:
		s.errors.Add(1)
	}
}

// classicFrame counts a frame of the baseline's: bench texts joined by
// newlines, as many as the server had queued for the socket.
func (s *subscriber) classicFrame(frame []byte) {
	now := time.Now().UnixNano()
	for line := range bytes.SplitSeq(frame, []byte{'\n'}) {
		s.record(line, now)
	}
}

// record counts one delivered bench text (see benchText), read at now.
func (s *subscriber) record(text []byte, now int64) {
	pub, n, ts, ok := parseBenchText(text)
	if !ok {
		return // the seed message
	}
	for len(s.counts) <= pub {
		s.counts = append(s.counts, nil)
	}
	for len(s.counts[pub]) <= n {
		s.counts[pub] = append(s.counts[pub], 0)
	}
	s.counts[pub][n]++
	if s.counts[pub][n] > 1 {
		s.dups.Add(1)
		return
	}
	s.unique.Add(1)
	s.lastAt.Store(now)
	s.lat = append(s.lat, time.Duration(now-ts))
	if s.slow > 0 && s.loadOn.Load() {
		time.Sleep(s.slow) // the slow reader this subscriber plays
	}
}

// runFanoutInProcess measures one fan-out plan against a fresh server in
// this process.
func runFanoutInProcess(ctx context.Context, p fanoutPlan) (fanoutResult, error) {
	addr, _, stop, err := startSite(ctx, liftedChatLimits())
	if err != nil {
		return fanoutResult{}, err
	}
	defer stop()
	return runFanout(ctx, p, fanTarget{url: "ws://" + addr + msg.ChatPath})
}

// runFanout measures one fan-out plan against the server at t.
func runFanout(ctx context.Context, p fanoutPlan, t fanTarget) (fanoutResult, error) {
	var r fanoutResult
	url := t.url
	const room = "bench"
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	// Client goroutines are labelled, so the profile can show the server
	// alone (-tagignore side=client).
	cctx := pprof.WithLabels(ctx, pprof.Labels("side", "client"))

	if !t.classic {
		if err := seedRoom(cctx, url, room); err != nil {
			return r, err
		}
	}

	var loadOn atomic.Bool
	loadOn.Store(true)
	perPub := p.rate * int(p.d/time.Millisecond) / 1000 / p.pubs
	acked := make([][]atomic.Bool, p.pubs)
	for k := range acked {
		acked[k] = make([]atomic.Bool, perPub)
	}
	subs := make([]*subscriber, p.subs)
	for i := range subs {
		s := &subscriber{i: i, classic: t.classic, nick: "s" + strconv.Itoa(i), token: benchToken("fan", i), room: room, url: url,
			loadOn: &loadOn, synced: make(chan struct{})}
		// The slow ones are the last, so that no publisher is slow.
		if i >= p.subs-p.slow {
			s.slow, s.rcvbuf = p.slowDelay, 4096
		}
		if i < p.pubs {
			k := i
			s.acks = func(id []byte) {
				if pub, n, ok := parseID(id); ok && pub == k && n < perPub {
					acked[k][n].Store(true)
				}
			}
		}
		subs[i] = s
	}

	setupStart := time.Now()
	var wg sync.WaitGroup
	sem := make(chan struct{}, 32) // joins in flight
	for _, s := range subs {
		sem <- struct{}{}
		wg.Go(func() {
			pprof.SetGoroutineLabels(cctx)
			go func() {
				select {
				case <-s.synced:
				case <-ctx.Done():
				}
				<-sem
			}()
			s.run(cctx)
		})
	}
	for _, s := range subs {
		select {
		case <-s.synced:
		case <-time.After(2 * time.Minute):
			return r, fmt.Errorf("subscriber %d never synced", s.i)
		}
	}
	// Every join sends a presence change to everyone in the room: wait
	// until those have passed, so that they are not measured as fan-out.
	waitQuiet(func() int64 {
		var n int64
		for _, s := range subs {
			n += s.presence.Load()
		}
		return n
	}, 300*time.Millisecond, time.Minute)
	r.setup = time.Since(setupStart)

	var prof sync.WaitGroup
	if t.profile != "" && t.debug != "" {
		prof.Go(func() { saveProfile(t.debug, t.profile, p.d) })
	}
	cpuStart, err := serverCPUTime(t.pid)
	if err != nil {
		return r, fmt.Errorf("server CPU time: %w", err)
	}
	start := time.Now()
	var pubs sync.WaitGroup
	var sent atomic.Int64
	interval := time.Duration(p.pubs) * time.Second / time.Duration(p.rate)
	for k := range p.pubs {
		pubs.Go(func() {
			pprof.SetGoroutineLabels(cctx)
			pubStart := start.Add(time.Duration(k) * interval / time.Duration(p.pubs))
			for n := range perPub {
				if w := time.Until(pubStart.Add(time.Duration(n) * interval)); w > 0 {
					time.Sleep(w) // pacing: the publishers are open-loop
				}
				c := subs[k].conn.Load()
				text := benchText(k, n, time.Now().UnixNano())
				if t.classic {
					// No acks in the classic design: a say written is a say
					// sent, and every subscriber should get it.
					if sendText(cctx, c, text) == nil {
						sent.Add(1)
						acked[k][n].Store(true)
					}
					continue
				}
				env := msg.Chat{Type: msg.ChatSay, Room: room, ID: "p" + strconv.Itoa(k) + "-" + strconv.Itoa(n), Text: text}
				if send(cctx, c, env) == nil {
					sent.Add(1)
				}
			}
		})
	}
	pubs.Wait()
	loadOn.Store(false)
	pubEnd := time.Now()

	countAcked := func() int {
		n := 0
		for k := range acked {
			for i := range acked[k] {
				if acked[k][i].Load() {
					n++
				}
			}
		}
		return n
	}
	// Drain: wait for the acks (a say cut with its socket is never acked),
	// then until every subscriber has every acked message, bounded.
	drainBy := pubEnd.Add(max(p.d, 15*time.Second))
	for countAcked() < int(sent.Load()) && time.Now().Before(drainBy) {
		time.Sleep(20 * time.Millisecond)
	}
	for time.Now().Before(drainBy) {
		var u int64
		for _, s := range subs {
			u += s.unique.Load()
		}
		if a := countAcked(); u >= int64(a*p.subs) {
			r.complete = true
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if t.pid != 0 {
		cpuEnd, err := serverCPUTime(t.pid)
		if err != nil {
			return r, fmt.Errorf("server CPU time: %w", err)
		}
		r.serverCPU = cpuEnd - cpuStart
	}
	r.drain = time.Since(pubEnd)
	prof.Wait()
	cancel()
	wg.Wait()

	r.sent, r.acked = int(sent.Load()), countAcked()
	r.expected = r.acked * p.subs
	var last int64
	for _, s := range subs {
		r.unique += int(s.unique.Load())
		r.dups += int(s.dups.Load())
		r.errors += int(s.errors.Load())
		r.kicks += int(s.kicks.Load())
		r.reconnects += int(s.reconnects.Load())
		if s.slow == 0 {
			r.fastCuts += int(s.reconnects.Load())
		}
		last = max(last, s.lastAt.Load())
		// Lost: acked messages this subscriber never got.
		for k := range acked {
			for n := range acked[k] {
				if acked[k][n].Load() && (k >= len(s.counts) || n >= len(s.counts[k]) || s.counts[k][n] == 0) {
					r.lost++
				}
			}
		}
		if s.slow > 0 {
			r.slowLat = append(r.slowLat, s.lat...)
		} else {
			r.fastLat = append(r.fastLat, s.lat...)
		}
	}
	r.elapsed = time.Duration(last - start.UnixNano())
	return r, nil
}

// parseID reads a bench message id, "p<publisher>-<n>".
func parseID(id []byte) (pub, n int, ok bool) {
	s := string(id)
	if len(s) < 4 || s[0] != 'p' {
		return 0, 0, false
	}
	for i := 1; i < len(s); i++ {
		if s[i] == '-' {
			a, err1 := strconv.Atoi(s[1:i])
			b, err2 := strconv.Atoi(s[i+1:])
			return a, b, err1 == nil && err2 == nil && a >= 0 && b >= 0
		}
	}
	return 0, 0, false
}

// waitQuiet polls f until its value has not changed for quiet, at most for
// limit.
func waitQuiet(f func() int64, quiet, limit time.Duration) {
	end := time.Now().Add(limit)
	v, since := f(), time.Now()
	for time.Now().Before(end) && time.Since(since) < quiet {
		time.Sleep(20 * time.Millisecond)
		if nv := f(); nv != v {
			v, since = nv, time.Now()
		}
	}
}
