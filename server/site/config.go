package site

import (
	"cmp"
	"crypto/tls"
	"log/slog"
	"time"

	"socketlab/app/msg"
	"socketlab/server/chat"
	"socketlab/server/natsstore"
)

// Config is everything the server can be told. The zero value of each field
// is a sane default, so Config{} serves a working socketlab.
type Config struct {
	// Log receives one line per connection and per notable event. Default:
	// slog.Default().
	Log *slog.Logger

	// Version overrides the app version derived from the embedded build.
	// Only tests of the "update available" notice need it.
	Version string

	// AllowedOrigins are extra origins allowed to open sockets, as host
	// patterns ("example.com", "*.example.com"); the page's own host is
	// always allowed.
	AllowedOrigins []string
	// MaxConns caps concurrent sockets; 0 means 10 000.
	MaxConns int
	// HelloDelay is the hello lab's pause between its two messages; 0
	// means msg.HelloDelay (a second). The conformance suite lengthens
	// it, so that hello's own close does not end a case early.
	HelloDelay time.Duration
	// CasefoldReadLimit is the largest casefold message; 0 means 128 KiB.
	CasefoldReadLimit int64

	// CasefoldRate is how many casefold messages a connection is served per
	// second (bursts of twice that): its reader is paced to it. 0 means 200.
	CasefoldRate float64
	// CasefoldFloodGrace is how long a client may keep pushing over that
	// rate before it is closed with 1008; 0 means msg.CasefoldFloodGrace.
	CasefoldFloodGrace time.Duration

	// PingEvery is how often the server pings every socket to find dead TCP
	// connections; 0 means 30s, negative disables (as -ping-every does). PongTimeout is how long a
	// pong may take; 0 means 10s.
	PingEvery   time.Duration
	PongTimeout time.Duration

	// TLS: a certificate and key file, or a self-signed certificate made at
	// start (development), or a certificate in memory (tests). None of them
	// means plain HTTP.
	TLSCert, TLSKey string
	TLSSelfSigned   bool
	TLSCertificate  *tls.Certificate

	// HeaderTimeout bounds how long a client may take to send its request
	// headers, the WebSocket handshake included (slowloris); 0 means 10s.
	HeaderTimeout time.Duration
	// PlotAddr is the TCP address of the plot lab's line-protocol ingest
	// (netcat-compatible). Empty disables it, so that tests can run many
	// servers at once; server/flags.go's -plot-addr fills it. Use port 0 to
	// pick a free port and read it back with Server.PlotAddr.
	PlotAddr string
	// PlotDemo runs the plot lab's built-in demo source.
	PlotDemo bool
	// PlotRing is how many points each plot series keeps; 0 means 10 000.
	PlotRing int
	// PlotMaxSeries caps the number of plot series; 0 means 32.
	PlotMaxSeries int
	// DataDir holds the chat's embedded NATS JetStream store; the server
	// locks it, so a second server on the same directory fails at start.
	// Empty means a temporary directory removed at shutdown: the chat
	// then forgets everything when the server stops (the tests' default).
	DataDir string
	// NATSURL, when set, is an external NATS server with JetStream used
	// instead of the embedded one; several servers on one NATS share one
	// chat.
	NATSURL string
	// NATSCreds (a credentials file), NATSToken and NATSCA (a PEM file of
	// root CAs for a tls:// NATSURL) authenticate to the external NATS.
	NATSCreds, NATSToken, NATSCA string
	// NATSReplicas is how many copies a clustered JetStream keeps of the
	// chat stream and presence bucket; 0 means 1 (the only choice with the
	// embedded server).
	NATSReplicas int
	// ChatRetention is how many messages each chat room keeps; 0 means
	// 10 000. ChatDedupWindow is how long a message id is remembered so a
	// resend is stored once; 0 means 10 minutes.
	ChatRetention   int64
	ChatDedupWindow time.Duration
	// ChatStartTimeout bounds how long a server on an external NATS keeps
	// trying to create the chat's stream and bucket (serving pages, with
	// /readyz 503, meanwhile) before it gives up and Serve returns an
	// error; 0 means 2 minutes.
	ChatStartTimeout time.Duration
	// Chat holds the chat's limits (rate, send queue, …); zero fields are
	// defaults.
	Chat chat.Options

	// WireWatchWait bounds how long a wire observer waits for its subject
	// (then 1008) and a subject's records for their observer; 0 means
	// msg.WireWatchWait.
	WireWatchWait time.Duration

	// ShutdownTimeout bounds the graceful part of a shutdown; 0 means 4s.
	ShutdownTimeout time.Duration
}

// Defaults returns what the zero value of each setting stands for, every
// one filled in. It is the one list of the server's defaults: each comes
// from the package that owns the setting (chat.Defaults,
// natsstore.Defaults, the protocol's constants in app/msg) or is defined
// here, and server/flags.go's flags show these values.
func Defaults() Config {
	store := natsstore.Defaults()
	return Config{
		MaxConns:           10000,
		HelloDelay:         msg.HelloDelay,
		CasefoldReadLimit:  msg.CasefoldReadLimit,
		CasefoldRate:       200,
		CasefoldFloodGrace: msg.CasefoldFloodGrace,
		PingEvery:          30 * time.Second,
		PongTimeout:        10 * time.Second,
		HeaderTimeout:      10 * time.Second,
		PlotRing:           msg.PlotRing,
		PlotMaxSeries:      msg.PlotMaxSeries,
		NATSReplicas:       store.Replicas,
		ChatRetention:      store.PerRoom,
		ChatDedupWindow:    store.DedupWindow,
		ChatStartTimeout:   store.SetupTimeout,
		Chat:               chat.Defaults(),
		WireWatchWait:      msg.WireWatchWait,
		ShutdownTimeout:    4 * time.Second,
	}
}

// setDefaults fills in the settings the server itself applies; the others
// (the casefold, plot, chat, NATS and wire settings) their own packages
// fill in from the same zero.
func (c *Config) setDefaults() {
	d := Defaults()
	if c.Log == nil {
		c.Log = slog.Default()
	}
	// cmp.Or takes the first that is not zero: a zero setting means the default.
	c.MaxConns = cmp.Or(c.MaxConns, d.MaxConns)
	c.CasefoldRate = cmp.Or(c.CasefoldRate, d.CasefoldRate)
	c.PingEvery = cmp.Or(c.PingEvery, d.PingEvery)
	c.PongTimeout = cmp.Or(c.PongTimeout, d.PongTimeout)
	c.HeaderTimeout = cmp.Or(c.HeaderTimeout, d.HeaderTimeout)
	c.ChatStartTimeout = cmp.Or(c.ChatStartTimeout, d.ChatStartTimeout)
	c.ShutdownTimeout = cmp.Or(c.ShutdownTimeout, d.ShutdownTimeout)
}
