package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strconv"
	"time"

	"github.com/coder/websocket"

	"socketlab/app/msg"
	"socketlab/server/site"
)

// benchPlot pushes points from one TCP source (what netcat would do, as
// fast as the socket takes them) through the server to one pulling socket
// client, and measures points per second end to end and how many were lost.
func benchPlot(ctx context.Context, cfg config) (*section, error) {
	total := 500_000
	if cfg.quick {
		total = 100_000
	}
	s := &section{title: "Plot: one TCP source to a pulling client",
		header: []string{"ring (points kept per series)", "points sent", "points/s delivered", "delivered", "dropped (reported)", "lost (unreported)"}}
	for _, ring := range []int{msg.PlotRing, total} {
		r, err := plotRun(ctx, total, ring)
		if err != nil {
			return nil, err
		}
		s.rows = append(s.rows, []string{strconv.Itoa(ring), strconv.Itoa(total), fmt.Sprintf("%.0f", r.rate),
			strconv.Itoa(r.delivered), strconv.Itoa(r.dropped), strconv.Itoa(total - r.delivered - r.dropped)})
	}
	s.notes = append(s.notes,
		"The client asks for the next batch as soon as it has decoded the last (no drawing), so this is the server's and the protocol's ceiling, not the page's; "+
			"the page's own drawing rate is measured by `go run ./e2e/plotbench` in headless Chromium. With the default ring a client that falls behind is told "+
			"exactly how many points it skipped (dropped); lost (unreported) must be 0.")
	return s, nil
}

type plotResult struct {
	delivered, dropped int
	rate               float64
}

func plotRun(ctx context.Context, total, ring int) (plotResult, error) {
	srv, err := site.New(site.Config{Log: slog.New(slog.NewTextHandler(io.Discard, nil)), PlotAddr: "127.0.0.1:0", PlotRing: ring})
	if err != nil {
		return plotResult{}, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return plotResult{}, err
	}
	sctx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { srv.Serve(sctx, ln); close(done) }()
	defer func() { stop(); <-done }()
	wsURL := "ws://" + ln.Addr().String() + msg.PlotPath
	for _, a := range []string{wsURL, srv.PlotAddr()} {
		if err := checkLoopback(a); err != nil {
			return plotResult{}, err
		}
	}

	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	c, _, err := websocket.Dial(ctx, wsURL, nil)
	if err != nil {
		return plotResult{}, err
	}
	defer c.CloseNow()
	c.SetReadLimit(64 << 20)
	if _, _, err := c.Read(ctx); err != nil { // history: empty
		return plotResult{}, err
	}

	src, err := net.Dial("tcp", srv.PlotAddr())
	if err != nil {
		return plotResult{}, err
	}
	defer src.Close()
	start := time.Now()
	go func() {
		w := bufio.NewWriterSize(src, 64<<10)
		w.WriteString("bench\n")
		for i := range total {
			w.WriteString(strconv.Itoa(i))
			w.WriteString(" 1\n")
		}
		w.Flush()
	}()

	var r plotResult
	next := []byte(`{"type":"next"}`)
	for r.delivered+r.dropped < total {
		if err := c.Write(ctx, websocket.MessageText, next); err != nil {
			return r, err
		}
		_, b, err := c.Read(ctx)
		if err != nil {
			return r, fmt.Errorf("after %d points: %w", r.delivered, err)
		}
		var m msg.PlotMessage
		if err := json.Unmarshal(b, &m); err != nil {
			return r, err
		}
		for _, sr := range m.Series {
			r.delivered += len(sr.Points)
			r.dropped += int(sr.Dropped)
		}
	}
	r.rate = float64(r.delivered) / time.Since(start).Seconds()
	return r, nil
}
