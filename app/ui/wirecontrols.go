package ui

import (
	"crypto/rand"
	"strconv"
	"strings"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"socketlab/app/msg"
	"socketlab/app/socket"
)

// wireSample is how many bytes the compression buttons send: enough for
// deflate to show what it does with a repetitive text and with noise.
const wireSample = 2000

// repetitiveText is wireSample bytes of one phrase said again and again.
func repetitiveText() []byte {
	return []byte(strings.Repeat("all work and no play ", wireSample/21+1)[:wireSample])
}

// presetPayload is a text of exactly n bytes.
func presetPayload(n int) []byte {
	return []byte(strings.Repeat("0123456789", n/10+1)[:n])
}

// deflateNote says what this socket's handshake settled about
// compression, from the server's record of it.
func (w *Wire) deflateNote() string {
	if w.watch == nil || w.watch.handshake == nil {
		return ""
	}
	h := w.watch.handshake
	offered := "nothing"
	if len(h.Offered) > 0 {
		offered = strings.Join(h.Offered, ", ")
	}
	if h.Accepted == "" {
		return "This socket: the browser offered " + offered + "; the server declined, so every frame below has RSV1 0."
	}
	return "This socket: the browser offered " + offered + " and the server accepted " + h.Accepted + "."
}

// controls are what a learner can do to the subject: send, cross each
// length boundary, ask the server to ping, fragment or close, close from
// the page, switch compression.
func (w *Wire) controls() app.UI {
	open := w.status == socket.Open
	return app.Div().Class("wire-controls").Body(
		app.Form().Class("row").OnSubmit(func(ctx app.Context, e app.Event) {
			e.PreventDefault()
			w.send(false, []byte(w.text))
		}).Body(
			app.Label().For("wire-input").Class("visually-hidden").Text("Message to send"),
			app.Input().ID("wire-input").Type("text").Value(w.text).Placeholder("Type a message…").
				AutoComplete(false).Spellcheck(false).OnInput(w.ValueTo(&w.text)),
			app.Button().ID("wire-send-text").Type("submit").Disabled(!open).Text("Send text"),
			app.Button().ID("wire-send-binary").Type("button").Class("secondary").Disabled(!open).Text("Send binary").
				OnClick(func(ctx app.Context, e app.Event) { w.send(true, []byte(w.text)) }),
		),
		app.FieldSet().Class("wire-group", "wire-wide").Body(
			app.Legend().Text("Payload length presets"),
			app.P().Class("muted").Text("The length is written in the 7-bit field when it is at most 125; "+
				"126 there means a 16-bit length follows, 127 a 64-bit one. Each preset sits on one side of a boundary."),
			app.Div().Class("wire-buttons").Body(
				app.Range(wirePresets).Slice(func(i int) app.UI {
					n := wirePresets[i]
					return app.Button().ID("wire-preset-" + strconv.Itoa(n)).Class("secondary").Disabled(!open).
						Title(presetWhy(n)).Text(spaced(uint64(n)) + " bytes").
						OnClick(func(ctx app.Context, e app.Event) {
							w.send(false, presetPayload(n))
							w.note = "Sent " + spaced(uint64(n)) + " bytes. " + presetWhy(n)
						})
				}),
			),
		),
		app.FieldSet().Class("wire-group").Body(
			app.Legend().Text("Ask the server"),
			app.Div().Class("wire-buttons").Body(
				app.Button().ID("wire-ping").Class("secondary").Disabled(!open).Text("Server ping").
					OnClick(func(ctx app.Context, e app.Event) {
						w.watch.command(msg.WireCommand{Type: msg.WirePing, Text: "are you there?"})
					}),
				app.Span().Class("muted").Text("The browser answers a ping with a pong on its own; no script ever sees either. The list shows both."),
			),
			app.Div().Class("wire-buttons").Body(
				// Each label and its field wrap as one, so that on a narrow
				// screen a label never ends a line whose field starts the next.
				app.Span().Class("wire-field").Body(
					app.Label().For("wire-fragments-n").Text("Fragments"),
					app.Input().ID("wire-fragments-n").Type("number").Min(2).Max(msg.WireMaxFragments).Value(w.fragN).
						OnInput(w.ValueTo(&w.fragN)),
				),
				app.Button().ID("wire-fragments").Class("secondary").Disabled(!open).Text("Echo the next message in fragments").
					OnClick(func(ctx app.Context, e app.Event) {
						n, err := strconv.Atoi(strings.TrimSpace(w.fragN))
						if err != nil || n < 2 || n > msg.WireMaxFragments {
							w.note = "Fragments: a number from 2 to " + strconv.Itoa(msg.WireMaxFragments) + ", please."
							return
						}
						w.watch.command(msg.WireCommand{Type: msg.WireFragments, N: n})
						w.note = "The next echo comes in " + strconv.Itoa(n) + " frames: FIN 0, continuations, then FIN 1. Send a message."
					}),
			),
			app.Div().Class("wire-buttons").Body(
				app.Range([]int{1001, 1008, 1011}).Slice(func(i int) app.UI {
					code := []int{1001, 1008, 1011}[i]
					return app.Button().ID("wire-server-close-" + strconv.Itoa(code)).Class("secondary").Disabled(!open).
						Text("Server closes with " + msg.CloseCode(code).String()).
						OnClick(func(ctx app.Context, e app.Event) {
							w.watch.command(msg.WireCommand{Type: msg.WireClose, Code: msg.CloseCode(code), Reason: "asked by the page"})
						})
				}),
			),
		),
		app.FieldSet().Class("wire-group").Body(
			app.Legend().Text("Close from the page"),
			app.Div().Class("wire-buttons").Body(
				app.Span().Class("wire-field").Body(
					app.Label().For("wire-close-code").Text("Code"),
					app.Input().ID("wire-close-code").Type("number").Min(1000).Max(4999).Value(w.closeCode).
						OnInput(w.ValueTo(&w.closeCode)),
				),
				app.Span().Class("wire-field", "wire-reason").Body(
					app.Label().For("wire-close-reason").Text("Reason"),
					app.Input().ID("wire-close-reason").Type("text").Value(w.closeReason).
						OnInput(w.ValueTo(&w.closeReason)),
				),
				app.Button().ID("wire-close").Class("secondary").Disabled(!open).Text("Close").
					OnClick(func(ctx app.Context, e app.Event) {
						code, err := parseClientClose(w.closeCode, w.closeReason)
						if err == nil {
							err = w.sock.conn.CloseWith(code, w.closeReason)
						}
						if err != nil {
							w.note = err.Error()
						}
					}),
			),
			app.P().Class("muted").Text("A browser may send 1000 or 3000–4999; the server answers with a close frame of its own."),
		),
		app.FieldSet().Class("wire-group").Body(
			app.Legend().Text("Compression"),
			app.Label().Class("switch").Body(
				app.Input().ID("wire-deflate").Type("checkbox").Checked(w.deflate).
					OnChange(func(ctx app.Context, e app.Event) {
						w.deflate = ctx.JSSrc().Get("checked").Bool()
						w.start()
					}),
				app.Text(" permessage-deflate (reconnects)"),
			),
			app.P().Class("muted").Text("Your browser offers permessage-deflate in every handshake; with this on, the server accepts it. "+
				"A compressed message has RSV1 set on its first frame, and its payload length is the compressed one."),
			app.P().ID("wire-deflate-note").Text(w.deflateNote()),
			app.Div().Class("wire-buttons").Body(
				app.Button().ID("wire-send-repetitive").Class("secondary").Disabled(!open).
					Text("Send "+spaced(wireSample)+" bytes of repeated text").
					OnClick(func(ctx app.Context, e app.Event) { w.send(false, repetitiveText()) }),
				app.Button().ID("wire-send-random").Class("secondary").Disabled(!open).
					Text("Send "+spaced(wireSample)+" random bytes").
					OnClick(func(ctx app.Context, e app.Event) {
						b := make([]byte, wireSample)
						rand.Read(b)
						w.send(true, b)
					}),
			),
		),
	)
}
