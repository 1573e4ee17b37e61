package chaos

import (
	"context"
	"errors"
	"testing"
	"time"

	"socketlab/internal/testkit"
)

// TestChaos runs every fault on a real 3-node nats-server cluster under
// three replicas with clients talking all the time, and asserts what the
// issue asks: nothing acknowledged is lost, duplicated or out of order on
// any client; no replica's feed is silent for more than MaxGap while the
// stream takes messages; nobody's presence changes but for the users of a
// stopped replica; /readyz says 503 exactly while the replica cannot work,
// within ReadyLag.
func TestChaos(t *testing.T) {
	results, err := Run(context.Background(), Options{Dir: t.TempDir(), Logf: t.Logf})
	if errors.Is(err, ErrNoNATS) {
		testkit.Missing(t, err.Error())
	}
	if err != nil {
		t.Fatal(err)
	}
	if len(results) != len(Faults) {
		t.Fatalf("%d results for %d faults", len(results), len(Faults))
	}
	for _, res := range results {
		t.Logf("%-8s killed %v: %d acked, lost %d, dups %d, out of order %d, longest feed gap %v, longest send failure %v, not ready %v, ready again %v after, %d stall lines",
			res.Fault, res.Killed, res.Acked, res.Lost, res.Dups, res.OutOfOrder, res.MaxGap.Round(time.Millisecond),
			res.MaxSendFail.Round(time.Millisecond), res.NotReady.Round(time.Millisecond), res.Recovered.Round(time.Millisecond), res.Stalls)
		if res.Acked == 0 {
			t.Errorf("%s: nothing acked: the senders did not run", res.Fault)
		}
		if res.Lost != 0 || res.Dups != 0 || res.OutOfOrder != 0 {
			t.Errorf("%s: lost %d, duplicated %d, out of order %d", res.Fault, res.Lost, res.Dups, res.OutOfOrder)
		}
		if res.MaxGap > MaxGap {
			t.Errorf("%s: a feed was silent for %v while the stream took messages (at most %v)", res.Fault, res.MaxGap, MaxGap)
		}
		for _, p := range res.Presence {
			t.Errorf("%s: presence change nobody caused: %s", res.Fault, p)
		}
		for _, r := range res.Readiness {
			t.Errorf("%s: readiness: %s", res.Fault, r)
		}
	}
}
