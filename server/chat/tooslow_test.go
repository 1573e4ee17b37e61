package chat

import (
	"context"
	"encoding/json"
	"net"
	"sync"
	"testing"
	"time"

	appchat "socketlab/app/chat"
	"socketlab/app/msg"
	"socketlab/app/socket"
	"socketlab/internal/testkit"
)

// TestRealClientCatchesUpAfterTooSlow runs the browser's own client code
// natively — app/socket for the connection, app/chat for the session — and
// makes it slow: its message callback blocks while a room talks. The
// server closes it with 4008; the socket reconnects by itself, the session
// joins with since, and in the end it shows every message exactly once, in
// the room's order.
func TestRealClientCatchesUpAfterTooSlow(t *testing.T) {
	s := startServer(t, Options{SendQueue: 16, Rate: 1e6, Burst: 1e6}, func(l net.Listener) net.Listener { return smallBuffers{l} })
	sess := appchat.NewSession(appchat.NewMemStorage())
	if err := sess.SetIdentity("lobby", "slow"); err != nil {
		t.Fatal(err)
	}
	gate := make(chan struct{})
	var openGate sync.Once
	var mu sync.Mutex
	var closes []msg.CloseCode
	var conn *socket.Conn
	send := func(envs ...msg.Chat) {
		for _, e := range envs {
			b, _ := json.Marshal(e)
			conn.Send(b)
		}
	}
	conn = socket.New(s.url+msg.ChatPath, socket.Options{
		ReadLimit: msg.ChatReadLimit,
		Backoff:   socket.Backoff{Min: 10 * time.Millisecond, Max: 100 * time.Millisecond},
		OnOpen: func(c *socket.Conn) {
			if j, ok := sess.Join(); ok {
				send(j)
			}
		},
		// As the chat page does: the session's outbox, not the socket's
		// queue, holds what waits for the next synced.
		OnClose: func(code msg.CloseCode, _ string) {
			sess.Disconnected()
			conn.Discard()
			mu.Lock()
			closes = append(closes, code)
			mu.Unlock()
		},
		OnMessage: func(_ bool, data []byte) {
			<-gate // the slow part
			// As the page does: a frame may hold several envelopes (its
			// join asks for batched frames).
			envs, res := sess.HandleFrame(data)
			if n := len(msg.ChatEnvelopes(data)); len(envs) == 0 || len(envs) != n {
				t.Errorf("frame %q: %d of its %d envelopes decoded", data, len(envs), n)
				return
			}
			send(res.Send...)
		},
	})
	ctx, cancel := context.WithCancel(context.Background())
	ran := make(chan struct{})
	go func() { conn.Run(ctx); close(ran) }()
	t.Cleanup(func() {
		openGate.Do(func() { close(gate) })
		cancel()
		conn.Close()
		<-ran
	})

	talker := s.inLobby(t, "talker")
	testkit.Eventually(t, 15*time.Second, "both in the room", func() bool { return s.sockets(t) == 2 })
	sent := talkUntilTooSlow(t, s, talker, "the blocked client")
	talker.Say("lobby", "last", "said after the slow client was closed")
	talker.WaitFor("last ack", func(e msg.Chat) bool { return e.Type == msg.ChatAck && e.ID == "last" })
	want := sent + 1
	testkit.Eventually(t, 15*time.Second, "the talker to see everything", func() bool { return len(talker.Msgs("lobby")) == want })

	openGate.Do(func() { close(gate) })
	testkit.Eventually(t, 15*time.Second, "the slow client to show every message", func() bool { return len(sess.Lines()) >= want })
	lines, ms := sess.Lines(), talker.Msgs("lobby")
	if len(lines) != want {
		t.Fatalf("the client shows %d lines, want %d", len(lines), want)
	}
	for i := range ms {
		if lines[i].Seq != ms[i].Seq || lines[i].ID != ms[i].ID {
			t.Fatalf("line %d is seq %d %s, want %d %s", i, lines[i].Seq, lines[i].ID, ms[i].Seq, ms[i].ID)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if len(closes) == 0 || closes[0] != msg.CloseTooSlow {
		t.Fatalf("close codes seen by the client: %v, want %d first", closes, msg.CloseTooSlow)
	}
}
