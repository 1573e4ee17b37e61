package ui

import (
	"math"
	"strconv"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// plotColors are the series colours, by series id; chosen to stay apart on
// both the light and the dark background. web/static/app.css repeats them as
// the classes .series-color-N for the legend swatches: the Content-Security-
// Policy allows no inline style attributes, and a class needs none.
var plotColors = []string{
	"#2f7ed8", "#e4572e", "#17a673", "#c98c00", "#8e5cd9",
	"#d6457f", "#1a9fb5", "#7a8b00", "#b5651d", "#5c6bc0",
}

func plotColor(id int) string { return plotColors[id%len(plotColors)] }

// plotColorClass is the CSS class that paints a legend swatch in
// plotColor(id).
func plotColorClass(id int) string { return "series-color-" + strconv.Itoa(id%len(plotColors)) }

// canvasView draws plotData on the page's <canvas> with the 2D context.
//
// Each series is drawn with a single call into JavaScript: its whole line
// is built in Go as an SVG path string, already reduced to at most four
// vertices per pixel column (appendPath), and handed to new Path2D(…). A
// frame is a few dozen calls whatever the number of points. Canvas rather
// than SVG because, measured in this machine's headless Chromium with the
// same paths (go run ./e2e/plotbench -compare), canvas reached the same
// frame rate as SVG with 4 series and a higher one with 32, and it keeps
// the plot out of go-app's DOM diffing. The reduction matters more than
// the choice: 10 000 vertices a series halve the frame rate of 3 600.
type canvasView struct {
	el, ctx app.Value
	path2D  app.Value // the Path2D constructor
	buf     []byte
}

// drawStats says what one frame cost.
type drawStats struct {
	points   int // points considered
	vertices int // vertices drawn after the per-column reduction
	took     time.Duration
}

// plot margins around the drawing area, in CSS pixels: room for the y
// labels on the left and the x labels below.
const (
	marginLeft   = 76
	marginRight  = 16
	marginTop    = 12
	marginBottom = 30
)

// draw paints every visible series of d, with axes and grid, sizing the
// canvas to its box on screen (times the device pixel ratio, so that lines
// are sharp on high-density screens).
func (v *canvasView) draw(d *plotData) (st drawStats) {
	start := time.Now()
	if v.el == nil || !v.el.Truthy() {
		v.el = app.Window().GetElementByID("plot-canvas")
		if !v.el.Truthy() {
			return st
		}
		v.ctx = v.el.Call("getContext", "2d")
		v.path2D = app.Window().Get("Path2D")
	}
	dpr := app.Window().Get("devicePixelRatio").Float()
	if dpr <= 0 {
		dpr = 1
	}
	cssW, cssH := v.el.Get("clientWidth").Float(), v.el.Get("clientHeight").Float()
	w, h := math.Round(cssW*dpr), math.Round(cssH*dpr)
	if v.el.Get("width").Float() != w || v.el.Get("height").Float() != h {
		v.el.Set("width", w) // also clears the canvas and resets its state
		v.el.Set("height", h)
	}
	c := v.ctx
	c.Call("setTransform", dpr, 0, 0, dpr, 0, 0) // draw in CSS pixels
	c.Call("clearRect", 0, 0, cssW, cssH)

	style := app.Window().Call("getComputedStyle", v.el)
	text := style.Call("getPropertyValue", "--text").String()
	grid := style.Call("getPropertyValue", "--border").String()
	muted := style.Call("getPropertyValue", "--muted").String()
	c.Set("font", "12px system-ui, sans-serif")
	c.Set("lineWidth", 1)

	left, right := float64(marginLeft), cssW-marginRight
	top, bottom := float64(marginTop), cssH-marginBottom
	b, ok := d.bounds()
	if !ok || right <= left || bottom <= top {
		c.Set("fillStyle", muted)
		c.Set("textAlign", "center")
		c.Call("fillText", "Waiting for points…", cssW/2, cssH/2)
		st.took = time.Since(start)
		return st
	}
	xa := newAxis(b.x0, b.x1, left, right, 110, 0, looksLikeUnixMillis(b.x0, b.x1))
	ya := newAxis(b.y0, b.y1, bottom, top, 50, 0.05, false)

	// Grid and frame: one path, one stroke.
	path := v.buf[:0]
	xt, yt := xa.ticks(), ya.ticks()
	for _, t := range xt {
		x := math.Round(xa.pos(t)) + 0.5
		path = appendSegment(path, x, top, x, bottom)
	}
	for _, t := range yt {
		y := math.Round(ya.pos(t)) + 0.5
		path = appendSegment(path, left, y, right, y)
	}
	c.Set("strokeStyle", grid)
	c.Call("stroke", v.path2D.New(string(path)))
	c.Call("strokeRect", left+0.5, top+0.5, right-left, bottom-top)

	// Tick labels.
	c.Set("fillStyle", text)
	c.Set("textAlign", "center")
	c.Set("textBaseline", "top")
	for _, t := range xt {
		c.Call("fillText", xa.label(t), xa.pos(t), bottom+6)
	}
	c.Set("textAlign", "right")
	c.Set("textBaseline", "middle")
	for _, t := range yt {
		c.Call("fillText", ya.label(t), left-6, ya.pos(t))
	}

	// The series, clipped to the plot area.
	c.Call("save")
	c.Call("beginPath")
	c.Call("rect", left, top, right-left, bottom-top)
	c.Call("clip")
	c.Set("lineWidth", 2)
	c.Set("lineJoin", "round")
	c.Set("lineCap", "round") // a lone point shows as a dot
	for _, s := range d.series {
		if s == nil || s.hidden || len(s.pts) == 0 {
			continue
		}
		var n int
		path, n = appendPath(path[:0], s.pts, xa, ya)
		st.points += len(s.pts)
		st.vertices += n
		c.Set("strokeStyle", plotColor(s.id))
		c.Call("stroke", v.path2D.New(string(path)))
	}
	c.Call("restore")
	v.buf = path
	st.took = time.Since(start)
	return st
}

// appendSegment appends "M x0 y0 L x1 y1" to an SVG path.
func appendSegment(b []byte, x0, y0, x1, y1 float64) []byte {
	b = append(b, 'M')
	b = strconv.AppendFloat(b, x0, 'f', -1, 64)
	b = append(b, ' ')
	b = strconv.AppendFloat(b, y0, 'f', -1, 64)
	b = append(b, 'L')
	b = strconv.AppendFloat(b, x1, 'f', -1, 64)
	b = append(b, ' ')
	b = strconv.AppendFloat(b, y1, 'f', -1, 64)
	return b
}
