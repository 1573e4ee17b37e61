package main

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

// The estimate counts the page's main thread only, only after the first
// contentful paint, and each task's CPU time (not its wall time) times 4
// beyond 50 ms.
func TestCPUBlockingTime(t *testing.T) {
	trace := `{"traceEvents":[
{"name":"thread_name","ph":"M","pid":1,"tid":1,"args":{"name":"CrRendererMain"}},
{"name":"thread_name","ph":"M","pid":2,"tid":2,"args":{"name":"CrRendererMain"}},
{"name":"RunTask","ph":"X","pid":1,"tid":1,"ts":100,"dur":90000,"tdur":80000},
{"name":"firstContentfulPaint","ph":"I","pid":1,"tid":1,"ts":200000},
{"name":"RunTask","ph":"X","pid":1,"tid":1,"ts":300000,"dur":900000,"tdur":100000},
{"name":"RunTask","ph":"X","pid":1,"tid":1,"ts":1300000,"dur":20000,"tdur":10000},
{"name":"RunTask","ph":"X","pid":1,"tid":1,"ts":1400000,"dur":30000,"tdur":20000},
{"name":"RunTask","ph":"X","pid":2,"tid":2,"ts":300000,"dur":500000,"tdur":500000}
]}`
	p := filepath.Join(t.TempDir(), "t.json")
	if err := os.WriteFile(p, []byte(trace), 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := cpuBlockingTime(p)
	if err != nil {
		t.Fatal(err)
	}
	// 4×100 ms − 50 ms, plus 4×20 ms − 50 ms; the 10 ms task is under the
	// line, the first task came before the paint, pid 2 ran fewer tasks.
	if want := 350*time.Millisecond + 30*time.Millisecond; got != want {
		t.Errorf("cpuBlockingTime = %v, want %v", got, want)
	}
	if _, err := cpuBlockingTime(filepath.Join(t.TempDir(), "missing.json")); err == nil {
		t.Error("a missing trace gave no error")
	}
}
