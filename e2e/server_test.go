package e2e

import (
	"log/slog"
	"testing"

	"socketlab/internal/testkit"
	"socketlab/server/site"
)

// testServer is a socketlab server running inside the test process, on a
// port of its own (the kit's Serving). Its log goes to a buffer that
// becomes an artifact on failure.
type testServer struct {
	t    *testing.T
	cfg  site.Config // what Start builds the next server from
	URL  string
	log  *testkit.LogBuffer
	site *site.Server // the running server, replaced by Start
	run  *testkit.Serving
	// running is false between Stop and Start.
	running bool
}

// syncBuffer is the kit's log buffer, under the name the drivers use for
// a browser's or driver's output.
type syncBuffer = testkit.LogBuffer

// openLab starts a server of its own, has a person called name open path
// on it and waits until the page's socket is open: how most scenarios
// begin.
func openLab(t *testing.T, name, path string) (*testServer, *user) {
	t.Helper()
	srv := startServer(t, site.Config{})
	u := newUser(t, name)
	u.open(srv.URL + path)
	u.waitStatus("open")
	return srv, u
}

// openHelloEnded has ada open the hello lab on a server of its own and
// waits for the lab's end: its socket closed for good, the close on screen.
func openHelloEnded(t *testing.T) *user {
	t.Helper()
	srv := startServer(t, site.Config{})
	u := newUser(t, "ada")
	u.open(srv.URL + "/hello")
	u.waitText("#hello-close", "the close", func(s string) bool { return s != "" })
	return u
}

// startServer runs a server with cfg on a free loopback port and stops it
// when the test ends.
func startServer(t *testing.T, cfg site.Config) *testServer {
	t.Helper()
	s := &testServer{t: t, cfg: cfg, log: &testkit.LogBuffer{}}
	// Registered before Serve's own cleanup, so it runs after the server
	// has stopped and its log is complete.
	t.Cleanup(func() {
		if t.Failed() {
			writeArtifact(t, "server.log", []byte(s.log.String()))
		}
	})
	s.run = testkit.Serve(t, s.newSite())
	s.URL = s.run.URL("")
	s.running = true
	return s
}

// newSite builds a server from s.cfg with its log into s.log.
func (s *testServer) newSite() *site.Server {
	s.t.Helper()
	cfg := s.cfg
	cfg.Log = s.log.Logger(slog.LevelDebug)
	srv, err := site.New(cfg)
	if err != nil {
		s.t.Fatal(err)
	}
	s.site = srv
	return srv
}

// Stop shuts the server down gracefully, as SIGTERM would, and waits for it.
func (s *testServer) Stop() {
	s.running = false
	if err := s.run.Stop(); err != nil {
		s.t.Errorf("server shutdown: %v", err)
	}
}

// Start starts the server again on the same address, as a restarted process
// would.
func (s *testServer) Start() {
	s.t.Helper()
	s.run.Restart(s.t, s.newSite())
	s.running = true
}
