package ui

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"socketlab/app/msg"
	"socketlab/app/socket"
)

// serverView is a page's opt-in "frames as the server saw them": when the
// learner turns it on in the wire inspector, the page's socket is redialled
// with ?tap=<id> added to its URL and an observer (wireWatch) reports the
// server's record of every frame of that socket. Off — the default — it
// costs nothing: no observer, no tap, the page's URL untouched.
type serverView struct {
	watch *wireWatch
	// on: the socket is (being) redialled with the tap. pending: the redial
	// has not opened yet, so a close seen now is the old socket's.
	on, pending bool
	// ended says why the view stopped by itself.
	ended string
	// disabled hides the switch: the wire page taps its socket already.
	disabled bool
}

// setServerView turns the server's view of l's socket on or off. Both
// reconnect the page's socket: a tap is fixed when the connection is made.
// The observer reports to the page's own context (l.ctx), not the switch's:
// go-app drops what is dispatched to an element no longer on screen, and
// the switch goes when the inspector panel is closed.
func (l *live) setServerView(on bool) {
	if l == nil || l.tap.disabled || on == l.tap.on {
		return
	}
	l.tap.watch.close()
	l.tap.watch, l.tap.ended = nil, ""
	if on && l.conn.Status() == socket.Closed {
		// Run has ended (the hello lab's socket closes with 1000): no
		// socket will come to be watched.
		l.tap.ended = "This page's socket is closed for good: there is nothing to watch."
		// The box was ticked by hand and the state did not change, so
		// go-app would leave it ticked: untick it.
		if el := app.Window().GetElementByID("inspector-tap"); el.Truthy() {
			el.Set("checked", false)
		}
		return
	}
	l.tap.on, l.tap.pending = on, on
	url := l.path
	if on {
		id := newTapID()
		l.tap.watch = watchWire(l.ctx, id)
		url = withQuery(l.path, "tap="+id)
	}
	l.conn.Redial(socketURL(url))
}

// opened follows the page's socket (live's OnOpen): the tapped socket is
// up once one opens at a URL with the tap.
func (s *serverView) opened(rawURL string) {
	if s.on && hasTap(rawURL) {
		s.pending = false
	}
}

// closed follows the page's socket (live's OnClose): once the tapped
// socket has opened, its close ends the view, since its reconnect would
// claim a tap id already used. The socket goes back to its own URL; the
// record stays on screen.
func (s *serverView) closed(l *live, code msg.CloseCode, reason string) {
	if !s.on || s.pending {
		return
	}
	s.on = false
	s.ended = fmt.Sprintf("The tapped socket closed (%d %s); turn the view on again to watch the next one.", int(code), reason)
	l.conn.Redial(socketURL(l.path))
}

// hasTap reports whether a socket URL carries a tap id.
func hasTap(rawURL string) bool {
	u, err := url.Parse(rawURL)
	return err == nil && u.Query().Has("tap")
}

// withQuery appends a query parameter to a path that may have a query.
func withQuery(path, kv string) string {
	if strings.Contains(path, "?") {
		return path + "&" + kv
	}
	return path + "?" + kv
}

// serverViewPanel is the part of the inspector that switches the view and
// shows its record. Its handler reads in.Live when it runs, so it always
// acts on the page's current socket.
func (in *inspector) serverViewPanel() app.UI {
	l := in.Live
	if l == nil || l.tap.disabled {
		return app.Text("")
	}
	w := l.tap.watch
	var frames []msg.WireFrame
	if w != nil {
		frames = w.frames
	}
	return app.Div().Class("server-view").Body(
		app.Label().Class("switch").Body(
			app.Input().ID("inspector-tap").Type("checkbox").Checked(l.tap.on).
				OnChange(func(ctx app.Context, e app.Event) {
					in.Live.setServerView(ctx.JSSrc().Get("checked").Bool())
				}),
			app.Text(" Frames as the server saw them"),
		),
		app.Span().Class("muted").Text(" (reconnects this page's socket with a tap: every frame, byte by byte, as in the wire lab)"),
		app.If(l.tap.ended != "", func() app.UI { return app.P().Class("close-note").Text(l.tap.ended) }),
		app.If(w != nil, func() app.UI { return wireWatchNotes(w) }),
		app.If(w != nil, func() app.UI { return wireFrameList("inspector-wire-frames", frames) }),
	)
}

// wireWatchNotes are an observer's counts and troubles, shown above its
// frames.
func wireWatchNotes(w *wireWatch) app.UI {
	var notes []string
	if w.dropped > 0 {
		notes = append(notes, spaced(uint64(w.dropped))+" frames not reported: the server's backlog was full")
	}
	if w.trimmed > 0 {
		notes = append(notes, spaced(uint64(w.trimmed))+" older frames no longer shown")
	}
	if w.closed != "" {
		notes = append(notes, "The watched connection ended: "+w.closed)
	}
	notes = append(notes, w.errs...)
	if w.ended != "" {
		notes = append(notes, "Observer socket closed: "+w.ended)
	}
	return app.Ul().Class("wire-notes").Body(
		app.Range(notes).Slice(func(i int) app.UI { return app.Li().Class("muted").Text(notes[i]) }),
	)
}
