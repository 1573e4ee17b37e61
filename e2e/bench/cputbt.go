package main

import (
	"encoding/json"
	"fmt"
	"os"
	"time"
)

// traceEvent is the part of a Chrome trace event the CPU-time estimate
// reads. Durations are in microseconds; tdur is the thread's CPU time.
type traceEvent struct {
	Name string `json:"name"`
	Ph   string `json:"ph"`
	Pid  int    `json:"pid"`
	Tid  int    `json:"tid"`
	Ts   int64  `json:"ts"`
	Dur  int64  `json:"dur"`
	Tdur int64  `json:"tdur"`
	Args struct {
		Name string `json:"name"`
	} `json:"args"`
}

// cpuBlockingTime estimates total blocking time from the CPU time of the
// page's main-thread tasks instead of their wall time: the sum, over tasks
// after the first contentful paint, of 4× their CPU time beyond 50 ms.
// Lighthouse scales wall time, which on a loaded machine includes the time
// the thread waited for a core; the CPU time does not, so this figure
// shows what the page itself costs when the machine is busy.
func cpuBlockingTime(tracePath string) (time.Duration, error) {
	b, err := os.ReadFile(tracePath)
	if err != nil {
		return 0, fmt.Errorf("reading the trace: %w", err)
	}
	var tr struct {
		TraceEvents []traceEvent `json:"traceEvents"`
	}
	if err := json.Unmarshal(b, &tr); err != nil {
		return 0, fmt.Errorf("reading the trace: %w", err)
	}
	// The page's main thread is the renderer main thread that ran the most
	// tasks (extensions and other pages have their own).
	type thread struct{ pid, tid int }
	mains := map[thread]bool{}
	tasks := map[thread]int{}
	var fcp int64
	for _, e := range tr.TraceEvents {
		th := thread{e.Pid, e.Tid}
		switch {
		case e.Name == "thread_name" && e.Args.Name == "CrRendererMain":
			mains[th] = true
		case e.Name == "RunTask":
			tasks[th]++
		case e.Name == "firstContentfulPaint" && fcp == 0:
			fcp = e.Ts
		}
	}
	var main thread
	for th := range mains {
		if tasks[th] > tasks[main] {
			main = th
		}
	}
	if tasks[main] == 0 {
		return 0, fmt.Errorf("no main-thread tasks in %s", tracePath)
	}
	var blocking int64
	for _, e := range tr.TraceEvents {
		if e.Name != "RunTask" || e.Ph != "X" || (thread{e.Pid, e.Tid}) != main || e.Ts < fcp {
			continue
		}
		if over := 4*e.Tdur - 50_000; over > 0 {
			blocking += over
		}
	}
	return time.Duration(blocking) * time.Microsecond, nil
}
