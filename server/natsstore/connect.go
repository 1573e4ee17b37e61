package natsstore

import (
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/nats-io/nats.go"
)

// connect dials an external NATS with the options NATS users expect:
// credentials file or token, TLS from a tls:// URL (with an optional private
// CA), and reconnection forever with backoff and jitter, so that a NATS
// restart is an outage of the chat, not of the replica.
func (s *Store) connect(opts Options) error {
	no := []nats.Option{
		nats.Name("socketlab"),
		nats.MaxReconnects(-1),
		nats.ReconnectWait(500 * time.Millisecond),
		nats.ReconnectJitter(500*time.Millisecond, 2*time.Second),
		// No reconnect buffer: a publish while NATS is away fails at once,
		// so the client is told "unavailable" and resends the same id later
		// (the duplicate window stores it once), instead of the message
		// waiting unacknowledged in this process's memory.
		nats.ReconnectBufSize(-1),
		nats.RetryOnFailedConnect(false),
		nats.DisconnectErrHandler(func(_ *nats.Conn, err error) {
			s.log.Warn("nats disconnected", "err", err)
		}),
		nats.ReconnectHandler(func(nc *nats.Conn) {
			s.log.Info("nats reconnected", "url", nc.ConnectedUrlRedacted())
			s.notifyReconnect()
		}),
		nats.ErrorHandler(func(_ *nats.Conn, _ *nats.Subscription, err error) {
			s.log.Warn("nats", "err", err)
		}),
	}
	if opts.Creds != "" {
		no = append(no, nats.UserCredentials(opts.Creds))
	}
	if opts.Token != "" {
		no = append(no, nats.Token(opts.Token))
	}
	if opts.CAFile != "" {
		no = append(no, nats.RootCAs(opts.CAFile))
	}
	nc, err := nats.Connect(opts.URL, no...)
	if err != nil {
		return fmt.Errorf("natsstore: connect %s: %w", opts.URL, err)
	}
	s.nc = nc
	s.log.Info("chat store open", "nats", nc.ConnectedUrlRedacted(), "stream", StreamName)
	return nil
}

// errNotConnected is what Publish and Ready report while NATS is away.
var errNotConnected = errors.New("natsstore: not connected to NATS")

// onReconnect returns a channel that receives after each reconnection to
// NATS; offReconnect forgets it.
func (s *Store) onReconnect() chan struct{} {
	ch := make(chan struct{}, 1)
	s.mu.Lock()
	s.reconnect = append(s.reconnect, ch)
	s.mu.Unlock()
	return ch
}

func (s *Store) offReconnect(ch chan struct{}) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reconnect = slices.DeleteFunc(s.reconnect, func(c chan struct{}) bool { return c == ch })
}

func (s *Store) notifyReconnect() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, ch := range s.reconnect {
		select {
		case ch <- struct{}{}:
		default:
		}
	}
}
