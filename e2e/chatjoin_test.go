package e2e

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// joinChat opens the chat as nick and joins room, typing both into the
// form like a person. An empty url joins on the chat page already open.
func joinChat(p *person, url, room, nick string) {
	p.t.Helper()
	if url != "" {
		p.open(url + "/chat")
	}
	p.waitStatus("open")
	p.paste("#chat-room", "")
	p.typeText("#chat-room", room)
	p.typeText("#chat-nick", nick)
	p.click("#chat-join")
	p.waitText("#chat-whoami", "joined", func(s string) bool { return strings.Contains(s, "You are "+nick+" in #"+room) })
}

// waitList waits until the text of the elements matching css is want.
func (p *person) waitList(css, what string, want []string) {
	p.t.Helper()
	expr := fmt.Sprintf(`Array.from(document.querySelectorAll(%q), e => e.textContent)`, css)
	for deadline := time.Now().Add(20 * time.Second); ; {
		var shown []string
		if p.d.evalJSON(expr, &shown) == nil && slices.Equal(shown, want) {
			return
		}
		if time.Now().After(deadline) {
			p.t.Fatalf("%s (%s): waiting for %s %s; the screen shows %s", p.name, p.engine, what, short(want), short(shown))
		}
		time.Sleep(50 * time.Millisecond) // polling interval, bounded by the deadline
	}
}

// meetInLobby is the two-person chat every engine and both chat set-ups
// (one server; two replicas on NATS) walk through: ada joins #lobby at
// urlA, bob at urlB, each sees both present, ada says hello and bob's
// reply reaches her after it.
func meetInLobby(ada, bob *person, urlA, urlB, hello, reply string) {
	ada.t.Helper()
	joinChat(ada, urlA, "lobby", ada.name)
	joinChat(bob, urlB, "lobby", bob.name)
	ada.waitList("#chat-presence .chat-who", "presence", []string{ada.name, bob.name})
	bob.waitList("#chat-presence .chat-who", "presence", []string{ada.name, bob.name})
	ada.typeText("#chat-input", hello+"\n")
	bob.waitList("#chat-messages .chat-text", "messages", []string{hello})
	bob.typeText("#chat-input", reply+"\n")
	ada.waitList("#chat-messages .chat-text", "messages", []string{hello, reply})
}
