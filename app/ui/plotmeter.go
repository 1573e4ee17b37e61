package ui

import "time"

// plotMeter turns counters into the readout's rates, averaged over the
// last second or so: frames and batches come in bursts, and a rate over a
// single readout period would jump. It is fed on every drawn frame and
// sampled by the readout clock; plain Go, tested natively.
type plotMeter struct {
	// Running totals since the page opened.
	frames    int
	drawTime  time.Duration
	drawnRecv uint64 // plotData.received as of the last frame drawn

	window []meterSample // oldest first, spanning about meterWindow

	rate       float64 // points/s received by this page
	drawnRate  float64 // points/s that reached the screen
	fps        float64 // frames drawn per second
	drawMS     float64 // mean time to draw a frame
	seriesRate map[int]float64
}

// meterWindow is the span the rates are averaged over.
const meterWindow = time.Second

// meterSample is a snapshot of the running totals at one tick.
type meterSample struct {
	at        time.Time
	received  uint64
	drawnRecv uint64
	frames    int
	drawTime  time.Duration
	totals    map[int]uint64
}

func (m *plotMeter) reset(now time.Time) {
	*m = plotMeter{seriesRate: map[int]float64{}, window: []meterSample{{at: now}}}
}

// drew records one frame that showed every point received so far.
func (m *plotMeter) drew(st drawStats, received uint64) {
	m.frames++
	m.drawTime += st.took
	m.drawnRecv = received
}

// tick takes a snapshot and computes the rates since the oldest one kept.
func (m *plotMeter) tick(now time.Time, d *plotData) {
	s := meterSample{at: now, received: d.received, drawnRecv: m.drawnRecv,
		frames: m.frames, drawTime: m.drawTime, totals: map[int]uint64{}}
	for _, sr := range d.list() {
		s.totals[sr.id] = sr.total
	}
	old := m.window[0]
	dt := now.Sub(old.at).Seconds()
	if dt <= 0 {
		return
	}
	// A history after a reconnect may restart the counts: never report a
	// negative rate.
	rate := func(a, b uint64) float64 {
		if b < a {
			return 0
		}
		return float64(b-a) / dt
	}
	m.rate = rate(old.received, s.received)
	m.drawnRate = rate(old.drawnRecv, s.drawnRecv)
	m.fps = float64(s.frames-old.frames) / dt
	if n := s.frames - old.frames; n > 0 {
		m.drawMS = (s.drawTime - old.drawTime).Seconds() * 1000 / float64(n)
	}
	clear(m.seriesRate)
	for id, total := range s.totals {
		if prev, ok := old.totals[id]; ok {
			m.seriesRate[id] = rate(prev, total)
		}
	}
	m.window = append(m.window, s)
	for len(m.window) > 1 && now.Sub(m.window[1].at) >= meterWindow {
		m.window = m.window[1:]
	}
}
