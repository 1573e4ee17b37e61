package main

import (
	"os"
	"os/exec"
	"runtime/pprof"
	"strconv"
	"strings"
)

// startProfile starts a CPU profile written to path and returns the
// function that stops it.
func startProfile(path string) (stop func()) {
	f, err := os.Create(path)
	if err != nil {
		return func() {}
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return func() {}
	}
	return func() { pprof.StopCPUProfile(); f.Close() }
}

// pprofTop is `go tool pprof -top` of a profile of this binary, from the
// header line on, with extra pprof flags (e.g. -tagignore side=client to
// show the server alone).
func pprofTop(path string, n int, flags ...string) string {
	exe, err := os.Executable()
	if err != nil {
		return "(profile unavailable: " + err.Error() + ")"
	}
	args := append([]string{"tool", "pprof", "-top", "-nodecount=" + strconv.Itoa(n)}, flags...)
	out, err := exec.Command("go", append(args, exe, path)...).Output()
	if err != nil {
		return "(profile unavailable: " + err.Error() + ")"
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	var keep []string
	for i, l := range lines {
		if strings.HasPrefix(l, "Showing nodes") || strings.Contains(l, "flat%") {
			keep = lines[i:]
			break
		}
	}
	if keep == nil {
		keep = lines
	}
	return "```\n" + strings.Join(keep, "\n") + "\n```"
}
