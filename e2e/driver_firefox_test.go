package e2e

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"socketlab/e2e/bidi"
)

// firefoxPrefs keep Firefox on the test server only: no updates,
// telemetry, safe browsing, captive portal or connectivity probes, and
// every host but loopback sent to a proxy that does not exist (as Chrome's
// host-resolver-rules do for the Chrome suite). Remote agent's own
// recommended prefs (remote.prefs.recommended) cover the rest.
var firefoxPrefs = map[string]any{
	"app.update.disabledForTesting":                   true,
	"browser.shell.checkDefaultBrowser":               false,
	"browser.startup.homepage_override.mstone":        "ignore",
	"browser.aboutwelcome.enabled":                    false,
	"browser.safebrowsing.malware.enabled":            false,
	"browser.safebrowsing.phishing.enabled":           false,
	"browser.safebrowsing.downloads.enabled":          false,
	"browser.safebrowsing.blockedURIs.enabled":        false,
	"browser.newtabpage.enabled":                      false,
	"datareporting.policy.dataSubmissionEnabled":      false,
	"datareporting.healthreport.uploadEnabled":        false,
	"toolkit.telemetry.enabled":                       false,
	"toolkit.telemetry.unified":                       false,
	"network.captive-portal-service.enabled":          false,
	"network.connectivity-service.enabled":            false,
	"network.dns.disablePrefetch":                     true,
	"network.prefetch-next":                           false,
	"extensions.update.enabled":                       false,
	"services.settings.server":                        "http://127.0.0.1:9/",
	"network.proxy.type":                              1,
	"network.proxy.http":                              "127.0.0.1",
	"network.proxy.http_port":                         9,
	"network.proxy.ssl":                               "127.0.0.1",
	"network.proxy.ssl_port":                          9,
	"network.proxy.no_proxies_on":                     "127.0.0.1,localhost",
	"network.proxy.allow_hijacking_localhost":         false,
	"dom.serviceWorkers.enabled":                      true,
	"dom.disable_open_during_load":                    false,
	"browser.tabs.warnOnClose":                        false,
	"browser.sessionstore.resume_from_crash":          false,
	"toolkit.startup.max_resumed_crashes":             -1,
	"browser.region.network.url":                      "",
	"browser.contentblocking.report.lockwise.enabled": false,
}

// firefox is one headless Firefox, spoken to over WebDriver BiDi. Every
// person gets a tab in a user context of their own (separate cookies,
// storage and service workers).
type firefox struct {
	cmd     *exec.Cmd
	profile string
	conn    *bidi.Conn
	version string
	stderr  *syncBuffer

	mu   sync.Mutex
	tabs map[string]*firefoxDriver // by browsing context id, for console events
}

var bidiListening = regexp.MustCompile(`WebDriver BiDi listening on (ws://\S+)`)

// startFirefox starts firefox-esr (or firefox) with a fresh profile and
// opens a BiDi session; t's cleanup ends it.
func startFirefox(t *testing.T, bin string) *firefox {
	t.Helper()
	profile, err := os.MkdirTemp("", "socketlab-firefox-")
	if err != nil {
		t.Fatal(err)
	}
	var prefs strings.Builder
	for k, v := range firefoxPrefs {
		b, _ := json.Marshal(v)
		fmt.Fprintf(&prefs, "user_pref(%q, %s);\n", k, b)
	}
	if err := os.WriteFile(filepath.Join(profile, "user.js"), []byte(prefs.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	f := &firefox{profile: profile, stderr: &syncBuffer{}, tabs: map[string]*firefoxDriver{}}
	f.cmd = exec.Command(bin, "--headless", "--no-remote", "--profile", profile, "--remote-debugging-port=0", "about:blank")
	f.cmd.Env = append(os.Environ(), "MOZ_CRASHREPORTER_DISABLE=1")
	pipe, err := f.cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := f.cmd.Start(); err != nil {
		t.Fatalf("starting %s: %v", bin, err)
	}
	t.Cleanup(func() { f.stop(t) })
	urls := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(pipe)
		for sc.Scan() {
			line := sc.Text()
			f.stderr.Write([]byte(line + "\n"))
			if m := bidiListening.FindStringSubmatch(line); m != nil {
				select {
				case urls <- m[1]:
				default:
				}
			}
		}
	}()
	var url string
	select {
	case url = <-urls:
	case <-time.After(30 * time.Second):
		t.Fatalf("Firefox did not start its BiDi server within 30 s; its stderr:\n%s", f.stderr.String())
	}
	// A cold start: session.new answers once Firefox has finished starting
	// up (its first window, its profile), which on a loaded 2-core machine
	// — the Chrome tests start at the same moment — took over 20 s.
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if f.conn, err = bidi.Dial(ctx, url+"/session"); err != nil {
		t.Fatal(err)
	}
	var sess struct {
		Capabilities struct {
			BrowserVersion string `json:"browserVersion"`
		} `json:"capabilities"`
	}
	if err := f.conn.Call(ctx, "session.new", map[string]any{"capabilities": map[string]any{}}, &sess); err != nil {
		t.Fatal(err)
	}
	f.version = "Firefox " + sess.Capabilities.BrowserVersion
	f.conn.On("log.entryAdded", f.logEntry)
	if err := f.conn.Call(ctx, "session.subscribe", map[string]any{"events": []string{"log.entryAdded"}}, nil); err != nil {
		t.Fatal(err)
	}
	return f
}

// logEntry hands a console message or an uncaught exception to its tab.
func (f *firefox) logEntry(params json.RawMessage) {
	var e struct {
		Type   string `json:"type"`
		Level  string `json:"level"`
		Method string `json:"method"`
		Text   string `json:"text"`
		Source struct {
			Context string `json:"context"`
		} `json:"source"`
		StackTrace struct {
			CallFrames []json.RawMessage `json:"callFrames"`
		} `json:"stackTrace"`
	}
	if json.Unmarshal(params, &e) != nil {
		return
	}
	f.mu.Lock()
	d := f.tabs[e.Source.Context]
	f.mu.Unlock()
	if d == nil {
		return
	}
	switch {
	case e.Type == "javascript" && len(e.StackTrace.CallFrames) == 0:
		// Firefox's own reports (a socket that cannot connect, a fetch the
		// worker could not answer while the server is down) come as
		// "javascript" entries with no script on the stack. Chrome's suite
		// does not count its network errors either; they are kept in the
		// log, apart from the page's exceptions.
		d.logf("browser.%s: %s", e.Level, e.Text)
	case e.Type == "javascript":
		d.logf("exception: %s", e.Text)
	default:
		d.logf("console.%s: %s", e.Method, e.Text)
	}
}

// stop ends the session and the process, and removes the profile.
func (f *firefox) stop(t *testing.T) {
	if f.conn != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		f.conn.Call(ctx, "browser.close", nil, nil)
		cancel()
		f.conn.Close()
	}
	exited := make(chan struct{})
	go func() { f.cmd.Wait(); close(exited) }()
	select {
	case <-exited:
	case <-time.After(10 * time.Second):
		f.cmd.Process.Kill()
		<-exited
	}
	if t.Failed() {
		writeArtifact(t, "firefox-stderr.log", []byte(f.stderr.String()))
	}
	os.RemoveAll(f.profile)
}

// newDriver opens a tab in a fresh user context.
func (f *firefox) newDriver() (driver, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	tab, err := f.conn.NewTab(ctx)
	if err != nil {
		return nil, err
	}
	d := &firefoxDriver{f: f, tab: tab}
	f.mu.Lock()
	f.tabs[tab.ID] = d
	f.mu.Unlock()
	return d, nil
}

// firefoxDriver is one person's tab in Firefox.
type firefoxDriver struct {
	f   *firefox
	tab *bidi.Tab

	mu      sync.Mutex
	console []string
}

func (d *firefoxDriver) logf(format string, args ...any) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.console = append(d.console, time.Now().Format("15:04:05.000 ")+fmt.Sprintf(format, args...))
}

func (d *firefoxDriver) call(fn func(ctx context.Context) error) error {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	return fn(ctx)
}

func (d *firefoxDriver) navigate(url string) error {
	return d.call(func(ctx context.Context) error { return d.tab.Navigate(ctx, url) })
}

func (d *firefoxDriver) reload() error { return d.call(d.tab.Reload) }

// typeKeys types text key by key; an emoji is committed as an input
// method would (typeText in person_test.go says why).
func (d *firefoxDriver) typeKeys(css, text string) error {
	return typeText(text,
		func(keys string) error {
			return d.call(func(ctx context.Context) error { return d.tab.Type(ctx, css, keys) })
		},
		func(ch string) error {
			sel, _ := json.Marshal(css)
			val, _ := json.Marshal(ch)
			return d.call(func(ctx context.Context) error {
				return d.tab.EvalJSON(ctx, "((...arguments) => { "+insertTextJS+" })("+string(sel)+", "+string(val)+")", nil)
			})
		})
}

func (d *firefoxDriver) click(css string) error {
	return d.call(func(ctx context.Context) error { return d.tab.Click(ctx, css) })
}

func (d *firefoxDriver) evalJSON(expr string, out any) error {
	return d.call(func(ctx context.Context) error { return d.tab.EvalJSON(ctx, expr, out) })
}

func (d *firefoxDriver) screenshot() ([]byte, error) {
	var png []byte
	err := d.call(func(ctx context.Context) (err error) { png, err = d.tab.Screenshot(ctx); return err })
	return png, err
}

func (d *firefoxDriver) setViewport(width, height int) error {
	return d.call(func(ctx context.Context) error { return d.tab.SetViewport(ctx, width, height) })
}

func (d *firefoxDriver) consoleLines() []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]string(nil), d.console...)
}

func (d *firefoxDriver) close() {
	d.f.mu.Lock()
	delete(d.f.tabs, d.tab.ID)
	d.f.mu.Unlock()
	d.call(d.tab.Close)
}
