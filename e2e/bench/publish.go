package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strconv"
	"sync"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"

	"socketlab/server/natsstore"
)

// benchPublish measures the latency of storing a chat message in the
// embedded JetStream (natsstore.Publish, file storage, duplicate window on)
// at a fixed rate, against a baseline measured in the same run: a core NATS
// request/reply round trip through an embedded server in this process, the
// least any NATS acknowledgement costs.
func benchPublish(ctx context.Context, cfg config) (*section, error) {
	const perSecond = 1000
	d := cfg.duration
	dir, err := os.MkdirTemp("", "socketlab-bench-pub-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	store, err := natsstore.Open(ctx, natsstore.Options{DataDir: dir, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		return nil, err
	}
	defer store.Close()
	nc, stopNATS, err := bareNATS()
	if err != nil {
		return nil, err
	}
	defer stopNATS()
	sub, err := nc.Subscribe("echo", func(m *nats.Msg) { m.Respond(m.Data) })
	if err != nil {
		return nil, err
	}
	defer sub.Unsubscribe()

	text := "a chat message of ordinary length, about sixty bytes or so."
	base, err := paced(ctx, perSecond, d, func(ctx context.Context, i int) error {
		_, err := nc.RequestWithContext(ctx, "echo", []byte(text))
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("baseline: %w", err)
	}
	js, err := paced(ctx, perSecond, d, func(ctx context.Context, i int) error {
		_, _, err := store.Publish(ctx, "bench", "m"+strconv.Itoa(i), "bench", text)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("publish: %w", err)
	}
	s := &section{title: "Publish latency into JetStream (embedded)",
		header: []string{"path", "messages", "achieved rate", "p50", "p99", "p99 vs baseline"}}
	for _, r := range []struct {
		name string
		p    pacedResult
	}{{"baseline: core NATS request/reply, in-process", base}, {"natsstore.Publish (JetStream, file storage, dedup)", js}} {
		s.rows = append(s.rows, []string{r.name, strconv.Itoa(len(r.p.lat)), fmt.Sprintf("%.0f/s", rate(len(r.p.lat), r.p.elapsed)),
			ms(r.p.lat.percentile(50)), ms(r.p.lat.percentile(99)),
			fmt.Sprintf("%.1f×", float64(r.p.lat.percentile(99))/float64(max(base.lat.percentile(99), 1)))})
	}
	s.notes = append(s.notes, fmt.Sprintf("Open loop at %d messages/s for %s: each message is due at its slot and timed from there to its acknowledgement, "+
		"so a stall shows as latency of the messages queued behind it (up to 64 in flight).", perSecond, d))
	if js.errors > 0 || base.errors > 0 {
		s.notes = append(s.notes, fmt.Sprintf("**errors:** baseline %d, JetStream %d", base.errors, js.errors))
	}
	return s, nil
}

// bareNATS runs a NATS server with nothing but defaults in this process, no
// port, and connects to it.
func bareNATS() (*nats.Conn, func(), error) {
	ns, err := server.NewServer(&server.Options{DontListen: true, NoSigs: true, NoLog: true})
	if err != nil {
		return nil, nil, err
	}
	ns.Start()
	if !ns.ReadyForConnections(10 * time.Second) {
		ns.Shutdown()
		return nil, nil, fmt.Errorf("nats not ready")
	}
	nc, err := nats.Connect("", nats.InProcessServer(ns))
	if err != nil {
		ns.Shutdown()
		return nil, nil, err
	}
	return nc, func() { nc.Close(); ns.Shutdown(); ns.WaitForShutdown() }, nil
}

type pacedResult struct {
	lat     latencies
	elapsed time.Duration
	errors  int
}

// paced calls fn perSecond times a second for d, open loop, with up to 64
// calls in flight, and times each from its due time to its return.
func paced(ctx context.Context, perSecond int, d time.Duration, fn func(context.Context, int) error) (pacedResult, error) {
	n := perSecond * int(d/time.Millisecond) / 1000
	interval := time.Second / time.Duration(perSecond)
	type job struct {
		i   int
		due time.Time
	}
	jobs := make(chan job, n)
	var mu sync.Mutex
	var r pacedResult
	var wg sync.WaitGroup
	for range 64 {
		wg.Go(func() {
			for j := range jobs {
				cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
				err := fn(cctx, j.i)
				cancel()
				l := time.Since(j.due)
				mu.Lock()
				if err != nil {
					r.errors++
				} else {
					r.lat = append(r.lat, l)
				}
				mu.Unlock()
			}
		})
	}
	start := time.Now()
	for i := range n {
		due := start.Add(time.Duration(i) * interval)
		time.Sleep(time.Until(due))
		jobs <- job{i, due}
	}
	close(jobs)
	wg.Wait()
	r.elapsed = time.Since(start)
	if r.errors == n {
		return r, fmt.Errorf("every call failed")
	}
	return r, nil
}
