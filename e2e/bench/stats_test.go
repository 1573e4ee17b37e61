package main

import (
	"testing"
	"time"
)

func TestPercentile(t *testing.T) {
	var l latencies
	for i := 1; i <= 100; i++ {
		l = append(l, time.Duration(i)*time.Millisecond)
	}
	if p := l.percentile(50); p != 50*time.Millisecond {
		t.Errorf("p50 = %v", p)
	}
	if p := l.percentile(99); p != 99*time.Millisecond {
		t.Errorf("p99 = %v", p)
	}
	if p := (latencies{}).percentile(99); p != 0 {
		t.Errorf("p99 of nothing = %v", p)
	}
}
