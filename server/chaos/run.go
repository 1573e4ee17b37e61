package chaos

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// Faults, in the order Run applies them. Each ends with the cluster whole
// again, except the last: a replica stopped stays stopped.
var Faults = []string{"leader", "follower", "consumer", "quorum", "replica"}

// Options configure Run.
type Options struct {
	// Dir holds the nodes' stores; the caller removes it.
	Dir string
	// During is how long each fault lasts before the nodes come back; 2s
	// when zero.
	During time.Duration
	// Faults to apply, a subset of Faults in its order; all when nil.
	Faults []string
	// Logf, when set, is told what happens.
	Logf func(format string, args ...any)
}

// ReadyLag is the readiness detection lag the checks allow: /readyz may
// say 200 for this long after a replica stopped being able to take
// messages, and 503 for this long after it can again. The store takes a
// stream leader for lost after 1.5 s without an answer; the rest is room
// for a loaded machine.
const ReadyLag = 2500 * time.Millisecond

// slowSay is how long a say may wait for its ack and still count as the
// replica working.
const slowSay = time.Second

// Result is what the clients saw during one fault, from just before it to
// the moment every replica was ready again.
type Result struct {
	Fault string
	// Killed names the nodes or replica the fault took down.
	Killed []string
	// Acked is how many messages were acknowledged in the window.
	Acked int
	// Lost counts acked messages some client never received; Dups those
	// received twice; OutOfOrder the arrivals of a seq lower than the
	// previous one.
	Lost, Dups, OutOfOrder int
	// MaxGap is the longest a client went without a message while the
	// stream was taking messages: from the first ack of a message it did
	// not have yet to its next arrival, less the stretches of more than
	// outage with no ack anywhere (the stream taking nothing: an outage of
	// the stream, not of the feed).
	MaxGap time.Duration
	// MaxSendFail is the longest a sender went from one ack to the next
	// (a say every 50 ms when all is well): how long it could not send.
	MaxSendFail time.Duration
	// Recovered is how long after the nodes came back every replica was
	// ready again.
	Recovered time.Duration
	// NotReady is the longest stretch one replica's /readyz said 503.
	NotReady time.Duration
	// Presence lists the presence changes that the fault did not cause.
	Presence []string
	// Readiness lists disagreements between /readyz and what the replica
	// could do, beyond ReadyLag.
	Readiness []string
	// Stalls counts the "chat feed stalled" and "watch stalled" log lines.
	Stalls int
}

// run is the state of one Run.
type run struct {
	opts     Options
	cl       *cluster
	replicas []*replica
	js       jetstream.JetStream
	nc       *nats.Conn

	mu      sync.Mutex
	clients []*client
	acks    []ack    // every ack, in order
	fails   []fail   // every failed say
	slow    []fail   // every say acked after more than slowSay, at its start
	samples []sample // readiness samples
	gone    map[string]time.Time
}

type ack struct {
	replica, sender, id string
	seq                 uint64
	at                  time.Time
}

// fail is a say that failed, or took more than slowSay to be acked:
// from when it was sent (start) to its answer (at).
type fail struct {
	replica, sender string
	start, at       time.Time
	err             string
}

type sample struct {
	replica string
	at      time.Time
	ok      bool
	why     string
}

// Run starts the cluster, the replicas and the clients, applies the faults
// and returns what each did. An error is returned only when the set-up
// fails; what the faults break is in the results.
func Run(ctx context.Context, opts Options) ([]Result, error) {
	if opts.During == 0 {
		opts.During = 2 * time.Second
	}
	if opts.Faults == nil {
		opts.Faults = Faults
	}
	if opts.Logf == nil {
		opts.Logf = func(string, ...any) {}
	}
	cl, err := startCluster(opts.Dir, 3)
	if err != nil {
		return nil, err
	}
	defer cl.stop()
	r := &run{opts: opts, cl: cl, gone: map[string]time.Time{}}
	defer r.close()
	if err := r.setUp(ctx); err != nil {
		r.logTrouble()
		return nil, err
	}
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	for _, c := range r.clients {
		if c.nick[0] == 's' {
			wg.Go(func() { r.send(ctx, c) })
		}
	}
	for _, rep := range r.replicas {
		wg.Go(func() { r.poll(ctx, rep) })
	}
	type window struct {
		fault      string
		killed     []string
		start, end time.Time
		recovered  time.Duration
		stalls     int
	}
	var windows []window
	for _, f := range opts.Faults {
		if err := r.prepare(ctx, f); err != nil {
			cancel()
			wg.Wait()
			return nil, fmt.Errorf("chaos: %s: %w", f, err)
		}
		w := window{fault: f, start: time.Now()}
		stalls0 := r.stalls()
		sleep(ctx, time.Second)
		var back time.Time
		w.killed, back, err = r.apply(ctx, f)
		if err != nil {
			cancel()
			wg.Wait()
			return nil, fmt.Errorf("chaos: %s: %w", f, err)
		}
		for _, rep := range r.live() {
			if err := rep.waitReady(ctx, 60*time.Second); err != nil {
				cancel()
				wg.Wait()
				r.logTrouble()
				return nil, fmt.Errorf("chaos: after %s: %w", f, err)
			}
		}
		w.recovered = time.Since(back)
		sleep(ctx, time.Second)
		w.end = time.Now()
		w.stalls = r.stalls() - stalls0
		opts.Logf("chaos: %s: killed %v, all ready %v after they came back", f, w.killed, w.recovered.Round(time.Millisecond))
		windows = append(windows, w)
	}
	cancel()
	wg.Wait()
	r.settle(context.Background())
	var results []Result
	for _, w := range windows {
		expected := func(ch change) bool {
			// Only the users of a stopped replica may leave.
			return w.fault == "replica" && len(ch.joined) == 0 && len(ch.left) > 0 &&
				!slices.ContainsFunc(ch.left, func(n string) bool { return !strings.HasSuffix(n, "-"+w.killed[0]) })
		}
		res := r.measure(w.start, w.end, expected)
		res.Fault, res.Killed, res.Recovered, res.Stalls = w.fault, w.killed, w.recovered, w.stalls
		results = append(results, res)
	}
	return results, nil
}

func sleep(ctx context.Context, d time.Duration) {
	select {
	case <-ctx.Done():
	case <-time.After(d):
	}
}

// setUp starts the replicas (at once, as a deployment would), the admin
// connection and two clients on each replica, a sender and a listener, and
// waits until everyone sees everyone.
func (r *run) setUp(ctx context.Context) error {
	var mu sync.Mutex
	var errs []error
	var wg sync.WaitGroup
	r.replicas = make([]*replica, 3)
	for i := range 3 {
		wg.Go(func() {
			rep, err := startReplica(fmt.Sprintf("r%d", i+1), r.cl.URL())
			mu.Lock()
			defer mu.Unlock()
			errs = append(errs, err)
			r.replicas[i] = rep
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return err
	}
	for _, rep := range r.replicas {
		if err := rep.waitReady(ctx, 60*time.Second); err != nil {
			return err
		}
	}
	var err error
	if r.nc, err = nats.Connect(r.cl.URL(), nats.MaxReconnects(-1)); err != nil {
		return fmt.Errorf("chaos: admin connection: %w", err)
	}
	if r.js, err = jetstream.New(r.nc); err != nil {
		return fmt.Errorf("chaos: %w", err)
	}
	var all []string
	for _, rep := range r.replicas {
		for _, role := range []string{"s", "l"} {
			nick := role + "-" + rep.name
			c, err := dial(ctx, rep, nick)
			if err != nil {
				return err
			}
			r.clients = append(r.clients, c)
			all = append(all, nick)
		}
	}
	slices.Sort(all)
	deadline := time.Now().Add(30 * time.Second)
	for _, c := range r.clients {
		for !slices.Equal(c.presence(), all) {
			if time.Now().After(deadline) {
				return fmt.Errorf("chaos: %s sees %v, want %v", c.nick, c.presence(), all)
			}
			sleep(ctx, 50*time.Millisecond) // polling interval, bounded by the deadline
		}
		c.mu.Lock()
		c.changes = nil // the joins of the set-up
		c.mu.Unlock()
	}
	return nil
}

// logTrouble passes the replicas' warnings and errors (the last 20 of
// each) to Logf, to tell why a set-up failed.
func (r *run) logTrouble() {
	for _, rep := range r.replicas {
		if rep == nil {
			continue
		}
		rep.logs.mu.Lock()
		var bad []string
		for _, l := range rep.logs.lines {
			if strings.Contains(l, "level=WARN") || strings.Contains(l, "level=ERROR") {
				bad = append(bad, strings.TrimSpace(l))
			}
		}
		rep.logs.mu.Unlock()
		for _, l := range bad[max(0, len(bad)-20):] {
			r.opts.Logf("%s", l)
		}
	}
}

func (r *run) close() {
	if os.Getenv("CHAOS_LOG") != "" {
		for _, rep := range r.replicas {
			if rep != nil {
				rep.logs.mu.Lock()
				for _, l := range rep.logs.lines {
					r.opts.Logf("%s", strings.TrimSpace(l))
				}
				rep.logs.mu.Unlock()
			}
		}
	}
	for _, c := range r.clients {
		c.close()
	}
	for _, rep := range r.live() {
		rep.shutdown()
	}
	if r.nc != nil {
		r.nc.Close()
	}
}

// live returns the replicas not stopped by a fault.
func (r *run) live() []*replica {
	r.mu.Lock()
	defer r.mu.Unlock()
	var live []*replica
	for _, rep := range r.replicas {
		if _, gone := r.gone[rep.name]; !gone && rep != nil {
			live = append(live, rep)
		}
	}
	return live
}

func (r *run) stalls() int {
	n := 0
	for _, rep := range r.replicas {
		n += rep.logs.count("chat feed stalled") + rep.logs.count("watch stalled")
	}
	return n
}

// send says a message every 50 ms, resending the same id after a failure
// as the page does, until ctx ends.
func (r *run) send(ctx context.Context, c *client) {
	for i := 0; ctx.Err() == nil; i++ {
		id := fmt.Sprintf("%s-%d", c.nick, i)
		for ctx.Err() == nil {
			start := time.Now()
			seq, err := c.say(ctx, id)
			now := time.Now()
			if ctx.Err() != nil {
				return
			}
			r.mu.Lock()
			if _, gone := r.gone[c.replica]; gone {
				// Stopped by the fault: what it answers now is not a
				// replica failing.
				r.mu.Unlock()
				return
			}
			if err == nil {
				r.acks = append(r.acks, ack{replica: c.replica, sender: c.nick, id: id, seq: seq, at: now})
				if now.Sub(start) > slowSay {
					// Not a failure, but not working either: the replica
					// could not take a message in good time.
					r.slow = append(r.slow, fail{replica: c.replica, sender: c.nick, start: start, at: now, err: "acked after " + now.Sub(start).String()})
				}
			} else {
				r.fails = append(r.fails, fail{replica: c.replica, sender: c.nick, start: start, at: now, err: err.Error()})
			}
			_, gone := r.gone[c.replica]
			r.mu.Unlock()
			if gone {
				return
			}
			if err == nil {
				break
			}
			sleep(ctx, 100*time.Millisecond)
		}
		sleep(ctx, 50*time.Millisecond)
	}
}

// poll samples a replica's /readyz every 100 ms until ctx ends or the
// replica is stopped.
func (r *run) poll(ctx context.Context, rep *replica) {
	for ctx.Err() == nil {
		err := rep.ready(ctx)
		s := sample{replica: rep.name, at: time.Now(), ok: err == nil}
		if err != nil {
			s.why = err.Error()
		}
		r.mu.Lock()
		_, gone := r.gone[rep.name]
		if !gone && ctx.Err() == nil {
			r.samples = append(r.samples, s)
		}
		r.mu.Unlock()
		if gone {
			return
		}
		sleep(ctx, 100*time.Millisecond)
	}
}

// settle waits until every live client has every acked message, or 15 s.
func (r *run) settle(ctx context.Context) {
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		if r.missing() == 0 {
			return
		}
		sleep(ctx, 100*time.Millisecond)
	}
}

// liveClients returns the clients of replicas not stopped.
func (r *run) liveClients() []*client {
	r.mu.Lock()
	defer r.mu.Unlock()
	var cs []*client
	for _, c := range r.clients {
		if _, gone := r.gone[c.replica]; !gone {
			cs = append(cs, c)
		}
	}
	return cs
}

func (r *run) missing() int {
	r.mu.Lock()
	acks := slices.Clone(r.acks)
	r.mu.Unlock()
	n := 0
	for _, c := range r.liveClients() {
		c.mu.Lock()
		for _, a := range acks {
			if _, ok := c.arrived[a.seq]; !ok {
				n++
			}
		}
		c.mu.Unlock()
	}
	return n
}

// MaxGap is the longest a replica's feed may be silent while the stream
// takes messages: the 2 s, which the feed's stall detection
// (natsstore: 0.7 s gap, checked every 0.1 s, stream probed every 0.25 s)
// keeps well within.
const MaxGap = 2 * time.Second
