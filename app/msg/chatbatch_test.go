package msg

import (
	"encoding/json"
	"testing"
)

func TestChatEnvelopesOfABatch(t *testing.T) {
	// Texts with newlines, quotes and a separator-looking escape: the
	// envelopes must come back whole, in order.
	want := []Chat{
		{Type: ChatMsg, Room: "lobby", Seq: 7, ID: "a1", Nick: "ada", Text: "two\nlines"},
		{Type: ChatPresence, Room: "lobby", Joined: []string{"bob"}},
		{Type: ChatMsg, Room: "lobby", Seq: 8, ID: "b2", Nick: "bob", Text: `say "\n" twice`},
	}
	var frame []byte
	for i, e := range want {
		b, err := json.Marshal(e)
		if err != nil {
			t.Fatal(err)
		}
		if i > 0 {
			frame = append(frame, ChatBatchSep)
		}
		frame = append(frame, b...)
	}
	got := ChatEnvelopes(frame)
	if len(got) != len(want) {
		t.Fatalf("ChatEnvelopes gave %d envelopes, want %d: %q", len(got), len(want), got)
	}
	for i, b := range got {
		var e Chat
		if err := json.Unmarshal(b, &e); err != nil {
			t.Fatalf("envelope %d %q: %v", i, b, err)
		}
		if e.Seq != want[i].Seq || e.Text != want[i].Text || e.Type != want[i].Type {
			t.Errorf("envelope %d = %+v, want %+v", i, e, want[i])
		}
	}
}

func TestChatEnvelopesOfOne(t *testing.T) {
	frame := []byte(`{"type":"pong"}`)
	got := ChatEnvelopes(frame)
	if len(got) != 1 || string(got[0]) != string(frame) {
		t.Errorf("ChatEnvelopes(%q) = %q, want the frame itself", frame, got)
	}
	// A trailing separator or blank line is not an envelope.
	if got := ChatEnvelopes([]byte("{\"type\":\"pong\"}\n\n")); len(got) != 1 {
		t.Errorf("a trailing separator gave %d envelopes: %q", len(got), got)
	}
}

func TestJoinSaysBatch(t *testing.T) {
	b, _ := json.Marshal(Chat{Type: ChatJoin, Room: "lobby", Nick: "ada", Token: "0123456789abcdef", Batch: true})
	env, err := DecodeChat(b)
	if err != nil {
		t.Fatal(err)
	}
	if !env.Batch {
		t.Errorf("join %s decoded without batch", b)
	}
}
