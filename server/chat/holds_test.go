package chat

import (
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"socketlab/app/msg"
	"socketlab/server/natsstore"
)

// A nick held on another replica — online there, or kept for a client that
// dropped — is refused here to any other session, and given to the session
// that holds it (its next socket may land on any replica). What this
// replica holds, it publishes the same way.
func TestNickHeldOnAnotherReplica(t *testing.T) {
	h := newHub(time.Minute)
	update := h.pres.remoteUpdate("self")
	const adaToken, bobToken, eveToken = "token-of-ada-0123456789", "token-of-bob-0123456789", "token-of-eve-0123456789"
	join := func(nick, token string) *msg.ChatErr {
		return h.join(newClient(nil, 64, nil), joinReq{room: "lobby", nick: nick}, token)
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
	eve := newClient(nil, 64, nil)
	if e := h.join(eve, joinReq{room: "lobby", nick: "zed"}, eveToken); e != nil {
		t.Fatalf("eve as zed: %v", e)
	}

	// What this replica writes for the room: its nicks, and a hold for each,
	// by holder, never by token.
	nicks, holds := h.localView("lobby", time.Now())
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
	_, holds = h.localView("lobby", time.Now())
	if holds["zed"] != holderOf(eveToken) {
		t.Errorf("after a drop, zed's hold is not published: %v", holds)
	}
	_, holds = h.localView("lobby", time.Now().Add(2*time.Minute))
	if _, ok := holds["zed"]; ok {
		t.Errorf("zed's hold is still published after it ran out: %v", holds)
	}
}

// A session that dropped here and came back on another replica has moved
// its hold there: when it leaves there, the nick is free here too, not
// held for the rest of nickHold.
func TestHoldMovesWithItsSession(t *testing.T) {
	h := newHub(time.Minute)
	update := h.pres.remoteUpdate("self")
	const adaToken, eveToken = "token-of-ada-0123456789", "token-of-eve-0123456789"
	ada := newClient(nil, 64, nil)
	if e := h.join(ada, joinReq{room: "lobby", nick: "Ada"}, adaToken); e != nil {
		t.Fatal(e)
	}
	h.leave(ada, false) // dropped: the nick is held here for her
	if e := h.join(newClient(nil, 64, nil), joinReq{room: "lobby", nick: "ada"}, eveToken); e == nil || e.Code != msg.ErrNickTaken {
		t.Fatalf("eve as ada while ada's hold runs: %v, want nick_taken", e)
	}
	// Ada is back, on replica b; then she leaves there.
	update(natsstore.Presence{Room: "lobby", Replica: "b", Nicks: []string{"Ada"}, Holds: map[string]string{"ada": holderOf(adaToken)}, Time: time.Now()})
	update(natsstore.Presence{Room: "lobby", Replica: "b", Time: time.Now()})
	if e := h.join(newClient(nil, 64, nil), joinReq{room: "lobby", nick: "ada"}, eveToken); e != nil {
		t.Fatalf("eve as ada after ada left on b: %v", e)
	}
}
