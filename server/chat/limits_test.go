package chat

import (
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/coder/websocket"

	"socketlab/app/msg"
	"socketlab/internal/testkit"
)

// smallBuffers makes the server's socket send buffers small, so that a
// client that stops reading backs up into the server's send queue after a
// few frames rather than after the megabytes a loopback socket can buffer.
type smallBuffers struct{ net.Listener }

func (l smallBuffers) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if tc, ok := c.(*net.TCPConn); ok {
		tc.SetWriteBuffer(4096)
	}
	return c, err
}

// smallReceiveBuffer is an HTTP client whose sockets have a small receive
// buffer, for the same reason on the client's side.
func smallReceiveBuffer() *http.Client {
	d := &net.Dialer{Control: func(_, _ string, rc syscall.RawConn) error {
		return rc.Control(func(fd uintptr) {
			syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 4096)
		})
	}}
	return &http.Client{Transport: &http.Transport{DialContext: d.DialContext}}
}

// TestSlowConsumerIsClosedThenCatchesUp: a client that stops reading while
// the room talks is closed with 4008 — the room does not wait for it, and
// the others are not slowed — and, reconnecting with since, it gets every
// message it did not see: none lost, none twice.
func TestSlowConsumerIsClosedThenCatchesUp(t *testing.T) {
	s := startServer(t, Options{SendQueue: 16, Rate: 1e6, Burst: 1e6}, func(l net.Listener) net.Listener { return smallBuffers{l} })
	slow := testkit.DialChatWith(t, s.url, "slow", testkit.ChatDialOptions{HTTPClient: smallReceiveBuffer(), Gated: true})
	slow.Send(msg.Chat{Type: msg.ChatJoin, Room: "lobby", Nick: "slow", Token: testkit.ChatToken("slow")})
	talker := s.inLobby(t, "talker")
	testkit.Eventually(t, 15*time.Second, "both in the room", func() bool { return s.sockets(t) == 2 })

	// Talk until the slow client's queue overflows.
	sent := talkUntilTooSlow(t, s, talker, "the client that does not read")
	// The room keeps going without it.
	for i := range 5 {
		talker.Say("lobby", fmt.Sprint("after", i), "after the close")
		talker.WaitFor("ack", func(e msg.Chat) bool { return e.Type == msg.ChatAck && e.ID == fmt.Sprint("after", i) })
	}
	total := sent + 5
	testkit.Eventually(t, 15*time.Second, "the talker to see everything", func() bool { return len(talker.Msgs("lobby")) == total })

	// Now the slow client reads: what was buffered, then the close.
	slow.Open()
	err := slow.WaitClosed()
	var ce websocket.CloseError
	if !errors.As(err, &ce) || int(ce.Code) != int(msg.CloseTooSlow) || ce.Reason != msg.CloseTooSlowReason {
		t.Fatalf("slow client closed with %v, want %d %q", err, msg.CloseTooSlow, msg.CloseTooSlowReason)
	}
	seen := slow.Msgs("lobby")
	if len(seen) >= total {
		t.Fatalf("the slow client saw all %d messages before its close: it was not slow", len(seen))
	}
	var last uint64
	if len(seen) > 0 {
		last = seen[len(seen)-1].Seq
	}

	// It reconnects with since and catches up.
	again := testkit.DialChat(t, s.url, "slow")
	again.Join("lobby", "slow", last)
	all := append(seen, again.Msgs("lobby")...)
	want := talker.Msgs("lobby")
	if len(all) != len(want) {
		t.Fatalf("after catching up the slow client has %d messages (%d before the close), want %d", len(all), len(seen), len(want))
	}
	for i := range want {
		if all[i].Seq != want[i].Seq || all[i].ID != want[i].ID {
			t.Fatalf("message %d: %d %s, want %d %s", i, all[i].Seq, all[i].ID, want[i].Seq, want[i].ID)
		}
	}
	t.Logf("closed after %d messages; %d read before the close, %d caught up", sent, len(seen), len(again.Msgs("lobby")))
}

func TestRateLimitAnswersWithoutClosing(t *testing.T) {
	// Burst 3 and a refill rate too slow to matter during the test: exactly
	// three says pass, whatever the machine's speed.
	s := startServer(t, Options{Rate: 1e-6, Burst: 4}, nil)
	c := testkit.DialChat(t, s.url, "ada")
	c.Join("lobby", "ada", 0) // the join takes one token
	for i := range 10 {
		c.Say("lobby", fmt.Sprint("m", i), "hi")
	}
	limited := 0
	for i := range 10 {
		e := c.WaitFor("answer", func(e msg.Chat) bool { return e.ID == fmt.Sprint("m", i) && e.Type != msg.ChatMsg })
		switch {
		case i < 3 && e.Type == msg.ChatAck:
		case i >= 3 && e.Type == msg.ChatError && e.Code == msg.ErrRateLimited:
			limited++
			if !strings.Contains(e.Detail, "too many") {
				t.Errorf("detail %q", e.Detail)
			}
		default:
			t.Fatalf("say %d answered %+v", i, e)
		}
	}
	c.Ping() // still open, and pings are not limited
	if published, rl := s.metric(t, "chat_published_total"), s.rateLimited(t); published != 3 || rl != 7 || limited != 7 {
		t.Fatalf("published %v, rate limited %v (answers %d), want 3 and 7", published, rl, limited)
	}
}

// TestMalformedEnvelopes sends every kind of bad envelope on one socket: each
// gets an error envelope naming the problem, and the socket stays usable.
func TestMalformedEnvelopes(t *testing.T) {
	s := startServer(t, Options{Rate: 1e6, Burst: 1e6}, nil)
	c := testkit.DialChat(t, s.url, "ada")
	tok := testkit.ChatToken("ada")
	say := func(room, id, text string) string {
		b, _ := json.Marshal(msg.Chat{Type: msg.ChatSay, Room: room, ID: id, Text: text})
		return string(b)
	}
	cases := []struct{ name, frame, code, id string }{
		{"not JSON", `hello`, msg.ErrBadJSON, ""},
		{"truncated JSON", `{"type":"join","room":"lo`, msg.ErrBadJSON, ""},
		{"JSON array", `[]`, msg.ErrBadJSON, ""},
		{"wrong field type", `{"type":"join","room":7}`, msg.ErrBadJSON, ""},
		{"no type", `{"room":"lobby"}`, msg.ErrUnknownType, ""},
		{"unknown type", `{"type":"shout"}`, msg.ErrUnknownType, ""},
		{"server type", `{"type":"msg","room":"lobby"}`, msg.ErrUnknownType, ""},
		{"join without room", `{"type":"join","nick":"ada","token":"` + tok + `"}`, msg.ErrMissingField, ""},
		{"join without nick", `{"type":"join","room":"lobby","token":"` + tok + `"}`, msg.ErrMissingField, ""},
		{"join without token", `{"type":"join","room":"lobby","nick":"ada"}`, msg.ErrMissingField, ""},
		{"bad room", `{"type":"join","room":"../etc","nick":"ada","token":"` + tok + `"}`, msg.ErrBadRoom, ""},
		{"subject wildcard room", `{"type":"join","room":">","nick":"ada","token":"` + tok + `"}`, msg.ErrBadRoom, ""},
		{"bad nick", `{"type":"join","room":"lobby","nick":"<script>","token":"` + tok + `"}`, msg.ErrBadNick, ""},
		{"bad token", `{"type":"join","room":"lobby","nick":"ada","token":"x"}`, msg.ErrBadToken, ""},
		{"say before join", say("lobby", "m0", "hi"), msg.ErrNotJoined, "m0"},
		{"leave before join", `{"type":"leave","room":"lobby"}`, msg.ErrNotJoined, ""},
		{"say without id", `{"type":"say","room":"lobby","text":"hi"}`, msg.ErrMissingField, ""},
		{"say with a bad id", say("lobby", "no spaces", "hi"), msg.ErrBadID, ""},
		{"empty text", say("lobby", "m1", " \n "), msg.ErrEmpty, "m1"},
		{"oversize text", say("lobby", "m2", strings.Repeat("é", msg.ChatMaxText+1)), msg.ErrTooLong, "m2"},
	}
	for _, tc := range cases {
		c.SendRaw(websocket.MessageText, []byte(tc.frame))
		e := c.WaitFor(tc.name, testkit.IsType(msg.ChatError))
		if e.Code != tc.code || e.ID != tc.id || e.Detail == "" {
			t.Errorf("%s: got %s (id %q, %q), want %s (id %q)", tc.name, e.Code, e.ID, e.Detail, tc.code, tc.id)
		}
		c.Ping()
	}
	c.SendRaw(websocket.MessageBinary, []byte{0x81, 0})
	if e := c.WaitFor("binary frame", testkit.IsType(msg.ChatError)); e.Code != msg.ErrBadFrame {
		t.Errorf("binary: %+v", e)
	}
	c.Ping()

	// After all that, the socket works: join, and an exactly 8 000-character
	// message (of 2-byte characters) arrives whole.
	c.Join("lobby", "ada", 0)
	long := strings.Repeat("é", msg.ChatMaxText-1) + "!"
	c.Say("lobby", "long", long)
	if m := c.WaitFor("the long message", testkit.IsType(msg.ChatMsg)); m.Text != long {
		t.Fatalf("8000 characters came back as %d", len([]rune(m.Text)))
	}
	// A frame over the read limit is the one thing that closes: 1009.
	c.SendRaw(websocket.MessageText, []byte(say("lobby", "huge", strings.Repeat("x", msg.ChatReadLimit+1))))
	var ce websocket.CloseError
	if err := c.WaitClosed(); !errors.As(err, &ce) || ce.Code != websocket.StatusMessageTooBig {
		t.Fatalf("oversize frame: %v, want 1009", err)
	}
}

// TestIdleSocketIsClosed: a socket from which nothing arrives for the idle
// timeout is closed with 1001 and a reason that says why; one that talks
// (its pings) stays open meanwhile.
func TestIdleSocketIsClosed(t *testing.T) {
	s := startServer(t, Options{IdleTimeout: time.Second}, nil)
	quiet := s.inLobby(t, "quiet")
	chatty := s.inLobby(t, "chatty")

	// chatty pings more often than the timeout until quiet is closed.
	deadline := time.After(10 * time.Second)
	for closed := false; !closed; {
		chatty.Ping()
		select {
		case <-quiet.Done():
			closed = true
		case <-deadline:
			t.Fatal("the quiet socket is still open after 10s")
		case <-time.After(100 * time.Millisecond): // chatty's ping interval, not a wait for a result
		}
	}
	err := quiet.WaitClosed()
	var ce websocket.CloseError
	if !errors.As(err, &ce) || ce.Code != websocket.StatusGoingAway || ce.Reason != msg.CloseIdleReason {
		t.Fatalf("quiet socket ended with %v, want 1001 %q", err, msg.CloseIdleReason)
	}
	chatty.Say("lobby", "c1", "still here")
	chatty.WaitFor("the ack of chatty's message", func(e msg.Chat) bool { return e.Type == msg.ChatAck && e.ID == "c1" })
}

// TestJoinWithoutHistoryIsClosedTryAgainLater: when the store cannot serve
// a join's history, the socket is closed at once with 1013 Try Again Later
// (the close frame must not wait behind the writer's batch).
func TestJoinWithoutHistoryIsClosedTryAgainLater(t *testing.T) {
	s := startServer(t, Options{}, nil)
	c := testkit.DialChat(t, s.url, "ada")
	s.store.Close() // the store's NATS connection is gone
	c.Send(msg.Chat{Type: msg.ChatJoin, Room: "lobby", Nick: "ada", Token: testkit.ChatToken("ada")})
	err := c.WaitClosed()
	var ce websocket.CloseError
	if !errors.As(err, &ce) || ce.Code != websocket.StatusTryAgainLater {
		t.Fatalf("socket ended with %v, want a 1013 close", err)
	}
}

// TestSlowPublishDoesNotRateLimit: a client within the rate whose frames
// arrive while the store is slow must not be rate limited for it. The
// read loop reads and counts each frame as it arrives; the says wait for
// the store apart from it. (Read in the loop after a one-second publish,
// the 39 frames behind it would come at once and blow the burst of 5.)
func TestSlowPublishDoesNotRateLimit(t *testing.T) {
	slow := make(chan struct{}, 1)
	slow <- struct{}{}
	opts := Options{Rate: 50, Burst: 5, beforePublish: func() {
		select {
		case <-slow:
			time.Sleep(time.Second) // the first publish: a store that stalls
		default:
		}
	}}
	s := startServer(t, opts, nil)
	c := s.inLobby(t, "ada")
	const n = 40
	tick := time.NewTicker(25 * time.Millisecond) // 40 a second: within 50
	defer tick.Stop()
	for i := range n {
		<-tick.C
		c.Say("lobby", fmt.Sprint("s", i), "hi")
	}
	for i := range n {
		e := c.WaitFor("answer", func(e msg.Chat) bool { return e.ID == fmt.Sprint("s", i) && e.Type != msg.ChatMsg })
		if e.Type != msg.ChatAck {
			t.Fatalf("say %d answered %+v", i, e)
		}
	}
	if published, rl := s.metric(t, "chat_published_total"), s.rateLimited(t); rl != 0 || published != n {
		t.Fatalf("published %v, rate limited %v: want %d published, none rate limited", published, rl, n)
	}
}

// TestLowerTextLimit: a server may take shorter says than the protocol
// (MaxText, -chat-text-max): one at the limit is stored, a longer one is
// refused with too_long and a detail naming the server's limit, and the
// socket stays open.
func TestLowerTextLimit(t *testing.T) {
	s := startServer(t, Options{MaxText: 10}, nil)
	c := s.inLobby(t, "ada")
	c.Say("lobby", "long", strings.Repeat("é", 11))
	e := c.WaitFor("the refusal", testkit.IsType(msg.ChatError))
	if e.Code != msg.ErrTooLong || e.ID != "long" || !strings.Contains(e.Detail, "at most 10") {
		t.Fatalf("an 11-character say answered %+v, want too_long naming 10", e)
	}
	c.Say("lobby", "fits", strings.Repeat("é", 10))
	if a := c.WaitFor("the ack", testkit.IsType(msg.ChatAck)); a.ID != "fits" {
		t.Fatalf("a 10-character say answered %+v", a)
	}
}
