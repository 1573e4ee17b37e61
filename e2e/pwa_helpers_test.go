package e2e

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// consoleErrors returns what the page logged with console.error and every
// uncaught exception, so far.
func (u *user) consoleErrors() []string {
	u.mu.Lock()
	defer u.mu.Unlock()
	return errorLines(u.console)
}

// checkConsole fails the test if the page logged an error or threw.
func (u *user) checkConsole() {
	u.t.Helper()
	if errs := u.consoleErrors(); len(errs) > 0 {
		u.t.Errorf("%s: console errors:\n%s", u.name, strings.Join(errs, "\n"))
	}
}

// waitOfflineReady waits until the page is controlled by go-app's service
// worker and the worker's cache holds every page and app.wasm. go-app's
// worker activates before its cache is filled (its install handler does not
// extend the event), so "controller is set" alone is not enough: a server
// stopped too early would leave pages out of the cache.
func (u *user) waitOfflineReady() {
	u.t.Helper()
	expr := offlineReadyJS() // the same check the shared scenarios make
	ctx, cancel := context.WithTimeout(u.ctx, 30*time.Second)
	defer cancel()
	why, err := chromedp.Run(ctx, chromedp.Evaluate[string](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		u.t.Fatalf("%s: waiting for the offline cache: %v", u.name, err)
	}
	if why != "" {
		u.t.Fatalf("%s: the app is not ready for offline use: %s", u.name, why)
	}
}

// scheme is a prefers-color-scheme value to emulate.
func colorScheme(scheme string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
			Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: scheme}},
		})
		return err
	})
}

// viewport emulates a phone (375 px wide, touch, mobile meta viewport) or
// a desktop window.
func viewport(width, height int64) chromedp.Action[chromedp.Void] {
	if width < 600 {
		return chromedp.EmulateViewport(width, height, chromedp.EmulateMobile, chromedp.EmulateTouch)
	}
	return chromedp.EmulateViewport(width, height)
}

// screenshot saves a full-page PNG under e2e/artifacts/screens/ for a person
// to look at; these are kept whether the test passes or not.
func (u *user) screenshot(name string) {
	u.t.Helper()
	ctx, cancel := context.WithTimeout(u.ctx, 20*time.Second)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		u.t.Fatalf("%s: screenshot %s: %v", u.name, name, err)
	}
	keepScreenshot(u.t, filepath.Join("artifacts", "screens"), name, png)
}

// copyScreenshot copies a screenshot taken by screenshot to dst.
func (u *user) copyScreenshot(name, dst string) {
	u.t.Helper()
	b, err := os.ReadFile(filepath.Join("artifacts", "screens", name+".png"))
	if err == nil {
		err = os.MkdirAll(filepath.Dir(dst), 0o755)
	}
	if err == nil {
		err = os.WriteFile(dst, b, 0o644)
	}
	if err != nil {
		u.t.Fatalf("copy screenshot to %s: %v", dst, err)
	}
}

// evalBool evaluates a JavaScript expression that yields a boolean.
func (u *user) evalBool(expr string) bool {
	u.t.Helper()
	ctx, cancel := context.WithTimeout(u.ctx, 10*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[bool](expr))
	if err != nil {
		u.t.Fatalf("%s: evaluating %s: %v", u.name, expr, err)
	}
	return v
}
