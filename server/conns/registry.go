package conns

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
)

// ErrShuttingDown is returned by Accept once Shutdown has begun.
var ErrShuttingDown = errors.New("conns: server is shutting down")

// Registry accepts WebSocket upgrades and tracks the resulting connections.
// The zero value is not usable; create one with NewRegistry.
type Registry struct {
	log *slog.Logger
	// OriginPatterns are extra origins (host patterns as in
	// websocket.AcceptOptions) allowed to open sockets besides the page's own
	// host. Set before the first Accept.
	OriginPatterns []string
	// MaxConns caps concurrent sockets across all endpoints; an upgrade over
	// it is answered 503 before the handshake. Zero means no cap.
	MaxConns int

	nextID atomic.Uint64

	mu       sync.Mutex
	live     map[*Conn]struct{}
	draining bool
	idle     chan struct{} // closed when draining and live is empty
}

// NewRegistry returns an empty registry that logs to log.
func NewRegistry(log *slog.Logger) *Registry {
	return &Registry{log: log, live: make(map[*Conn]struct{})}
}

// Len reports the number of live connections.
func (r *Registry) Len() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.live)
}

// Options tune one Accept call.
type Options struct {
	// ReadLimit is the largest message accepted, in bytes; a bigger one is
	// closed with 1009. Zero keeps the library default (32 KiB).
	ReadLimit int64
	// OnPing, if set, is called for each ping frame received; returning false
	// suppresses the pong (used to bound ping floods).
	OnPing func(ctx context.Context, payload []byte) bool
}

// Accept upgrades the request on the endpoint named endpoint (used in logs)
// and registers the connection. On error it has already written an HTTP
// response (403 for a foreign origin, 503 when full or shutting down, 400
// for a bad handshake). The caller must call Conn.Finish when done with the
// connection.
func (r *Registry) Accept(w http.ResponseWriter, req *http.Request, endpoint string, opts Options) (*Conn, error) {
	r.mu.Lock()
	switch {
	case r.draining:
		r.mu.Unlock()
		http.Error(w, "server is shutting down", http.StatusServiceUnavailable)
		return nil, ErrShuttingDown
	case r.MaxConns > 0 && len(r.live) >= r.MaxConns:
		r.mu.Unlock()
		w.Header().Set("Retry-After", "5")
		http.Error(w, "too many connections", http.StatusServiceUnavailable)
		r.log.Warn("ws refused", "endpoint", endpoint, "remote", req.RemoteAddr, "reason", "max connections")
		return nil, fmt.Errorf("conns: %d connections open, the maximum", r.MaxConns)
	}
	// Reserve the slot before the handshake so that concurrent upgrades
	// cannot overshoot MaxConns.
	c := &Conn{reg: r, Endpoint: endpoint, start: time.Now()}
	r.live[c] = struct{}{}
	r.mu.Unlock()

	ws, err := websocket.Accept(w, req, &websocket.AcceptOptions{
		OriginPatterns: r.OriginPatterns,
		OnPingReceived: opts.OnPing,
	})
	if err != nil {
		r.remove(c)
		r.log.Warn("ws refused", "endpoint", endpoint, "remote", req.RemoteAddr,
			"origin", req.Header.Get("Origin"), "err", err)
		return nil, fmt.Errorf("conns: accept %s: %w", endpoint, err)
	}
	if opts.ReadLimit > 0 {
		ws.SetReadLimit(opts.ReadLimit)
	}
	c.Conn = ws
	c.ID = strconv.FormatUint(r.nextID.Add(1), 10)
	c.log = r.log.With("conn", c.ID, "endpoint", endpoint)
	c.log.Info("ws open", "remote", req.RemoteAddr)

	// Shutdown may have started during the handshake; it could not see
	// c.Conn then, so close it here.
	r.mu.Lock()
	draining := r.draining
	r.mu.Unlock()
	if draining {
		c.Close(websocket.StatusGoingAway, "server is shutting down")
	}
	return c, nil
}

func (r *Registry) remove(c *Conn) {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.live, c)
	if r.draining && len(r.live) == 0 && r.idle != nil {
		close(r.idle)
		r.idle = nil
	}
}

// Shutdown refuses new upgrades, closes every live socket with 1001 Going
// Away and waits until their handlers have finished or ctx is done, in which
// case the remaining connections are cut.
func (r *Registry) Shutdown(ctx context.Context) error {
	r.mu.Lock()
	r.draining = true
	idle := make(chan struct{})
	if len(r.live) == 0 {
		close(idle)
	} else {
		r.idle = idle
	}
	live := make([]*Conn, 0, len(r.live))
	for c := range r.live {
		live = append(live, c)
	}
	r.mu.Unlock()

	// Close concurrently: each Close waits (bounded by the library) for the
	// peer's close frame, and one slow peer must not hold up the others.
	for _, c := range live {
		if c.Conn != nil {
			go c.Close(websocket.StatusGoingAway, "server is shutting down")
		}
	}
	select {
	case <-idle:
		return nil
	case <-ctx.Done():
		for _, c := range live {
			if c.Conn != nil {
				c.Conn.CloseNow()
			}
		}
		return fmt.Errorf("conns: shutdown: %d sockets still open: %w", r.Len(), ctx.Err())
	}
}
