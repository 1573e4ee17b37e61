package testkit

import (
	"errors"
	"testing"
	"time"
)

// pollEvery is how often Eventually and Until look again: often enough
// that a test does not wait long after the condition holds, seldom enough
// not to load the 2-core machine the suite runs on.
const pollEvery = 10 * time.Millisecond

// Eventually waits until cond holds, and fails the test if it does not
// within timeout. It is the way to wait for something another goroutine or
// process does: never a fixed sleep.
func Eventually(t testing.TB, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	Until(t, timeout, func() error {
		if cond() {
			return nil
		}
		return errors.New("timed out waiting for " + what)
	})
}

// Until waits until check returns nil, and fails the test with check's
// last error if it does not within timeout: for a condition whose failure
// should say what was seen instead.
func Until(t testing.TB, timeout time.Duration, check func() error) {
	t.Helper()
	if err := Poll(timeout, check); err != nil {
		t.Fatalf("after %v: %v", timeout, err)
	}
}

// Poll calls check every pollEvery until it returns nil or timeout has
// passed, and returns its last error: Until for a caller that must not
// fail the test from where it runs (another goroutine, a retry loop).
func Poll(timeout time.Duration, check func() error) error {
	deadline := time.Now().Add(timeout)
	for {
		err := check()
		if err == nil || time.Now().After(deadline) {
			return err
		}
		time.Sleep(pollEvery) // polling interval, bounded by the deadline
	}
}
