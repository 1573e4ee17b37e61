package ui

import (
	"math"
	"strconv"

	"socketlab/app/msg"
)

// appendPath appends to b an SVG path ("M x y L x y …") through pts as
// placed by the x and y axes, and returns it with the number of vertices.
//
// Drawing 10 000 points into 900 pixels would mostly draw over itself, and
// every vertex costs. So consecutive points that fall in the same pixel
// column are reduced to the first, the lowest, the highest and the last of
// them (the M4 reduction): the line drawn is the same to the pixel, and the
// vertex count is bounded by four per column whatever the ring holds. It
// does not need x to be sorted.
func appendPath(b []byte, pts []msg.PlotPoint, xa, ya axis) ([]byte, int) {
	var (
		vertices int
		col      = math.MinInt
		first    int // indexes into pts of the current column's run
		lo, hi   int
		last     int
	)
	emit := func(i int) {
		if vertices == 0 {
			b = append(b, 'M')
		} else {
			b = append(b, 'L')
		}
		b = strconv.AppendFloat(b, round1(xa.pos(pts[i][0])), 'f', -1, 64)
		b = append(b, ' ')
		b = strconv.AppendFloat(b, round1(ya.pos(pts[i][1])), 'f', -1, 64)
		vertices++
	}
	flush := func() {
		emit(first)
		// The extremes in the order they came, each once.
		a, z := lo, hi
		if a > z {
			a, z = z, a
		}
		if a != first && a != last {
			emit(a)
		}
		if z != first && z != last && z != a {
			emit(z)
		}
		if last != first {
			emit(last)
		}
	}
	for i, p := range pts {
		c := int(math.Floor(xa.pos(p[0])))
		if c != col {
			if i > 0 {
				flush()
			}
			col, first, lo, hi = c, i, i, i
		}
		if p[1] < pts[lo][1] {
			lo = i
		}
		if p[1] > pts[hi][1] {
			hi = i
		}
		last = i
	}
	if len(pts) > 0 {
		flush()
	}
	return b, vertices
}

// round1 rounds a pixel position to a tenth: finer is invisible, and
// shorter numbers make a shorter path string to hand to the browser.
func round1(v float64) float64 { return math.Round(v*10) / 10 }
