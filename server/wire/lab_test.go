package wire

import (
	"bytes"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"socketlab/app/msg"
	"socketlab/internal/testkit"
	"socketlab/server/conns"
)

// TestHelloAsItCrossed: the handshake first, then "Hello" as the client
// sent it (masked) and as the server echoed it.
func TestHelloAsItCrossed(t *testing.T) {
	l := startLab(t, 5*time.Second)
	id := newID()
	obs := l.watch(t, id) // the observer first: it waits for its subject
	sub := l.subject(t, "?tap="+id, nil)

	hs := obs.next()
	if hs.Type != msg.WireHandshake || hs.Handshake == nil || hs.Detail != "" {
		t.Fatalf("first event %+v, want a recorded handshake", hs)
	}
	info := hs.Handshake
	if info.Request[0] != "GET /ws/wire?tap="+id+" HTTP/1.1" || info.Response[0] != "HTTP/1.1 101 Switching Protocols" {
		t.Fatalf("heads %q / %q", info.Request, info.Response)
	}
	if info.Key == "" || info.Accept != info.AcceptSent || info.Accepted != "" || info.Hixie76.Response == "" {
		t.Fatalf("handshake %+v", info)
	}

	sub.echo(t, websocket.MessageText, []byte("Hello"))
	in := obs.frame()
	if in.N != 1 || in.Dir != msg.WireIn || !in.FIN || in.Opcode != 1 || in.OpName != "text" || !in.Masked ||
		in.Len7 != 5 || in.ExtLen != "none" || len(h(in.MaskKey)) != 4 || in.Unmasked != "48 65 6c 6c 6f" ||
		in.Text != "Hello" || in.Raw == in.Unmasked || in.Header != "81 85 "+in.MaskKey || in.Time == 0 {
		t.Fatalf("client frame %+v", in)
	}
	out := obs.frame()
	if out.N != 2 || out.Dir != msg.WireOut || out.Masked || out.Header != "81 05" || out.Raw != "48 65 6c 6c 6f" || out.Text != "Hello" {
		t.Fatalf("server frame %+v", out)
	}
}

func TestLengthFieldKinds(t *testing.T) {
	l := startLab(t, 5*time.Second)
	id := newID()
	sub := l.subject(t, "?tap="+id, nil) // the subject first this time
	obs := l.watch(t, id)
	obs.event(msg.WireHandshake)
	for _, c := range []struct {
		n        int
		len7     int
		ext, raw string
	}{
		{0, 0, "none", ""},
		{125, 125, "none", ""},
		{126, 126, "16", "00 7e"},
		{65535, 126, "16", "ff ff"},
		{65536, 127, "64", "00 00 00 00 00 01 00 00"},
		{70000, 127, "64", "00 00 00 00 00 01 11 70"},
	} {
		sub.echo(t, websocket.MessageBinary, bytes.Repeat([]byte{7}, c.n))
		for _, dir := range []string{msg.WireIn, msg.WireOut} {
			f := obs.frame()
			if f.Dir != dir || f.Len7 != c.len7 || f.ExtLen != c.ext || f.ExtBytes != c.raw || f.Length != uint64(c.n) || f.OpName != "binary" {
				t.Fatalf("%d bytes, %s: %+v", c.n, dir, f)
			}
		}
	}
}

// TestServerPingShowsTheClientsPong: the pong that the client's library
// (like a browser) sends by itself is on the record.
func TestServerPingShowsTheClientsPong(t *testing.T) {
	obs := watched(t, "", nil).obs
	obs.send(`{"type":"ping"}`)
	ping, pong := obs.frame(), obs.frame()
	if ping.Dir != msg.WireOut || ping.OpName != "ping" || pong.Dir != msg.WireIn || pong.OpName != "pong" || !pong.Masked ||
		pong.Unmasked != ping.Raw || ping.Raw == "" {
		t.Fatalf("ping %+v\npong %+v", ping, pong)
	}
}

func TestFragments(t *testing.T) {
	for _, n := range []int{2, 3, msg.WireMaxFragments} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			w := watched(t, "", nil)
			obs, sub := w.obs, w.sub
			obs.send(fmt.Sprintf(`{"type":"fragments","n":%d}`, n))
			// Commands run in order: once the ping's frames are seen, the
			// fragments are set.
			obs.send(`{"type":"ping"}`)
			obs.frame()
			obs.frame()
			text := strings.Repeat("abcdefgh", 4)
			sub.echo(t, websocket.MessageText, []byte(text))
			if f := obs.frame(); f.Dir != msg.WireIn || !f.FIN {
				t.Fatalf("client frame %+v", f)
			}
			var got strings.Builder
			for i := range n {
				f := obs.frame()
				wantOp := 0
				if i == 0 {
					wantOp = 1
				}
				if f.Dir != msg.WireOut || f.FIN != (i == n-1) || f.Opcode != wantOp {
					t.Fatalf("frame %d of %d: %+v", i+1, n, f)
				}
				got.WriteString(f.Text)
			}
			if got.String() != text {
				t.Fatalf("fragments carry %q", got.String())
			}
			// The next echo is one frame again.
			sub.echo(t, websocket.MessageText, []byte("one"))
			obs.frame()
			if f := obs.frame(); !f.FIN || f.Opcode != 1 || f.Text != "one" {
				t.Fatalf("after the fragments: %+v", f)
			}
		})
	}
}

func TestDeflate(t *testing.T) {
	w := watched(t, "&deflate=1", &websocket.DialOptions{CompressionMode: websocket.CompressionContextTakeover})
	obs, sub, info := w.obs, w.sub, w.hs
	if len(info.Offered) != 1 || !strings.HasPrefix(info.Offered[0], "permessage-deflate") ||
		info.Accepted != "permessage-deflate; client_no_context_takeover; server_no_context_takeover" {
		t.Fatalf("offered %q, accepted %q", info.Offered, info.Accepted)
	}
	text := strings.Repeat("the same words again ", 100)
	for range 2 { // twice: each message is inflated alone
		sub.echo(t, websocket.MessageText, []byte(text))
		for _, dir := range []string{msg.WireIn, msg.WireOut} {
			f := obs.frame()
			if f.Dir != dir || !f.RSV1 || f.Length >= uint64(len(text)) || f.Inflated != uint64(len(text)) || f.Text != "" {
				t.Fatalf("%s: %+v", dir, f)
			}
		}
	}
	// Under the library's threshold a message is sent as it is.
	sub.echo(t, websocket.MessageText, []byte("short"))
	if f := obs.frame(); f.RSV1 || f.Inflated != 0 || f.Text != "short" {
		t.Fatalf("short message: %+v", f)
	}
}

// TestCloseBothFrames: the client closes with 4000 "bye"; both close
// frames are on the record, then the end of the connection.
func TestCloseBothFrames(t *testing.T) {
	l := startLab(t, 5*time.Second)
	id := newID()
	obs := l.watch(t, id)
	sub := dialWS(t, l.url+msg.WirePath+"?tap="+id, nil)
	obs.event(msg.WireHandshake)
	if err := sub.Close(4000, "bye"); err != nil {
		t.Fatal(err)
	}
	in, out := obs.frame(), obs.frame()
	if in.Dir != msg.WireIn || in.OpName != "close" || in.CloseCode != 4000 || in.CloseReason != "bye" || !in.Masked {
		t.Fatalf("client close %+v", in)
	}
	if out.Dir != msg.WireOut || out.OpName != "close" || out.CloseCode != 4000 {
		t.Fatalf("server close %+v", out)
	}
	if ev := obs.next(); ev.Type != msg.WireClosed {
		t.Fatalf("after the close frames: %+v", ev)
	}
}

func TestServerCloseCommand(t *testing.T) {
	w := watched(t, "", nil)
	obs, sub := w.obs, w.sub
	obs.send(`{"type":"close","code":1011,"reason":"asked by the observer"}`)
	out, in := obs.frame(), obs.frame()
	if out.Dir != msg.WireOut || out.CloseCode != 1011 || out.CloseReason != "asked by the observer" ||
		in.Dir != msg.WireIn || in.CloseCode != 1011 {
		t.Fatalf("server close %+v\nclient answer %+v", out, in)
	}
	if ev := obs.next(); ev.Type != msg.WireClosed {
		t.Fatalf("got %+v", ev)
	}
	if err := <-sub.err; websocket.CloseStatus(err) != 1011 {
		t.Fatalf("subject saw %v", err)
	}
	// The subject is gone: commands now fail, the observer stays.
	obs.send(`{"type":"ping"}`)
	if ev := obs.next(); ev.Type != msg.WireError || !strings.Contains(ev.Detail, "no subject") {
		t.Fatalf("ping without subject: %+v", ev)
	}
}

// TestBadCommands: each gets an error event and the observer stays up; an
// oversized one is closed with 1009.
func TestBadCommands(t *testing.T) {
	obs := watched(t, "", nil).obs
	for cmd, want := range map[string]string{
		`{"type":"close","code":1000}`: "1001, 1008 or 1011",
		`{"type":"close","code":4000}`: "1001, 1008 or 1011",
		`{"type":"fragments","n":1}`:   "n must be 2 to 16",
		`{"type":"fragments","n":17}`:  "n must be 2 to 16",
		`{"type":"jump"}`:              `unknown command type "jump"`,
		`not json`:                     "bad JSON",
		`{"type":"ping","text":"` + strings.Repeat("x", 126) + `"}`:                "over 125",
		`{"type":"close","code":1001,"reason":"` + strings.Repeat("r", 124) + `"}`: "at most 123 bytes",
	} {
		obs.send(cmd)
		if ev := obs.next(); ev.Type != msg.WireError || !strings.Contains(ev.Detail, want) {
			t.Fatalf("%s: got %+v, want an error with %q", cmd, ev, want)
		}
	}
	obs.ws.Write(obs.ctx, websocket.MessageBinary, []byte{1})
	if ev := obs.next(); ev.Type != msg.WireError || !strings.Contains(ev.Detail, "text frames") {
		t.Fatalf("binary command: %+v", ev)
	}
	obs.send(`{"type":"ping","text":"` + strings.Repeat("x", msg.WireCommandLimit) + `"}`)
	testkit.ClosedWith(t, obs.ws, websocket.StatusMessageTooBig, "")
}

func TestFragmentsOnlyForTheEcho(t *testing.T) {
	l := startLab(t, 5*time.Second)
	// Another lab's socket, tapped: here an endpoint of the same mux
	// that accepts through the same registry.
	l.mux.HandleFunc("GET /ws/other", func(w http.ResponseWriter, r *http.Request) {
		c, err := l.reg.Accept(w, r, "/ws/other", conns.Options{})
		if err != nil {
			return
		}
		_, _, err = c.Read(r.Context())
		c.Finish(err)
	})
	id := newID()
	obs := l.watch(t, id)
	dialWS(t, l.url+"/ws/other?tap="+id, nil)
	if info := obs.event(msg.WireHandshake).Handshake; info.Request[0] != "GET /ws/other?tap="+id+" HTTP/1.1" {
		t.Fatalf("request line %q", info.Request[0])
	}
	obs.send(`{"type":"fragments","n":3}`)
	if ev := obs.next(); ev.Type != msg.WireError || !strings.Contains(ev.Detail, "only the wire lab's echo") {
		t.Fatalf("got %+v", ev)
	}
}

func TestUnknownSubject(t *testing.T) {
	l := startLab(t, 200*time.Millisecond)
	obs := l.watch(t, newID())
	testkit.ClosedWith(t, obs.ws, websocket.StatusPolicyViolation, msg.CloseNoSubjectReason)
	testkit.Eventually(t, 10*time.Second, "the session to go", func() bool { return l.hub.Len() == 0 })
}

func TestIDInUse(t *testing.T) {
	l := startLab(t, 5*time.Second)
	id := newID()
	obs := l.watch(t, id)
	second := l.watch(t, id)
	testkit.ClosedWith(t, second.ws, websocket.StatusPolicyViolation, msg.CloseTapInUseReason)

	l.subject(t, "?tap="+id, nil)
	obs.event(msg.WireHandshake)
	other := dialWS(t, l.url+msg.WirePath+"?tap="+id, nil)
	testkit.ClosedWith(t, other, websocket.StatusPolicyViolation, msg.CloseTapInUseReason)
}

func TestBadID(t *testing.T) {
	l := startLab(t, 5*time.Second)
	for _, id := range []string{"", "short", newID() + "x", strings.Repeat("é", 11), strings.Repeat("a", 21) + "/"} {
		obs := l.watch(t, id)
		testkit.ClosedWith(t, obs.ws, websocket.StatusPolicyViolation, errBadID.Error())
		sub := dialWS(t, l.url+msg.WirePath+"?tap="+id, nil)
		testkit.ClosedWith(t, sub, websocket.StatusPolicyViolation, errBadID.Error())
	}
}

// TestBacklogCountsDrops: a subject that sends more than the backlog
// before its observer comes; the observer is told how many frames it
// missed, on the first frame it gets.
func TestBacklogCountsDrops(t *testing.T) {
	l := startLab(t, 5*time.Second)
	id := newID()
	sub := l.subject(t, "?tap="+id, nil)
	const messages = 400 // 800 frames
	for i := range messages {
		sub.echo(t, websocket.MessageText, []byte(fmt.Sprint(i)))
	}
	obs := l.watch(t, id)
	if ev := obs.next(); ev.Type != msg.WireHandshake || ev.Dropped != 0 {
		t.Fatalf("first %+v", ev)
	}
	first := obs.next()
	if first.Dropped != 2*messages-msg.WireMaxBacklog || first.Frame.N != first.Dropped+1 {
		t.Fatalf("first frame n %d, dropped %d; want dropped %d", first.Frame.N, first.Dropped, 2*messages-msg.WireMaxBacklog)
	}
	for n := first.Frame.N + 1; n <= 2*messages; n++ {
		if f := obs.frame(); f.N != n {
			t.Fatalf("frame %d, want %d", f.N, n)
		}
	}
}

func TestUntappedEcho(t *testing.T) {
	l := startLab(t, 5*time.Second)
	sub := l.subject(t, "", nil)
	sub.echo(t, websocket.MessageBinary, []byte{1, 2, 3})
	if l.hub.Len() != 0 {
		t.Fatal("an untapped socket made a session")
	}
	// Over the read limit: 1009.
	sub.ws.Write(testkit.Context(t), websocket.MessageBinary, make([]byte, msg.WireReadLimit+1))
	if err := <-sub.err; websocket.CloseStatus(err) != websocket.StatusMessageTooBig {
		t.Fatalf("oversized: %v", err)
	}
}

// TestObserverComesBack: a page whose observer reconnects gets the
// handshake again and the frames it missed meanwhile.
func TestObserverComesBack(t *testing.T) {
	w := watched(t, "", nil)
	obs, sub := w.obs, w.sub
	obs.ws.Close(websocket.StatusNormalClosure, "")
	sub.echo(t, websocket.MessageText, []byte("while away"))
	var again *observer
	testkit.Eventually(t, 10*time.Second, "the place to be free", func() bool {
		s, err := w.hub.watch(w.id)
		if err == nil {
			w.hub.unwatch(s)
		}
		return err == nil
	})
	again = w.watch(t, w.id)
	if ev := again.next(); ev.Type != msg.WireHandshake {
		t.Fatalf("first %+v", ev)
	}
	if f := again.frame(); f.Text != "while away" || f.Dir != msg.WireIn {
		t.Fatalf("missed frame %+v", f)
	}
}

// TestCommandsDoNotPileUp: a subject that never answers (it reads
// nothing, so it neither pongs nor closes) holds one ping and one close
// at a time; a repeated command is refused with an error, not left
// waiting in a goroutine of its own.
func TestCommandsDoNotPileUp(t *testing.T) {
	l := startLab(t, 5*time.Second)
	id := newID()
	obs := l.watch(t, id)
	dialWS(t, l.url+msg.WirePath+"?tap="+id, nil) // never read
	obs.event(msg.WireHandshake)

	obs.send(`{"type":"ping"}`)
	if f := obs.frame(); f.OpName != "ping" || f.Dir != msg.WireOut {
		t.Fatalf("first ping %+v", f)
	}
	obs.send(`{"type":"ping"}`)
	if ev := obs.next(); ev.Type != msg.WireError || !strings.Contains(ev.Detail, "still waits for its pong") {
		t.Fatalf("second ping: %+v", ev)
	}
	obs.send(`{"type":"close","code":1001}`)
	if f := obs.frame(); f.OpName != "close" || f.CloseCode != 1001 {
		t.Fatalf("first close %+v", f)
	}
	obs.send(`{"type":"close","code":1008}`)
	if ev := obs.next(); ev.Type != msg.WireError || !strings.Contains(ev.Detail, "already closing") {
		t.Fatalf("second close: %+v", ev)
	}
}

// TestShutdownClosesObserverAndSubject: the registry's Shutdown reaches
// both of the lab's sockets with 1001, each in a close frame.
func TestShutdownClosesObserverAndSubject(t *testing.T) {
	w := watched(t, "", nil)
	done := make(chan error, 1)
	go func() { done <- w.reg.Shutdown(testkit.Context(t)) }()
	testkit.ClosedWith(t, w.obs.ws, websocket.StatusGoingAway, "server is shutting down")
	if err := <-w.sub.err; websocket.CloseStatus(err) != websocket.StatusGoingAway {
		t.Fatalf("subject: %v", err)
	}
	if err := <-done; err != nil {
		t.Fatalf("shutdown: %v", err)
	}
}

// TestHubForgetsUnwatchedSessions: a subject whose observer never comes,
// and one whose observer left, hold nothing in the hub past the wait,
// though their sockets stay up and keep working.
func TestHubForgetsUnwatchedSessions(t *testing.T) {
	l := startLab(t, 200*time.Millisecond)
	lonely := l.subject(t, "?tap="+newID(), nil)
	id := newID()
	left := l.subject(t, "?tap="+id, nil)
	obs := l.watch(t, id)
	obs.event(msg.WireHandshake)
	obs.ws.Close(websocket.StatusNormalClosure, "")
	testkit.Eventually(t, 10*time.Second, "both sessions to go", func() bool { return l.hub.Len() == 0 })
	lonely.echo(t, websocket.MessageText, []byte("still here"))
	left.echo(t, websocket.MessageText, []byte("still here"))
	if l.hub.Len() != 0 {
		t.Fatal("a frame of a forgotten session made a new one")
	}
}
