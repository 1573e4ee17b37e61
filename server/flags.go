package main

import (
	"flag"
	"fmt"
	"strings"

	"socketlab/server/site"
)

// settings are what the command line (and its environment) says: the
// site's configuration and what main itself acts on.
type settings struct {
	cfg       site.Config
	addr      string
	origins   string
	debugAddr string
	logJSON   bool
}

// defineFlags defines the server's flags on fs, each with its default from
// site.Defaults (the one place a default is defined), and returns where
// they are parsed to. A setting with an environment variable takes it as
// its value before the command line is parsed: a flag given wins over it.
func defineFlags(fs *flag.FlagSet, getenv func(string) string) (*settings, error) {
	d := site.Defaults()
	s := &settings{}
	c := &s.cfg
	fs.StringVar(&s.addr, "addr", "localhost:8080", "listen `address` (env SOCKETLAB_ADDR)")
	fs.StringVar(&s.origins, "allowed-origins", "", "comma-separated extra `origins` allowed to open sockets (host patterns, e.g. example.com,*.example.org)")
	fs.IntVar(&c.MaxConns, "max-conns", d.MaxConns, "maximum concurrent sockets; more get 503 before the upgrade")
	fs.Int64Var(&c.CasefoldReadLimit, "casefold-read-limit", d.CasefoldReadLimit, "largest casefold message in `bytes`; bigger ones are closed with 1009")
	fs.Float64Var(&c.CasefoldRate, "casefold-rate", d.CasefoldRate, "casefold messages a connection is served per second (its reader is paced; a client that keeps pushing past it for -casefold-flood-grace is closed 1008)")
	fs.DurationVar(&c.CasefoldFloodGrace, "casefold-flood-grace", d.CasefoldFloodGrace, "how long a casefold client may keep pushing over -casefold-rate before 1008")
	fs.DurationVar(&c.HelloDelay, "hello-delay", d.HelloDelay, "the hello lab's pause between its two messages (the idle bench lengthens it to hold hello sockets open)")
	fs.DurationVar(&c.PingEvery, "ping-every", d.PingEvery, "how often to ping every socket to find dead TCP connections (negative, e.g. -1s, disables)")
	fs.StringVar(&c.TLSCert, "tls-cert", "", "TLS certificate `file` (PEM); with -tls-key serves https and wss")
	fs.StringVar(&c.TLSKey, "tls-key", "", "TLS private key `file` (PEM)")
	fs.BoolVar(&c.TLSSelfSigned, "tls-self-signed", false, "serve https with a certificate for localhost made at start (development only)")
	fs.DurationVar(&c.ShutdownTimeout, "shutdown-timeout", d.ShutdownTimeout, "how long a graceful shutdown may take before sockets are cut")
	fs.StringVar(&c.PlotAddr, "plot-addr", "localhost:9876", "plot lab TCP ingest `address` for netcat-style sources (empty disables)")
	fs.BoolVar(&c.PlotDemo, "plot-demo", true, "run the plot lab's built-in demo source")
	fs.IntVar(&c.PlotRing, "plot-ring", d.PlotRing, "`points` kept per plot series")
	fs.IntVar(&c.PlotMaxSeries, "plot-max-series", d.PlotMaxSeries, "maximum number of plot series")
	fs.BoolVar(&s.logJSON, "log-json", false, "log JSON lines instead of text")
	fs.StringVar(&c.DataDir, "data", "./data", "`directory` of the chat's embedded NATS JetStream store, locked while the server runs (env SOCKETLAB_DATA)")
	fs.StringVar(&c.NATSURL, "nats-url", "", "external NATS `URL` with JetStream for the chat instead of the embedded server; replicas on one NATS share one chat (env SOCKETLAB_NATS_URL)")
	fs.StringVar(&c.NATSCreds, "nats-creds", "", "NATS credentials `file` for -nats-url (env SOCKETLAB_NATS_CREDS)")
	fs.StringVar(&c.NATSToken, "nats-token", "", "NATS authentication `token` for -nats-url (env SOCKETLAB_NATS_TOKEN; prefer the env, a flag shows in ps)")
	fs.StringVar(&c.NATSCA, "nats-ca", "", "PEM `file` of root CAs for a tls:// -nats-url signed by a private CA (env SOCKETLAB_NATS_CA)")
	fs.IntVar(&c.NATSReplicas, "nats-replicas", d.NATSReplicas, "copies of the chat stream and presence bucket a clustered JetStream keeps (1 to 5; 1 with the embedded server)")
	fs.Int64Var(&c.ChatRetention, "chat-retention", d.ChatRetention, "`messages` each chat room keeps")
	fs.DurationVar(&c.ChatDedupWindow, "chat-dedup-window", d.ChatDedupWindow, "how long a chat message id is remembered, so that a resend is stored once")
	fs.Float64Var(&c.Chat.Rate, "chat-rate", d.Chat.Rate, "chat envelopes a connection may send per second (pings excepted); over it they are refused with rate_limited (env SOCKETLAB_CHAT_RATE)")
	fs.IntVar(&c.Chat.Burst, "chat-burst", d.Chat.Burst, "chat envelopes a connection may send at once above -chat-rate (env SOCKETLAB_CHAT_BURST)")
	fs.DurationVar(&c.Chat.WriteDelay, "chat-write-delay", d.Chat.WriteDelay, "how long a chat socket's writer waits for more after a first frame, so that a busy room costs one write per socket per delay, not one per message (negative: write at once) (env SOCKETLAB_CHAT_WRITE_DELAY)")
	fs.IntVar(&c.Chat.SendQueue, "chat-queue", d.Chat.SendQueue, "`frames` that may wait for a slow chat socket before it is closed with 4008 (env SOCKETLAB_CHAT_QUEUE)")
	fs.IntVar(&c.Chat.MaxText, "chat-text-max", d.Chat.MaxText, "longest chat message in `characters`; it may only be lowered below the protocol's limit, a longer say is refused with too_long (env SOCKETLAB_CHAT_TEXT_MAX)")
	fs.IntVar(&c.Chat.History, "chat-history", d.Chat.History, "`messages` of history a chat join shows (env SOCKETLAB_CHAT_HISTORY)")
	fs.StringVar(&s.debugAddr, "debug-addr", "", "serve Go's profiler (/debug/pprof/) on this `address`, apart from the site; keep it on localhost")

	// The environment: every flag whose help names a variable.
	var err error
	fs.VisitAll(func(f *flag.Flag) {
		name, ok := envName(f.Usage)
		if !ok || err != nil {
			return
		}
		if v := getenv(name); v != "" {
			if serr := fs.Set(f.Name, v); serr != nil {
				err = fmt.Errorf("%s=%q: %w", name, v, serr)
			}
		}
	})
	return s, err
}

// check refuses what the flags allow but would not mean what they say.
func (s *settings) check() error {
	// In the configuration 0 means "the default"; on a command line a 0
	// reads as "off", so neither reading is taken silently.
	if s.cfg.PingEvery == 0 {
		return fmt.Errorf("-ping-every 0: give a negative duration (e.g. -1s) to disable pings, or a positive one")
	}
	if s.cfg.Chat.WriteDelay == 0 {
		return fmt.Errorf("-chat-write-delay 0: give a negative duration (e.g. -1ms) to write at once, or a positive one")
	}
	return nil
}

// envName finds the "(env SOCKETLAB_…" a flag's help names: the help is
// where a reader of -h learns of the variable, so it is also where the
// variable is defined, once.
func envName(usage string) (string, bool) {
	_, rest, ok := strings.Cut(usage, "(env ")
	if !ok {
		return "", false
	}
	end := strings.IndexAny(rest, ";) ")
	if end < 0 {
		return "", false
	}
	return rest[:end], true
}
