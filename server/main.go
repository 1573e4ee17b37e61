// Command server runs socketlab: the pages (a go-app PWA), the lab sockets
// and the static assets on one port.
//
//	go run ./server              # http://localhost:8080
//	go run ./server -addr :9000
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
	logJSON := flag.Bool("log-json", false, "log JSON lines instead of text")
	dataDir := flag.String("data", envOr("SOCKETLAB_DATA", "./data"), "`directory` of the chat's embedded NATS JetStream store, locked while the server runs (env SOCKETLAB_DATA)")
	natsURL := flag.String("nats-url", envOr("SOCKETLAB_NATS_URL", ""), "external NATS `URL` with JetStream for the chat instead of the embedded server; replicas on one NATS share one chat (env SOCKETLAB_NATS_URL)")
	flag.Parse()

	var h slog.Handler = slog.NewTextHandler(os.Stderr, nil)
	if *logJSON {
		h = slog.NewJSONHandler(os.Stderr, nil)
	}
	log := slog.New(h)

	cfg := site.Config{Log: log, MaxConns: *maxConns, DataDir: *dataDir, NATSURL: *natsURL}
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
