package chaos

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"socketlab/server/chat"
	"socketlab/server/site"
)

// replica is one socketlab server in this process, on a loopback port.
type replica struct {
	name string
	addr string
	srv  *site.Server
	stop context.CancelFunc
	done chan error
	logs *lineLog
}

// startReplica starts a socketlab server on the cluster: the stream and
// the presence bucket at 3 replicas, rate limits out of the way of the
// test's senders.
func startReplica(name, natsURL string) (*replica, error) {
	logs := &lineLog{}
	srv, err := site.New(site.Config{
		Log:          slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelInfo})).With("replica", name),
		NATSURL:      natsURL,
		NATSReplicas: 3,
		PingEvery:    -1,
		Chat:         chat.Options{Rate: 200, Burst: 200},
	})
	if err != nil {
		return nil, fmt.Errorf("chaos: replica %s: %w", name, err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		srv.Close()
		return nil, fmt.Errorf("chaos: %w", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	r := &replica{name: name, addr: ln.Addr().String(), srv: srv, stop: cancel, done: make(chan error, 1), logs: logs}
	go func() { r.done <- srv.Serve(ctx, ln) }()
	return r, nil
}

// ready asks the replica's /readyz: nil on 200, the body otherwise.
func (r *replica) ready(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", "http://"+r.addr+"/readyz", nil)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("%d %s", res.StatusCode, strings.TrimSpace(string(body)))
	}
	return nil
}

// waitReady waits until /readyz says 200.
func (r *replica) waitReady(ctx context.Context, within time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, within)
	defer cancel()
	for {
		err := r.ready(ctx)
		if err == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("chaos: replica %s not ready within %v: %w", r.name, within, err)
		case <-time.After(100 * time.Millisecond): // polling interval, bounded by ctx
		}
	}
}

// shutdown stops the replica gracefully and waits.
func (r *replica) shutdown() error {
	r.stop()
	return <-r.done
}

// lineLog keeps a replica's log lines, to count the ones that matter.
type lineLog struct {
	mu    sync.Mutex
	lines []string
}

func (l *lineLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines = append(l.lines, string(p))
	return len(p), nil
}

// count returns how many lines contain s.
func (l *lineLog) count(s string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for _, line := range l.lines {
		if strings.Contains(line, s) {
			n++
		}
	}
	return n
}
