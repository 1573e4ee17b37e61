package chat

import (
	"testing"

	"socketlab/server/metrics"
)

// A registration that fails part way leaves the registry as it was: the
// site retries a chat start that failed (NATS still coming up), and each
// try registers a new handler's counters on the same registry.
func TestCountersRegisterAllOrNothing(t *testing.T) {
	m := metrics.New()
	// Something already holds the third counter's name, so a set's
	// registration fails after its first two went in.
	taken := newCounters().delivered
	if err := m.Registry().Register(taken); err != nil {
		t.Fatal(err)
	}
	if err := newCounters().register(m); err == nil {
		t.Fatal("registered a set of chat counters whose name was taken")
	}
	m.Registry().Unregister(taken)
	if err := newCounters().register(m); err != nil {
		t.Fatalf("registering after a refused try: %v (the refused try left counters behind)", err)
	}
}
