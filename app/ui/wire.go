package ui

import (
	"fmt"
	"strings"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"socketlab/app/msg"
	"socketlab/app/socket"
)

// Wire is the wire lab's page: the WebSocket protocol itself. It opens two
// sockets: the subject, /ws/wire (an echo) with ?tap=<id>, and the
// observer, which receives the server's record of every frame of the
// subject — the handshake, each header field, the masking key, the bytes —
// decoded by a tap under the WebSocket library (server/wire). Nothing on
// this page is predicted: what it shows is what crossed. The controls are
// in wirecontrols.go, the panels in wirehandshake.go, wirehixie.go and
// wireframe.go.
type Wire struct {
	app.Compo
	status socket.Status
	sock   *live      // the subject
	watch  *wireWatch // the observer
	id     string     // the tap id of both
	// ctx is the component's own context, from OnMount. Sockets are
	// started with it, never with an event's: go-app drops what is
	// dispatched to the context of an element no longer on screen (the
	// Reconnect button is gone once the socket is open again).
	ctx app.Context

	deflate bool   // ask the server to accept permessage-deflate
	closed  string // how the subject closed: "4000 bye"
	failed  string // why it could not connect, instead
	note    string

	// The learner's fields.
	text, fragN, closeCode, closeReason string
}

// wireEchoLimit bounds an echo the page accepts: the server's own limit.
const wireEchoLimit = msg.WireReadLimit

// OnMount opens the subject and its observer.
func (w *Wire) OnMount(ctx app.Context) {
	w.ctx = ctx
	w.text, w.fragN, w.closeCode, w.closeReason = "Hello", "3", "4000", "bye"
	w.start()
}

// OnDismount closes both sockets.
func (w *Wire) OnDismount() {
	w.sock.stop()
	w.watch.close()
}

// start (re)opens both sockets with a fresh tap id: an id belongs to one
// connection.
func (w *Wire) start() {
	ctx := w.ctx
	w.sock.stop()
	w.watch.close()
	w.id = newTapID()
	w.closed, w.failed, w.note = "", "", ""
	path := msg.WirePath + "?tap=" + w.id
	if w.deflate {
		path += "&deflate=1"
	}
	w.watch = watchWire(ctx, w.id)
	var l *live
	l = connect(ctx, path, socket.Options{
		// The subject is not reconnected: a socket the server closed on
		// purpose stays closed for the learner to read its close frames.
		Once:      true,
		ReadLimit: wireEchoLimit,
		OnStatus: func(s socket.Status) {
			if w.sock != l {
				return // a socket this page has already replaced
			}
			w.status = s
		},
		OnClose: func(code msg.CloseCode, reason string) {
			if w.sock == l {
				w.closed = strings.TrimSpace(fmt.Sprintf("%v %s", code, reason))
			}
		},
		OnDialError: func(err error) {
			if w.sock == l {
				w.failed = err.Error()
			}
		},
	})
	l.tap.disabled = true // this socket is tapped already
	w.sock = l
}

// send queues one message on the subject; the socket writes it without
// holding up the UI.
func (w *Wire) send(binary bool, data []byte) {
	w.note = ""
	send := w.sock.conn.Send
	if binary {
		send = w.sock.conn.SendBinary
	}
	if err := send(data); err != nil {
		w.note = "Not sent: " + err.Error()
	}
}

// Render shows the controls, the frames, then the handshake then and now.
func (w *Wire) Render() app.UI {
	var h *msg.WireHandshakeInfo
	var frames []msg.WireFrame
	if w.watch != nil {
		h, frames = w.watch.handshake, w.watch.frames
	}
	return labPage("/wire", &w.status, w.sock, wireHow,
		app.H1().Text("Wire: every frame, byte by byte"),
		app.P().Class("lead").Text("Your browser's JavaScript, and its devtools, see whole messages. Underneath, the WebSocket protocol "+
			"sends frames: a header of bits and lengths, a masking key, masked bytes. Here the server reads a copy of every byte of "+
			"this page's socket and shows you each frame as it crossed, in both directions — including the ones no script can see."),
		w.controls(),
		app.If(w.note != "", func() app.UI { return app.P().ID("wire-note").Class("close-note").Text(w.note) }),
		app.If(w.closed != "" || w.failed != "", func() app.UI {
			text := "The socket is closed: " + w.closed + ". Its close frames are in the list below."
			if w.closed == "" {
				text = "Could not connect: " + w.failed
			}
			return app.Div().Class("wire-closed").Body(
				app.P().ID("wire-closed").Class("close-note").Text(text),
				app.Button().ID("wire-reconnect").Text("Reconnect").OnClick(func(app.Context, app.Event) { w.start() }),
			)
		}),
		app.Section().Class("wire-section").Aria("labelledby", "wire-frames-title").Body(
			app.H2().ID("wire-frames-title").Text("Frames as the server saw them"),
			app.P().Class("muted").Text("↑ browser → server frames are masked: each carries a fresh random 4-byte key, and its payload is XORed with it. "+
				"That way a script cannot choose the bytes on the wire, so it cannot forge an HTTP request that a confused proxy would cache — "+
				"the attack shown by Huang et al., \"Talking to Yourself for Fun and Profit\" (2011)."),
			app.If(w.id != "", func() app.UI {
				return app.P().Class("muted").Body(
					app.Text("Tap id of this visit (only this page knows it): "),
					app.Code().ID("wire-tap-id").Text(w.id),
				)
			}),
			app.If(w.watch != nil, func() app.UI { return wireWatchNotes(w.watch) }),
			wireFrameList("wire-frames", frames),
		),
		handshakePanel(h),
		thenAndNow(h),
	)
}
