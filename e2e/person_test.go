package e2e

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// driver is what the shared scenarios need of one person's browser,
// whichever engine runs it: Chrome over chromedp (chromeDriver), Firefox
// over WebDriver BiDi (firefoxDriver), WebKit over W3C WebDriver HTTP
// (webkitDriver). Each call has a deadline of its own inside.
type driver interface {
	navigate(url string) error           // load url, until its load event
	reload() error                       // reload the page, until its load event
	typeKeys(css, text string) error     // focus the field and press keys; "\n" is Enter
	click(css string) error              // a real mouse click at the element's centre
	evalJSON(expr string, out any) error // evaluate, await a promise, decode the JSON of the value
	screenshot() ([]byte, error)         // PNG of the whole document
	setViewport(width, height int) error // CSS pixels
	consoleLines() []string              // console messages and uncaught exceptions so far
	close()                              // end the session, close the browser's tab or process
}

// person is a simulated user at a browser of any engine: the "user"
// interface the shared scenarios (scenarios_test.go) are written against,
// once for all engines. Its methods act like a person — type, click, read
// the screen — and wait for what they expect with a deadline.
type person struct {
	t      *testing.T
	name   string
	engine string // chrome, firefox or webkit
	d      driver
	quit   func() // closes d, once
}

// newPerson wraps a driver; on test failure it leaves a screenshot and the
// console in e2e/artifacts/<test>/, then closes the driver.
func newPerson(t *testing.T, engine, name string, d driver, artifacts bool) *person {
	p := &person{t: t, name: name, engine: engine, d: d, quit: sync.OnceFunc(d.close)}
	t.Cleanup(func() {
		if artifacts && t.Failed() {
			if png, err := d.screenshot(); err == nil {
				writeArtifact(t, name+".png", png)
			}
			writeArtifact(t, name+"-console.log", []byte(strings.Join(d.consoleLines(), "\n")+"\n"))
		}
		p.quit()
	})
	return p
}

// must fails the test on err.
func (p *person) must(what string, err error) {
	p.t.Helper()
	if err != nil {
		p.t.Fatalf("%s (%s): %s: %v", p.name, p.engine, what, err)
	}
}

// open navigates to url and waits until the WebAssembly has taken over the
// pre-rendered page (go-app removes #app-wasm-loader then).
func (p *person) open(url string) {
	p.t.Helper()
	p.must("open "+url, p.d.navigate(url))
	p.waitWasm()
}

func (p *person) reload() {
	p.t.Helper()
	p.must("reload", p.d.reload())
}

func (p *person) waitWasm() {
	p.t.Helper()
	p.waitJS("the app to load", `document.getElementById("app-wasm-loader") === null`)
}

// eval decodes the JSON value of a JavaScript expression into out.
func (p *person) eval(expr string, out any) {
	p.t.Helper()
	p.must("evaluate "+short([]string{expr}), p.d.evalJSON(expr, out))
}

func (p *person) evalBool(expr string) bool {
	p.t.Helper()
	var b bool
	p.eval("!!("+expr+")", &b)
	return b
}

func (p *person) evalString(expr string) string {
	p.t.Helper()
	var s string
	p.eval("String("+expr+")", &s)
	return s
}

// waitJS waits until the JavaScript expression is truthy.
func (p *person) waitJS(what, expr string) {
	p.t.Helper()
	for deadline := time.Now().Add(20 * time.Second); ; {
		var ok bool
		err := p.d.evalJSON("!!("+expr+")", &ok)
		if err == nil && ok {
			return
		}
		if time.Now().After(deadline) {
			p.t.Fatalf("%s (%s): waiting for %s: last error %v", p.name, p.engine, what, err)
		}
		time.Sleep(50 * time.Millisecond) // polling interval, bounded by the deadline
	}
}

// text returns the visible text of the first element matching css, or ""
// if there is none.
func (p *person) text(css string) string {
	p.t.Helper()
	var s string
	p.eval(fmt.Sprintf(`(document.querySelector(%q) || {innerText: ""}).innerText`, css), &s)
	return s
}

// texts returns the visible text of every element matching css.
func (p *person) texts(css string) []string {
	p.t.Helper()
	var s []string
	p.eval(fmt.Sprintf(`Array.from(document.querySelectorAll(%q), e => e.innerText)`, css), &s)
	return s
}

// waitText waits until the element's visible text satisfies ok.
func (p *person) waitText(css, what string, ok func(string) bool) string {
	p.t.Helper()
	for deadline := time.Now().Add(20 * time.Second); ; {
		got := p.text(css)
		if ok(got) {
			return got
		}
		if time.Now().After(deadline) {
			p.t.Fatalf("%s (%s): waiting for %s in %s; it shows %q", p.name, p.engine, what, css, got)
		}
		time.Sleep(50 * time.Millisecond) // polling interval, bounded by the deadline
	}
}

// waitStatus waits until the connection badge shows the status.
func (p *person) waitStatus(status string) {
	p.t.Helper()
	p.waitText("#status .status-text", "status "+status, func(s string) bool { return s == status })
}

// typeText types into the field like a keyboard would.
func (p *person) typeText(css, text string) {
	p.t.Helper()
	p.must("type into "+css, p.d.typeKeys(css, text))
}

// click waits until the element exists and is enabled, as a person waits
// for a greyed button to light up, then clicks it.
func (p *person) click(css string) {
	p.t.Helper()
	p.waitJS(css+" to be enabled", fmt.Sprintf(`(e => e && !e.disabled)(document.querySelector(%q))`, css))
	p.must("click "+css, p.d.click(css))
}

// paste puts text into a field as a paste would, firing the input event
// the app listens to; typing 70 000 characters key by key would take
// minutes.
func (p *person) paste(css, text string) {
	p.t.Helper()
	js, _ := json.Marshal(text)
	p.eval(fmt.Sprintf(`(() => {
		const el = document.querySelector(%q);
		el.focus();
		el.value = %s;
		el.dispatchEvent(new Event("input", {bubbles: true}));
		return true;
	})()`, css, js), nil)
}

// viewport sets the page's viewport.
func (p *person) viewport(width, height int) {
	p.t.Helper()
	p.must(fmt.Sprintf("viewport %dx%d", width, height), p.d.setViewport(width, height))
}

// screenshot saves a PNG of the page under e2e/artifacts/screens/ for a
// person to look at, kept whether the test passes or not, and returns it.
func (p *person) screenshot(name string) []byte {
	p.t.Helper()
	png, err := p.d.screenshot()
	p.must("screenshot "+name, err)
	keepScreenshot(p.t, filepath.Join("artifacts", "screens", p.engine), name, png)
	return png
}

// keepScreenshot writes png as dir/name.png, where it stays whether the
// test passes or not, and logs where.
func keepScreenshot(t *testing.T, dir, name string, png []byte) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, name+".png")
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: e2e/%s", path)
}

// consoleErrors returns what the page logged with console.error and every
// uncaught exception, so far.
func (p *person) consoleErrors() []string { return errorLines(p.d.consoleLines()) }

// errorLines keeps the console lines that are errors: console.error and
// uncaught exceptions, as every driver writes them.
func errorLines(lines []string) []string {
	var errs []string
	for _, line := range lines {
		if strings.Contains(line, " console.error: ") || strings.Contains(line, " exception: ") {
			errs = append(errs, line)
		}
	}
	return errs
}

// checkConsole fails the test if the page logged an error or threw.
func (p *person) checkConsole() {
	p.t.Helper()
	if errs := p.consoleErrors(); len(errs) > 0 {
		p.t.Errorf("%s (%s): console errors:\n%s", p.name, p.engine, strings.Join(errs, "\n"))
	}
}

// consoleHas reports whether some console line contains s.
func (p *person) consoleHas(s string) bool {
	for _, line := range p.d.consoleLines() {
		if strings.Contains(line, s) {
			return true
		}
	}
	return false
}

// jsonDecode decodes the JSON text s into out.
func jsonDecode(s string, out any) error {
	if err := json.Unmarshal([]byte(s), out); err != nil {
		return fmt.Errorf("decoding %.100q: %w", s, err)
	}
	return nil
}

// typeText splits text for a WebDriver keyboard: runs of characters in the
// Basic Multilingual Plane go to keys, each other character (an emoji) to
// insert. WebKitWebDriver drops such characters, and Firefox's BiDi
// keyboard sometimes sends their two UTF-16 halves as two characters (seen
// under load: "😀" arrived as "��"); a person types an emoji with a picker
// or an input method, which commits it as text — insertText, the same
// input event.
func typeText(text string, keys func(string) error, insert func(string) error) error {
	var run []rune
	flush := func() error {
		if len(run) == 0 {
			return nil
		}
		s := string(run)
		run = run[:0]
		return keys(s)
	}
	for _, r := range text {
		if r <= 0xFFFF {
			run = append(run, r)
			continue
		}
		if err := flush(); err != nil {
			return err
		}
		if err := insert(string(r)); err != nil {
			return err
		}
	}
	return flush()
}

// insertTextJS commits arguments[1] into the field arguments[0] at its end,
// as an input method does.
const insertTextJS = `const e = document.querySelector(arguments[0]); e.focus();
	e.setSelectionRange(e.value.length, e.value.length);
	if (!document.execCommand("insertText", false, arguments[1])) throw new Error("insertText refused");
	return true;`
