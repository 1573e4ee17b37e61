package ui

import (
	"math"
	"strconv"
	"time"
)

// An axis maps a range of data values to a range of pixels and knows where
// its ticks go and how to label them. Autoscale is the caller's choice of
// range; the axis only pads it and rounds it to its ticks.
type axis struct {
	lo, hi   float64 // data range, after padding
	p0, p1   float64 // pixel range: lo maps to p0, hi to p1
	step     float64 // tick spacing, in data units
	unixTime bool    // the values are Unix milliseconds: label as clock time
}

// newAxis returns an axis over lo..hi drawn from pixel p0 to p1, with about
// one tick every spacing pixels. pad is the fraction of the range added on
// each side so that extremes do not sit on the frame.
func newAxis(lo, hi, p0, p1, spacing, pad float64, unixTime bool) axis {
	if hi < lo {
		lo, hi = hi, lo
	}
	if span := hi - lo; span > 0 {
		lo, hi = lo-span*pad, hi+span*pad
	} else {
		// One value: open a window around it.
		d := math.Max(math.Abs(lo)*0.01, 1)
		if unixTime {
			d = 1000
		}
		lo, hi = lo-d, hi+d
	}
	a := axis{lo: lo, hi: hi, p0: p0, p1: p1, unixTime: unixTime}
	n := math.Max(math.Abs(p1-p0)/spacing, 1)
	if unixTime {
		a.step = timeStep((hi - lo) / n)
	} else {
		a.step = niceStep((hi - lo) / n)
	}
	return a
}

// pos maps a data value to a pixel.
func (a axis) pos(v float64) float64 {
	return a.p0 + (v-a.lo)*(a.p1-a.p0)/(a.hi-a.lo)
}

// ticks returns the multiples of step inside the range.
func (a axis) ticks() []float64 {
	if a.step <= 0 || math.IsInf(a.step, 0) || math.IsNaN(a.step) {
		return nil
	}
	first := math.Ceil(a.lo / a.step)
	var out []float64
	for i := 0.0; i < 100; i++ { // a bound, in case of rounding trouble
		v := (first + i) * a.step
		if v > a.hi {
			break
		}
		out = append(out, v)
	}
	return out
}

// label formats a tick value with as many decimals as the step needs.
func (a axis) label(v float64) string {
	if a.unixTime {
		t := time.UnixMilli(int64(math.Round(v)))
		switch {
		case a.step < 1000:
			return t.Format("15:04:05.000")
		case a.step < 60000:
			return t.Format("15:04:05")
		case a.step < 86400000:
			return t.Format("15:04")
		}
		return t.Format("Jan 2")
	}
	if v == 0 {
		return "0" // not "-0"
	}
	if av := math.Abs(v); av >= 1e15 || av < 1e-6 {
		return strconv.FormatFloat(v, 'g', 6, 64)
	}
	decimals := max(0, int(-math.Floor(math.Log10(a.step)+1e-9)))
	return strconv.FormatFloat(v, 'f', decimals, 64)
}

// niceStep rounds raw up to 1, 2 or 5 times a power of ten.
func niceStep(raw float64) float64 {
	if raw <= 0 || math.IsInf(raw, 0) || math.IsNaN(raw) {
		return 1
	}
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, m := range []float64{1, 2, 5} {
		if m*mag >= raw*(1-1e-9) {
			return m * mag
		}
	}
	return 10 * mag
}

// timeSteps are the tick spacings of a clock axis, in milliseconds.
var timeSteps = []float64{
	1, 2, 5, 10, 20, 50, 100, 200, 500,
	1e3, 2e3, 5e3, 10e3, 15e3, 30e3,
	60e3, 2 * 60e3, 5 * 60e3, 10 * 60e3, 15 * 60e3, 30 * 60e3,
	3600e3, 2 * 3600e3, 3 * 3600e3, 6 * 3600e3, 12 * 3600e3, 86400e3,
}

// timeStep picks the smallest clock spacing of at least raw milliseconds.
func timeStep(raw float64) float64 {
	for _, s := range timeSteps {
		if s >= raw {
			return s
		}
	}
	return niceStep(raw/86400e3) * 86400e3
}

// looksLikeUnixMillis reports whether an x range is plausibly Unix time in
// milliseconds (2001 to 2100), as `date +%s`000 produces.
func looksLikeUnixMillis(lo, hi float64) bool {
	return lo >= 1e12 && hi <= 4.1e12
}
