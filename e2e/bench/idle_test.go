package main

import (
	"os"
	"testing"
)

func TestLoggedURL(t *testing.T) {
	u, ok := loggedURL(`time=2026-01-01T00:00:00Z level=INFO msg=serving url=http://127.0.0.1:41234 version=abc`, "serving")
	if !ok || u != "http://127.0.0.1:41234" {
		t.Fatalf("loggedURL = %q %v", u, ok)
	}
	if _, ok := loggedURL(`level=INFO msg="chat store open" dir=/tmp`, "serving"); ok {
		t.Fatal("loggedURL matched another line")
	}
	u, ok = loggedURL(`level=INFO msg=profiler url=http://127.0.0.1:6060/debug/pprof/`, "profiler")
	if !ok || u != "http://127.0.0.1:6060/debug/pprof/" {
		t.Fatalf("loggedURL(profiler) = %q %v", u, ok)
	}
	if _, ok := loggedURL(`level=INFO msg=profiler url=http://127.0.0.1:6060/debug/pprof/`, "serving"); ok {
		t.Fatal("the profiler line taken for the serving line")
	}
}

func TestParseVmRSS(t *testing.T) {
	n, err := parseVmRSS("Name:\tsocketlab\nVmPeak:\t 9000 kB\nVmRSS:\t   12345 kB\nThreads: 7\n")
	if err != nil || n != 12345*1024 {
		t.Fatalf("parseVmRSS = %d %v", n, err)
	}
	if _, err := parseVmRSS("Name:\tx\n"); err == nil {
		t.Fatal("no error without VmRSS")
	}
}

func TestRSSOfThisProcess(t *testing.T) {
	n, err := rss(os.Getpid())
	if err != nil || n <= 0 {
		t.Fatalf("rss = %d %v", n, err)
	}
}
