package chat

import (
	"slices"
	"testing"
	"time"

	"socketlab/app/msg"
)

func newJoined(t *testing.T, st Storage) *Session {
	t.Helper()
	s := NewSession(st)
	if err := s.SetIdentity("lobby", "ada"); err != nil {
		t.Fatal(err)
	}
	j, ok := s.Join()
	if !ok || j.Type != msg.ChatJoin || j.Since != 0 || j.Token != s.Token() {
		t.Fatalf("join %+v %v", j, ok)
	}
	s.Handle(msg.Chat{Type: msg.ChatWelcome, Room: "lobby", Nick: "ada"})
	s.Handle(msg.Chat{Type: msg.ChatSynced, Room: "lobby"})
	return s
}

func line(seq uint64, nick, id, text string) msg.Chat {
	return msg.Chat{Type: msg.ChatMsg, Room: "lobby", Seq: seq, Nick: nick, ID: id, Text: text, Time: 1767225600000}
}

func texts(ls []Line) []string {
	var ts []string
	for _, l := range ls {
		ts = append(ts, l.Text)
	}
	return ts
}

func TestIdentityPersistsAcrossReload(t *testing.T) {
	st := NewMemStorage()
	s := NewSession(st)
	if s.Active() || s.Nick() != "" || s.Room() != msg.ChatDefaultRoom || msg.ValidToken(s.Token()) != nil {
		t.Fatalf("fresh session: active %v nick %q room %q token %q", s.Active(), s.Nick(), s.Room(), s.Token())
	}
	if _, ok := s.Join(); ok {
		t.Fatal("a session without a nickname must not join")
	}
	if err := s.SetIdentity("Bad Room", "ada"); err == nil || err.Code != msg.ErrBadRoom {
		t.Fatalf("bad room: %v", err)
	}
	if err := s.SetIdentity("lobby", "<ada>"); err == nil || err.Code != msg.ErrBadNick {
		t.Fatalf("bad nick: %v", err)
	}
	s.SetIdentity("dev", "ada")
	again := NewSession(st)
	if again.Token() != s.Token() || again.Nick() != "ada" || again.Room() != "dev" || !again.Active() {
		t.Fatal("the reloaded session lost its identity")
	}
	if other := NewSession(NewMemStorage()); other.Token() == s.Token() {
		t.Fatal("two browsers got the same token")
	}
}

func TestLinesInSeqOrderOnce(t *testing.T) {
	s := newJoined(t, NewMemStorage())
	s.Handle(line(3, "bob", "b1", "one"))
	s.Handle(line(7, "bob", "b2", "two"))
	s.Handle(line(7, "bob", "b2", "two")) // a duplicate frame
	s.Handle(line(5, "bob", "b0", "old")) // behind the cursor
	s.Handle(msg.Chat{Type: msg.ChatMsg, Room: "elsewhere", Seq: 9, Nick: "x", ID: "x", Text: "not here"})
	if got := texts(s.Lines()); !slices.Equal(got, []string{"one", "two"}) {
		t.Fatalf("lines %q", got)
	}
	if s.Cursor() != 7 {
		t.Fatalf("cursor %d", s.Cursor())
	}
	if l := s.Lines()[0]; !l.Time.Equal(time.UnixMilli(1767225600000)) || l.Nick != "bob" {
		t.Fatalf("line %+v", l)
	}
}

func TestReconnectJoinsWithSince(t *testing.T) {
	s := newJoined(t, NewMemStorage())
	s.Handle(line(4, "bob", "b1", "hi"))
	s.Disconnected()
	if s.Joined() || s.Synced() {
		t.Fatal("still joined after a disconnect")
	}
	j, _ := s.Join()
	if j.Since != 4 {
		t.Fatalf("rejoin since %d, want 4", j.Since)
	}
	// A reset (the server lost its store) clears the screen.
	s.Handle(msg.Chat{Type: msg.ChatWelcome, Room: "lobby", Reset: true})
	if len(s.Lines()) != 0 || s.Cursor() != 0 {
		t.Fatal("reset kept the old lines")
	}
}

func TestOutboxWhileDisconnected(t *testing.T) {
	st := NewMemStorage()
	s := newJoined(t, st)
	s.Disconnected()
	for _, text := range []string{"first", "second"} {
		if _, send, err := s.Say(text, time.Now()); err != nil || send {
			t.Fatalf("say while disconnected: send %v err %v", send, err)
		}
	}
	out := s.Outgoing()
	if len(out) != 2 || out[0].State != Pending || out[1].Text != "second" {
		t.Fatalf("outbox %+v", out)
	}
	// The page reloads while offline: the outbox is still there.
	s = NewSession(st)
	if out := s.Outgoing(); len(out) != 2 || out[0].Text != "first" {
		t.Fatalf("outbox after reload %+v", out)
	}
	// Nothing is sent before synced.
	s.Handle(msg.Chat{Type: msg.ChatWelcome, Room: "lobby"})
	if send := s.Flush(); len(send) != 0 {
		t.Fatalf("sent %d before synced", len(send))
	}
	res := s.Handle(msg.Chat{Type: msg.ChatSynced, Room: "lobby"})
	if len(res.Send) != 2 || res.Send[0].Text != "first" || res.Send[0].Type != msg.ChatSay || res.Send[0].ID != out[0].ID {
		t.Fatalf("synced sends %+v", res.Send)
	}
	if again := s.Flush(); len(again) != 0 {
		t.Fatal("a flush sent the same messages twice")
	}
	// ack → delivered and out of storage; the line → off the outgoing list.
	s.Handle(msg.Chat{Type: msg.ChatAck, Room: "lobby", ID: res.Send[0].ID, Seq: 10})
	if o := s.Outgoing()[0]; o.State != Delivered || o.Seq != 10 {
		t.Fatalf("after ack: %+v", o)
	}
	if stored := NewSession(st).Outgoing(); len(stored) != 1 || stored[0].Text != "second" {
		t.Fatalf("stored outbox after one ack: %+v", stored)
	}
	s.Handle(line(10, "ada", res.Send[0].ID, "first"))
	s.Handle(line(11, "ada", res.Send[1].ID, "second")) // line before its ack
	s.Handle(msg.Chat{Type: msg.ChatAck, Room: "lobby", ID: res.Send[1].ID, Seq: 11})
	if out := s.Outgoing(); len(out) != 0 {
		t.Fatalf("outgoing after delivery: %+v", out)
	}
	if stored := NewSession(st).Outgoing(); len(stored) != 0 {
		t.Fatalf("stored outbox after delivery: %+v", stored)
	}
}

// TestStoredBeforeTheDropIsNotResent: the say reached the server but the
// socket dropped before the ack. The catch-up shows the line, so the outbox
// does not send it again.
func TestStoredBeforeTheDropIsNotResent(t *testing.T) {
	s := newJoined(t, NewMemStorage())
	env, send, _ := s.Say("made it", time.Now())
	if !send {
		t.Fatal("a synced session sends at once")
	}
	s.Disconnected()
	if o := s.Outgoing()[0]; o.State != Pending {
		t.Fatalf("in flight at the drop: %v, want pending", o.State)
	}
	s.Handle(msg.Chat{Type: msg.ChatWelcome, Room: "lobby"})
	s.Handle(line(20, "ada", env.ID, "made it"))
	if res := s.Handle(msg.Chat{Type: msg.ChatSynced, Room: "lobby", Seq: 20}); len(res.Send) != 0 {
		t.Fatalf("resent %+v", res.Send)
	}
}

func TestErrorsOnSays(t *testing.T) {
	s := newJoined(t, NewMemStorage())
	limited, _, _ := s.Say("too fast", time.Now())
	res := s.Handle(msg.Chat{Type: msg.ChatError, Code: msg.ErrRateLimited, ID: limited.ID, Detail: "slow down"})
	if res.RetryIn <= 0 || s.Outgoing()[0].State != Pending {
		t.Fatalf("rate limited: %+v, %v", res, s.Outgoing()[0].State)
	}
	if again := s.Flush(); len(again) != 1 || again[0].ID != limited.ID {
		t.Fatalf("retry sends %+v", again)
	}
	refused, _, _ := s.Say("refused", time.Now())
	s.Handle(msg.Chat{Type: msg.ChatError, Code: msg.ErrTooLong, ID: refused.ID, Detail: "too long"})
	out := s.Outgoing()
	if out[1].State != Failed || out[1].Err != "too long" || s.Note().Code != msg.ErrTooLong {
		t.Fatalf("refused: %+v note %+v", out[1], s.Note())
	}
	s.Dismiss(refused.ID)
	if len(s.Outgoing()) != 1 {
		t.Fatal("dismiss kept the failed message")
	}
	if _, _, err := s.Say("   ", time.Now()); err == nil || err.Code != msg.ErrEmpty {
		t.Fatalf("blank say: %v", err)
	}
}

func TestNickTakenStopsJoining(t *testing.T) {
	s := NewSession(NewMemStorage())
	s.SetIdentity("lobby", "ada")
	s.Handle(msg.Chat{Type: msg.ChatError, Code: msg.ErrNickTaken, Room: "lobby", Detail: "taken"})
	if _, ok := s.Join(); ok || s.Note().Code != msg.ErrNickTaken {
		t.Fatal("after nick_taken the session must wait for another nickname")
	}
	s.SetIdentity("lobby", "ada2")
	if j, ok := s.Join(); !ok || j.Nick != "ada2" || s.Note().Code != "" {
		t.Fatal("a new nickname joins again")
	}
}

func TestPresenceAndLeave(t *testing.T) {
	s := newJoined(t, NewMemStorage())
	s.Handle(msg.Chat{Type: msg.ChatPresence, Room: "lobby", Nicks: []string{"ada", "bob"}})
	if !slices.Equal(s.Presence(), []string{"ada", "bob"}) {
		t.Fatalf("presence %v", s.Presence())
	}
	if l := s.Leave(); l.Type != msg.ChatLeave || l.Room != "lobby" {
		t.Fatalf("leave %+v", l)
	}
	if s.Active() || len(s.Presence()) != 0 {
		t.Fatal("still active after leave")
	}
	if _, ok := s.Join(); ok {
		t.Fatal("a reconnect after leave must not join again")
	}
}

func presence(nicks ...string) msg.Chat {
	return msg.Chat{Type: msg.ChatPresence, Room: "lobby", Nicks: append([]string{}, nicks...)}
}

func change(joined, left []string) msg.Chat {
	return msg.Chat{Type: msg.ChatPresence, Room: "lobby", Joined: joined, Left: left}
}

// The full list after a join, then changes applied to it, sorted.
func TestPresenceChanges(t *testing.T) {
	s := newJoined(t, NewMemStorage())
	want := func(nicks ...string) {
		t.Helper()
		if got := s.Presence(); !slices.Equal(got, nicks) {
			t.Fatalf("presence %q, want %q", got, nicks)
		}
	}
	s.Handle(presence("cy", "ada"))
	want("ada", "cy")
	s.Handle(change([]string{"bob"}, nil))
	want("ada", "bob", "cy")
	s.Handle(change([]string{"dan", "al"}, []string{"cy"}))
	want("ada", "al", "bob", "dan")
	s.Handle(change(nil, []string{"al", "bob"}))
	want("ada", "dan")
	// Another room's change (a late frame from a room left since) is not
	// ours.
	s.Handle(msg.Chat{Type: msg.ChatPresence, Room: "other", Joined: []string{"eve"}})
	want("ada", "dan")

	// A rejoin on the same socket: changes still queued from before its
	// welcome are not applied; its own full list replaces the list.
	s.Handle(msg.Chat{Type: msg.ChatWelcome, Room: "lobby", Nick: "ada"})
	s.Handle(change([]string{"zed"}, nil))
	want("ada", "dan")
	s.Handle(msg.Chat{Type: msg.ChatSynced, Room: "lobby"})
	s.Handle(presence("ada", "eve"))
	want("ada", "eve")
	s.Handle(change([]string{"fay"}, nil))
	want("ada", "eve", "fay")

	// After a disconnect the list is gone until the next join's full list;
	// a change meanwhile does not bring back half a list.
	s.Disconnected()
	want()
	s.Handle(change([]string{"gus"}, nil))
	want()
	s.Handle(msg.Chat{Type: msg.ChatWelcome, Room: "lobby", Nick: "ada"})
	s.Handle(msg.Chat{Type: msg.ChatSynced, Room: "lobby"})
	s.Handle(presence("ada"))
	want("ada")
	s.Handle(change([]string{"gus"}, nil))
	want("ada", "gus")

	// Changing rooms clears it too.
	s.SetIdentity("other", "ada")
	want()
	s.Handle(msg.Chat{Type: msg.ChatPresence, Room: "other", Joined: []string{"hal"}})
	want()
}
