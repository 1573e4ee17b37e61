package ui

import "time"

// plotMeter turns counters into the readout's rates. It is fed on every
// drawn frame and sampled by the readout clock; plain Go, tested natively.
type plotMeter struct {
	last         time.Time
	lastRecv     uint64         // plotData.received at the last tick
	lastDrawn    uint64         // drawnRecv at the last tick
	lastTotals   map[int]uint64 // series totals at the last tick
	frames       int            // frames drawn since the last tick
	drawTime     time.Duration  // time spent drawing since the last tick
	drawnRecv    uint64         // plotData.received as of the last frame drawn
	rate         float64        // points/s received by this page
	drawnRate    float64        // points/s that reached the screen
	fps          float64        // frames drawn per second
	drawMS       float64        // mean time to draw a frame
	seriesRate   map[int]float64
	lastVertices int
}

func (m *plotMeter) reset(now time.Time) {
	*m = plotMeter{last: now, lastTotals: map[int]uint64{}, seriesRate: map[int]float64{}}
}

// drew records one frame that showed every point received so far.
func (m *plotMeter) drew(st drawStats, received uint64) {
	m.frames++
	m.drawTime += st.took
	m.drawnRecv = received
	m.lastVertices = st.vertices
}

// tick computes the rates over the time since the previous tick.
func (m *plotMeter) tick(now time.Time, d *plotData) {
	dt := now.Sub(m.last).Seconds()
	if dt <= 0 {
		return
	}
	m.rate = float64(d.received-m.lastRecv) / dt
	m.drawnRate = float64(m.drawnRecv-m.lastDrawn) / dt
	m.fps = float64(m.frames) / dt
	if m.frames > 0 {
		m.drawMS = m.drawTime.Seconds() * 1000 / float64(m.frames)
	}
	for _, s := range d.list() {
		prev, ok := m.lastTotals[s.id]
		if ok && s.total >= prev {
			m.seriesRate[s.id] = float64(s.total-prev) / dt
		}
		m.lastTotals[s.id] = s.total
	}
	m.last, m.lastRecv, m.lastDrawn, m.frames, m.drawTime = now, d.received, m.drawnRecv, 0, 0
}
