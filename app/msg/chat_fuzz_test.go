package msg

import (
	"encoding/json"
	"reflect"
	"testing"
	"unicode/utf8"
)

// FuzzDecodeChat feeds arbitrary bytes to the decoder the server runs on
// every frame a client sends. It must never panic; what it accepts must be
// valid by the package's own rules and survive a round trip; what it refuses
// must come with a known code and a readable detail.
func FuzzDecodeChat(f *testing.F) {
	for _, s := range []string{
		`{"type":"join","room":"lobby","nick":"ada","token":"tok_0123456789abcdef","since":3}`,
		`{"type":"say","room":"lobby","id":"m1","text":"hi <img src=x onerror=alert(1)>"}`,
		`{"type":"leave","room":"lobby"}`,
		`{"type":"ping"}`,
		`{"type":"say","room":"lobby","id":"m1","text":"\ud800"}`,
		`{"type":"say","room":"lobby","id":"m1","text":"` + "\xff\xfe" + `"}`,
		`{"type":1}`, `null`, `{"type":"say","type":"join"}`, ``,
	} {
		f.Add([]byte(s))
	}
	codes := map[string]bool{ErrBadJSON: true, ErrUnknownType: true, ErrMissingField: true, ErrBadRoom: true,
		ErrBadNick: true, ErrBadToken: true, ErrBadID: true, ErrEmpty: true, ErrTooLong: true, ErrBadText: true}
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := DecodeChat(data)
		if err != nil {
			if !codes[err.Code] {
				t.Fatalf("unknown code %q", err.Code)
			}
			if err.Detail == "" || !utf8.ValidString(err.Detail) {
				t.Fatalf("detail %q", err.Detail)
			}
			return
		}
		switch c.Type {
		case ChatJoin:
			if ValidRoom(c.Room) != nil || ValidNick(c.Nick) != nil || ValidToken(c.Token) != nil {
				t.Fatalf("accepted an invalid join: %+v", c)
			}
		case ChatSay:
			if ValidRoom(c.Room) != nil || ValidID(c.ID) != nil || ValidText(c.Text) != nil {
				t.Fatalf("accepted an invalid say: %+v", c)
			}
		case ChatLeave:
			if ValidRoom(c.Room) != nil {
				t.Fatalf("accepted an invalid leave: %+v", c)
			}
		case ChatPing:
		default:
			t.Fatalf("accepted type %q", c.Type)
		}
		again, merr := json.Marshal(c)
		if merr != nil {
			t.Fatal(merr)
		}
		c2, err2 := DecodeChat(again)
		if err2 != nil || !reflect.DeepEqual(c, c2) {
			t.Fatalf("round trip: %+v → %s → %+v, %v", c, again, c2, err2)
		}
	})
}
