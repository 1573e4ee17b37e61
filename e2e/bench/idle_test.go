package main

import (
	"os"
	"testing"
)

func TestServingURL(t *testing.T) {
	u, ok := servingURL(`time=2026-01-01T00:00:00Z level=INFO msg=serving url=http://127.0.0.1:41234 version=abc`)
	if !ok || u != "http://127.0.0.1:41234" {
		t.Fatalf("servingURL = %q %v", u, ok)
	}
	if _, ok := servingURL(`level=INFO msg="chat store open" dir=/tmp`); ok {
		t.Fatal("servingURL matched another line")
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
