package wire

import (
	"fmt"
	"strings"
	"testing"

	"socketlab/app/msg"
)

func frameEvent(n int) msg.WireEvent {
	return msg.WireEvent{Type: msg.WireFrameRec, Frame: &msg.WireFrame{N: n}}
}

func TestSessionBacklogDropsOldestFrames(t *testing.T) {
	s := newSession("x")
	s.push(msg.WireEvent{Type: msg.WireHandshake})
	total := msg.WireMaxBacklog + 10
	for n := 1; n <= total; n++ {
		s.push(frameEvent(n))
	}
	s.push(msg.WireEvent{Type: msg.WireError, Detail: "kept"})
	evs := s.take()
	if len(evs) != msg.WireMaxBacklog+2 || evs[0].Type != msg.WireHandshake || evs[len(evs)-1].Detail != "kept" {
		t.Fatalf("%d events, first %s, last %+v", len(evs), evs[0].Type, evs[len(evs)-1])
	}
	if evs[0].Dropped != 0 || evs[1].Frame.N != 11 || evs[1].Dropped != 10 || evs[2].Dropped != 0 {
		t.Fatalf("drops: handshake %d, first frame n %d with %d", evs[0].Dropped, evs[1].Frame.N, evs[1].Dropped)
	}
	// Counted once: the next batch starts from zero.
	s.push(frameEvent(total + 1))
	if evs := s.take(); len(evs) != 1 || evs[0].Dropped != 0 {
		t.Fatalf("next batch %+v", evs)
	}
}

func TestSessionSignalsOnce(t *testing.T) {
	s := newSession("x")
	s.push(frameEvent(1))
	s.push(frameEvent(2))
	<-s.notify
	select {
	case <-s.notify:
		t.Fatal("two tokens for one batch")
	default:
	}
	if len(s.take()) != 2 {
		t.Fatal("events lost")
	}
}

func TestSessionReturningObserverGetsTheHandshake(t *testing.T) {
	s := newSession("x")
	s.claimSubject(&subject{session: s})
	s.push(msg.WireEvent{Type: msg.WireHandshake, Detail: "hs"})
	if !s.claimObserver() || s.claimObserver() {
		t.Fatal("the observer's place is taken once at a time")
	}
	s.take()
	s.push(frameEvent(1))
	if live := s.leave(); !live {
		t.Fatal("subject not live")
	}
	if !s.claimObserver() {
		t.Fatal("place not freed")
	}
	evs := s.take()
	if len(evs) != 2 || evs[0].Detail != "hs" || evs[1].Frame.N != 1 {
		t.Fatalf("returning observer got %+v", evs)
	}
}

func TestSessionShutDropsEverything(t *testing.T) {
	s := newSession("x")
	s.shut()
	s.push(frameEvent(1))
	if len(s.take()) != 0 || s.claimObserver() || s.claimSubject(&subject{}) {
		t.Fatal("a shut session still works")
	}
}

// TestSessionBoundsErrors: an observer whose writer is stuck while it
// keeps sending bad commands queues at most maxWaitingErrors errors; the
// rest are counted in one more, once.
func TestSessionBoundsErrors(t *testing.T) {
	s := newSession("x")
	const sent = 10 * maxWaitingErrors
	for range sent {
		s.push(msg.WireEvent{Type: msg.WireError, Detail: "bad command"})
	}
	s.push(frameEvent(1)) // frames and other events are still queued
	evs := s.take()
	if len(evs) != maxWaitingErrors+2 || evs[maxWaitingErrors].Type != msg.WireFrameRec {
		t.Fatalf("%d events, want %d errors, the frame and the count", len(evs), maxWaitingErrors)
	}
	last := evs[len(evs)-1]
	if want := fmt.Sprintf("%d more errors", sent-maxWaitingErrors); last.Type != msg.WireError || !strings.HasPrefix(last.Detail, want) {
		t.Fatalf("last event %+v, want an error starting %q", last, want)
	}
	// Taken, the queue has room again and the count starts over.
	s.push(msg.WireEvent{Type: msg.WireError, Detail: "again"})
	if evs := s.take(); len(evs) != 1 || evs[0].Detail != "again" {
		t.Fatalf("next batch %+v", evs)
	}
}

// TestSessionUnreadKeepsOrderAndDrops: events an observer took but could
// not get (it left meanwhile) come first for the next one, their drop
// count with them.
func TestSessionUnreadKeepsOrderAndDrops(t *testing.T) {
	s := newSession("x")
	for n := 1; n <= msg.WireMaxBacklog+4; n++ {
		s.push(frameEvent(n))
	}
	evs := s.take()
	if evs[0].Dropped != 4 {
		t.Fatalf("first frame dropped %d, want 4", evs[0].Dropped)
	}
	s.unread(evs[1:]) // the first was sent; the rest were not
	s.push(frameEvent(msg.WireMaxBacklog + 5))
	<-s.notify
	again := s.take()
	if len(again) != len(evs) || again[0].Frame.N != 6 || again[len(again)-1].Frame.N != msg.WireMaxBacklog+5 {
		t.Fatalf("%d events from n %d to %d", len(again), again[0].Frame.N, again[len(again)-1].Frame.N)
	}
	s.unread(evs[:1]) // the one that carried the count
	if got := s.take(); len(got) != 1 || got[0].Dropped != 4 {
		t.Fatalf("put back %+v, want its drop count", got)
	}
}
