package natsstore

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go"
)

// How the store finds out whether it can work now. A connection that is up
// says little in a cluster: the stream may have no leader (an election, a
// lost quorum), and then every publish waits for its timeout. So the store
// asks the stream for its state every probeEvery; the stream leader
// answers. The answer also carries the stream's last seq, which is how the
// feed (feed.go) notices a consumer that stopped delivering.
const (
	probeEvery   = 250 * time.Millisecond
	probeTimeout = time.Second
	// leaderLost is how long without an answer from the stream leader (to
	// a probe or a publish) before the store says it has none: a few
	// probes, so that one slow answer on a loaded machine is not an
	// outage.
	leaderLost = 1500 * time.Millisecond
)

// Errors that Ready and Publish report. They wrap the cause.
var (
	// ErrStarting is reported until the stream and the presence bucket
	// exist (Setup).
	ErrStarting = errors.New("starting")
	// ErrNoLeader is reported while the stream leader does not answer.
	ErrNoLeader = errors.New("no stream leader reachable")
	// ErrFeedStalled is reported while the feed is behind the stream and
	// recovering (feed.go).
	ErrFeedStalled = errors.New("the live feed is behind the stream")
)

// health is what the store knows of its stream. Its fields are atomics:
// every socket's publish reads them.
type health struct {
	started  atomic.Bool
	lastOK   atomic.Int64  // unix nanos of the last answer from the stream leader
	lastSeq  atomic.Uint64 // the highest stream seq known to be stored
	probeErr atomic.Pointer[error]
	stalled  atomic.Int32 // feeds behind the stream, recovering
}

// leaderOK notes an answer of the stream leader, with a seq it stored.
func (h *health) leaderOK(seq uint64) {
	h.lastOK.Store(time.Now().UnixNano())
	for {
		cur := h.lastSeq.Load()
		if seq <= cur || h.lastSeq.CompareAndSwap(cur, seq) {
			return
		}
	}
}

// leaderErr reports why the stream leader is taken as gone, nil while it
// answered within leaderLost.
func (h *health) leaderErr() error {
	if time.Since(time.Unix(0, h.lastOK.Load())) <= leaderLost {
		return nil
	}
	if p := h.probeErr.Load(); p != nil {
		return fmt.Errorf("%w: %w", ErrNoLeader, *p)
	}
	return ErrNoLeader
}

// probe runs until ctx ends, asking the stream for its state.
func (s *Store) probe(ctx context.Context) {
	t := time.NewTicker(probeEvery)
	defer t.Stop()
	for {
		pctx, cancel := context.WithTimeout(ctx, probeTimeout)
		info, err := s.stream.Info(pctx)
		cancel()
		if ctx.Err() != nil {
			return
		}
		if err == nil {
			s.health.probeErr.Store(nil)
			s.health.leaderOK(info.State.LastSeq)
		} else {
			s.health.probeErr.Store(&err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Ready reports whether the store can take and deliver a message now: nil
// when the stream exists, NATS is connected, the stream leader answered
// within the last 1.5 s and no feed is behind the stream; an error saying
// which of these fails otherwise. It is the chat's readiness check
// (/readyz).
func (s *Store) Ready(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if !s.health.started.Load() {
		return ErrStarting
	}
	if st := s.nc.Status(); st != nats.CONNECTED {
		return fmt.Errorf("%w (%s)", errNotConnected, st)
	}
	if err := s.health.leaderErr(); err != nil {
		return err
	}
	if s.health.stalled.Load() > 0 {
		return ErrFeedStalled
	}
	return nil
}
