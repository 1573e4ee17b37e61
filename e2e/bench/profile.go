package main

import (
	"bufio"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"runtime/pprof"
	"strconv"
	"strings"
	"time"
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

// pprofTop is `go tool pprof -top` of a profile, from the header line on,
// with extra pprof flags (e.g. -sample_index=inuse_space). The profile is
// a file or a running server's /debug/pprof/ URL (the heap of the server
// process, say): pprof reads both. Go's profiles carry their symbols: the
// binary is not needed, so a profile of another process reads the same way.
func pprofTop(profile string, n int, flags ...string) string {
	args := append([]string{"tool", "pprof", "-top", "-nodecount=" + strconv.Itoa(n)}, flags...)
	out, err := exec.Command("go", append(args, profile)...).Output()
	if err != nil {
		return "(profile unavailable: " + err.Error() + ")"
	}
	return topLines(string(out))
}

// topLines keeps pprof's output from its header line on, as a code block.
func topLines(out string) string {
	lines := strings.Split(strings.TrimSpace(out), "\n")
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

// goroutines reads the goroutine count of a running server from its
// /debug/pprof/ url.
func goroutines(debug string) (int, error) {
	resp, err := http.Get(debug + "goroutine?debug=1")
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	first, err := bufio.NewReader(resp.Body).ReadString('\n')
	if err != nil {
		return 0, fmt.Errorf("goroutine profile: %w", err)
	}
	// "goroutine profile: total 1234"
	_, total, ok := strings.Cut(strings.TrimSpace(first), "total ")
	if !ok {
		return 0, fmt.Errorf("goroutine profile: unexpected first line %q", first)
	}
	return strconv.Atoi(total)
}

// memStats reads a running server's runtime.MemStats fields, as the text
// heap profile prints them at its end ("# Stack = 123 / 456", the first number in use), by name.
func memStats(debug string, names ...string) (map[string]int64, error) {
	resp, err := http.Get(debug + "heap?debug=1")
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	got := map[string]int64{}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		for _, n := range names {
			if v, ok := strings.CutPrefix(sc.Text(), "# "+n+" = "); ok {
				got[n], _ = strconv.ParseInt(strings.Fields(v)[0], 10, 64)
			}
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("heap profile: %w", err)
	}
	return got, nil
}

// forceGC makes a running server collect its garbage now, through its
// /debug/pprof/ url: a heap profile with gc=1 runs a collection first.
func forceGC(debug string) error {
	resp, err := http.Get(debug + "heap?gc=1")
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	_, err = io.Copy(io.Discard, resp.Body)
	return err
}

// writeHeapProfile writes this process's heap profile (as of the last
// garbage collection) to path.
func writeHeapProfile(path string) {
	f, err := os.Create(path)
	if err != nil {
		return
	}
	defer f.Close()
	pprof.WriteHeapProfile(f)
}

// saveProfile writes a CPU profile of d of a running server, taken through
// its /debug/pprof/ url, to path.
func saveProfile(debug, path string, d time.Duration) {
	resp, err := http.Get(debug + "profile?seconds=" + strconv.Itoa(max(1, int(d/time.Second))))
	if err != nil {
		return
	}
	defer resp.Body.Close()
	f, err := os.Create(path)
	if err != nil {
		return
	}
	defer f.Close()
	io.Copy(f, resp.Body)
}
