package testkit

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/nats-io/nats.go"

	"socketlab/app/msg"
	"socketlab/server/wsframe"
)

// TestPoll: Poll returns as soon as the check holds, and the check's last
// error once the time is up.
func TestPoll(t *testing.T) {
	var n atomic.Int32
	if err := Poll(5*time.Second, func() error {
		if n.Add(1) < 3 {
			return errors.New("not yet")
		}
		return nil
	}); err != nil || n.Load() != 3 {
		t.Fatalf("Poll = %v after %d checks, want nil after 3", err, n.Load())
	}
	start := time.Now()
	err := Poll(50*time.Millisecond, func() error { return errors.New("never") })
	if err == nil || err.Error() != "never" || time.Since(start) < 50*time.Millisecond {
		t.Fatalf("Poll of a check that never holds = %v after %v", err, time.Since(start))
	}
}

// httpServer is the smallest Server: net/http's, shut down when ctx ends.
type httpServer struct{ h http.Handler }

func (s httpServer) Serve(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{Handler: s.h}
	go func() { <-ctx.Done(); srv.Shutdown(context.Background()) }()
	if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// acceptEach serves a WebSocket handler (coder/websocket's own Accept,
// without the server's connection layer) through Serve.
func acceptEach(t *testing.T, handle func(c *websocket.Conn, r *http.Request)) *Serving {
	return Serve(t, httpServer{http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := websocket.Accept(w, r, nil)
		if err != nil {
			return
		}
		defer c.CloseNow()
		handle(c, r)
	})})
}

// TestServeStopRestart: a served server answers on its address, Stop ends
// it (twice is once), and Restart serves again on the same address.
func TestServeStopRestart(t *testing.T) {
	hello := httpServer{http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("one")) })}
	s := Serve(t, hello)
	get := func() (string, error) {
		resp, err := http.Get(s.URL("/"))
		if err != nil {
			return "", err
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		return string(b), err
	}
	if body, err := get(); body != "one" || err != nil {
		t.Fatalf("GET = %q, %v", body, err)
	}
	if err := s.Stop(); err != nil {
		t.Fatal(err)
	}
	if err := s.Stop(); err != nil {
		t.Fatalf("second Stop: %v", err)
	}
	if _, err := get(); err == nil {
		t.Fatal("a stopped server answered")
	}
	s.Restart(t, httpServer{http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("two")) })})
	if body, err := get(); body != "two" || err != nil {
		t.Fatalf("GET after Restart = %q, %v", body, err)
	}
}

// TestRawConn speaks to coder/websocket by hand: a masked text frame is
// echoed, a handshake with a wrong version is refused, the close reason is
// read; a connection that ends without a close frame is told apart.
func TestRawConn(t *testing.T) {
	s := acceptEach(t, func(c *websocket.Conn, r *http.Request) {
		for {
			typ, b, err := c.Read(r.Context())
			if err != nil {
				return
			}
			if string(b) == "bye" {
				c.Close(websocket.StatusNormalClosure, "as asked")
				return
			}
			c.Write(r.Context(), typ, b)
		}
	})
	if _, status := RawHandshake(t, s.Addr, "/", map[string]string{"Sec-WebSocket-Version": "8"}); status != http.StatusBadRequest {
		t.Errorf("version 8: HTTP %d, want 400", status)
	}
	r := DialRaw(t, s.Addr, "/")
	r.WriteFrame(true, 0, wsframe.OpText, []byte("hello"), true)
	if op, p, err := r.ReadFrame(); op != wsframe.OpText || string(p) != "hello" || err != nil {
		t.Fatalf("echo: op %d %q %v", op, p, err)
	}
	r.WriteFrame(true, 0, wsframe.OpText, []byte("bye"), true)
	if code := r.CloseCode(); code != 1000 || r.Reason != "as asked" {
		t.Fatalf("close %d %q, want 1000 as asked", code, r.Reason)
	}
	r = DialRaw(t, s.Addr, "/")
	r.WriteFrame(true, 0, wsframe.OpText, []byte("x"), false)
	// coder/websocket ends the connection on this protocol error without
	// a close frame: CloseCode must tell that apart from any code.
	if code := r.CloseCode(); code != Dropped {
		t.Fatalf("unmasked frame: close %d, want the connection dropped", code)
	}
}

// TestPresenceChecker feeds the checker what a server might send: a
// consistent run, then a change repeated and a change before the list.
func TestPresenceChecker(t *testing.T) {
	c := &ChatClient{}
	feed := func(envs ...msg.Chat) {
		for _, e := range envs {
			c.got = append(c.got, e)
			c.views = append(c.views, c.applyPresence(e))
		}
	}
	feed(msg.Chat{Type: msg.ChatWelcome}, msg.Chat{Type: msg.ChatPresence, Nicks: []string{"ada"}},
		msg.Chat{Type: msg.ChatPresence, Joined: []string{"bob"}}, msg.Chat{Type: msg.ChatSynced})
	if v := c.views[len(c.views)-1]; strings.Join(v, ",") != "ada,bob" || len(c.badPre) > 0 {
		t.Fatalf("view %q, complaints %q", v, c.badPre)
	}
	feed(msg.Chat{Type: msg.ChatPresence, Joined: []string{"bob"}})
	if len(c.badPre) != 1 {
		t.Fatalf("a repeated join: complaints %q, want 1", c.badPre)
	}
	feed(msg.Chat{Type: msg.ChatWelcome}, msg.Chat{Type: msg.ChatPresence, Left: []string{"ada"}})
	if len(c.badPre) < 2 || !strings.Contains(c.badPre[1], "before the full list") {
		t.Fatalf("a change before the full list: complaints %q", c.badPre)
	}
}

// TestChatClient runs the client against a scripted chat server: the join
// waits for welcome and synced, and the presence wait follows the view.
func TestChatClient(t *testing.T) {
	s := acceptEach(t, func(c *websocket.Conn, r *http.Request) {
		if _, _, err := c.Read(r.Context()); err != nil {
			return
		}
		for _, e := range []msg.Chat{{Type: msg.ChatWelcome}, {Type: msg.ChatPresence, Nicks: []string{"ada"}},
			{Type: msg.ChatSynced}, {Type: msg.ChatPresence, Joined: []string{"bob"}}} {
			b, _ := json.Marshal(e)
			c.Write(r.Context(), websocket.MessageText, b)
		}
		c.Close(websocket.StatusNormalClosure, "")
	})
	c := DialChat(t, s.Addr, "ada")
	c.Join("lobby", "ada", 0)
	if e := c.WaitPresence("ada", "bob"); len(e.Joined) != 1 {
		t.Fatalf("presence %+v", e)
	}
	if err := c.WaitClosed(); websocket.CloseStatus(err) != websocket.StatusNormalClosure {
		t.Fatalf("closed with %v", err)
	}
}

// TestNATS: the embedded server takes a JetStream client.
func TestNATS(t *testing.T) {
	ns := JetStream(t)
	nc, err := nats.Connect(ns.ClientURL())
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, err := nc.JetStream()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := js.AccountInfo(); err != nil {
		t.Fatalf("JetStream: %v", err)
	}
}

// TestDialClosedWith: a handler served alone is dialled, and its close
// code and reason are checked, a wrong one failing.
func TestDialClosedWith(t *testing.T) {
	url := acceptEach(t, func(c *websocket.Conn, r *http.Request) {
		c.Close(websocket.StatusPolicyViolation, "no")
	}).WS("/")
	ws, _ := Dial(t, url, nil)
	ClosedWith(t, ws, websocket.StatusPolicyViolation, "no")
	// The same check against the wrong code must fail: run it on a
	// testing.T of its own.
	inner := &testing.T{}
	ws, _ = Dial(t, url, nil)
	done := make(chan struct{})
	go func() { defer close(done); ClosedWith(inner, ws, websocket.StatusNormalClosure, "") }()
	<-done
	if !inner.Failed() {
		t.Fatal("ClosedWith accepted 1008 as 1000")
	}
}

// TestMessages: the messages before the close come back in order, and a
// close code in app/msg's type is checked like the library's.
func TestMessages(t *testing.T) {
	url := acceptEach(t, func(c *websocket.Conn, r *http.Request) {
		c.Write(r.Context(), websocket.MessageText, []byte("a"))
		c.Write(r.Context(), websocket.MessageText, []byte("b"))
		c.Close(websocket.StatusGoingAway, "bye")
	}).WS("/")
	ws, _ := Dial(t, url, nil)
	if got := Messages(t, ws, msg.CloseGoingAway, "bye"); strings.Join(got, ",") != "a,b" {
		t.Fatalf("Messages = %q, want a then b", got)
	}
}
