package wire

import (
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"socketlab/app/msg"
	"socketlab/server/conns"
)

// subject is a tapped socket, as its observer's commands reach it.
type subject struct {
	conn    *conns.Conn
	session *session
	echo    bool // the wire lab's echo, which can answer in fragments
	deflate bool // permessage-deflate was negotiated
	// fragments is how many frames the next echo goes out in (0: one).
	fragments atomic.Int32
	// pinging and closing are set while a ping waits for its pong and
	// once a close has been sent: each runs in a goroutine of its own
	// that waits up to commandTimeout, and an observer repeating the
	// command must not pile up goroutines on a subject that never
	// answers.
	pinging, closing atomic.Bool
}

// session is one tap id: its subject, its observer, and the events that
// wait for the observer.
type session struct {
	id     string
	notify chan struct{} // one token: events are waiting
	expire *time.Timer

	mu         sync.Mutex
	subject    *subject // the live subject, nil before or after
	hadSubject bool
	observer   bool           // an observer is connected
	shutDown   bool           // forgotten by the hub: events go nowhere
	handshake  *msg.WireEvent // the subject's, for an observer that comes back
	events     []msg.WireEvent
	frames     int // frame events in events
	dropped    int // frames dropped since the observer last took events
	errs       int // error events in events
	errsLost   int // errors not queued since the observer last took events
}

// maxWaitingErrors bounds the error events waiting for the observer. An
// observer that sends bad commands faster than it reads their answers
// (its writer blocked for up to writeTimeout) would otherwise grow the
// queue by one error per command; past the bound they are counted, and
// the count is reported once, as one more error.
const maxWaitingErrors = 32

func newSession(id string) *session {
	return &session{id: id, notify: make(chan struct{}, 1)}
}

// claimSubject takes the subject's place, free when no subject is live.
func (s *session) claimSubject(sub *subject) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.subject != nil || s.shutDown {
		return false
	}
	s.subject, s.hadSubject = sub, true
	s.signal()
	return true
}

// claimObserver takes the observer's place, free when no observer is
// connected. An observer that comes back (its page reconnected) gets the
// subject's handshake again, then what waited for it.
func (s *session) claimObserver() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.observer || s.shutDown {
		return false
	}
	s.observer = true
	if s.handshake != nil && (len(s.events) == 0 || s.events[0].Type != msg.WireHandshake) {
		s.events = append([]msg.WireEvent{*s.handshake}, s.events...)
		s.signal()
	}
	return true
}

// leave frees the observer's place; it reports whether a subject is live.
func (s *session) leave() (live bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.observer = false
	return s.subject != nil
}

func (s *session) watched() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.observer
}

// current returns the live subject, or nil.
func (s *session) current() (sub *subject, had bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.subject, s.hadSubject
}

// ended records that sub's connection closed.
func (s *session) ended(sub *subject) {
	s.mu.Lock()
	if s.subject == sub {
		s.subject = nil
	}
	s.mu.Unlock()
	s.push(msg.WireEvent{Type: msg.WireClosed, Detail: "tcp closed"})
}

// shut drops the session's events, now and to come.
func (s *session) shut() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.shutDown, s.events = true, nil
	if s.expire != nil {
		s.expire.Stop()
	}
}

// push queues an event for the observer. Frames beyond msg.WireMaxBacklog
// push out the oldest waiting frame, which is counted in the next event
// the observer takes; errors beyond maxWaitingErrors are counted and
// reported as one; other events (a handshake, a close: one each per
// subject) are always kept.
func (s *session) push(ev msg.WireEvent) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.shutDown {
		return
	}
	if ev.Type == msg.WireHandshake {
		s.handshake = &ev
	}
	if ev.Type == msg.WireFrameRec {
		if s.frames >= msg.WireMaxBacklog {
			for i, e := range s.events {
				if e.Type == msg.WireFrameRec {
					s.events = append(s.events[:i], s.events[i+1:]...)
					break
				}
			}
			s.frames--
			s.dropped++
		}
		s.frames++
	}
	if ev.Type == msg.WireError {
		if s.errs >= maxWaitingErrors {
			s.errsLost++
			return
		}
		s.errs++
	}
	s.events = append(s.events, ev)
	s.signal()
}

// signal wakes the observer's writer; s.mu is held.
func (s *session) signal() {
	select {
	case s.notify <- struct{}{}:
	default:
	}
}

// take returns the waiting events, the first frame among them carrying
// the count of frames dropped before it.
func (s *session) take() []msg.WireEvent {
	s.mu.Lock()
	defer s.mu.Unlock()
	evs := s.events
	s.events, s.frames, s.errs = nil, 0, 0
	if s.errsLost > 0 {
		evs = append(evs, msg.WireEvent{Type: msg.WireError, Detail: fmt.Sprintf(
			"%d more errors not reported: commands came faster than their answers were read", s.errsLost)})
		s.errsLost = 0
	}
	if s.dropped > 0 {
		for i := range evs {
			if evs[i].Type == msg.WireFrameRec {
				evs[i].Dropped += s.dropped
				s.dropped = 0
				break
			}
		}
	}
	return evs
}

// unread puts back, before any that came since, events that take returned
// but the observer did not get: it left while they were being sent.
func (s *session) unread(evs []msg.WireEvent) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.shutDown || len(evs) == 0 {
		return
	}
	for _, ev := range evs {
		switch ev.Type {
		case msg.WireFrameRec:
			s.frames++
		case msg.WireError:
			s.errs++
		}
	}
	s.events = append(append(make([]msg.WireEvent, 0, len(evs)+len(s.events)), evs...), s.events...)
	s.signal()
}
