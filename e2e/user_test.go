package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// user is one simulated person: a tab in a browser context of its own, so
// that storage, cookies and service workers are not shared with other users.
type user struct {
	t    *testing.T
	name string
	ctx  context.Context

	mu      sync.Mutex
	console []string

	p *person // the shared-scenario view of this user, once asked for
}

// newUser opens a fresh browser context. On test failure it leaves a
// screenshot and the console log in e2e/artifacts/<test>/.
func newUser(t *testing.T, name string) *user {
	t.Helper()
	return newUserWith(t, name, chromedp.WithNewBrowserContext())
}

// newUserWith is newUser with other context options: the installability
// test needs Chrome's default (not off-the-record) profile, where
// Page.getInstallabilityErrors answers at all.
func newUserWith(t *testing.T, name string, opts ...chromedp.ContextOption) *user {
	t.Helper()
	if browser == nil {
		t.Skip(skipReason)
	}
	ctx, cancel := chromedp.NewContext(browser, opts...)
	u := &user{t: t, name: name, ctx: ctx}
	consoleEv := chromedp.Events(ctx, runtime.ConsoleAPICalled)
	exceptions := chromedp.Events(ctx, runtime.ExceptionThrown)
	if err := chromedp.Do(ctx); err != nil { // open the tab
		cancel()
		t.Fatalf("%s: opening a tab: %v", name, err)
	}
	// Record Content-Security-Policy violations on every page this user
	// opens; Cleanup fails the test on any. The script runs before the
	// page's own, so nothing escapes it.
	if _, err := chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{
		Source: `window.__csp = [];
document.addEventListener("securitypolicyviolation", e =>
  window.__csp.push(e.violatedDirective + " blocked " + (e.blockedURI || "inline") + " at " + e.sourceFile + ":" + e.lineNumber));`,
	}); err != nil {
		cancel()
		t.Fatalf("%s: installing the CSP recorder: %v", name, err)
	}
	go func() {
		for ev, err := range consoleEv {
			if err != nil {
				return
			}
			var parts []string
			for _, a := range ev.Args {
				if a.Value != nil {
					parts = append(parts, string(a.Value))
				} else {
					parts = append(parts, a.Description)
				}
			}
			u.logf("console.%s: %s", ev.Type, strings.Join(parts, " "))
		}
	}()
	go func() {
		for ev, err := range exceptions {
			if err != nil {
				return
			}
			desc := ev.ExceptionDetails.Text
			if ev.ExceptionDetails.Exception != nil {
				desc += " " + ev.ExceptionDetails.Exception.Description
			}
			u.logf("exception: %s", desc)
		}
	}()
	t.Cleanup(func() {
		if !t.Failed() {
			vctx, vcancel := context.WithTimeout(ctx, 5*time.Second)
			if v, err := chromedp.Run(vctx, chromedp.Evaluate[[]string](`window.__csp || []`)); err == nil && len(v) > 0 {
				t.Errorf("%s: Content-Security-Policy violations: %q", name, v)
			}
			vcancel()
		}
		if t.Failed() {
			sctx, scancel := context.WithTimeout(ctx, 5*time.Second)
			if png, err := chromedp.Run(sctx, chromedp.FullScreenshot(100)); err == nil {
				writeArtifact(t, name+".png", png)
			}
			scancel()
			u.mu.Lock()
			writeArtifact(t, name+"-console.log", []byte(strings.Join(u.console, "\n")+"\n"))
			u.mu.Unlock()
		}
		cancel()
	})
	return u
}

func (u *user) logf(format string, args ...any) {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.console = append(u.console, time.Now().Format("15:04:05.000 ")+fmt.Sprintf(format, args...))
}

// do runs actions with a deadline, failing the test on error.
func (u *user) do(what string, actions ...chromedp.Action[chromedp.Void]) {
	u.t.Helper()
	ctx, cancel := context.WithTimeout(u.ctx, 20*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		u.t.Fatalf("%s: %s: %v", u.name, what, err)
	}
}

// open navigates to url and waits until the WebAssembly has taken over the
// pre-rendered page (go-app removes #app-wasm-loader then).
func (u *user) open(url string) {
	u.t.Helper()
	u.do("open "+url, chromedp.Navigate(url))
	u.waitWasm()
}

func (u *user) waitWasm() {
	u.t.Helper()
	u.waitJS("the app to load", `document.getElementById("app-wasm-loader") === null`)
}

// waitJS waits until the JavaScript expression is truthy.
func (u *user) waitJS(what, expr string) {
	u.t.Helper()
	ctx, cancel := context.WithTimeout(u.ctx, 20*time.Second)
	defer cancel()
	if _, err := chromedp.Run(ctx, chromedp.Poll[chromedp.Void](expr, chromedp.WithPollingInterval(50*time.Millisecond))); err != nil {
		u.t.Fatalf("%s: waiting for %s: %v", u.name, what, err)
	}
}

// text returns the visible text of the first element matching the CSS
// selector, or "" if there is none.
func (u *user) text(css string) string {
	u.t.Helper()
	ctx, cancel := context.WithTimeout(u.ctx, 10*time.Second)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Evaluate[string](
		fmt.Sprintf(`(document.querySelector(%q) || {innerText: ""}).innerText`, css)))
	if err != nil {
		u.t.Fatalf("%s: reading %s: %v", u.name, css, err)
	}
	return s
}

// texts returns the visible text of every element matching the selector.
func (u *user) texts(css string) []string {
	u.t.Helper()
	ctx, cancel := context.WithTimeout(u.ctx, 10*time.Second)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](
		fmt.Sprintf(`Array.from(document.querySelectorAll(%q), e => e.innerText)`, css)))
	if err != nil {
		u.t.Fatalf("%s: reading %s: %v", u.name, css, err)
	}
	return s
}

// waitText waits until the element's visible text satisfies ok.
func (u *user) waitText(css, what string, ok func(string) bool) string {
	u.t.Helper()
	return u.person().waitText(css, what, ok)
}

// waitStatus waits until the connection badge shows the status.
func (u *user) waitStatus(status string) {
	u.t.Helper()
	u.waitText("#status .status-text", "status "+status, func(s string) bool { return s == status })
}

// typeText types into the field like a keyboard would.
func (u *user) typeText(css, text string) {
	u.t.Helper()
	u.do("type into "+css, chromedp.SendKeys(chromedp.CSS(css), text))
}

// click waits until the element is enabled, as a person waits for a greyed
// button to light up, then clicks it. go-app renders the state change of an
// input event on its own schedule, so right after typing the Send button may
// still be disabled, and a click on it would be lost.
func (u *user) click(css string) {
	u.t.Helper()
	u.do("click "+css, chromedp.WaitEnabled(chromedp.CSS(css)), chromedp.Click(chromedp.CSS(css)))
}

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// writeArtifact saves a failure artifact under e2e/artifacts/<test>/.
func writeArtifact(t *testing.T, name string, data []byte) {
	dir := filepath.Join("artifacts", unsafeName.ReplaceAllString(t.Name(), "_"))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Logf("artifact %s: %v", name, err)
		return
	}
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Logf("artifact %s: %v", name, err)
		return
	}
	t.Logf("artifact: e2e/%s", p)
}

// evalString evaluates a JavaScript expression and returns it as a string.
func (u *user) evalString(expr string) string {
	u.t.Helper()
	ctx, cancel := context.WithTimeout(u.ctx, 10*time.Second)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Evaluate[string](`String(`+expr+`)`))
	if err != nil {
		u.t.Fatalf("%s: evaluating %s: %v", u.name, expr, err)
	}
	return s
}
