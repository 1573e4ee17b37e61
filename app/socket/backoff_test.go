package socket

import (
	"testing"
	"time"
)

func TestBackoffGrowsWithJitterWithinBounds(t *testing.T) {
	b := Backoff{Min: 100 * time.Millisecond, Max: 1600 * time.Millisecond}
	for attempt, full := range []time.Duration{100, 200, 400, 800, 1600, 1600, 1600} {
		full *= time.Millisecond
		seen := map[time.Duration]bool{}
		for range 200 {
			d := b.Delay(attempt)
			if d < full/2 || d > full {
				t.Fatalf("attempt %d: delay %v outside [%v, %v]", attempt, d, full/2, full)
			}
			seen[d] = true
		}
		if len(seen) < 50 {
			t.Fatalf("attempt %d: only %d distinct delays in 200 draws: no jitter", attempt, len(seen))
		}
	}
}

func TestBackoffDefaults(t *testing.T) {
	var b Backoff
	if d := b.Delay(0); d < 125*time.Millisecond || d > 250*time.Millisecond {
		t.Fatalf("first default delay %v", d)
	}
	if d := b.Delay(100); d > 10*time.Second {
		t.Fatalf("delay after 100 attempts %v exceeds the 10s default cap", d)
	}
}
