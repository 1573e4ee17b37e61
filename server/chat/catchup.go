package chat

import (
	"context"
	"errors"
	"math"
	"time"

	"github.com/coder/websocket"

	"socketlab/app/msg"
	"socketlab/server/natsstore"
)

// resync writes the messages of the socket's room after the last one it
// wrote, up to upTo, read from the stream: the share of a backlog the feed
// handed over (rooms.skip). Live messages up to upTo are then dropped as
// already seen.
func (h *Handler) resync(ctx context.Context, c *client, upTo uint64, st *position) error {
	if st.room == "" || upTo <= st.last {
		return nil
	}
	if err := c.conn.Uncork(); err != nil {
		return err
	}
	defer c.conn.Cork(h.opts.WriteTimeout)
	sctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	n := h.opts.History
	if st.last == 0 {
		n = math.MaxInt // a room that was empty: all of it, from its start
	}
	err := h.store.History(sctx, st.room, st.last, n, upTo, func(m natsstore.Message) error {
		if c.isKicked() {
			return errTooSlow
		}
		if m.Seq <= st.last {
			return nil
		}
		st.last = m.Seq
		return h.writeNow(ctx, c, encode(m.Envelope()))
	})
	if err != nil {
		if !errors.Is(err, errTooSlow) && ctx.Err() == nil {
			c.conn.Log().Warn("chat: resync", "room", st.room, "err", err)
			c.conn.Close(websocket.StatusTryAgainLater, "chat history unavailable: reconnect")
		}
		return err
	}
	st.last = max(st.last, upTo)
	return nil
}

// catchUp serves a join: welcome, the room's history the join asked for,
// synced. It returns the last seq it delivered; live messages up to it are
// then dropped as already seen.
func (h *Handler) catchUp(ctx context.Context, c *client, j *joinReq) (uint64, error) {
	sctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	upTo, err := h.store.LastSeq(sctx, j.room)
	if err != nil {
		return 0, err
	}
	since, reset := j.since, false
	if since > upTo {
		// Nothing new in this room, or the store no longer knows since.
		streamLast, err := h.store.StreamLastSeq(sctx)
		if err != nil {
			return 0, err
		}
		if since > streamLast {
			since, reset = 0, true
		}
	}
	if err := h.writeNow(ctx, c, encode(msg.Chat{Type: msg.ChatWelcome, Room: j.room, Nick: j.nick, Reset: reset})); err != nil {
		return 0, err
	}
	last := max(since, upTo)
	if since < upTo {
		err = h.store.History(sctx, j.room, since, h.opts.History, upTo, func(m natsstore.Message) error {
			if c.isKicked() {
				return errTooSlow
			}
			return h.writeNow(ctx, c, encode(m.Envelope()))
		})
		if err != nil {
			return 0, err
		}
	}
	return last, h.writeNow(ctx, c, encode(msg.Chat{Type: msg.ChatSynced, Room: j.room, Seq: last}))
}
