package e2e

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"socketlab/app/msg"
	"socketlab/server/conns"
	"socketlab/server/site"
)

// TestCloseCodesInChrome is issue 14's finding, tried as a new user would
// from the casefold page's console: a text over the read limit, sent in
// full by the browser, must end with onclose reporting 1009 "message too
// big" and wasClean true — not 1006 after a TCP reset that destroyed the
// close frame. Ten trials of each size run at once on one page.
//
// Not in parallel with the other tests: the server reads on for at most
// five seconds after its close frame (conns' drain bound) before it closes
// the connection, and ten 4 MiB uploads beside the rest of the suite on
// two cores did not always finish by then — the close came as 1009 with
// wasClean false, 2 trials in 30, in 2 of 4 parallel runs. Run first, on
// its own, it measures the server rather than the suite's contention.
func TestCloseCodesInChrome(t *testing.T) {
	srv := startServer(t, site.Config{})
	u := newUser(t, "ada")
	u.open(srv.URL + "/casefold")

	sizes := []int{136 << 10, 1 << 20, 4 << 20}
	const trials = 10
	js := `new Promise(done => {
		const sizes = ` + mustJSON(t, sizes) + `, trials = ` + mustJSON(t, trials) + `;
		const url = location.origin.replace(/^http/, "ws") + ` + mustJSON(t, msg.CasefoldPath) + `;
		const results = [];
		let left = sizes.length * trials;
		for (const size of sizes) {
			const text = "a".repeat(size);
			for (let i = 0; i < trials; i++) {
				const ws = new WebSocket(url);
				ws.onopen = () => ws.send(text);
				ws.onclose = e => {
					results.push({size, code: e.code, reason: e.reason, clean: e.wasClean});
					if (--left === 0) done(JSON.stringify(results));
				};
			}
		}
	})`
	ctx, cancel := context.WithTimeout(u.ctx, 60*time.Second)
	defer cancel()
	start := time.Now()
	out, err := chromedp.Run(ctx, chromedp.Evaluate[string](js, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("the trials: %v", err)
	}
	var results []struct {
		Size   int
		Code   int
		Reason string
		Clean  bool
	}
	if err := json.Unmarshal([]byte(out), &results); err != nil {
		t.Fatalf("decode %q: %v", out, err)
	}
	good := map[int]int{}
	for _, r := range results {
		if r.Code == 1009 && r.Reason == conns.ReasonTooBig && r.Clean {
			good[r.Size]++
		} else {
			t.Errorf("%d bytes: onclose code %d reason %q wasClean %v, want 1009 %q true", r.Size, r.Code, r.Reason, r.Clean, conns.ReasonTooBig)
		}
	}
	for _, s := range sizes {
		t.Logf("%7d bytes: %d/%d trials saw 1009 %q, wasClean true", s, good[s], trials, conns.ReasonTooBig)
		if good[s] != trials {
			t.Errorf("%d bytes: %d/%d clean 1009s", s, good[s], trials)
		}
	}
	t.Logf("%d trials in %s", len(results), time.Since(start).Round(time.Millisecond))
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
