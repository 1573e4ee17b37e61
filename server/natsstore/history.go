package natsstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/nats-io/nats.go"
)

// A batch of direct gets is at most this many messages; a history read is a
// few of them. Direct gets need no consumer, so a thousand clients joining
// at once after a restart create nothing on the server.
const batchSize = 256

// directReq is JetStream's direct get request ($JS.API.DIRECT.GET.<stream>).
type directReq struct {
	Seq     uint64 `json:"seq,omitempty"`
	NextFor string `json:"next_by_subj,omitempty"`
	LastFor string `json:"last_by_subj,omitempty"`
	Batch   int    `json:"batch,omitempty"`
}

// Headers of a direct get reply.
const (
	hdrSeq     = "Nats-Sequence"
	hdrSubject = "Nats-Subject"
	hdrTime    = "Nats-Time-Stamp"
	hdrPending = "Nats-Num-Pending"
	hdrStatus  = "Status"
)

// direct runs one direct get and calls fn for each message it returns, in
// order. A batch request ends with an end-of-batch status; "not found" is no
// message, not an error.
func (s *Store) direct(ctx context.Context, req directReq, fn func(*nats.Msg) error) error {
	inbox := s.nc.NewRespInbox()
	// A reply is at most a batch and its end-of-batch status, so a channel
	// of that size never overflows. SubscribeSync would allocate its
	// default 64 Ki slots (512 KB) for each get: with a thousand joins at
	// once, hundreds of megabytes of garbage.
	replies := make(chan *nats.Msg, batchSize+2)
	sub, err := s.nc.ChanSubscribe(inbox, replies)
	if err != nil {
		return fmt.Errorf("natsstore: direct get: %w", err)
	}
	defer sub.Unsubscribe()
	data, _ := json.Marshal(req)
	if err := s.nc.PublishRequest("$JS.API.DIRECT.GET."+StreamName, inbox, data); err != nil {
		return fmt.Errorf("natsstore: direct get: %w", err)
	}
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
	}
	for {
		var m *nats.Msg
		select {
		case m = <-replies:
		case <-ctx.Done():
			return fmt.Errorf("natsstore: direct get: %w", ctx.Err())
		}
		switch st := m.Header.Get(hdrStatus); st {
		case "":
			if err := fn(m); err != nil {
				return err
			}
			if req.Batch == 0 {
				return nil
			}
		case "204", "404": // end of batch, no message
			return nil
		default:
			return fmt.Errorf("natsstore: direct get: status %s %s", st, m.Header.Get("Description"))
		}
	}
}

func (s *Store) decodeDirect(m *nats.Msg) (Message, error) {
	seq, err := strconv.ParseUint(m.Header.Get(hdrSeq), 10, 64)
	if err != nil {
		return Message{}, fmt.Errorf("natsstore: direct get: bad %s: %w", hdrSeq, err)
	}
	ts, _ := time.Parse(time.RFC3339Nano, m.Header.Get(hdrTime))
	return decode(m.Header.Get(hdrSubject), seq, ts, m.Data)
}

// LastSeq returns the seq of the newest message in room, 0 if it has none.
func (s *Store) LastSeq(ctx context.Context, room string) (uint64, error) {
	var last uint64
	err := s.direct(ctx, directReq{LastFor: subject(room)}, func(m *nats.Msg) error {
		var err error
		last, err = strconv.ParseUint(m.Header.Get(hdrSeq), 10, 64)
		return err
	})
	return last, err
}

// StreamLastSeq returns the newest seq of any room: every seq a client has
// seen is at most this, unless the store was wiped.
func (s *Store) StreamLastSeq(ctx context.Context) (uint64, error) {
	info, err := s.stream.Info(ctx)
	if err != nil {
		return 0, fmt.Errorf("natsstore: stream info: %w", err)
	}
	return info.State.LastSeq, nil
}

// countFrom returns how many messages of room have a seq >= from, as the
// stream counts them for a batch get (its Nats-Num-Pending header).
func (s *Store) countFrom(ctx context.Context, room string, from uint64) (uint64, error) {
	if !s.batch {
		return s.countByConsumer(ctx, room, from)
	}
	var n uint64
	err := s.direct(ctx, directReq{Seq: from, NextFor: subject(room), Batch: 1}, func(m *nats.Msg) error {
		pending, err := strconv.ParseUint(m.Header.Get(hdrPending), 10, 64)
		n = pending + 1 // the pending count excludes the message returned
		return err
	})
	return n, err
}

// History calls fn, in seq order, for the messages of room that a join with
// since should show, up to and including upTo (the room's last seq when the
// join began; later ones reach the client live). since > 0 means every
// message after since; since == 0 means the last n.
func (s *Store) History(ctx context.Context, room string, since uint64, n int, upTo uint64, fn func(Message) error) error {
	from := since + 1
	if since == 0 {
		var err error
		if from, err = s.lastN(ctx, room, uint64(n), upTo); err != nil {
			return err
		}
	}
	errDone := errors.New("done")
	for from <= upTo {
		got := 0
		err := s.direct(ctx, directReq{Seq: from, NextFor: subject(room), Batch: s.batchSize()}, func(m *nats.Msg) error {
			got++
			dm, err := s.decodeDirect(m)
			if err != nil {
				s.log.Warn("chat history: skipped", "err", err)
				if seq, perr := strconv.ParseUint(m.Header.Get(hdrSeq), 10, 64); perr == nil {
					from = seq + 1
				}
				return nil
			}
			if dm.Seq > upTo {
				return errDone
			}
			from = dm.Seq + 1
			return fn(dm)
		})
		if errors.Is(err, errDone) || got == 0 {
			return nil
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// lastN finds the seq from which room holds exactly n messages up to upTo,
// by binary search on the per-subject counts the stream keeps (a handful of
// cheap lookups, where reading the room from its start could mean 10 000
// messages). With messages arriving meanwhile the answer can be off by
// those few, which only changes how much history a join shows.
func (s *Store) lastN(ctx context.Context, room string, n, upTo uint64) (uint64, error) {
	after, err := s.countFrom(ctx, room, upTo+1)
	if err != nil {
		return 0, err
	}
	count := func(seq uint64) (uint64, error) {
		c, err := s.countFrom(ctx, room, seq)
		if c < after {
			return 0, err
		}
		return c - after, err
	}
	lo := uint64(1)
	total, err := count(lo)
	if err != nil || total <= n {
		return lo, err
	}
	// count(lo) >= n > count(hi); narrow to adjacent seqs.
	hi := upTo + 1
	for hi-lo > 1 {
		mid := lo + (hi-lo)/2
		c, err := count(mid)
		if err != nil {
			return 0, err
		}
		if c >= n {
			lo = mid
		} else {
			hi = mid
		}
	}
	return lo, nil
}
