package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/coder/websocket"

	"socketlab/app/msg"
	"socketlab/server/chat"
	"socketlab/server/site"
)

// startSite runs the real server in-process on loopback with cfg (its log
// discarded) and returns its address and a function that shuts it down.
func startSite(ctx context.Context, cfg site.Config) (addr string, srv *site.Server, stop func(), err error) {
	cfg.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	srv, err = site.New(cfg)
	if err != nil {
		return "", nil, nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		srv.Close()
		return "", nil, nil, err
	}
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { srv.Serve(ctx, ln); close(done) }()
	return ln.Addr().String(), srv, func() { cancel(); <-done }, nil
}

// liftedChatLimits lifts the chat's per-connection rate limit, which the
// chat sections do not measure: a publisher at 50 messages a second would
// otherwise be refused after its burst of 20. The send queue (256) and its
// 4008 close are left as they are: they are part of what is measured.
func liftedChatLimits() site.Config {
	return site.Config{Chat: chat.Options{Rate: 1e6, Burst: 1 << 20}, MaxConns: 20000}
}

// dialChat opens a chat socket on a loopback server.
func dialChat(ctx context.Context, url string) (*websocket.Conn, error) {
	return dialChatBuf(ctx, url, 0)
}

// dialChatBuf is dialChat with the socket's kernel receive buffer set to
// rcvbuf bytes when not 0. A slow reader with a small buffer is what a slow
// phone on a poor network looks like to the server: without it, loopback's
// large buffers would hide thousands of frames from the server's queue.
func dialChatBuf(ctx context.Context, url string, rcvbuf int) (*websocket.Conn, error) {
	if err := checkLoopback(url); err != nil {
		return nil, err
	}
	dctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	var opts *websocket.DialOptions
	if rcvbuf > 0 {
		d := &net.Dialer{}
		opts = &websocket.DialOptions{HTTPClient: &http.Client{Transport: &http.Transport{
			DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
				c, err := d.DialContext(ctx, network, addr)
				if tc, ok := c.(*net.TCPConn); ok {
					tc.SetReadBuffer(rcvbuf)
				}
				return c, err
			}}}}
	}
	c, _, err := websocket.Dial(dctx, url, opts)
	if err != nil {
		return nil, err
	}
	c.SetReadLimit(msg.ChatReadLimit)
	return c, nil
}

// send writes one envelope.
func send(ctx context.Context, c *websocket.Conn, env msg.Chat) error {
	b, err := json.Marshal(env)
	if err != nil {
		return err
	}
	wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	return c.Write(wctx, websocket.MessageText, b)
}

// join sends a join; the reader sees welcome, history and synced.
func join(ctx context.Context, c *websocket.Conn, room, nick, token string, since uint64) error {
	return send(ctx, c, msg.Chat{Type: msg.ChatJoin, Room: room, Nick: nick, Token: token, Since: since})
}

// benchToken is a valid session token for client i of a section.
func benchToken(section string, i int) string { return fmt.Sprintf("%s-token-%08d", section, i) }

// tooSlow reports whether err is the server's 4008 close.
func tooSlow(err error) bool {
	var ce websocket.CloseError
	return errors.As(err, &ce) && ce.Code == websocket.StatusCode(msg.CloseTooSlow)
}

// sendText writes one bare text frame: a say in the classic baseline's
// protocol.
func sendText(ctx context.Context, c *websocket.Conn, text string) error {
	wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	return c.Write(wctx, websocket.MessageText, []byte(text))
}

// seedRoom stores one message in room and waits for its ack: a subscriber's
// cursor is then never 0, so a reconnect asks for "everything after", not
// "the recent history".
func seedRoom(ctx context.Context, url, room string) error {
	seed, err := dialChat(ctx, url)
	if err != nil {
		return err
	}
	defer seed.CloseNow()
	join(ctx, seed, room, "seed", benchToken("seed", 0), 0)
	send(ctx, seed, msg.Chat{Type: msg.ChatSay, Room: room, ID: "seed", Text: "seed"})
	for {
		_, b, err := seed.Read(ctx)
		if err != nil {
			return fmt.Errorf("seed: %w", err)
		}
		if frameType(b) == msg.ChatAck {
			return seed.Close(websocket.StatusNormalClosure, "")
		}
	}
}
