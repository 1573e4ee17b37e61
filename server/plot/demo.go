package plot

import (
	"context"
	"math"
	"math/rand/v2"
	"time"

	"socketlab/app/msg"
)

// Demo is the built-in source that keeps the page alive out of the box: a
// slow sine wave with a little noise, x in Unix milliseconds like the
// netcat example's, so both share a time axis.
type Demo struct {
	Store *Store
	// Name of the series; "demo" when empty.
	Name string
	// Every is the time between points; 50ms (20 points/s) when zero.
	Every time.Duration
}

// Run appends a point every Every until ctx is done.
func (d *Demo) Run(ctx context.Context) error {
	name, every := d.Name, d.Every
	if name == "" {
		name = "demo"
	}
	if every <= 0 {
		every = 50 * time.Millisecond
	}
	id, err := d.Store.Series(name)
	if err != nil {
		return err
	}
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case now := <-tick.C:
			d.Store.Append(id, demoPoint(now))
		}
	}
}

// demoPoint is the demo's value at t: a 10-second sine between 10 and 90
// with noise of ±3.
func demoPoint(t time.Time) msg.PlotPoint {
	ms := t.UnixMilli()
	phase := 2 * math.Pi * float64(ms%10000) / 10000
	y := 50 + 40*math.Sin(phase) + 6*(rand.Float64()-0.5)
	return msg.PlotPoint{float64(ms), math.Round(y*100) / 100}
}
