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
			if at.Sub(a.at) >= 500*time.Millisecond {
				late[c.replica] = append(late[c.replica], a.at)
			}
		}
		res.MaxGap = max(res.MaxGap, silence(c, acks, in))
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
	// The longest a sender went without an ack: from one ack to the
	// next, whether the says between failed or hung.
	for _, c := range r.clients {
		var prev time.Time
		for _, a := range acks {
			if a.sender != c.nick {
				continue
			}
			if !prev.IsZero() && in(a.at) {
				res.MaxSendFail = max(res.MaxSendFail, a.at.Sub(prev))
			}
			prev = a.at
		}
	}
	// Readiness: a failed say with no 503 near it, or a 503 stretch with
	// no failed or slow say and no late delivery near it, beyond ReadyLag.
	// A 503 stretch shorter than readyBlip is not counted against
	// readiness: the feed is briefly behind while it reads a gap from the
	// stream, and that is true, but too brief for the clients to see.
	type span struct{ from, to time.Time }
	near := func(spans []span, t time.Time) bool {
		return slices.ContainsFunc(spans, func(s span) bool {
			return !t.Before(s.from.Add(-ReadyLag)) && !t.After(s.to.Add(ReadyLag))
		})
	}
	notReady := map[string][]span{}
	trouble := map[string][]span{}
	for _, s := range samples {
		if !s.ok {
			notReady[s.replica] = append(notReady[s.replica], span{s.at, s.at})
		}
	}
	for _, f := range append(slices.Clone(fails), slow...) {
		trouble[f.replica] = append(trouble[f.replica], span{f.start, f.at})
	}
	for rep, ts := range late {
		for _, t := range ts {
			trouble[rep] = append(trouble[rep], span{t, t})
		}
	}
	// recoveredSoon: the sender's next ack came within readyBlip, a blip
	// (a reconnection to another node) that no readiness check could show.
	recoveredSoon := func(f fail) bool {
		return slices.ContainsFunc(acks, func(a ack) bool {
			return a.sender == f.sender && !a.at.Before(f.at) && a.at.Sub(f.start) < readyBlip
		})
	}
	for _, f := range fails {
		if in(f.at) && !recoveredSoon(f) && !near(notReady[f.replica], f.start) && !near(notReady[f.replica], f.at) {
			res.Readiness = append(res.Readiness, fmt.Sprintf("%s: a say failed at %s (%s) and /readyz said 200 all around it",
				f.replica, f.at.Format("15:04:05.000"), f.err))
		}
	}
	var run time.Duration
	for _, rep := range r.replicas {
		var stretch []sample // consecutive 503 samples
		end := func() {
			if len(stretch) == 0 {
				return
			}
			d := stretch[len(stretch)-1].at.Sub(stretch[0].at)
			run = max(run, d)
			if d >= readyBlip && !slices.ContainsFunc(stretch, func(s sample) bool { return near(trouble[s.replica], s.at) }) {
				res.Readiness = append(res.Readiness, fmt.Sprintf("%s: /readyz said %q from %s for %v while its says were acked and delivered on time",
					rep.name, stretch[0].why, stretch[0].at.Format("15:04:05.000"), d))
			}
			stretch = nil
		}
		for _, s := range samples {
			if s.replica != rep.name || !in(s.at) {
				continue
			}
			if s.ok {
				end()
			} else {
				stretch = append(stretch, s)
			}
		}
		end()
	}
	res.NotReady = run
	return res
}

// outage is the shortest stretch with no ack from any sender that counts
// as the stream taking nothing (the senders say every 50 ms each).
const outage = 500 * time.Millisecond

// silence returns the longest a client went without a message while the
// stream took messages (Result.MaxGap), for arrivals in the window.
func silence(c *client, acks []ack, in func(time.Time) bool) time.Duration {
	var arrivals []time.Time
	for _, t := range c.arrived {
		arrivals = append(arrivals, t)
	}
	slices.SortFunc(arrivals, func(a, b time.Time) int { return a.Compare(b) })
	times := make([]time.Time, 0, len(acks))
	for _, a := range acks {
		times = append(times, a.at)
	}
	slices.SortFunc(times, func(a, b time.Time) int { return a.Compare(b) })
	var longest time.Duration
	for i := 1; i < len(arrivals); i++ {
		prev, next := arrivals[i-1], arrivals[i]
		if !in(next) {
			continue
		}
		// The acks between the two arrivals: from the first, the client
		// had something to wait for.
		lo, _ := slices.BinarySearchFunc(times, prev, func(a, b time.Time) int { return a.Compare(b) })
		var d time.Duration
		last := time.Time{}
		for j := lo; j < len(times) && times[j].Before(next); j++ {
			if !times[j].After(prev) {
				continue
			}
			if !last.IsZero() && times[j].Sub(last) <= outage {
				d += times[j].Sub(last)
			}
			last = times[j]
		}
		if last.IsZero() {
			continue // nothing acked meanwhile: nothing to deliver
		}
		if next.Sub(last) <= outage {
			d += next.Sub(last)
		}
		longest = max(longest, d)
	}
	return longest
}

// readyBlip is the shortest 503 stretch that the readiness check holds
// against a replica that was working.
const readyBlip = 500 * time.Millisecond

func filter[T any](xs []T, keep func(T) bool) []T {
	var out []T
	for _, x := range xs {
		if keep(x) {
			out = append(out, x)
		}
	}
	return out
}
