package chat

import (
	"slices"
	"sync"
	"time"
)

// workerIdle is how long a worker waits for its next run before it ends.
// A busy room wakes each socket's writer every few milliseconds; an idle
// server keeps no workers.
const workerIdle = 2 * time.Second

// workers runs the sockets' writers on goroutines that are kept, parked,
// between runs. A writer runs only while its queue holds something, so a
// busy room starts one for every socket on every message; a fresh
// goroutine for each begins with a small stack and grows it, copying it,
// on the way down the library's write path — the profile's largest cost
// after the system calls themselves. A parked worker has its stack grown
// already, and a wake-up is one channel send, as in the classic design's
// writer loop.
type workers struct {
	mu     sync.Mutex
	idle   []*worker
	closed bool
}

// worker is one parked goroutine: run hands it a function on next.
type worker struct {
	next chan func()
}

// run calls f on a parked worker, or on a new goroutine when none is
// parked. It never waits.
func (p *workers) run(f func()) {
	p.mu.Lock()
	if n := len(p.idle); n > 0 && !p.closed {
		w := p.idle[n-1]
		p.idle = p.idle[:n-1]
		p.mu.Unlock()
		w.next <- f // buffered, and the worker is parked: never blocks
		return
	}
	p.mu.Unlock()
	go p.work(&worker{next: make(chan func(), 1)}, f)
}

// work runs f, then parks until the next run, for at most workerIdle.
func (p *workers) work(w *worker, f func()) {
	t := time.NewTimer(workerIdle)
	defer t.Stop()
	for f != nil {
		f()
		if !p.park(w) {
			return
		}
		t.Reset(workerIdle)
		select {
		case f = <-w.next:
		case <-t.C:
			if p.unpark(w) {
				return
			}
			// run took it meanwhile: its function is on the way.
			f = <-w.next
		}
	}
}

func (p *workers) park(w *worker) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return false
	}
	p.idle = append(p.idle, w)
	return true
}

// unpark takes w off the idle list; false when run took it already.
func (p *workers) unpark(w *worker) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	i := slices.Index(p.idle, w)
	if i < 0 {
		return false
	}
	p.idle = slices.Delete(p.idle, i, i+1)
	return true
}

// close ends the parked workers and keeps no more: the handler is closing.
func (p *workers) close() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.closed = true
	for _, w := range p.idle {
		w.next <- nil
	}
	p.idle = nil
}

// parked is how many workers wait for a run.
func (p *workers) parked() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.idle)
}
