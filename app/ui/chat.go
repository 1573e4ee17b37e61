package ui

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"socketlab/app/chat"
	"socketlab/app/msg"
	"socketlab/app/socket"
)

// Chat is the chat lab's page: pick a room and a nickname, see who is
// there, read the room's history and talk. What is typed while the
// connection is down waits in an outbox (kept in localStorage) and is sent
// once when it returns. The state lives in app/chat's Session; this file
// only draws it and wires it to the socket. The server side is server/chat.
type Chat struct {
	app.Compo
	status socket.Status
	sess   *chat.Session

	room, nick string // the identity form's fields
	text       string // the message being typed
	formErr    string
	sendErr    string
	closeNote  string

	// atBottom is whether the message list was scrolled to its end: new
	// messages scroll it only then, so reading back is not interrupted.
	atBottom bool
	retrying bool

	sock     *live
	unlisten func()
}

var pingFrame = mustJSON(msg.Chat{Type: msg.ChatPing})

func mustJSON(v msg.Chat) []byte {
	b, _ := json.Marshal(v)
	return b
}

// OnMount loads the session and opens the socket; a session with a
// nickname joins at once.
func (c *Chat) OnMount(ctx app.Context) {
	c.sess = chat.NewSession(ctx.LocalStorage())
	c.room, c.nick, c.atBottom = c.sess.Room(), c.sess.Nick(), true
	c.sock = connect(ctx, msg.ChatPath, socket.Options{
		Ping:      pingFrame,
		ReadLimit: msg.ChatReadLimit,
		OnStatus:  func(s socket.Status) { c.status = s },
		// OnOpen comes before any message of the new socket, and the join
		// it sends goes out before anything else.
		OnOpen: func(conn *socket.Conn) {
			c.closeNote = ""
			if j, ok := c.sess.Join(); ok {
				conn.Send(mustJSON(j))
			}
		},
		OnClose: func(code msg.CloseCode, reason string) {
			// The next socket must join again; what was in flight goes
			// back to the outbox, which sends it after the next synced.
			// So does what this socket left unwritten: the outbox, not
			// the socket's queue, is where a say waits.
			c.sess.Disconnected()
			c.sock.conn.Discard()
			switch {
			case code == msg.CloseTooSlow:
				c.closeNote = fmt.Sprintf("The server closed the connection (%v: %s). Reconnecting; missed messages will be caught up.",
					code, msg.CloseTooSlowReason)
			case code != msg.CloseNormal:
				c.closeNote = fmt.Sprintf("Connection lost (%v %s). Reconnecting; nothing you type is lost.", code, reason)
			}
		},
		OnMessage: func(_ bool, data []byte) { c.receive(ctx, data) },
	})
	c.listenEnter(ctx)
}

// OnDismount closes the socket.
func (c *Chat) OnDismount() {
	c.sock.stop()
	if c.unlisten != nil {
		c.unlisten()
	}
}

// send queues envelopes on the socket, which writes them in order without
// holding up the UI goroutine. A say it refuses (the queue is full, or the
// page is going) stays in the outbox and goes out after the next synced.
func (c *Chat) send(envs ...msg.Chat) {
	for _, e := range envs {
		if c.sock.conn.Send(mustJSON(e)) != nil {
			return
		}
	}
}

func (c *Chat) receive(ctx app.Context, data []byte) {
	envs, res := c.sess.HandleFrame(data)
	c.send(res.Send...)
	if res.RetryIn > 0 && !c.retrying {
		c.retrying = true
		ctx.After(res.RetryIn, func(app.Context) {
			c.retrying = false
			c.send(c.sess.Flush()...)
		})
	}
	// A batched frame is one render: scroll once for all its lines.
	scroll := false
	for _, env := range envs {
		switch env.Type {
		case msg.ChatMsg, msg.ChatSynced:
			scroll = true
		case msg.ChatWelcome:
			c.formErr = ""
		case msg.ChatError:
			if env.Code == msg.ErrNickTaken {
				c.formErr = env.Detail
			}
		}
	}
	if scroll {
		c.scrollIfAtBottom(ctx)
	}
}

func (c *Chat) scrollIfAtBottom(ctx app.Context) {
	if !c.atBottom {
		return
	}
	ctx.Defer(func(app.Context) {
		if el := app.Window().GetElementByID("chat-messages"); el.Truthy() {
			el.Set("scrollTop", el.Get("scrollHeight"))
		}
	})
}

func (c *Chat) onScroll(ctx app.Context, e app.Event) {
	el := ctx.JSSrc()
	c.atBottom = el.Get("scrollTop").Float()+el.Get("clientHeight").Float() >= el.Get("scrollHeight").Float()-8
}

func (c *Chat) join(ctx app.Context, e app.Event) {
	e.PreventDefault()
	room := strings.ToLower(strings.TrimSpace(c.room))
	if room == "" {
		room = msg.ChatDefaultRoom
	}
	if err := c.sess.SetIdentity(room, strings.TrimSpace(c.nick)); err != nil {
		c.formErr = err.Detail
		return
	}
	c.formErr, c.room, c.atBottom = "", room, true
	if j, ok := c.sess.Join(); ok && c.status == socket.Open {
		c.send(j)
	}
}

func (c *Chat) leave(ctx app.Context, e app.Event) {
	// Without a socket there is no one to tell: the next one does not join.
	if l := c.sess.Leave(); c.status == socket.Open {
		c.send(l)
	}
}

func (c *Chat) submit(ctx app.Context, e app.Event) {
	e.PreventDefault()
	c.say(ctx)
}

func (c *Chat) say(ctx app.Context) {
	env, now, err := c.sess.Say(c.text, time.Now())
	if err != nil {
		c.sendErr = err.Detail
		return
	}
	if now {
		c.send(env)
	}
	c.text, c.sendErr, c.atBottom = "", "", true
	clearInput("chat-input")
	c.scrollIfAtBottom(ctx)
}

// listenEnter makes Enter in the message box send, and Shift+Enter make a
// new line. go-app runs event handlers later, on its UI goroutine, when the
// browser has already inserted the newline; so these listeners are called
// by the browser directly, cancel the key at once and then hand over. The
// line break is also refused at beforeinput: some key sources (DevTools
// automation among them) deliver the character apart from the keydown.
func (c *Chat) listenEnter(ctx app.Context) {
	swallow := false // the Enter being typed was a send: no line break
	c.unlisten = listenWindow(map[string]func(app.Value){
		"keydown": func(e app.Value) {
			swallow = false
			if e.Get("key").String() != "Enter" || e.Get("shiftKey").Bool() || e.Get("isComposing").Bool() ||
				e.Get("target").Get("id").String() != "chat-input" {
				return
			}
			e.Call("preventDefault")
			swallow = true
			ctx.Dispatch(func(ctx app.Context) { c.say(ctx) })
		},
		"beforeinput": func(e app.Value) {
			switch e.Get("inputType").String() {
			case "insertLineBreak", "insertParagraph":
				if swallow && e.Get("target").Get("id").String() == "chat-input" {
					e.Call("preventDefault")
				}
			}
			swallow = false
		},
	})
}

// Render draws the identity form, presence, the messages, the outbox and
// the compose form.
func (c *Chat) Render() app.UI {
	// Pre-rendered on the server there is no session (nor socket) yet: the
	// page is drawn as for a first visit, so that what the server sends is
	// the whole page, its largest paint, and the wasm's first render keeps
	// its layout instead of growing it once the app runs.
	joined, active, nick, room := false, false, "", ""
	var lines []chat.Line
	var outgoing []chat.Outgoing
	var presence []string
	if c.sess != nil {
		joined, active, nick, room = c.sess.Joined(), c.sess.Active(), c.sess.Nick(), c.sess.Room()
		lines, outgoing, presence = c.sess.Lines(), c.sess.Outgoing(), c.sess.Presence()
	}
	count := utf8.RuneCountInString(c.text)
	return labPage("/chat", &c.status, c.sock, chatHow,
		app.H1().Text("Chat: rooms, presence, history"),
		app.P().Class("lead").Text("Every message is stored in NATS JetStream and numbered by it, so everyone sees the same order, "+
			"a newcomer sees the last 100, and a reconnecting client gets exactly what it missed. "+
			"Type while offline: the message waits in your outbox and goes out once."),
		app.Form().ID("chat-identity").Class("row", "chat-identity").OnSubmit(c.join).Body(
			// A label and its field in one box, so they wrap together.
			app.Span().Class("chat-field").Body(
				app.Label().For("chat-room").Text("Room"),
				app.Input().ID("chat-room").Type("text").Value(c.room).Placeholder(msg.ChatDefaultRoom).
					MaxLength(msg.ChatMaxRoom).AutoComplete(false).Spellcheck(false).OnInput(c.ValueTo(&c.room)),
			),
			app.Span().Class("chat-field").Body(
				app.Label().For("chat-nick").Text("Nickname"),
				app.Input().ID("chat-nick").Type("text").Value(c.nick).Placeholder("your name").
					AutoComplete(false).Spellcheck(false).OnInput(c.ValueTo(&c.nick)),
			),
			app.Button().ID("chat-join").Type("submit").Text("Join"),
			app.If(active, func() app.UI {
				return app.Button().ID("chat-leave").Type("button").Class("secondary").Text("Leave").OnClick(c.leave)
			}),
		),
		app.P().ID("chat-whoami").Class("muted").Text(whoami(joined, active, nick, room)),
		app.If(c.formErr != "", func() app.UI { return app.P().ID("chat-error").Class("close-note").Text(c.formErr) }),
		app.If(c.closeNote != "", func() app.UI { return app.P().ID("chat-close").Class("close-note").Text(c.closeNote) }),
		app.Div().Class("chat-layout").Body(
			app.Section().Class("chat-main").Body(
				app.Ol().ID("chat-messages").Class("log", "chat-log").Aria("live", "polite").OnScroll(c.onScroll).Body(
					app.Range(lines).Slice(func(i int) app.UI { return c.renderLine(lines[i], nick) }),
				),
				app.Ol().ID("chat-pending").Class("log", "chat-pending").Body(
					app.Range(outgoing).Slice(func(i int) app.UI { return c.renderOut(outgoing[i]) }),
				),
				app.Form().ID("chat-compose").Class("chat-compose").OnSubmit(c.submit).Body(
					app.Label().For("chat-input").Class("visually-hidden").Text("Message"),
					app.Textarea().ID("chat-input").Rows(2).Placeholder("Message (Enter sends, Shift+Enter for a new line)").
						Text(c.text).OnInput(c.ValueTo(&c.text)),
					app.Button().ID("chat-send").Type("submit").Disabled(nick == "").Text("Send"),
					app.Span().ID("chat-count").Class(countClass(count)).Text(fmt.Sprintf("%d / %d", count, msg.ChatMaxText)),
				),
				app.If(c.sendErr != "", func() app.UI { return app.P().ID("chat-send-error").Class("close-note").Text(c.sendErr) }),
			),
			app.Aside().Class("chat-side").Body(
				app.H2().Text("In the room"),
				app.Ul().ID("chat-presence").Class("chat-presence").Body(
					app.Range(presence).Slice(func(i int) app.UI {
						who := presence[i]
						return app.Li().Body(
							app.Span().Class("chat-who").Text(who),
							app.If(msg.NickKey(who) == msg.NickKey(nick), func() app.UI { return app.Span().Class("muted").Text(" (you)") }),
						)
					}),
				),
			),
		),
	)
}

func whoami(joined, active bool, nick, room string) string {
	switch {
	case nick == "":
		return "Choose a nickname to join."
	case joined:
		return "You are " + nick + " in #" + room + "."
	case active:
		return "Joining #" + room + " as " + nick + "…"
	default:
		return "You are not in a room."
	}
}

func countClass(n int) string {
	if n > msg.ChatMaxText {
		return "chat-count over"
	}
	return "chat-count muted"
}

// renderLine draws one message. Text goes in as text, never as HTML, so a
// message like <img onerror=…> shows as typed. The time is the viewer's
// local time; the datetime attribute keeps the exact instant.
func (c *Chat) renderLine(l chat.Line, me string) app.UI {
	li := app.Li().Class("log-entry", "chat-msg").DataSet("seq", l.Seq)
	if msg.NickKey(l.Nick) == msg.NickKey(me) {
		li = li.Class("mine")
	}
	return li.Body(
		app.Span().Class("chat-nick").Text(l.Nick),
		app.Time().Class("chat-time", "muted").DateTime(l.Time.UTC().Format(time.RFC3339Nano)).Text(l.Time.Local().Format("15:04:05")),
		app.Div().Class("chat-text").Text(l.Text),
	)
}

func (c *Chat) renderOut(o chat.Outgoing) app.UI {
	state := o.State.String()
	if o.State == chat.Failed {
		state = "not sent: " + o.Err
	}
	return app.Li().Class("log-entry", "chat-out", "state-"+o.State.String()).Body(
		app.Div().Class("chat-text").Text(o.Text),
		app.Span().Class("chat-state", "muted").Text(state),
		app.If(o.State == chat.Failed, func() app.UI {
			return app.Button().Class("secondary").Text("Dismiss").OnClick(func(app.Context, app.Event) { c.sess.Dismiss(o.ID) })
		}),
	)
}
