package chaos

import (
	"fmt"
	"slices"
	"time"
)

// measure computes what the clients saw between start and end.
// expected tells a presence change the fault caused (the users of a
// stopped replica leaving) from one it should not have.
func (r *run) measure(start, end time.Time, expected func(change) bool) Result {
	in := func(t time.Time) bool { return !t.Before(start) && t.Before(end) }
	r.mu.Lock()
	acks := slices.Clone(r.acks)
	fails := slices.Clone(r.fails)
	slow := slices.Clone(r.slow)
	samples := slices.Clone(r.samples)
	r.mu.Unlock()
	var res Result
	// late[replica] holds when a client of replica got a message 500 ms
	// or more after its ack: its feed was behind.
	late := map[string][]time.Time{}
	for _, c := range r.liveClients() {
		c.mu.Lock()
		for _, a := range acks {
			if !in(a.at) {
				continue
			}
			at, ok := c.arrived[a.seq]
			if !ok || c.ids[a.seq] != a.id {
				res.Lost++
				continue
			}
			if gap := at.Sub(a.at); gap > res.MaxGap {
				res.MaxGap = gap
			}
			if at.Sub(a.at) >= 500*time.Millisecond {
				late[c.replica] = append(late[c.replica], a.at)
			}
		}
		seen := map[uint64]bool{}
		var prev uint64
		for _, seq := range c.seqs {
			t := c.arrived[seq]
			if seen[seq] {
				if in(t) {
					res.Dups++
				}
				continue
			}
			seen[seq] = true
			if seq < prev && in(t) {
				res.OutOfOrder++
			}
			prev = seq
		}
		for _, ch := range c.changes {
			if in(ch.at) && !expected(ch) {
				res.Presence = append(res.Presence, fmt.Sprintf("%s at %s: joined %v left %v",
					c.nick, ch.at.Format("15:04:05.000"), ch.joined, ch.left))
			}
		}
		res.Presence = append(res.Presence, c.badPre...)
		c.mu.Unlock()
	}
	for _, a := range acks {
		if in(a.at) {
			res.Acked++
		}
	}
	// The longest a sender waited from a failure to its next ack.
	for _, c := range r.clients {
		var first time.Time
		ai, fi := 0, 0
		sa := filter(acks, func(a ack) bool { return a.sender == c.nick })
		sf := filter(fails, func(f fail) bool { return f.sender == c.nick })
		for ai < len(sa) || fi < len(sf) {
			if fi < len(sf) && (ai >= len(sa) || sf[fi].at.Before(sa[ai].at)) {
				if first.IsZero() {
					first = sf[fi].at
				}
				fi++
				continue
			}
			if !first.IsZero() && in(sa[ai].at) {
				res.MaxSendFail = max(res.MaxSendFail, sa[ai].at.Sub(first))
			}
			first = time.Time{}
			ai++
		}
	}
	// Readiness: a failed say with no 503 near it, or a 503 with no
	// failed say and no late delivery near it, beyond ReadyLag.
	near := func(ts []time.Time, t time.Time) bool {
		return slices.ContainsFunc(ts, func(u time.Time) bool { return u.Sub(t).Abs() <= ReadyLag })
	}
	notReady := map[string][]time.Time{}
	failed := map[string][]time.Time{}
	for _, s := range samples {
		if !s.ok {
			notReady[s.replica] = append(notReady[s.replica], s.at)
		}
	}
	for _, f := range append(slices.Clone(fails), slow...) {
		failed[f.replica] = append(failed[f.replica], f.at)
	}
	for _, f := range fails {
		if in(f.at) && !near(notReady[f.replica], f.at) {
			res.Readiness = append(res.Readiness, fmt.Sprintf("%s: a say failed at %s (%s) and /readyz said 200 all around it",
				f.replica, f.at.Format("15:04:05.000"), f.err))
		}
	}
	var run time.Duration
	var since time.Time
	for _, rep := range r.replicas {
		since = time.Time{}
		for _, s := range samples {
			if s.replica != rep.name || !in(s.at) {
				continue
			}
			if s.ok {
				if !since.IsZero() {
					run = max(run, s.at.Sub(since))
				}
				since = time.Time{}
				continue
			}
			if since.IsZero() {
				since = s.at
			}
			if !near(failed[s.replica], s.at) && !near(late[s.replica], s.at) {
				res.Readiness = append(res.Readiness, fmt.Sprintf("%s: /readyz said %q at %s while its says were acked and delivered on time",
					s.replica, s.why, s.at.Format("15:04:05.000")))
			}
		}
	}
	res.NotReady = run
	return res
}

func filter[T any](xs []T, keep func(T) bool) []T {
	var out []T
	for _, x := range xs {
		if keep(x) {
			out = append(out, x)
		}
	}
	return out
}

