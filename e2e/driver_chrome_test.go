package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/chromedp/chromedp"
)

// chromeDriver is the driver of a chromedp user, so the shared scenarios
// run in Chrome too. The user keeps doing what it did: artifacts on
// failure and the Content-Security-Policy check.
type chromeDriver struct{ u *user }

// person returns the shared-scenario view of this Chrome user, made on
// first use (the user's own cleanup leaves the failure artifacts).
func (u *user) person() *person {
	if u.p == nil {
		u.p = newPerson(u.t, "chrome", u.name, chromeDriver{u}, false)
	}
	return u.p
}

func (c chromeDriver) run(actions ...chromedp.Action[chromedp.Void]) error {
	ctx, cancel := context.WithTimeout(c.u.ctx, 20*time.Second)
	defer cancel()
	return chromedp.Do(ctx, actions...)
}

func (c chromeDriver) navigate(url string) error { return c.run(chromedp.Navigate(url)) }
func (c chromeDriver) reload() error             { return c.run(chromedp.Reload()) }

func (c chromeDriver) typeKeys(css, text string) error {
	return c.run(chromedp.SendKeys(chromedp.CSS(css), text))
}

func (c chromeDriver) click(css string) error { return c.run(chromedp.Click(chromedp.CSS(css))) }

func (c chromeDriver) evalJSON(expr string, out any) error {
	ctx, cancel := context.WithTimeout(c.u.ctx, 20*time.Second)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Evaluate[string](
		`Promise.resolve(`+expr+`).then(v => JSON.stringify(v === undefined ? null : v))`, chromedp.EvalAwaitPromise))
	if err != nil {
		return err
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal([]byte(s), out); err != nil {
		return fmt.Errorf("decoding %.100q: %w", s, err)
	}
	return nil
}

func (c chromeDriver) screenshot() ([]byte, error) {
	ctx, cancel := context.WithTimeout(c.u.ctx, 20*time.Second)
	defer cancel()
	return chromedp.Run(ctx, chromedp.FullScreenshot(100))
}

func (c chromeDriver) setViewport(width, height int) error {
	return c.run(viewport(int64(width), int64(height)))
}

func (c chromeDriver) consoleLines() []string {
	c.u.mu.Lock()
	defer c.u.mu.Unlock()
	return slices.Clone(c.u.console)
}

func (c chromeDriver) close() {}
