package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"socketlab/app/ui"
	"socketlab/server/site"
)

// screenSizes are a phone and a desktop window.
var screenSizes = []struct{ w, h int64 }{{375, 812}, {1280, 800}}

// schemes are the prefers-color-scheme values every page is seen in.
var schemes = []string{"light", "dark"}

// TestScreens visits every page once, puts it in use (layoutPrepare), and
// then looks at it on a phone and on a desktop, light and dark — emulation
// changes the open page, as turning a phone or switching the system theme
// does, so one visit serves all four views. Each view is saved as a screenshot in
// e2e/artifacts/screens/ for a person to look at, and checked for what a
// machine can tell: the page fits the viewport (no horizontal scrolling),
// its text and background follow the scheme, and axe-core finds no
// serious or critical violation (the others are logged).
func TestScreens(t *testing.T) {
	t.Parallel()
	srv := startServer(t, site.Config{PlotDemo: true})
	u := newUser(t, "ada")
	for _, path := range ui.Paths() {
		u.open(srv.URL + path)
		if prep := layoutPrepare[path]; prep != nil {
			prep(u.person())
		}
		for _, size := range screenSizes {
			for _, scheme := range schemes {
				u.do("emulate", viewport(size.w, size.h), colorScheme(scheme))
				overflow := u.evalBool(`document.documentElement.scrollWidth > document.documentElement.clientWidth`)
				if overflow {
					t.Errorf("%s at %d px, %s: the page scrolls sideways", path, size.w, scheme)
				}
				dark := u.evalBool(`(() => {
					const c = getComputedStyle(document.body).backgroundColor.match(/\d+/g).map(Number);
					return (c[0] + c[1] + c[2]) / 3 < 128;
				})()`)
				if dark != (scheme == "dark") {
					t.Errorf("%s at %d px: background dark=%v under prefers-color-scheme %s", path, size.w, dark, scheme)
				}
				name := fmt.Sprintf("%s-%d-%s", pageName(path), size.w, scheme)
				u.screenshot(name)
				if os.Getenv("SOCKETLAB_DOCS") != "" && size.w == 1280 && scheme == "light" {
					// make docs: the README's pictures of each lab.
					u.copyScreenshot(name, filepath.Join("..", "docs", pageName(path)+".png"))
				}
				u.axeCheck(fmt.Sprintf("%s %dpx %s", path, size.w, scheme))
			}
		}
	}
	u.checkConsole()
}
