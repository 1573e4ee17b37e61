package ui

import "github.com/maxence-charriere/go-app/v10/pkg/app"

// howto is the "How it works" panel of one lab: the pattern in a few
// sentences, the message flow as a sequence diagram, and the files to read.
type howto struct {
	pattern []string
	diagram string
	files   []string
	// label names the diagram for screen readers and caption says how to
	// read it; both default to those of a message sequence diagram.
	label, caption string
}

// howItWorks renders h as a collapsible panel.
func howItWorks(h howto) app.UI {
	if h.label == "" {
		h.label = "Message sequence diagram"
	}
	if h.caption == "" {
		h.caption = "What crosses the socket, top to bottom."
	}
	return app.Details().ID("how").Class("panel", "how").Body(
		app.Summary().Text("How it works"),
		app.Range(h.pattern).Slice(func(i int) app.UI { return app.P().Text(h.pattern[i]) }),
		app.Figure().Body(
			app.Pre().Class("diagram").TabIndex(0).Aria("label", h.label).Text(h.diagram),
			app.FigCaption().Class("muted").Text(h.caption),
		),
		app.P().Text("Read the code:"),
		app.Ul().Class("files").Body(
			app.Range(h.files).Slice(func(i int) app.UI { return app.Li().Body(app.Code().Text(h.files[i])) }),
		),
	)
}

var helloHow = howto{
	pattern: []string{
		"Server push: once the socket is open, the server may write whenever it likes; the browser does not ask.",
		"The server writes two text frames a second apart, then starts the close handshake with 1000 (normal closure). " +
			"The browser answers the close frame and reports the code and reason; because 1000 means \"done\", the client does not reconnect.",
		"Any other close (1001 when the server restarts, 1006 when the connection drops) makes the client reconnect with backoff.",
	},
	diagram: `browser                               server
   |--- GET /ws/hello  Upgrade: websocket -->|
   |<-- 101 Switching Protocols -------------|
   |<-- text "Hello" ------------------------|
   |              (one second)               |
   |<-- text "World" ------------------------|
   |<-- close 1000 "that is all" ------------|
   |--- close 1000 ------------------------->|`,
	files: []string{"server/hello/hello.go", "app/ui/hello.go", "app/socket/conn.go", "server/conns/registry.go"},
}

var casefoldHow = howto{
	pattern: []string{
		"Request and reply over one socket: each text frame in gets exactly one text frame out, in order, so no ids are needed.",
		"The reply is the full Unicode case folding of the text, the same as Python's str.casefold(): " +
			"ß becomes ss, final ς becomes σ, the ligature ﬁ becomes fi. It is tested against Python's own output for every code point.",
		"What the server refuses, it refuses with the right close code: a binary frame gets 1003, text that is not UTF-8 gets 1007, " +
			"a message over 128 KiB gets 1009. Plain text on purpose: any WebSocket client, Python's included, works unchanged.",
	},
	diagram: `browser                               server
   |--- GET /ws/casefold  Upgrade ---------->|
   |<-- 101 Switching Protocols -------------|
   |--- text "Straße" ---------------------->|
   |<-- text "strasse" ----------------------|
   |--- text "ΣΑΣ" ------------------------->|
   |<-- text "σασ" --------------------------|
   |--- binary 0x00 0x01 ------------------->|
   |<-- close 1003 "casefold takes text…" ---|`,
	files: []string{"server/casefold/casefold.go", "server/casefold/fold.go", "app/ui/casefold.go", "server/casefold/testdata/casefold.py"},
}

var plotHow = howto{
	pattern: []string{
		"Streaming with pull flow control: the page asks for the next batch only after it has drawn the last one, " +
			"so a slow or hidden tab is never flooded; the server keeps just a cursor for it.",
		"The server answers a request with every point since that cursor, or holds it (up to 25 s) until there is one; " +
			"the empty batch that ends a long wait doubles as a heartbeat. Points that fell out of the ring while the page " +
			"was not asking are counted and reported, never silently lost.",
		"Producers are not browsers: any TCP client (netcat) writes a series name and then \"x y\" lines; a bad line is " +
			"answered on the same connection with its number and reason, and the source stays connected.",
	},
	diagram: `netcat            server                            browser
  |-- "my source" ->|                                  |
  |-- "1 10" ------>|<-- GET /ws/plot  Upgrade --------|
  |-- "2 oops" ---->|--- {"type":"history",...} ------>|
  |<- "error line 3:|                          (draw)  |
  |   y: not a      |<-- {"type":"next"} --------------|
  |   number" ------|--- {"type":"batch","cursor":..}->|
  |-- "3 30" ------>|                          (draw)  |
                    |<-- {"type":"next"} --------------|
                    |   (nothing new: hold ≤ 25 s)     |`,
	files: []string{"server/plot/store.go", "server/plot/handler.go", "server/plot/tcp.go", "app/msg/plot.go", "app/ui/plot.go"},
}

var chatHow = howto{
	pattern: []string{
		"Broadcast through a log: a message you send is published to NATS JetStream, which gives it its sequence number (seq); " +
			"every server follows the stream and hands each message to the sockets in its room. Everyone sees one order, the stream's.",
		"Reconnect without loss: the page remembers the last seq it saw and joins again with since=seq; the server replays exactly what " +
			"was missed, then says synced. Messages typed while offline wait in an outbox in localStorage, each with its own id, so a " +
			"resend is stored once (JetStream de-duplication).",
		"The server never waits for a slow reader: each socket has a bounded queue, and a socket whose queue is full is closed with " +
			"4008; it reconnects and catches up from history like any other. Messages are text, never HTML.",
	},
	diagram: `browser A              server               JetStream            browser B
   |-- join lobby -------->|                      |                     |
   |<- welcome, msg…, -----|<-- history (direct) -|                     |
   |   synced, presence    |                      |                     |
   |-- say id=x7 "hi" ---->|-- publish (dedup x7)->|                     |
   |<- ack x7 seq=42 ------|<-------- seq 42 -----|                     |
   |                       |<-- follow: seq 42 ---|                     |
   |<- msg seq=42 "hi" ----|------------------------ msg seq=42 "hi" -->|`,
	files: []string{"app/msg/chat.go", "server/chat/handler.go", "server/chat/hub.go", "server/natsstore/message.go", "app/chat/session.go", "app/ui/chat.go"},
}
