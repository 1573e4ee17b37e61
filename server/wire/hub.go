package wire

import (
	"errors"
	"net/http"
	"strings"
	"sync"
	"time"

	"socketlab/app/msg"
	"socketlab/server/conns"
)

// Hub is where tapped sockets (subjects) and their observers meet, by tap
// id; either may come first. It is the registry's conns.Tapper: every
// socket accepted with ?tap=<id>, on any endpoint, is decoded here.
type Hub struct {
	// Wait bounds how long an observer waits for its subject and how
	// long a subject's records wait for their observer;
	// msg.WireWatchWait when zero.
	Wait time.Duration

	mu       sync.Mutex
	sessions map[string]*session
	subjects map[*conns.Conn]*subject // live subjects, for the echo
}

// NewHub returns an empty hub.
func NewHub() *Hub {
	return &Hub{sessions: make(map[string]*session), subjects: make(map[*conns.Conn]*subject)}
}

func (h *Hub) wait() time.Duration {
	if h.Wait > 0 {
		return h.Wait
	}
	return msg.WireWatchWait
}

// errBadID is the 1008 reason for a tap id that is not one.
var errBadID = errors.New("bad tap id: want 22 characters of A-Z a-z 0-9 _ -")

// errInUse and errNoSubject carry the contract's close reasons.
var (
	errInUse     = errors.New(msg.CloseTapInUseReason)
	errNoSubject = errors.New(msg.CloseNoSubjectReason)
)

// checkID accepts msg.WireTapIDLen characters of [A-Za-z0-9_-].
func checkID(id string) error {
	if len(id) != msg.WireTapIDLen {
		return errBadID
	}
	for _, c := range id {
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return errBadID
		}
	}
	return nil
}

// Tap makes c a subject: it claims c's tap id, posts its handshake and
// returns the tap that decodes its frames (conns.Tapper).
func (h *Hub) Tap(c *conns.Conn, req *http.Request, hs conns.Handshake) (conns.Tap, error) {
	id := req.URL.Query().Get("tap")
	if err := checkID(id); err != nil {
		return nil, err
	}
	info := Handshake(hs.Request, hs.Response)
	sub := &subject{conn: c, echo: c.Endpoint == msg.WirePath,
		deflate: strings.Contains(info.Accepted, "permessage-deflate")}

	h.mu.Lock()
	s := h.sessions[id]
	if s == nil {
		s = h.newSessionLocked(id)
	}
	sub.session = s
	if !s.claimSubject(sub) {
		h.mu.Unlock()
		return nil, errInUse
	}
	h.subjects[c] = sub
	h.mu.Unlock()

	ev := msg.WireEvent{Type: msg.WireHandshake, Handshake: &info}
	if !hs.Recorded {
		ev.Detail = "rebuilt from the parsed request: the raw bytes were not recorded (TLS, or a reused connection), so header order and spelling are Go's"
	}
	s.push(ev)
	t := &tap{s: s, sub: sub, hub: h}
	t.in.Deflate, t.out.Deflate = sub.deflate, sub.deflate
	return t, nil
}

// newSessionLocked creates a session for id. If no observer claims it
// within the wait, it is forgotten: a subject's records wait no longer.
func (h *Hub) newSessionLocked(id string) *session {
	s := newSession(id)
	h.sessions[id] = s
	s.expire = time.AfterFunc(h.wait(), func() {
		h.mu.Lock()
		defer h.mu.Unlock()
		if !s.watched() && h.sessions[id] == s {
			delete(h.sessions, id)
			s.shut()
		}
	})
	return s
}

// watch makes the caller the observer of id.
func (h *Hub) watch(id string) (*session, error) {
	if err := checkID(id); err != nil {
		return nil, err
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	s := h.sessions[id]
	if s == nil {
		s = h.newSessionLocked(id)
	}
	if !s.claimObserver() {
		return nil, errInUse
	}
	return s, nil
}

// unwatch frees the observer's place. With its subject gone the session
// is forgotten; with its subject live it waits, as a new one does, for an
// observer to come back.
func (h *Hub) unwatch(s *session) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if s.leave() {
		s.expire.Reset(h.wait())
		return
	}
	if h.sessions[s.id] == s {
		delete(h.sessions, s.id)
	}
	s.shut()
}

// subjectOf returns c's subject, nil if c is not tapped.
func (h *Hub) subjectOf(c *conns.Conn) *subject {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.subjects[c]
}

// ended forgets a subject whose connection closed. Unwatched, its
// session keeps the record for an observer that comes within the wait.
func (h *Hub) ended(sub *subject) {
	h.mu.Lock()
	defer h.mu.Unlock()
	delete(h.subjects, sub.conn)
	if !sub.session.watched() {
		sub.session.expire.Reset(h.wait())
	}
}

// Len reports how many sessions the hub holds (for tests).
func (h *Hub) Len() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.sessions)
}
