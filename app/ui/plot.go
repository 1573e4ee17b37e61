package ui

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"socketlab/app/msg"
	"socketlab/app/socket"
)

// Plot is the plot lab's page: every series drawn live on a canvas, with a
// legend and a readout. The server side is server/plot.
//
// The page pulls. The server sends the history when the socket opens; the
// page draws it in the next animation frame and only then asks for the next
// batch, and so on. A page that cannot keep up asks less often and gets
// bigger batches; a page in a background tab, where the browser stops
// animation frames, stops asking altogether and costs the server nothing.
type Plot struct {
	app.Compo
	status socket.Status
	data   plotData
	view   canvasView
	note   string // last close or error
	sock   *live

	raf      app.Func // the animation-frame callback
	rafID    app.Value
	drawing  bool // an animation frame is requested
	owed     bool // a message was applied and not yet answered with "next"
	stopTick context.CancelFunc

	meter plotMeter
}

// plotReadoutEvery is how often the readout (rates, counts) is refreshed.
// Redrawing the canvas does not re-render the page; this does.
const plotReadoutEvery = 250 * time.Millisecond

// plotReadLimit bounds one message from the server. A batch after a long
// pause can hold a full ring of every series: 32 × 10 000 points of up to
// ~50 bytes each is 16 MB.
const plotReadLimit = 64 << 20

// plotNext is the request sent after each drawn message.
var plotNext = []byte(`{"type":"` + msg.PlotNext + `"}`)

// OnMount opens the socket and starts the readout clock.
func (p *Plot) OnMount(ctx app.Context) {
	p.meter.reset(time.Now())
	p.raf = app.FuncOf(func(app.Value, []app.Value) any {
		ctx.Dispatch(func(ctx app.Context) {
			ctx.PreventUpdate() // the canvas is not part of the render tree
			p.frame(ctx)
		})
		return nil
	})
	p.sock = connect(ctx, msg.PlotPath, socket.Options{
		ReadLimit: plotReadLimit,
		OnStatus: func(s socket.Status) {
			p.status = s
			if s != socket.Open {
				// The next socket starts with a fresh history.
				p.owed = false
			}
		},
		OnMessage: func(_ bool, data []byte) { p.receive(ctx, data) },
		OnClose: func(code msg.CloseCode, reason string) {
			if code != msg.CloseNormal {
				p.note = fmt.Sprintf("Socket closed: %v %s", code, reason)
			}
		},
	})
	tctx, cancel := context.WithCancel(context.Background())
	p.stopTick = cancel
	ctx.Async(func() {
		t := time.NewTicker(plotReadoutEvery)
		defer t.Stop()
		for {
			select {
			case <-tctx.Done():
				return
			case now := <-t.C:
				ctx.Dispatch(func(app.Context) { p.meter.tick(now, &p.data) })
			}
		}
	})
}

// OnDismount closes the socket and stops the clock and the drawing.
func (p *Plot) OnDismount() {
	p.sock.stop()
	p.stopTick()
	if p.drawing {
		app.Window().Call("cancelAnimationFrame", p.rafID)
	}
	p.raf.Release()
}

// receive applies one server message and schedules its drawing.
func (p *Plot) receive(ctx app.Context, data []byte) {
	var m msg.PlotMessage
	if err := json.Unmarshal(data, &m); err != nil {
		p.note = "Unreadable message from the server: " + err.Error()
		return
	}
	switch m.Type {
	case msg.PlotHistory, msg.PlotBatch:
	case msg.PlotError:
		p.note = "The server said: " + m.Error
		return
	default:
		p.note = fmt.Sprintf("Unknown message type %q from the server", m.Type)
		return
	}
	changed := p.data.apply(m)
	if m.Type == msg.PlotHistory {
		p.note = ""
	}
	p.owed = true
	p.requestFrame()
	if !changed && m.Dropped == 0 {
		// Counts and rates are refreshed by the readout clock; only a new
		// series or a loss is worth a render of its own.
		ctx.PreventUpdate()
	}
}

func (p *Plot) requestFrame() {
	if !p.drawing {
		p.drawing = true
		p.rafID = app.Window().Call("requestAnimationFrame", p.raf)
	}
}

// frame runs in an animation frame: draw, then ask for more.
func (p *Plot) frame(ctx app.Context) {
	p.drawing = false
	st := p.view.draw(&p.data)
	p.meter.drew(st, p.data.received)
	if !p.owed {
		return
	}
	p.owed = false
	if p.status == socket.Open {
		// Send only queues. While the socket is down the request is
		// moot: the next socket starts with a history.
		p.sock.conn.Send(plotNext)
	}
}

// toggle shows or hides a series.
func (p *Plot) toggle(id int) app.EventHandler {
	return func(ctx app.Context, e app.Event) {
		if id < len(p.data.series) && p.data.series[id] != nil {
			s := p.data.series[id]
			s.hidden = !s.hidden
			p.requestFrame()
		}
	}
}

// Render shows the canvas, the legend with per-series counts, and the
// readout.
func (p *Plot) Render() app.UI {
	list := p.data.list()
	return labPage("/plot", &p.status, p.sock, plotHow,
		app.H1().Text("Plot: streaming with pull flow control"),
		app.P().Class("lead").Text("Every series, live. Sources are plain TCP clients (netcat works), HTTP POSTs "+
			"and a built-in demo. This page asks for the next batch only after it has drawn the last one, "+
			"so a slow page gets bigger batches instead of a flood."),
		app.Div().Class("plot-box").Body(
			app.Canvas().ID("plot-canvas").Class("plot-canvas").
				Aria("label", "Live plot of every series").Attr("role", "img").
				Text("The plot needs a browser with canvas support."),
		),
		app.Ul().ID("plot-legend").Class("plot-legend").Body(
			app.Range(list).Slice(func(i int) app.UI {
				s := list[i]
				return app.Li().Class("plot-series").DataSet("name", s.name).Body(
					app.Button().Class("series-toggle", "secondary").
						Aria("pressed", strconv.FormatBool(!s.hidden)).
						Title("Show or hide this series").
						OnClick(p.toggle(s.id)).Body(
						app.Span().Class("swatch", plotColorClass(s.id)).Aria("hidden", "true"),
						app.Span().Class("series-name").Text(s.name),
					),
					app.Span().Class("series-count").Text(strconv.FormatUint(s.total, 10)),
					app.Text(" points · "),
					app.Span().Class("series-rate").Text(fmt.Sprintf("%.0f", p.meter.seriesRate[s.id])),
					app.Text("/s"),
				)
			}),
		),
		app.P().ID("plot-readout").Class("plot-readout", "muted").Body(
			app.Span().ID("plot-rate").Text(fmt.Sprintf("%.0f", p.meter.rate)),
			app.Text(" points/s received · "),
			app.Span().ID("plot-fps").Text(fmt.Sprintf("%.0f", p.meter.fps)),
			app.Text(" frames/s · "),
			app.Span().ID("plot-drawn").Text(fmt.Sprintf("%.0f", p.meter.drawnRate)),
			app.Text(" points/s drawn · draw "),
			app.Span().ID("plot-draw-ms").Text(fmt.Sprintf("%.1f", p.meter.drawMS)),
			app.Text(" ms · "),
			app.Span().ID("plot-shown").Text(strconv.Itoa(p.data.shown())),
			app.Text(" points shown · cursor "),
			app.Span().ID("plot-cursor").Text(strconv.FormatUint(p.data.cursor, 10)),
		),
		app.If(p.data.dropped > 0, func() app.UI {
			return app.P().ID("plot-dropped").Class("close-note").Text(fmt.Sprintf(
				"%d points were skipped: they left the server's %d-point ring before this page asked for them "+
					"(a background tab does not draw, so it does not ask).", p.data.dropped, p.data.ring))
		}),
		app.If(p.note != "", func() app.UI { return app.P().ID("plot-note").Class("close-note").Text(p.note) }),
		app.Details().Class("plot-help").Body(
			app.Summary().Text("Feed it"),
			app.P().Text("From a shell, with netcat (first line: the series name; then \"x y\" per line):"),
			app.Pre().Text(`{ echo 'my source'; while true; do echo "$(date +%s)000 $RANDOM"; sleep 1; done; } | nc localhost 9876`),
			app.P().Text("Or over HTTP, all lines at once:"),
			app.Pre().Text(`printf '1 10\n2 20\n' | curl --data-binary @- `+"http://localhost:8080/api/plot/my%20series"),
		),
	)
}
