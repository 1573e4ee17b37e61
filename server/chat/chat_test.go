package chat

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/coder/websocket"

	"socketlab/app/msg"
)

func TestConversationPresenceHistory(t *testing.T) {
	s := startServer(t, Options{}, nil)
	ada := dial(t, s.url, "ada")
	ada.join("lobby", "ada", 0)
	ada.waitPresence("ada")

	bob := dial(t, s.url, "bob")
	bob.join("lobby", "bob", 0)
	ada.waitPresence("ada", "bob")
	bob.waitPresence("ada", "bob")

	ada.say("lobby", "a1", "hello bob")
	ack := ada.waitFor("ack", isType(msg.ChatAck))
	m := bob.waitFor("ada's message", isType(msg.ChatMsg))
	if ack.ID != "a1" || ack.Seq == 0 || m.Seq != ack.Seq || m.Nick != "ada" || m.Text != "hello bob" || m.ID != "a1" || m.Time == 0 {
		t.Fatalf("ack %+v, message %+v", ack, m)
	}
	// The ack and her own message (from the stream) come in either order.
	waitUntil(t, "ada's own message, from the stream", func() bool { return len(ada.msgs("lobby")) == 1 })
	bob.say("lobby", "b1", "hi ada")
	waitUntil(t, "bob's reply", func() bool { return len(ada.msgs("lobby")) == 2 })
	if m := ada.msgs("lobby")[1]; m.Text != "hi ada" || m.Seq <= ack.Seq || m.Nick != "bob" {
		t.Fatalf("reply %+v", m)
	}

	// A third joining later sees the history, then synced.
	carol := dial(t, s.url, "carol")
	carol.join("lobby", "carol", 0)
	if ms := carol.msgs("lobby"); len(ms) != 2 || ms[0].Text != "hello bob" || ms[1].Text != "hi ada" {
		t.Fatalf("carol's history: %+v", ms)
	}
	ada.waitPresence("ada", "bob", "carol")

	// Leaving and disconnecting both update presence.
	bob.send(msg.Chat{Type: msg.ChatLeave, Room: "lobby"})
	ada.waitPresence("ada", "carol")
	carol.ws.Close(websocket.StatusNormalClosure, "bye")
	ada.waitPresence("ada")
	// Bob is still connected but in no room: a say is refused, not dropped.
	bob.say("lobby", "b2", "still here?")
	if e := bob.waitFor("not_joined", isType(msg.ChatError)); e.Code != msg.ErrNotJoined || e.ID != "b2" {
		t.Fatalf("say after leave: %+v", e)
	}
}

func TestNickHeldBySessionToken(t *testing.T) {
	s := startServer(t, Options{}, nil)
	ada := dial(t, s.url, "ada")
	ada.join("lobby", "Ada", 0)

	// Another session cannot take the nick, in any case spelling.
	mallory := dial(t, s.url, "mallory")
	mallory.send(msg.Chat{Type: msg.ChatJoin, Room: "lobby", Nick: "ada", Token: token("mallory")})
	if e := mallory.waitFor("nick_taken", isType(msg.ChatError)); e.Code != msg.ErrNickTaken {
		t.Fatalf("got %+v", e)
	}
	// …but the same nick in another room is another person.
	mallory.join("other", "ada", 0)

	// Ada drops: the nick stays hers for the hold time.
	ada.ws.CloseNow()
	ada.waitClosed()
	watcher := dial(t, s.url, "watcher")
	watcher.join("lobby", "watcher", 0)
	watcher.waitPresence("watcher")
	mallory.send(msg.Chat{Type: msg.ChatJoin, Room: "lobby", Nick: "ADA", Token: token("mallory")})
	mallory.waitFor("nick_taken while held", isErr(msg.ErrNickTaken))

	// Her own token gets it back.
	ada2 := dial(t, s.url, "ada")
	ada2.join("lobby", "Ada", 0)
	watcher.waitPresence("Ada", "watcher")

	// An explicit leave releases it at once.
	ada2.send(msg.Chat{Type: msg.ChatLeave, Room: "lobby"})
	watcher.waitPresence("watcher")
	mallory.join("lobby", "ADA", 0)
	watcher.waitPresence("ADA", "watcher")
}

func TestOrderingAcrossConcurrentSenders(t *testing.T) {
	const senders, each = 50, 10
	// Every watcher gets all 500 messages in one burst: a queue that holds
	// them all keeps a busy test machine from cutting a watcher as too slow
	// (that behaviour has tests of its own).
	s := startServer(t, Options{SendQueue: 2 * senders * each}, nil)
	watchers := []*tclient{dial(t, s.url, "w1"), dial(t, s.url, "w2")}
	for i, w := range watchers {
		w.join("lobby", fmt.Sprint("watcher", i), 0)
	}
	clients := make([]*tclient, senders)
	for i := range clients {
		clients[i] = dial(t, s.url, fmt.Sprint("s", i))
		clients[i].join("lobby", fmt.Sprint("s", i), 0)
	}
	var wg sync.WaitGroup
	for i, c := range clients {
		wg.Go(func() {
			for j := range each {
				c.say("lobby", fmt.Sprintf("s%d-%d", i, j), fmt.Sprintf("%d/%d", i, j))
			}
		})
	}
	wg.Wait()
	for _, c := range clients {
		for range each {
			c.waitFor("ack", isType(msg.ChatAck))
		}
	}
	var orders [][]uint64
	for _, w := range watchers {
		waitUntil(t, w.name+" to see every message", func() bool { return len(w.msgs("lobby")) >= senders*each })
		ms := w.msgs("lobby")
		if len(ms) != senders*each {
			t.Fatalf("%s saw %d messages, want %d", w.name, len(ms), senders*each)
		}
		var seqs []uint64
		next := map[string]int{} // per sender, the next text expected
		for _, m := range ms {
			seqs = append(seqs, m.Seq)
			want := fmt.Sprintf("%s/%d", strings.TrimPrefix(m.Nick, "s"), next[m.Nick])
			if m.Text != want {
				t.Fatalf("%s: %s's messages out of order: got %q, want %q", w.name, m.Nick, m.Text, want)
			}
			next[m.Nick]++
		}
		if !slices.IsSorted(seqs) || len(slices.Compact(slices.Clone(seqs))) != len(seqs) {
			t.Fatalf("%s: seqs not strictly increasing: %v", w.name, seqs)
		}
		orders = append(orders, seqs)
	}
	if !slices.Equal(orders[0], orders[1]) {
		t.Fatal("the watchers saw different orders")
	}
	// Every sender sees the same order too.
	for _, c := range clients[:3] {
		var seqs []uint64
		waitUntil(t, c.name+" to see every message", func() bool { return len(c.msgs("lobby")) >= senders*each })
		for _, m := range c.msgs("lobby") {
			seqs = append(seqs, m.Seq)
		}
		if !slices.Equal(seqs, orders[0]) {
			t.Fatalf("%s saw another order", c.name)
		}
	}
}

func TestResendIsIdempotent(t *testing.T) {
	s := startServer(t, Options{}, nil)
	w := dial(t, s.url, "w")
	w.join("lobby", "w", 0)
	ada := dial(t, s.url, "ada")
	ada.join("lobby", "ada", 0)

	ada.say("lobby", "same-id", "once")
	first := ada.waitFor("first ack", isType(msg.ChatAck))
	ada.say("lobby", "same-id", "once")
	second := ada.waitFor("second ack", isType(msg.ChatAck))
	// After a reconnect, as an outbox would.
	ada.ws.CloseNow()
	ada2 := dial(t, s.url, "ada")
	ada2.join("lobby", "ada", first.Seq)
	ada2.say("lobby", "same-id", "once")
	third := ada2.waitFor("third ack", isType(msg.ChatAck))
	if first.Seq == 0 || second.Seq != first.Seq || third.Seq != first.Seq {
		t.Fatalf("acks %d %d %d: a resend must be acked with the stored seq", first.Seq, second.Seq, third.Seq)
	}
	ada2.say("lobby", "other-id", "sentinel")
	w.waitFor("sentinel", func(e msg.Chat) bool { return e.Type == msg.ChatMsg && e.ID == "other-id" })
	// The stats are counted just before the ack is sent; the watcher can see
	// the message from the stream before that.
	ada2.waitFor("sentinel ack", func(e msg.Chat) bool { return e.Type == msg.ChatAck && e.ID == "other-id" })
	if ms := w.msgs("lobby"); len(ms) != 2 || ms[0].ID != "same-id" {
		t.Fatalf("watcher saw %+v, want the message once then the sentinel", ms)
	}
	if published, dups := s.metric(t, "chat_published_total"), s.metric(t, "chat_duplicates_total"); published != 2 || dups != 2 {
		t.Fatalf("published %v, duplicates %v, want 2 and 2", published, dups)
	}
}

func TestReconnectWithSinceGetsExactlyWhatWasMissed(t *testing.T) {
	s := startServer(t, Options{}, nil)
	ada := dial(t, s.url, "ada")
	ada.join("lobby", "ada", 0)
	bob := dial(t, s.url, "bob")
	bob.join("lobby", "bob", 0)
	for i := range 3 {
		ada.say("lobby", fmt.Sprint("a", i), fmt.Sprint("before ", i))
	}
	waitUntil(t, "bob to see 3", func() bool { return len(bob.msgs("lobby")) == 3 })
	last := bob.msgs("lobby")[2].Seq
	bob.ws.CloseNow()
	for i := range 4 {
		ada.say("lobby", fmt.Sprint("b", i), fmt.Sprint("missed ", i))
	}
	waitUntil(t, "ada to see 7", func() bool { return len(ada.msgs("lobby")) == 7 })

	bob2 := dial(t, s.url, "bob")
	bob2.join("lobby", "bob", last)
	ms := bob2.msgs("lobby")
	if len(ms) != 4 || ms[0].Text != "missed 0" || ms[3].Text != "missed 3" {
		t.Fatalf("catch-up: %+v", ms)
	}
	// And live after synced, with no duplicate of the catch-up.
	ada.say("lobby", "c", "live")
	bob2.waitFor("live message", func(e msg.Chat) bool { return e.Type == msg.ChatMsg && e.Text == "live" })
	if n := len(bob2.msgs("lobby")); n != 5 {
		t.Fatalf("bob saw %d messages after reconnecting, want 5", n)
	}
}

func TestJoinWithUnknownSinceResets(t *testing.T) {
	s := startServer(t, Options{}, nil)
	ada := dial(t, s.url, "ada")
	ada.join("lobby", "ada", 0)
	ada.say("lobby", "a", "the only message")
	ada.waitFor("ack", isType(msg.ChatAck))
	// A client that remembers seq 500 from a store that was wiped.
	bob := dial(t, s.url, "bob")
	bob.send(msg.Chat{Type: msg.ChatJoin, Room: "lobby", Nick: "bob", Token: token("bob"), Since: 500})
	if w := bob.waitFor("welcome", isType(msg.ChatWelcome)); !w.Reset {
		t.Fatalf("welcome %+v: want reset", w)
	}
	bob.waitFor("synced", isType(msg.ChatSynced))
	if ms := bob.msgs("lobby"); len(ms) != 1 {
		t.Fatalf("after a reset: %+v, want the history", ms)
	}
}

// Each socket gets the room's full list once, right after its join's
// synced, and then exactly the changes — on join, leave and disconnect —
// so that its view is always who is in the room.
func TestPresenceFullListThenChangesOverSockets(t *testing.T) {
	s := startServer(t, Options{}, nil)
	const p = `{"type":"presence","room":"lobby",`
	ada, bob, cy := dial(t, s.url, "ada"), dial(t, s.url, "bob"), dial(t, s.url, "cy")
	ada.join("lobby", "ada", 0)
	bob.join("lobby", "bob", 0)
	cy.join("lobby", "cy", 0)
	ada.waitPresence("ada", "bob", "cy")
	bob.waitPresence("ada", "bob", "cy")
	cy.waitPresence("ada", "bob", "cy")

	bob.send(msg.Chat{Type: msg.ChatLeave, Room: "lobby"})
	ada.waitPresence("ada", "cy")
	cy.waitPresence("ada", "cy")
	cy.ws.Close(websocket.StatusNormalClosure, "bye")
	ada.waitPresence("ada")

	// A late joiner: the full list, then changes, like everyone.
	dan := dial(t, s.url, "dan")
	dan.join("lobby", "dan", 0)
	dan.waitPresence("ada", "dan")
	bob.join("lobby", "bob", 0)
	for _, c := range []*tclient{ada, bob, dan} {
		c.waitPresence("ada", "bob", "dan")
	}
	// The full list comes right after synced, before anything else.
	if ts := dan.types(); len(ts) < 3 || ts[1] != msg.ChatSynced || ts[2] != msg.ChatPresence {
		t.Errorf("dan got %v: want welcome, synced, presence first", ts)
	}

	for _, c := range []struct {
		c    *tclient
		want []string
	}{
		{ada, []string{p + `"nicks":["ada"]}`, p + `"joined":["bob"]}`, p + `"joined":["cy"]}`,
			p + `"left":["bob"]}`, p + `"left":["cy"]}`, p + `"joined":["dan"]}`, p + `"joined":["bob"]}`}},
		{bob, []string{p + `"nicks":["ada","bob"]}`, p + `"joined":["cy"]}`, p + `"nicks":["ada","bob","dan"]}`}},
		{cy, []string{p + `"nicks":["ada","bob","cy"]}`, p + `"left":["bob"]}`}},
		{dan, []string{p + `"nicks":["ada","dan"]}`, p + `"joined":["bob"]}`}},
	} {
		c.c.checkPresence()
		if got := c.c.presences(); !slices.Equal(got, c.want) {
			t.Errorf("%s got\n\t%s\nwant\n\t%s", c.c.name, strings.Join(got, "\n\t"), strings.Join(c.want, "\n\t"))
		}
	}
}
