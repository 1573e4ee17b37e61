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

	"socketlab/server/chat"
	"socketlab/server/site"
)

func main() {
	addr := flag.String("addr", envOr("SOCKETLAB_ADDR", "localhost:8080"), "listen `address` (env SOCKETLAB_ADDR)")
	origins := flag.String("allowed-origins", "", "comma-separated extra `origins` allowed to open sockets (host patterns, e.g. example.com,*.example.org)")
	maxConns := flag.Int("max-conns", 10000, "maximum concurrent sockets; more get 503 before the upgrade")
	casefoldLimit := flag.Int64("casefold-read-limit", 128<<10, "largest casefold message in `bytes`; bigger ones are closed with 1009")
	casefoldRate := flag.Float64("casefold-rate", 200, "casefold messages a connection is served per second (its reader is paced; a client that keeps pushing past it for -casefold-flood-grace is closed 1008)")
	casefoldFlood := flag.Duration("casefold-flood-grace", 5*time.Second, "how long a casefold client may keep pushing over -casefold-rate before 1008")
	pingEvery := flag.Duration("ping-every", 30*time.Second, "how often to ping every socket to find dead TCP connections (0 disables)")
	tlsCert := flag.String("tls-cert", "", "TLS certificate `file` (PEM); with -tls-key serves https and wss")
	tlsKey := flag.String("tls-key", "", "TLS private key `file` (PEM)")
	tlsSelf := flag.Bool("tls-self-signed", false, "serve https with a certificate for localhost made at start (development only)")
	shutdown := flag.Duration("shutdown-timeout", 4*time.Second, "how long a graceful shutdown may take before sockets are cut")
	plotAddr := flag.String("plot-addr", "localhost:9876", "plot lab TCP ingest `address` for netcat-style sources (empty disables)")
	plotDemo := flag.Bool("plot-demo", true, "run the plot lab's built-in demo source")
	plotRing := flag.Int("plot-ring", 10000, "`points` kept per plot series")
	plotMaxSeries := flag.Int("plot-max-series", 32, "maximum number of plot series")
	logJSON := flag.Bool("log-json", false, "log JSON lines instead of text")
	dataDir := flag.String("data", envOr("SOCKETLAB_DATA", "./data"), "`directory` of the chat's embedded NATS JetStream store, locked while the server runs (env SOCKETLAB_DATA)")
	natsURL := flag.String("nats-url", envOr("SOCKETLAB_NATS_URL", ""), "external NATS `URL` with JetStream for the chat instead of the embedded server; replicas on one NATS share one chat (env SOCKETLAB_NATS_URL)")
	natsCreds := flag.String("nats-creds", envOr("SOCKETLAB_NATS_CREDS", ""), "NATS credentials `file` for -nats-url (env SOCKETLAB_NATS_CREDS)")
	natsToken := flag.String("nats-token", envOr("SOCKETLAB_NATS_TOKEN", ""), "NATS authentication `token` for -nats-url (env SOCKETLAB_NATS_TOKEN; prefer the env, a flag shows in ps)")
	natsCA := flag.String("nats-ca", envOr("SOCKETLAB_NATS_CA", ""), "PEM `file` of root CAs for a tls:// -nats-url signed by a private CA (env SOCKETLAB_NATS_CA)")
	natsReplicas := flag.Int("nats-replicas", 1, "copies of the chat stream and presence bucket a clustered JetStream keeps (1 to 5; 1 with the embedded server)")
	chatRetention := flag.Int64("chat-retention", 10000, "`messages` each chat room keeps")
	chatDedup := flag.Duration("chat-dedup-window", 10*time.Minute, "how long a chat message id is remembered, so that a resend is stored once")
	chatRate := flag.Float64("chat-rate", 5, "chat envelopes a connection may send per second (pings excepted); over it they are refused with rate_limited")
	chatBurst := flag.Int("chat-burst", 20, "chat envelopes a connection may send at once over -chat-rate")
	debugAddr := flag.String("debug-addr", "", "serve Go's profiler (/debug/pprof/) on this `address`, apart from the site; keep it on localhost")
	flag.Parse()

	var h slog.Handler = slog.NewTextHandler(os.Stderr, nil)
	if *logJSON {
		h = slog.NewJSONHandler(os.Stderr, nil)
	}
	log := slog.New(h)

	cfg := site.Config{
		Log:                log,
		MaxConns:           *maxConns,
		CasefoldReadLimit:  *casefoldLimit,
		CasefoldRate:       *casefoldRate,
		CasefoldFloodGrace: *casefoldFlood,
		PingEvery:          *pingEvery,
		TLSCert:            *tlsCert,
		TLSKey:             *tlsKey,
		TLSSelfSigned:      *tlsSelf,
		ShutdownTimeout:    *shutdown,
		PlotAddr:           *plotAddr,
		PlotDemo:           *plotDemo,
		PlotRing:           *plotRing,
		PlotMaxSeries:      *plotMaxSeries,
		DataDir:            *dataDir,
		NATSURL:            *natsURL,
		NATSCreds:          *natsCreds,
		NATSToken:          *natsToken,
		NATSCA:             *natsCA,
		NATSReplicas:       *natsReplicas,
		ChatRetention:      *chatRetention,
		ChatDedupWindow:    *chatDedup,
		Chat:               chat.Options{Rate: *chatRate, Burst: *chatBurst},
	}
	if *pingEvery == 0 {
		cfg.PingEvery = -1
	}
	if *origins != "" {
		cfg.AllowedOrigins = strings.Split(*origins, ",")
	}
	if *debugAddr != "" {
		if err := serveDebug(*debugAddr, log); err != nil {
			log.Error("exit", "err", err)
			os.Exit(1)
		}
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

func envOr(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}
