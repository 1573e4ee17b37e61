package site

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/coder/websocket"

	"socketlab/app/msg"
	"socketlab/internal/testkit"
)

// sendText writes raw as one text frame: the attack table's envelopes are
// written out by hand, most of them not valid ones.
func sendText(c *testkit.ChatClient, raw string) {
	c.SendRaw(websocket.MessageText, []byte(raw))
}

// join is a join envelope for room and nick written out, for the attacks
// that break one of its fields (ChatClient.Join sends a good one).
func join(room, nick string) string {
	b, _ := json.Marshal(msg.Chat{Type: msg.ChatJoin, Room: room, Nick: nick, Token: "tok-" + strings.ReplaceAll(nick, " ", "") + "-0123456789abcdef"})
	return string(b)
}

// TestBadInputChat sends every kind of broken envelope to /ws/chat. Each
// gets the exact error code, the connection stays usable, and the history a
// bystander wrote is intact afterwards.
func TestBadInputChat(t *testing.T) {
	site := startSite(t, Config{PingEvery: -1})
	by := testkit.DialChat(t, site.Addr, "bystander")
	by.Join("lobby", "bystander", 0)
	for i := range 3 {
		sendText(by, fmt.Sprintf(`{"type":"say","room":"lobby","id":"b%d","text":"kept %d"}`, i, i))
		by.WaitAck(fmt.Sprint("b", i))
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
			cc := testkit.DialChat(t, site.Addr, fmt.Sprintf("eve%d", i))
			if c.joined {
				cc.Join("lobby", cc.Name, 0)
			}
			sendText(cc, c.send)
			if e := cc.WaitFor("the error", testkit.IsType(msg.ChatError)); e.Code != c.code {
				t.Fatalf("error code %q (%s), want %q", e.Code, e.Detail, c.code)
			}
			cc.Ping() // still usable
		})
	}

	t.Run("binary frame", func(t *testing.T) {
		cc := testkit.DialChat(t, site.Addr, "binary")
		cc.SendRaw(websocket.MessageBinary, []byte(`{"type":"ping"}`))
		if e := cc.WaitFor("the error", testkit.IsType(msg.ChatError)); e.Code != msg.ErrBadFrame {
			t.Fatalf("code %q, want %q", e.Code, msg.ErrBadFrame)
		}
		cc.Ping()
	})
	t.Run("flood over the rate limit", func(t *testing.T) {
		cc := testkit.DialChat(t, site.Addr, "flooder")
		cc.Join("lobby", "flooder", 0)
		for i := range 60 {
			sendText(cc, fmt.Sprintf(`{"type":"say","room":"lobby","id":"f%d","text":"flood"}`, i))
		}
		if e := cc.WaitFor("the error", testkit.IsType(msg.ChatError)); e.Code != msg.ErrRateLimited {
			t.Fatalf("code %q, want %q", e.Code, msg.ErrRateLimited)
		}
		cc.Ping() // an error, not a disconnect
	})
	t.Run("frame over the read limit", func(t *testing.T) {
		cc := testkit.DialChat(t, site.Addr, "big")
		sendText(cc, `{"type":"say","text":"`+strings.Repeat("x", msg.ChatReadLimit)+`"}`)
		if err := cc.WaitClosed(); websocket.CloseStatus(err) != websocket.StatusMessageTooBig {
			t.Fatalf("got %v after %v, want close 1009", err, cc.Types())
		}
	})

	// The bystander's messages are all still there, and it is still served.
	by.Ping()
	late := testkit.DialChat(t, site.Addr, "latecomer")
	late.Join("lobby", "latecomer", 0) // returns at synced: the catch-up is in
	var kept []string
	for _, env := range late.Msgs("lobby") {
		if strings.HasPrefix(env.ID, "b") {
			kept = append(kept, env.Text)
		}
	}
	if strings.Join(kept, ",") != "kept 0,kept 1,kept 2" {
		t.Fatalf("history after the attacks: %q, want the bystander's three messages", kept)
	}
}
