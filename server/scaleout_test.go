package main

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"

	"socketlab/app/msg"
)

// TestScaleOut runs the deployment the README describes: one nats-server
// -js and two socketlab processes on it, with chat clients on both. What
// one replica's client says reaches the other's in the same order with the
// same seq; presence spans replicas; a killed replica's users leave
// presence within the timeout; and after a replica is killed and NATS
// restarted, every acknowledged message is still in the history.
func TestScaleOut(t *testing.T) {
	nats := startNATS(t)
	bin := buildBinary(t)
	replica := func() (kill func(), addr string) {
		cmd, addr, exited := startBuilt(t, bin, "-nats-url", nats.URL(), "-plot-addr", "", "-plot-demo=false", "-data", t.TempDir())
		return func() { cmd.Process.Kill(); <-exited }, addr
	}
	killA, addrA := replica()
	_, addrB := replica()

	alice := dialChat(t, addrA, "alice")
	bob := dialChat(t, addrB, "bob")
	alice.join("lobby", 0)
	bob.join("lobby", 0)
	alice.waitPresence("alice", "bob")
	bob.waitPresence("alice", "bob")

	// alice's nick is hers on every replica: B, which shows her, refuses
	// it to another session.
	impostor := dialChat(t, addrB, "impostor")
	impostor.send(msg.Chat{Type: msg.ChatJoin, Room: "lobby", Nick: "Alice", Token: "token-of-someone-else-0123"})
	if e := impostor.waitFor("an error", func(e msg.Chat) bool { return e.Type == msg.ChatError }); e.Code != msg.ErrNickTaken {
		t.Fatalf("joining as Alice on B, held on A: %+v, want %s", e, msg.ErrNickTaken)
	}

	// Both talk at once, each on its replica.
	const each = 15 // within the rate limit's burst (20, the join included)
	var wg sync.WaitGroup
	for _, c := range []*chatClient{alice, bob} {
		wg.Go(func() {
			for i := range each {
				c.say("lobby", fmt.Sprint(c.nick, i), fmt.Sprintf("%s says %d", c.nick, i))
			}
		})
	}
	wg.Wait()
	acked := map[string]uint64{}
	for _, c := range []*chatClient{alice, bob} {
		for i := range each {
			acked[fmt.Sprint(c.nick, i)] = c.waitAck(fmt.Sprint(c.nick, i))
		}
	}
	seqA := alice.waitMsgs("lobby", 2*each)
	seqB := bob.waitMsgs("lobby", 2*each)
	if !slices.Equal(seqA, seqB) {
		t.Fatalf("replicas delivered different orders:\nA: %v\nB: %v", seqA, seqB)
	}
	if !slices.IsSorted(seqA) {
		t.Fatalf("seqs not increasing: %v", seqA)
	}
	for _, m := range alice.msgList("lobby") {
		if acked[m.ID] != m.Seq {
			t.Fatalf("message %s delivered with seq %d, acked with %d", m.ID, m.Seq, acked[m.ID])
		}
	}
	// History agrees too: a newcomer on B sees what A's client saw.
	carol := dialChat(t, addrB, "carol")
	carol.join("lobby", 0)
	if got := carol.msgSeqs("lobby"); !slices.Equal(got, seqA) {
		t.Fatalf("history on B: %v, want %v", got, seqA)
	}
	alice.waitPresence("alice", "bob", "carol")

	// Replica A dies without a word: its users leave presence on B within
	// the timeout (chat.PresenceTimeout, 15s, plus the sweep).
	killA()
	start := time.Now()
	bob.waitPresenceWithin(30*time.Second, "bob", "carol")
	t.Logf("a killed replica's users left presence after %v", time.Since(start).Round(100*time.Millisecond))

	// NATS goes away: B keeps serving, and a say is refused as unavailable
	// (not lost, not hanging) until NATS is back.
	nats.kill()
	bob.say("lobby", "during", "said while NATS was down")
	if e := bob.waitFor("an error for the say", func(e msg.Chat) bool { return e.Type == msg.ChatError && e.ID == "during" }); e.Code != msg.ErrUnavailable {
		t.Fatalf("say during the outage: %+v, want code %s", e, msg.ErrUnavailable)
	}
	nats.start()
	// The client resends the same id, as the page does, until it is acked.
	var duringSeq uint64
	for deadline := time.Now().Add(60 * time.Second); duringSeq == 0; {
		if time.Now().After(deadline) {
			t.Fatal("no ack for the resent message 60s after NATS restarted")
		}
		bob.say("lobby", "during", "said while NATS was down")
		e := bob.waitFor("ack or error", func(e msg.Chat) bool {
			return e.ID == "during" && (e.Type == msg.ChatAck || e.Type == msg.ChatError)
		})
		if e.Type == msg.ChatAck {
			duringSeq = e.Seq
		} else {
			time.Sleep(500 * time.Millisecond) // the page's retry pace; bounded by the deadline
		}
	}
	acked["during"] = duringSeq
	// Bob's socket stayed up: the feed resumed and brought it live.
	// (It may come before or after the ack, so look at all that arrived.)
	for deadline := time.Now().Add(30 * time.Second); !slices.ContainsFunc(bob.msgList("lobby"), func(m msg.Chat) bool {
		return m.ID == "during" && m.Seq == duringSeq
	}); {
		if time.Now().After(deadline) {
			t.Fatal("bob: the message acked after NATS restarted never arrived live")
		}
		time.Sleep(50 * time.Millisecond) // polling interval, bounded by the deadline
	}

	// A replica started after all this serves every acked message, once.
	_, addrA2 := replica()
	dave := dialChat(t, addrA2, "dave")
	dave.join("lobby", 0)
	got := map[string]uint64{}
	for _, m := range dave.msgList("lobby") {
		if _, dup := got[m.ID]; dup {
			t.Fatalf("message %s twice in history", m.ID)
		}
		got[m.ID] = m.Seq
	}
	for id, seq := range acked {
		if got[id] != seq {
			t.Fatalf("acked message %s (seq %d) is %d in history after the restarts; history: %v", id, seq, got[id], got)
		}
	}
	dave.waitPresence("bob", "carol", "dave")
}

// chatClient is a raw /ws/chat client that records what it receives.
type chatClient struct {
	t    *testing.T
	nick string
	ws   *websocket.Conn

	mu     sync.Mutex
	got    []msg.Chat
	views  [][]string // the presence view after each of got
	badPre []string   // presence changes that did not fit the view
	next   int
	err    error
	notify chan struct{}
}

func dialChat(t *testing.T, addr, nick string) *chatClient {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	ws, _, err := websocket.Dial(ctx, "ws://"+addr+msg.ChatPath, nil)
	if err != nil {
		t.Fatalf("%s: dial: %v", nick, err)
	}
	ws.SetReadLimit(msg.ChatReadLimit)
	c := &chatClient{t: t, nick: nick, ws: ws, notify: make(chan struct{}, 1)}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			_, data, err := ws.Read(context.Background())
			var env msg.Chat
			if err == nil {
				json.Unmarshal(data, &env)
			}
			c.mu.Lock()
			if err != nil {
				c.err = err
			} else {
				c.got = append(c.got, env)
				c.views = append(c.views, c.applyPresence(env))
			}
			c.mu.Unlock()
			select {
			case c.notify <- struct{}{}:
			default:
			}
			if err != nil {
				return
			}
		}
	}()
	t.Cleanup(func() { ws.CloseNow(); <-done })
	return c
}

func (c *chatClient) send(env msg.Chat) {
	c.t.Helper()
	b, _ := json.Marshal(env)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := c.ws.Write(ctx, websocket.MessageText, b); err != nil {
		c.t.Errorf("%s: send: %v", c.nick, err)
	}
}

func (c *chatClient) say(room, id, text string) {
	c.send(msg.Chat{Type: msg.ChatSay, Room: room, ID: id, Text: text})
}

// join joins room and waits for the catch-up to end.
func (c *chatClient) join(room string, since uint64) {
	c.t.Helper()
	c.send(msg.Chat{Type: msg.ChatJoin, Room: room, Nick: c.nick, Token: "token-of-" + c.nick + "-0123456789", Since: since})
	c.waitFor("synced", func(e msg.Chat) bool { return e.Type == msg.ChatSynced && e.Room == room })
}

// waitFor returns the first envelope after the last one it returned that
// matches ok, failing after a deadline or when the socket ends.
func (c *chatClient) waitFor(what string, ok func(msg.Chat) bool) msg.Chat {
	c.t.Helper()
	return c.waitWithin(30*time.Second, what, ok)
}

func (c *chatClient) waitWithin(d time.Duration, what string, ok func(msg.Chat) bool) msg.Chat {
	c.t.Helper()
	return c.waitView(d, what, func(e msg.Chat, _ []string) bool { return ok(e) })
}

// waitView is waitWithin with the presence view after each envelope.
func (c *chatClient) waitView(d time.Duration, what string, ok func(msg.Chat, []string) bool) msg.Chat {
	c.t.Helper()
	deadline := time.NewTimer(d)
	defer deadline.Stop()
	for {
		c.mu.Lock()
		for i := c.next; i < len(c.got); i++ {
			if ok(c.got[i], c.views[i]) {
				c.next = i + 1
				e := c.got[i]
				c.mu.Unlock()
				return e
			}
		}
		err := c.err
		c.mu.Unlock()
		if err != nil {
			c.t.Fatalf("%s: socket closed (%v) while waiting for %s", c.nick, err, what)
		}
		select {
		case <-c.notify:
		case <-deadline.C:
			c.t.Fatalf("%s: no %s within %v", c.nick, what, d)
		}
	}
}

func (c *chatClient) waitAck(id string) uint64 {
	c.t.Helper()
	return c.waitFor("ack of "+id, func(e msg.Chat) bool { return e.Type == msg.ChatAck && e.ID == id }).Seq
}

func (c *chatClient) waitPresence(nicks ...string) {
	c.t.Helper()
	c.waitPresenceWithin(30*time.Second, nicks...)
}

// waitPresenceWithin waits for a presence frame after which the client's
// view — the full list with the changes since applied — is nicks. It fails
// when a change did not fit the view: one missed or repeated.
func (c *chatClient) waitPresenceWithin(d time.Duration, nicks ...string) {
	c.t.Helper()
	c.waitView(d, fmt.Sprint("presence ", nicks), func(e msg.Chat, view []string) bool {
		return e.Type == msg.ChatPresence && slices.Equal(view, nicks)
	})
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.badPre) > 0 {
		c.t.Fatalf("%s: presence broken: %v", c.nick, c.badPre)
	}
}

// applyPresence returns the presence view after env: a welcome starts a
// join, whose full list comes next; changes apply to it. Called with c.mu
// held.
func (c *chatClient) applyPresence(env msg.Chat) []string {
	var view []string
	if n := len(c.views); n > 0 {
		view = c.views[n-1]
	}
	switch {
	case env.Type == msg.ChatWelcome:
		return nil
	case env.Type != msg.ChatPresence:
		return view
	case view == nil && !env.FullPresence():
		c.badPre = append(c.badPre, fmt.Sprintf("a change before the full list: %+v", env))
	}
	next, ok := msg.ApplyPresence(view, env)
	if !ok {
		c.badPre = append(c.badPre, fmt.Sprintf("%+v does not fit %q", env, view))
	}
	if next == nil {
		next = []string{}
	}
	return next
}

// msgList returns every msg envelope of room received so far.
func (c *chatClient) msgList(room string) []msg.Chat {
	c.mu.Lock()
	defer c.mu.Unlock()
	var ms []msg.Chat
	for _, e := range c.got {
		if e.Type == msg.ChatMsg && e.Room == room {
			ms = append(ms, e)
		}
	}
	return ms
}

func (c *chatClient) msgSeqs(room string) []uint64 {
	var seqs []uint64
	for _, m := range c.msgList(room) {
		seqs = append(seqs, m.Seq)
	}
	return seqs
}

// waitMsgs waits until n messages of room arrived and returns their seqs.
func (c *chatClient) waitMsgs(room string, n int) []uint64 {
	c.t.Helper()
	for deadline := time.Now().Add(30 * time.Second); ; {
		if seqs := c.msgSeqs(room); len(seqs) >= n {
			return seqs
		}
		if time.Now().After(deadline) {
			c.t.Fatalf("%s: %d messages in %s, want %d", c.nick, len(c.msgSeqs(room)), room, n)
		}
		select {
		case <-c.notify:
		case <-time.After(100 * time.Millisecond):
		}
	}
}
