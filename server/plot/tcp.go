package plot

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"strings"
	"sync"
	"time"

	"socketlab/app/msg"
)

// TCPIngest accepts producers speaking the line protocol on a TCP port:
// the first line names the series, each following line is a point "x y".
// netcat is enough:
//
//	{ echo 'my source'; while true; do echo "$(date +%s)000 $RANDOM"; sleep 1; done; } | nc localhost 9876
//
// The server writes nothing back unless something is wrong: a bad line is
// answered with "error line N: reason\n" and the source goes on. Only a
// source that cannot go on is closed, after an "error: reason\n" line: too
// many sources, too many series, idle too long, too many bad lines.
type TCPIngest struct {
	Store *Store
	Log   *slog.Logger
	// MaxSources caps concurrent producer connections; 64 when zero.
	MaxSources int
	// IdleTimeout closes a source that sends nothing for that long; 5
	// minutes when zero. netcat piping a slow loop stays well within it.
	IdleTimeout time.Duration
	// MaxBadLines closes a source after that many bad lines, which is
	// someone piping the wrong file; 100 when zero.
	MaxBadLines int
	// MaxLine is the longest line accepted; msg.PlotMaxLine when zero.
	MaxLine int

	mu   sync.Mutex
	live map[net.Conn]struct{}
	wg   sync.WaitGroup
}

// writeTimeout bounds each error reply: a source that does not read its
// replies must not hold its connection's goroutine forever.
const writeTimeout = 5 * time.Second

// flushEvery bounds how many points a source accumulates before they are
// appended, so that a producer streaming without pause still shows up.
const flushEvery = 1024

// Serve accepts sources on ln until ctx is done, then closes ln and every
// source connection and waits for their goroutines. Points already read
// are kept. It returns nil after ctx ends, or the listener's error.
func (t *TCPIngest) Serve(ctx context.Context, ln net.Listener) error {
	t.setDefaults()
	stop := context.AfterFunc(ctx, func() {
		ln.Close()
		t.mu.Lock()
		for c := range t.live {
			c.Close()
		}
		t.mu.Unlock()
	})
	defer stop()
	defer t.wg.Wait()
	var delay time.Duration
	for {
		conn, err := ln.Accept()
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() || errors.Is(err, os.ErrDeadlineExceeded) || isTemporary(err) {
				// Out of file descriptors and the like: wait and retry,
				// as net/http does, rather than give up the port.
				delay = min(max(2*delay, 5*time.Millisecond), time.Second)
				t.Log.Warn("plot tcp: accept", "err", err, "retry in", delay)
				time.Sleep(delay)
				continue
			}
			return fmt.Errorf("plot tcp: accept: %w", err)
		}
		delay = 0
		if !t.track(conn) {
			t.Log.Warn("plot tcp: source refused", "remote", conn.RemoteAddr(), "reason", "max sources")
			reply(conn, fmt.Sprintf("error: too many sources (%d), try again later\n", t.MaxSources))
			conn.Close()
			continue
		}
		t.wg.Go(func() {
			defer t.untrack(conn)
			t.serveConn(conn)
		})
	}
}

func isTemporary(err error) bool {
	te, ok := err.(interface{ Temporary() bool })
	return ok && te.Temporary()
}

func (t *TCPIngest) setDefaults() {
	if t.Log == nil {
		t.Log = slog.Default()
	}
	if t.MaxSources <= 0 {
		t.MaxSources = 64
	}
	if t.IdleTimeout <= 0 {
		t.IdleTimeout = 5 * time.Minute
	}
	if t.MaxBadLines <= 0 {
		t.MaxBadLines = 100
	}
	if t.MaxLine <= 0 {
		t.MaxLine = msg.PlotMaxLine
	}
}

func (t *TCPIngest) track(c net.Conn) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.live == nil {
		t.live = make(map[net.Conn]struct{})
	}
	if len(t.live) >= t.MaxSources {
		return false
	}
	t.live[c] = struct{}{}
	return true
}

func (t *TCPIngest) untrack(c net.Conn) {
	t.mu.Lock()
	delete(t.live, c)
	t.mu.Unlock()
	c.Close()
}

// source is one producer connection's state.
type source struct {
	conn    net.Conn
	lines   *lineReader
	id      int // series id; -1 until the name line
	name    string
	pending []msg.PlotPoint
	points  int
	bad     int
}

func (t *TCPIngest) serveConn(conn net.Conn) {
	s := &source{conn: conn, lines: newLineReader(conn, t.MaxLine), id: -1}
	log := t.Log.With("remote", conn.RemoteAddr().String())
	why := t.ingest(s)
	t.flush(s)
	log.Info("plot tcp: source closed", "series", s.name, "points", s.points, "bad lines", s.bad, "reason", why)
}

// ingest reads lines until the source ends or must be closed, and says
// why it stopped.
func (t *TCPIngest) ingest(s *source) string {
	for {
		if !s.lines.buffered() {
			// The next read may wait: make what was parsed visible first.
			t.flush(s)
			s.conn.SetReadDeadline(time.Now().Add(t.IdleTimeout))
		}
		line, n, err := s.lines.next()
		switch {
		case errors.Is(err, errLineTooLong):
			if !t.bad(s, n, tooLong(t.MaxLine)) {
				return "too many bad lines"
			}
			continue
		case errors.Is(err, os.ErrDeadlineExceeded):
			reply(s.conn, fmt.Sprintf("error: nothing received for %v, closing\n", t.IdleTimeout))
			return "idle"
		case errors.Is(err, io.EOF):
			return "end of stream"
		case err != nil:
			return err.Error()
		}

		if s.id < 0 {
			reason, fatal := t.name(s, line)
			if fatal {
				reply(s.conn, fmt.Sprintf("error line %d: %s\n", n, reason))
				return reason
			}
			if reason != "" && !t.bad(s, n, reason) {
				return "too many bad lines"
			}
			continue
		}
		p, err := msg.ParsePlotLine(line)
		switch {
		case errors.Is(err, msg.ErrBlankLine):
		case err != nil:
			if !t.bad(s, n, err.Error()) {
				return "too many bad lines"
			}
		default:
			s.pending = append(s.pending, p)
			if len(s.pending) >= flushEvery {
				t.flush(s)
			}
		}
	}
}

// name takes a line read before the series is known as its name. It
// returns the reason when the line is not a usable name, with fatal set
// when the source cannot go on (the store is full). A blank line is
// skipped.
func (t *TCPIngest) name(s *source, line []byte) (reason string, fatal bool) {
	name := strings.TrimSpace(string(line))
	if name == "" {
		return "", false
	}
	if msg.LooksLikePlotPoint(line) {
		return `the first line must be the series name; this looks like a point "x y"`, false
	}
	id, err := t.Store.Series(name)
	if err != nil {
		return err.Error(), errors.Is(err, ErrTooManySeries)
	}
	s.id, s.name = id, name
	t.Log.Info("plot tcp: source", "remote", s.conn.RemoteAddr().String(), "series", name)
	return "", false
}

// bad answers a bad line and reports whether the source may go on.
func (t *TCPIngest) bad(s *source, n int, reason string) bool {
	s.bad++
	if !reply(s.conn, fmt.Sprintf("error line %d: %s\n", n, reason)) {
		return false
	}
	if s.bad >= t.MaxBadLines {
		reply(s.conn, fmt.Sprintf("error: %d bad lines, closing\n", s.bad))
		return false
	}
	return true
}

func (t *TCPIngest) flush(s *source) {
	if len(s.pending) == 0 {
		return
	}
	t.Store.Append(s.id, s.pending...)
	s.points += len(s.pending)
	s.pending = s.pending[:0]
}

// reply writes one line back to the source, bounded by writeTimeout, and
// reports whether it went out.
func reply(c net.Conn, line string) bool {
	c.SetWriteDeadline(time.Now().Add(writeTimeout))
	_, err := io.WriteString(c, line)
	return err == nil
}
