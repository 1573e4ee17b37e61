package chat

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"

	"socketlab/app/msg"
	"socketlab/internal/testkit"
)

// holdWriters makes every writer wait before its batch until release is
// called: a server whose writers do not get the CPU while messages keep
// coming.
type holdWriters struct {
	mu   sync.Mutex
	gate chan struct{} // nil: writers run
}

func (h *holdWriters) hold() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.gate = make(chan struct{})
}

func (h *holdWriters) release() {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.gate != nil {
		close(h.gate)
		h.gate = nil
	}
}

func (h *holdWriters) wait() {
	h.mu.Lock()
	g := h.gate
	h.mu.Unlock()
	if g != nil {
		<-g
	}
}

// batchReader is a client that asks for batched frames and records what
// arrives frame by frame.
type batchReader struct {
	ws     *websocket.Conn
	frames chan [][]byte // each frame's envelopes
	err    chan error
}

func dialBatch(t *testing.T, url, nick string) *batchReader {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	ws, _, err := websocket.Dial(ctx, "ws://"+strings.TrimPrefix(url, "ws://")+msg.ChatPath, nil)
	if err != nil {
		t.Fatal(err)
	}
	ws.SetReadLimit(msg.ChatReadLimit)
	t.Cleanup(func() { ws.CloseNow() })
	r := &batchReader{ws: ws, frames: make(chan [][]byte, 1024), err: make(chan error, 1)}
	go func() {
		for {
			_, data, err := ws.Read(context.Background())
			if err != nil {
				r.err <- err
				return
			}
			r.frames <- msg.ChatEnvelopes(data)
		}
	}()
	b, _ := json.Marshal(msg.Chat{Type: msg.ChatJoin, Room: "lobby", Nick: nick, Token: testkit.ChatToken(nick), Batch: true})
	if err := ws.Write(ctx, websocket.MessageText, b); err != nil {
		t.Fatal(err)
	}
	r.until(t, func(e msg.Chat) bool { return e.Type == msg.ChatSynced })
	return r
}

// until reads envelopes until ok holds for one, and returns how many
// frames that took and the msg envelopes among them.
func (r *batchReader) until(t *testing.T, ok func(msg.Chat) bool) (frames int, msgs []msg.Chat) {
	t.Helper()
	deadline := time.After(15 * time.Second)
	for {
		select {
		case envs := <-r.frames:
			frames++
			done := false
			for _, b := range envs {
				var e msg.Chat
				if err := json.Unmarshal(b, &e); err != nil {
					t.Fatalf("undecodable envelope %q", b)
				}
				if e.Type == msg.ChatMsg {
					msgs = append(msgs, e)
				}
				done = done || ok(e)
			}
			if done {
				return frames, msgs
			}
		case err := <-r.err:
			t.Fatalf("the socket ended: %v", err)
		case <-deadline:
			t.Fatal("timed out reading")
		}
	}
}

// talkWhileHeld has talker say n messages while the writers are held,
// waits until the fan-out queued them to every socket of the room, and
// releases the writers.
func talkWhileHeld(t *testing.T, s *testServer, hw *holdWriters, talker *testkit.ChatClient, sockets, n int) {
	t.Helper()
	before := s.metric(t, "chat_delivered_total")
	hw.hold()
	for i := range n {
		talker.Say("lobby", fmt.Sprint("m", i), fmt.Sprint("message ", i))
	}
	testkit.Eventually(t, 15*time.Second, "the fan-out to queue every message", func() bool {
		return s.metric(t, "chat_delivered_total")-before >= float64(sockets*n)
	})
	hw.release()
}

// A client that asked for batched frames gets what was queued for it as
// one frame of several envelopes, in order, none lost or repeated.
func TestWriterJoinsWhatIsQueuedForABatchClient(t *testing.T) {
	var hw holdWriters
	s := startServer(t, Options{Rate: 1e6, Burst: 1e6, beforeWrite: hw.wait}, nil)
	reader := dialBatch(t, s.url, "reader")
	talker := s.inLobby(t, "talker")
	const n = 20
	talkWhileHeld(t, s, &hw, talker, 2, n)
	frames, msgs := reader.until(t, func(e msg.Chat) bool { return e.Type == msg.ChatMsg && e.ID == fmt.Sprint("m", n-1) })
	if len(msgs) != n {
		t.Fatalf("%d messages, want %d", len(msgs), n)
	}
	for i, m := range msgs {
		if m.ID != fmt.Sprint("m", i) || i > 0 && m.Seq <= msgs[i-1].Seq {
			t.Fatalf("message %d is %s (seq %d): out of order or repeated", i, m.ID, m.Seq)
		}
	}
	if frames >= n {
		t.Errorf("%d messages queued together came in %d frames: not batched", n, frames)
	}
	// The talker did not ask: one envelope a frame, as always.
	talker.WaitFor("the last message", func(e msg.Chat) bool { return e.Type == msg.ChatMsg && e.ID == fmt.Sprint("m", n-1) })
	for _, e := range talker.All() {
		if len(e.Type) > 10 && e.Type[:10] == "unreadable" {
			t.Fatalf("the talker, which did not ask for batches, got %q", e.Type)
		}
	}
}

// A client that reads at full speed is not closed as too slow when its
// queue fills because the server's writers did not run: the socket would
// take every byte. It gets everything once the writers run.
func TestFastClientNotCutForTheServersBacklog(t *testing.T) {
	var hw holdWriters
	const queue = 16
	s := startServer(t, Options{SendQueue: queue, Rate: 1e6, Burst: 1e6, beforeWrite: hw.wait}, nil)
	reader := dialBatch(t, s.url, "reader")
	talker := s.inLobby(t, "talker")
	const n = 3 * queue
	talkWhileHeld(t, s, &hw, talker, 2, n)
	_, msgs := reader.until(t, func(e msg.Chat) bool { return e.Type == msg.ChatMsg && e.ID == fmt.Sprint("m", n-1) })
	if len(msgs) != n {
		t.Fatalf("%d messages, want %d", len(msgs), n)
	}
	if k := s.tooSlow(t); k != 0 {
		t.Fatalf("%v sockets closed as too slow for a backlog that was the server's", k)
	}
	talker.Ping()
}

// A writer woken by a first message waits WriteDelay for more: messages
// said within it reach a batch client as fewer frames than messages,
// although no writer was held back.
func TestWriteDelayJoinsWhatArrivesMeanwhile(t *testing.T) {
	s := startServer(t, Options{Rate: 1e6, Burst: 1e6, WriteDelay: time.Second}, nil)
	reader := dialBatch(t, s.url, "reader")
	talker := s.inLobby(t, "talker")
	const n = 5
	for i := range n {
		talker.Say("lobby", fmt.Sprint("m", i), fmt.Sprint("message ", i))
	}
	frames, msgs := reader.until(t, func(e msg.Chat) bool { return e.Type == msg.ChatMsg && e.ID == fmt.Sprint("m", n-1) })
	if len(msgs) != n {
		t.Fatalf("%d messages, want %d", len(msgs), n)
	}
	if frames >= n {
		t.Errorf("%d messages said within the write delay came in %d frames: the writer did not wait", n, frames)
	}
}
