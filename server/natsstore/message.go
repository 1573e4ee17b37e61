package natsstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
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

// publishTry bounds one try of a publish (Publish tries again until its
// context ends or the stream leader is taken as gone).
const publishTry = 1500 * time.Millisecond

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
	if err := s.health.leaderErr(); err != nil {
		// No stream leader has answered for a while (an election, a lost
		// quorum): fail now rather than have every socket wait out its
		// timeout. The probe notices the new leader within probeEvery.
		return 0, false, fmt.Errorf("natsstore: publish to %s: %w", room, err)
	}
	data, err := json.Marshal(body{ID: id, Nick: nick, Text: text})
	if err != nil {
		return 0, false, fmt.Errorf("natsstore: publish: %w", err)
	}
	var ack *jetstream.PubAck
	for {
		// One try waits publishTry at most. An ack lost on the way (the
		// NATS node this replica was connected to died with it in
		// flight) would otherwise hold the say until the caller's
		// timeout, while the stream works. Trying again is safe: the
		// same message id is stored once, and a try after a stored one
		// gets that one's seq back.
		m := nats.NewMsg(subject(room))
		m.Data = data
		tctx, cancel := context.WithTimeout(ctx, publishTry)
		ack, err = s.js.PublishMsg(tctx, m, jetstream.WithMsgID(room+"/"+msg.NickKey(nick)+"/"+id))
		cancel()
		if err == nil {
			break
		}
		if ctx.Err() != nil || !errors.Is(err, context.DeadlineExceeded) && !errors.Is(err, nats.ErrTimeout) {
			return 0, false, fmt.Errorf("natsstore: publish to %s: %w", room, err)
		}
		if lerr := s.health.leaderErr(); lerr != nil {
			return 0, false, fmt.Errorf("natsstore: publish to %s: %w", room, lerr)
		}
	}
	// The stream leader answered, and stored seq: the feed must deliver
	// it (feed.go).
	s.health.leaderOK(ack.Sequence)
	return ack.Sequence, ack.Duplicate, nil
}
