package ui

import (
	"math"

	"socketlab/app/msg"
)

// plotData is the plot page's copy of the server's series: the same rings,
// filled from the history and then from each batch. It is plain Go, with no
// browser calls, so it is tested natively.
type plotData struct {
	ring      int
	maxSeries int
	series    []*plotSeries // index is the server's series id
	cursor    uint64
	received  uint64 // points received since the page opened
	dropped   uint64 // points missed because they left the server's ring
	messages  int    // history and batch messages applied
}

// plotSeries is one series as the page holds it.
type plotSeries struct {
	id      int
	name    string
	total   uint64 // points the server has received for it
	pts     []msg.PlotPoint
	dropped uint64
	hidden  bool // hidden by a click on its legend entry
}

// apply merges a history or batch message. A history replaces everything
// (a reconnect, maybe to a restarted server with other series) except
// which series were hidden. It reports whether the list of series changed.
func (d *plotData) apply(m msg.PlotMessage) (newSeries bool) {
	d.messages++
	if m.Type == msg.PlotHistory {
		hidden := map[string]bool{}
		for _, s := range d.series {
			if s != nil && s.hidden {
				hidden[s.name] = true
			}
		}
		d.series, d.ring, d.maxSeries = nil, m.Ring, m.MaxSeries
		defer func() {
			for _, s := range d.series {
				if s != nil {
					s.hidden = hidden[s.name]
				}
			}
		}()
		newSeries = true
	}
	if d.ring <= 0 {
		d.ring = msg.PlotRing
	}
	d.cursor = m.Cursor
	d.dropped += m.Dropped
	for _, in := range m.Series {
		if in.ID < 0 || in.ID >= 1<<16 {
			continue // not a series id any server hands out
		}
		for len(d.series) <= in.ID {
			d.series = append(d.series, nil)
		}
		s := d.series[in.ID]
		if s == nil || s.name != in.Name {
			s = &plotSeries{id: in.ID, name: in.Name}
			d.series[in.ID] = s
			newSeries = true
		}
		s.total = in.Total
		s.dropped += in.Dropped
		d.received += uint64(len(in.Points))
		s.pts = append(s.pts, in.Points...)
		if len(s.pts) > d.ring {
			// Reslicing keeps the memory bounded: append copies only the
			// last ring points whenever it grows the array.
			s.pts = s.pts[len(s.pts)-d.ring:]
		}
	}
	return newSeries
}

// list returns the series in id order, without gaps.
func (d *plotData) list() []*plotSeries {
	out := make([]*plotSeries, 0, len(d.series))
	for _, s := range d.series {
		if s != nil {
			out = append(out, s)
		}
	}
	return out
}

// shown counts the points of the visible series.
func (d *plotData) shown() int {
	n := 0
	for _, s := range d.series {
		if s != nil && !s.hidden {
			n += len(s.pts)
		}
	}
	return n
}

// bounds is the smallest box holding every visible point; ok is false when
// there is none.
func (d *plotData) bounds() (b box, ok bool) {
	b = box{math.Inf(1), math.Inf(-1), math.Inf(1), math.Inf(-1)}
	for _, s := range d.series {
		if s == nil || s.hidden {
			continue
		}
		for _, p := range s.pts {
			b.x0, b.x1 = min(b.x0, p[0]), max(b.x1, p[0])
			b.y0, b.y1 = min(b.y0, p[1]), max(b.y1, p[1])
			ok = true
		}
	}
	return b, ok
}

// box is a range of data values: x0..x1 by y0..y1.
type box struct{ x0, x1, y0, y1 float64 }
