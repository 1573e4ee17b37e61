package site

import (
	"log/slog"
	"time"

	"socketlab/server/chat"
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
	// CasefoldReadLimit is the largest casefold message; 0 means 128 KiB.
	CasefoldReadLimit int64

	// DataDir holds the chat's embedded NATS JetStream store; the server
	// locks it, so a second server on the same directory fails at start.
	// Empty means a temporary directory removed at shutdown: the chat
	// then forgets everything when the server stops (the tests' default).
	DataDir string
	// NATSURL, when set, is an external NATS server with JetStream used
	// instead of the embedded one; several servers on one NATS share one
	// chat.
	NATSURL string
	// Chat holds the chat's limits (rate, send queue, …); zero fields are
	// defaults.
	Chat chat.Options

	// ShutdownTimeout bounds the graceful part of a shutdown; 0 means 4s.
	ShutdownTimeout time.Duration
}

func (c *Config) setDefaults() {
	if c.Log == nil {
		c.Log = slog.Default()
	}
	if c.MaxConns == 0 {
		c.MaxConns = 10000
	}
	if c.ShutdownTimeout == 0 {
		c.ShutdownTimeout = 4 * time.Second
	}
}
