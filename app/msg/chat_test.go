package msg

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

const testToken = "tok_0123456789abcdef"

func TestDecodeChatValid(t *testing.T) {
	for _, in := range []string{
		`{"type":"join","room":"lobby","nick":"ada","token":"` + testToken + `"}`,
		`{"type":"join","room":"r-2","nick":"Zoë Ünal","token":"` + testToken + `","since":42,"extra":true}`,
		`{"type":"say","room":"lobby","id":"abc","text":"hi"}`,
		`{"type":"say","room":"lobby","id":"abc","text":"` + strings.Repeat("é", ChatMaxText) + `"}`,
		`{"type":"say","room":"lobby","id":"abc","text":"` + strings.Repeat("😀", ChatMaxText) + `"}`,
		`{"type":"leave","room":"lobby"}`,
		`{"type":"ping"}`,
	} {
		c, err := DecodeChat([]byte(in))
		if err != nil {
			t.Errorf("DecodeChat(%.60s): %v", in, err)
			continue
		}
		if c.Type == "" {
			t.Errorf("DecodeChat(%.60s): empty type", in)
		}
	}
}

func TestDecodeChatInvalid(t *testing.T) {
	long := strings.Repeat("x", ChatMaxText+1)
	for _, c := range []struct {
		in, code, id string
	}{
		{`not json`, ErrBadJSON, ""},
		{`[1,2]`, ErrBadJSON, ""},
		{`{"type":"say","room":"lobby","id":"a","text":5}`, ErrBadJSON, ""},
		{`{"type":"join","room":"lobby","nick":"ada","token":"` + testToken + `","since":-1}`, ErrBadJSON, ""},
		{`{}`, ErrUnknownType, ""},
		{`{"type":"shout"}`, ErrUnknownType, ""},
		{`{"type":"welcome","room":"lobby"}`, ErrUnknownType, ""}, // a server type
		{`{"type":"join","nick":"ada","token":"` + testToken + `"}`, ErrMissingField, ""},
		{`{"type":"join","room":"lobby","token":"` + testToken + `"}`, ErrMissingField, ""},
		{`{"type":"join","room":"lobby","nick":"ada"}`, ErrMissingField, ""},
		{`{"type":"join","room":"Lobby","nick":"ada","token":"` + testToken + `"}`, ErrBadRoom, ""},
		{`{"type":"join","room":"a.b","nick":"ada","token":"` + testToken + `"}`, ErrBadRoom, ""},
		{`{"type":"join","room":"-a","nick":"ada","token":"` + testToken + `"}`, ErrBadRoom, ""},
		{`{"type":"join","room":"` + strings.Repeat("a", ChatMaxRoom+1) + `","nick":"ada","token":"` + testToken + `"}`, ErrBadRoom, ""},
		{`{"type":"join","room":"lobby","nick":"<b>ada</b>","token":"` + testToken + `"}`, ErrBadNick, ""},
		{`{"type":"join","room":"lobby","nick":" ada","token":"` + testToken + `"}`, ErrBadNick, ""},
		{`{"type":"join","room":"lobby","nick":"a  b","token":"` + testToken + `"}`, ErrBadNick, ""},
		{`{"type":"join","room":"lobby","nick":"` + strings.Repeat("a", ChatMaxNick+1) + `","token":"` + testToken + `"}`, ErrBadNick, ""},
		{`{"type":"join","room":"lobby","nick":"ada","token":"short"}`, ErrBadToken, ""},
		{`{"type":"join","room":"lobby","nick":"ada","token":"` + testToken + `!!"}`, ErrBadToken, ""},
		{`{"type":"say","room":"lobby","text":"hi"}`, ErrMissingField, ""},
		{`{"type":"say","room":"lobby","id":"a"}`, ErrMissingField, "a"},
		{`{"type":"say","id":"a","text":"hi"}`, ErrMissingField, "a"},
		{`{"type":"say","room":"lobby","id":"a b","text":"hi"}`, ErrBadID, ""},
		{`{"type":"say","room":"lobby","id":"a","text":" \n\t "}`, ErrEmpty, "a"},
		{`{"type":"say","room":"lobby","id":"a","text":"` + long + `"}`, ErrTooLong, "a"},
		{`{"type":"say","room":"LOBBY","id":"a","text":"hi"}`, ErrBadRoom, "a"},
		{`{"type":"leave"}`, ErrMissingField, ""},
		{`{"type":"leave","room":"x y"}`, ErrBadRoom, ""},
	} {
		_, err := DecodeChat([]byte(c.in))
		if err == nil {
			t.Errorf("DecodeChat(%.70s) = ok, want %s", c.in, c.code)
			continue
		}
		if err.Code != c.code || err.ID != c.id {
			t.Errorf("DecodeChat(%.70s) = %s (id %q), want %s (id %q)", c.in, err, err.ID, c.code, c.id)
		}
		if err.Detail == "" || !utf8.ValidString(err.Detail) || len(err.Detail) > 300 {
			t.Errorf("DecodeChat(%.70s): detail %q is not a short readable sentence", c.in, err.Detail)
		}
		env := err.Envelope()
		if env.Type != ChatError || env.Code != c.code {
			t.Errorf("Envelope() = %+v", env)
		}
	}
}

func TestValidTextCountsCharacters(t *testing.T) {
	// 8 000 characters of 4 bytes each are 32 000 bytes and still fine;
	// the limit is about what a person typed, not about bytes.
	if err := ValidText(strings.Repeat("😀", ChatMaxText)); err != nil {
		t.Errorf("8000 emoji: %v", err)
	}
	err := ValidText(strings.Repeat("a", ChatMaxText+1))
	if err == nil || err.Code != ErrTooLong || !strings.Contains(err.Detail, "8001") {
		t.Errorf("8001 characters: %v", err)
	}
	// The worst case still fits the read limit: every character escaped.
	env, _ := json.Marshal(Chat{Type: ChatSay, Room: "lobby", ID: strings.Repeat("a", ChatMaxID), Text: strings.Repeat("\u2028", ChatMaxText)})
	if len(env) > ChatReadLimit {
		t.Errorf("a maximal say is %d bytes, over ChatReadLimit %d", len(env), ChatReadLimit)
	}
}

func TestNickKey(t *testing.T) {
	if NickKey("Ada") != NickKey("ada") || NickKey("ada") == NickKey("bob") {
		t.Error("NickKey must fold case and nothing else")
	}
}

func ExampleDecodeChat() {
	c, err := DecodeChat([]byte(`{"type":"say","room":"lobby","id":"m1","text":"hello"}`))
	fmt.Println(c.Type, c.Room, c.ID, c.Text, err == nil)

	_, err = DecodeChat([]byte(`{"type":"say","room":"lobby","id":"m2","text":"   "}`))
	reply, _ := json.Marshal(err.Envelope())
	fmt.Println(string(reply))
	// Output:
	// say lobby m1 hello true
	// {"type":"error","room":"lobby","id":"m2","code":"empty","detail":"the message is empty"}
}

func TestValidTextControlCharacters(t *testing.T) {
	for text, code := range map[string]string{
		"line one\nline two\tindented":  "",
		"\x1b[2J cleared your terminal": ErrBadText,
		"nul\x00byte":                   ErrBadText,
		"carriage\rreturn":              ErrBadText,
		"c1 \u0085 next line":           ErrBadText,
		"emoji 😀 and ünïcödé":           "",
	} {
		err := ValidText(text)
		got := ""
		if err != nil {
			got = err.Code
		}
		if got != code {
			t.Errorf("ValidText(%q) = %q, want %q", text, got, code)
		}
	}
}

// A full list and a change look different on the wire, also when the full
// list is empty, and each decodes back to what it was.
func TestPresenceWire(t *testing.T) {
	for _, c := range []struct {
		env  Chat
		json string
		full bool
	}{
		{Chat{Type: ChatPresence, Room: "lobby", Nicks: []string{"ada", "bob"}}, `{"type":"presence","room":"lobby","nicks":["ada","bob"]}`, true},
		{Chat{Type: ChatPresence, Room: "lobby", Nicks: []string{}}, `{"type":"presence","room":"lobby","nicks":[]}`, true},
		{Chat{Type: ChatPresence, Room: "lobby", Joined: []string{"cy"}}, `{"type":"presence","room":"lobby","joined":["cy"]}`, false},
		{Chat{Type: ChatPresence, Room: "lobby", Joined: []string{"cy"}, Left: []string{"bob"}}, `{"type":"presence","room":"lobby","joined":["cy"],"left":["bob"]}`, false},
	} {
		b, err := json.Marshal(c.env)
		if err != nil || string(b) != c.json {
			t.Errorf("%+v marshals to %s (%v), want %s", c.env, b, err, c.json)
		}
		var back Chat
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatal(err)
		}
		if back.FullPresence() != c.full {
			t.Errorf("%s: FullPresence = %v, want %v", b, back.FullPresence(), c.full)
		}
	}
	// Other envelopes carry no nicks field at all.
	if b, _ := json.Marshal(Chat{Type: ChatPong}); string(b) != `{"type":"pong"}` {
		t.Errorf("pong marshals to %s", b)
	}
}

func TestApplyPresence(t *testing.T) {
	full := func(n ...string) Chat { return Chat{Type: ChatPresence, Nicks: append([]string{}, n...)} }
	delta := func(joined, left []string) Chat { return Chat{Type: ChatPresence, Joined: joined, Left: left} }
	for _, c := range []struct {
		name       string
		before     []string
		p          Chat
		want       []string
		consistent bool
	}{
		{"full list replaces, sorted, once", []string{"zed"}, full("cy", "ada", "cy"), []string{"ada", "cy"}, true},
		{"empty full list", []string{"ada"}, full(), []string{}, true},
		{"join into the middle", []string{"ada", "cy"}, delta([]string{"bob"}, nil), []string{"ada", "bob", "cy"}, true},
		{"join into nothing", nil, delta([]string{"bob", "ada"}, nil), []string{"ada", "bob"}, true},
		{"leave", []string{"ada", "bob", "cy"}, delta(nil, []string{"bob"}), []string{"ada", "cy"}, true},
		{"both at once", []string{"ada", "bob"}, delta([]string{"cy"}, []string{"ada"}), []string{"bob", "cy"}, true},
		{"a repeated join", []string{"ada", "bob"}, delta([]string{"bob"}, nil), []string{"ada", "bob"}, false},
		{"a leave of someone not listed", []string{"ada"}, delta(nil, []string{"bob"}), []string{"ada"}, false},
	} {
		before := slices.Clone(c.before)
		got, ok := ApplyPresence(c.before, c.p)
		if !slices.Equal(got, c.want) || ok != c.consistent {
			t.Errorf("%s: got %q, %v; want %q, %v", c.name, got, ok, c.want, c.consistent)
		}
		if !slices.Equal(before, c.before) {
			t.Errorf("%s: the list passed in was modified", c.name)
		}
	}
}
