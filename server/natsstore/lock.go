//go:build unix

package natsstore

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// lockFile is the name of the lock inside the data directory.
const lockFile = "socketlab.lock"

// ErrLocked is returned (wrapped) by Open when another process, or another
// Store in this process, already uses the data directory.
var ErrLocked = errors.New("data directory is in use")

// lockDir takes an exclusive, non-blocking flock on dir/socketlab.lock. The
// kernel drops the lock when the process dies, so a crash never leaves a
// stale lock behind (unlike a "pid file exists" check). The lock file holds
// the owner's pid, for the error message of the next one.
func lockDir(dir string) (unlock func() error, err error) {
	path := filepath.Join(dir, lockFile)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("natsstore: lock %s: %w", path, err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		owner, _ := os.ReadFile(path)
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			pid := strings.TrimSpace(string(owner))
			if pid == "" {
				pid = "unknown"
			}
			return nil, fmt.Errorf("natsstore: %w: %s is locked by another socketlab (pid %s); stop it or choose another -data directory",
				ErrLocked, dir, pid)
		}
		return nil, fmt.Errorf("natsstore: lock %s: %w", path, err)
	}
	if err := f.Truncate(0); err == nil {
		f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	}
	return func() error {
		// Closing the descriptor releases the flock.
		return f.Close()
	}, nil
}
