package wire

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"
	"unicode/utf8"

	"github.com/coder/websocket"

	"socketlab/app/msg"
	"socketlab/server/conns"
)

// Watch serves msg.WireWatchPath?id=<tap id>, the observer: it sends the
// subject's handshake, then a record of every frame of the subject in
// both directions, then "closed"; and it carries out the observer's
// commands on the subject. It is never tapped itself.
type Watch struct {
	Conns *conns.Registry
	Hub   *Hub
}

// writeTimeout bounds one event's write to the observer: a stuck observer
// lets its backlog fill (and count drops) rather than hold anything else.
const writeTimeout = 10 * time.Second

// ServeHTTP upgrades the request and watches until either side leaves.
func (wt *Watch) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	// The id is claimed before the upgrade, so that of two observers the
	// first to ask gets it; the refused one is told why in a close frame.
	s, claimErr := wt.Hub.watch(r.URL.Query().Get("id"))
	if claimErr == nil {
		defer wt.Hub.unwatch(s)
	}
	c, err := wt.Conns.Accept(w, r, msg.WireWatchPath, conns.Options{ReadLimit: msg.WireCommandLimit, NoTap: true})
	if err != nil {
		return
	}
	if claimErr != nil {
		c.Close(websocket.StatusPolicyViolation, claimErr.Error())
		c.Finish(nil)
		return
	}
	c.Finish(wt.serve(r.Context(), c, s))
}

// errClosed says the observer's socket was closed by the server.
var errClosed = errors.New("wire: observer closed")

func (wt *Watch) serve(ctx context.Context, c *conns.Conn, s *session) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	go func() { cancel(wt.commands(ctx, c, s)) }()

	noSubject := time.NewTimer(wt.Hub.wait())
	defer noSubject.Stop()
	for {
		select {
		case <-s.notify:
			evs := s.take()
			for i, ev := range evs {
				if err := send(ctx, c, ev); err != nil {
					// This observer is leaving (its page closed the
					// socket as the events came): what it did not get
					// waits for the next one, as if never taken.
					s.unread(evs[i:])
					return err
				}
			}
		case <-noSubject.C:
			if _, had := s.current(); !had {
				c.Close(websocket.StatusPolicyViolation, msg.CloseNoSubjectReason)
				return errClosed
			}
		case <-ctx.Done():
			return context.Cause(ctx)
		}
	}
}

func send(ctx context.Context, c *conns.Conn, ev msg.WireEvent) error {
	b, err := json.Marshal(ev)
	if err != nil {
		return fmt.Errorf("wire: encode %s event: %w", ev.Type, err)
	}
	ctx, cancel := context.WithTimeout(ctx, writeTimeout)
	defer cancel()
	return c.Write(ctx, websocket.MessageText, b)
}

// commands reads the observer's commands until its socket ends. A bad
// command is answered with an error event; the socket stays up.
func (wt *Watch) commands(ctx context.Context, c *conns.Conn, s *session) error {
	for {
		// An observer that sends no command waits here, where its
		// stack can shrink.
		typ, b, err := c.ReadParked(ctx)
		if err != nil {
			return err
		}
		var cmd msg.WireCommand
		switch {
		case typ != websocket.MessageText:
			err = errors.New("commands are JSON in text frames")
		default:
			if jerr := json.Unmarshal(b, &cmd); jerr != nil {
				err = fmt.Errorf("bad JSON: %v", jerr)
			} else {
				err = s.command(cmd)
			}
		}
		if err != nil {
			s.push(msg.WireEvent{Type: msg.WireError, Detail: err.Error()})
		}
	}
}

// commandTimeout bounds a ping's wait for its pong and a close's wait for
// the peer's answer.
const commandTimeout = 10 * time.Second

// command carries out one observer command on the live subject. Ping and
// close run on their own: they wait for the subject's answer, and the
// record of that answer is the result the observer sees.
func (s *session) command(cmd msg.WireCommand) error {
	sub, _ := s.current()
	switch cmd.Type {
	case msg.WirePing:
		if len(cmd.Text) > 125 {
			return fmt.Errorf("ping: text is %d bytes, over 125", len(cmd.Text))
		}
		if sub == nil {
			return errors.New("ping: no subject connected")
		}
		if !sub.pinging.CompareAndSwap(false, true) {
			return errors.New("ping: the last ping still waits for its pong")
		}
		go func() {
			defer sub.pinging.Store(false)
			ctx, cancel := context.WithTimeout(context.Background(), commandTimeout)
			defer cancel()
			if err := sub.conn.Ping(ctx); err != nil {
				s.push(msg.WireEvent{Type: msg.WireError, Detail: fmt.Sprintf("ping: %v", err)})
			}
		}()
	case msg.WireFragments:
		if cmd.N < 2 || cmd.N > msg.WireMaxFragments {
			return fmt.Errorf("fragments: n must be 2 to %d, not %d", msg.WireMaxFragments, cmd.N)
		}
		if sub == nil {
			return errors.New("fragments: no subject connected")
		}
		if !sub.echo {
			return fmt.Errorf("fragments: only the wire lab's echo (%s) answers in fragments", msg.WirePath)
		}
		sub.fragments.Store(int32(cmd.N))
	case msg.WireClose:
		switch cmd.Code {
		case msg.CloseGoingAway, msg.ClosePolicyViolation, msg.CloseInternalError:
		default:
			return fmt.Errorf("close: code must be 1001, 1008 or 1011, not %d", cmd.Code)
		}
		if len(cmd.Reason) > msg.MaxCloseReason || !utf8.ValidString(cmd.Reason) {
			return errors.New("close: the reason must be UTF-8 of at most 123 bytes")
		}
		if sub == nil {
			return errors.New("close: no subject connected")
		}
		if !sub.closing.CompareAndSwap(false, true) {
			return errors.New("close: the subject is already closing")
		}
		go sub.conn.Close(websocket.StatusCode(cmd.Code), cmd.Reason)
	default:
		return fmt.Errorf("unknown command type %q (want ping, fragments or close)", cmd.Type)
	}
	return nil
}
