package site

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"

	"socketlab/app/msg"
	"socketlab/server/chat"
	"socketlab/server/conns"
	"socketlab/server/natsstore"
)

// chatStart brings the chat up behind the pages. With an external NATS the
// stream and the presence bucket may take a while to exist (a cluster
// electing its leaders, another replica creating them at the same time),
// so the server serves meanwhile: /readyz says 503 "chat store: starting"
// and a chat socket is closed with 1013 Try Again Later, which the page
// answers by reconnecting. Once ready, every chat request goes to the
// handler.
type chatStart struct {
	conns *conns.Registry
	h     atomic.Pointer[chat.Handler]
	err   atomic.Pointer[error] // set when the start gave up: the server ends (fatal)
	fatal chan struct{}         // closed when err is set

	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// run sets the store up (natsstore.Store.Setup retries with backoff, up
// to its SetupTimeout) and starts the chat on it, retrying the chat's own
// start the same way within the same bound.
func (cs *chatStart) run(ctx context.Context, store *natsstore.Store, newChat func() (*chat.Handler, error), log interface {
	Warn(string, ...any)
	Info(string, ...any)
}, bound time.Duration) {
	deadline := time.Now().Add(bound)
	err := store.Setup(ctx)
	wait := 250 * time.Millisecond
	for err == nil {
		h, cerr := newChat()
		if cerr == nil {
			cs.h.Store(h)
			log.Info("chat ready")
			return
		}
		if ctx.Err() != nil || time.Now().After(deadline) {
			err = cerr
			break
		}
		log.Warn("chat: start failed, retrying", "in", wait, "err", cerr)
		select {
		case <-ctx.Done():
		case <-time.After(wait):
		}
		wait = min(2*wait, 4*time.Second)
	}
	if ctx.Err() != nil {
		return
	}
	err = fmt.Errorf("site: chat store: %w", err)
	cs.err.Store(&err)
	close(cs.fatal)
}

// quickStart tries to start the chat within a few seconds, which it does
// whenever NATS is healthy, so that a server that returns from New serves
// the chat at once. It fails only on what no retry cures (a NATS without
// JetStream); otherwise a chat not started yet is left to run.
func (cs *chatStart) quickStart(store *natsstore.Store, newChat func() (*chat.Handler, error)) error {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	err := store.Setup(ctx)
	if errors.Is(err, natsstore.ErrNoJetStream) {
		return err
	}
	if err == nil {
		if h, err := newChat(); err == nil {
			cs.h.Store(h)
		}
	}
	return nil
}

// ready is the chat's readiness check.
func (cs *chatStart) ready(ctx context.Context) error {
	if h := cs.h.Load(); h != nil {
		return h.Ready(ctx)
	}
	if p := cs.err.Load(); p != nil {
		return *p
	}
	return natsstore.ErrStarting
}

// ServeHTTP serves a chat socket, or closes it with 1013 while the chat
// starts.
func (cs *chatStart) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if h := cs.h.Load(); h != nil {
		h.ServeHTTP(w, r)
		return
	}
	c, err := cs.conns.Accept(w, r, msg.ChatPath, conns.Options{ReadLimit: msg.ChatReadLimit})
	if err != nil {
		return
	}
	// Like the chat's own sockets, closed from a goroutine of its own:
	// Close waits (bounded) for the peer's answer.
	go func() {
		c.Close(websocket.StatusTryAgainLater, "chat store: starting; reconnect shortly")
		c.Finish(nil)
	}()
}

// stop ends the start if it is still under way and stops the chat.
func (cs *chatStart) stop() {
	if cs.cancel != nil {
		cs.cancel()
	}
	cs.wg.Wait()
	if h := cs.h.Load(); h != nil {
		h.Close()
	}
}
