package ui

import (
	"fmt"
	"strconv"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"socketlab/app/socket"
)

// foldAt is how many bytes of a payload the inspector shows before folding.
const foldAt = 300

// inspector is the wire inspector panel of a page's socket: every frame
// sent and received, with direction, time and size, JSON pretty-printed,
// long payloads folded, open and close events with their codes, and the
// switch to the server's view (inspectortap.go). The record is
// socket.Inspector, fed by live; the panel is a component of its own that
// owns its view state — whether it is open, which payloads are unfolded —
// so that state survives its page re-rendering and a page that replaces
// its socket (hello's "Run again").
type inspector struct {
	app.Compo
	// Live is the page's socket; nil in the server's pre-render.
	Live *live
	// Rev is Live's revision (live.revision). go-app re-renders a child
	// component only when one of its fields changed, and a pointer always
	// equals itself: Rev is what says the record changed.
	Rev int

	open     bool
	unfolded map[int]bool // entry numbers shown in full
	shown    *live        // the socket unfolded refers to
}

// inspector returns the inspector panel for l's socket. Safe on a nil
// *live.
func (l *live) inspector() app.UI { return &inspector{Live: l, Rev: l.revision()} }

// revision counts the changes to what the inspector shows: frames, and
// the server's view of them.
func (l *live) revision() int {
	if l == nil {
		return 0
	}
	return l.rev + l.tap.watch.revision()
}

// OnUpdate forgets what was unfolded when the page's socket was replaced:
// entry numbers start again with a new record.
func (in *inspector) OnUpdate(ctx app.Context) {
	if in.shown != in.Live {
		in.shown, in.unfolded = in.Live, nil
	}
}

func (in *inspector) toggle(ctx app.Context, e app.Event) { in.open = ctx.JSSrc().Get("open").Bool() }

func (in *inspector) pause(ctx app.Context, e app.Event) {
	if in.Live != nil {
		in.Live.insp.SetPaused(!in.Live.insp.Paused())
	}
}

func (in *inspector) clear(ctx app.Context, e app.Event) {
	if in.Live != nil {
		in.Live.insp.Clear()
		in.unfolded = nil
	}
}

func (in *inspector) unfold(n int) {
	if in.unfolded == nil {
		in.unfolded = map[int]bool{}
	}
	in.unfolded[n] = true
}

// Render draws the panel. A closed panel renders no rows: a busy socket
// (the plot lab's batches) then costs the page nothing but the count.
func (in *inspector) Render() app.UI {
	rec := socket.NewInspector(1) // the pre-render's: empty
	if in.Live != nil {
		rec = in.Live.insp
	}
	entries := rec.Entries()
	count := len(entries)
	if !in.open {
		entries = nil
	}
	pauseLabel := "Pause"
	if rec.Paused() {
		pauseLabel = "Resume"
	}
	return app.Details().ID("inspector").Class("panel", "inspector").Open(in.open).On("toggle", in.toggle).Body(
		app.Summary().Text(fmt.Sprintf("Wire inspector (%s)", plural(count, "frame"))),
		app.Div().Class("inspector-tools").Body(
			app.Button().ID("inspector-pause").Class("secondary").Text(pauseLabel).OnClick(in.pause),
			app.Button().ID("inspector-clear").Class("secondary").Text("Clear").OnClick(in.clear),
			app.If(rec.Missed() > 0, func() app.UI {
				return app.Span().Class("muted").Text(fmt.Sprintf("%d frames not shown while paused", rec.Missed()))
			}),
			app.If(rec.Dropped() > 0, func() app.UI {
				return app.Span().Class("muted").Text(fmt.Sprintf("%d older frames dropped", rec.Dropped()))
			}),
		),
		app.Ol().Class("frames").TabIndex(0).Aria("label", "Frames, oldest first").Body(
			app.Range(entries).Slice(func(i int) app.UI { return in.entry(entries[i]) }),
		),
		app.If(in.open, func() app.UI { return in.serverViewPanel() }),
	)
}

var dirSymbols = map[socket.Direction]string{socket.Sent: "↑", socket.Received: "↓", socket.Event: "•"}

func (in *inspector) entry(e socket.Entry) app.UI {
	payload, folded := socket.Fold(e.Pretty, foldAt)
	if in.unfolded[e.N] {
		payload, folded = e.Pretty, false
	}
	size := ""
	if e.Dir != socket.Event {
		size = strconv.Itoa(e.Size) + " B"
		if e.Binary {
			size += " binary"
		}
	}
	return app.Li().Class("frame", "frame-"+e.Dir.String()).DataSet("n", e.N).Body(
		app.Span().Class("frame-dir").Title(e.Dir.String()).Text(dirSymbols[e.Dir]),
		app.Span().Class("visually-hidden").Text(e.Dir.String()+" "),
		app.Time().Class("frame-time").Text(e.Time.Format("15:04:05.000")),
		app.Span().Class("frame-size").Text(size),
		app.Pre().Class("frame-data").Text(payload),
		app.If(folded, func() app.UI {
			n := e.N
			// go-app keeps an element's old handler when the new one
			// comes from the same func literal; the scope makes each
			// button's handler its own entry's.
			return app.Button().Class("secondary", "frame-unfold").
				Text(fmt.Sprintf("Show all %d bytes", len(e.Pretty))).
				OnClick(func(app.Context, app.Event) { in.unfold(n) }, app.EventScope(strconv.Itoa(n)))
		}),
	)
}

// plural writes n with its noun, in the singular for one.
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.Itoa(n) + " " + noun + "s"
}
