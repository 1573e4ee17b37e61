package site

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"socketlab/app/msg"
	"socketlab/app/ui"
	"socketlab/server/casefold"
	"socketlab/server/chat"
	"socketlab/server/conns"
	"socketlab/server/hello"
	"socketlab/server/natsstore"
	"socketlab/web"
)

// Server is a configured socketlab server. Create it with New, run it with
// Serve.
type Server struct {
	cfg     Config
	log     *slog.Logger
	conns   *conns.Registry
	assets  *web.Assets
	version string
	handler http.Handler
	store   *natsstore.Store
	chat    *chat.Handler
}

// New builds the server from cfg: it loads the embedded assets, opens the
// chat store and wires every route. It does not listen yet. Serve closes
// what New opened; call Close instead if Serve is never called.
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
	s.conns = conns.NewRegistry(s.log)
	s.conns.OriginPatterns = cfg.AllowedOrigins
	s.conns.MaxConns = cfg.MaxConns
	s.store, err = natsstore.Open(context.Background(), natsstore.Options{DataDir: cfg.DataDir, URL: cfg.NATSURL, Log: s.log})
	if err != nil {
		return nil, fmt.Errorf("site: chat store: %w", err)
	}
	if s.chat, err = chat.New(s.conns, s.store, cfg.Chat, s.log); err != nil {
		s.store.Close()
		return nil, fmt.Errorf("site: %w", err)
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
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	s.log.Info("serving", "url", "http://"+ln.Addr().String(), "version", s.version)

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
	// The chat store last: the sockets that wrote to it are gone now.
	errStore := s.Close()
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("site: serve: %w", err)
	}
	if err := errors.Join(errSockets, errHTTP, errStore); err != nil {
		return fmt.Errorf("site: shutdown: %w", err)
	}
	s.log.Info("stopped")
	return nil
}

// Close stops the chat's fan-out and closes its store, releasing the data
// directory. Serve calls it on shutdown; call it yourself only for a Server
// that was never served. It is idempotent.
func (s *Server) Close() error {
	if s.store == nil {
		return nil
	}
	s.chat.Close()
	err := s.store.Close()
	s.store = nil
	return err
}

func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET "+msg.HelloPath, &hello.Handler{Conns: s.conns})
	mux.Handle("GET "+msg.CasefoldPath, &casefold.Handler{Conns: s.conns, ReadLimit: s.cfg.CasefoldReadLimit})
	mux.Handle("GET "+msg.ChatPath, s.chat)
	mux.Handle("GET /web/", s.assets)
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprintln(w, "ok")
	})
	// Everything else is a page, the manifest, the service worker or
	// go-app's scripts.
	mux.Handle("/", pageHandler(s.assets, s.version))
	return mux
}
