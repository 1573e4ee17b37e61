package main

import (
	"context"
	"fmt"
	"os/exec"
	"path/filepath"
)

// startGorillaProcess builds the classic baseline, gorilla/websocket's
// examples/chat (./e2e/bench/gorillachat), into dir and starts it on a
// free loopback port. Its chat socket is /ws.
func startGorillaProcess(ctx context.Context, dir string) (*serverProcess, error) {
	bin := filepath.Join(dir, "gorillachat")
	build := exec.CommandContext(ctx, "go", "build", "-o", bin, "./e2e/bench/gorillachat")
	if out, err := build.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("go build ./e2e/bench/gorillachat: %w: %s", err, out)
	}
	return startLogged(exec.Command(bin))
}
