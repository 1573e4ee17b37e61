package e2e

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"socketlab/app/msg"
	"socketlab/server/site"
)

// chatter is a user on the chat page.
type chatter struct {
	*user
	nick string
}

// openChat opens the chat page as nick and joins room (joinChat); an
// empty url joins on the page already open.
func openChat(u *user, url, room, nick string) *chatter {
	u.t.Helper()
	joinChat(u.person(), url, room, nick)
	return &chatter{u, nick}
}

// say types a message and presses Enter.
func (c *chatter) say(text string) {
	c.t.Helper()
	c.typeText("#chat-input", text+"\n")
}

func (c *chatter) messages() []string { return c.texts("#chat-messages .chat-text") }

func (c *chatter) presence() []string { return c.texts("#chat-presence .chat-who") }

// waitMessages waits until the screen shows exactly want, in order.
func (c *chatter) waitMessages(want ...string) {
	c.t.Helper()
	c.waitList("#chat-messages .chat-text", "messages", want)
}

// waitList waits until the text of the elements matching css is want.
func (c *chatter) waitList(css, what string, want []string) {
	c.t.Helper()
	c.person().waitList(css, what, want)
}

func (c *chatter) waitPresence(want ...string) {
	c.t.Helper()
	c.waitList("#chat-presence .chat-who", "presence", want)
}

// noDialogs fails the test if the page ever opens a JavaScript dialog (an
// alert from an XSS payload would); it also closes it so nothing hangs.
func noDialogs(t *testing.T, u *user) {
	dialogs := chromedp.Events(u.ctx, page.JavascriptDialogOpening)
	var mu sync.Mutex
	var opened []string
	go func() {
		for ev, err := range dialogs {
			if err != nil {
				return
			}
			mu.Lock()
			opened = append(opened, ev.Message)
			mu.Unlock()
			chromedp.Call(u.ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: false})
		}
	}()
	t.Cleanup(func() {
		mu.Lock()
		defer mu.Unlock()
		if len(opened) > 0 {
			t.Errorf("%s: a JavaScript dialog opened: %q", u.name, opened)
		}
	})
}

// guardedChatters brings in ada and bob, each failing the test if their
// page ever opens a JavaScript dialog, and has them meet in #lobby
// (meetInLobby) at urlA and urlB.
func guardedChatters(t *testing.T, urlA, urlB, hello, reply string) (ada, bob *chatter) {
	t.Helper()
	adaU, bobU := newUser(t, "ada"), newUser(t, "bob")
	noDialogs(t, adaU)
	noDialogs(t, bobU)
	meetInLobby(adaU.person(), bobU.person(), urlA, urlB, hello, reply)
	return &chatter{adaU, "ada"}, &chatter{bobU, "bob"}
}

// TestChat walks the chat as three people: two talk both ways and see each
// other, a markup payload shows as text, an 8 000-character message arrives
// whole, a third joins later and sees the history in their own time zone,
// and one who leaves disappears from presence.
func TestChat(t *testing.T) {
	t.Parallel()
	srv := startServer(t, site.Config{DataDir: t.TempDir()})
	ada, bob := guardedChatters(t, srv.URL, srv.URL, "Hello bob", "Hi ada")

	// Markup is text: it shows literally, no element is made, no alert.
	xss := `<img src=x onerror=alert(1)>`
	bob.say(xss)
	ada.waitMessages("Hello bob", "Hi ada", xss)
	if n := ada.countOf("#chat-messages img"); n != 0 {
		t.Fatalf("ada's message list holds %d img elements", n)
	}

	// Exactly 8 000 characters (2-byte ones among them) arrive whole…
	long := strings.Repeat("long message é ", msg.ChatMaxText/15) + strings.Repeat("!", msg.ChatMaxText%15)
	if n := len([]rune(long)); n != msg.ChatMaxText {
		t.Fatalf("test text has %d characters", n)
	}
	ada.do("paste 8000 characters", setValue("#chat-input", long))
	ada.waitText("#chat-count", "the count", func(s string) bool { return s == "8000 / 8000" })
	ada.click("#chat-send")
	bob.waitMessages("Hello bob", "Hi ada", xss, long)
	// …one more is refused with a clear error, and is not sent.
	ada.do("paste 8001 characters", setValue("#chat-input", long+"?"))
	ada.click("#chat-send")
	errText := ada.waitText("#chat-send-error", "the length error", func(s string) bool { return s != "" })
	if !strings.Contains(errText, "8001") || !strings.Contains(errText, "8000") {
		t.Fatalf("error for 8001 characters: %q", errText)
	}
	if c := ada.text("#chat-count"); c != "8001 / 8000" {
		t.Fatalf("the count shows %q", c)
	}
	ada.do("clear the message box", setValue("#chat-input", ""))

	// Carol comes later, in Kathmandu (UTC+05:45): she sees the history,
	// with times in her own time zone.
	carolU := newUser(t, "carol")
	noDialogs(t, carolU)
	if _, err := chromedp.Call(carolU.ctx, emulation.SetTimezoneOverride, emulation.SetTimezoneOverrideParams{TimezoneID: "Asia/Kathmandu"}); err != nil {
		t.Fatal(err)
	}
	carol := openChat(carolU, srv.URL, "lobby", "carol")
	carol.waitMessages("Hello bob", "Hi ada", xss, long)
	carol.waitPresence("ada", "bob", "carol")
	carol.waitJS("the time zone override", `new Date().getTimezoneOffset() === -345`)
	carol.waitJS("times in local time", `Array.from(document.querySelectorAll("#chat-messages time")).every(t => {
		const d = new Date(t.dateTime), p = n => String(n).padStart(2, "0");
		return t.textContent === p(d.getHours()) + ":" + p(d.getMinutes()) + ":" + p(d.getSeconds());
	})`)

	// The long message made the list scroll: it follows new messages while
	// at the bottom, and stays put once Carol scrolls up to read.
	ada.say("scroll check")
	carol.waitMessages("Hello bob", "Hi ada", xss, long, "scroll check")
	carol.waitJS("the list at its bottom", `(() => { const l = document.getElementById("chat-messages");
		return l.scrollHeight > l.clientHeight && l.scrollTop + l.clientHeight >= l.scrollHeight - 8 })()`)
	carol.do("scroll up", chromedp.Evaluate[chromedp.Void](`(() => { const l = document.getElementById("chat-messages");
		l.scrollTop = 0; l.dispatchEvent(new Event("scroll")) })()`))
	ada.say("while carol reads")
	carol.waitMessages("Hello bob", "Hi ada", xss, long, "scroll check", "while carol reads")
	if top := carol.evalString(`document.getElementById("chat-messages").scrollTop`); top != "0" {
		t.Errorf("the list scrolled to %s while Carol was reading above", top)
	}

	// Bob leaves: gone from everyone's presence.
	bob.click("#chat-leave")
	ada.waitPresence("ada", "carol")
	carol.waitPresence("ada", "carol")
	bob.waitText("#chat-whoami", "left", func(s string) bool { return strings.Contains(s, "not in a room") })
}

// TestChatRestart restarts the server mid-conversation, on the same data
// directory. Messages typed while it is down wait in the outbox, shown as
// pending; when the clients reconnect on their own, everything said before
// and during the outage shows exactly once, in the same order, on every
// screen — and a newcomer after the restart reads it all from the store.
func TestChatRestart(t *testing.T) {
	t.Parallel()
	srv := startServer(t, site.Config{DataDir: t.TempDir()})
	ada := openChat(newUser(t, "ada"), srv.URL, "lobby", "ada")
	bob := openChat(newUser(t, "bob"), srv.URL, "lobby", "bob")
	ada.say("one")
	bob.waitMessages("one")
	bob.say("two")
	ada.waitMessages("one", "two")

	srv.Stop()
	ada.waitStatus("reconnecting")
	bob.waitStatus("reconnecting")
	ada.say("three, while the server is down")
	ada.say("four, also while down")
	bob.say("five, bob while down")
	ada.waitJS("two pending", `Array.from(document.querySelectorAll("#chat-pending .chat-state"), e => e.textContent).join() === "pending,pending"`)
	bob.waitText("#chat-pending .chat-state", "pending", func(s string) bool { return s == "pending" })
	if got := ada.messages(); !slices.Equal(got, []string{"one", "two"}) {
		t.Fatalf("pending messages shown as sent: %q", got)
	}

	srv.Start()
	ada.waitStatus("open")
	bob.waitStatus("open")
	ada.waitJS("ada's outbox to empty", `document.querySelectorAll("#chat-pending li").length === 0`)
	bob.waitJS("bob's outbox to empty", `document.querySelectorAll("#chat-pending li").length === 0`)
	ada.waitJS("5 messages", `document.querySelectorAll("#chat-messages .chat-text").length >= 5`)
	bob.waitJS("5 messages", `document.querySelectorAll("#chat-messages .chat-text").length >= 5`)
	onAda := ada.messages()
	want := []string{"one", "two", "three, while the server is down", "four, also while down", "five, bob while down"}
	sorted := slices.Sorted(slices.Values(onAda))
	if !slices.Equal(sorted, slices.Sorted(slices.Values(want))) {
		t.Fatalf("ada shows %q, want each of %q once", onAda, want)
	}
	if slices.Index(onAda, want[2]) > slices.Index(onAda, want[3]) {
		t.Fatalf("ada's own messages out of order: %q", onAda)
	}
	bob.waitMessages(onAda...)

	carol := openChat(newUser(t, "carol"), srv.URL, "lobby", "carol")
	carol.waitMessages(onAda...)
	// Nothing arrives twice later either.
	ada.say("after")
	for _, c := range []*chatter{ada, bob, carol} {
		c.waitMessages(append(slices.Clone(onAda), "after")...)
	}
}

// short abbreviates long strings in a list for an error message.
func short(list []string) string {
	var out []string
	for _, s := range list {
		if r := []rune(s); len(r) > 40 {
			s = fmt.Sprintf("%s…(%d characters)…%s", string(r[:15]), len(r), string(r[len(r)-15:]))
		}
		out = append(out, strconv.Quote(s))
	}
	return "[" + strings.Join(out, " ") + "]"
}

// countOf returns how many elements match the CSS selector.
func (u *user) countOf(css string) int {
	u.t.Helper()
	ctx, cancel := context.WithTimeout(u.ctx, 10*time.Second)
	defer cancel()
	n, err := chromedp.Run(ctx, chromedp.Evaluate[int](fmt.Sprintf(`document.querySelectorAll(%q).length`, css)))
	if err != nil {
		u.t.Fatalf("%s: counting %s: %v", u.name, css, err)
	}
	return n
}
