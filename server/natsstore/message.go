package natsstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"socketlab/app/msg"
)

// Message is one stored chat message.
type Message struct {
	Room string
	Seq  uint64 // the stream sequence: the total order of all rooms
	ID   string // the client's message id
	Nick string
	Text string
	Time time.Time // when the stream stored it
}

// Envelope returns the message as the msg envelope sent to clients.
func (m Message) Envelope() msg.Chat {
	return msg.Chat{Type: msg.ChatMsg, Room: m.Room, Seq: m.Seq, ID: m.ID, Nick: m.Nick, Text: m.Text, Time: m.Time.UnixMilli()}
}

// body is what a stored message's payload holds; room, seq and time come
// from the stream itself.
type body struct {
	ID   string `json:"id"`
	Nick string `json:"nick"`
	Text string `json:"text"`
}

func subject(room string) string { return subjectPrefix + room }

func roomOf(subj string) (string, bool) {
	room, ok := strings.CutPrefix(subj, subjectPrefix)
	return room, ok && msg.ValidRoom(room) == nil
}

// decode rebuilds a Message from a stored payload. It refuses what socketlab
// would not have written (with an external NATS, anyone can publish).
func decode(subj string, seq uint64, ts time.Time, data []byte) (Message, error) {
	room, ok := roomOf(subj)
	if !ok {
		return Message{}, fmt.Errorf("natsstore: seq %d: subject %q is not a room", seq, subj)
	}
	var b body
	if err := json.Unmarshal(data, &b); err != nil {
		return Message{}, fmt.Errorf("natsstore: seq %d: %w", seq, err)
	}
	if msg.ValidNick(b.Nick) != nil || msg.ValidText(b.Text) != nil {
		return Message{}, fmt.Errorf("natsstore: seq %d: not a chat message", seq)
	}
	return Message{Room: room, Seq: seq, ID: b.ID, Nick: b.Nick, Text: b.Text, Time: ts}, nil
}

// Publish stores a message and returns its seq. The Nats-Msg-Id header is
// derived from room, nick and the client's id, so a resend within the
// duplicate window is not stored again: dup is true and seq is the seq of
// the copy stored first. The nick is part of it so that one person cannot
// suppress another's message by reusing its id.
func (s *Store) Publish(ctx context.Context, room, id, nick, text string) (seq uint64, dup bool, err error) {
	if !s.nc.IsConnected() {
		// Fail now rather than after the caller's timeout: the client is
		// told at once that sending is unavailable.
		return 0, false, fmt.Errorf("natsstore: publish to %s: %w", room, errNotConnected)
	}
	data, err := json.Marshal(body{ID: id, Nick: nick, Text: text})
	if err != nil {
		return 0, false, fmt.Errorf("natsstore: publish: %w", err)
	}
	m := nats.NewMsg(subject(room))
	m.Data = data
	ack, err := s.js.PublishMsg(ctx, m, jetstream.WithMsgID(room+"/"+msg.NickKey(nick)+"/"+id))
	if err != nil {
		return 0, false, fmt.Errorf("natsstore: publish to %s: %w", room, err)
	}
	return ack.Sequence, ack.Duplicate, nil
}

// Follow calls fn for every message stored from now on, in every room, in
// stream order, from one goroutine. It is the fan-out feed: with several
// replicas on one NATS, each follows the stream on its own. It returns once
// the consumer exists, so nothing stored after Follow returns is missed;
// stop ends the feed and waits for fn to return.
//
// After a reconnection to NATS (a restart of the server, a failover) the
// feed starts a new ordered consumer right after the last message it
// delivered, so what was stored meanwhile still arrives, in order, once.
func (s *Store) Follow(fn func(Message)) (stop func(), err error) {
	it, err := s.follow(0)
	if err != nil {
		return nil, err
	}
	reconnected := s.onReconnect()
	quit := make(chan struct{})
	done := make(chan struct{})
	var mu sync.Mutex // guards it, which the reconnect watcher stops
	go func() {
		for {
			select {
			case <-quit:
				return
			case <-reconnected:
				mu.Lock()
				it.Stop()
				mu.Unlock()
			}
		}
	}()
	go func() {
		defer close(done)
		var next uint64 // the seq after the last one delivered; 0: none yet
		for {
			mu.Lock()
			cur := it
			mu.Unlock()
			m, err := cur.Next()
			if err != nil {
				select {
				case <-quit:
					return
				default:
				}
				if s.nc.IsClosed() {
					return
				}
				if !errors.Is(err, jetstream.ErrMsgIteratorClosed) {
					s.log.Warn("chat feed", "err", err)
				}
				// Start again after the last message delivered. Waiting
				// while NATS is away keeps this from spinning.
				nit, err := s.follow(next)
				if err != nil {
					s.log.Warn("chat feed: resume", "err", err)
					select {
					case <-quit:
						return
					case <-time.After(time.Second):
					}
					continue
				}
				mu.Lock()
				cur.Stop()
				it = nit
				mu.Unlock()
				continue
			}
			meta, err := m.Metadata()
			if err != nil {
				s.log.Warn("chat feed", "err", err)
				continue
			}
			if next != 0 && meta.Sequence.Stream < next {
				continue // already delivered before a resume
			}
			next = meta.Sequence.Stream + 1
			dm, err := decode(m.Subject(), meta.Sequence.Stream, meta.Timestamp, m.Data())
			if err != nil {
				s.log.Warn("chat feed: skipped", "err", err)
				continue
			}
			fn(dm)
		}
	}()
	return func() {
		close(quit)
		mu.Lock()
		it.Stop()
		mu.Unlock()
		<-done
		s.offReconnect(reconnected)
	}, nil
}

// follow starts an ordered consumer of every room from seq from, or of new
// messages only when from is 0.
func (s *Store) follow(from uint64) (jetstream.MessagesContext, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	cfg := jetstream.OrderedConsumerConfig{FilterSubjects: []string{subjects}, DeliverPolicy: jetstream.DeliverNewPolicy}
	if from != 0 {
		cfg.DeliverPolicy, cfg.OptStartSeq = jetstream.DeliverByStartSequencePolicy, from
	}
	cons, err := s.js.OrderedConsumer(ctx, StreamName, cfg)
	if err != nil {
		return nil, fmt.Errorf("natsstore: follow: %w", err)
	}
	it, err := cons.Messages()
	if err != nil {
		return nil, fmt.Errorf("natsstore: follow: %w", err)
	}
	return it, nil
}
