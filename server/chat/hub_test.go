package chat

import (
	"maps"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"socketlab/app/msg"
	"socketlab/server/natsstore"
)

// The fan-out queues one shared *out to every socket of a room: one
// encoding, one allocation, whatever the room's size.
func TestDeliverSharesOneFrame(t *testing.T) {
	h := newHub(time.Minute)
	var kicks atomic.Int64
	a, b := newClient(nil, 8, &kicks), newClient(nil, 8, &kicks)
	for i, c := range []*client{a, b} {
		if err := h.join(c, joinReq{room: "r", nick: []string{"ada", "bob"}[i]}, "token-"+[]string{"ada", "bob"}[i]+"-0123456789"); err != nil {
			t.Fatal(err)
		}
	}
	drain := func(c *client) *out {
		var last *out
		if q := c.take(); len(q) > 0 {
			last = q[len(q)-1]
		}
		return last
	}
	drain(a)
	drain(b)
	h.deliver(natsstore.Message{Room: "r", Seq: 7, ID: "x", Nick: "ada", Text: "hi", Time: time.Now()})
	oa, ob := drain(a), drain(b)
	if oa == nil || ob == nil {
		t.Fatal("a socket of the room got nothing")
	}
	if oa != ob {
		t.Error("each socket got its own copy of the message")
	}
	if oa.seq != 7 || oa.room != "r" || len(oa.frame) == 0 {
		t.Errorf("queued %+v", oa)
	}
	if got := h.delivered.Load(); got != 2 {
		t.Errorf("delivered = %d, want 2", got)
	}
}

// queued drains what the hub queued for c: "join" for a catch-up, else the
// frame.
func queued(c *client) []string {
	var got []string
	for _, o := range c.take() {
		if o.join != nil {
			got = append(got, "join "+o.join.room)
		} else {
			got = append(got, string(o.frame))
		}
	}
	return got
}

func expectQueued(t *testing.T, who string, c *client, want ...string) {
	t.Helper()
	if got := queued(c); !slices.Equal(got, want) {
		t.Errorf("%s got\n\t%s\nwant\n\t%s", who, strings.Join(got, "\n\t"), strings.Join(want, "\n\t"))
	}
}

// A joiner gets the full list right after its catch-up; everyone else gets
// only the change, and only when there is one.
func TestPresenceFullListThenChanges(t *testing.T) {
	h := newHub(time.Minute)
	var kicks atomic.Int64
	sock := func() *client { return newClient(nil, 64, &kicks) }
	join := func(c *client, room, nick string) {
		t.Helper()
		if err := h.join(c, joinReq{room: room, nick: nick}, "token-of-"+nick+"-0123456789"); err != nil {
			t.Fatal(err)
		}
	}
	const p = `{"type":"presence","room":"lobby",`
	ada, bob, cy, ada2 := sock(), sock(), sock(), sock()

	join(ada, "lobby", "ada")
	expectQueued(t, "ada", ada, "join lobby", p+`"nicks":["ada"]}`)

	join(bob, "lobby", "bob")
	expectQueued(t, "ada", ada, p+`"joined":["bob"]}`)
	expectQueued(t, "bob", bob, "join lobby", p+`"nicks":["ada","bob"]}`)

	join(cy, "lobby", "cy")
	expectQueued(t, "ada", ada, p+`"joined":["cy"]}`)
	expectQueued(t, "bob", bob, p+`"joined":["cy"]}`)
	expectQueued(t, "cy", cy, "join lobby", p+`"nicks":["ada","bob","cy"]}`)

	// A second tab of ada's: she is listed already, so nobody hears of it;
	// and closing one of her two tabs takes her off nobody's list.
	join(ada2, "lobby", "ada")
	expectQueued(t, "ada's second tab", ada2, "join lobby", p+`"nicks":["ada","bob","cy"]}`)
	h.leave(ada2, false)
	for _, c := range []*client{ada, bob, cy, ada2} {
		expectQueued(t, "after a second tab", c)
	}

	// An explicit leave and a disconnect both take the nick off.
	h.leave(bob, true)
	expectQueued(t, "ada", ada, p+`"left":["bob"]}`)
	expectQueued(t, "cy", cy, p+`"left":["bob"]}`)
	expectQueued(t, "bob, gone", bob)
	h.leave(cy, false)
	expectQueued(t, "ada", ada, p+`"left":["cy"]}`)

	// Moving to another room leaves this one.
	join(bob, "lobby", "bob")
	expectQueued(t, "ada", ada, p+`"joined":["bob"]}`)
	expectQueued(t, "bob", bob, "join lobby", p+`"nicks":["ada","bob"]}`)
	join(bob, "other", "bob")
	expectQueued(t, "ada", ada, p+`"left":["bob"]}`)
	expectQueued(t, "bob", bob, "join other", `{"type":"presence","room":"other","nicks":["bob"]}`)
}

// Other replicas' nicks join the same set: a nick online on two replicas is
// listed once, and leaves the list when the last of them lets it go — by
// its key's deletion or by the sweep of a replica gone quiet.
func TestPresenceAcrossReplicas(t *testing.T) {
	h := newHub(time.Minute)
	var kicks atomic.Int64
	update := h.remoteUpdate("self")
	now := time.Now()
	const p = `{"type":"presence","room":"lobby",`

	// A key seen before anyone here is in the room is shown on the join.
	update(natsstore.Presence{Room: "lobby", Replica: "b", Nicks: []string{"zoe", "bob"}, Time: now})
	ada := newClient(nil, 64, &kicks)
	if err := h.join(ada, joinReq{room: "lobby", nick: "ada"}, "token-of-ada-0123456789"); err != nil {
		t.Fatal(err)
	}
	expectQueued(t, "ada", ada, "join lobby", p+`"nicks":["ada","bob","zoe"]}`)

	update(natsstore.Presence{Room: "lobby", Replica: "b", Nicks: []string{"bob", "zoe"}, Time: now})
	expectQueued(t, "ada, after a heartbeat", ada)

	// Replica c has bob too, and ada (her other tab): no news, then cy.
	update(natsstore.Presence{Room: "lobby", Replica: "c", Nicks: []string{"bob", "ada"}, Time: now})
	expectQueued(t, "ada, after c's key", ada)
	update(natsstore.Presence{Room: "lobby", Replica: "c", Nicks: []string{"ada", "bob", "cy"}, Time: now})
	expectQueued(t, "ada", ada, p+`"joined":["cy"]}`)

	// b deletes its key: zoe goes, bob stays (on c).
	update(natsstore.Presence{Room: "lobby", Replica: "b", Time: now})
	expectQueued(t, "ada", ada, p+`"left":["zoe"]}`)

	// c goes quiet: the sweep takes bob and cy off, not ada, who is here.
	h.sweep(now.Add(PresenceTimeout - time.Second))
	expectQueued(t, "ada, before the timeout", ada)
	h.sweep(now.Add(PresenceTimeout + time.Second))
	expectQueued(t, "ada", ada, p+`"left":["bob","cy"]}`)

	// One write of a key can bring one nick and take another.
	update(natsstore.Presence{Room: "lobby", Replica: "b", Nicks: []string{"bob"}, Time: time.Now()})
	expectQueued(t, "ada", ada, p+`"joined":["bob"]}`)
	update(natsstore.Presence{Room: "lobby", Replica: "b", Nicks: []string{"zoe"}, Time: time.Now()})
	expectQueued(t, "ada", ada, p+`"joined":["zoe"],"left":["bob"]}`)
}

// A nick held on another replica — online there, or kept for a client that
// dropped — is refused here to any other session, and given to the session
// that holds it (its next socket may land on any replica). What this
// replica holds, it publishes the same way.
func TestNickHeldOnAnotherReplica(t *testing.T) {
	h := newHub(time.Minute)
	var kicks atomic.Int64
	update := h.remoteUpdate("self")
	const adaToken, bobToken, eveToken = "token-of-ada-0123456789", "token-of-bob-0123456789", "token-of-eve-0123456789"
	join := func(nick, token string) *msg.ChatErr {
		return h.join(newClient(nil, 64, &kicks), joinReq{room: "lobby", nick: nick}, token)
	}

	// Replica b: Ada online, bob's nick kept for him after a drop.
	update(natsstore.Presence{Room: "lobby", Replica: "b", Nicks: []string{"Ada"}, Time: time.Now(),
		Holds: map[string]string{"ada": holderOf(adaToken), "bob": holderOf(bobToken)}})
	for _, c := range []struct{ nick, token string }{{"ADA", eveToken}, {"Bob", eveToken}} {
		if e := join(c.nick, c.token); e == nil || e.Code != msg.ErrNickTaken {
			t.Errorf("eve joining as %s, held on b: %v, want nick_taken", c.nick, e)
		}
	}
	if e := join("Ada", adaToken); e != nil {
		t.Errorf("ada's own second socket, here: %v", e)
	}
	if e := join("bob", bobToken); e != nil {
		t.Errorf("bob back, here: %v", e)
	}

	// b lets go (its key deleted): the nick is free for others.
	update(natsstore.Presence{Room: "lobby", Replica: "b", Time: time.Now()})
	eve := newClient(nil, 64, &kicks)
	if e := h.join(eve, joinReq{room: "lobby", nick: "zed"}, eveToken); e != nil {
		t.Fatalf("eve as zed: %v", e)
	}

	// What this replica writes for the room: its nicks, and a hold for each,
	// by holder, never by token.
	h.mu.Lock()
	nicks, holds := h.localViewLocked("lobby", time.Now())
	h.mu.Unlock()
	wantHolds := map[string]string{"ada": holderOf(adaToken), "bob": holderOf(bobToken), "zed": holderOf(eveToken)}
	if !slices.Equal(nicks, []string{"Ada", "bob", "zed"}) || !maps.Equal(holds, wantHolds) {
		t.Fatalf("local view: nicks %q holds %v, want %q and %v", nicks, holds, []string{"Ada", "bob", "zed"}, wantHolds)
	}
	for _, holder := range holds {
		if strings.Contains(holder, "token") {
			t.Fatalf("a token is published as is: %q", holder)
		}
	}
	// A drop keeps the hold (published), an explicit leave ends it.
	h.leave(eve, false)
	h.mu.Lock()
	_, holds = h.localViewLocked("lobby", time.Now())
	h.mu.Unlock()
	if holds["zed"] != holderOf(eveToken) {
		t.Errorf("after a drop, zed's hold is not published: %v", holds)
	}
	h.mu.Lock()
	_, holds = h.localViewLocked("lobby", time.Now().Add(2*time.Minute))
	h.mu.Unlock()
	if _, ok := holds["zed"]; ok {
		t.Errorf("zed's hold is still published after it ran out: %v", holds)
	}
}

// A session that dropped here and came back on another replica has moved
// its hold there: when it leaves there, the nick is free here too, not
// held for the rest of nickHold.
func TestHoldMovesWithItsSession(t *testing.T) {
	h := newHub(time.Minute)
	var kicks atomic.Int64
	update := h.remoteUpdate("self")
	const adaToken, eveToken = "token-of-ada-0123456789", "token-of-eve-0123456789"
	ada := newClient(nil, 64, &kicks)
	if e := h.join(ada, joinReq{room: "lobby", nick: "Ada"}, adaToken); e != nil {
		t.Fatal(e)
	}
	h.leave(ada, false) // dropped: the nick is held here for her
	if e := h.join(newClient(nil, 64, &kicks), joinReq{room: "lobby", nick: "ada"}, eveToken); e == nil || e.Code != msg.ErrNickTaken {
		t.Fatalf("eve as ada while ada's hold runs: %v, want nick_taken", e)
	}
	// Ada is back, on replica b; then she leaves there.
	update(natsstore.Presence{Room: "lobby", Replica: "b", Nicks: []string{"Ada"}, Holds: map[string]string{"ada": holderOf(adaToken)}, Time: time.Now()})
	update(natsstore.Presence{Room: "lobby", Replica: "b", Time: time.Now()})
	if e := h.join(newClient(nil, 64, &kicks), joinReq{room: "lobby", nick: "ada"}, eveToken); e != nil {
		t.Fatalf("eve as ada after ada left on b: %v", e)
	}
}
