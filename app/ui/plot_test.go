package ui

import (
	"fmt"
	"math"
	"os"
	"strings"
	"testing"
	"time"

	"socketlab/app/msg"
)

func series(id int, name string, total uint64, dropped uint64, pts ...msg.PlotPoint) msg.PlotSeries {
	return msg.PlotSeries{ID: id, Name: name, Total: total, Dropped: dropped, Points: pts}
}

func TestPlotDataApply(t *testing.T) {
	var d plotData
	if !d.apply(msg.PlotMessage{Type: msg.PlotHistory, Ring: 3, MaxSeries: 4, Cursor: 2,
		Series: []msg.PlotSeries{series(0, "a", 2, 0, msg.PlotPoint{0, 0}, msg.PlotPoint{1, 1})}}) {
		t.Fatal("history did not report new series")
	}
	// A batch with points only: no new series.
	if d.apply(msg.PlotMessage{Type: msg.PlotBatch, Cursor: 4,
		Series: []msg.PlotSeries{series(0, "a", 4, 0, msg.PlotPoint{2, 2}, msg.PlotPoint{3, 3})}}) {
		t.Fatal("a batch of points reported a new series")
	}
	a := d.series[0]
	if a.total != 4 || len(a.pts) != 3 || a.pts[0] != (msg.PlotPoint{1, 1}) {
		t.Fatalf("series a after the ring wrapped: total %d, points %v", a.total, a.pts)
	}
	// A new series with an id gap, and dropped points.
	if !d.apply(msg.PlotMessage{Type: msg.PlotBatch, Cursor: 20, Dropped: 5,
		Series: []msg.PlotSeries{series(2, "c", 10, 5, msg.PlotPoint{5, -5})}}) {
		t.Fatal("a new series was not reported")
	}
	if got := len(d.list()); got != 2 || d.dropped != 5 || d.received != 5 || d.series[2].dropped != 5 {
		t.Fatalf("after the new series: %d series, dropped %d, received %d", got, d.dropped, d.received)
	}
	b, ok := d.bounds()
	if !ok || b != (box{1, 5, -5, 3}) {
		t.Fatalf("bounds %+v, %v", b, ok)
	}
	// Hidden series leave the bounds and survive a history.
	d.series[2].hidden = true
	if b, _ := d.bounds(); b != (box{1, 3, 1, 3}) || d.shown() != 3 {
		t.Fatalf("bounds with c hidden %+v, shown %d", b, d.shown())
	}
	d.apply(msg.PlotMessage{Type: msg.PlotHistory, Ring: 3, Series: []msg.PlotSeries{
		series(0, "c", 1, 0, msg.PlotPoint{9, 9}), series(1, "a", 0, 0)}})
	if l := d.list(); len(l) != 2 || l[0].name != "c" || !l[0].hidden || l[1].hidden || len(l[1].pts) != 0 {
		t.Fatalf("after a second history: %+v %+v", l[0], l[1])
	}
	// Garbage ids from a confused server are ignored, not a crash.
	d.apply(msg.PlotMessage{Type: msg.PlotBatch, Series: []msg.PlotSeries{series(-1, "x", 1, 0), series(1<<20, "y", 1, 0)}})
	if len(d.series) != 2 {
		t.Fatalf("bad ids grew the series to %d", len(d.series))
	}
}

func TestAxisTicks(t *testing.T) {
	for _, c := range []struct {
		lo, hi float64
		want   string
	}{
		{0, 100, "0 20 40 60 80 100"},
		{0.001, 0.0049, "0.001 0.002 0.003 0.004"},
		{-3, 7, "-2 0 2 4 6"},
		{1700000000000, 1700000004000, "1700000000000 1700000001000 1700000002000 1700000003000 1700000004000"},
	} {
		a := newAxis(c.lo, c.hi, 0, 500, 100, 0, false)
		var labels []string
		for _, v := range a.ticks() {
			labels = append(labels, a.label(v))
		}
		if got := strings.Join(labels, " "); got != c.want {
			t.Errorf("ticks of %v..%v = %q, want %q", c.lo, c.hi, got, c.want)
		}
	}
	// A single value still gets a range and ticks.
	if a := newAxis(5, 5, 0, 500, 100, 0.05, false); a.lo >= 5 || a.hi <= 5 || len(a.ticks()) == 0 {
		t.Errorf("axis of one value: %+v", a)
	}
	// Positions: lo at p0, hi at p1, also inverted (a y axis).
	if a := newAxis(0, 10, 400, 0, 50, 0, false); a.pos(0) != 400 || a.pos(10) != 0 || a.pos(5) != 200 {
		t.Errorf("inverted axis: pos(0)=%v pos(5)=%v pos(10)=%v", a.pos(0), a.pos(5), a.pos(10))
	}
}

func TestTimeAxis(t *testing.T) {
	start := time.Date(2026, 3, 1, 12, 0, 0, 0, time.Local)
	lo := float64(start.UnixMilli())
	if !looksLikeUnixMillis(lo, lo+60000) || looksLikeUnixMillis(0, 100) {
		t.Fatal("Unix milliseconds not told from small numbers")
	}
	a := newAxis(lo, lo+60000, 0, 600, 100, 0, true)
	ticks := a.ticks()
	if a.step != 10000 || len(ticks) != 7 || a.label(ticks[1]) != "12:00:10" {
		t.Fatalf("a minute over 600px: step %v, %d ticks, second %q", a.step, len(ticks), a.label(ticks[1]))
	}
}

func TestAppendPath(t *testing.T) {
	xa := newAxis(0, 100, 0, 100, 50, 0, false) // one pixel per unit
	ya := newAxis(0, 100, 100, 0, 50, 0, false)

	// Few points, one per column: every one is a vertex.
	b, n := appendPath(nil, []msg.PlotPoint{{0, 0}, {50, 100}, {100, 50}}, xa, ya)
	if string(b) != "M0 100L50 0L100 50" || n != 3 {
		t.Fatalf("path %q (%d vertices)", b, n)
	}

	// 10 000 points over 100 columns: at most 4 vertices per column, and
	// each column's extremes are kept.
	var pts []msg.PlotPoint
	for i := range 10000 {
		x := float64(i) / 100
		pts = append(pts, msg.PlotPoint{x, 50 + 40*math.Sin(float64(i))})
	}
	b, n = appendPath(nil, pts, xa, ya)
	if n > 4*101 || n < 2*100 {
		t.Fatalf("%d vertices for 10 000 points in 100 columns", n)
	}
	if !strings.HasPrefix(string(b), "M0 50") {
		t.Fatalf("path starts %q", b[:20])
	}
	minY, maxY := math.Inf(1), math.Inf(-1)
	for _, v := range strings.FieldsFunc(string(b), func(r rune) bool { return r == 'M' || r == 'L' }) {
		var x, y float64
		if _, err := fmt.Sscanf(v, "%g %g", &x, &y); err != nil {
			t.Fatalf("vertex %q: %v", v, err)
		}
		minY, maxY = min(minY, y), max(maxY, y)
	}
	if minY > 10.5 || maxY < 89.5 {
		t.Fatalf("decimation lost the extremes: y from %v to %v", minY, maxY)
	}

	// Unsorted x (a producer going back in time) still draws every turn.
	_, n = appendPath(nil, []msg.PlotPoint{{10, 0}, {90, 0}, {10, 0}, {90, 0}}, xa, ya)
	if n != 4 {
		t.Fatalf("back-and-forth path has %d vertices, want 4", n)
	}
}

func TestPlotMeter(t *testing.T) {
	t0 := time.Unix(1000, 0)
	var m plotMeter
	m.reset(t0)
	var d plotData
	d.apply(msg.PlotMessage{Type: msg.PlotHistory, Series: []msg.PlotSeries{series(0, "a", 0, 0)}})
	// Four seconds of 100 points and 10 frames of 2 ms per quarter second.
	for i := 1; i <= 16; i++ {
		pts := make([]msg.PlotPoint, 100)
		d.apply(msg.PlotMessage{Type: msg.PlotBatch, Series: []msg.PlotSeries{series(0, "a", uint64(100*i), 0, pts...)}})
		for range 10 {
			m.drew(drawStats{took: 2 * time.Millisecond}, d.received)
		}
		m.tick(t0.Add(time.Duration(i)*plotReadoutEvery), &d)
	}
	if m.rate != 400 || m.drawnRate != 400 || m.fps != 40 || m.drawMS != 2 || m.seriesRate[0] != 400 {
		t.Fatalf("rates: received %v, drawn %v, fps %v, draw %v ms, series %v; want 400, 400, 40, 2, 400",
			m.rate, m.drawnRate, m.fps, m.drawMS, m.seriesRate[0])
	}
	if len(m.window) > 6 {
		t.Fatalf("the window keeps %d samples", len(m.window))
	}
	// A reconnect's history restarts the counts: no negative rate.
	d = plotData{}
	d.apply(msg.PlotMessage{Type: msg.PlotHistory, Series: []msg.PlotSeries{series(0, "a", 5, 0)}})
	m.tick(t0.Add(17*plotReadoutEvery), &d)
	if m.rate < 0 || m.seriesRate[0] < 0 {
		t.Fatalf("negative rate after a history: %v %v", m.rate, m.seriesRate[0])
	}
}

// TestPlotColorClassesMatchCSS: every series colour has its swatch class in
// the stylesheet, with the same colour.
func TestPlotColorClassesMatchCSS(t *testing.T) {
	css, err := os.ReadFile("../../web/static/app.css")
	if err != nil {
		t.Fatal(err)
	}
	for id := range plotColors {
		rule := "." + plotColorClass(id) + " { background: " + plotColor(id) + "; }"
		if !strings.Contains(string(css), rule) {
			t.Errorf("app.css lacks %q", rule)
		}
	}
}
