package natsstore

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// Stream layout. Each room is one subject, so per-subject limits are
// per-room limits and a room's history is a filtered read.
const (
	StreamName    = "CHAT"
	subjectPrefix = "chat.msg."
	subjects      = subjectPrefix + "*"
)

// Options configure Open. The zero value runs an embedded server on a
// temporary directory that Close removes.
type Options struct {
	// DataDir holds the embedded server's JetStream files (in DataDir/jetstream)
	// and the lock. Empty means a fresh temporary directory, removed by Close:
	// history then lasts as long as the Store.
	DataDir string
	// URL, when set, is an external NATS server (or cluster: a comma-separated
	// list) to use instead of the embedded one; DataDir is then ignored. A
	// tls:// URL requires TLS.
	URL string
	// Creds is a NATS credentials file (JWT and NKey seed) for URL.
	Creds string
	// Token is an authentication token for URL.
	Token string
	// CAFile is a PEM file of root CAs that URL's TLS certificate is checked
	// against, for a private CA; the system roots are used otherwise.
	CAFile string
	// Replicas is how many copies of the stream and the presence bucket a
	// clustered JetStream keeps; 1 when zero. The embedded server is not
	// clustered and accepts only 1.
	Replicas int
	// PerRoom is how many messages each room keeps; 10 000 when zero.
	PerRoom int64
	// DedupWindow is how long a message id is remembered, so that a resend
	// within it is stored once; 10 minutes when zero.
	DedupWindow time.Duration
	// Log receives the store's notable events and the embedded server's
	// warnings. Default: slog.Default().
	Log *slog.Logger
	// SetupTimeout bounds Setup's retries; 2 minutes when zero.
	SetupTimeout time.Duration
}

// Store is an open chat store. Its methods are safe for concurrent use.
type Store struct {
	log    *slog.Logger
	ns     *server.Server // nil with an external URL
	nc     *nats.Conn
	js     jetstream.JetStream
	stream jetstream.Stream
	kv     jetstream.KeyValue // the presence bucket
	batch  bool               // the server has batched direct gets (2.11+)
	opts   Options

	health    health
	stopProbe context.CancelFunc // nil until Setup succeeded
	probing   sync.WaitGroup

	mu        sync.Mutex
	reconnect []chan struct{} // told of each reconnection (Follow)
	unlock    func() error
	tmpDir    string // removed by Close when DataDir was empty
}

// Open starts (or connects to) NATS and creates or updates the CHAT stream
// and the presence bucket: Connect, then Setup. With an embedded server, a
// data directory already in use fails with an error wrapping ErrLocked.
func Open(ctx context.Context, opts Options) (*Store, error) {
	s, err := Connect(opts)
	if err != nil {
		return nil, err
	}
	if err := s.Setup(ctx); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// Defaults returns what the zero PerRoom, DedupWindow, Replicas and
// SetupTimeout stand for: the one place they are defined.
func Defaults() Options {
	return Options{PerRoom: 10000, DedupWindow: 10 * time.Minute, Replicas: 1, SetupTimeout: 2 * time.Minute}
}

// Connect starts (or connects to) NATS, without touching the stream: what
// fails here (a bad setting, a locked directory, NATS unreachable) fails at
// once. Call Setup before any other method but Ready and Close.
func Connect(opts Options) (*Store, error) {
	if opts.Log == nil {
		opts.Log = slog.Default()
	}
	d := Defaults()
	// cmp.Or takes the first that is not zero: a zero setting means the default.
	opts.PerRoom = cmp.Or(opts.PerRoom, d.PerRoom)
	opts.DedupWindow = cmp.Or(opts.DedupWindow, d.DedupWindow)
	opts.Replicas = cmp.Or(opts.Replicas, d.Replicas)
	opts.SetupTimeout = cmp.Or(opts.SetupTimeout, d.SetupTimeout)
	if opts.PerRoom < 0 || opts.DedupWindow < 0 || opts.Replicas < 1 || opts.Replicas > 5 {
		return nil, fmt.Errorf("natsstore: bad settings: %d messages per room, duplicate window %v, %d replicas (want > 0, > 0, 1 to 5)",
			opts.PerRoom, opts.DedupWindow, opts.Replicas)
	}
	if opts.URL == "" && opts.Replicas != 1 {
		return nil, fmt.Errorf("natsstore: %d replicas need a NATS cluster (-nats-url); the embedded server keeps 1", opts.Replicas)
	}
	s := &Store{log: opts.Log, opts: opts, unlock: func() error { return nil }}
	if opts.URL != "" {
		if err := s.connect(opts); err != nil {
			s.Close()
			return nil, err
		}
	} else if err := s.startEmbedded(opts.DataDir); err != nil {
		s.Close()
		return nil, err
	}
	s.batch = batchSupported(s.nc.ConnectedServerVersion())
	if !s.batch {
		s.log.Warn("NATS server before 2.11: chat history is read one message per request; upgrade for faster joins",
			"version", s.nc.ConnectedServerVersion())
	}
	var err error
	if s.js, err = jetstream.New(s.nc); err != nil {
		s.Close()
		return nil, fmt.Errorf("natsstore: %w", err)
	}
	return s, nil
}

// ErrNoJetStream is what Setup fails with, at once, on a NATS server
// without JetStream (or without it for this account).
var ErrNoJetStream = errors.New("natsstore: no JetStream")

// Setup creates or updates the stream and the presence bucket, retrying
// with backoff (250 ms doubling to 4 s, each try logged) for up to
// Options.SetupTimeout: a replica started while its NATS cluster elects a
// leader, or just after another replica created the stream, waits for it
// rather than exiting. A NATS without JetStream fails at once. Once it
// returns nil the store probes its stream's leader (Ready); it is not safe
// for concurrent use, and once it succeeded it does nothing.
func (s *Store) Setup(ctx context.Context) error {
	if s.health.started.Load() {
		return nil // done already (site tries once quickly, then again)
	}
	ctx, cancel := context.WithTimeout(ctx, s.opts.SetupTimeout)
	defer cancel()
	wait := 250 * time.Millisecond
	for try := 1; ; try++ {
		actx, acancel := context.WithTimeout(ctx, 5*time.Second)
		err := s.setupOnce(actx)
		acancel()
		if err == nil {
			break
		}
		if errors.Is(err, ErrNoJetStream) || ctx.Err() != nil {
			return err
		}
		s.log.Warn("chat store: setup failed, retrying", "try", try, "in", wait, "err", err)
		select {
		case <-ctx.Done():
			return fmt.Errorf("%w (gave up after %d tries)", err, try)
		case <-time.After(wait):
		}
		wait = min(2*wait, 4*time.Second)
	}
	s.health.leaderOK(0)
	s.health.started.Store(true)
	pctx, pcancel := context.WithCancel(context.Background())
	s.stopProbe = pcancel
	s.probing.Go(func() { s.probe(pctx) })
	return nil
}

// setupOnce is one try of Setup.
func (s *Store) setupOnce(ctx context.Context) error {
	if _, err := s.js.AccountInfo(ctx); err != nil {
		// "Not enabled" is also what the client makes of no answer at
		// all, which a cluster gives while it starts: final only when the
		// server says it has no JetStream, or not for this account.
		js, _ := s.nc.ConnectedServerJetStream()
		if errors.Is(err, jetstream.ErrJetStreamNotEnabledForAccount) || errors.Is(err, jetstream.ErrJetStreamNotEnabled) && !js && s.nc.IsConnected() {
			return fmt.Errorf("%w: the NATS server at %s has no JetStream (start it with -js, or enable JetStream for this account): %w", ErrNoJetStream, s.opts.URL, err)
		}
		return fmt.Errorf("natsstore: JetStream: %w", err)
	}
	stream, err := s.js.CreateOrUpdateStream(ctx, jetstream.StreamConfig{
		Name:              StreamName,
		Description:       "socketlab chat: one subject per room",
		Subjects:          []string{subjects},
		Storage:           jetstream.FileStorage,
		Retention:         jetstream.LimitsPolicy,
		MaxMsgsPerSubject: s.opts.PerRoom,
		Discard:           jetstream.DiscardOld,
		Duplicates:        s.opts.DedupWindow,
		Replicas:          s.opts.Replicas,
		// History reads use direct gets: no consumer per join.
		AllowDirect: true,
	})
	if err != nil {
		return fmt.Errorf("natsstore: stream %s: %w", StreamName, err)
	}
	s.stream = stream
	return s.openPresence(ctx, s.opts.Replicas)
}

// startEmbedded runs a NATS server in this process. It does not listen on
// any port: the only client is this process, over an in-process pipe, so
// parallel tests and a second instance never clash on a port.
func (s *Store) startEmbedded(dir string) error {
	if dir == "" {
		tmp, err := os.MkdirTemp("", "socketlab-chat-")
		if err != nil {
			return fmt.Errorf("natsstore: %w", err)
		}
		dir, s.tmpDir = tmp, tmp
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("natsstore: data dir: %w", err)
	}
	unlock, err := lockDir(dir)
	if err != nil {
		return err
	}
	s.unlock = unlock
	ns, err := server.NewServer(&server.Options{
		ServerName: "socketlab",
		DontListen: true,
		JetStream:  true,
		StoreDir:   filepath.Join(dir, "jetstream"),
		NoSigs:     true,
	})
	if err != nil {
		return fmt.Errorf("natsstore: embedded server: %w", err)
	}
	ns.SetLoggerV2(&natsLog{s.log.With("component", "nats")}, false, false, false)
	s.ns = ns
	ns.Start()
	if !ns.ReadyForConnections(10 * time.Second) {
		return errors.New("natsstore: embedded server not ready after 10s")
	}
	s.nc, err = nats.Connect("", nats.InProcessServer(ns), nats.Name("socketlab"))
	if err != nil {
		return fmt.Errorf("natsstore: in-process connect: %w", err)
	}
	s.log.Info("chat store open", "dir", dir, "stream", StreamName)
	return nil
}

// Close disconnects, stops the embedded server (its files are synced and
// closed), and releases the data directory. Stop the followers first.
func (s *Store) Close() error {
	if s.stopProbe != nil {
		s.stopProbe()
		s.probing.Wait()
	}
	if s.nc != nil {
		s.nc.Close()
	}
	if s.ns != nil {
		s.ns.Shutdown()
		s.ns.WaitForShutdown()
	}
	err := s.unlock()
	if s.tmpDir != "" {
		err = errors.Join(err, os.RemoveAll(s.tmpDir))
	}
	if err != nil {
		return fmt.Errorf("natsstore: close: %w", err)
	}
	return nil
}

// natsLog passes the embedded server's log to slog. Its notices (the
// start-up banner) are debug lines here: the store logs its own summary.
type natsLog struct{ l *slog.Logger }

func (n *natsLog) Noticef(f string, v ...any) { n.l.Debug(fmt.Sprintf(f, v...)) }
func (n *natsLog) Warnf(f string, v ...any)   { n.l.Warn(fmt.Sprintf(f, v...)) }
func (n *natsLog) Fatalf(f string, v ...any)  { n.l.Error(fmt.Sprintf(f, v...)) }
func (n *natsLog) Errorf(f string, v ...any)  { n.l.Error(fmt.Sprintf(f, v...)) }
func (n *natsLog) Debugf(f string, v ...any)  { n.l.Debug(fmt.Sprintf(f, v...)) }
func (n *natsLog) Tracef(string, ...any)      {}
