package chat

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"socketlab/app/msg"
	"socketlab/internal/testkit"
)

func TestConversationPresenceHistory(t *testing.T) {
	s := startServer(t, Options{}, nil)
	ada := s.inLobby(t, "ada")
	ada.WaitPresence("ada")

	bob := s.inLobby(t, "bob")
	ada.WaitPresence("ada", "bob")
	bob.WaitPresence("ada", "bob")

	ada.Say("lobby", "a1", "hello bob")
	ack := ada.WaitFor("ack", testkit.IsType(msg.ChatAck))
	m := bob.WaitFor("ada's message", testkit.IsType(msg.ChatMsg))
	if ack.ID != "a1" || ack.Seq == 0 || m.Seq != ack.Seq || m.Nick != "ada" || m.Text != "hello bob" || m.ID != "a1" || m.Time == 0 {
		t.Fatalf("ack %+v, message %+v", ack, m)
	}
	// The ack and her own message (from the stream) come in either order.
	testkit.Eventually(t, 15*time.Second, "ada's own message, from the stream", func() bool { return len(ada.Msgs("lobby")) == 1 })
	bob.Say("lobby", "b1", "hi ada")
	testkit.Eventually(t, 15*time.Second, "bob's reply", func() bool { return len(ada.Msgs("lobby")) == 2 })
	if m := ada.Msgs("lobby")[1]; m.Text != "hi ada" || m.Seq <= ack.Seq || m.Nick != "bob" {
		t.Fatalf("reply %+v", m)
	}

	// A third joining later sees the history, then synced.
	carol := s.inLobby(t, "carol")
	if ms := carol.Msgs("lobby"); len(ms) != 2 || ms[0].Text != "hello bob" || ms[1].Text != "hi ada" {
		t.Fatalf("carol's history: %+v", ms)
	}
	ada.WaitPresence("ada", "bob", "carol")

	// Leaving and disconnecting both update presence.
	bob.Send(msg.Chat{Type: msg.ChatLeave, Room: "lobby"})
	ada.WaitPresence("ada", "carol")
	carol.Close()
	ada.WaitPresence("ada")
	// Bob is still connected but in no room: a say is refused, not dropped.
	bob.Say("lobby", "b2", "still here?")
	if e := bob.WaitFor("not_joined", testkit.IsType(msg.ChatError)); e.Code != msg.ErrNotJoined || e.ID != "b2" {
		t.Fatalf("say after leave: %+v", e)
	}
}

func TestNickHeldBySessionToken(t *testing.T) {
	s := startServer(t, Options{}, nil)
	ada := testkit.DialChat(t, s.url, "ada")
	ada.Join("lobby", "Ada", 0)

	// Another session cannot take the nick, in any case spelling.
	mallory := testkit.DialChat(t, s.url, "mallory")
	mallory.Send(msg.Chat{Type: msg.ChatJoin, Room: "lobby", Nick: "ada", Token: testkit.ChatToken("mallory")})
	if e := mallory.WaitFor("nick_taken", testkit.IsType(msg.ChatError)); e.Code != msg.ErrNickTaken {
		t.Fatalf("got %+v", e)
	}
	// …but the same nick in another room is another person.
	mallory.Join("other", "ada", 0)

	// Ada drops: the nick stays hers for the hold time.
	ada.WS.CloseNow()
	ada.WaitClosed()
	watcher := s.inLobby(t, "watcher")
	watcher.WaitPresence("watcher")
	mallory.Send(msg.Chat{Type: msg.ChatJoin, Room: "lobby", Nick: "ADA", Token: testkit.ChatToken("mallory")})
	mallory.WaitFor("nick_taken while held", testkit.IsErr(msg.ErrNickTaken))

	// Her own token gets it back.
	ada2 := testkit.DialChat(t, s.url, "ada")
	ada2.Join("lobby", "Ada", 0)
	watcher.WaitPresence("Ada", "watcher")

	// An explicit leave releases it at once.
	ada2.Send(msg.Chat{Type: msg.ChatLeave, Room: "lobby"})
	watcher.WaitPresence("watcher")
	mallory.Join("lobby", "ADA", 0)
	watcher.WaitPresence("ADA", "watcher")
}

func TestOrderingAcrossConcurrentSenders(t *testing.T) {
	const senders, each = 50, 10
	// Every watcher gets all 500 messages in one burst: a queue that holds
	// them all keeps a busy test machine from cutting a watcher as too slow
	// (that behaviour has tests of its own).
	s := startServer(t, Options{SendQueue: 2 * senders * each}, nil)
	watchers := []*testkit.ChatClient{testkit.DialChat(t, s.url, "w1"), testkit.DialChat(t, s.url, "w2")}
	for i, w := range watchers {
		w.Join("lobby", fmt.Sprint("watcher", i), 0)
	}
	clients := make([]*testkit.ChatClient, senders)
	for i := range clients {
		clients[i] = testkit.DialChat(t, s.url, fmt.Sprint("s", i))
		clients[i].Join("lobby", fmt.Sprint("s", i), 0)
	}
	var wg sync.WaitGroup
	for i, c := range clients {
		wg.Go(func() {
			for j := range each {
				c.Say("lobby", fmt.Sprintf("s%d-%d", i, j), fmt.Sprintf("%d/%d", i, j))
			}
		})
	}
	wg.Wait()
	for _, c := range clients {
		for range each {
			c.WaitFor("ack", testkit.IsType(msg.ChatAck))
		}
	}
	var orders [][]uint64
	for _, w := range watchers {
		testkit.Eventually(t, 15*time.Second, w.Name+" to see every message", func() bool { return len(w.Msgs("lobby")) >= senders*each })
		ms := w.Msgs("lobby")
		if len(ms) != senders*each {
			t.Fatalf("%s saw %d messages, want %d", w.Name, len(ms), senders*each)
		}
		var seqs []uint64
		next := map[string]int{} // per sender, the next text expected
		for _, m := range ms {
			seqs = append(seqs, m.Seq)
			want := fmt.Sprintf("%s/%d", strings.TrimPrefix(m.Nick, "s"), next[m.Nick])
			if m.Text != want {
				t.Fatalf("%s: %s's messages out of order: got %q, want %q", w.Name, m.Nick, m.Text, want)
			}
			next[m.Nick]++
		}
		if !slices.IsSorted(seqs) || len(slices.Compact(slices.Clone(seqs))) != len(seqs) {
			t.Fatalf("%s: seqs not strictly increasing: %v", w.Name, seqs)
		}
		orders = append(orders, seqs)
	}
	if !slices.Equal(orders[0], orders[1]) {
		t.Fatal("the watchers saw different orders")
	}
	// Every sender sees the same order too.
	for _, c := range clients[:3] {
		var seqs []uint64
		testkit.Eventually(t, 15*time.Second, c.Name+" to see every message", func() bool { return len(c.Msgs("lobby")) >= senders*each })
		for _, m := range c.Msgs("lobby") {
			seqs = append(seqs, m.Seq)
		}
		if !slices.Equal(seqs, orders[0]) {
			t.Fatalf("%s saw another order", c.Name)
		}
	}
}

func TestResendIsIdempotent(t *testing.T) {
	s := startServer(t, Options{}, nil)
	w := s.inLobby(t, "w")
	ada := s.inLobby(t, "ada")

	ada.Say("lobby", "same-id", "once")
	first := ada.WaitFor("first ack", testkit.IsType(msg.ChatAck))
	ada.Say("lobby", "same-id", "once")
	second := ada.WaitFor("second ack", testkit.IsType(msg.ChatAck))
	// After a reconnect, as an outbox would.
	ada.WS.CloseNow()
	ada2 := testkit.DialChat(t, s.url, "ada")
	ada2.Join("lobby", "ada", first.Seq)
	ada2.Say("lobby", "same-id", "once")
	third := ada2.WaitFor("third ack", testkit.IsType(msg.ChatAck))
	if first.Seq == 0 || second.Seq != first.Seq || third.Seq != first.Seq {
		t.Fatalf("acks %d %d %d: a resend must be acked with the stored seq", first.Seq, second.Seq, third.Seq)
	}
	ada2.Say("lobby", "other-id", "sentinel")
	w.WaitFor("sentinel", func(e msg.Chat) bool { return e.Type == msg.ChatMsg && e.ID == "other-id" })
	// The stats are counted just before the ack is sent; the watcher can see
	// the message from the stream before that.
	ada2.WaitFor("sentinel ack", func(e msg.Chat) bool { return e.Type == msg.ChatAck && e.ID == "other-id" })
	if ms := w.Msgs("lobby"); len(ms) != 2 || ms[0].ID != "same-id" {
		t.Fatalf("watcher saw %+v, want the message once then the sentinel", ms)
	}
	if published, dups := s.metric(t, "chat_published_total"), s.metric(t, "chat_duplicates_total"); published != 2 || dups != 2 {
		t.Fatalf("published %v, duplicates %v, want 2 and 2", published, dups)
	}
}

func TestReconnectWithSinceGetsExactlyWhatWasMissed(t *testing.T) {
	s := startServer(t, Options{}, nil)
	ada := s.inLobby(t, "ada")
	bob := s.inLobby(t, "bob")
	for i := range 3 {
		ada.Say("lobby", fmt.Sprint("a", i), fmt.Sprint("before ", i))
	}
	testkit.Eventually(t, 15*time.Second, "bob to see 3", func() bool { return len(bob.Msgs("lobby")) == 3 })
	last := bob.Msgs("lobby")[2].Seq
	bob.WS.CloseNow()
	for i := range 4 {
		ada.Say("lobby", fmt.Sprint("b", i), fmt.Sprint("missed ", i))
	}
	testkit.Eventually(t, 15*time.Second, "ada to see 7", func() bool { return len(ada.Msgs("lobby")) == 7 })

	bob2 := testkit.DialChat(t, s.url, "bob")
	bob2.Join("lobby", "bob", last)
	ms := bob2.Msgs("lobby")
	if len(ms) != 4 || ms[0].Text != "missed 0" || ms[3].Text != "missed 3" {
		t.Fatalf("catch-up: %+v", ms)
	}
	// And live after synced, with no duplicate of the catch-up.
	ada.Say("lobby", "c", "live")
	bob2.WaitFor("live message", func(e msg.Chat) bool { return e.Type == msg.ChatMsg && e.Text == "live" })
	if n := len(bob2.Msgs("lobby")); n != 5 {
		t.Fatalf("bob saw %d messages after reconnecting, want 5", n)
	}
}

func TestJoinWithUnknownSinceResets(t *testing.T) {
	s := startServer(t, Options{}, nil)
	ada := s.inLobby(t, "ada")
	ada.Say("lobby", "a", "the only message")
	ada.WaitFor("ack", testkit.IsType(msg.ChatAck))
	// A client that remembers seq 500 from a store that was wiped.
	bob := testkit.DialChat(t, s.url, "bob")
	bob.Send(msg.Chat{Type: msg.ChatJoin, Room: "lobby", Nick: "bob", Token: testkit.ChatToken("bob"), Since: 500})
	if w := bob.WaitFor("welcome", testkit.IsType(msg.ChatWelcome)); !w.Reset {
		t.Fatalf("welcome %+v: want reset", w)
	}
	bob.WaitFor("synced", testkit.IsType(msg.ChatSynced))
	if ms := bob.Msgs("lobby"); len(ms) != 1 {
		t.Fatalf("after a reset: %+v, want the history", ms)
	}
}

// Each socket gets the room's full list once, right after its join's
// synced, and then exactly the changes — on join, leave and disconnect —
// so that its view is always who is in the room.
func TestPresenceFullListThenChangesOverSockets(t *testing.T) {
	s := startServer(t, Options{}, nil)
	const p = `{"type":"presence","room":"lobby",`
	ada, bob, cy := testkit.DialChat(t, s.url, "ada"), testkit.DialChat(t, s.url, "bob"), testkit.DialChat(t, s.url, "cy")
	ada.Join("lobby", "ada", 0)
	bob.Join("lobby", "bob", 0)
	cy.Join("lobby", "cy", 0)
	ada.WaitPresence("ada", "bob", "cy")
	bob.WaitPresence("ada", "bob", "cy")
	cy.WaitPresence("ada", "bob", "cy")

	bob.Send(msg.Chat{Type: msg.ChatLeave, Room: "lobby"})
	ada.WaitPresence("ada", "cy")
	cy.WaitPresence("ada", "cy")
	cy.Close()
	ada.WaitPresence("ada")

	// A late joiner: the full list, then changes, like everyone.
	dan := s.inLobby(t, "dan")
	dan.WaitPresence("ada", "dan")
	bob.Join("lobby", "bob", 0)
	for _, c := range []*testkit.ChatClient{ada, bob, dan} {
		c.WaitPresence("ada", "bob", "dan")
	}
	// The full list comes right after synced, before anything else.
	if ts := dan.Types(); len(ts) < 3 || ts[1] != msg.ChatSynced || ts[2] != msg.ChatPresence {
		t.Errorf("dan got %v: want welcome, synced, presence first", ts)
	}

	for _, c := range []struct {
		c    *testkit.ChatClient
		want []string
	}{
		{ada, []string{p + `"nicks":["ada"]}`, p + `"joined":["bob"]}`, p + `"joined":["cy"]}`,
			p + `"left":["bob"]}`, p + `"left":["cy"]}`, p + `"joined":["dan"]}`, p + `"joined":["bob"]}`}},
		{bob, []string{p + `"nicks":["ada","bob"]}`, p + `"joined":["cy"]}`, p + `"nicks":["ada","bob","dan"]}`}},
		{cy, []string{p + `"nicks":["ada","bob","cy"]}`, p + `"left":["bob"]}`}},
		{dan, []string{p + `"nicks":["ada","dan"]}`, p + `"joined":["bob"]}`}},
	} {
		c.c.CheckPresence()
		if got := c.c.Presences(); !slices.Equal(got, c.want) {
			t.Errorf("%s got\n\t%s\nwant\n\t%s", c.c.Name, strings.Join(got, "\n\t"), strings.Join(c.want, "\n\t"))
		}
	}
}
