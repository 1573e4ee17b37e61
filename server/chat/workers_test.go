package chat

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"socketlab/internal/testkit"
)

func TestWorkersRunEveryFunctionOnce(t *testing.T) {
	var p workers
	defer p.close()
	var ran atomic.Int64
	var wg sync.WaitGroup
	for round := range 3 {
		for range 100 {
			wg.Add(1)
			p.run(func() { ran.Add(1); wg.Done() })
		}
		wg.Wait()
		if got := ran.Load(); got != int64(100*(round+1)) {
			t.Fatalf("round %d: %d runs, want %d", round, got, 100*(round+1))
		}
		// The workers park between runs, to be used again.
		testkit.Eventually(t, 15*time.Second, "workers parked after their runs", func() bool { return p.parked() > 0 })
	}
}

func TestWorkersReuseAParkedOne(t *testing.T) {
	var p workers
	defer p.close()
	done := make(chan struct{})
	p.run(func() { close(done) })
	<-done
	testkit.Eventually(t, 15*time.Second, "the worker parked", func() bool { return p.parked() == 1 })
	done = make(chan struct{})
	p.run(func() { close(done) })
	if n := p.parked(); n != 0 {
		t.Fatalf("%d parked while the only worker is running: a new goroutine was started", n)
	}
	<-done
	testkit.Eventually(t, 15*time.Second, "the same worker parked again", func() bool { return p.parked() == 1 })
}

func TestWorkersEndWhenIdleOrClosed(t *testing.T) {
	var p workers
	done := make(chan struct{})
	p.run(func() { close(done) })
	<-done
	testkit.Eventually(t, 15*time.Second, "the worker parked", func() bool { return p.parked() == 1 })
	start := time.Now()
	testkit.Eventually(t, 15*time.Second, "the idle worker to end", func() bool { return p.parked() == 0 })
	if d := time.Since(start); d > workerIdle+5*time.Second {
		t.Errorf("an idle worker ended after %s, want about %s", d, workerIdle)
	}

	done = make(chan struct{})
	p.run(func() { close(done) })
	<-done
	testkit.Eventually(t, 15*time.Second, "the worker parked", func() bool { return p.parked() == 1 })
	p.close()
	if n := p.parked(); n != 0 {
		t.Fatalf("%d parked after close", n)
	}
	// A run after close still runs, on a goroutine that does not park.
	done = make(chan struct{})
	p.run(func() { close(done) })
	<-done
	if n := p.parked(); n != 0 {
		t.Fatalf("a worker parked after close")
	}
}
