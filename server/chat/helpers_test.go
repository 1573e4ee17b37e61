package chat

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"slices"
	"strings"
	"testing"
	"time"

	"socketlab/app/msg"
	"socketlab/internal/testkit"
	"socketlab/server/conns"
	"socketlab/server/metrics"
	"socketlab/server/natsstore"
)

// testServer is the real handler with a real embedded JetStream in a
// temporary directory, behind an httptest server.
type testServer struct {
	h       *Handler
	store   *natsstore.Store
	metrics *metrics.Metrics
	url     string
}

// metric reads one counter or gauge from the server's metrics, as /metrics
// serves it: name without the socketlab_ prefix, then label pairs. A
// metric not yet counted reads 0.
func (s *testServer) metric(t *testing.T, name string, labels ...string) float64 {
	t.Helper()
	families, err := s.metrics.Registry().Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range families {
		if f.GetName() != "socketlab_"+name {
			continue
		}
	next:
		for _, m := range f.GetMetric() {
			have := map[string]string{}
			for _, l := range m.GetLabel() {
				have[l.GetName()] = l.GetValue()
			}
			for i := 0; i+1 < len(labels); i += 2 {
				if have[labels[i]] != labels[i+1] {
					continue next
				}
			}
			if m.GetCounter() != nil {
				return m.GetCounter().GetValue()
			}
			return m.GetGauge().GetValue()
		}
	}
	return 0
}

// sockets is how many sockets are in a room now.
func (s *testServer) sockets(t *testing.T) float64 { return s.metric(t, "chat_room_sockets") }

// tooSlow is how many sockets were closed as too slow.
func (s *testServer) tooSlow(t *testing.T) float64 {
	return s.metric(t, "queue_overflows_total", "endpoint", msg.ChatPath)
}

// rateLimited is how many envelopes were refused as over the rate.
func (s *testServer) rateLimited(t *testing.T) float64 {
	return s.metric(t, "drops_total", "endpoint", msg.ChatPath, "reason", msg.ErrRateLimited)
}

func startServer(t *testing.T, opts Options, wrap func(net.Listener) net.Listener) *testServer {
	t.Helper()
	log := slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
	store, err := natsstore.Open(context.Background(), natsstore.Options{DataDir: t.TempDir(), Log: log})
	if err != nil {
		t.Fatal(err)
	}
	reg := conns.NewRegistry(log)
	reg.Metrics = metrics.New()
	h, err := New(reg, store, opts, log)
	if err != nil {
		t.Fatal(err)
	}
	var wraps []func(net.Listener) net.Listener
	if wrap != nil {
		wraps = append(wraps, wrap)
	}
	url := testkit.ServeHTTP(t, h, wraps...)
	// Registered after the test server's cleanup, so it runs first: the
	// sockets, the handler and the store close before the server does.
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		reg.Shutdown(ctx)
		h.Close()
		store.Close()
	})
	return &testServer{h: h, store: store, metrics: reg.Metrics, url: url}
}

// inLobby dials the server as name and joins the lobby under that nick,
// waiting for the catch-up to end.
func (s *testServer) inLobby(t *testing.T, name string) *testkit.ChatClient {
	t.Helper()
	c := testkit.DialChat(t, s.url, name)
	c.Join("lobby", name, 0)
	return c
}

// testWriter sends the server's log to the test's log, shown on failure.
type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

// queued drains what the hub queued for c: "join" for a catch-up, else the
// frame.
func queued(c *client) []string {
	var got []string
	for _, o := range c.take() {
		if o.join != nil {
			got = append(got, "join "+o.join.room)
		} else {
			got = append(got, string(o.frame))
		}
	}
	return got
}

func expectQueued(t *testing.T, who string, c *client, want ...string) {
	t.Helper()
	if got := queued(c); !slices.Equal(got, want) {
		t.Errorf("%s got\n\t%s\nwant\n\t%s", who, strings.Join(got, "\n\t"), strings.Join(want, "\n\t"))
	}
}

// talkUntilTooSlow has talker say 4 000-byte messages in lobby, one at a
// time, until the server has closed a socket as too slow (who, for the
// failure), and returns how many were said. One at a time, so that the
// talker, whose queue is as small, is not the slow one.
func talkUntilTooSlow(t *testing.T, s *testServer, talker *testkit.ChatClient, who string) int {
	t.Helper()
	text := strings.Repeat("x", 4000)
	sent := 0
	for ; s.tooSlow(t) == 0; sent++ {
		if sent == 5000 {
			t.Fatalf("5000 messages and %s was never closed", who)
		}
		talker.Say("lobby", fmt.Sprint("m", sent), text)
		talker.WaitAck(fmt.Sprint("m", sent))
	}
	return sent
}
