package conformance

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"strings"
	"sync"
	"time"
)

// Verdict is a case's result, as Autobahn grades it.
type Verdict string

const (
	OK        Verdict = "OK"
	NonStrict Verdict = "NON-STRICT"
	Failed    Verdict = "FAILED"
)

// Step is one write of a case: frames sent as one byte string, in pieces
// of Chop bytes with Pause between them, after Gap.
type Step struct {
	Frames []Frame
	Chop   int
	Pause  time.Duration
	Gap    time.Duration
}

// Case is one test of the suite.
type Case struct {
	ID    string // "5.6"
	Group string // "5"
	Desc  string
	Steps []Step
	// Run replaces the model-driven play for a case that needs its own
	// (fail-fast timing, floods); it returns expected, observed, verdict
	// and, for a NON-STRICT, why.
	Run func(s *Session) (expected, observed string, v Verdict, note string)
	// Timeout bounds the case; 5 s when zero.
	Timeout time.Duration
}

// Result is one case played against one endpoint.
type Result struct {
	Endpoint string
	Case     Case
	Expected string
	Observed string
	Verdict  Verdict
	Note     string
	Took     time.Duration
}

// Session is a case's connection and what it needs to play.
type Session struct {
	EP       Endpoint
	C        *Client
	deadline time.Time
}

// RunAll plays every case of every group ep takes part in, parallel
// cases at a time, and returns the results in case order.
func RunAll(ctx context.Context, addr string, ep Endpoint, cases []Case, parallel int) []Result {
	var out []Result
	var idx []int
	for i, c := range cases {
		if ep.runs(c.Group) {
			idx = append(idx, i)
		}
	}
	out = make([]Result, len(idx))
	sem := make(chan struct{}, parallel)
	var wg sync.WaitGroup
	for j, i := range idx {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			out[j] = runOne(ctx, addr, ep, cases[i])
		}()
	}
	wg.Wait()
	return out
}

func runOne(ctx context.Context, addr string, ep Endpoint, c Case) Result {
	start := time.Now()
	timeout := c.Timeout
	if timeout == 0 {
		timeout = 5 * time.Second
	}
	deadline := start.Add(timeout)
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	r := Result{Endpoint: ep.Name, Case: c}
	cl, err := Dial(addr, ep.Path, ep.Extensions, deadline)
	if err != nil {
		r.Expected, r.Observed, r.Verdict = "a WebSocket", err.Error(), Failed
		return r
	}
	defer cl.Close()
	s := &Session{EP: ep, C: cl, deadline: deadline}
	if c.Run != nil {
		r.Expected, r.Observed, r.Verdict, r.Note = c.Run(s)
	} else {
		r.Expected, r.Observed, r.Verdict, r.Note = s.play(c.Steps)
	}
	r.Took = time.Since(start)
	return r
}

// frames flattens steps.
func frames(steps []Step) []Frame {
	var fs []Frame
	for _, st := range steps {
		fs = append(fs, st.Frames...)
	}
	return fs
}

// send writes the steps, in the background; the result arrives on the
// channel (nil, or the first write error).
func (s *Session) send(steps []Step) <-chan error {
	done := make(chan error, 1)
	go func() {
		for _, st := range steps {
			if st.Gap > 0 {
				time.Sleep(st.Gap) // the input's own timing
			}
			var b bytes.Buffer
			for _, f := range st.Frames {
				b.Write(f.encode())
			}
			if err := s.C.Write(b.Bytes(), st.Chop, st.Pause); err != nil {
				done <- err
				return
			}
		}
		done <- nil
	}()
	return done
}

// observed is what the server did.
type observed struct {
	replies   []Received
	close     *Received // its close frame
	closedBy  string    // "server" when its close came first, "client"
	end       string    // how TCP ended: EOF, reset, timeout
	trailing  int       // bytes after the close frame
	readErr   error     // a read that failed before the close
	writeErr  error
	unmasked  bool // a server frame was masked
	badCode   bool
	gotEndBye bool // the endpoint closed on its own (EndsItself)
}

// next reads the next frame the case is about, skipping the endpoint's
// noise and inflating compressed messages.
func (s *Session) next() (Received, error) {
	for {
		f, err := s.C.ReadFrame()
		if err != nil {
			return f, err
		}
		if s.EP.Noise != nil && s.EP.Noise(f) {
			continue
		}
		if f.RSV&4 != 0 && s.C.Deflate && (f.Op == OpText || f.Op == OpBin) {
			p := f.Payload
			for !f.Fin {
				g, err := s.C.ReadFrame()
				if err != nil {
					return f, err
				}
				p = append(p, g.Payload...)
				f.Fin = g.Fin
			}
			if f.Payload, err = inflate(p); err != nil {
				return f, fmt.Errorf("inflate a server message: %w", err)
			}
			f.RSV = 0
		} else if !f.Fin && (f.Op == OpText || f.Op == OpBin) {
			// A fragmented message from the server: assemble it.
			for !f.Fin {
				g, err := s.C.ReadFrame()
				if err != nil {
					return f, err
				}
				f.Payload = append(f.Payload, g.Payload...)
				f.Fin = g.Fin
			}
		}
		return f, nil
	}
}

// finish answers or makes the closing handshake: the client's close
// frame (an echo of the server's, or code when the client starts), then
// how the server ends TCP.
func (s *Session) finish(o *observed, code int) {
	if o.close == nil {
		p := binary.BigEndian.AppendUint16(nil, uint16(code))
		s.C.Write(Frame{Fin: true, Op: OpClose, Payload: p}.encode(), 0, 0)
		if !s.readToClose(o, "client") {
			return // a read error, recorded in o
		}
	} else {
		p := o.close.Payload
		if len(p) > 2 {
			p = p[:2]
		}
		s.C.Write(Frame{Fin: true, Op: OpClose, Payload: p}.encode(), 0, 0)
	}
	o.end, o.trailing = s.C.WaitEnd()
}

func endOf(err error) string {
	msg := err.Error()
	switch {
	case strings.Contains(msg, "reset"):
		return "reset"
	case strings.Contains(msg, "timeout"):
		return "timeout"
	case strings.Contains(msg, "EOF"):
		return "EOF"
	}
	return msg
}

// nextInto reads the server's next frame for o. At a read error or the
// server's close frame it records which in o, the close with closedBy (the
// side whose close came first), and returns false: the case reads no
// further.
func (s *Session) nextInto(o *observed, closedBy string) (Received, bool) {
	f, err := s.next()
	if err != nil {
		o.readErr, o.end = err, endOf(err)
		return f, false
	}
	if f.Op == OpClose {
		o.close, o.closedBy = &f, closedBy
		return f, false
	}
	return f, true
}

// readToClose reads the server's frames into o.replies up to its close
// frame and reports whether one came (false: a read error ended the
// connection first); either is recorded in o.
func (s *Session) readToClose(o *observed, closedBy string) bool {
	for {
		f, ok := s.nextInto(o, closedBy)
		if !ok {
			return o.close != nil
		}
		o.replies = append(o.replies, f)
	}
}

// play runs a model-driven case.
func (s *Session) play(steps []Step) (string, string, Verdict, string) {
	want := model(s.EP, s.C.Deflate, frames(steps))
	sent := s.send(steps)
	o := &observed{}
	for len(want.codes) > 0 || len(o.replies) < len(want.replies) {
		f, ok := s.nextInto(o, "server")
		if !ok {
			break
		}
		o.replies = append(o.replies, f)
	}
	if o.readErr == nil {
		clientClosed := false
		for _, f := range frames(steps) {
			// A close the server takes for one: not too long, not
			// fragmented, no reserved bits, masked.
			clientClosed = clientClosed || f.Op == OpClose && len(f.Payload) <= 125 && f.Fin && f.RSV == 0 && !f.Unmasked
		}
		if o.close != nil && clientClosed {
			// The server's close answers the client's: the handshake is
			// done, and a second close from the client would hit a
			// closed socket.
			o.closedBy = "client"
			o.end, o.trailing = s.C.WaitEnd()
		} else {
			s.finish(o, 1000)
		}
	}
	select {
	case o.writeErr = <-sent:
	default:
	}
	return judge(s.EP, want, o)
}

// describe says what the server did.
func (o *observed) describe() string {
	var parts []string
	for _, r := range o.replies {
		parts = append(parts, reply{op: r.Op, payload: r.Payload}.String())
	}
	if o.close != nil {
		code, reason := closeOf(o.close.Payload)
		c := fmt.Sprintf("close %d", code)
		if code == 1005 {
			c = "close (no code)"
		}
		if reason != "" {
			c += fmt.Sprintf(" %q", reason)
		}
		parts = append(parts, c+" ("+o.closedBy+" first)")
	} else if o.readErr != nil {
		parts = append(parts, "no close frame: "+o.readErr.Error())
	}
	if o.end != "" {
		t := "TCP: " + o.end
		if o.trailing > 0 {
			t += fmt.Sprintf(" after %d more bytes", o.trailing)
		}
		parts = append(parts, t)
	}
	if o.writeErr != nil {
		parts = append(parts, "client write: "+o.writeErr.Error())
	}
	return strings.Join(parts, "; ")
}

func closeOf(p []byte) (int, string) {
	if len(p) < 2 {
		return 1005, ""
	}
	return int(binary.BigEndian.Uint16(p)), string(p[2:])
}

// judge grades what the server did against what it had to.
func judge(ep Endpoint, want expectation, o *observed) (string, string, Verdict, string) {
	exp, obs := want.String(), o.describe()
	// The replies, in order.
	n := min(len(o.replies), len(want.replies))
	for i := 0; i < n; i++ {
		w, g := want.replies[i], o.replies[i]
		if g.Op != w.op || !w.any && !bytes.Equal(g.Payload, w.payload) {
			return exp, obs, Failed, ""
		}
	}
	// An asynchronous endpoint's answers still queued when the
	// connection closes (the server failing it, or the client's close
	// overtaking them) may be lost: RFC 6455 promises no more.
	ending := len(want.codes) > 0
	if len(o.replies) > len(want.replies) || len(o.replies) < len(want.replies) && !(ep.Async && ending) {
		return exp, obs, Failed, ""
	}
	// How TCP ended: by the server, after the closing handshake.
	switch o.end {
	case "EOF", "closed":
	case "reset":
		return exp, obs, Failed, ""
	default:
		return exp, obs, Failed, ""
	}
	if o.close == nil {
		if len(want.codes) > 0 && want.codes[0] != 1000 {
			return exp, obs, NonStrict, "the connection was failed without a close frame, which RFC 6455 allows"
		}
		return exp, obs, Failed, ""
	}
	code, _ := closeOf(o.close.Payload)
	if len(want.codes) == 0 {
		if code == 1000 || ep.EndsItself && code == 1000 {
			return exp, obs, OK, ""
		}
		return exp, obs, Failed, ""
	}
	if want.noCode && code == 1005 {
		return exp, obs, OK, ""
	}
	for _, c := range want.codes {
		if code == c {
			return exp, obs, OK, ""
		}
	}
	return exp, obs, Failed, ""
}
