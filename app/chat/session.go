package chat

import (
	"crypto/rand"
	"encoding/base64"
	"slices"
	"sync"
	"time"

	"socketlab/app/msg"
)

// Storage keys. One browser profile has one chat identity, shared by its
// tabs.
const (
	keyToken  = "socketlab.chat.token"
	keyNick   = "socketlab.chat.nick"
	keyRoom   = "socketlab.chat.room"
	keyOutbox = "socketlab.chat.outbox"
)

// MaxLines is how many lines a Session keeps for the screen; older ones are
// dropped (they stay in the server's history).
const MaxLines = 1000

// Line is one message of the room, as shown.
type Line struct {
	Seq  uint64
	ID   string
	Nick string
	Text string
	Time time.Time
}

// State is where an outgoing message is.
type State int

// The states of an outgoing message.
const (
	Pending   State = iota // in the outbox, waiting for the connection
	Sending                // sent on the current socket, not acknowledged yet
	Delivered              // acknowledged: stored as Seq; its line is on its way
	Failed                 // refused for good; Err says why
)

var stateNames = [...]string{"pending", "sending", "delivered", "failed"}

// String returns the state's name as shown on the page.
func (s State) String() string {
	if s < 0 || int(s) >= len(stateNames) {
		return "unknown"
	}
	return stateNames[s]
}

// Outgoing is a message the person typed that is not a line of the room
// yet.
type Outgoing struct {
	ID      string    `json:"id"`
	Room    string    `json:"room"`
	Text    string    `json:"text"`
	Created time.Time `json:"created"`
	State   State     `json:"-"`
	Seq     uint64    `json:"-"`
	Err     string    `json:"-"`
}

// Note is an error from the server worth showing.
type Note struct{ Code, Detail string }

// Result tells the page what to do after Handle.
type Result struct {
	// Send are envelopes to send now, in order.
	Send []msg.Chat
	// RetryIn, when set, asks the page to call Flush after this long and
	// send what it returns (a say was refused as over the rate).
	RetryIn time.Duration
}

// Session is one page's chat state. Its methods are safe for concurrent
// use (socket callbacks and UI events).
type Session struct {
	mu       sync.Mutex
	store    Storage
	token    string
	nick     string
	room     string
	active   bool // the person wants to be in the room: join on every connect
	joined   bool // welcome received on the current socket
	synced   bool // catch-up done on the current socket
	cursor   uint64
	lines    []Line
	out      []*Outgoing
	presence []string // sorted, each nick once
	// listed: presence holds the full list of the current join, to which
	// changes apply. Until it arrives (after welcome) a change is not
	// applied: it belongs to a join this socket no longer serves.
	listed bool
	note   Note
}

// NewSession loads the session from st, creating the token on first use.
// A session that has a nickname is active: it joins as soon as a socket is
// open.
func NewSession(st Storage) *Session {
	s := &Session{store: st, room: msg.ChatDefaultRoom}
	st.Get(keyToken, &s.token)
	if msg.ValidToken(s.token) != nil {
		s.token = newID(18)
		st.Set(keyToken, s.token)
	}
	var nick, room string
	st.Get(keyNick, &nick)
	st.Get(keyRoom, &room)
	if msg.ValidRoom(room) == nil {
		s.room = room
	}
	if msg.ValidNick(nick) == nil {
		s.nick, s.active = nick, true
	}
	var out []*Outgoing
	st.Get(keyOutbox, &out)
	for _, o := range out {
		if o != nil && msg.ValidID(o.ID) == nil && msg.ValidRoom(o.Room) == nil && msg.ValidText(o.Text) == nil {
			o.State = Pending
			s.out = append(s.out, o)
		}
	}
	return s
}

// newID returns n random bytes in URL-safe base64: message ids and the
// session token.
func newID(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// Token returns the session token that holds the nickname.
func (s *Session) Token() string { s.mu.Lock(); defer s.mu.Unlock(); return s.token }

// Nick returns the nickname, "" before one was chosen.
func (s *Session) Nick() string { s.mu.Lock(); defer s.mu.Unlock(); return s.nick }

// Room returns the room.
func (s *Session) Room() string { s.mu.Lock(); defer s.mu.Unlock(); return s.room }

// Active reports whether the session wants to be in its room.
func (s *Session) Active() bool { s.mu.Lock(); defer s.mu.Unlock(); return s.active }

// Joined reports whether the server accepted the join on this socket.
func (s *Session) Joined() bool { s.mu.Lock(); defer s.mu.Unlock(); return s.joined }

// Synced reports whether the catch-up on this socket is complete.
func (s *Session) Synced() bool { s.mu.Lock(); defer s.mu.Unlock(); return s.synced }

// Cursor returns the last seq seen in the room.
func (s *Session) Cursor() uint64 { s.mu.Lock(); defer s.mu.Unlock(); return s.cursor }

// Lines returns the room's messages, in seq order.
func (s *Session) Lines() []Line { s.mu.Lock(); defer s.mu.Unlock(); return slices.Clone(s.lines) }

// Presence returns who is in the room, sorted, as the server last said:
// the full list it sent after the join, with every change since applied.
func (s *Session) Presence() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.presence)
}

// Note returns the last error worth showing; the zero Note when none.
func (s *Session) Note() Note { s.mu.Lock(); defer s.mu.Unlock(); return s.note }

// Outgoing returns the messages typed in this room that are not lines yet,
// oldest first.
func (s *Session) Outgoing() []Outgoing {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Outgoing
	for _, o := range s.out {
		if o.Room == s.room {
			out = append(out, *o)
		}
	}
	return out
}

// SetIdentity chooses the room and nickname and makes the session active;
// send Join next. Changing the room clears the screen.
func (s *Session) SetIdentity(room, nick string) *msg.ChatErr {
	if err := msg.ValidRoom(room); err != nil {
		return err
	}
	if err := msg.ValidNick(nick); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if room != s.room {
		s.lines, s.cursor, s.presence, s.listed = nil, 0, nil, false
	}
	s.room, s.nick, s.active, s.joined, s.synced = room, nick, true, false, false
	s.note = Note{}
	s.store.Set(keyRoom, room)
	s.store.Set(keyNick, nick)
	return nil
}

// Join returns the join to send on a fresh socket, and false when the
// session is not active. since is the cursor: a page that shows messages
// gets what it missed; a fresh page gets the recent history.
func (s *Session) Join() (msg.Chat, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.active {
		return msg.Chat{}, false
	}
	// Batch: the page reads frames of several envelopes (HandleFrame), so
	// a busy room costs it one event for what the server had queued.
	return msg.Chat{Type: msg.ChatJoin, Room: s.room, Nick: s.nick, Token: s.token, Since: s.cursor, Batch: true}, true
}

// Leave returns the leave to send and makes the session inactive. The
// screen keeps the room's lines.
func (s *Session) Leave() msg.Chat {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.active, s.joined, s.synced, s.presence, s.listed = false, false, false, nil, false
	s.requeueLocked()
	return msg.Chat{Type: msg.ChatLeave, Room: s.room}
}

// Disconnected is called when the socket closes: the next one must join
// again, and what was in flight goes back to pending.
func (s *Session) Disconnected() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.joined, s.synced, s.presence, s.listed = false, false, nil, false
	s.requeueLocked()
}

func (s *Session) requeueLocked() {
	for _, o := range s.out {
		if o.State == Sending {
			o.State = Pending
		}
	}
}

// Say puts text in the outbox. It returns the say to send now when the
// session is synced; otherwise the message waits, pending, for the next
// synced. Text is checked as the server would.
func (s *Session) Say(text string, now time.Time) (env msg.Chat, send bool, err *msg.ChatErr) {
	if err := msg.ValidText(text); err != nil {
		return msg.Chat{}, false, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.nick == "" {
		return msg.Chat{}, false, &msg.ChatErr{Code: msg.ErrNotJoined, Detail: "choose a nickname and join first"}
	}
	o := &Outgoing{ID: newID(12), Room: s.room, Text: text, Created: now}
	s.out = append(s.out, o)
	s.saveLocked()
	if !s.synced {
		return msg.Chat{}, false, nil
	}
	o.State = Sending
	return sayOf(o), true, nil
}

func sayOf(o *Outgoing) msg.Chat {
	return msg.Chat{Type: msg.ChatSay, Room: o.Room, ID: o.ID, Text: o.Text}
}

// Flush returns the says to send for every pending message of the room, in
// the order they were typed, and marks them sending. Nothing before synced.
func (s *Session) Flush() []msg.Chat {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.flushLocked()
}

func (s *Session) flushLocked() []msg.Chat {
	if !s.synced {
		return nil
	}
	var send []msg.Chat
	for _, o := range s.out {
		if o.Room == s.room && o.State == Pending {
			o.State = Sending
			send = append(send, sayOf(o))
		}
	}
	return send
}

// saveLocked persists the messages not yet acknowledged.
func (s *Session) saveLocked() {
	var keep []*Outgoing
	for _, o := range s.out {
		if o.State == Pending || o.State == Sending {
			keep = append(keep, o)
		}
	}
	if len(keep) == 0 {
		s.store.Del(keyOutbox)
		return
	}
	s.store.Set(keyOutbox, keep)
}

func (s *Session) findLocked(id string) int {
	return slices.IndexFunc(s.out, func(o *Outgoing) bool { return o.ID == id && o.Room == s.room })
}

func (s *Session) dropLocked(i int) {
	s.out = slices.Delete(s.out, i, i+1)
	s.saveLocked()
}

// Handle applies one envelope from the server and says what to send.
func (s *Session) Handle(env msg.Chat) Result {
	s.mu.Lock()
	defer s.mu.Unlock()
	if env.Room != "" && env.Room != s.room && env.Type != msg.ChatError {
		return Result{} // a late frame from a room left since
	}
	switch env.Type {
	case msg.ChatWelcome:
		// A join (a rejoin, too) is followed by its own full list; the
		// one on screen stays until it comes.
		s.joined, s.listed = true, false
		if env.Reset {
			s.lines, s.cursor = nil, 0
		}
	case msg.ChatMsg:
		s.lineLocked(env)
	case msg.ChatSynced:
		s.synced = true
		s.cursor = max(s.cursor, env.Seq)
		return Result{Send: s.flushLocked()}
	case msg.ChatAck:
		if i := s.findLocked(env.ID); i >= 0 {
			if slices.ContainsFunc(s.lines, func(l Line) bool { return l.Seq == env.Seq }) {
				s.dropLocked(i)
			} else {
				s.out[i].State, s.out[i].Seq = Delivered, env.Seq
				s.saveLocked()
			}
		}
	case msg.ChatPresence:
		s.presenceLocked(env)
	case msg.ChatError:
		return s.errorLocked(env)
	}
	return Result{}
}

// lineLocked adds a message to the screen, once, in seq order.
func (s *Session) lineLocked(env msg.Chat) {
	if env.Seq <= s.cursor {
		return // already shown: a catch-up never repeats, but be sure
	}
	s.cursor = env.Seq
	s.lines = append(s.lines, Line{Seq: env.Seq, ID: env.ID, Nick: env.Nick, Text: env.Text, Time: time.UnixMilli(env.Time)})
	if len(s.lines) > MaxLines {
		s.lines = slices.Delete(s.lines, 0, len(s.lines)-MaxLines)
	}
	// One of ours, stored before an ack could reach us (or on another tab
	// sharing this outbox): it is a line now, not to be sent again.
	if msg.NickKey(env.Nick) == msg.NickKey(s.nick) {
		if i := s.findLocked(env.ID); i >= 0 {
			s.dropLocked(i)
		}
	}
}

// presenceLocked applies a full list, or a change to the full list of the
// current join. The server sends each change to a socket exactly once,
// after the full list, so a change that does not fit is a bug somewhere;
// the list shown is then still the best reading, and the next join sets it
// right.
func (s *Session) presenceLocked(env msg.Chat) {
	if !env.FullPresence() && !s.listed {
		return
	}
	s.presence, _ = msg.ApplyPresence(s.presence, env)
	s.listed = true
}

func (s *Session) errorLocked(env msg.Chat) Result {
	if i := s.findLocked(env.ID); env.ID != "" && i >= 0 {
		o := s.out[i]
		switch env.Code {
		case msg.ErrRateLimited, msg.ErrUnavailable:
			o.State = Pending
			return Result{RetryIn: time.Second}
		case msg.ErrNotJoined:
			// The socket is between joins; the next synced sends it.
			o.State = Pending
			return Result{}
		default:
			o.State, o.Err = Failed, env.Detail
			s.saveLocked()
		}
	}
	if env.Code == msg.ErrNickTaken {
		s.active, s.joined, s.synced = false, false, false
	}
	s.note = Note{Code: env.Code, Detail: env.Detail}
	return Result{}
}

// Dismiss removes a failed message from the screen.
func (s *Session) Dismiss(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if i := s.findLocked(id); i >= 0 && s.out[i].State == Failed {
		s.out = slices.Delete(s.out, i, i+1)
	}
}
