package site

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"socketlab/app/msg"
)

// wireObserver dials the wire lab's observer for id on a running site.
func wireObserver(t *testing.T, addr, id string) (next func() msg.WireEvent) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	t.Cleanup(cancel)
	ws, _, err := websocket.Dial(ctx, "ws://"+addr+msg.WireWatchPath+"?id="+id, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ws.CloseNow() })
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

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, _, err := websocket.Dial(ctx, "ws://"+site.Addr+msg.ChatPath+"?tap="+id, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.CloseNow()
	cc := &chatConn{t, c}
	cc.send(join("lobby", "ada"))
	cc.next(msg.ChatWelcome)

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
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	id := tapID()
	obs, _, err := websocket.Dial(ctx, "wss://"+site.Addr+msg.WireWatchPath+"?id="+id, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer obs.CloseNow()
	sub, _, err := websocket.Dial(ctx, "wss://"+site.Addr+msg.WirePath+"?tap="+id, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer sub.CloseNow()
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
