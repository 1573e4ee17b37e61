package ui

import (
	"fmt"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"socketlab/app/msg"
	"socketlab/app/socket"
)

// Casefold is the casefold lab's page: type a text, send it, read its full
// Unicode case folding back. The server side is server/casefold.
type Casefold struct {
	app.Compo
	status  socket.Status
	text    string
	pending []string // sent texts awaiting their reply, in order
	replies []foldReply
	note    string // last close or error, shown under the form
	sock    *live
}

// foldReply pairs a sent text with the server's answer. The protocol has no
// ids: replies come back in the order requests were sent, one each.
type foldReply struct{ in, out string }

// maxShown is how much of a long text the page prints; the byte counts are
// always exact.
const maxShown = 200

// OnMount opens the socket.
func (c *Casefold) OnMount(ctx app.Context) {
	c.sock = connect(ctx, msg.CasefoldPath, socket.Options{
		ReadLimit: 2 * msg.CasefoldReadLimit,
		OnStatus: func(s socket.Status) {
			c.status = s
		},
		OnMessage: func(_ bool, data []byte) {
			in := ""
			if len(c.pending) > 0 {
				in, c.pending = c.pending[0], c.pending[1:]
			}
			c.replies = append(c.replies, foldReply{in, string(data)})
		},
		OnClose: func(code msg.CloseCode, reason string) {
			// The protocol has no ids: a reply belongs to the socket that
			// got its request. Replies to what was in flight will not
			// come, and what is still queued would be answered on the next
			// socket with no request to pair it with; both are let go,
			// and nothing is written between OnClose and the next OnOpen.
			c.pending = c.pending[:0]
			c.sock.conn.Discard()
			if code != msg.CloseNormal {
				c.note = fmt.Sprintf("Socket closed: %v %s", code, reason)
			}
		},
	})
}

// OnDismount closes the socket.
func (c *Casefold) OnDismount() { c.sock.stop() }

func (c *Casefold) send(ctx app.Context, e app.Event) {
	e.PreventDefault()
	if c.text == "" || c.sock == nil {
		return
	}
	// Clear the field now rather than after the send returns, so text typed
	// for the next request in the meantime is not wiped out.
	text := c.text
	c.pending = append(c.pending, text)
	c.text, c.note = "", ""
	clearInput("casefold-input")
	// Send only queues (app/socket writes in order), so the UI goroutine
	// is not held up by the network.
	if err := c.sock.conn.Send([]byte(text)); err != nil {
		c.pending = c.pending[:len(c.pending)-1]
		c.note = "Not sent: " + err.Error()
		c.text = text
		setInput("casefold-input", text)
	}
}

// Render shows the form and the replies, newest last.
func (c *Casefold) Render() app.UI {
	return labPage("/casefold", &c.status, c.sock, casefoldHow,
		app.H1().Text("Casefold: request and reply"),
		app.P().Class("lead").Text("Each text you send comes back case-folded, exactly as Python's str.casefold() "+
			"would return it: Straße becomes strasse, ΣΑΣ becomes σασ, ﬁ becomes fi. One text frame in, one text frame out."),
		app.Form().Class("row").OnSubmit(c.send).Body(
			app.Label().For("casefold-input").Class("visually-hidden").Text("Text to case-fold"),
			app.Input().ID("casefold-input").Type("text").Value(c.text).Placeholder("Type any text…").
				AutoComplete(false).Spellcheck(false).OnInput(c.ValueTo(&c.text)),
			app.Button().ID("casefold-send").Type("submit").Disabled(c.status != socket.Open).Text("Send"),
		),
		app.If(c.note != "", func() app.UI { return app.P().ID("casefold-note").Class("close-note").Text(c.note) }),
		app.Ol().ID("casefold-replies").Class("log").Body(
			app.Range(c.replies).Slice(func(i int) app.UI {
				r := c.replies[i]
				return app.Li().Class("log-entry", "fold").Body(
					app.Span().Class("fold-in").Text(shorten(r.in)),
					app.Span().Class("arrow").Aria("hidden", "true").Text(" → "),
					app.Span().Class("fold-out").Text(shorten(r.out)),
					app.Span().Class("muted", "fold-bytes").Text(fmt.Sprintf(" (%d → %d bytes)", len(r.in), len(r.out))),
				)
			}),
		),
	)
}

// shorten keeps long texts readable on screen.
func shorten(s string) string {
	if len(s) <= maxShown {
		return s
	}
	cut := maxShown
	for cut > 0 && !utf8Start(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

func utf8Start(b byte) bool { return b&0xC0 != 0x80 }

// clearInput empties a text field. go-app drops an empty value attribute
// instead of setting the property, so Value("") alone leaves the typed text
// on screen.
func clearInput(id string) { setInput(id, "") }

// setInput sets the value of the input with the given id.
func setInput(id, value string) {
	if el := app.Window().GetElementByID(id); el.Truthy() {
		el.Set("value", value)
	}
}
