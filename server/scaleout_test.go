package main

import (
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"socketlab/app/msg"
	"socketlab/internal/testkit"
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

	// Across replicas and NATS restarts, each wait may take 30 s.
	dialChat := func(addr, nick string) *testkit.ChatClient {
		c := testkit.DialChat(t, addr, nick)
		c.Timeout = 30 * time.Second
		return c
	}
	alice := dialChat(addrA, "alice")
	bob := dialChat(addrB, "bob")
	alice.Join("lobby", alice.Name, 0)
	bob.Join("lobby", bob.Name, 0)
	alice.WaitPresence("alice", "bob")
	bob.WaitPresence("alice", "bob")

	// alice's nick is hers on every replica: B, which shows her, refuses
	// it to another session.
	impostor := dialChat(addrB, "impostor")
	impostor.Send(msg.Chat{Type: msg.ChatJoin, Room: "lobby", Nick: "Alice", Token: "token-of-someone-else-0123"})
	if e := impostor.WaitFor("an error", func(e msg.Chat) bool { return e.Type == msg.ChatError }); e.Code != msg.ErrNickTaken {
		t.Fatalf("joining as Alice on B, held on A: %+v, want %s", e, msg.ErrNickTaken)
	}

	// Both talk at once, each on its replica.
	const each = 15 // within the rate limit's burst (20, the join included)
	var wg sync.WaitGroup
	for _, c := range []*testkit.ChatClient{alice, bob} {
		wg.Go(func() {
			for i := range each {
				c.Say("lobby", fmt.Sprint(c.Name, i), fmt.Sprintf("%s says %d", c.Name, i))
			}
		})
	}
	wg.Wait()
	acked := map[string]uint64{}
	for _, c := range []*testkit.ChatClient{alice, bob} {
		for i := range each {
			acked[fmt.Sprint(c.Name, i)] = c.WaitAck(fmt.Sprint(c.Name, i))
		}
	}
	seqA := alice.WaitMsgs("lobby", 2*each)
	seqB := bob.WaitMsgs("lobby", 2*each)
	if !slices.Equal(seqA, seqB) {
		t.Fatalf("replicas delivered different orders:\nA: %v\nB: %v", seqA, seqB)
	}
	if !slices.IsSorted(seqA) {
		t.Fatalf("seqs not increasing: %v", seqA)
	}
	for _, m := range alice.Msgs("lobby") {
		if acked[m.ID] != m.Seq {
			t.Fatalf("message %s delivered with seq %d, acked with %d", m.ID, m.Seq, acked[m.ID])
		}
	}
	// History agrees too: a newcomer on B sees what A's client saw.
	carol := dialChat(addrB, "carol")
	carol.Join("lobby", carol.Name, 0)
	if got := carol.Seqs("lobby"); !slices.Equal(got, seqA) {
		t.Fatalf("history on B: %v, want %v", got, seqA)
	}
	alice.WaitPresence("alice", "bob", "carol")

	// Replica A dies without a word: its users leave presence on B within
	// the timeout (chat.PresenceTimeout, 15s, plus the sweep).
	killA()
	start := time.Now()
	bob.WaitPresenceWithin(30*time.Second, "bob", "carol")
	t.Logf("a killed replica's users left presence after %v", time.Since(start).Round(100*time.Millisecond))

	// NATS goes away: B keeps serving, and a say is refused as unavailable
	// (not lost, not hanging) until NATS is back.
	nats.kill()
	bob.Say("lobby", "during", "said while NATS was down")
	if e := bob.WaitFor("an error for the say", func(e msg.Chat) bool { return e.Type == msg.ChatError && e.ID == "during" }); e.Code != msg.ErrUnavailable {
		t.Fatalf("say during the outage: %+v, want code %s", e, msg.ErrUnavailable)
	}
	nats.start()
	// The client resends the same id, as the page does, until it is acked.
	var duringSeq uint64
	for deadline := time.Now().Add(60 * time.Second); duringSeq == 0; {
		if time.Now().After(deadline) {
			t.Fatal("no ack for the resent message 60s after NATS restarted")
		}
		bob.Say("lobby", "during", "said while NATS was down")
		e := bob.WaitFor("ack or error", func(e msg.Chat) bool {
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
	testkit.Eventually(t, 30*time.Second, "bob: the message acked after NATS restarted, live", func() bool {
		return slices.ContainsFunc(bob.Msgs("lobby"), func(m msg.Chat) bool { return m.ID == "during" && m.Seq == duringSeq })
	})

	// A replica started after all this serves every acked message, once.
	_, addrA2 := replica()
	dave := dialChat(addrA2, "dave")
	dave.Join("lobby", dave.Name, 0)
	got := map[string]uint64{}
	for _, m := range dave.Msgs("lobby") {
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
	dave.WaitPresence("bob", "carol", "dave")
}
