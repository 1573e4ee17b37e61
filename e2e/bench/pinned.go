package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"time"
)

// The fan-out comparison runs each server as a process of its own on one
// core and the load generator (this process) on the other: on the 2-core
// machine that is what pinning means, the server gets cpu 0 to itself as
// far as the two sides go (other work on the machine still competes), and
// its CPU time in /proc is its own.
const (
	serverCPU = "0"
	loadCPU   = "1"
)

// buildBinary builds a main package of this module into dir.
func buildBinary(ctx context.Context, dir, pkg string) (string, error) {
	bin := dir + "/" + pkg[strings.LastIndexByte(pkg, '/')+1:]
	out, err := exec.CommandContext(ctx, "go", "build", "-o", bin, pkg).CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("go build %s: %w: %s", pkg, err, out)
	}
	return bin, nil
}

// startPinned starts bin with args on cpu (taskset -c) and waits for its
// `msg=serving url=…` log line (startLogged). taskset execs the server,
// so the pid is the server's.
func startPinned(cpu, bin string, args ...string) (*serverProcess, error) {
	return startLogged(exec.Command("taskset", append([]string{"-c", cpu, bin}, args...)...))
}

// pinSelf moves every thread of this process to cpu and runs Go on one
// processor there; the returned function undoes both.
func pinSelf(cpu string) (undo func(), err error) {
	pid := strconv.Itoa(os.Getpid())
	prev, err := exec.Command("taskset", "-p", pid).Output()
	if err != nil {
		return nil, fmt.Errorf("taskset -p: %w", err)
	}
	// "pid 123's current affinity mask: 3"
	mask := strings.TrimSpace(string(prev[strings.LastIndexByte(string(prev), ':')+1:]))
	if out, err := exec.Command("taskset", "-a", "-p", "-c", cpu, pid).CombinedOutput(); err != nil {
		return nil, fmt.Errorf("taskset -a -p -c %s: %w: %s", cpu, err, out)
	}
	procs := runtime.GOMAXPROCS(1)
	return func() {
		runtime.GOMAXPROCS(procs)
		exec.Command("taskset", "-a", "-p", mask, pid).Run()
	}, nil
}

// cpuTime is a process's user + system CPU time so far, all threads, from
// /proc/<pid>/stat (utime and stime, in clock ticks of 1/100 s).
func cpuTime(pid int) (time.Duration, error) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, err
	}
	return parseStatCPU(string(b))
}

// parseStatCPU reads utime + stime from a /proc/<pid>/stat line. The
// command name (field 2) is in parentheses and may hold spaces: the fields
// are counted from after its closing parenthesis.
func parseStatCPU(stat string) (time.Duration, error) {
	i := strings.LastIndexByte(stat, ')')
	if i < 0 {
		return 0, fmt.Errorf("stat: no command name")
	}
	f := strings.Fields(stat[i+1:])
	// f[0] is field 3 (state); utime and stime are fields 14 and 15.
	if len(f) < 13 {
		return 0, fmt.Errorf("stat: %d fields", len(f)+2)
	}
	u, err1 := strconv.ParseInt(f[11], 10, 64)
	s, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, fmt.Errorf("stat: utime %q stime %q", f[11], f[12])
	}
	const tick = 10 * time.Millisecond // USER_HZ is 100 on Linux
	return time.Duration(u+s) * tick, nil
}

// serverCPUTime is cpuTime of pid, or 0 when pid is 0 (a server in this
// process, whose CPU is not measured apart from the load's).
func serverCPUTime(pid int) (time.Duration, error) {
	if pid == 0 {
		return 0, nil
	}
	return cpuTime(pid)
}
