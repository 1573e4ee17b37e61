// Command server runs socketlab: the pages (a go-app PWA), the lab sockets
// and the static assets on one port.
//
//	go run ./server              # http://localhost:8080
//	go run ./server -addr :9000
//	go run ./server -plot-addr localhost:9876   # netcat sources for the plot lab
//
// The first SIGINT or SIGTERM starts a graceful shutdown (sockets closed with
// 1001 Going Away); a second one exits at once. The wiring lives in
// server/site; this file only reads flags and signals.
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"socketlab/server/site"
)

func main() {
	st, err := defineFlags(flag.CommandLine, os.Getenv)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	flag.Parse()
	if err := st.check(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}

	var h slog.Handler = slog.NewTextHandler(os.Stderr, nil)
	if st.logJSON {
		h = slog.NewJSONHandler(os.Stderr, nil)
	}
	log := slog.New(h)
	cfg := st.cfg
	cfg.Log = log
	if st.origins != "" {
		cfg.AllowedOrigins = strings.Split(st.origins, ",")
	}
	if st.debugAddr != "" {
		if err := serveDebug(st.debugAddr, log); err != nil {
			log.Error("exit", "err", err)
			os.Exit(1)
		}
	}
	if err := run(cfg, st.addr); err != nil {
		log.Error("exit", "err", err)
		os.Exit(1)
	}
}

func run(cfg site.Config, addr string) error {
	srv, err := site.New(cfg)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		// The first signal starts a graceful shutdown; a second one means
		// "now": exit without waiting for slow sockets.
		<-ctx.Done()
		again := make(chan os.Signal, 1)
		signal.Notify(again, os.Interrupt, syscall.SIGTERM)
		<-again
		cfg.Log.Warn("second signal: exiting without finishing the shutdown")
		os.Exit(exitForced)
	}()
	return srv.Serve(ctx, ln)
}

// serveDebug serves net/http/pprof on its own listener: the profiler must
// never be reachable through the public site's address, and it must stay up
// while the site is overloaded, which is when one wants a profile.
func serveDebug(addr string, log *slog.Logger) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("debug listener: %w", err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	log.Info("profiler", "url", "http://"+ln.Addr().String()+"/debug/pprof/")
	go func() {
		srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
		if err := srv.Serve(ln); err != nil {
			log.Warn("profiler stopped", "err", err)
		}
	}()
	return nil
}

// exitForced is the exit status after a second signal (128 + SIGINT, as a
// shell reports an interrupted command).
const exitForced = 130
