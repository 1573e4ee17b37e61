package testkit

import (
	"os"
	"testing"
)

// Missing skips the test for lack of what it needs (a program such as
// python3 or nats-server, named in why, with how to install it), unless
// CI or E2E is set: there every test must run, so a missing program fails
// the test instead of hiding it behind a skip.
func Missing(t testing.TB, why string) {
	t.Helper()
	if os.Getenv("CI") != "" || os.Getenv("E2E") != "" {
		t.Fatalf("CI or E2E is set and %s", why)
	}
	t.Skip(why)
}
