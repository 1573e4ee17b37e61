package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"socketlab/server/site"
)

// screenPages are the pages photographed for review, each with what to do
// first so the picture shows the page in use, not empty.
var screenPages = []struct {
	name, path string
	prepare    func(u *user)
}{
	{"home", "/", func(u *user) {}},
	{"hello", "/hello", func(u *user) {
		u.waitText("#hello-close", "the close", func(s string) bool { return s != "" })
	}},
	{"casefold", "/casefold", func(u *user) {
		u.waitStatus("open")
		for _, s := range []string{"Straße", "ΣΑΣ ﬁ İstanbul"} {
			u.typeText("#casefold-input", s+"\n")
		}
		u.waitText("#casefold-replies", "two replies", func(s string) bool { return strings.Count(s, "→") == 2 })
	}},
	{"chat", "/chat", func(u *user) {
		u.waitStatus("open")
		// The first visit joins; later ones rejoin by themselves with the
		// nickname kept in localStorage.
		u.waitJS("the join form or the rejoin", `/You are|Choose a nickname/.test(document.querySelector("#chat-whoami").innerText)`)
		if strings.Contains(u.text("#chat-whoami"), "Choose a nickname") {
			openChat(u, "", "lobby", u.name)
		}
		text := "Hello from the " + u.name + " screenshot"
		u.typeText("#chat-input", text+"\n")
		u.waitText("#chat-messages", "the message", func(s string) bool { return strings.Contains(s, text) })
	}},
	{"plot", "/plot", func(u *user) {
		u.waitCount("demo", "demo points", func(n int) bool { return n > 20 })
	}},
	{"wire", "/wire", func(u *user) {
		u.waitStatus("open")
		u.waitText("#wire-accept-check", "the handshake", func(s string) bool { return s != "" })
		u.click("#wire-send-text") // the field starts with "Hello"
		u.waitFrame("#wire-frames", "the echo of Hello", `li.classList.contains("wf-out") && text(li, ".wf-text") === "Hello"`)
	}},
}

// screenSizes are a phone and a desktop window.
var screenSizes = []struct{ w, h int64 }{{375, 812}, {1280, 800}}

// schemes are the prefers-color-scheme values every page is seen in.
var schemes = []string{"light", "dark"}

// TestScreens visits every page once, puts it in use, and then looks at it
// on a phone and on a desktop, light and dark — emulation changes the
// open page, as turning a phone or switching the system theme does, so one
// visit serves all four views. Each view is saved as a screenshot in
// e2e/artifacts/screens/ for a person to look at, and checked for what a
// machine can tell: the page fits the viewport (no horizontal scrolling),
// its text and background follow the scheme, and axe-core finds no
// serious or critical violation (the others are logged).
func TestScreens(t *testing.T) {
	t.Parallel()
	srv := startServer(t, site.Config{PlotDemo: true})
	u := newUser(t, "screens")
	for _, p := range screenPages {
		u.open(srv.URL + p.path)
		p.prepare(u)
		for _, size := range screenSizes {
			for _, scheme := range schemes {
				u.do("emulate", viewport(size.w, size.h), colorScheme(scheme))
				overflow := u.evalBool(`document.documentElement.scrollWidth > document.documentElement.clientWidth`)
				if overflow {
					t.Errorf("%s at %d px, %s: the page scrolls sideways", p.path, size.w, scheme)
				}
				dark := u.evalBool(`(() => {
					const c = getComputedStyle(document.body).backgroundColor.match(/\d+/g).map(Number);
					return (c[0] + c[1] + c[2]) / 3 < 128;
				})()`)
				if dark != (scheme == "dark") {
					t.Errorf("%s at %d px: background dark=%v under prefers-color-scheme %s", p.path, size.w, dark, scheme)
				}
				name := fmt.Sprintf("%s-%d-%s", p.name, size.w, scheme)
				u.screenshot(name)
				if os.Getenv("SOCKETLAB_DOCS") != "" && size.w == 1280 && scheme == "light" {
					// make docs: the README's pictures of each lab.
					u.copyScreenshot(name, filepath.Join("..", "docs", p.name+".png"))
				}
				u.axeCheck(fmt.Sprintf("%s %dpx %s", p.path, size.w, scheme))
			}
		}
	}
	u.checkConsole()
}
