package msg

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestChatEnvelopesOfABatch(t *testing.T) {
	// As json.Marshal writes them: a newline inside a text is escaped, so
	// only the separators are raw newlines.
	want := []string{
		`{"type":"msg","room":"lobby","id":"a1","nick":"ada","text":"two\nlines","seq":7}`,
		`{"type":"presence","room":"lobby","joined":["bob"]}`,
		`{"type":"msg","room":"lobby","id":"b2","nick":"bob","text":"say \"\\n\" twice","seq":8}`,
	}
	frame := []byte(strings.Join(want, string(ChatBatchSep)))
	got := ChatEnvelopes(frame)
	if len(got) != len(want) {
		t.Fatalf("ChatEnvelopes gave %d envelopes, want %d: %q", len(got), len(want), got)
	}
	for i, b := range got {
		if string(b) != want[i] {
			t.Errorf("envelope %d = %s, want %s", i, b, want[i])
		}
		var e Chat
		if err := json.Unmarshal(b, &e); err != nil {
			t.Errorf("envelope %d %s: %v", i, b, err)
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
