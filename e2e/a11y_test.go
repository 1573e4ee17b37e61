package e2e

import (
	"context"
	_ "embed"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"socketlab/server/site"
)

// axeSource is axe-core, vendored as a test fixture (testdata/axe-core has
// its version and licence).
//
//go:embed testdata/axe-core/axe.min.js
var axeSource string

// axeViolation is the part of an axe-core result the test reports.
type axeViolation struct {
	ID     string `json:"id"`
	Impact string `json:"impact"`
	Help   string `json:"help"`
	Nodes  []struct {
		Target []any  `json:"target"`
		HTML   string `json:"html"`
		Why    string `json:"failureSummary"`
	} `json:"nodes"`
}

// axeRun injects axe-core into the page and runs its WCAG 2.x A/AA rules
// plus best practices.
func (u *user) axeRun() []axeViolation {
	u.t.Helper()
	ctx, cancel := context.WithTimeout(u.ctx, 30*time.Second)
	defer cancel()
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[chromedp.Void](axeSource)); err != nil {
		u.t.Fatalf("%s: injecting axe-core: %v", u.name, err)
	}
	v, err := chromedp.Run(ctx, chromedp.Evaluate[[]axeViolation](`axe.run(document, {
		runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]},
		resultTypes: ["violations"],
	}).then(r => r.violations)`, chromedp.EvalAwaitPromise))
	if err != nil {
		u.t.Fatalf("%s: running axe-core: %v", u.name, err)
	}
	return v
}

// axeCheck runs axe-core over the page as it is now: serious and critical
// violations fail the test, the others are logged.
func (u *user) axeCheck(where string) {
	u.t.Helper()
	for _, v := range u.axeRun() {
		var nodes []string
		for _, n := range v.Nodes {
			nodes = append(nodes, fmt.Sprintf("%v %s", n.Target, n.Why))
		}
		msg := fmt.Sprintf("%s: %s (%s): %s\n  %s", where, v.ID, v.Impact, v.Help, strings.Join(nodes, "\n  "))
		if v.Impact == "serious" || v.Impact == "critical" {
			u.t.Error(msg)
		} else {
			u.t.Log(msg)
		}
	}
}

// TestAccessibility runs axe-core over a page with the offline banner
// showing, light and dark: the banners are part of the design too. (Every
// page in use, on a phone and a desktop, light and dark, is checked by
// TestScreens, on the same visits it photographs.)
func TestAccessibility(t *testing.T) {
	t.Parallel()
	srv, u := openLab(t, "a11y-offline", "/casefold")
	srv.Stop()
	u.waitText("#offline", "the offline banner", func(s string) bool { return s != "" })
	for _, scheme := range schemes {
		u.do("emulate", colorScheme(scheme))
		u.axeCheck("/casefold with the server down, " + scheme)
	}
}

// TestFocusVisible walks the home page and the casefold lab with the Tab
// key, as a keyboard user would: the first stop is the skip link, shown on
// screen, and every stop after it has a visible focus ring.
func TestFocusVisible(t *testing.T) {
	t.Parallel()
	srv := startServer(t, site.Config{})
	type focused struct {
		Tag      string `json:"tag"`
		Text     string `json:"text"`
		Ring     bool   `json:"ring"` // outline drawn, at least 2 px
		OnScreen bool   `json:"onscreen"`
	}
	const probe = `(() => {
		const el = document.activeElement;
		const s = getComputedStyle(el);
		const r = el.getBoundingClientRect();
		return {
			tag: el.tagName.toLowerCase(), text: (el.innerText || el.placeholder || "").trim().slice(0, 40),
			ring: s.outlineStyle !== "none" && parseFloat(s.outlineWidth) >= 2,
			onscreen: r.width > 0 && r.height > 0 && r.right > 0 && r.bottom > 0 && r.left < innerWidth && r.top < innerHeight,
		};
	})()`
	for _, scheme := range []string{"light", "dark"} {
		u := newUser(t, "keyboard-"+scheme)
		u.do("emulate", colorScheme(scheme))
		for _, path := range []string{"/", "/casefold"} {
			u.open(srv.URL + path)
			for i := range 6 {
				u.do("press Tab", chromedp.KeyEvent("\t"))
				ctx, cancel := context.WithTimeout(u.ctx, 10*time.Second)
				f, err := chromedp.Run(ctx, chromedp.Evaluate[focused](probe))
				cancel()
				if err != nil {
					t.Fatal(err)
				}
				if f.Tag == "body" {
					break // past the last control
				}
				if i == 0 && f.Text != "Skip to content" {
					t.Errorf("%s: first Tab stop is %s %q, want the skip link", path, f.Tag, f.Text)
				}
				if !f.Ring || !f.OnScreen {
					t.Errorf("%s %s: Tab stop %d (%s %q): focus ring %v, on screen %v", path, scheme, i, f.Tag, f.Text, f.Ring, f.OnScreen)
				}
				if i == 1 {
					name := map[string]string{"/": "home", "/casefold": "casefold"}[path]
					u.screenshot(fmt.Sprintf("focus-%s-1280-%s", name, scheme))
				}
			}
		}
		u.checkConsole()
	}
}
