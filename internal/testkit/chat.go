package testkit

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"

	"socketlab/app/msg"
)

// ChatClient is a chat protocol client for tests (/ws/chat): it records
// every envelope it receives, in order, with the presence view after each
// (presence.go), and lets the test wait for the next envelope that
// matches, from where the last wait stopped.
type ChatClient struct {
	t testing.TB
	// Name names the client in failures and makes its token (ChatToken).
	Name string
	// WS is the socket, for a test that writes past the protocol.
	WS *websocket.Conn
	// Timeout bounds each wait; 15 s unless the test sets another.
	Timeout time.Duration

	mu     sync.Mutex
	got    []msg.Chat
	views  [][]string // after each of got: the presence view
	badPre []string   // presence frames that did not fit the view
	next   int        // waits scan from here
	err    error      // why the read loop ended
	notify chan struct{}
	gate   chan struct{} // when non-nil, reading waits until Open
	opened sync.Once
	done   chan struct{}
}

// ChatDialOptions are DialChatWith's choices beyond DialChat's.
type ChatDialOptions struct {
	// HTTPClient dials, e.g. through a listener a test throttles.
	HTTPClient *http.Client
	// Gated leaves the socket unread until Open, so that the server's
	// writes back up as behind a slow reader.
	Gated bool
	// Query follows the chat path in the URL, e.g. "?tap=<id>" to have
	// the wire lab decode the socket.
	Query string
}

// DialChat dials the chat socket (msg.ChatPath) of the server at addr,
// host:port or a ws:// URL without a path, and reads in the background
// until the test ends.
func DialChat(t testing.TB, addr, name string) *ChatClient {
	t.Helper()
	return DialChatWith(t, addr, name, ChatDialOptions{})
}

// DialChatWith is DialChat with options.
func DialChatWith(t testing.TB, addr, name string, o ChatDialOptions) *ChatClient {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	ws, _, err := websocket.Dial(ctx, "ws://"+strings.TrimPrefix(addr, "ws://")+msg.ChatPath+o.Query, &websocket.DialOptions{HTTPClient: o.HTTPClient})
	if err != nil {
		t.Fatalf("%s: dial: %v", name, err)
	}
	ws.SetReadLimit(msg.ChatReadLimit)
	c := &ChatClient{t: t, Name: name, WS: ws, Timeout: 15 * time.Second, notify: make(chan struct{}, 1), done: make(chan struct{})}
	if o.Gated {
		c.gate = make(chan struct{})
	}
	go c.read()
	t.Cleanup(func() { c.Open(); ws.CloseNow(); <-c.done })
	return c
}

func (c *ChatClient) read() {
	defer close(c.done)
	if c.gate != nil {
		<-c.gate
	}
	for {
		typ, data, err := c.WS.Read(context.Background())
		c.mu.Lock()
		if err != nil {
			c.err = err
			c.mu.Unlock()
			c.poke()
			return
		}
		var env msg.Chat
		if typ != websocket.MessageText || json.Unmarshal(data, &env) != nil {
			env = msg.Chat{Type: "unreadable: " + string(data)}
		}
		c.got = append(c.got, env)
		c.views = append(c.views, c.applyPresence(env))
		c.mu.Unlock()
		c.poke()
	}
}

// Open lets a gated client start reading.
func (c *ChatClient) Open() {
	if c.gate != nil {
		c.opened.Do(func() { close(c.gate) })
	}
}

func (c *ChatClient) poke() {
	select {
	case c.notify <- struct{}{}:
	default:
	}
}

// Send writes env as one text frame.
func (c *ChatClient) Send(env msg.Chat) {
	c.t.Helper()
	b, _ := json.Marshal(env)
	c.SendRaw(websocket.MessageText, b)
}

// SendRaw writes one frame of typ. A failed write fails the test with
// Errorf, not Fatalf, so that clients may send from goroutines of their
// own; the wait that follows fails too.
func (c *ChatClient) SendRaw(typ websocket.MessageType, data []byte) {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := c.WS.Write(ctx, typ, data); err != nil {
		c.t.Errorf("%s: send: %v", c.Name, err)
	}
}

// Close ends the socket with the closing handshake (1000 "bye"), as a
// tab that is closed does: the server sees a disconnect, not a leave.
func (c *ChatClient) Close() {
	c.t.Helper()
	if err := c.WS.Close(websocket.StatusNormalClosure, "bye"); err != nil {
		c.t.Errorf("%s: close: %v", c.Name, err)
	}
}

// ChatToken is the nick-holding token a client called name sends: long
// enough for the server's minimum, different per client.
func ChatToken(name string) string { return "token-of-" + name + "-0123456789" }

// Join joins room as nick with the client's token and waits for the
// welcome and the end of the catch-up (synced).
func (c *ChatClient) Join(room, nick string, since uint64) {
	c.t.Helper()
	c.Send(msg.Chat{Type: msg.ChatJoin, Room: room, Nick: nick, Token: ChatToken(c.Name), Since: since})
	c.WaitFor("welcome", IsType(msg.ChatWelcome))
	c.WaitFor("synced", IsType(msg.ChatSynced))
}

// Say posts text to room under the client's id.
func (c *ChatClient) Say(room, id, text string) {
	c.t.Helper()
	c.Send(msg.Chat{Type: msg.ChatSay, Room: room, ID: id, Text: text})
}

// Ping proves the socket is still usable: a ping must come back as pong.
func (c *ChatClient) Ping() {
	c.t.Helper()
	c.Send(msg.Chat{Type: msg.ChatPing})
	c.WaitFor("pong", IsType(msg.ChatPong))
}

// WaitAck waits for the ack of the say with id and returns its seq.
func (c *ChatClient) WaitAck(id string) uint64 {
	c.t.Helper()
	return c.WaitFor("ack of "+id, func(e msg.Chat) bool { return e.Type == msg.ChatAck && e.ID == id }).Seq
}

// IsType matches envelopes of type t.
func IsType(t string) func(msg.Chat) bool { return func(e msg.Chat) bool { return e.Type == t } }

// IsErr matches error envelopes with code.
func IsErr(code string) func(msg.Chat) bool {
	return func(e msg.Chat) bool { return e.Type == msg.ChatError && e.Code == code }
}

// WaitFor returns the first envelope, after the last one a wait returned,
// that matches ok. It fails the test after Timeout or when the socket
// closes first.
func (c *ChatClient) WaitFor(what string, ok func(msg.Chat) bool) msg.Chat {
	c.t.Helper()
	env, _ := c.WaitForView(c.Timeout, what, func(e msg.Chat, _ []string) bool { return ok(e) })
	return env
}

// WaitForView is WaitFor within d, with the presence view after each
// envelope.
func (c *ChatClient) WaitForView(d time.Duration, what string, ok func(msg.Chat, []string) bool) (msg.Chat, []string) {
	c.t.Helper()
	deadline := time.NewTimer(d)
	defer deadline.Stop()
	for {
		c.mu.Lock()
		for i := c.next; i < len(c.got); i++ {
			if ok(c.got[i], c.views[i]) {
				c.next = i + 1
				env, view := c.got[i], c.views[i]
				c.mu.Unlock()
				return env, view
			}
		}
		err := c.err
		c.mu.Unlock()
		if err != nil {
			c.t.Fatalf("%s: socket closed (%v) while waiting for %s", c.Name, err, what)
		}
		select {
		case <-c.notify:
		case <-deadline.C:
			c.t.Fatalf("%s: timed out after %v waiting for %s; got %v", c.Name, d, what, c.Types())
		}
	}
}

// WaitClosed waits for the read loop to end and returns its error.
func (c *ChatClient) WaitClosed() error {
	c.t.Helper()
	select {
	case <-c.done:
	case <-time.After(c.Timeout):
		c.t.Fatalf("%s: socket still open", c.Name)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.err
}

// Done is closed when the socket has ended and everything it brought has
// been recorded.
func (c *ChatClient) Done() <-chan struct{} { return c.done }

// All is every envelope received so far.
func (c *ChatClient) All() []msg.Chat {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]msg.Chat(nil), c.got...)
}

// Types lists the types (and error codes) received, shortened to the
// first 10 and last 20 for a failure message.
func (c *ChatClient) Types() []string {
	var ts []string
	for _, e := range c.All() {
		t := e.Type
		if e.Code != "" {
			t += ":" + e.Code
		}
		ts = append(ts, t)
	}
	if len(ts) > 30 {
		ts = append(ts[:10], append([]string{"…"}, ts[len(ts)-20:]...)...)
	}
	return ts
}

// Msgs is the msg envelopes received for room.
func (c *ChatClient) Msgs(room string) []msg.Chat {
	var ms []msg.Chat
	for _, e := range c.All() {
		if e.Type == msg.ChatMsg && e.Room == room {
			ms = append(ms, e)
		}
	}
	return ms
}

// Seqs is the seqs of Msgs(room), in the order they came.
func (c *ChatClient) Seqs(room string) []uint64 {
	var seqs []uint64
	for _, m := range c.Msgs(room) {
		seqs = append(seqs, m.Seq)
	}
	return seqs
}

// WaitMsgs waits until n messages of room arrived and returns their seqs.
func (c *ChatClient) WaitMsgs(room string, n int) []uint64 {
	c.t.Helper()
	var seqs []uint64
	err := Poll(c.Timeout, func() error {
		if seqs = c.Seqs(room); len(seqs) < n {
			return fmt.Errorf("%s: %d messages in %s, want %d", c.Name, len(seqs), room, n)
		}
		return nil
	})
	if err != nil {
		c.t.Fatal(err)
	}
	return seqs
}
