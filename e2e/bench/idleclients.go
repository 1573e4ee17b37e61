package main

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"

	"socketlab/app/msg"
)

// idleEndpoint is one kind of socket the idle bench holds open by the
// thousand.
type idleEndpoint struct {
	name, path string
	// open dials url and brings the socket to the state in which a real
	// client of the endpoint sits idle; then it leaves a goroutine (in
	// readers) reading the socket, so that the server's pings are
	// answered, until ctx ends, counting the frames it gets in frames. It
	// returns the socket, if it dialled one, even with an error.
	open func(ctx context.Context, url string, i int, readers *sync.WaitGroup, frames *atomic.Int64) (*websocket.Conn, error)
}

// idleEndpoints are socketlab's long-lived sockets, one per endpoint.
func idleEndpoints() []idleEndpoint {
	return []idleEndpoint{
		{"socketlab chat", msg.ChatPath, openIdleChat},
		{"socketlab casefold", msg.CasefoldPath, openIdleEcho("Idle ΣΑΣ Straße")},
		{"socketlab hello", msg.HelloPath, openIdleHello},
		{"socketlab plot", msg.PlotPath, openIdlePlot},
		{"socketlab wire (echo)", msg.WirePath, openIdleEcho("idle")},
	}
}

// gorillaIdle is the baseline's socket: dialled, and then silent (a
// message would go to every client).
var gorillaIdle = idleEndpoint{"gorilla chat", "/ws", func(ctx context.Context, url string, _ int, readers *sync.WaitGroup, frames *atomic.Int64) (*websocket.Conn, error) {
	c, err := dialIdle(ctx, url)
	if err != nil {
		return nil, err
	}
	readers.Go(func() { keepReading(ctx, c, frames, nil) })
	return c, nil
}}

// dialIdle dials url, bounded.
func dialIdle(ctx context.Context, url string) (*websocket.Conn, error) {
	dctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	c, _, err := websocket.Dial(dctx, url, nil)
	return c, err
}

// keepReading reads c until it fails, counting frames and handing each to
// each (when not nil).
func keepReading(ctx context.Context, c *websocket.Conn, frames *atomic.Int64, each func([]byte)) {
	for {
		_, b, err := c.Read(ctx)
		if err != nil {
			return
		}
		frames.Add(1)
		if each != nil {
			each(b)
		}
	}
}

// openIdleChat joins a room of idleRoomSize and waits for synced.
func openIdleChat(ctx context.Context, url string, i int, readers *sync.WaitGroup, frames *atomic.Int64) (*websocket.Conn, error) {
	c, err := dialChat(ctx, url)
	if err != nil {
		return nil, err
	}
	room := "idle-" + strconv.Itoa(i/idleRoomSize)
	if err := join(ctx, c, room, "i"+strconv.Itoa(i), benchToken("idle", i), 0); err != nil {
		return c, err
	}
	synced := make(chan struct{})
	once := sync.OnceFunc(func() { close(synced) })
	readers.Go(func() {
		defer once()
		keepReading(ctx, c, frames, func(b []byte) {
			if frameType(b) == msg.ChatSynced {
				once()
			}
		})
	})
	<-synced
	return c, nil
}

// openIdleAfter dials, runs first (bounded) and then only reads: an idle
// socket after its page's first exchange.
func openIdleAfter(first func(context.Context, *websocket.Conn) error) func(context.Context, string, int, *sync.WaitGroup, *atomic.Int64) (*websocket.Conn, error) {
	return func(ctx context.Context, url string, _ int, readers *sync.WaitGroup, frames *atomic.Int64) (*websocket.Conn, error) {
		c, err := dialIdle(ctx, url)
		if err != nil {
			return nil, err
		}
		rctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		if err := first(rctx, c); err != nil {
			return c, err
		}
		readers.Go(func() { keepReading(ctx, c, frames, nil) })
		return c, nil
	}
}

// openIdleEcho sends text once and reads the answer (casefold's folding,
// the wire echo), as a page does before it goes quiet.
func openIdleEcho(text string) func(context.Context, string, int, *sync.WaitGroup, *atomic.Int64) (*websocket.Conn, error) {
	return openIdleAfter(func(ctx context.Context, c *websocket.Conn) error {
		if err := c.Write(ctx, websocket.MessageText, []byte(text)); err != nil {
			return err
		}
		if _, _, err := c.Read(ctx); err != nil {
			return fmt.Errorf("the answer: %w", err)
		}
		return nil
	})
}

// openIdleHello reads hello's first push; the second comes after the
// server's -hello-delay.
var openIdleHello = openIdleAfter(func(ctx context.Context, c *websocket.Conn) error {
	if _, b, err := c.Read(ctx); err != nil || string(b) != msg.HelloFirst {
		return fmt.Errorf("hello's first push: %q %v", b, err)
	}
	return nil
})

// openIdlePlot reads the history and asks for the next batch, as the page
// does, and asks again after each batch (the empty one is the heartbeat).
func openIdlePlot(ctx context.Context, url string, _ int, readers *sync.WaitGroup, frames *atomic.Int64) (*websocket.Conn, error) {
	c, err := dialIdle(ctx, url)
	if err != nil {
		return nil, err
	}
	c.SetReadLimit(1 << 20)
	rctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if _, _, err := c.Read(rctx); err != nil {
		return c, fmt.Errorf("the history: %w", err)
	}
	ask := func() { c.Write(ctx, websocket.MessageText, nil) }
	ask()
	readers.Go(func() { keepReading(ctx, c, frames, func([]byte) { ask() }) })
	return c, nil
}
