package site

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"socketlab/app/msg"
)

// chatConn is a minimal chat client for the attack table.
type chatConn struct {
	t *testing.T
	c *websocket.Conn
}

func dialChat(t *testing.T, addr string) *chatConn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, _, err := websocket.Dial(ctx, "ws://"+addr+msg.ChatPath, nil)
	if err != nil {
		t.Fatal(err)
	}
	c.SetReadLimit(1 << 20)
	t.Cleanup(func() { c.CloseNow() })
	return &chatConn{t, c}
}

func (cc *chatConn) send(raw string) {
	cc.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := cc.c.Write(ctx, websocket.MessageText, []byte(raw)); err != nil {
		cc.t.Fatal(err)
	}
}

// next reads envelopes until one of type typ.
func (cc *chatConn) next(typ string) msg.Chat {
	cc.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for {
		_, b, err := cc.c.Read(ctx)
		if err != nil {
			cc.t.Fatalf("waiting for %s: %v", typ, err)
		}
		var env msg.Chat
		json.Unmarshal(b, &env)
		if env.Type == typ {
			return env
		}
	}
}

// usable proves the connection still works: a ping gets its pong.
func (cc *chatConn) usable() {
	cc.t.Helper()
	cc.send(`{"type":"ping"}`)
	cc.next(msg.ChatPong)
}

func join(room, nick string) string {
	b, _ := json.Marshal(msg.Chat{Type: msg.ChatJoin, Room: room, Nick: nick, Token: "tok-" + strings.ReplaceAll(nick, " ", "") + "-0123456789abcdef"})
	return string(b)
}

// TestBadInputChat sends every kind of broken envelope to /ws/chat. Each
// gets the exact error code, the connection stays usable, and the history a
// bystander wrote is intact afterwards.
func TestBadInputChat(t *testing.T) {
	site := startSite(t, Config{PingEvery: -1})
	by := dialChat(t, site.Addr)
	by.send(join("lobby", "bystander"))
	by.next(msg.ChatSynced)
	for i := range 3 {
		by.send(fmt.Sprintf(`{"type":"say","room":"lobby","id":"b%d","text":"kept %d"}`, i, i))
		by.next(msg.ChatAck)
	}

	cases := []struct {
		name   string
		joined bool // join lobby first
		send   string
		code   string
	}{
		{"not JSON", false, `hello`, msg.ErrBadJSON},
		{"JSON array", false, `[1,2]`, msg.ErrBadJSON},
		{"type is a number", false, `{"type":7}`, msg.ErrBadJSON},
		{"room is an array", false, `{"type":"join","room":["lobby"],"nick":"x","token":"0123456789abcdef"}`, msg.ErrBadJSON},
		{"since is a string", false, `{"type":"join","room":"lobby","nick":"x","token":"0123456789abcdef","since":"5"}`, msg.ErrBadJSON},
		{"since is negative", false, `{"type":"join","room":"lobby","nick":"x","token":"0123456789abcdef","since":-1}`, msg.ErrBadJSON},
		{"text is a number", true, `{"type":"say","room":"lobby","id":"a1","text":42}`, msg.ErrBadJSON},
		{"unknown type", false, `{"type":"shout"}`, msg.ErrUnknownType},
		{"no type", false, `{"room":"lobby"}`, msg.ErrUnknownType},
		{"server-only type", false, `{"type":"ack","id":"x"}`, msg.ErrUnknownType},
		{"join without nick", false, `{"type":"join","room":"lobby","token":"0123456789abcdef"}`, msg.ErrMissingField},
		{"join without token", false, `{"type":"join","room":"lobby","nick":"eve"}`, msg.ErrMissingField},
		{"room with a path", false, join("../etc", "eve"), msg.ErrBadRoom},
		{"room in capitals", false, join("LOBBY", "eve"), msg.ErrBadRoom},
		{"room too long", false, join(strings.Repeat("r", 33), "eve"), msg.ErrBadRoom},
		{"huge nickname", false, join("lobby", strings.Repeat("n", 10000)), msg.ErrBadNick},
		{"nickname with control characters", false, join("lobby", "eve\x1b[31m"), msg.ErrBadNick},
		{"nickname with a newline", false, join("lobby", "eve\nbob"), msg.ErrBadNick},
		{"nickname of spaces", false, join("lobby", "   "), msg.ErrBadNick},
		{"nickname taken", false, join("lobby", "Bystander"), msg.ErrNickTaken},
		{"short token", false, `{"type":"join","room":"lobby","nick":"eve","token":"abc"}`, msg.ErrBadToken},
		{"say before join", false, `{"type":"say","room":"lobby","id":"a1","text":"hi"}`, msg.ErrNotJoined},
		{"say to another room", true, `{"type":"say","room":"other","id":"a1","text":"hi"}`, msg.ErrNotJoined},
		{"empty text", true, `{"type":"say","room":"lobby","id":"a1","text":"  \n "}`, msg.ErrEmpty},
		{"text of 8 001 characters", true, `{"type":"say","room":"lobby","id":"a1","text":"` + strings.Repeat("é", 8001) + `"}`, msg.ErrTooLong},
		{"text with terminal escapes", true, `{"type":"say","room":"lobby","id":"a1","text":"\u001b[2J gone"}`, msg.ErrBadText},
		{"id with spaces", true, `{"type":"say","room":"lobby","id":"a b","text":"hi"}`, msg.ErrBadID},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cc := dialChat(t, site.Addr)
			if c.joined {
				cc.send(join("lobby", fmt.Sprintf("eve%d", i)))
				cc.next(msg.ChatSynced)
			}
			cc.send(c.send)
			if e := cc.next(msg.ChatError); e.Code != c.code {
				t.Fatalf("error code %q (%s), want %q", e.Code, e.Detail, c.code)
			}
			cc.usable()
		})
	}

	t.Run("binary frame", func(t *testing.T) {
		cc := dialChat(t, site.Addr)
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		cc.c.Write(ctx, websocket.MessageBinary, []byte(`{"type":"ping"}`))
		if e := cc.next(msg.ChatError); e.Code != msg.ErrBadFrame {
			t.Fatalf("code %q, want %q", e.Code, msg.ErrBadFrame)
		}
		cc.usable()
	})
	t.Run("flood over the rate limit", func(t *testing.T) {
		cc := dialChat(t, site.Addr)
		cc.send(join("lobby", "flooder"))
		cc.next(msg.ChatSynced)
		for i := range 60 {
			cc.send(fmt.Sprintf(`{"type":"say","room":"lobby","id":"f%d","text":"flood"}`, i))
		}
		if e := cc.next(msg.ChatError); e.Code != msg.ErrRateLimited {
			t.Fatalf("code %q, want %q", e.Code, msg.ErrRateLimited)
		}
		cc.usable() // an error, not a disconnect
	})
	t.Run("frame over the read limit", func(t *testing.T) {
		cc := dialChat(t, site.Addr)
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		cc.c.Write(ctx, websocket.MessageText, []byte(`{"type":"say","text":"`+strings.Repeat("x", msg.ChatReadLimit)+`"}`))
		if _, _, err := cc.c.Read(ctx); websocket.CloseStatus(err) != websocket.StatusMessageTooBig {
			t.Fatalf("got %v, want close 1009", err)
		}
	})

	// The bystander's messages are all still there, and it is still served.
	by.usable()
	late := dialChat(t, site.Addr)
	late.send(join("lobby", "latecomer"))
	var kept []string
	for {
		_, b, err := late.c.Read(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		var env msg.Chat
		json.Unmarshal(b, &env)
		if env.Type == msg.ChatMsg && strings.HasPrefix(env.ID, "b") {
			kept = append(kept, env.Text)
		}
		if env.Type == msg.ChatSynced {
			break
		}
	}
	if strings.Join(kept, ",") != "kept 0,kept 1,kept 2" {
		t.Fatalf("history after the attacks: %q, want the bystander's three messages", kept)
	}
}
