package msg

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Envelope types of the chat protocol.
const (
	ChatJoin  = "join"
	ChatSay   = "say"
	ChatLeave = "leave"
	ChatPing  = "ping"

	ChatWelcome  = "welcome"
	ChatMsg      = "msg"
	ChatSynced   = "synced"
	ChatAck      = "ack"
	ChatPresence = "presence"
	ChatError    = "error"
	ChatPong     = "pong"
)

// Limits of the chat protocol.
const (
	// ChatMaxText is the longest text a say may carry, in characters (Unicode
	// code points, not bytes and not UTF-16 units). Exactly ChatMaxText is
	// fine; one more is refused with ErrTooLong.
	ChatMaxText = 8000
	// ChatReadLimit is the largest frame either side accepts, in bytes. It
	// leaves room for ChatMaxText characters of the worst kind: an astral
	// character JSON-escaped as a surrogate pair takes 12 bytes.
	ChatReadLimit = 128 << 10
	// ChatHistory is how many recent messages a join with since 0 shows.
	ChatHistory = 100
	// ChatDefaultRoom is the room a client joins when it has chosen none.
	ChatDefaultRoom = "lobby"
	// ChatMaxRoom and ChatMaxNick are the longest room name and nickname,
	// in characters.
	ChatMaxRoom = 32
	ChatMaxNick = 24
	// ChatMinToken and ChatMaxToken bound a session token's length; a token
	// is secret, so it must be long enough not to be guessed.
	ChatMinToken = 16
	ChatMaxToken = 64
	// ChatMaxID is the longest client message id.
	ChatMaxID = 64
)

// CloseTooSlow closes a chat connection whose send queue overflowed: the
// client reads more slowly than the room talks. It should reconnect and catch
// up with since; it loses nothing.
const CloseTooSlow CloseCode = 4008

// CloseTooSlowReason is the reason sent with CloseTooSlow.
const CloseTooSlowReason = "too slow: reconnect and catch up"

// CloseIdleReason is the reason of the 1001 Going Away that closes a chat
// connection from which nothing arrived for the server's idle timeout
// (90 s by default; the browser client pings every 15 s, so only a client
// that is gone, or one that never pings, meets it).
const CloseIdleReason = "idle: nothing received, reconnect"

// Error codes carried by an error envelope.
const (
	ErrBadJSON      = "bad_json"      // not a JSON object, or a field of the wrong JSON type
	ErrBadFrame     = "bad_frame"     // a binary frame: the protocol is text
	ErrUnknownType  = "unknown_type"  // type missing or not one of the client types
	ErrMissingField = "missing_field" // a required field is empty; detail names it
	ErrBadRoom      = "bad_room"      // room name not valid (see ValidRoom)
	ErrBadNick      = "bad_nick"      // nickname not valid (see ValidNick)
	ErrBadToken     = "bad_token"     // session token not valid
	ErrBadID        = "bad_id"        // client message id not valid
	ErrEmpty        = "empty"         // text is blank
	ErrTooLong      = "too_long"      // text over ChatMaxText characters
	ErrBadText      = "bad_text"      // text holds a control character other than tab or newline
	ErrNotJoined    = "not_joined"    // say or leave for a room not joined
	ErrNickTaken    = "nick_taken"    // nick held by another session in the room
	ErrRateLimited  = "rate_limited"  // too many envelopes; retry later
	ErrUnavailable  = "unavailable"   // the message store failed; retry later
)

// Chat is one envelope of the chat protocol (ChatPath, /ws/chat), in either
// direction. Which fields are set depends on Type.
//
// Every frame is one JSON object, an envelope, sent as a text frame. Its
// "type" field says what it is; the other fields are those the type needs
// (see Chat). Unknown fields are ignored, so either side may add fields
// without breaking the other.
//
// From the client:
//
//	join   {room, nick, token, since, batch}
//	                                   enter room as nick. token is the
//	                                   client's session token (kept in
//	                                   localStorage): it holds the nick, so
//	                                   a reconnecting client keeps it and
//	                                   nobody else can take it meanwhile.
//	                                   since is the last seq the client saw in
//	                                   this room, 0 for "show me the recent
//	                                   history". Joining another room leaves
//	                                   the current one. batch true says the
//	                                   client reads batched frames (below).
//	say    {room, id, text}            post text. id is chosen by the client
//	                                   and makes resends idempotent: the same
//	                                   id twice is stored once.
//	leave  {room}                      leave the room (the nick is released).
//	ping   {}                          heartbeat; answered by pong.
//
// From the server:
//
//	welcome  {room, nick, reset}       the join is accepted. reset means the
//	                                   server no longer has the history the
//	                                   client's since points into (its store
//	                                   was wiped): drop what is on screen.
//	msg      {room, seq, id, nick, text, time}
//	                                   a message. seq is the server-assigned
//	                                   position (the JetStream stream
//	                                   sequence): every client sees a room's
//	                                   messages in seq order, and seq only
//	                                   grows. time is Unix milliseconds.
//	synced   {room, seq}               the catch-up after a join is complete;
//	                                   seq is the client's cursor now. Live
//	                                   messages follow.
//	ack      {room, id, seq}           the message the client sent with id is
//	                                   stored as seq (also for a resend of a
//	                                   message already stored).
//	presence {room, nicks}             who is in the room, sorted, each nick
//	                                   once: the full list, sent once per
//	                                   join, right after synced.
//	presence {room, joined, left}      who came and who went since the last
//	                                   presence, each sorted: a change, sent
//	                                   when someone joins, leaves or
//	                                   disconnects (on any replica). Apply
//	                                   it to the full list (ApplyPresence).
//	error    {code, detail, id, room}  a request was refused; see the Err*
//	                                   codes. id is the say's id when the
//	                                   error is about one. The connection
//	                                   stays open.
//	pong     {}                        answer to ping.
//
// A join replies welcome, then the history — the last ChatHistory messages
// when since is 0, else every message after since — then synced, then live
// messages, with no gap and no duplicate between history and live. A client
// that drops and reconnects joins with since = the last seq it saw and gets
// exactly what it missed.
//
// Presence works the same way: right after synced comes the room's full
// list (a presence with nicks), then only changes (presence with joined
// and/or left), each exactly once and in order, so the full list with every
// change applied is who is in the room now. A nick counts once however many
// sockets or replicas it is online on: joined means it was not listed
// before, left means it is listed no more. A presence carries nicks or
// joined/left, never both; a nicks field, even empty, is a full list.
// Changing rooms or rejoining starts over with a new full list.
//
// Every envelope but ping counts against a per-connection rate; over it,
// the answer is an error rate_limited (with the say's id) and nothing else
// happens: resend later.
//
// The server closes a connection whose send queue overflows (it reads too
// slowly to keep up with the room) with CloseTooSlow, 4008 "too slow:
// reconnect and catch up". Nothing is lost: the client reconnects and
// catches up with since. A frame larger than ChatReadLimit is closed with
// 1009 by the WebSocket layer.
//
// Batched frames: a client whose join said batch true may get a frame
// holding several server envelopes, one per line (ChatBatchSep between
// them; json.Marshal never writes a raw newline), in order. The server
// joins what it has queued for a socket that fell behind, as the classic
// broadcast chat does: one frame and one browser event for many messages.
// ChatEnvelopes splits such a frame; a frame of one envelope is a batch of
// one. Without batch, every frame is one envelope.
//
// An example exchange, recorded from the server: ada joins the lobby,
// where bob said "hi all" before (→ is client to server, the token is
// shortened):
//
//	→ {"type":"join","room":"lobby","nick":"ada","token":"Zk3…","since":0}
//	← {"type":"welcome","room":"lobby","nick":"ada"}
//	← {"type":"msg","room":"lobby","nick":"bob","id":"q9Xc2","text":"hi all","seq":1,"time":1795492794317}
//	← {"type":"synced","room":"lobby","seq":1}
//	← {"type":"presence","room":"lobby","nicks":["ada","bob"]}
//	→ {"type":"say","room":"lobby","id":"x7Rt1","text":"hello bob"}
//	← {"type":"ack","room":"lobby","id":"x7Rt1","seq":2}
//	← {"type":"msg","room":"lobby","nick":"ada","id":"x7Rt1","text":"hello bob","seq":2,"time":1795492794327}
//	← {"type":"presence","room":"lobby","joined":["cy"]}
//	← {"type":"presence","room":"lobby","left":["bob"]}
//	→ {"type":"say","room":"lobby","id":"x8Kp4","text":"   "}
//	← {"type":"error","room":"lobby","id":"x8Kp4","code":"empty","detail":"the message is empty"}
//	→ {"type":"ping"}
//	← {"type":"pong"}
//
// (cy joined, then bob left.) The ack and the msg of one's own say may come
// in either order: the ack answers the say, the msg comes from the stream
// like everyone's.
type Chat struct {
	Type   string   `json:"type"`
	Room   string   `json:"room,omitempty"`
	Nick   string   `json:"nick,omitempty"`
	Token  string   `json:"token,omitempty"`
	Since  uint64   `json:"since,omitempty"`
	Batch  bool     `json:"batch,omitempty"` // a join's: the client reads batched frames
	ID     string   `json:"id,omitempty"`
	Text   string   `json:"text,omitempty"`
	Seq    uint64   `json:"seq,omitempty"`
	Time   int64    `json:"time,omitempty"`   // Unix milliseconds
	Nicks  []string `json:"nicks,omitzero"`   // a presence's full list (see FullPresence)
	Joined []string `json:"joined,omitempty"` // a presence change: now listed
	Left   []string `json:"left,omitempty"`   // a presence change: listed no more
	Reset  bool     `json:"reset,omitempty"`
	Code   string   `json:"code,omitempty"`
	Detail string   `json:"detail,omitempty"`
}

// FullPresence reports whether c, a presence, is a full list (nicks) rather
// than a change (joined, left). Nicks is tagged omitzero, not omitempty, so
// that a full list that is empty is still sent ("nicks":[]) and decodes to
// a non-nil slice: it is never taken for a change.
func (c Chat) FullPresence() bool { return c.Nicks != nil }

// ApplyPresence returns who is in the room after the presence p, given who
// was before it: a full list replaces nicks, a change removes p.Left from
// them and adds p.Joined. nicks must be sorted with each nick once, as
// ApplyPresence returns them; it is not modified.
//
// consistent is false when a change does not fit nicks: a nick joined that
// was already listed, or one left that was not. A client that sees it has
// missed or repeated a change (the server sends each exactly once); the
// result is still the best reading of p.
func ApplyPresence(nicks []string, p Chat) (next []string, consistent bool) {
	if p.FullPresence() {
		next = slices.Clone(p.Nicks)
		slices.Sort(next)
		return slices.Compact(next), true
	}
	next, consistent = slices.Clone(nicks), true
	for _, n := range p.Left {
		if i, ok := slices.BinarySearch(next, n); ok {
			next = slices.Delete(next, i, i+1)
		} else {
			consistent = false
		}
	}
	for _, n := range p.Joined {
		if i, ok := slices.BinarySearch(next, n); !ok {
			next = slices.Insert(next, i, n)
		} else {
			consistent = false
		}
	}
	return next, consistent
}

// ChatErr is a refused envelope: the code and detail of the error envelope
// that answers it, and the say's id and room when they could be read.
type ChatErr struct {
	Code, Detail string
	ID, Room     string
}

func (e *ChatErr) Error() string { return e.Code + ": " + e.Detail }

// Envelope returns the error envelope that answers the refused one.
func (e *ChatErr) Envelope() Chat {
	return Chat{Type: ChatError, Code: e.Code, Detail: e.Detail, ID: e.ID, Room: e.Room}
}

func chatErr(code, format string, args ...any) *ChatErr {
	return &ChatErr{Code: code, Detail: fmt.Sprintf(format, args...)}
}

// DecodeChat reads one envelope sent by a client and validates it: the type
// is a client type and every field that type needs is present and valid.
// On failure the *ChatErr says why, in words fit for the person at the
// other end. Text is returned as sent (not trimmed).
func DecodeChat(data []byte) (Chat, *ChatErr) {
	var c Chat
	if err := json.Unmarshal(data, &c); err != nil {
		return Chat{}, chatErr(ErrBadJSON, "not a chat envelope: %v", jsonReason(err))
	}
	if err := c.validate(); err != nil {
		if err.ID == "" && c.Type == ChatSay && ValidID(c.ID) == nil {
			err.ID = c.ID
		}
		if err.Room == "" && ValidRoom(c.Room) == nil {
			err.Room = c.Room
		}
		return Chat{}, err
	}
	return c, nil
}

// jsonReason shortens encoding/json's errors, which may quote the input at
// length.
func jsonReason(err error) string {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return fmt.Sprintf("field %q must be a %s, not a JSON %s", te.Field, te.Type, te.Value)
	}
	s := err.Error()
	if len(s) > 120 {
		s = s[:120] + "…"
	}
	return s
}

// validate lists each type's checks in the order a client should hear of
// them: the missing fields first, then the malformed ones. Every check is
// cheap and has no effect, so all of them run and the first error wins.
func (c *Chat) validate() *ChatErr {
	need := func(field, v string) *ChatErr {
		if v == "" {
			return chatErr(ErrMissingField, "%s needs a %q field", c.Type, field)
		}
		return nil
	}
	switch c.Type {
	case ChatJoin:
		return firstErr(
			need("room", c.Room), need("nick", c.Nick), need("token", c.Token),
			ValidRoom(c.Room), ValidNick(c.Nick), ValidToken(c.Token))
	case ChatSay:
		// DecodeChat adds the id to the error, once ValidID passed.
		return firstErr(
			need("room", c.Room), need("id", c.ID), need("text", c.Text),
			ValidRoom(c.Room), ValidID(c.ID), ValidText(c.Text))
	case ChatLeave:
		return firstErr(need("room", c.Room), ValidRoom(c.Room))
	case ChatPing:
		return nil
	case "":
		return chatErr(ErrUnknownType, `the envelope has no "type"`)
	default:
		t := c.Type
		if utf8.RuneCountInString(t) > 20 {
			t = string([]rune(t)[:20]) + "…"
		}
		return chatErr(ErrUnknownType, "unknown type %q; a client may send join, say, leave or ping", t)
	}
}

// firstErr is the first of errs that is not nil.
func firstErr(errs ...*ChatErr) *ChatErr {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// ValidRoom checks a room name: 1 to ChatMaxRoom characters, lower-case
// ASCII letters, digits and '-', starting with a letter or digit. Rooms are
// part of the store's subject names, hence the small alphabet.
func ValidRoom(room string) *ChatErr {
	if room == "" || len(room) > ChatMaxRoom {
		return chatErr(ErrBadRoom, "a room name has 1 to %d characters", ChatMaxRoom)
	}
	for i := 0; i < len(room); i++ {
		b := room[i]
		switch {
		case b >= 'a' && b <= 'z', b >= '0' && b <= '9':
		case b == '-' && i > 0:
		default:
			return chatErr(ErrBadRoom, "room %q: use lower-case letters, digits and '-' (not first)", clip(room))
		}
	}
	return nil
}

// ValidNick checks a nickname: 1 to ChatMaxNick characters of letters,
// digits, combining marks, '_', '-', '.' and single inner spaces.
func ValidNick(nick string) *ChatErr {
	if nick == "" || utf8.RuneCountInString(nick) > ChatMaxNick {
		return chatErr(ErrBadNick, "a nickname has 1 to %d characters", ChatMaxNick)
	}
	if !utf8.ValidString(nick) {
		return chatErr(ErrBadNick, "a nickname must be valid UTF-8")
	}
	if strings.TrimSpace(nick) != nick || strings.Contains(nick, "  ") {
		return chatErr(ErrBadNick, "nickname %q: no leading, trailing or double spaces", clip(nick))
	}
	for _, r := range nick {
		switch {
		case unicode.IsLetter(r), unicode.IsDigit(r), unicode.IsMark(r):
		case r == '_', r == '-', r == '.', r == ' ':
		default:
			return chatErr(ErrBadNick, "nickname %q: %q is not allowed; use letters, digits, _ - . and spaces", clip(nick), r)
		}
	}
	return nil
}

// NickKey is the form under which nicknames are compared: "Ada" and "ada"
// are the same person to a reader, so they cannot both be online in a room.
func NickKey(nick string) string { return strings.ToLower(nick) }

// ValidToken checks a session token: ChatMinToken to ChatMaxToken characters
// of the URL-safe base64 alphabet.
func ValidToken(token string) *ChatErr {
	if len(token) < ChatMinToken || len(token) > ChatMaxToken || !urlSafe(token) {
		return chatErr(ErrBadToken, "a session token has %d to %d characters of A-Z a-z 0-9 - _", ChatMinToken, ChatMaxToken)
	}
	return nil
}

// ValidID checks a client message id: 1 to ChatMaxID characters of the
// URL-safe base64 alphabet.
func ValidID(id string) *ChatErr {
	if id == "" || len(id) > ChatMaxID || !urlSafe(id) {
		return chatErr(ErrBadID, "a message id has 1 to %d characters of A-Z a-z 0-9 - _", ChatMaxID)
	}
	return nil
}

// ValidText checks the text of a say: not blank, at most ChatMaxText
// characters, and no control characters but tab and newline. Pages render
// text as text, so controls could do no harm there; but other clients print
// it to terminals, where ESC sequences can repaint the screen, and a NUL
// truncates it in C. (JSON decoding has already replaced invalid UTF-8.)
func ValidText(text string) *ChatErr {
	if strings.TrimSpace(text) == "" {
		return chatErr(ErrEmpty, "the message is empty")
	}
	if n := utf8.RuneCountInString(text); n > ChatMaxText {
		return chatErr(ErrTooLong, "the message has %d characters; the most is %d", n, ChatMaxText)
	}
	for _, r := range text {
		if (r < 0x20 && r != '\t' && r != '\n') || (r >= 0x7F && r < 0xA0) {
			return chatErr(ErrBadText, "the message contains the control character U+%04X", r)
		}
	}
	return nil
}

func urlSafe(s string) bool {
	for i := 0; i < len(s); i++ {
		b := s[i]
		if !(b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9' || b == '-' || b == '_') {
			return false
		}
	}
	return true
}

// clip keeps a quoted bad value short in an error detail.
func clip(s string) string {
	if utf8.RuneCountInString(s) <= 40 {
		return s
	}
	return string([]rune(s)[:40]) + "…"
}
