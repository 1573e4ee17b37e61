package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"socketlab/app/ui"
	"socketlab/server/site"
)

// layoutWidths are the viewport widths every page must hold at: a small
// phone, a common phone, a tablet, a desktop.
var layoutWidths = []int{320, 375, 768, 1280}

// screensWidths are the widths photographed (docs/screens/<engine>/).
var screensWidths = []int{375, 1280}

// layoutPrepare puts a page in use before it is measured or photographed
// (scenarioLayouts, TestScreens), so the check sees what a person sees:
// replies, a joined chat, a drawn plot, a frame on the wire. Pages not
// listed are measured as they load.
var layoutPrepare = map[string]func(p *person){
	"/hello": func(p *person) {
		p.waitText("#hello-close", "the close", func(s string) bool { return s != "" })
	},
	"/casefold": func(p *person) {
		p.waitStatus("open")
		if p.text("#casefold-replies") == "" {
			for _, s := range []string{"Straße", "ΣΑΣ ﬁ İstanbul"} {
				p.typeText("#casefold-input", s+"\n")
			}
		}
		p.waitJS("two replies", `document.querySelectorAll("#casefold-replies .fold-out").length >= 2`)
	},
	"/chat": func(p *person) {
		p.waitStatus("open")
		p.waitJS("the join form or the rejoin", `/You are|Choose a nickname/.test(document.querySelector("#chat-whoami").innerText)`)
		if strings.Contains(p.text("#chat-whoami"), "Choose a nickname") {
			joinChat(p, "", "lobby", p.name)
			p.typeText("#chat-input", "Hello from "+p.engine+"\n")
			p.waitText("#chat-messages", "the message", func(s string) bool { return strings.Contains(s, "Hello from") })
		}
	},
	"/wire": func(p *person) {
		p.waitStatus("open")
		p.waitText("#wire-accept-check", "the handshake", func(s string) bool { return s != "" })
		p.click("#wire-send-text") // the field starts with "Hello"
		p.waitJS("the echo of Hello", `Array.from(document.querySelectorAll("#wire-frames li[data-n]")).some(li =>
			li.classList.contains("wf-out") && (li.querySelector(".wf-text") || {innerText: ""}).innerText === "Hello")`)
	},
	"/plot": func(p *person) {
		p.waitJS("demo points", fmt.Sprintf(`Number((document.querySelector(%q) || {}).innerText) > 20`, seriesSel("demo")+" .series-count"))
	},
}

// layoutProblemsJS lists what is wrong with the layout as a person would
// see it: the page scrolls sideways; a label is neither beside (left of,
// on the same line) nor above its own field; the current navigation item
// is not fully on screen.
const layoutProblemsJS = `(() => {
	const probs = [], de = document.documentElement;
	if (de.scrollWidth > de.clientWidth) {
		probs.push("the page scrolls sideways: " + de.scrollWidth + " px wide in a " + de.clientWidth + " px viewport");
	}
	for (const l of document.querySelectorAll("label[for]")) {
		const f = document.getElementById(l.htmlFor);
		if (!f) { probs.push("label " + l.htmlFor + " has no field"); continue; }
		if (getComputedStyle(l).position === "absolute") continue; // visually hidden, for screen readers
		const a = l.getBoundingClientRect(), b = f.getBoundingClientRect();
		if (a.width === 0 || b.width === 0) continue; // not shown now
		const beside = a.bottom > b.top && a.top < b.bottom && b.left - a.right > -2 && b.left - a.right < 48;
		// Above means just above and starting where the field starts: a
		// label left at the end of one line over a field that wrapped to
		// the next is not "above" it.
		const above = a.bottom <= b.top + 2 && b.top - a.bottom < 24 && Math.abs(a.left - b.left) < 16;
		if (!beside && !above) {
			probs.push("label " + JSON.stringify(l.innerText) + " is not beside or above its field (label " +
				[a.left, a.top, a.right, a.bottom].map(Math.round) + ", field " + [b.left, b.top, b.right, b.bottom].map(Math.round) + ")");
		}
	}
	const cur = document.querySelector('nav a[aria-current="page"]');
	if (cur) {
		const r = cur.getBoundingClientRect(), box = cur.closest("ul").getBoundingClientRect();
		if (r.width === 0 || r.left < -1 || r.right > de.clientWidth + 1 || r.left < box.left - 1 || r.right > box.right + 1) {
			probs.push("the current navigation item " + JSON.stringify(cur.innerText) + " is cut off (" + Math.round(r.left) + "–" + Math.round(r.right) + " px)");
		}
	}
	return probs;
})()`

// scenarioLayouts opens every page once, puts it in use, and then sizes
// the window to every layout width in turn, as a person dragging its edge
// would (the page reflows; nothing in it listens for resizes), failing on
// any layout problem; at the photographed widths it keeps a screenshot, and
// under SOCKETLAB_DOCS (make docs) copies it, shrunk, to docs/screens/.
func scenarioLayouts(s *stage) {
	srv := s.startServer(site.Config{PlotDemo: true})
	p := s.newPerson("lee")
	for _, path := range ui.Paths() {
		p.open(srv.URL + path)
		if prep := layoutPrepare[path]; prep != nil {
			prep(p)
		}
		measured := map[int]bool{}
		for _, w := range layoutWidths {
			if w = layoutWidth(s, p, w); measured[w] {
				continue
			}
			measured[w] = true
			var probs []string
			p.eval(layoutProblemsJS, &probs)
			for _, pr := range probs {
				s.t.Errorf("%s at %d px in %s: %s", path, w, s.engine, pr)
			}
			if slices.Contains(screensWidths, w) || (s.engine == "webkit" && w < 600 && !slices.Contains(layoutWidths, w)) {
				name := pageName(path) + "-" + fmt.Sprint(w)
				png := p.screenshot(name)
				if os.Getenv("SOCKETLAB_DOCS") != "" {
					writeDocsScreen(s.t, filepath.Join("..", "docs", "screens", s.engine, name+".png"), png)
				}
			}
		}
	}
	p.checkConsole()
}

// layoutWidth sizes the viewport to w px wide and returns the width it
// got. MiniBrowser's window keeps its toolbar, which will not shrink below
// about 447 px: there the page is measured at the narrowest it gets to, and
// the log says so (the page's own narrow-screen rules apply from 600 px
// down, so this still exercises the phone layout).
func layoutWidth(s *stage, p *person, w int) int {
	s.t.Helper()
	err := p.d.setViewport(w, 800)
	if err == nil {
		return w
	}
	var got int
	p.eval("innerWidth", &got)
	if s.engine != "webkit" || got <= w {
		p.must(fmt.Sprintf("viewport %d px", w), err)
	}
	s.t.Logf("%s: the window cannot be %d px wide; measuring at %d px instead", s.engine, w, got)
	return got
}

// pageName names a page's screenshot: "home" for /, else the path.
func pageName(path string) string {
	if path == "/" {
		return "home"
	}
	return strings.TrimPrefix(path, "/")
}

// writeDocsScreen writes a screenshot for the README, shrunk to a palette.
func writeDocsScreen(t *testing.T, dst string, png []byte) {
	t.Helper()
	small, err := shrinkPNG(png)
	if err != nil {
		t.Fatalf("shrinking %s: %v", dst, err)
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, small, 0o644); err != nil {
		t.Fatal(err)
	}
}
