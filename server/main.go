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
	"os"
	"os/signal"
	"strings"
	"syscall"

	"socketlab/server/site"
)

func main() {
	addr := flag.String("addr", envOr("SOCKETLAB_ADDR", "localhost:8080"), "listen `address` (env SOCKETLAB_ADDR)")
	origins := flag.String("allowed-origins", "", "comma-separated extra `origins` allowed to open sockets (host patterns, e.g. example.com,*.example.org)")
	maxConns := flag.Int("max-conns", 10000, "maximum concurrent sockets; more get 503 before the upgrade")
	plotAddr := flag.String("plot-addr", "localhost:9876", "plot lab TCP ingest `address` for netcat-style sources (empty disables)")
	plotDemo := flag.Bool("plot-demo", true, "run the plot lab's built-in demo source")
	plotRing := flag.Int("plot-ring", 10000, "`points` kept per plot series")
	plotMaxSeries := flag.Int("plot-max-series", 32, "maximum number of plot series")
	logJSON := flag.Bool("log-json", false, "log JSON lines instead of text")
	flag.Parse()

	var h slog.Handler = slog.NewTextHandler(os.Stderr, nil)
	if *logJSON {
		h = slog.NewJSONHandler(os.Stderr, nil)
	}
	log := slog.New(h)

	cfg := site.Config{Log: log, MaxConns: *maxConns,
		PlotAddr: *plotAddr, PlotDemo: *plotDemo, PlotRing: *plotRing, PlotMaxSeries: *plotMaxSeries}
	if *origins != "" {
		cfg.AllowedOrigins = strings.Split(*origins, ",")
	}
	if err := run(cfg, *addr); err != nil {
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
		// After the first signal, restore the default behaviour so that a
		// second one kills the process at once.
		<-ctx.Done()
		stop()
	}()
	return srv.Serve(ctx, ln)
}

func envOr(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}
