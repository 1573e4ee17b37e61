package chat

import (
	"context"
	"fmt"
	"time"
	"unicode/utf8"

	"github.com/coder/websocket"
	"golang.org/x/time/rate"

	"socketlab/app/msg"
)

// readLoop reads envelopes and acts on them. Whatever a client sends, it
// gets an answer and the socket stays open; only the socket ending stops
// the loop.
func (h *Handler) readLoop(ctx context.Context, c *client) error {
	lim := rate.NewLimiter(rate.Limit(h.opts.Rate), h.opts.Burst)
	// One timer for the socket's life, reset by each message, rather than a
	// context with a deadline for each read: an idle socket sits in its
	// read, and a timer is the smaller thing to keep for it.
	idle := time.AfterFunc(h.opts.IdleTimeout, func() {
		c.conn.Log().Info("chat: idle timeout", "after", h.opts.IdleTimeout)
		c.conn.Close(websocket.StatusGoingAway, msg.CloseIdleReason)
	})
	defer idle.Stop()
	// The read needs no context: what ends a socket (the peer, the idle
	// timer, a shutdown's 1001, the writer giving up) closes it, and that
	// ends the read. A context that can be cancelled would make the
	// library register a watcher on it for every read, kept by every idle
	// socket.
	read := context.WithoutCancel(ctx)
	for {
		// Idle sockets wait here, where their stack can shrink.
		if err := c.conn.WaitReadable(); err != nil {
			return err
		}
		typ, data, err := c.conn.Read(read)
		if err != nil {
			return err
		}
		idle.Reset(h.opts.IdleTimeout)
		h.receive(ctx, c, lim, typ, data)
	}
}

// receive acts on one message and answers it when there is something to
// say. It is apart from readLoop so that its envelopes live in a stack
// frame only while a message is handled: an idle socket's goroutine waits
// in readLoop, and the smaller its stack then, the less each of thousands
// of idle sockets costs (Go shrinks a stack that is mostly unused).
//
//go:noinline
func (h *Handler) receive(ctx context.Context, c *client, lim *rate.Limiter, typ websocket.MessageType, data []byte) {
	// Answers keep the order of the frames they answer: behind the says
	// still waiting for the store, if any.
	reply := func(env msg.Chat) {
		o := &out{frame: encode(env)}
		if !c.pubs.addReply(o) {
			c.push(o)
		}
	}
	if typ != websocket.MessageText {
		h.conns.Metrics.Drop(msg.ChatPath, msg.ErrBadFrame)
		reply(msg.Chat{Type: msg.ChatError, Code: msg.ErrBadFrame, Detail: "binary frames are not part of the chat protocol; send JSON text"})
		return
	}
	env, cerr := msg.DecodeChat(data)
	if cerr == nil && env.Type == msg.ChatPing {
		// Pings are the client's heartbeat: never rate limited, or a busy
		// client would be taken for dead.
		reply(msg.Chat{Type: msg.ChatPong})
		return
	}
	if !lim.Allow() {
		h.conns.Metrics.Drop(msg.ChatPath, msg.ErrRateLimited)
		e := &msg.ChatErr{Code: msg.ErrRateLimited, ID: env.ID, Room: env.Room,
			Detail: fmt.Sprintf("too many messages: at most %g a second (bursts of %d); try again in a moment", h.opts.Rate, h.opts.Burst)}
		if cerr != nil {
			e.ID, e.Room = cerr.ID, cerr.Room
		}
		reply(e.Envelope())
		return
	}
	if cerr != nil {
		h.conns.Metrics.Drop(msg.ChatPath, cerr.Code)
		reply(cerr.Envelope())
		return
	}
	if e := h.checkText(env); e != nil {
		h.conns.Metrics.Drop(msg.ChatPath, e.Code)
		reply(e.Envelope())
		return
	}
	if e := h.handle(ctx, c, env); e != nil {
		h.conns.Metrics.Drop(msg.ChatPath, e.Code)
		reply(e.Envelope())
	}
}

// checkText applies this server's text length, when it is lower than the
// protocol's (which msg.DecodeChat has checked).
func (h *Handler) checkText(env msg.Chat) *msg.ChatErr {
	if env.Type != msg.ChatSay || h.opts.MaxText >= msg.ChatMaxText {
		return nil
	}
	if n := utf8.RuneCountInString(env.Text); n > h.opts.MaxText {
		return &msg.ChatErr{Code: msg.ErrTooLong, ID: env.ID, Room: env.Room,
			Detail: fmt.Sprintf("the message has %d characters; this server takes at most %d", n, h.opts.MaxText)}
	}
	return nil
}

// handle acts on a valid join, say or leave.
func (h *Handler) handle(ctx context.Context, c *client, env msg.Chat) *msg.ChatErr {
	switch env.Type {
	case msg.ChatJoin:
		return h.hub.join(c, joinReq{room: env.Room, nick: env.Nick, since: env.Since, batch: env.Batch}, env.Token)
	case msg.ChatLeave:
		if c.room != env.Room {
			return notJoined(env)
		}
		h.hub.leave(c, true)
		return nil
	case msg.ChatSay:
		if c.room != env.Room {
			return notJoined(env)
		}
		// Published apart from the read loop (publish.go): the loop goes
		// on reading — and counting against the rate — as frames arrive.
		if !c.pubs.add(pubReq{room: env.Room, id: env.ID, nick: c.nick, text: env.Text}, func() { h.runPublisher(ctx, c) }) {
			return &msg.ChatErr{Code: msg.ErrUnavailable, ID: env.ID, Room: env.Room,
				Detail: "sending is unavailable: the message store is slow; it will be sent again"}
		}
		return nil
	}
	return nil
}

func notJoined(env msg.Chat) *msg.ChatErr {
	return &msg.ChatErr{Code: msg.ErrNotJoined, ID: env.ID, Room: env.Room,
		Detail: fmt.Sprintf("you have not joined room %q; send a join first", env.Room)}
}
