package main

import (
	"os"
	"testing"
	"time"
)

func TestParseStatCPU(t *testing.T) {
	// A command name with a space and a parenthesis, as the kernel allows.
	line := "4242 (go (bench) x) S 1 4242 4242 0 -1 4194560 1000 0 0 0 250 75 0 0 20 0 8 0 100 0 0\n"
	got, err := parseStatCPU(line)
	if err != nil {
		t.Fatal(err)
	}
	if want := 3250 * time.Millisecond; got != want {
		t.Errorf("parseStatCPU = %v, want %v (utime 250 + stime 75 ticks)", got, want)
	}
	if _, err := parseStatCPU("4242 (x) S 1 2"); err == nil {
		t.Error("a short line parsed without error")
	}
}

func TestCPUTimeOfThisProcess(t *testing.T) {
	before, err := cpuTime(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	// Burn CPU until the kernel's tick count moves (bounded).
	end := time.Now().Add(5 * time.Second)
	for time.Now().Before(end) {
		for i := 0; i < 1e6; i++ {
			_ = i * i
		}
		if now, _ := cpuTime(os.Getpid()); now > before {
			return
		}
	}
	t.Fatal("this process's CPU time did not move in 5s of spinning")
}
