package main

import (
	"context"
	"fmt"
	"log"
	"os"
	"slices"
	"strings"
	"time"

	"socketlab/server/chaos"
)

// benchChaos runs the chaos faults (server/chaos) on a real 3-node
// nats-server cluster under three replicas, longer and more often than
// the CI test, and reports per fault the worst of the rounds: the longest
// a replica's feed was silent while the stream took messages, the longest
// a sender could not get a message acked, how long /readyz said 503 and
// how long after the nodes came back every replica was ready, and how
// many acked messages were lost, duplicated or reordered (all rounds).
func benchChaos(ctx context.Context, cfg config) (*section, error) {
	rounds, during := 3, 5*time.Second
	if cfg.quick {
		rounds, during = 1, 2*time.Second
	}
	type worst struct {
		gap, send, notReady, recovered time.Duration
		acked, bad, presence, ready    int
		examples                       []string // the first disagreements, to show
	}
	agg := map[string]*worst{}
	for round := range rounds {
		dir, err := os.MkdirTemp("", "socketlab-chaos-")
		if err != nil {
			return nil, err
		}
		results, err := chaos.Run(ctx, chaos.Options{Dir: dir, During: during})
		os.RemoveAll(dir)
		if err != nil {
			return nil, fmt.Errorf("round %d: %w", round+1, err)
		}
		for _, r := range results {
			w := agg[r.Fault]
			if w == nil {
				w = &worst{}
				agg[r.Fault] = w
			}
			w.gap, w.send = max(w.gap, r.MaxGap), max(w.send, r.MaxSendFail)
			w.notReady, w.recovered = max(w.notReady, r.NotReady), max(w.recovered, r.Recovered)
			w.acked += r.Acked
			w.bad += r.Lost + r.Dups + r.OutOfOrder
			w.presence += len(r.Presence)
			w.ready += len(r.Readiness)
			for _, x := range append(slices.Clone(r.Presence), r.Readiness...) {
				if len(w.examples) < 3 {
					w.examples = append(w.examples, fmt.Sprintf("%s (round %d): %s", r.Fault, round+1, x))
				}
			}
			log.Printf("chaos round %d: %s: gap %v, send %v, not ready %v", round+1, r.Fault, r.MaxGap, r.MaxSendFail, r.NotReady)
		}
	}
	s := &section{title: "Chaos: losing NATS nodes and replicas",
		header: []string{"fault", "acked", "lost / dup / reordered", "longest feed gap (target ≤ 2 s)", "longest without an ack", "longest /readyz 503", "all ready after the nodes were back", "spurious presence changes", "readiness disagreements"}}
	ms := func(d time.Duration) string { return d.Round(10 * time.Millisecond).String() }
	for _, f := range chaos.Faults {
		w := agg[f]
		if w == nil {
			continue
		}
		s.rows = append(s.rows, []string{f, fmt.Sprint(w.acked), fmt.Sprint(w.bad), ms(w.gap) + " " + verdict(w.gap <= chaos.MaxGap),
			ms(w.send), ms(w.notReady), ms(w.recovered), fmt.Sprint(w.presence), fmt.Sprint(w.ready)})
	}
	for _, f := range chaos.Faults {
		if w := agg[f]; w != nil && len(w.examples) > 0 {
			s.notes = append(s.notes, "**Disagreements seen** ("+f+"): "+strings.Join(w.examples, "; "))
		}
	}
	s.notes = append(s.notes,
		fmt.Sprintf("%d round(s); each fault lasts %v (nodes killed with SIGKILL, then restarted on the same store), with a say every 50 ms from one client on each replica and a listener on each. Worst of the rounds per column; counts are totals.", rounds, during),
		"Faults: **leader** kills the CHAT stream's leader node; **follower** a follower hosting no feed consumer when there is one; **consumer** a follower hosting a replica's feed consumer; **quorum** the leader and a follower (no quorum until they are back); **replica** stops one socketlab replica (its users leave presence: expected).",
		"The send and readiness figures of leader and quorum are the NATS cluster's own election time (Debian's nats-server 2.9 waits 4–9 s before it elects a new leader); the feed gap is socketlab's own recovery: a gap open for 0.7 s is read from the stream by direct gets while a new consumer is created.")
	return s, nil
}
