package ui

import "github.com/maxence-charriere/go-app/v10/pkg/app"

// Home introduces socketlab and links to each lab.
type Home struct {
	app.Compo
}

// lab is one card on the home page.
type lab struct {
	path, name, teaches, replaces string
}

func labs() []lab {
	return []lab{
		{"/hello", "Hello", "Server push and the close handshake: the server speaks first, twice, then closes with 1000.",
			"a server that pushed \"Hello\", then \"World\" a second later"},
		{"/casefold", "Casefold", "Request/reply over one socket, Unicode done right, and what a server must refuse (1003, 1007, 1009).",
			"an asyncio server returning str.casefold() of each text"},
		{"/plot", "Plot", "Streaming with pull flow control: netcat and HTTP sources, every series live, a slow browser never drowns.",
			"a real-time plotter fed by netcat on a TCP port"},
		{"/chat", "Chat", "Broadcast done right: rooms, presence, history in NATS JetStream, one order for everyone, reconnect without loss, an offline outbox.",
			"a minimal broadcast chat that lost messages and could not carry long ones"},
		{"/wire", "Wire", "The protocol itself: the handshake and every frame, byte by byte, as the server saw them — masking keys, length fields, ping and pong, close frames, compression.",
			"the hixie-76 handshake and 0x00…0xFF framing the classic demos were written to show"},
	}
}

// Render draws the introduction and the lab cards.
func (h *Home) Render() app.UI {
	return frame("/", nil,
		app.H1().Text("socketlab"),
		app.P().Class("lead").Text("A lab of WebSocket patterns in full-stack Go. "+
			"The page you are reading is Go compiled to WebAssembly; the server is Go too, and both "+
			"share one package of message types. Each lab rebuilds a classic WebSocket demo properly."),
		app.Ul().Class("cards").Body(
			app.Range(labs()).Slice(func(i int) app.UI {
				l := labs()[i]
				return app.Li().Class("card").Body(
					app.H2().Body(app.A().Href(l.path).Text(l.name)),
					app.P().Text(l.teaches),
					app.P().Class("muted").Text("Replaces "+l.replaces+"."),
				)
			}),
		),
		app.P().Class("muted").Text("Every lab speaks RFC 6455 on the page's own origin: no extra port, no proxy module."),
	)
}
