package ui

import (
	"fmt"
	"strconv"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"socketlab/app/socket"
)

// foldAt is how many bytes of a payload the inspector shows before folding.
const foldAt = 300

// inspector renders the wire inspector of a page's socket: every frame sent
// and received, with direction, time and size, JSON pretty-printed, long
// payloads folded, open and close events with their codes. The model is
// socket.Inspector; this is only its view. Safe on a nil *live (the server's
// pre-render has no socket).
func (l *live) inspector() app.UI {
	var entries []socket.Entry
	paused, missed, dropped := false, 0, 0
	if l != nil {
		entries, paused, missed, dropped = l.insp.Entries(), l.insp.Paused(), l.insp.Missed(), l.insp.Dropped()
	}
	// go-app keeps an element's old handler when the new one comes from the
	// same func literal; the scope makes it take the closure over the
	// current socket (the first render happens before the socket exists).
	scope := app.EventScope(fmt.Sprintf("%p", l))
	pauseLabel := "Pause"
	if paused {
		pauseLabel = "Resume"
	}
	open := l != nil && l.inspOpen
	if !open {
		// A closed panel renders no rows: a busy socket (the plot lab's
		// batches) then costs the page nothing but the count.
		entries = nil
	}
	count := 0
	if l != nil {
		count = len(l.insp.Entries())
	}
	return app.Details().ID("inspector").Class("panel", "inspector").Open(open).
		On("toggle", func(ctx app.Context, e app.Event) {
			if l != nil {
				l.inspOpen = ctx.JSSrc().Get("open").Bool()
			}
		}, scope).Body(
		app.Summary().Text(fmt.Sprintf("Wire inspector (%s)", plural(count, "frame"))),
		app.Div().Class("inspector-tools").Body(
			app.Button().ID("inspector-pause").Class("secondary").Text(pauseLabel).
				OnClick(func(ctx app.Context, e app.Event) {
					if l != nil {
						l.insp.SetPaused(!l.insp.Paused())
					}
				}, scope),
			app.Button().ID("inspector-clear").Class("secondary").Text("Clear").
				OnClick(func(ctx app.Context, e app.Event) {
					if l != nil {
						l.insp.Clear()
						clear(l.unfolded)
					}
				}, scope),
			app.If(missed > 0, func() app.UI {
				return app.Span().Class("muted").Text(fmt.Sprintf("%d frames not shown while paused", missed))
			}),
			app.If(dropped > 0, func() app.UI {
				return app.Span().Class("muted").Text(fmt.Sprintf("%d older frames dropped", dropped))
			}),
		),
		app.Ol().Class("frames").TabIndex(0).Aria("label", "Frames, oldest first").Body(
			app.Range(entries).Slice(func(i int) app.UI { return l.entry(entries[i]) }),
		),
		app.If(open, func() app.UI { return l.serverViewPanel(scope) }),
	)
}

var dirSymbols = map[socket.Direction]string{socket.Sent: "↑", socket.Received: "↓", socket.Event: "•"}

func (l *live) entry(e socket.Entry) app.UI {
	payload, folded := socket.Fold(e.Pretty, foldAt)
	if l.unfolded[e.N] {
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
			return app.Button().Class("secondary", "frame-unfold").
				Text(fmt.Sprintf("Show all %d bytes", len(e.Pretty))).
				OnClick(func(ctx app.Context, ev app.Event) { l.unfolded[n] = true },
					app.EventScope(fmt.Sprintf("%p-%d", l, n)))
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
