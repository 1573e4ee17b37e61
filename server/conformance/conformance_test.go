package conformance

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"testing"
	"time"

	"socketlab/app/msg"
	"socketlab/internal/testkit"
	"socketlab/server/site"
)

// endpoints is the table of sockets under test: adding one is one entry.
func endpoints() []Endpoint {
	hello := func(f Received) bool {
		return f.Op == OpText && (string(f.Payload) == msg.HelloFirst || string(f.Payload) == msg.HelloSecond)
	}
	// The plot pushes its history and batches on its own; its answers to
	// what is not a request are errors.
	plot := func(f Received) bool {
		return f.Op == OpText && !bytes.Contains(f.Payload, []byte(`"type":"`+msg.PlotError+`"`))
	}
	return []Endpoint{
		{Name: "casefold", Path: msg.CasefoldPath, ReadLimit: msg.CasefoldReadLimit, Text: Echo, Binary: Refuse, BinaryCode: 1003},
		// The hello lab's limit is its handler's (server/hello): 1 KiB.
		{Name: "hello", Path: msg.HelloPath, ReadLimit: 1 << 10, Text: Refuse, TextCode: 1008, Binary: Refuse, BinaryCode: 1008, Noise: hello},
		{Name: "chat", Path: msg.ChatPath, ReadLimit: msg.ChatReadLimit, Text: Answer, Binary: Answer, Async: true},
		{Name: "plot", Path: msg.PlotPath, ReadLimit: msg.PlotRequestLimit, Text: Answer, Binary: Refuse, BinaryCode: 1003, Noise: plot, Async: true,
			// An empty message is a request: its batch comes with new points.
			Unanswered: func(op byte, m []byte) bool { return op == OpText && len(m) == 0 }},
		{Name: "wire", Path: msg.WirePath, ReadLimit: msg.WireReadLimit, Text: Echo, Binary: Echo},
		{Name: "wire deflate", Path: msg.WirePath + "?deflate=1", Extensions: "permessage-deflate; client_no_context_takeover; server_no_context_takeover",
			ReadLimit: msg.WireReadLimit, Text: Echo, Binary: Echo,
			// Group 3 is left out: RSV1 means "compressed" here.
			Groups: []string{"1", "2", "4", "5", "6", "7", "9", "10", "12", "13"}},
	}
}

// TestConformance plays the suite against every endpoint of a real
// server and fails on any FAILED case. With CONFORM_REPORT set to a file
// name (make conform), it writes the report there.
func TestConformance(t *testing.T) {
	var logBuf testkit.LogBuffer
	srv, err := site.New(site.Config{Log: logBuf.Logger(slog.LevelInfo), PingEvery: -1, HelloDelay: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	addr := testkit.Serve(t, srv).Addr

	start := time.Now()
	eps := endpoints()
	results := map[string][]Result{}
	type out struct {
		name string
		rs   []Result
	}
	ch := make(chan out, len(eps))
	runCtx, stop := context.WithTimeout(context.Background(), 2*time.Minute)
	defer stop()
	for _, ep := range eps {
		go func() { ch <- out{ep.Name, RunAll(runCtx, addr, ep, Cases(ep), 8)} }()
	}
	for range eps {
		o := <-ch
		results[o.name] = o.rs
	}
	took := time.Since(start)
	for _, ep := range eps {
		c := Count(results[ep.Name])
		t.Logf("%-13s %3d cases: %3d OK, %2d NON-STRICT, %d FAILED", ep.Name, len(results[ep.Name]), c[OK], c[NonStrict], c[Failed])
		for _, r := range results[ep.Name] {
			if r.Verdict == Failed {
				t.Errorf("%s %s %s\n    expected: %s\n    observed: %s", ep.Name, r.Case.ID, r.Case.Desc, r.Expected, r.Observed)
			}
		}
	}
	t.Logf("suite took %s", took.Round(time.Millisecond))
	if t.Failed() && os.Getenv("CONFORM_LOG") != "" {
		t.Logf("server log:\n%s", logBuf.String())
	}
	if path := os.Getenv("CONFORM_REPORT"); path != "" {
		var b bytes.Buffer
		WriteReport(&b, eps, results, took)
		if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
