package ui

import (
	"fmt"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"socketlab/app/msg"
	"socketlab/app/socket"
)

// Hello is the hello lab's page: it opens /ws/hello and shows what the server
// pushes, when each message arrived, and how the socket closed. The server
// side is server/hello.
type Hello struct {
	app.Compo
	status  socket.Status
	started time.Time
	got     []arrival
	closed  string // "1000 normal closure: that is all" once closed
	sock    *live
}

// arrival is one pushed message and when it came.
type arrival struct {
	text string
	at   time.Time
}

// OnMount opens the socket.
func (h *Hello) OnMount(ctx app.Context) { h.start(ctx) }

// OnDismount closes it.
func (h *Hello) OnDismount() { h.sock.stop() }

func (h *Hello) start(ctx app.Context) {
	h.sock.stop()
	h.got, h.closed, h.started = nil, "", time.Now()
	h.sock = connect(ctx, msg.HelloPath, socket.Options{
		OnStatus: func(s socket.Status) { h.status = s },
		OnMessage: func(_ bool, data []byte) {
			h.got = append(h.got, arrival{string(data), time.Now()})
		},
		OnClose: func(code msg.CloseCode, reason string) {
			h.closed = fmt.Sprintf("%v: %s", code, reason)
		},
	})
}

// Render shows the arrivals and the close.
func (h *Hello) Render() app.UI {
	return labPage("/hello", &h.status, h.sock, helloHow,
		app.H1().Text("Hello: server push"),
		app.P().Class("lead").Text("The server speaks first: \""+msg.HelloFirst+"\", then \""+msg.HelloSecond+
			"\" one second later, then it closes the socket with code 1000. The browser never writes."),
		app.Ol().ID("hello-messages").Class("log").Body(
			app.Range(h.got).Slice(func(i int) app.UI {
				a := h.got[i]
				return app.Li().Class("log-entry").Body(
					app.Span().Class("msg-text").Text(a.text),
					app.Time().Class("muted").DateTime(a.at.Format(time.RFC3339Nano)).
						Text(fmt.Sprintf(" at %s (+%.3f s)", a.at.Format("15:04:05.000"), a.at.Sub(h.started).Seconds())),
				)
			}),
		),
		app.If(h.closed != "", func() app.UI {
			return app.Div().Body(
				app.P().ID("hello-close").Class("close-note").Text("Closed: "+h.closed),
				app.Button().ID("hello-again").Text("Run again").OnClick(func(ctx app.Context, e app.Event) { h.start(ctx) }),
			)
		}),
	)
}
