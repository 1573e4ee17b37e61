package plot

import (
	"errors"
	"fmt"
	"sync"

	"socketlab/app/msg"
)

// ErrTooManySeries is returned when a producer names a new series and the
// store already holds its maximum.
var ErrTooManySeries = errors.New("too many series")

// Store holds every series in memory: the newest Ring points of each, and
// how many it has ever received. It is safe for concurrent use by any
// number of producers and readers.
//
// Readers do not subscribe and nothing is queued for them. Each keeps a
// Cursor and asks Next for what is new; when nothing is, Next hands out a
// channel that the next append closes. That channel is shared by every
// waiting reader and replaced only after it fired, so a waiting reader costs
// no goroutine and no work on the append path beyond one close.
type Store struct {
	ring, maxSeries int

	mu      sync.Mutex
	series  []*series // index is the series id, in creation order
	byName  map[string]int
	seq     uint64        // points ever appended, all series
	changed chan struct{} // closed at the next append or new series
	watched bool          // someone holds changed: close it on change
	// afters are the functions AfterChange armed, run at the next
	// change; nextAfter numbers them.
	afters    map[uint64]func()
	nextAfter uint64
}

// series is one named ring of points.
type series struct {
	name  string
	total uint64          // points ever appended
	pts   []msg.PlotPoint // ring storage, len ≤ ring
	head  int             // index of the oldest point once the ring is full
}

// NewStore returns an empty store keeping ring points per series and at
// most maxSeries series (msg.PlotRing and msg.PlotMaxSeries when ≤ 0).
func NewStore(ring, maxSeries int) *Store {
	if ring <= 0 {
		ring = msg.PlotRing
	}
	if maxSeries <= 0 {
		maxSeries = msg.PlotMaxSeries
	}
	return &Store{ring: ring, maxSeries: maxSeries, byName: make(map[string]int), changed: make(chan struct{})}
}

// Ring is the number of points kept per series.
func (s *Store) Ring() int { return s.ring }

// MaxSeries is the cap on the number of series.
func (s *Store) MaxSeries() int { return s.maxSeries }

// Series returns the id of the series called name, creating it if needed.
// The name must pass msg.CheckPlotName. Past MaxSeries a new name gets
// ErrTooManySeries; series are never removed while the server runs.
func (s *Store) Series(name string) (int, error) {
	if err := msg.CheckPlotName(name); err != nil {
		return 0, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if id, ok := s.byName[name]; ok {
		return id, nil
	}
	if len(s.series) >= s.maxSeries {
		return 0, fmt.Errorf("%w: the server keeps at most %d", ErrTooManySeries, s.maxSeries)
	}
	id := len(s.series)
	s.series = append(s.series, &series{name: name})
	s.byName[name] = id
	s.notify()
	return id, nil
}

// Append adds points to the series id (from Series), oldest first. Points
// beyond the ring push out the oldest.
func (s *Store) Append(id int, pts ...msg.PlotPoint) {
	if len(pts) == 0 {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	sr := s.series[id]
	for _, p := range pts {
		if len(sr.pts) < s.ring {
			sr.pts = append(sr.pts, p)
		} else {
			sr.pts[sr.head] = p
			sr.head = (sr.head + 1) % s.ring
		}
	}
	sr.total += uint64(len(pts))
	s.seq += uint64(len(pts))
	s.notify()
}

// notify wakes every reader waiting in Next or AfterChange. The caller
// holds s.mu.
func (s *Store) notify() {
	if s.watched {
		close(s.changed)
		s.changed = make(chan struct{})
		s.watched = false
	}
	for _, f := range s.afters {
		f()
	}
	clear(s.afters)
}

// AfterChange arranges for f to be called once, at the next append or new
// series, and returns a function that disarms it (false when f has run or
// was disarmed already). It is the wait of Next's channel without a
// goroutine to wait on it: a reader that holds a request for news, as
// every idle plot page does, costs a map entry, not a parked goroutine.
// f runs with the store locked, in the appender's goroutine: it must not
// block or call the store (starting a goroutine is what it is for).
func (s *Store) AfterChange(f func()) (stop func() bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.afters == nil {
		s.afters = make(map[uint64]func())
	}
	id := s.nextAfter
	s.nextAfter++
	s.afters[id] = f
	return func() bool {
		s.mu.Lock()
		defer s.mu.Unlock()
		_, armed := s.afters[id]
		delete(s.afters, id)
		return armed
	}
}

// Cursor is how far one reader has got in every series. The zero value is a
// reader that has seen nothing: its first Next returns the history.
type Cursor struct {
	seen    []uint64 // per series id: points delivered or dropped
	started bool
}

// Next returns what is new for the reader at c and moves c past it.
//
// The first call on a zero Cursor returns the history: every series with
// the points it still holds, and a nil channel. Later calls return a batch
// of every point appended since, per series, with the number of points that
// fell out of the ring before this reader asked (Dropped); a series the
// reader has not seen yet is listed even when it has no points. When there
// is nothing new, Next returns an empty batch and a channel that is closed
// at the next change: wait on it and call Next again.
func (s *Store) Next(c *Cursor) (msg.PlotMessage, <-chan struct{}) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := msg.PlotMessage{Type: msg.PlotBatch, Cursor: s.seq}
	if !c.started {
		m.Type, m.Ring, m.MaxSeries = msg.PlotHistory, s.ring, s.maxSeries
		m.Series = make([]msg.PlotSeries, 0, len(s.series))
	}
	for id, sr := range s.series {
		known := id < len(c.seen)
		var seen uint64
		if known {
			seen = c.seen[id]
			if seen == sr.total {
				continue
			}
		}
		kept := uint64(len(sr.pts))
		first := sr.total - kept // index of the oldest point still held
		out := msg.PlotSeries{ID: id, Name: sr.name, Total: sr.total}
		from := seen
		if from < first {
			// Points a history never promised are not dropped; points a
			// connected reader did not ask for in time are.
			if c.started {
				out.Dropped = first - from
			}
			from = first
		}
		out.Points = sr.copyFrom(int(from-first), s.ring)
		m.Dropped += out.Dropped
		m.Series = append(m.Series, out)
	}
	for len(c.seen) < len(s.series) {
		c.seen = append(c.seen, 0)
	}
	for id, sr := range s.series {
		c.seen[id] = sr.total
	}
	if !c.started {
		c.started = true
		return m, nil
	}
	if len(m.Series) > 0 {
		return m, nil
	}
	s.watched = true
	return m, s.changed
}

// copyFrom returns the held points from the k-th oldest on, in order.
func (sr *series) copyFrom(k, ring int) []msg.PlotPoint {
	n := len(sr.pts) - k
	out := make([]msg.PlotPoint, n)
	if len(sr.pts) < ring {
		copy(out, sr.pts[k:])
		return out
	}
	start := (sr.head + k) % ring
	copied := copy(out, sr.pts[start:])
	copy(out[copied:], sr.pts[:n-copied])
	return out
}
