package site

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"golang.org/x/time/rate"

	"socketlab/app/msg"
	"socketlab/app/ui"
	"socketlab/server/casefold"
	"socketlab/server/conns"
	"socketlab/server/hello"
	"socketlab/server/metrics"
	"socketlab/web"
)

// Server is a configured socketlab server. Create it with New, run it with
// Serve.
type Server struct {
	cfg     Config
	log     *slog.Logger
	conns   *conns.Registry
	metrics *metrics.Metrics
	tls     *tls.Config
	assets  *web.Assets
	version string
	handler http.Handler
	checks  []readiness
}

// New builds the server from cfg: it loads the embedded assets and wires
// every route. It does not listen yet.
func New(cfg Config) (*Server, error) {
	cfg.setDefaults()
	assets, err := web.Load()
	if err != nil {
		return nil, fmt.Errorf("site: %w", err)
	}
	s := &Server{cfg: cfg, log: cfg.Log, assets: assets, version: assets.Version()}
	if cfg.Version != "" {
		s.version = cfg.Version
	}
	if !assets.HasWasm() {
		s.log.Warn("app.wasm is not embedded: pages will render but not run; build with `make build`")
	}
	if s.tls, err = cfg.tlsConfig(); err != nil {
		return nil, fmt.Errorf("site: %w", err)
	}
	s.metrics = metrics.New()
	s.conns = conns.NewRegistry(s.log)
	s.conns.OriginPatterns = cfg.AllowedOrigins
	s.conns.MaxConns = cfg.MaxConns
	s.conns.Metrics = s.metrics
	if cfg.PingEvery > 0 {
		s.conns.PingEvery, s.conns.PongTimeout = cfg.PingEvery, cfg.PongTimeout
	}
	ui.Routes()
	s.handler = s.routes()
	return s, nil
}

// Version is the app version pages are served with.
func (s *Server) Version() string { return s.version }

// Handler returns the server's root handler, for tests that use httptest.
func (s *Server) Handler() http.Handler { return s.handler }

// Serve answers requests on ln until ctx is cancelled, then shuts down
// gracefully: no new connections, every socket told 1001 Going Away, in-flight
// requests finished, all within Config.ShutdownTimeout.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{
		Handler:           s.handler,
		ReadHeaderTimeout: s.cfg.HeaderTimeout,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	errc := make(chan error, 1)
	scheme := "http"
	if s.tls != nil {
		scheme = "https"
		srv.TLSConfig = s.tls
		go func() { errc <- srv.ServeTLS(ln, "", "") }()
		s.log.Info("tls", "fingerprint_sha256", Fingerprint(s.tls.Certificates[0]))
	} else {
		go func() { errc <- srv.Serve(ln) }()
	}
	s.log.Info("serving", "url", scheme+"://"+ln.Addr().String(), "version", s.version)

	select {
	case err := <-errc:
		return fmt.Errorf("site: serve: %w", err)
	case <-ctx.Done():
	}
	s.log.Info("shutting down", "sockets", s.conns.Len())
	sctx, cancel := context.WithTimeout(context.Background(), s.cfg.ShutdownTimeout)
	defer cancel()
	// Sockets first: http.Server.Shutdown does not know about hijacked
	// connections and would otherwise wait for nothing while they are cut.
	errSockets := s.conns.Shutdown(sctx)
	errHTTP := srv.Shutdown(sctx)
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("site: serve: %w", err)
	}
	if err := errors.Join(errSockets, errHTTP); err != nil {
		return fmt.Errorf("site: shutdown: %w", err)
	}
	s.log.Info("stopped")
	return nil
}

func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET "+msg.HelloPath, &hello.Handler{Conns: s.conns})
	mux.Handle("GET "+msg.CasefoldPath, &casefold.Handler{Conns: s.conns, ReadLimit: s.cfg.CasefoldReadLimit,
		Rate: rate.Limit(s.cfg.CasefoldRate), Metrics: s.metrics})
	mux.Handle("GET /web/", s.assets)
	mux.HandleFunc("GET /healthz", s.healthz)
	mux.HandleFunc("GET /readyz", s.readyz)
	mux.Handle("GET /metrics", s.metrics.Handler())
	// Everything else is a page, the manifest, the service worker or
	// go-app's scripts.
	mux.Handle("/", pageHandler(s.assets, s.version))
	return securityHeaders(mux, s.tls != nil)
}
