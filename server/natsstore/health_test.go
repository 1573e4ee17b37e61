package natsstore

import (
	"context"
	"errors"
	"testing"
	"time"

	"socketlab/internal/testkit"
)

// TestReadyAndFailFast: a store is not ready before Setup (ErrStarting),
// ready after; and once the stream leader has not answered for leaderLost,
// Ready says so and a publish fails at once with ErrNoLeader instead of
// waiting for its timeout.
func TestReadyAndFailFast(t *testing.T) {
	s, err := Connect(Options{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	ctx := context.Background()
	if err := s.Ready(ctx); !errors.Is(err, ErrStarting) {
		t.Fatalf("Ready before Setup: %v, want %v", err, ErrStarting)
	}
	if err := s.Setup(ctx); err != nil {
		t.Fatal(err)
	}
	if err := s.Ready(ctx); err != nil {
		t.Fatalf("Ready after Setup: %v", err)
	}
	// No probe from now on, and the last answer long ago: as if the
	// leader were gone.
	s.stopProbe()
	s.probing.Wait()
	s.health.lastOK.Store(time.Now().Add(-time.Minute).UnixNano())
	if err := s.Ready(ctx); !errors.Is(err, ErrNoLeader) {
		t.Fatalf("Ready with no answer from the leader for a minute: %v, want %v", err, ErrNoLeader)
	}
	start := time.Now()
	_, _, err = s.Publish(ctx, "lobby", "m1", "ada", "hi")
	if !errors.Is(err, ErrNoLeader) {
		t.Fatalf("Publish with no leader: %v, want %v", err, ErrNoLeader)
	}
	if d := time.Since(start); d > 100*time.Millisecond {
		t.Fatalf("Publish with no leader took %v: it should fail at once", d)
	}
}

// TestNoJetStreamFailsAtOnce: a NATS server without JetStream is refused by
// Setup at once, not retried for SetupTimeout: no retry cures it.
func TestNoJetStreamFailsAtOnce(t *testing.T) {
	ns := testkit.NATS(t, nil) // JetStream off
	start := time.Now()
	_, err := Open(context.Background(), Options{URL: ns.ClientURL()})
	if !errors.Is(err, ErrNoJetStream) {
		t.Fatalf("Open on a NATS without JetStream: %v, want %v", err, ErrNoJetStream)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("refused after %v: it should be at once", d)
	}
}
