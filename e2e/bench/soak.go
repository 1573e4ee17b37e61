package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"

	"socketlab/app/msg"
)

// soakClient is one person of the soak: it connects, joins, says a few
// things, drops the connection abruptly, and reconnects with since, again
// and again. It resends what was not acked (same id: stored once).
type soakClient struct {
	i           int
	room, nick  string
	token, url  string
	startCursor uint64 // the cursor of its first synced: it must see everything after

	mu      sync.Mutex
	cursor  uint64
	view    map[uint64]bool
	pending map[string]bool // said, not acked yet
	dups    int
	n       int // ids said so far

	sessions int
}

// soakAcks is every acked message, by room.
type soakAcks struct {
	mu   sync.Mutex
	seqs map[string]map[uint64]bool
}

func (a *soakAcks) add(room string, seq uint64) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.seqs[room] == nil {
		a.seqs[room] = map[uint64]bool{}
	}
	a.seqs[room][seq] = true
}

// session is one connection: join, talk for life, then drop (or, when
// final, read until synced and close properly).
func (c *soakClient) session(ctx context.Context, acks *soakAcks, life time.Duration, final bool) error {
	ws, err := dialChat(ctx, c.url)
	if err != nil {
		return err
	}
	defer ws.CloseNow()
	c.sessions++
	c.mu.Lock()
	since := c.cursor
	c.mu.Unlock()
	if err := join(ctx, ws, c.room, c.nick, c.token, since); err != nil {
		return err
	}
	synced := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		once := sync.OnceFunc(func() { close(synced) })
		for {
			_, b, err := ws.Read(ctx)
			if err != nil {
				return
			}
			c.mu.Lock()
			switch frameType(b) {
			case msg.ChatMsg:
				if _, _, seq, ok := msgFields(b); ok {
					if seq <= c.cursor || c.view[seq] {
						c.dups++
					}
					c.view[seq] = true
					c.cursor = max(c.cursor, seq)
				}
			case msg.ChatSynced:
				if seq, ok := seqField(b); ok {
					c.cursor = max(c.cursor, seq)
					if c.startCursor == 0 {
						c.startCursor = c.cursor
					}
				}
				once()
			case msg.ChatAck:
				id, ok1 := idField(b)
				seq, ok2 := seqField(b)
				if ok1 && ok2 {
					delete(c.pending, string(id))
					acks.add(c.room, seq)
				}
			}
			c.mu.Unlock()
		}
	}()
	select {
	case <-synced:
	case <-done:
		return fmt.Errorf("soak client %d: connection ended before synced", c.i)
	case <-time.After(30 * time.Second):
		return fmt.Errorf("soak client %d: no synced in 30s", c.i)
	}
	if final {
		// Wait for the acks of what is still pending, briefly.
		c.resend(ctx, ws)
		c.mu.Lock()
		n := len(c.pending)
		c.mu.Unlock()
		if n > 0 {
			waitQuiet(func() int64 { c.mu.Lock(); defer c.mu.Unlock(); return int64(len(c.pending)) }, 300*time.Millisecond, 5*time.Second)
		}
		ws.Close(websocket.StatusNormalClosure, "")
		<-done
		return nil
	}
	c.resend(ctx, ws)
	end := time.Now().Add(life)
	for time.Now().Before(end) {
		c.mu.Lock()
		c.n++
		id := "c" + strconv.Itoa(c.i) + "-" + strconv.Itoa(c.n)
		c.pending[id] = true
		c.mu.Unlock()
		if send(ctx, ws, msg.Chat{Type: msg.ChatSay, Room: c.room, ID: id, Text: "soak " + id}) != nil {
			break
		}
		time.Sleep(time.Duration(50+rand.IntN(250)) * time.Millisecond)
	}
	ws.CloseNow() // abruptly: no close handshake, like a dropped network
	<-done
	return nil
}

func (c *soakClient) resend(ctx context.Context, ws *websocket.Conn) {
	c.mu.Lock()
	ids := make([]string, 0, len(c.pending))
	for id := range c.pending {
		ids = append(ids, id)
	}
	c.mu.Unlock()
	for _, id := range ids {
		send(ctx, ws, msg.Chat{Type: msg.ChatSay, Room: c.room, ID: id, Text: "soak " + id})
	}
}

// runtimeSnapshot is the process's goroutines and heap after a GC.
type runtimeSnapshot struct {
	goroutines int
	heap       uint64 // HeapInuse
	sys        uint64
}

func snapshot() runtimeSnapshot {
	// Twice: a sync.Pool keeps its objects through one collection (the
	// nats-server's block buffers, the cork buffers), and pooled memory
	// is not a leak.
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return runtimeSnapshot{runtime.NumGoroutine(), m.HeapInuse, m.Sys}
}

// settledSnapshot polls until the goroutine count has been stable for a
// second (at most limit).
func settledSnapshot(limit time.Duration) runtimeSnapshot {
	waitQuiet(func() int64 { return int64(runtime.NumGoroutine()) }, time.Second, limit)
	return snapshot()
}

func benchSoak(ctx context.Context, cfg config) (*section, error) {
	clients, rooms, d := 60, 4, 2*time.Minute
	if cfg.quick {
		clients, d = 16, 8*time.Second
	}
	// A short duplicate window: the message ids JetStream remembers for it
	// are real state, megabytes for this run's tens of thousands of
	// messages over the default 10 minutes, and would read as a leak. The
	// soak's clients resend within seconds, well inside 15 s.
	const dedup = 15 * time.Second
	site := liftedChatLimits()
	site.ChatDedupWindow = dedup
	addr, _, stop, err := startSite(ctx, site)
	if err != nil {
		return nil, err
	}
	defer stop()
	url := "ws://" + addr + msg.ChatPath
	before := settledSnapshot(10 * time.Second)
	profDir, err := os.MkdirTemp("", "socketlab-soak-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(profDir)
	heapBefore, heapAfter := filepath.Join(profDir, "before.pb.gz"), filepath.Join(profDir, "after.pb.gz")
	writeHeapProfile(heapBefore)

	acks := &soakAcks{seqs: map[string]map[uint64]bool{}}
	cs := make([]*soakClient, clients)
	for i := range cs {
		cs[i] = &soakClient{i: i, room: "soak-" + strconv.Itoa(i%rooms), nick: "c" + strconv.Itoa(i), token: benchToken("soak", i),
			url: url, view: map[uint64]bool{}, pending: map[string]bool{}}
	}
	// Everyone joins once before anyone talks, so that everyone must see
	// everything said afterwards.
	for _, c := range cs {
		if err := c.session(ctx, acks, 0, true); err != nil {
			return nil, err
		}
	}
	var failures atomic.Int64
	var firstErr atomic.Value
	start := time.Now()
	deadline := start.Add(d)
	var wg sync.WaitGroup
	for _, c := range cs {
		wg.Go(func() {
			for time.Now().Before(deadline) {
				life := time.Duration(200+rand.IntN(2800)) * time.Millisecond
				if err := c.session(ctx, acks, min(life, time.Until(deadline)), false); err != nil {
					failures.Add(1)
					firstErr.CompareAndSwap(nil, err.Error())
				}
			}
			// A last visit: catch up with since, resend what is pending.
			if err := c.session(ctx, acks, 0, true); err != nil {
				failures.Add(1)
				firstErr.CompareAndSwap(nil, err.Error())
			}
		})
	}
	wg.Wait()
	// Catch-up once more now that everyone has stopped talking: the last
	// visits overlapped with others' talk.
	for _, c := range cs {
		if err := c.session(ctx, acks, 0, true); err != nil {
			failures.Add(1)
		}
	}
	talked := time.Since(start)
	lastSay := time.Now()

	var acked, lost, dups, sessions, pending int
	for room, seqs := range acks.seqs {
		acked += len(seqs)
		for _, c := range cs {
			if c.room != room {
				continue
			}
			for seq := range seqs {
				if seq > c.startCursor && !c.view[seq] {
					lost++
				}
			}
		}
	}
	for _, c := range cs {
		dups += c.dups
		sessions += c.sessions
		pending += len(c.pending)
	}
	// The heap is the process's, and the clients' record of every message
	// each saw is tens of megabytes: let it go before measuring, so that
	// what is left is the server's.
	cs, acks = nil, nil
	// Let the duplicate window pass, so JetStream forgets the ids.
	time.Sleep(time.Until(lastSay.Add(dedup + 2*time.Second)))
	after := settledSnapshot(15 * time.Second)
	writeHeapProfile(heapAfter)
	s := &section{title: "Soak: connect, chat, drop, reconnect",
		header: []string{"measure", "value", "target"}}
	mb := func(b uint64) string { return fmt.Sprintf("%.1f MB", float64(b)/1e6) }
	s.rows = [][]string{
		{"clients × rooms, time", fmt.Sprintf("%d × %d rooms, %s", clients, rooms, talked.Round(time.Second)), ""},
		{"sessions (connect, join, say, abrupt drop)", strconv.Itoa(sessions), ""},
		{"messages acked", strconv.Itoa(acked), ""},
		{"lost (acked, missing from a member's view after catch-up)", strconv.Itoa(lost), "0 — " + verdict(lost == 0)},
		{"duplicated deliveries", strconv.Itoa(dups), "0 — " + verdict(dups == 0)},
		{"says never acked", strconv.Itoa(pending), "0 — " + verdict(pending == 0)},
		{"failed sessions", strconv.Itoa(int(failures.Load())), ""},
		{"goroutines before / after", fmt.Sprintf("%d / %d", before.goroutines, after.goroutines), "no growth — " + verdict(after.goroutines <= before.goroutines+5)},
		{"heap in use before / after (after GC)", mb(before.heap) + " / " + mb(after.heap), fmt.Sprintf("%.2f× — no leak: %s", float64(after.heap)/float64(before.heap), verdict(after.heap <= before.heap*3/2+4<<20))},
	}
	s.notes = append(s.notes, "Server in-process (embedded JetStream), so goroutines and heap are the process's, client included: once every client is gone, both must be back where they were. "+
		"Each session joins with since = the last seq the client saw, resends its unacked says with the same ids, says a few messages 50–300 ms apart for 0.2–3 s, and drops the TCP connection without a close frame. "+
		"Every client joins once before anyone talks, and visits again at the end to catch up, so its view must hold every acked message of its room. Rate limit lifted. "+
		"The duplicate window is 15 s for this run, and the second snapshot waits until it has passed since the last message: the ids JetStream keeps for the window are state, not a leak.")
	if e, ok := firstErr.Load().(string); ok {
		s.notes = append(s.notes, "first failed session: "+e)
	}
	s.notes = append(s.notes, "What the heap gained between the two snapshots (`go tool pprof -top -diff_base`, in-use bytes):\n\n"+
		pprofTop(heapAfter, 12, "-sample_index=inuse_space", "-diff_base="+heapBefore))
	return s, nil
}
