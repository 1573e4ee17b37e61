package ui

import (
	"strings"
	"testing"

	"socketlab/app/msg"
	"socketlab/app/socket"
)

// TestServerViewFollowsTheSocket: the server view learns of the tapped
// socket from OnOpen and OnClose, not from the inspector's text. The close
// of the socket being replaced (the redial's own 1000) is not the tapped
// one's; once the tapped socket opened, its close ends the view and sends
// the socket back to its plain URL.
func TestServerViewFollowsTheSocket(t *testing.T) {
	l := &live{path: msg.CasefoldPath, conn: socket.New(socketURL(msg.CasefoldPath+"?tap=abc"), socket.Options{})}
	l.tap.on, l.tap.pending = true, true

	l.tap.closed(l, msg.CloseNormal, "redial") // the plain socket going
	if !l.tap.on || l.tap.ended != "" {
		t.Fatalf("the old socket's close ended the view: on %v, %q", l.tap.on, l.tap.ended)
	}
	l.tap.opened(socketURL(msg.CasefoldPath)) // not the tapped one
	if !l.tap.pending {
		t.Fatal("a socket without the tap counted as the tapped one")
	}
	l.tap.opened(socketURL(msg.CasefoldPath + "?tap=abc"))
	if l.tap.pending {
		t.Fatal("the tapped socket's open went unnoticed")
	}
	l.tap.closed(l, msg.CloseGoingAway, "server is shutting down")
	if l.tap.on || !strings.Contains(l.tap.ended, "1001 server is shutting down") {
		t.Fatalf("after the tapped socket closed: on %v, note %q", l.tap.on, l.tap.ended)
	}
	if got, want := l.conn.URL(), socketURL(msg.CasefoldPath); got != want {
		t.Fatalf("the socket redials %q, want its plain URL %q", got, want)
	}
	// Off, closes are nothing to the view.
	l.tap.ended = ""
	l.tap.closed(l, msg.CloseAbnormal, "connection lost")
	if l.tap.ended != "" {
		t.Fatalf("a close with the view off left a note: %q", l.tap.ended)
	}
}

func TestHasTap(t *testing.T) {
	for url, want := range map[string]bool{
		"ws://h/ws/chat?tap=abc":          true,
		"wss://h/ws/wire?deflate=1&tap=x": true,
		"ws://h/ws/chat":                  false,
		"ws://h/ws/chat?tapped=1":         false,
	} {
		if got := hasTap(url); got != want {
			t.Errorf("hasTap(%q) = %v, want %v", url, got, want)
		}
	}
}
