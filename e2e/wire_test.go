package e2e

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"socketlab/server/site"
)

// wireRow is one frame row of the wire lab as a person reads it: its
// number, direction, and each field's text by class (wf-fin, wf-opcode, …).
type wireRow map[string]string

// wireRowJS finds the last row of a frame list matching a predicate over
// li, with text(li, css) to read a field, and returns its fields.
const wireRowJS = `(() => {
	const text = (li, css) => (li.querySelector(css) || {innerText: ""}).innerText;
	const rows = Array.from(document.querySelectorAll(%q + " li[data-n]")).filter(li => %s);
	const li = rows[%s];
	if (!li) return {};
	const o = {n: li.dataset.n, dir: li.classList.contains("wf-in") ? "in" : "out", count: String(rows.length)};
	li.querySelectorAll("dd").forEach(d => { o[d.className] = d.innerText; });
	return o;
})()`

// waitFrame waits for the last frame row of list that satisfies pred.
func (u *user) waitFrame(list, what, pred string) wireRow {
	u.t.Helper()
	return u.waitFrameAt(list, what, pred, "rows.length - 1")
}

// waitFrameAt is waitFrame for the row at a JavaScript index into the
// matching rows.
func (u *user) waitFrameAt(list, what, pred, index string) wireRow {
	u.t.Helper()
	expr := fmt.Sprintf(wireRowJS, list, pred, index)
	deadline := time.Now().Add(20 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(u.ctx, 10*time.Second)
		row, err := chromedp.Run(ctx, chromedp.Evaluate[map[string]string](expr))
		cancel()
		if err != nil {
			u.t.Fatalf("%s: reading %s: %v", u.name, list, err)
		}
		if len(row) > 0 {
			return row
		}
		if time.Now().After(deadline) {
			u.t.Fatalf("%s: waiting for %s in %s; the list shows:\n%s", u.name, what, list, u.text(list))
		}
		time.Sleep(50 * time.Millisecond) // polling interval, bounded by the deadline
	}
}

// openWire opens the wire lab and waits until the subject is open and the
// server's record of its handshake is on screen.
func openWire(t *testing.T) (*user, *testServer) {
	t.Helper()
	srv, u := openLab(t, "ada", "/wire")
	u.waitText("#wire-accept-check", "the handshake record", func(s string) bool { return s != "" })
	return u, srv
}

// sendText types a message into the lab's field and clicks Send text.
func (u *user) sendText(text string) {
	u.t.Helper()
	u.do("clear the message field", setValue("#wire-input", ""))
	u.typeText("#wire-input", text)
	u.click("#wire-send-text")
}

var hexKey = regexp.MustCompile(`^[0-9a-f]{2}( [0-9a-f]{2}){3}$`)

// TestWireHello: "Hello" typed and sent is one masked text frame with the
// whole length in 7 bits; the echo comes back unmasked. The accept the page
// computed equals the header the server sent.
func TestWireHello(t *testing.T) {
	t.Parallel()
	u, _ := openWire(t)

	accept, sent := u.text("#wire-accept .wa-accept"), u.text("#wire-accept .wa-sent")
	if accept == "" || accept != sent || u.text("#wire-accept-check") != "✓ equal" {
		t.Fatalf("accept %q, header sent %q, check %q", accept, sent, u.text("#wire-accept-check"))
	}
	// Header names as they crossed: Go's server writes Sec-Websocket-Accept.
	if resp := u.text("#wire-response"); !strings.Contains(strings.ToLower(resp), strings.ToLower("Sec-WebSocket-Accept: "+accept)) {
		t.Fatalf("the response lines do not carry the computed accept %q:\n%s", accept, resp)
	}
	if req := u.text("#wire-request"); !strings.HasPrefix(req, "GET /ws/wire?tap=") || !strings.Contains(strings.ToLower(req), strings.ToLower("Sec-WebSocket-Key: "+u.text("#wire-accept .wa-key"))) {
		t.Fatalf("request lines:\n%s", req)
	}
	if key1 := u.text("#wire-hixie .hx-key1"); key1 == "" || u.text("#wire-hixie .hx-response") == "" {
		t.Fatal("then and now shows no hixie-76 computation")
	}

	u.sendText("Hello")
	in := u.waitFrame("#wire-frames", "the browser's Hello frame", `li.classList.contains("wf-in") && text(li, ".wf-text") === "Hello"`)
	for class, want := range map[string]string{
		"wf-fin": "1", "wf-rsv1": "0", "wf-opcode": "1 (text)", "wf-mask": "1",
		"wf-len7": "5", "wf-extlen": "none", "wf-length": "5", "wf-unmasked": "48 65 6c 6c 6f",
	} {
		if in[class] != want {
			t.Errorf("Hello from the browser: %s = %q, want %q", class, in[class], want)
		}
	}
	if !hexKey.MatchString(in["wf-maskkey"]) {
		t.Errorf("masking key %q, want 4 bytes in hex", in["wf-maskkey"])
	}
	if in["wf-raw"] == in["wf-unmasked"] {
		t.Errorf("masked payload %q equals the unmasked one", in["wf-raw"])
	}
	out := u.waitFrame("#wire-frames", "the server's echo", `li.classList.contains("wf-out") && text(li, ".wf-text") === "Hello"`)
	if out["wf-mask"] != "0" || out["wf-maskkey"] != "" || out["wf-opcode"] != "1 (text)" || out["wf-fin"] != "1" {
		t.Errorf("the echo: %v, want an unmasked text frame", out)
	}
	if n, _ := strconv.Atoi(out["n"]); n <= mustAtoi(t, in["n"]) {
		t.Errorf("echo is frame %s, the Hello frame %s", out["n"], in["n"])
	}

	// The same bytes as a binary message: opcode 2 both ways.
	u.click("#wire-send-binary")
	bin := u.waitFrame("#wire-frames", "the binary frame", `li.classList.contains("wf-in") && text(li, ".wf-opcode") === "2 (binary)"`)
	if bin["wf-unmasked"] != "48 65 6c 6c 6f" || bin["wf-mask"] != "1" {
		t.Errorf("binary Hello: %v", bin)
	}
	u.waitFrame("#wire-frames", "the binary echo", `li.classList.contains("wf-out") && text(li, ".wf-opcode") === "2 (binary)"`)
}

func mustAtoi(t *testing.T, s string) int {
	t.Helper()
	n, err := strconv.Atoi(s)
	if err != nil {
		t.Fatalf("%q is not a number", s)
	}
	return n
}

// TestWireLengths: the 126-byte preset needs a 16-bit extended length, the
// 65 536-byte one a 64-bit length.
func TestWireLengths(t *testing.T) {
	t.Parallel()
	u, _ := openWire(t)
	u.click("#wire-preset-125")
	f := u.waitFrame("#wire-frames", "the 125-byte frame", `li.classList.contains("wf-in") && text(li, ".wf-len7") === "125"`)
	if f["wf-extlen"] != "none" {
		t.Errorf("125 bytes: extended length %q, want none", f["wf-extlen"])
	}
	u.click("#wire-preset-126")
	f = u.waitFrame("#wire-frames", "the 126-byte frame", `li.classList.contains("wf-in") && text(li, ".wf-len7") === "126"`)
	if f["wf-extlen"] != "16-bit: 00 7e" || f["wf-length"] != "126" {
		t.Errorf("126 bytes: extended length %q, length %q; want 16-bit: 00 7e", f["wf-extlen"], f["wf-length"])
	}
	u.click("#wire-preset-65536")
	f = u.waitFrame("#wire-frames", "the 65 536-byte frame", `li.classList.contains("wf-in") && text(li, ".wf-len7") === "127"`)
	if f["wf-extlen"] != "64-bit: 00 00 00 00 00 01 00 00" {
		t.Errorf("65 536 bytes: extended length %q, want 64-bit: 00 00 00 00 00 01 00 00", f["wf-extlen"])
	}
	// The echo of 65 536 bytes is one frame too.
	u.waitFrame("#wire-frames", "the 65 536-byte echo", `li.classList.contains("wf-out") && text(li, ".wf-len7") === "127"`)

	// Either side of the other boundaries: 0, 65 535 and 70 000 bytes.
	u.click("#wire-preset-0")
	f = u.waitFrame("#wire-frames", "the empty frame", `li.classList.contains("wf-in") && text(li, ".wf-len7") === "0"`)
	if f["wf-opcode"] != "1 (text)" || f["wf-extlen"] != "none" || f["wf-raw"] != "" {
		t.Errorf("0 bytes: %v, want an empty text frame", f)
	}
	u.click("#wire-preset-65535")
	u.waitFrame("#wire-frames", "the 65 535-byte frame", `li.classList.contains("wf-in") && text(li, ".wf-extlen") === "16-bit: ff ff"`)
	u.click("#wire-preset-70000")
	u.waitFrame("#wire-frames", "the 70 000-byte frame", `li.classList.contains("wf-in") && text(li, ".wf-extlen") === "64-bit: 00 00 00 00 00 01 11 70"`)
	if note := u.text("#wire-note"); !strings.Contains(note, "70\u00a0000 bytes") || !strings.Contains(note, "64 bits") {
		t.Errorf("the preset's note %q does not explain its length field", note)
	}
}

// TestWirePing: the server pings; the record shows the pong the browser
// sent on its own, masked, with the ping's payload.
func TestWirePing(t *testing.T) {
	t.Parallel()
	u, _ := openWire(t)
	u.click("#wire-ping")
	ping := u.waitFrame("#wire-frames", "the server's ping", `li.classList.contains("wf-out") && text(li, ".wf-opcode") === "9 (ping)"`)
	pong := u.waitFrame("#wire-frames", "the browser's pong", `li.classList.contains("wf-in") && text(li, ".wf-opcode") === "A (pong)"`)
	if pong["wf-mask"] != "1" || pong["wf-fin"] != "1" || pong["wf-length"] != ping["wf-length"] {
		t.Errorf("pong %v for ping %v: want a masked final frame with the ping's length", pong, ping)
	}
	if ping["wf-raw"] != "" && pong["wf-unmasked"] != ping["wf-raw"] {
		t.Errorf("pong payload %q, ping payload %q", pong["wf-unmasked"], ping["wf-raw"])
	}
}

// TestWireFragments: asked for 3 fragments, the server's next echo is FIN 0
// text, FIN 0 continuation, FIN 1 continuation.
func TestWireFragments(t *testing.T) {
	t.Parallel()
	u, _ := openWire(t)
	u.do("clear the count", setValue("#wire-fragments-n", ""))
	u.typeText("#wire-fragments-n", "3")
	u.click("#wire-fragments")
	u.waitText("#wire-note", "the fragments note", func(s string) bool { return strings.Contains(s, "3 frames") })
	u.sendText("one message, three frames")
	last := u.waitFrame("#wire-frames", "the last fragment", `li.classList.contains("wf-out") && text(li, ".wf-opcode") === "0 (continuation)" && text(li, ".wf-fin") === "1"`)
	n := mustAtoi(t, last["n"])
	first := u.waitFrame("#wire-frames", "the first fragment", fmt.Sprintf(`li.dataset.n === "%d"`, n-2))
	middle := u.waitFrame("#wire-frames", "the middle fragment", fmt.Sprintf(`li.dataset.n === "%d"`, n-1))
	if first["dir"] != "out" || first["wf-opcode"] != "1 (text)" || first["wf-fin"] != "0" ||
		middle["dir"] != "out" || middle["wf-opcode"] != "0 (continuation)" || middle["wf-fin"] != "0" {
		t.Fatalf("fragments: %v, %v, %v", first, middle, last)
	}
}

// TestWireCompression: with permessage-deflate on, the server accepts the
// browser's offer; a repetitive text crosses with RSV1 set and fewer bytes
// than it has, random bytes do not shrink.
func TestWireCompression(t *testing.T) {
	t.Parallel()
	u, _ := openWire(t)
	if acc := u.text("#wire-accepted"); strings.Contains(acc, "permessage-deflate") {
		t.Fatalf("compression off, yet the server accepted %q", acc)
	}
	if off := u.text("#wire-offered"); !strings.Contains(off, "permessage-deflate") {
		t.Fatalf("Chrome offered %q, not permessage-deflate", off)
	}
	u.click("#wire-deflate")
	u.waitText("#wire-accepted", "the accepted extension", func(s string) bool { return strings.HasPrefix(s, "permessage-deflate") })
	if note := u.text("#wire-deflate-note"); !strings.Contains(note, "the server accepted permessage-deflate") {
		t.Errorf("compression note %q", note)
	}
	u.waitStatus("open")
	u.click("#wire-send-repetitive")
	f := u.waitFrame("#wire-frames", "the compressed text", `li.classList.contains("wf-in") && text(li, ".wf-rsv1") === "1" && text(li, ".wf-inflated") !== ""`)
	compressed, inflated := inflatedLengths(t, f["wf-inflated"])
	if inflated != 2000 || compressed >= inflated || f["wf-opcode"] != "1 (text)" {
		t.Fatalf("repetitive text: %q (opcode %s), want fewer than 2 000 bytes compressed, 2 000 inflated", f["wf-inflated"], f["wf-opcode"])
	}
	u.click("#wire-send-random")
	f = u.waitFrame("#wire-frames", "the compressed random bytes", `li.classList.contains("wf-in") && text(li, ".wf-opcode") === "2 (binary)" && text(li, ".wf-inflated") !== ""`)
	compressed, inflated = inflatedLengths(t, f["wf-inflated"])
	if inflated != 2000 || compressed < 1900 || f["wf-rsv1"] != "1" {
		t.Fatalf("random bytes: %q, RSV1 %s; want about 2 000 bytes either way", f["wf-inflated"], f["wf-rsv1"])
	}
}

var inflatedRE = regexp.MustCompile(`^([\d\x{a0}]+) bytes compressed, ([\d\x{a0}]+) inflated$`)

func inflatedLengths(t *testing.T, s string) (compressed, inflated int) {
	t.Helper()
	m := inflatedRE.FindStringSubmatch(s)
	if m == nil {
		t.Fatalf("inflated field %q", s)
	}
	num := func(s string) int { return mustAtoi(t, strings.ReplaceAll(s, "\u00a0", "")) }
	return num(m[1]), num(m[2])
}

// TestWireClose: closing from the page with 4000 "bye" shows the browser's
// close frame and the server's answer; Reconnect opens a new subject, which
// the server then closes with 1011.
func TestWireClose(t *testing.T) {
	t.Parallel()
	u, _ := openWire(t)
	u.do("clear the code", setValue("#wire-close-code", ""))
	u.typeText("#wire-close-code", "4000")
	u.do("clear the reason", setValue("#wire-close-reason", ""))
	u.typeText("#wire-close-reason", "bye")
	u.click("#wire-close")
	in := u.waitFrame("#wire-frames", "the browser's close frame", `li.classList.contains("wf-in") && text(li, ".wf-opcode") === "8 (close)"`)
	if in["wf-close"] != "4000 bye" || in["wf-mask"] != "1" {
		t.Fatalf("browser's close frame: %v, want 4000 bye, masked", in)
	}
	out := u.waitFrame("#wire-frames", "the server's close frame", `li.classList.contains("wf-out") && text(li, ".wf-opcode") === "8 (close)"`)
	if !strings.HasPrefix(out["wf-close"], "4000") || mustAtoi(t, out["n"]) <= mustAtoi(t, in["n"]) {
		t.Fatalf("server's answer: %v after %v, want 4000 after the browser's frame", out, in)
	}
	u.waitText("#wire-closed", "the close note", func(s string) bool { return strings.Contains(s, "4000") })
	u.waitStatus("closed")

	u.click("#wire-reconnect")
	u.waitStatus("open")
	u.waitText("#wire-accept-check", "the new handshake", func(s string) bool { return s == "✓ equal" })
	u.click("#wire-server-close-1011")
	out = u.waitFrame("#wire-frames", "the server's 1011", `li.classList.contains("wf-out") && text(li, ".wf-opcode") === "8 (close)"`)
	if !strings.HasPrefix(out["wf-close"], "1011") {
		t.Fatalf("server's close frame: %v, want 1011", out)
	}
	in = u.waitFrame("#wire-frames", "the browser's answer", `li.classList.contains("wf-in") && text(li, ".wf-opcode") === "8 (close)"`)
	if !strings.HasPrefix(in["wf-close"], "1011") {
		t.Errorf("browser's answer to 1011: %v", in)
	}
	u.waitText("#wire-closed", "the close note", func(s string) bool { return strings.Contains(s, "1011") })
}

// TestWireChatInspector: under the chat lab, the inspector's "frames as the
// server saw them" reconnects the socket with a tap, and the record shows
// the join the page sends on open.
func TestWireChatInspector(t *testing.T) {
	t.Parallel()
	srv := startServer(t, site.Config{})
	u := newUser(t, "ada")
	openChat(u, srv.URL, "lobby", "ada")
	u.openInspector()
	// Off, the default: the socket is the plain one and nothing is watched.
	if rows := u.inspectorRows(); !strings.HasSuffix(rows[0].data, "/ws/chat") || u.countOf("#inspector-wire-frames") != 0 {
		t.Fatalf("before the switch: first row %q, %d server views", rows[0].data, u.countOf("#inspector-wire-frames"))
	}
	u.click("#inspector-tap")
	join := u.waitFrame("#inspector-wire-frames", "the join frame", `li.classList.contains("wf-in") && text(li, ".wf-text").includes('"type":"join"')`)
	if join["wf-mask"] != "1" || join["wf-opcode"] != "1 (text)" {
		t.Fatalf("join frame %v", join)
	}
	// The page goes on working through the tapped socket.
	c := &chatter{u, "ada"}
	c.say("under the tap")
	u.waitFrame("#inspector-wire-frames", "the said message", `li.classList.contains("wf-in") && text(li, ".wf-text").includes('"type":"say"')`)
	u.waitText("#chat-messages", "the message", func(s string) bool { return strings.Contains(s, "under the tap") })

	// Off again: the socket reconnects without the tap.
	u.click("#inspector-tap")
	u.waitReopened("a reconnect without the tap", "/ws/chat")
	u.waitJS("the server view gone", `document.querySelector("#inspector-wire-frames") === null`)
	c.say("after the tap")
	u.waitText("#chat-messages", "the message", func(s string) bool { return strings.Contains(s, "after the tap") })
}

// casefoldTapped opens the casefold lab with its inspector's server view
// switched on, and waits for the tapped socket: the switch redials.
func casefoldTapped(t *testing.T) (*testServer, *user) {
	t.Helper()
	srv, u := openLab(t, "ada", "/casefold")
	u.openInspector()
	u.click("#inspector-tap")
	u.waitJS("the tapped socket", `Array.from(document.querySelectorAll("#inspector .frame-event .frame-data"), e => e.innerText).some(t => t.startsWith("open ") && t.includes("tap="))`)
	return srv, u
}

// waitReopened waits until the inspector shows a third open (the plain
// socket, the tapped one, the plain one again) and the last one is on
// path, without a tap.
func (u *user) waitReopened(what, path string) {
	u.waitJS(what, fmt.Sprintf(`(() => {
		const opens = Array.from(document.querySelectorAll("#inspector .frame-event .frame-data"), e => e.innerText).filter(t => t.startsWith("open "));
		return opens.length >= 3 && opens[opens.length - 1].endsWith(%q);
	})()`, path))
}

// TestWireCasefoldInspector: the same view under the casefold lab shows a
// text going in masked and its folding coming out.
func TestWireCasefoldInspector(t *testing.T) {
	t.Parallel()
	_, u := casefoldTapped(t)
	u.waitStatus("open")
	u.typeText("#casefold-input", "Straße\n")
	in := u.waitFrame("#inspector-wire-frames", "the text going in", `li.classList.contains("wf-in") && text(li, ".wf-text") === "Straße"`)
	out := u.waitFrame("#inspector-wire-frames", "its folding", `li.classList.contains("wf-out") && text(li, ".wf-text") === "strasse"`)
	if in["wf-mask"] != "1" || in["wf-length"] != "7" || out["wf-mask"] != "0" || out["wf-length"] != "7" {
		t.Fatalf("in %v, out %v: want 7 masked bytes in (ß is 2), 7 unmasked out", in, out)
	}
	u.waitText("#casefold-replies", "the reply on the page", func(s string) bool { return strings.Contains(s, "strasse") })
}

// TestWireServerViewEnds: when the tapped socket closes (here the server
// restarts), the view stops by itself, its switch goes off, and the page
// reconnects on its plain URL rather than claim the used tap id again.
func TestWireServerViewEnds(t *testing.T) {
	t.Parallel()
	srv, u := casefoldTapped(t)
	srv.Stop()
	srv.Start()
	u.waitReopened("a reconnect on the plain URL", "/ws/casefold")
	u.waitStatus("open")
	if u.evalBool(`document.querySelector("#inspector-tap").checked`) {
		t.Error("the switch still shows on after the view ended")
	}
	if note := u.text("#inspector .server-view .close-note"); !strings.Contains(note, "tapped socket closed") {
		t.Errorf("no note that the view ended: %q", note)
	}
	u.typeText("#casefold-input", "ΣΑΣ\n")
	u.waitText("#casefold-replies", "the reply", func(s string) bool { return strings.Contains(s, "σασ") })
}

// TestWireAccessibleInUse runs axe-core over what TestAccessibility does
// not open: on a phone, the wire lab with frames listed and How it works
// and the inspector open, and the chat inspector's server view. Serious
// and critical violations fail.
func TestWireAccessibleInUse(t *testing.T) {
	t.Parallel()
	srv := startServer(t, site.Config{})
	u := newUser(t, "ada")
	u.do("emulate", viewport(375, 812))
	u.open(srv.URL + "/wire")
	u.waitStatus("open")
	u.waitText("#wire-accept-check", "the handshake record", func(s string) bool { return s != "" })
	u.click("#wire-send-text")
	u.click("#wire-ping")
	u.waitFrame("#wire-frames", "the pong", `text(li, ".wf-opcode") === "A (pong)"`)
	u.click("#how > summary")
	u.openInspector()
	u.axeCheck("/wire in use, 375 px")

	b := newUser(t, "bob")
	b.do("emulate", viewport(375, 812))
	openChat(b, srv.URL, "lobby", "bob")
	b.openInspector()
	b.click("#inspector-tap")
	b.waitFrame("#inspector-wire-frames", "the join frame", `text(li, ".wf-text").includes('"type":"join"')`)
	b.axeCheck("/chat with the server view, 375 px")
}

// TestWireServerViewClosedSocket: under the hello lab, whose socket is
// closed for good after "World", the switch says there is nothing to watch
// and stays off.
func TestWireServerViewClosedSocket(t *testing.T) {
	t.Parallel()
	u := openHelloEnded(t)
	u.waitStatus("closed")
	u.openInspector()
	u.click("#inspector-tap")
	u.waitText("#inspector .server-view .close-note", "the note", func(s string) bool { return strings.Contains(s, "nothing to watch") })
	if u.evalBool(`document.querySelector("#inspector-tap").checked`) || u.countOf("#inspector-wire-frames") != 0 {
		t.Fatal("the switch is on, or a view opened, for a socket that is closed for good")
	}
}
