package chaos

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"socketlab/server/natsstore"
)

// apply takes down what fault names, waits During, and brings the nodes
// back. It returns what it killed and when they were back.
func (r *run) apply(ctx context.Context, fault string) ([]string, time.Time, error) {
	ictx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	var victims []*node
	var hosts map[string]int
	switch fault {
	case "replica":
		rep := r.replicas[len(r.replicas)-1]
		r.mu.Lock()
		r.gone[rep.name] = time.Now()
		r.mu.Unlock()
		for _, c := range r.clients {
			if c.replica == rep.name {
				defer c.close()
			}
		}
		if err := rep.shutdown(); err != nil {
			return nil, time.Time{}, err
		}
		sleep(ctx, r.opts.During)
		return []string{rep.name}, time.Now(), nil
	case "leader", "follower", "consumer", "quorum":
		info, err := r.streamInfo(ictx)
		if err != nil {
			return nil, time.Time{}, err
		}
		leader := r.cl.node(info.Cluster.Leader)
		var followers []*node
		for _, p := range info.Cluster.Replicas {
			if nd := r.cl.node(p.Name); nd != nil {
				followers = append(followers, nd)
			}
		}
		if leader == nil || len(followers) == 0 {
			return nil, time.Time{}, fmt.Errorf("stream cluster info: leader %q, replicas %v", info.Cluster.Leader, info.Cluster.Replicas)
		}
		if fault == "consumer" || fault == "follower" {
			// Which nodes host feed consumers: needed to kill one that
			// does (consumer) or, if possible, one that does not
			// (follower, so that the two faults differ).
			hosts, err = r.feedHosts(ictx, fault == "consumer", followers)
			if err != nil {
				return nil, time.Time{}, err
			}
		}
		r.opts.Logf("chaos: %s: stream leader %s, feed consumers on %v", fault, leader.name, hosts)
		switch fault {
		case "leader":
			victims = []*node{leader}
		case "follower":
			// A follower hosting no feed consumer if there is one: that
			// case is the next fault's.
			victims = []*node{followers[0]}
			for _, f := range followers {
				if hosts[f.name] == 0 {
					victims = []*node{f}
					break
				}
			}
		case "consumer":
			victims = []*node{leader}
			for _, f := range followers {
				if hosts[f.name] > 0 {
					victims = []*node{f}
					break
				}
			}
		case "quorum":
			victims = []*node{leader, followers[0]}
		}
	default:
		return nil, time.Time{}, fmt.Errorf("unknown fault %q", fault)
	}
	var names []string
	for _, nd := range victims {
		r.cl.kill(nd)
		names = append(names, nd.name)
	}
	if fault == "consumer" && hosts[victims[0].name] == 0 {
		return names, time.Time{}, fmt.Errorf("no feed consumer on %s: %v", victims[0].name, hosts)
	}
	sleep(ctx, r.opts.During)
	for _, nd := range victims {
		if err := r.cl.start(nd); err != nil {
			return names, time.Time{}, err
		}
	}
	return names, time.Now(), nil
}

// prepare sets the cluster up for fault before its window opens. For
// "consumer" a follower must host a feed consumer: when the stream leader
// hosts them all, it is asked to step down, which moves the leadership and
// leaves the consumers (R1, placed apart from the stream) where they are.
func (r *run) prepare(ctx context.Context, fault string) error {
	ctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	// Every fault starts from a settled cluster: the last one's nodes
	// caught up, so that its elections do not spill into this window.
	if _, err := r.streamInfo(ctx); err != nil {
		return err
	}
	if fault != "consumer" {
		return nil
	}
	for {
		info, err := r.streamInfo(ctx)
		if err != nil {
			return err
		}
		hctx, hcancel := context.WithTimeout(ctx, 3*time.Second)
		hosts, _, err := r.feedHostsOnce(hctx)
		hcancel()
		if err == nil && slices.ContainsFunc(info.Cluster.Replicas, func(p *jetstream.PeerInfo) bool { return hosts[p.Name] > 0 }) {
			break
		}
		if err == nil && hosts[info.Cluster.Leader] > 0 {
			r.opts.Logf("chaos: consumer: every feed consumer is on the stream leader %s: asking it to step down", info.Cluster.Leader)
			if _, err := r.nc.RequestWithContext(ctx, "$JS.API.STREAM.LEADER.STEPDOWN."+natsstore.StreamName, nil); err != nil {
				r.opts.Logf("chaos: step down: %v", err)
			}
		}
		sleep(ctx, 500*time.Millisecond)
		if ctx.Err() != nil {
			return fmt.Errorf("no feed consumer on a follower: %w", ctx.Err())
		}
	}
	for _, rep := range r.live() {
		if err := rep.waitReady(ctx, 60*time.Second); err != nil {
			return err
		}
	}
	return nil
}

// streamInfo asks for the CHAT stream's cluster state, retrying until it
// has a leader and both followers are current: the cluster settled from
// the last fault.
func (r *run) streamInfo(ctx context.Context) (*jetstream.StreamInfo, error) {
	for {
		s, err := r.js.Stream(ctx, natsstore.StreamName)
		if err == nil {
			var info *jetstream.StreamInfo
			if info, err = s.Info(ctx); err == nil && info.Cluster != nil && info.Cluster.Leader != "" && len(info.Cluster.Replicas) == 2 &&
				!slices.ContainsFunc(info.Cluster.Replicas, func(p *jetstream.PeerInfo) bool { return !p.Current || p.Offline }) {
				return info, nil
			}
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("stream info: %w (last: %v)", ctx.Err(), err)
		case <-time.After(200 * time.Millisecond): // bounded by ctx
		}
	}
}

// feedHosts counts the replicas' feed consumers on each node. Each is
// asked for on its own, briefly: a consumer left on a node that died
// answers nothing, and a listing would wait for it.
func (r *run) feedHosts(ctx context.Context, need bool, followers []*node) (map[string]int, error) {
	for {
		actx, cancel := context.WithTimeout(ctx, 3*time.Second)
		hosts, n, err := r.feedHostsOnce(actx)
		cancel()
		if !need {
			return hosts, nil // best effort
		}
		if err == nil && slices.ContainsFunc(followers, func(f *node) bool { return hosts[f.name] > 0 }) {
			return hosts, nil
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("feed consumers: none found on a follower (%d in all: %v, %v): %w", n, hosts, err, ctx.Err())
		case <-time.After(200 * time.Millisecond): // bounded by ctx
		}
	}
}

func (r *run) feedHostsOnce(ctx context.Context) (map[string]int, int, error) {
	s, err := r.js.Stream(ctx, natsstore.StreamName)
	if err != nil {
		return nil, 0, err
	}
	var names []string
	l := s.ConsumerNames(ctx)
	for name := range l.Name() {
		names = append(names, name)
	}
	if err := l.Err(); err != nil {
		return nil, 0, err
	}
	// At once: a consumer left on a node that died answers nothing, and
	// one by one the dead would use up the time.
	hosts := map[string]int{}
	n := 0
	var mu sync.Mutex
	var wg sync.WaitGroup
	for _, name := range names {
		wg.Go(func() {
			cctx, cancel := context.WithTimeout(ctx, time.Second)
			cons, err := s.Consumer(cctx, name)
			cancel()
			if err != nil {
				return
			}
			if ci := cons.CachedInfo(); ci.Config.Description == natsstore.FeedDescription && ci.Cluster != nil && ci.NumWaiting > 0 {
				mu.Lock()
				hosts[ci.Cluster.Leader]++
				n++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	return hosts, n, nil
}
