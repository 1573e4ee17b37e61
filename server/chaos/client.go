package chaos

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/coder/websocket"

	"socketlab/app/msg"
)

// Room is the one room every client of the chaos run is in.
const Room = "chaos"

// client is a raw /ws/chat client that records when each message reached
// it and every presence change it was told of.
type client struct {
	nick    string
	replica string
	ws      *websocket.Conn

	mu       sync.Mutex
	synced   bool
	seqs     []uint64             // msg seqs in arrival order
	arrived  map[uint64]time.Time // seq → when it arrived
	ids      map[uint64]string    // seq → message id
	view     []string             // presence as told
	changes  []change             // presence changes after the set-up
	badPre   []string             // changes that did not fit the view
	answers  map[string]chan msg.Chat
	closeErr error

	readDone chan struct{}
}

// dial connects nick to the replica at addr and joins Room, waiting for
// the catch-up to end.
func dial(ctx context.Context, r *replica, nick string) (*client, error) {
	dctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	ws, _, err := websocket.Dial(dctx, "ws://"+r.addr+msg.ChatPath, nil)
	if err != nil {
		return nil, fmt.Errorf("chaos: %s: dial %s: %w", nick, r.name, err)
	}
	ws.SetReadLimit(msg.ChatReadLimit)
	c := &client{nick: nick, replica: r.name, ws: ws, arrived: map[uint64]time.Time{}, ids: map[uint64]string{},
		answers: map[string]chan msg.Chat{}, readDone: make(chan struct{})}
	synced := make(chan struct{})
	go c.read(synced)
	if err := c.send(ctx, msg.Chat{Type: msg.ChatJoin, Room: Room, Nick: nick, Token: "token-of-" + nick + "-0123456789"}); err != nil {
		c.close()
		return nil, err
	}
	select {
	case <-synced:
		return c, nil
	case <-c.readDone:
		return nil, fmt.Errorf("chaos: %s: socket ended before synced: %v", nick, c.closeErr)
	case <-dctx.Done():
		c.close()
		return nil, fmt.Errorf("chaos: %s: not synced within 10s", nick)
	}
}

func (c *client) read(synced chan struct{}) {
	defer close(c.readDone)
	for {
		_, data, err := c.ws.Read(context.Background())
		now := time.Now()
		if err != nil {
			c.mu.Lock()
			c.closeErr = err
			c.mu.Unlock()
			return
		}
		var env msg.Chat
		if json.Unmarshal(data, &env) != nil {
			continue
		}
		c.mu.Lock()
		switch env.Type {
		case msg.ChatSynced:
			if !c.synced {
				c.synced = true
				close(synced)
			}
		case msg.ChatMsg:
			c.seqs = append(c.seqs, env.Seq)
			if _, dup := c.arrived[env.Seq]; !dup {
				c.arrived[env.Seq] = now
			}
			c.ids[env.Seq] = env.ID
		case msg.ChatPresence:
			full := env.FullPresence()
			next, ok := msg.ApplyPresence(c.view, env)
			if !ok {
				c.badPre = append(c.badPre, fmt.Sprintf("%+v does not fit %q", env, c.view))
			}
			if !full {
				c.changes = append(c.changes, change{at: now, joined: env.Joined, left: env.Left})
			}
			c.view = next
		case msg.ChatAck, msg.ChatError:
			if ch := c.answers[env.ID]; ch != nil {
				select {
				case ch <- env:
				default:
				}
			}
		}
		c.mu.Unlock()
	}
}

func (c *client) send(ctx context.Context, env msg.Chat) error {
	b, _ := json.Marshal(env)
	wctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := c.ws.Write(wctx, websocket.MessageText, b); err != nil {
		return fmt.Errorf("chaos: %s: send: %w", c.nick, err)
	}
	return nil
}

// say sends a message and waits for its ack or error, as the page does:
// the outcome, and the seq when acked.
func (c *client) say(ctx context.Context, id string) (seq uint64, err error) {
	ch := make(chan msg.Chat, 1)
	c.mu.Lock()
	c.answers[id] = ch
	c.mu.Unlock()
	defer func() {
		c.mu.Lock()
		delete(c.answers, id)
		c.mu.Unlock()
	}()
	if err := c.send(ctx, msg.Chat{Type: msg.ChatSay, Room: Room, ID: id, Text: "chaos " + id}); err != nil {
		return 0, err
	}
	select {
	case env := <-ch:
		if env.Type == msg.ChatError {
			return 0, fmt.Errorf("%s: %s", env.Code, env.Detail)
		}
		return env.Seq, nil
	case <-c.readDone:
		return 0, fmt.Errorf("chaos: %s: socket ended: %v", c.nick, c.closeErr)
	case <-time.After(10 * time.Second):
		return 0, fmt.Errorf("chaos: %s: no answer to %s within 10s", c.nick, id)
	case <-ctx.Done():
		return 0, ctx.Err()
	}
}

// change is one presence change a client was told of.
type change struct {
	at           time.Time
	joined, left []string
}

// presence returns the client's presence view.
func (c *client) presence() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.view)
}

func (c *client) close() {
	c.ws.CloseNow()
	<-c.readDone
}
