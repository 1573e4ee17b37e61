package plot

import (
	"context"
	"sync"
	"time"

	"socketlab/server/conns"
)

// page is one page's connection as the answering side sees it: the
// requests it has sent and not had answered, and its cursor. At most one
// goroutine answers at a time (busy), and only while there is something
// to send: a request held for news is armed as a timer (the empty batch
// after wait, the heartbeat) and a Store.AfterChange, whichever comes
// first, and no goroutine waits for it.
type page struct {
	store *Store
	c     *conns.Conn
	ctx   context.Context
	wait  time.Duration

	mu      sync.Mutex
	cur     Cursor
	pending int64 // requests not answered yet
	busy    bool  // an answer goroutine runs, or a held request is armed
	ended   bool
	held    *hold // the armed request; nil when none
}

// hold is one request held for news: its heartbeat timer and its store
// watch, of which the first to fire wins.
type hold struct {
	once    sync.Once
	timer   *time.Timer
	unwatch func() bool
}

// request counts a request from the page and starts answering it unless
// an answer is already under way or armed; it returns the requests in
// flight.
func (s *page) request() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pending++
	if !s.busy && !s.ended {
		s.busy = true
		go s.answer(false)
	}
	return s.pending
}

// answer sends a batch for each pending request that has news, or, with
// heartbeat, the batch as it is (empty when nothing came). When a request
// has no news it arms a hold and returns.
func (s *page) answer(heartbeat bool) {
	for {
		s.mu.Lock()
		if s.pending == 0 || s.ended {
			s.busy = false
			s.mu.Unlock()
			return
		}
		m, changed := s.store.Next(&s.cur)
		if changed != nil && !heartbeat {
			s.arm()
			s.mu.Unlock()
			return
		}
		s.pending--
		s.mu.Unlock()
		heartbeat = false
		// A failed write has closed the connection, which ends the
		// reader and so the socket (end).
		if write(s.ctx, s.c, m) != nil {
			return
		}
	}
}

// arm holds the request: the first of the heartbeat and the store's next
// change answers it. The caller holds s.mu, which fire takes before it
// reads h: h is whole by then.
func (s *page) arm() {
	h := &hold{}
	fire := func(heartbeat bool) {
		h.once.Do(func() {
			s.mu.Lock()
			if s.held == h {
				s.held = nil
			}
			s.mu.Unlock()
			h.timer.Stop()
			h.unwatch()
			s.answer(heartbeat)
		})
	}
	h.timer = time.AfterFunc(s.wait, func() { fire(true) })
	// The store calls this with itself locked: it only starts a goroutine.
	h.unwatch = s.store.AfterChange(func() { go fire(false) })
	s.held = h
}

// end disarms a held request once the socket has ended.
func (s *page) end() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ended = true
	if s.held != nil {
		s.held.timer.Stop()
		s.held.unwatch()
		s.held = nil
	}
}
