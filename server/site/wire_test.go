package site

import (
	"crypto/rand"
	"crypto/tls"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/coder/websocket"

	"socketlab/app/msg"
	"socketlab/internal/testkit"
)

// wireObserver dials the wire lab's observer for id on a running site.
func wireObserver(t *testing.T, addr, id string) (next func() msg.WireEvent) {
	t.Helper()
	ws, ctx := testkit.Dial(t, "ws://"+addr+msg.WireWatchPath+"?id="+id, nil)
	return func() msg.WireEvent {
		t.Helper()
		_, b, err := ws.Read(ctx)
		if err != nil {
			t.Fatalf("observer: %v", err)
		}
		var ev msg.WireEvent
		json.Unmarshal(b, &ev)
		return ev
	}
}

func tapID() string {
	b := make([]byte, 16)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// TestWireTapsAnotherLab: the chat's socket opened with ?tap=<id> is
// decoded for the observer, through the site's real listener (the
// handshake as it crossed), and the chat works as ever.
func TestWireTapsAnotherLab(t *testing.T) {
	site := startSite(t, Config{PingEvery: -1})
	id := tapID()
	next := wireObserver(t, site.Addr, id)

	ada := testkit.DialChatWith(t, site.Addr, "ada", testkit.ChatDialOptions{Query: "?tap=" + id})
	ada.Join("lobby", "ada", 0)

	hs := next()
	if hs.Type != msg.WireHandshake || hs.Detail != "" || hs.Handshake.Request[0] != "GET /ws/chat?tap="+id+" HTTP/1.1" ||
		hs.Handshake.Accept != hs.Handshake.AcceptSent {
		t.Fatalf("handshake %+v", hs)
	}
	joinFrame := next()
	if joinFrame.Type != msg.WireFrameRec || joinFrame.Frame.Dir != msg.WireIn || !joinFrame.Frame.Masked ||
		!strings.HasPrefix(joinFrame.Frame.Text, `{"type":"join","room":"lobby","nick":"ada"`) {
		t.Fatalf("first frame %+v", joinFrame.Frame)
	}
	if welcome := next(); welcome.Frame == nil || welcome.Frame.Dir != msg.WireOut || !strings.Contains(welcome.Frame.Text, `"welcome"`) {
		t.Fatalf("second frame %+v", welcome.Frame)
	}
}

// TestWireHandshakeOverTLS: behind TLS the heads cannot be recorded (the
// listener sees ciphertext); the record says it was rebuilt, and the
// computed accept still equals the header sent.
func TestWireHandshakeOverTLS(t *testing.T) {
	site := startSite(t, Config{PingEvery: -1, TLSSelfSigned: true})
	opts := &websocket.DialOptions{HTTPClient: &http.Client{Transport: &http.Transport{
		TLSClientConfig: &tls.Config{InsecureSkipVerify: true}, // the site's certificate is made at start
	}}}
	id := tapID()
	obs, ctx := testkit.Dial(t, "wss://"+site.Addr+msg.WireWatchPath+"?id="+id, opts)
	testkit.Dial(t, "wss://"+site.Addr+msg.WirePath+"?tap="+id, opts)
	_, b, err := obs.Read(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var ev msg.WireEvent
	json.Unmarshal(b, &ev)
	if ev.Type != msg.WireHandshake || !strings.Contains(ev.Detail, "rebuilt") ||
		ev.Handshake.Request[0] != "GET /ws/wire?tap="+id+" HTTP/1.1" || ev.Handshake.Accept != ev.Handshake.AcceptSent {
		t.Fatalf("handshake over TLS: %+v", ev)
	}
}
