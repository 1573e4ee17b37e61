package casefold

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
	"golang.org/x/time/rate"

	"socketlab/internal/testkit"
	"socketlab/server/conns"
)

// newPacedServer serves casefold at r messages a second with grace.
func newPacedServer(t *testing.T, r float64, grace time.Duration) string {
	t.Helper()
	reg := conns.NewRegistry(slog.New(slog.DiscardHandler))
	return testkit.ServeHTTP(t, &Handler{Conns: reg, Rate: rate.Limit(r), FloodGrace: grace})
}

// TestClosedLoopPythonNeverClosed: the classic asyncio client doing 1 000
// back-to-back round trips, far over the default 200 a second at first,
// is slowed down but never closed — even with a grace of a tenth of a
// second.
func TestClosedLoopPythonNeverClosed(t *testing.T) {
	py := pythonWithWebsockets()
	if py == "" {
		testkit.Missing(t, "no python3 with the websockets library (apt-get install python3-websockets)")
	}
	url := newPacedServer(t, 200, 100*time.Millisecond)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	start := time.Now()
	out, err := exec.CommandContext(ctx, py, "testdata/client_loop.py", url, "1000").CombinedOutput()
	if err != nil {
		t.Fatalf("client_loop.py: %v\n%s", err, out)
	}
	if got := strings.TrimSpace(string(out)); got != "1000 round trips" {
		t.Fatalf("client_loop.py printed %q", got)
	}
	// Paced: 400 at once (the burst), then 200 a second.
	if took := time.Since(start); took < 2500*time.Millisecond {
		t.Errorf("1000 round trips in %s: the reader was not paced to 200 a second", took)
	}
}

// TestFloodHeldToRate: a client that writes as fast as it can is served
// at the configured rate, then closed with 1008 once it has kept pushing
// for the grace; a closed-loop client beside it is served throughout.
func TestFloodHeldToRate(t *testing.T) {
	const perSecond, grace = 100, 500 * time.Millisecond
	url := newPacedServer(t, perSecond, grace)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()

	flood := dial(t, url)
	go func() {
		for i := 0; ; i++ {
			if flood.Write(ctx, websocket.MessageText, []byte("flood")) != nil {
				return
			}
		}
	}()
	bystander := dial(t, url)
	var wg sync.WaitGroup
	wg.Add(1)
	var bystanderErr error
	bystanderTrips := 0
	stopBystander := make(chan struct{})
	go func() {
		defer wg.Done()
		for {
			select {
			case <-stopBystander:
				return
			default:
			}
			text := fmt.Sprintf("bystander %d", bystanderTrips)
			if err := bystander.Write(ctx, websocket.MessageText, []byte(text)); err != nil {
				bystanderErr = err
				return
			}
			_, got, err := bystander.Read(ctx)
			if err != nil || string(got) != text {
				bystanderErr = fmt.Errorf("got %q, %v", got, err)
				return
			}
			bystanderTrips++
			// A person typing, not a loop: 20 a second.
			time.Sleep(50 * time.Millisecond)
		}
	}()

	start := time.Now()
	replies := 0
	var err error
	for {
		if _, _, err = flood.Read(ctx); err != nil {
			break
		}
		replies++
	}
	took := time.Since(start)
	close(stopBystander)
	wg.Wait()
	var ce websocket.CloseError
	if !errors.As(err, &ce) || ce.Code != websocket.StatusPolicyViolation {
		t.Fatalf("flood ended with %v, want close 1008", err)
	}
	if !strings.Contains(ce.Reason, "rate limit") {
		t.Errorf("close reason %q", ce.Reason)
	}
	// The burst (twice the rate), then the rate: never more.
	if most := 2*perSecond + int(perSecond*took.Seconds()) + 5; replies > most {
		t.Errorf("flood got %d replies in %s: over the rate (at most %d)", replies, took, most)
	}
	if took < grace {
		t.Errorf("flood closed after %s, before its grace of %s", took, grace)
	}
	if bystanderErr != nil || bystanderTrips == 0 {
		t.Fatalf("bystander: %d round trips, %v", bystanderTrips, bystanderErr)
	}
	t.Logf("flood: %d replies in %s, then 1008 %q; bystander: %d round trips", replies, took.Round(time.Millisecond), ce.Reason, bystanderTrips)
}
