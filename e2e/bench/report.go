package main

import (
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"time"
)

// report is the whole BENCH.md.
type report struct {
	started  time.Time
	quick    bool
	sections []*section
	// loadStart is the 1/5/15-minute load average when the run started.
	loadStart string
}

// section is one measured area: a table, the targets it is held to, and
// notes on what limits it.
type section struct {
	title  string
	header []string
	rows   [][]string
	notes  []string
	took   time.Duration
}

func (s *section) markdown() string {
	var b strings.Builder
	fmt.Fprintf(&b, "## %s\n\n", s.title)
	if len(s.header) > 0 {
		b.WriteString("| " + strings.Join(s.header, " | ") + " |\n")
		b.WriteString("|" + strings.Repeat(" --- |", len(s.header)) + "\n")
		for _, r := range s.rows {
			b.WriteString("| " + strings.Join(r, " | ") + " |\n")
		}
		b.WriteString("\n")
	}
	for _, n := range s.notes {
		b.WriteString(n + "\n\n")
	}
	fmt.Fprintf(&b, "_(measured in %s)_\n\n", s.took.Round(100*time.Millisecond))
	return b.String()
}

func (r *report) markdown() string {
	var b strings.Builder
	b.WriteString("# socketlab benchmarks\n\n")
	b.WriteString("Written by `make bench` (`go run ./e2e/bench`); do not edit by hand. ")
	b.WriteString("Everything runs on one machine over loopback: the load generator and the server share the CPUs, ")
	b.WriteString("so absolute numbers are lower than on separate machines, and ratios against a baseline measured in the same run are the figures to compare.\n\n")
	mode := "full"
	if r.quick {
		mode = "quick (short runs: numbers are indicative only)"
	}
	fmt.Fprintf(&b, "- date: %s\n- mode: %s\n- go: %s %s/%s, %d CPUs\n- cpu: %s\n- load average at start / end: %s / %s (other work on the machine competes for the same CPUs)\n\n",
		r.started.UTC().Format("2006-01-02 15:04 UTC"), mode, runtime.Version(), runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), cpuModel(), r.loadStart, loadAvg())
	for _, s := range r.sections {
		b.WriteString(s.markdown())
	}
	return b.String()
}

func cpuModel() string {
	out, err := exec.Command("sh", "-c", "grep -m1 'model name' /proc/cpuinfo | cut -d: -f2").Output()
	if err != nil {
		return "unknown"
	}
	return strings.TrimSpace(string(out))
}

// verdict formats a target check.
func verdict(ok bool) string {
	if ok {
		return "met"
	}
	return "**missed**"
}

// loadAvg is /proc/loadavg's first three fields.
func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}
