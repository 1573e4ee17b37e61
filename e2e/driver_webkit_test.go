package e2e

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"socketlab/e2e/webdriver"
)

// miniBrowserPaths are where Debian's packages put WebKitGTK's MiniBrowser
// (it is not on PATH).
var miniBrowserPaths = []string{
	"/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser",
	"/usr/lib/aarch64-linux-gnu/webkit2gtk-4.1/MiniBrowser",
	"/usr/lib/x86_64-linux-gnu/webkitgtk-6.0/MiniBrowser",
	"/usr/lib/aarch64-linux-gnu/webkitgtk-6.0/MiniBrowser",
}

func findMiniBrowser() string {
	for _, p := range miniBrowserPaths {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	return ""
}

// webkit is WebKitGTK's MiniBrowser driven by WebKitWebDriver, on a
// virtual display. A driver process holds one session, so every person
// gets a WebKitWebDriver (and a MiniBrowser, with fresh ephemeral
// storage) of their own; they share one Xvfb.
type webkit struct {
	driverBin, browserBin string
	display               string
	xvfb                  *exec.Cmd

	mu      sync.Mutex // guards version: people arrive in parallel
	version string
}

// browserVersion is the MiniBrowser's version, once a session has said.
func (w *webkit) browserVersion() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.version
}

// startWebKit starts Xvfb (the MiniBrowser needs a display, headless or
// not); t's cleanup stops it.
func startWebKit(t *testing.T, driverBin, browserBin string) *webkit {
	t.Helper()
	w := &webkit{driverBin: driverBin, browserBin: browserBin}
	r, wr, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	// -displayfd: Xvfb picks a free display and writes its number.
	w.xvfb = exec.Command("Xvfb", "-displayfd", "3", "-nolisten", "tcp", "-screen", "0", "1920x1200x24")
	w.xvfb.ExtraFiles = []*os.File{wr}
	w.xvfb.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := w.xvfb.Start(); err != nil {
		t.Fatalf("starting Xvfb: %v", err)
	}
	wr.Close()
	t.Cleanup(func() {
		w.xvfb.Process.Kill()
		w.xvfb.Wait()
	})
	got := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(r).ReadString('\n')
		got <- strings.TrimSpace(line)
		r.Close()
	}()
	select {
	case n := <-got:
		if n == "" {
			t.Fatal("Xvfb did not say which display it took")
		}
		w.display = ":" + n
	case <-time.After(20 * time.Second):
		t.Fatal("Xvfb did not start within 20 s")
	}
	return w
}

// freePort returns a loopback port that was free a moment ago.
func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// newDriver starts a WebKitWebDriver and a session in a new MiniBrowser.
func (w *webkit) newDriver() (driver, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	d := &webkitDriver{log: &syncBuffer{}}
	d.cmd = exec.Command(w.driverBin, fmt.Sprintf("--port=%d", port))
	d.cmd.Env = append(os.Environ(), "DISPLAY="+w.display)
	d.cmd.Stdout, d.cmd.Stderr = d.log, d.log
	// Its own process group: the MiniBrowser it starts goes with it.
	d.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := d.cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting %s: %w", w.driverBin, err)
	}
	url := fmt.Sprintf("http://127.0.0.1:%d", port)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for {
		if err = webdriver.Status(ctx, url); err == nil {
			break
		}
		if ctx.Err() != nil {
			d.kill()
			return nil, fmt.Errorf("WebKitWebDriver not ready: %w; its log:\n%s", err, d.log.String())
		}
		time.Sleep(50 * time.Millisecond) // polling interval, bounded by ctx
	}
	d.s, err = webdriver.NewSession(ctx, url, map[string]any{
		"webkitgtk:browserOptions": map[string]any{"binary": w.browserBin, "args": []string{"--automation"}},
	})
	if err != nil {
		d.kill()
		return nil, fmt.Errorf("%w; driver log:\n%s", err, d.log.String())
	}
	w.mu.Lock()
	if w.version == "" {
		w.version = "WebKitGTK " + d.s.Browser
	}
	w.mu.Unlock()
	return d, nil
}

// webkitDriver is one person's MiniBrowser.
type webkitDriver struct {
	cmd *exec.Cmd
	s   *webdriver.Session
	log *syncBuffer

	mu      sync.Mutex
	console []string // collected from pages already left
}

// consoleHook records console messages and uncaught errors in the page.
// Classic WebDriver has no console API, so it is installed after each load:
// what a page logs before that is not seen.
const consoleHook = `if (!window.__e2eConsole) {
	const log = window.__e2eConsole = [];
	const stamp = () => new Date().toISOString().slice(11, 23) + " ";
	for (const m of ["log", "info", "warn", "error", "debug"]) {
		const f = console[m];
		console[m] = function (...a) { log.push(stamp() + "console." + m + ": " + a.map(String).join(" ")); return f.apply(this, a); };
	}
	addEventListener("error", e => log.push(stamp() + "exception: " + e.message));
	addEventListener("unhandledrejection", e => log.push(stamp() + "exception: unhandled rejection " + e.reason));
}`

func (d *webkitDriver) call(fn func(ctx context.Context) error) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	return fn(ctx)
}

// harvest moves the page's console lines into d.console.
func (d *webkitDriver) harvest() {
	var lines []string
	d.call(func(ctx context.Context) error {
		return d.s.Execute(ctx, "const l = window.__e2eConsole || []; window.__e2eConsole = l.length ? [] : l; return l", nil, &lines)
	})
	if len(lines) > 0 {
		d.mu.Lock()
		d.console = append(d.console, lines...)
		d.mu.Unlock()
	}
}

func (d *webkitDriver) hook() error {
	return d.call(func(ctx context.Context) error { return d.s.Execute(ctx, consoleHook, nil, nil) })
}

func (d *webkitDriver) navigate(url string) error {
	d.harvest()
	if err := d.call(func(ctx context.Context) error { return d.s.Navigate(ctx, url) }); err != nil {
		return err
	}
	return d.hook()
}

func (d *webkitDriver) reload() error {
	d.harvest()
	if err := d.call(d.s.Refresh); err != nil {
		return err
	}
	return d.hook()
}

// typeKeys types text key by key; an emoji is committed as an input
// method would (typeText in person_test.go says why).
func (d *webkitDriver) typeKeys(css, text string) error {
	return typeText(text,
		func(keys string) error {
			return d.call(func(ctx context.Context) error { return d.s.Type(ctx, css, keys) })
		},
		func(ch string) error {
			return d.call(func(ctx context.Context) error { return d.s.Execute(ctx, insertTextJS, []any{css, ch}, nil) })
		})
}

func (d *webkitDriver) click(css string) error {
	return d.call(func(ctx context.Context) error { return d.s.Click(ctx, css) })
}

func (d *webkitDriver) evalJSON(expr string, out any) error {
	var s string
	err := d.call(func(ctx context.Context) error {
		return d.s.Execute(ctx, `return Promise.resolve(`+expr+`).then(v => JSON.stringify(v === undefined ? null : v))`, nil, &s)
	})
	if err != nil || out == nil {
		return err
	}
	return jsonDecode(s, out)
}

// screenshot photographs the viewport, scrolled to the top of the page
// (see webdriver.Session.Screenshot for why not the whole document).
func (d *webkitDriver) screenshot() ([]byte, error) {
	var png []byte
	err := d.call(func(ctx context.Context) (err error) {
		if err := d.s.Execute(ctx, "window.scrollTo(0, 0)", nil, nil); err != nil {
			return err
		}
		png, err = d.s.Screenshot(ctx)
		return err
	})
	return png, err
}

// setViewport sizes the window so that its viewport is width×height: the
// window's outer size includes whatever MiniBrowser draws around the page.
// MiniBrowser applies a new window size a moment after answering, so the
// viewport is read until it is the size asked for, or has settled at
// another (three equal readings in a row), before the window is corrected.
func (d *webkitDriver) setViewport(width, height int) error {
	return d.call(func(ctx context.Context) error {
		viewport := func() ([2]int, error) {
			var got []int
			if err := d.s.Execute(ctx, "return [innerWidth, innerHeight]", nil, &got); err != nil {
				return [2]int{}, err
			}
			if len(got) != 2 {
				return [2]int{}, fmt.Errorf("viewport: got %v", got)
			}
			return [2]int{got[0], got[1]}, nil
		}
		want := [2]int{width, height}
		w, h := width, height
		var got [2]int
		for range 4 {
			if err := d.s.SetWindowSize(ctx, w, h); err != nil {
				return err
			}
			deadline := time.Now().Add(2 * time.Second)
			same := 0
			for prev := [2]int{-1, -1}; same < 3 && time.Now().Before(deadline); prev = got {
				var err error
				if got, err = viewport(); err != nil {
					return err
				}
				if got == want {
					return nil
				}
				if got == prev {
					same++
				} else {
					same = 0
				}
				select {
				case <-ctx.Done():
					return ctx.Err()
				case <-time.After(50 * time.Millisecond): // the next reading
				}
			}
			w, h = w+width-got[0], h+height-got[1]
		}
		return fmt.Errorf("the viewport is %v, not %dx%d", got, width, height)
	})
}

func (d *webkitDriver) consoleLines() []string {
	d.harvest()
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]string(nil), d.console...)
}

func (d *webkitDriver) close() {
	if d.s != nil {
		d.call(d.s.Delete)
	}
	d.kill()
}

// kill ends the driver and anything it started.
func (d *webkitDriver) kill() {
	syscall.Kill(-d.cmd.Process.Pid, syscall.SIGKILL)
	d.cmd.Wait()
}
