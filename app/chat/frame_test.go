package chat

import (
	"encoding/json"
	"slices"
	"testing"
	"time"

	"socketlab/app/msg"
)

// batch joins envelopes into one frame as the server does for a socket
// that fell behind.
func batch(t *testing.T, envs ...msg.Chat) []byte {
	t.Helper()
	var frame []byte
	for i, e := range envs {
		b, err := json.Marshal(e)
		if err != nil {
			t.Fatal(err)
		}
		if i > 0 {
			frame = append(frame, msg.ChatBatchSep)
		}
		frame = append(frame, b...)
	}
	return frame
}

func TestJoinAsksForBatches(t *testing.T) {
	s := NewSession(NewMemStorage())
	if err := s.SetIdentity("lobby", "ada"); err != nil {
		t.Fatal(err)
	}
	if j, ok := s.Join(); !ok || !j.Batch {
		t.Fatalf("join %+v: the page reads batched frames and must say so", j)
	}
}

func TestHandleFrameOfABatch(t *testing.T) {
	s := newJoined(t, NewMemStorage())
	say, _, _ := s.Say("mine", time.Now())
	envs, res := s.HandleFrame(batch(t,
		line(1, "bob", "b1", "one"),
		msg.Chat{Type: msg.ChatAck, Room: "lobby", ID: say.ID, Seq: 2},
		line(2, "ada", say.ID, "mine"),
		line(3, "bob", "b2", "three\nlines\n"),
		msg.Chat{Type: msg.ChatPresence, Room: "lobby", Nicks: []string{"ada", "bob"}},
	))
	if len(envs) != 5 || envs[3].Text != "three\nlines\n" {
		t.Fatalf("HandleFrame read %d envelopes: %+v", len(envs), envs)
	}
	if len(res.Send) != 0 {
		t.Errorf("nothing to send, got %+v", res.Send)
	}
	if got, want := texts(s.Lines()), []string{"one", "mine", "three\nlines\n"}; !slices.Equal(got, want) {
		t.Errorf("lines %q, want %q", got, want)
	}
	if len(s.Outgoing()) != 0 {
		t.Errorf("the acked say is still in the outbox: %+v", s.Outgoing())
	}
	if got := s.Presence(); !slices.Equal(got, []string{"ada", "bob"}) {
		t.Errorf("nicks %q", got)
	}
}

func TestHandleFrameOfOneIsHandle(t *testing.T) {
	s := newJoined(t, NewMemStorage())
	envs, _ := s.HandleFrame(batch(t, line(1, "bob", "b1", "hi")))
	if len(envs) != 1 || !slices.Equal(texts(s.Lines()), []string{"hi"}) {
		t.Errorf("a frame of one envelope: %+v, lines %q", envs, texts(s.Lines()))
	}
	// A line that is not JSON is skipped, the rest handled.
	envs, _ = s.HandleFrame(append([]byte("not json\n"), batch(t, line(2, "bob", "b2", "yo"))...))
	if len(envs) != 1 || !slices.Equal(texts(s.Lines()), []string{"hi", "yo"}) {
		t.Errorf("a bad line and a good one: %+v, lines %q", envs, texts(s.Lines()))
	}
}
