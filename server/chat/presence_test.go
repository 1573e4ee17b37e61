package chat

import (
	"testing"
	"time"

	"socketlab/server/natsstore"
)

// A joiner gets the full list right after its catch-up; everyone else gets
// only the change, and only when there is one.
func TestPresenceFullListThenChanges(t *testing.T) {
	h := newHub(time.Minute)
	sock := func() *client { return newClient(nil, 64, nil) }
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
	update := h.pres.remoteUpdate("self")
	now := time.Now()
	const p = `{"type":"presence","room":"lobby",`

	// A key seen before anyone here is in the room is shown on the join.
	update(natsstore.Presence{Room: "lobby", Replica: "b", Nicks: []string{"zoe", "bob"}, Time: now})
	ada := newClient(nil, 64, nil)
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
	h.pres.sweep(now.Add(PresenceTimeout - time.Second))
	expectQueued(t, "ada, before the timeout", ada)
	h.pres.sweep(now.Add(PresenceTimeout + time.Second))
	expectQueued(t, "ada", ada, p+`"left":["bob","cy"]}`)

	// One write of a key can bring one nick and take another.
	update(natsstore.Presence{Room: "lobby", Replica: "b", Nicks: []string{"bob"}, Time: time.Now()})
	expectQueued(t, "ada", ada, p+`"joined":["bob"]}`)
	update(natsstore.Presence{Room: "lobby", Replica: "b", Nicks: []string{"zoe"}, Time: time.Now()})
	expectQueued(t, "ada", ada, p+`"joined":["zoe"],"left":["bob"]}`)
}
