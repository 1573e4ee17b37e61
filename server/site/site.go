package site

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"socketlab/app/msg"
	"socketlab/app/ui"
	"socketlab/server/casefold"
	"socketlab/server/chat"
	"socketlab/server/conns"
	"socketlab/server/hello"
	"socketlab/server/metrics"
	"socketlab/server/natsstore"
	"socketlab/server/plot"
	"socketlab/server/wire"
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

	plot   *plot.Store
	plotLn net.Listener // nil when the TCP ingest is disabled

	store *natsstore.Store
	chat  *chatStart

	taps *wire.Hub // the wire lab's tap hub, the registry's Tapper
}

// New builds the server from cfg: it loads the embedded assets, opens the
// chat store, binds the plot lab's TCP port when Config.PlotAddr is set (so
// that a port in use fails here) and wires every route. It serves nothing
// until Serve. Serve closes what New opened; call Close instead if Serve is
// never called.
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
	// Any lab's socket opened with ?tap=<id> is decoded for the wire
	// lab's observer.
	s.taps = wire.NewHub()
	s.taps.Wait = cfg.WireWatchWait
	s.conns.Tapper = s.taps
	s.plot = plot.NewStore(cfg.PlotRing, cfg.PlotMaxSeries)
	s.store, err = natsstore.Connect(natsstore.Options{DataDir: cfg.DataDir, URL: cfg.NATSURL,
		Creds: cfg.NATSCreds, Token: cfg.NATSToken, CAFile: cfg.NATSCA, Replicas: cfg.NATSReplicas,
		PerRoom: cfg.ChatRetention, DedupWindow: cfg.ChatDedupWindow, SetupTimeout: cfg.ChatStartTimeout, Log: s.log})
	if err != nil {
		return nil, fmt.Errorf("site: chat store: %w", err)
	}
	s.chat = &chatStart{conns: s.conns, fatal: make(chan struct{})}
	newChat := func() (*chat.Handler, error) { return chat.New(s.conns, s.store, cfg.Chat, s.log) }
	if cfg.NATSURL == "" {
		// The embedded server is up already: its stream is created in
		// milliseconds, and a failure here is one to report at once.
		var h *chat.Handler
		err := s.store.Setup(context.Background())
		if err == nil {
			h, err = newChat()
		}
		if err != nil {
			s.store.Close()
			return nil, fmt.Errorf("site: chat store: %w", err)
		}
		s.chat.h.Store(h)
	} else if err := s.chat.quickStart(s.store, newChat); err != nil {
		s.store.Close()
		return nil, fmt.Errorf("site: chat store: %w", err)
	} else if s.chat.h.Load() == nil {
		// Not ready in a few seconds: serve pages meanwhile, and go on
		// trying in the background.
		ctx, cancel := context.WithCancel(context.Background())
		s.chat.cancel = cancel
		s.chat.wg.Go(func() { s.chat.run(ctx, s.store, newChat, s.log, cfg.ChatStartTimeout) })
	}
	s.checks = append(s.checks, readiness{"chat store", s.chat.ready})
	ui.Routes()
	s.handler = s.routes()
	if cfg.PlotAddr != "" {
		if s.plotLn, err = net.Listen("tcp", cfg.PlotAddr); err != nil {
			s.plotLn = nil
			s.Close()
			return nil, fmt.Errorf("site: plot ingest: %w", err)
		}
	}
	return s, nil
}

// Version is the app version pages are served with.
func (s *Server) Version() string { return s.version }

// PlotAddr is the address the plot lab's TCP ingest listens on, or "" when
// it is disabled.
func (s *Server) PlotAddr() string {
	if s.plotLn == nil {
		return ""
	}
	return s.plotLn.Addr().String()
}

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
	var fresh freshConns
	srv.ConnState = fresh.track
	srv.RegisterOnShutdown(fresh.closeAll)
	errc := make(chan error, 1)
	scheme := "http"
	if s.tls != nil {
		scheme = "https"
		srv.TLSConfig = s.tls
		go func() { errc <- srv.ServeTLS(ln, "", "") }()
		s.log.Info("tls", "fingerprint_sha256", Fingerprint(s.tls.Certificates[0]))
	} else {
		// The wire lab shows a tapped socket's handshake as it crossed;
		// behind TLS the recorder would see only ciphertext, and the
		// handshake is rebuilt from the parsed request instead.
		go func() { errc <- srv.Serve(conns.RecordHeads(ln)) }()
	}
	s.log.Info("serving", "url", scheme+"://"+ln.Addr().String(), "version", s.version)
	stopPlot := s.servePlot(ctx)
	defer stopPlot()

	var errChat error
	select {
	case err := <-errc:
		s.Close()
		return fmt.Errorf("site: serve: %w", err)
	case <-s.chat.fatal:
		// The chat store could not be set up within ChatStartTimeout:
		// end, so that whatever supervises the replica sees it.
		errChat = *s.chat.err.Load()
		s.log.Error("chat store: giving up", "err", errChat)
	case <-ctx.Done():
	}
	s.log.Info("shutting down", "sockets", s.conns.Len())
	stopPlot()
	sctx, cancel := context.WithTimeout(context.Background(), s.cfg.ShutdownTimeout)
	defer cancel()
	// Sockets first: http.Server.Shutdown does not know about hijacked
	// connections and would otherwise wait for nothing while they are cut.
	errSockets := s.conns.Shutdown(sctx)
	errHTTP := srv.Shutdown(sctx)
	// The chat store last: the sockets that wrote to it are gone now.
	errStore := s.Close()
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("site: serve: %w", err)
	}
	if err := errors.Join(errChat, errSockets, errHTTP, errStore); err != nil {
		return fmt.Errorf("site: shutdown: %w", err)
	}
	s.log.Info("stopped")
	return nil
}

// Close stops the chat's fan-out and closes its store, releasing the data
// directory. Serve calls it on shutdown; call it yourself only for a Server
// that was never served. It is idempotent.
func (s *Server) Close() error {
	if s.plotLn != nil {
		s.plotLn.Close() // already closed if Serve ran; harmless then
	}
	if s.store == nil {
		return nil
	}
	s.chat.stop()
	err := s.store.Close()
	s.store = nil
	return err
}

func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET "+msg.HelloPath, &hello.Handler{Conns: s.conns, Delay: s.cfg.HelloDelay})
	mux.Handle("GET "+msg.CasefoldPath, &casefold.Handler{Conns: s.conns, ReadLimit: s.cfg.CasefoldReadLimit,
		Rate: rate.Limit(s.cfg.CasefoldRate), FloodGrace: s.cfg.CasefoldFloodGrace, Metrics: s.metrics})
	mux.Handle("GET "+msg.PlotPath, &plot.Handler{Conns: s.conns, Store: s.plot})
	mux.Handle(plot.PostPath, &plot.PostHandler{Store: s.plot, AllowedOrigins: s.cfg.AllowedOrigins})
	mux.Handle("GET "+msg.ChatPath, s.chat)
	mux.Handle("GET "+msg.WirePath, &wire.Echo{Conns: s.conns, Hub: s.taps})
	mux.Handle("GET "+msg.WireWatchPath, &wire.Watch{Conns: s.conns, Hub: s.taps})
	mux.Handle("GET /web/", s.assets)
	mux.HandleFunc("GET /healthz", s.healthz)
	mux.HandleFunc("GET /readyz", s.readyz)
	mux.Handle("GET /metrics", s.metrics.Handler())
	// Everything else is a page, the manifest, the service worker or
	// go-app's scripts.
	mux.Handle("/", pageHandler(s.assets, s.version))
	return securityHeaders(mux, s.tls != nil)
}

// servePlot starts the plot lab's producers, the TCP ingest and the demo,
// and returns a function that stops them and waits; it may be called more
// than once.
func (s *Server) servePlot(ctx context.Context) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	if s.plotLn != nil {
		s.log.Info("plot ingest", "addr", s.plotLn.Addr().String())
		ingest := &plot.TCPIngest{Store: s.plot, Log: s.log}
		wg.Go(func() {
			if err := ingest.Serve(ctx, s.plotLn); err != nil {
				s.log.Error("plot ingest stopped", "err", err)
			}
		})
	}
	if s.cfg.PlotDemo {
		wg.Go(func() {
			if err := (&plot.Demo{Store: s.plot}).Run(ctx); err != nil {
				s.log.Error("plot demo stopped", "err", err)
			}
		})
	}
	return func() {
		cancel()
		wg.Wait()
	}
}
