package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"time"
)

// lighthouseVersion is the Lighthouse the bench runs, pinned so that scores
// from different runs come from the same scoring curves.
const lighthouseVersion = "12.2.3"

// lighthouseCLI returns the path of Lighthouse's command-line entry point,
// installing the pinned version with npm into the user's cache directory the
// first time. The error says why it cannot (no Node, no npm, no network), so
// the report can say the measurement was skipped and why.
func lighthouseCLI(ctx context.Context) (node, cli string, err error) {
	node, err = exec.LookPath("node")
	if err != nil {
		return "", "", errors.New("Node.js is not installed (Lighthouse runs on it)")
	}
	cache, err := os.UserCacheDir()
	if err != nil {
		return "", "", fmt.Errorf("no cache directory for Lighthouse: %w", err)
	}
	dir := filepath.Join(cache, "socketlab", "lighthouse-"+lighthouseVersion)
	cli = filepath.Join(dir, "node_modules", "lighthouse", "cli", "index.js")
	if _, err := os.Stat(cli); err == nil {
		return node, cli, nil
	}
	npm, err := exec.LookPath("npm")
	if err != nil {
		return "", "", errors.New("npm is not installed, so Lighthouse cannot be installed")
	}
	ictx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ictx, npm, "install", "--prefix", dir, "--no-audit", "--no-fund",
		"lighthouse@"+lighthouseVersion).CombinedOutput()
	if err != nil {
		return "", "", fmt.Errorf("npm install lighthouse@%s: %w: %s", lighthouseVersion, err, lastLine(out))
	}
	if _, err := os.Stat(cli); err != nil {
		return "", "", fmt.Errorf("npm installed lighthouse@%s but %s is missing", lighthouseVersion, cli)
	}
	return node, cli, nil
}

// lastLine is the last non-empty line of a command's output, for errors.
func lastLine(out []byte) string {
	lines := bytes.Split(bytes.TrimSpace(out), []byte("\n"))
	return string(lines[len(lines)-1])
}

// lighthouseResult is one Lighthouse run's performance figures.
type lighthouseResult struct {
	score             float64 // 0–100
	fcp, lcp, tbt, si time.Duration
	cls               float64
	// cpuTBT is total blocking time estimated from the tasks' CPU time
	// (cpuBlockingTime), which a loaded machine does not inflate.
	cpuTBT time.Duration
}

// lighthouseReport is the part of Lighthouse's JSON report the bench reads.
type lighthouseReport struct {
	RuntimeError *struct{ Code, Message string } `json:"runtimeError"`
	Categories   struct {
		Performance struct {
			Score *float64 `json:"score"`
		} `json:"performance"`
	} `json:"categories"`
	Audits map[string]struct {
		NumericValue float64 `json:"numericValue"`
	} `json:"audits"`
}

// runLighthouse audits url once in Lighthouse's mobile defaults: a
// mid-range phone emulated, slow 4G and a 4× slower CPU simulated from a
// trace taken at full speed.
func runLighthouse(ctx context.Context, node, cli, chrome, url string) (lighthouseResult, error) {
	rctx, cancel := context.WithTimeout(ctx, 3*time.Minute)
	defer cancel()
	dir, err := os.MkdirTemp("", "socketlab-lighthouse-")
	if err != nil {
		return lighthouseResult{}, err
	}
	defer os.RemoveAll(dir)
	// --save-assets writes the trace beside the report (report-0.trace.json),
	// for the CPU-time estimate; the full-page screenshot only serves the
	// HTML report, which the bench does not write.
	cmd := exec.CommandContext(rctx, node, cli, url,
		"--only-categories=performance", "--form-factor=mobile", "--throttling-method=simulate",
		"--chrome-flags=--headless=new --no-sandbox", "--disable-full-page-screenshot",
		"--output=json", "--output-path="+filepath.Join(dir, "report.json"), "--save-assets", "--quiet")
	cmd.Env = append(os.Environ(), "CHROME_PATH="+chrome)
	if out, err := cmd.CombinedOutput(); err != nil {
		return lighthouseResult{}, fmt.Errorf("lighthouse %s: %w: %s", url, err, lastLine(out))
	}
	out, err := os.ReadFile(filepath.Join(dir, "report.json"))
	if err != nil {
		return lighthouseResult{}, fmt.Errorf("lighthouse %s: %w", url, err)
	}
	cpuTBT, err := cpuBlockingTime(filepath.Join(dir, "report-0.trace.json"))
	if err != nil {
		return lighthouseResult{}, fmt.Errorf("lighthouse %s: %w", url, err)
	}
	var rep lighthouseReport
	if err := json.Unmarshal(out, &rep); err != nil {
		return lighthouseResult{}, fmt.Errorf("lighthouse %s: reading its report: %w", url, err)
	}
	if rep.RuntimeError != nil && rep.RuntimeError.Code != "" && rep.RuntimeError.Code != "NO_ERROR" {
		return lighthouseResult{}, fmt.Errorf("lighthouse %s: %s: %s", url, rep.RuntimeError.Code, rep.RuntimeError.Message)
	}
	if rep.Categories.Performance.Score == nil {
		return lighthouseResult{}, fmt.Errorf("lighthouse %s: no performance score", url)
	}
	ms := func(audit string) time.Duration {
		return time.Duration(rep.Audits[audit].NumericValue * float64(time.Millisecond))
	}
	return lighthouseResult{
		score:  *rep.Categories.Performance.Score * 100,
		fcp:    ms("first-contentful-paint"),
		lcp:    ms("largest-contentful-paint"),
		tbt:    ms("total-blocking-time"),
		si:     ms("speed-index"),
		cls:    rep.Audits["cumulative-layout-shift"].NumericValue,
		cpuTBT: cpuTBT,
	}, nil
}
