package plot

import (
	"errors"
	"fmt"
	"testing"

	"socketlab/app/msg"
)

// pts returns n points with x from x0 on and y = x*2, so a point's origin
// is readable from its value.
func pts(x0, n int) []msg.PlotPoint {
	out := make([]msg.PlotPoint, n)
	for i := range out {
		x := float64(x0 + i)
		out[i] = msg.PlotPoint{x, 2 * x}
	}
	return out
}

// checkRun fails unless got is exactly the points x0, x0+1, … of pts.
func checkRun(t *testing.T, what string, got []msg.PlotPoint, x0, n int) {
	t.Helper()
	if len(got) != n {
		t.Fatalf("%s: %d points, want %d", what, len(got), n)
	}
	for i, p := range got {
		if want := (msg.PlotPoint{float64(x0 + i), float64(2 * (x0 + i))}); p != want {
			t.Fatalf("%s: point %d is %v, want %v", what, i, p, want)
		}
	}
}

func TestStoreHistoryAndBatches(t *testing.T) {
	s := NewStore(5, 3)
	a, err := s.Series("a")
	if err != nil {
		t.Fatal(err)
	}
	s.Append(a, pts(0, 3)...)

	var c Cursor
	h, wait := s.Next(&c)
	if h.Type != msg.PlotHistory || wait != nil || h.Ring != 5 || h.MaxSeries != 3 || h.Cursor != 3 {
		t.Fatalf("history = %+v, wait %v", h, wait)
	}
	if len(h.Series) != 1 || h.Series[0].Name != "a" || h.Series[0].Total != 3 {
		t.Fatalf("history series = %+v", h.Series)
	}
	checkRun(t, "history", h.Series[0].Points, 0, 3)

	// Nothing new: an empty batch and a channel to wait on.
	m, wait := s.Next(&c)
	if m.Type != msg.PlotBatch || len(m.Series) != 0 || wait == nil {
		t.Fatalf("idle Next = %+v, wait %v", m, wait)
	}
	s.Append(a, pts(3, 2)...)
	select {
	case <-wait:
	default:
		t.Fatal("append did not close the wait channel")
	}
	m, wait = s.Next(&c)
	if wait != nil || m.Cursor != 5 || len(m.Series) != 1 || m.Dropped != 0 {
		t.Fatalf("batch = %+v", m)
	}
	checkRun(t, "batch", m.Series[0].Points, 3, 2)

	// A new series shows up in the next batch even before it has points.
	b, _ := s.Series("b")
	m, _ = s.Next(&c)
	if len(m.Series) != 1 || m.Series[0].ID != b || m.Series[0].Name != "b" || len(m.Series[0].Points) != 0 {
		t.Fatalf("batch after a new series = %+v", m)
	}
}

func TestStoreRingDrops(t *testing.T) {
	s := NewStore(10, 2)
	a, _ := s.Series("a")
	s.Append(a, pts(0, 25)...)

	// A new reader gets the ring as history: older points were never
	// promised to it, so nothing counts as dropped.
	var fresh Cursor
	h, _ := s.Next(&fresh)
	if h.Dropped != 0 || h.Series[0].Total != 25 {
		t.Fatalf("history = %+v", h)
	}
	checkRun(t, "history", h.Series[0].Points, 15, 10)

	// A reader that waits while 37 more arrive gets the newest 10 and is
	// told that 27 are gone.
	s.Append(a, pts(25, 37)...)
	m, _ := s.Next(&fresh)
	if m.Dropped != 27 || m.Series[0].Dropped != 27 || m.Cursor != 62 {
		t.Fatalf("batch = %+v", m)
	}
	checkRun(t, "batch after the ring wrapped", m.Series[0].Points, 52, 10)

	// A series created and overfilled while the reader was away: its
	// points before the ring are dropped for this reader too.
	b, _ := s.Series("b")
	s.Append(b, pts(100, 12)...)
	m, _ = s.Next(&fresh)
	if len(m.Series) != 1 || m.Series[0].Dropped != 2 || m.Dropped != 2 {
		t.Fatalf("batch with a new series = %+v", m)
	}
	checkRun(t, "new series", m.Series[0].Points, 102, 10)
}

func TestStoreSeriesLimits(t *testing.T) {
	s := NewStore(10, 2)
	for _, name := range []string{"a", "b", "a"} {
		if _, err := s.Series(name); err != nil {
			t.Fatalf("Series(%q): %v", name, err)
		}
	}
	if _, err := s.Series("c"); !errors.Is(err, ErrTooManySeries) {
		t.Fatalf("third series: %v, want ErrTooManySeries", err)
	}
	if _, err := s.Series(""); err == nil {
		t.Fatal("empty name accepted")
	}
}

// TestStoreWrapEveryOffset checks the ring copy at every head position and
// every starting point.
func TestStoreWrapEveryOffset(t *testing.T) {
	const ring = 7
	for total := 1; total <= 3*ring; total++ {
		for since := 0; since <= total; since++ {
			s := NewStore(ring, 1)
			id, _ := s.Series("a")
			s.Append(id, pts(0, since)...)
			var c Cursor
			s.Next(&c) // history up to since
			for i := since; i < total; i++ {
				s.Append(id, pts(i, 1)...) // one at a time: every head position
			}
			m, _ := s.Next(&c)
			if since == total {
				if len(m.Series) != 0 {
					t.Fatalf("total %d: batch with nothing new = %+v", total, m)
				}
				continue
			}
			first := max(since, total-ring)
			checkRun(t, fmt.Sprintf("total %d since %d", total, since), m.Series[0].Points, first, total-first)
			if got := m.Series[0].Dropped; got != uint64(first-since) {
				t.Fatalf("total %d since %d: dropped %d, want %d", total, since, got, first-since)
			}
		}
	}
}

// TestStoreAfterChange: an armed function runs once, at the next append or
// new series, and not after it is disarmed.
func TestStoreAfterChange(t *testing.T) {
	s := NewStore(10, 4)
	id, err := s.Series("a")
	if err != nil {
		t.Fatal(err)
	}
	ran := 0
	stop := s.AfterChange(func() { ran++ })
	if ran != 0 {
		t.Fatal("ran before any change")
	}
	s.Append(id, pts(0, 2)...)
	s.Append(id, pts(2, 1)...)
	if ran != 1 {
		t.Fatalf("ran %d times over two appends, want once", ran)
	}
	if stop() {
		t.Fatal("stop reported armed after it ran")
	}

	s.AfterChange(func() { ran++ })
	if _, err := s.Series("b"); err != nil {
		t.Fatal(err)
	}
	if ran != 2 {
		t.Fatal("a new series did not run it")
	}

	stop = s.AfterChange(func() { t.Error("ran after it was disarmed") })
	if !stop() {
		t.Fatal("stop reported not armed before any change")
	}
	s.Append(id, pts(3, 1)...)
}
