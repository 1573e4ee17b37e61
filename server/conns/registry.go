package conns

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
	"golang.org/x/time/rate"

	"socketlab/server/metrics"
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
	// Metrics receives opens, closes, refusals and message counts; nil
	// records nothing.
	Metrics *metrics.Metrics
	// PingEvery is how often the server sends a WebSocket ping on each
	// connection; a peer that does not answer within PongTimeout is dropped.
	// Browsers answer pings by themselves, so this finds half-open TCP
	// connections (a client that vanished without a FIN) that would
	// otherwise hold a slot forever. Zero disables it.
	PingEvery   time.Duration
	PongTimeout time.Duration
	// Tapper, when set, gets a copy of every byte of each socket whose
	// URL has a tap parameter (see Tapper); nil taps nothing and ignores
	// the parameter. Set before the first Accept.
	Tapper Tapper

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
	// suppresses the pong. By default pongs are limited to 20 a second
	// (bursts of 40) so that a ping flood cannot make the server write.
	OnPing func(ctx context.Context, payload []byte) bool
	// MaxUnsent, when positive, caps the bytes the kernel may hold that it
	// has not yet sent to the peer (TCP_NOTSENT_LOWAT, Linux only). A
	// handler with its own bounded send queue sets it so that a slow
	// peer's backlog piles up in that queue, where the handler sees it,
	// rather than in a send buffer the kernel grows to megabytes.
	MaxUnsent int
	// Compression is the permessage-deflate mode offered to a browser
	// that asks for it; the zero value disables compression.
	Compression websocket.CompressionMode
	// NoTap keeps the socket untapped even if its URL asks for a tap: the
	// wire lab's observer is never tapped, so that no report describes
	// itself.
	NoTap bool
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
		r.Metrics.Refused(endpoint, "shutting_down")
		http.Error(w, "server is shutting down", http.StatusServiceUnavailable)
		return nil, ErrShuttingDown
	case r.MaxConns > 0 && len(r.live) >= r.MaxConns:
		r.mu.Unlock()
		w.Header().Set("Retry-After", "5")
		http.Error(w, "too many connections", http.StatusServiceUnavailable)
		r.Metrics.Refused(endpoint, "max_conns")
		r.log.Warn("ws refused", "endpoint", endpoint, "remote", req.RemoteAddr, "reason", "max connections")
		return nil, fmt.Errorf("conns: %d connections open, the maximum", r.MaxConns)
	}
	// Reserve the slot before the handshake so that concurrent upgrades
	// cannot overshoot MaxConns.
	c := &Conn{reg: r, Endpoint: endpoint, start: time.Now()}
	r.live[c] = struct{}{}
	r.mu.Unlock()

	onPing := opts.OnPing
	if onPing == nil {
		// Each ping costs a pong write; a peer that pings faster than any
		// keepalive needs gets no more pongs until it slows down.
		lim := rate.NewLimiter(20, 40)
		onPing = func(context.Context, []byte) bool {
			if lim.Allow() {
				return true
			}
			r.Metrics.Drop(endpoint, "ping_flood")
			return false
		}
	}
	cw := &corkingWriter{ResponseWriter: w, unsent: opts.MaxUnsent}
	if r.Tapper != nil && !opts.NoTap && req.URL.Query().Has("tap") {
		cw.tap = &tapHead{}
	}
	ws, err := websocket.Accept(cw, req, &websocket.AcceptOptions{
		OriginPatterns:  r.OriginPatterns,
		OnPingReceived:  onPing,
		CompressionMode: opts.Compression,
	})
	if err != nil {
		r.remove(c)
		r.Metrics.Refused(endpoint, refusal(req))
		r.log.Warn("ws refused", "endpoint", endpoint, "remote", req.RemoteAddr,
			"origin", req.Header.Get("Origin"), "err", err)
		return nil, fmt.Errorf("conns: accept %s: %w", endpoint, err)
	}
	// The connection enforces the limit itself (Conn.ReadInto), and reads
	// the rest of an oversized message before closing; the library's
	// limit is past that.
	c.limit = opts.ReadLimit
	if c.limit <= 0 {
		c.limit = 32 << 10
	}
	ws.SetReadLimit(c.limit + drainMaxBytes + 1)
	c.ID = strconv.FormatUint(r.nextID.Add(1), 10)
	c.log = r.log.With("conn", c.ID, "endpoint", endpoint)
	c.log.Info("ws open", "remote", req.RemoteAddr)
	r.Metrics.Opened(endpoint)
	c.counters = r.Metrics.Endpoint(endpoint)
	// c.ws is set under the lock because Shutdown reads it from another
	// goroutine.
	r.mu.Lock()
	c.ws, c.net = ws, cw.conn
	draining := r.draining
	r.mu.Unlock()
	if cw.tap != nil {
		if err := r.tap(c, req, cw.tap); err != nil {
			return nil, err
		}
	}
	if r.PingEvery > 0 {
		c.keepAlive(r.PingEvery, r.PongTimeout)
	}

	// Shutdown may have started during the handshake; it could not see
	// c.ws then, so close it here.
	if draining {
		c.Close(websocket.StatusGoingAway, "server is shutting down")
	}
	return c, nil
}

// tap hands a tapped socket to the Tapper before it reads or writes
// anything. A socket the Tapper refuses is closed with 1008 and finished.
func (r *Registry) tap(c *Conn, req *http.Request, h *tapHead) error {
	err := h.tc.attach(func() (Tap, error) { return r.Tapper.Tap(c, req, h.handshake(req)) }, h.early)
	if err != nil {
		reason := err.Error()
		if len(reason) > maxCloseReason {
			reason = reason[:maxCloseReason]
		}
		c.Close(websocket.StatusPolicyViolation, reason)
		c.Finish(nil)
		return fmt.Errorf("conns: tap refused: %w", err)
	}
	c.tap = h.tc
	return nil
}

// maxCloseReason is the longest close reason a control frame can carry.
const maxCloseReason = 123

// refusal names why websocket.Accept refused a request, for metrics.
func refusal(req *http.Request) string {
	if o := req.Header.Get("Origin"); o != "" && !strings.Contains(o, "://"+req.Host) {
		return "origin"
	}
	return "bad_handshake"
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
	// Only sockets past their handshake: Accept closes the others itself
	// when it sees draining.
	live := make([]*Conn, 0, len(r.live))
	for c := range r.live {
		if c.ws != nil {
			live = append(live, c)
		}
	}
	r.mu.Unlock()

	// Close concurrently: each Close waits (bounded by the library) for the
	// peer's close frame, and one slow peer must not hold up the others.
	for _, c := range live {
		go c.Close(websocket.StatusGoingAway, "server is shutting down")
	}
	select {
	case <-idle:
		return nil
	case <-ctx.Done():
		for _, c := range live {
			c.ws.CloseNow()
		}
		return fmt.Errorf("conns: shutdown: %d sockets still open: %w", r.Len(), ctx.Err())
	}
}
