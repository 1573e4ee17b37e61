package e2e

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"socketlab/app/ui"
	"socketlab/server/site"
)

// stage is where a shared scenario runs: one engine, and a way to bring in
// people, each with a fresh browser profile (Chrome: a browser context;
// Firefox: a user context; WebKit: a MiniBrowser of their own).
type stage struct {
	t      *testing.T
	engine string
	people func(t *testing.T, name string) *person
	srv    *testServer // the scenario's server, once started
}

// startServer starts the scenario's server.
func (s *stage) startServer(cfg site.Config) *testServer {
	s.t.Helper()
	s.srv = startServer(s.t, cfg)
	return s.srv
}

// newPerson brings in a person with a fresh profile. At the end, first the
// page's service worker is let finish installing (a scenario can end while
// it still downloads app.wasm into its cache, a request the server's
// graceful shutdown would wait for), then the server stops, then the
// person's browser closes (tearing a tab down can leave a request of its
// worker hanging, too).
func (s *stage) newPerson(name string) *person {
	s.t.Helper()
	p := s.people(s.t, name)
	if srv := s.srv; srv != nil {
		s.t.Cleanup(srv.Stop)
		s.t.Cleanup(func() {
			if !s.t.Failed() && srv.running {
				var why string
				p.d.evalJSON(`navigator.serviceWorker && navigator.serviceWorker.controller !== undefined && typeof goappGetenv === "function" ? `+offlineReadyJS()+` : ""`, &why)
			}
		})
	}
	return p
}

// scenario is a person-level walk through socketlab, written once for
// every engine.
type scenario struct {
	name string
	run  func(s *stage)
}

// sharedScenarios are the cross-browser leg: each runs in Firefox and in
// WebKit (TestBrowsers); the Chrome suite runs them too, from its own
// tests (hello, casefold, first visits, layouts) or in fuller versions of
// its own (chat, plot, offline, update).
func sharedScenarios() []scenario {
	return []scenario{
		{"home", scenarioHome},
		{"hello", scenarioHello},
		{"casefold", scenarioCasefold},
		{"chat", scenarioChat},
		{"plot", scenarioPlot},
		{"offline", scenarioOffline},
		{"first-visits", scenarioFirstVisits},
		{"update", scenarioUpdate},
		{"wire", scenarioWire},
		{"layouts", scenarioLayouts},
	}
}

// scenarioHome: the home page loads, the wasm takes over, the service
// worker installs with every page cached, every lab has a card.
func scenarioHome(s *stage) {
	srv := s.startServer(site.Config{})
	p := s.newPerson("ada")
	p.open(srv.URL + "/")
	p.waitOfflineReady() // the PWA installs: its worker controls the page, every page cached
	if h := p.text("main h1"); !strings.Contains(h, "socketlab") {
		s.t.Errorf("home heading %q", h)
	}
	if n := len(p.texts(".cards .card")); n < 4 {
		s.t.Errorf("home shows %d lab cards", n)
	}
	p.checkConsole()
}

// scenarioHello: the page shows Hello, then World, then the close with code
// 1000.
func scenarioHello(s *stage) {
	t := s.t
	srv := s.startServer(site.Config{})
	u := s.newPerson("ada")
	u.open(srv.URL + "/hello")
	got := u.waitText("#hello-close", "the close", func(s string) bool { return s != "" })
	if !strings.Contains(got, "1000 normal closure") {
		t.Fatalf("close shows %q, want code 1000", got)
	}
	msgs := u.texts("#hello-messages .msg-text")
	if strings.Join(msgs, ",") != "Hello,World" {
		t.Fatalf("messages %q, want Hello then World", msgs)
	}
	// Arrival offsets are printed as (+s.sss s): World's is not before
	// Hello's (the one-second pause itself is server/hello's test).
	times := u.texts("#hello-messages time")
	re := regexp.MustCompile(`\(\+(\d+\.\d+) s\)`)
	var at []float64
	for _, s := range times {
		m := re.FindStringSubmatch(s)
		if m == nil {
			t.Fatalf("arrival time %q has no offset", s)
		}
		f, err := strconv.ParseFloat(m[1], 64)
		if err != nil {
			t.Fatal(err)
		}
		at = append(at, f)
	}
	// The server waits a second between the two; the browser's clock only
	// sees when each reached the page, so check the order, not the gap.
	// Equal offsets are in order too: a page starved of CPU for that second
	// (WebKit on a loaded 2-core machine) handles both queued messages in
	// the same millisecond.
	if at[1] < at[0] {
		t.Fatalf("World shown at +%.3fs, not after Hello at +%.3fs", at[1], at[0])
	}
	u.waitStatus("closed")
}

// scenarioCasefold types texts and reads the folded replies as Python's
// str.casefold would give them (see server/casefold/testdata for the
// reference run of Python itself), then sends a 70 000-byte text.
func scenarioCasefold(s *stage) {
	t := s.t
	srv := s.startServer(site.Config{})
	u := s.newPerson("ada")
	u.open(srv.URL + "/casefold")
	u.waitStatus("open")

	cases := []struct{ in, want string }{
		{"Straße", "strasse"},
		{"ΣΑΣ", "σασ"},
		{"ﬁ", "fi"},
		{"Grüße 😀 ÉTÉ", "grüsse 😀 été"},
	}
	for i, c := range cases {
		u.typeText("#casefold-input", c.in)
		u.click("#casefold-send")
		n := i + 1
		u.waitJS(fmt.Sprintf("reply %d", n), fmt.Sprintf(`document.querySelectorAll("#casefold-replies .fold-out").length >= %d`, n))
	}
	outs := u.texts("#casefold-replies .fold-out")
	ins := u.texts("#casefold-replies .fold-in")
	for i, c := range cases {
		if ins[i] != c.in || outs[i] != c.want {
			t.Errorf("reply %d: %q → %q, want %q → %q", i, ins[i], outs[i], c.in, c.want)
		}
	}

	// Enter sends too; a 70 000-byte text needs the 64-bit payload length.
	long := strings.Repeat("AΣß", 70000/5) // 5 bytes a repeat: 70 000 bytes
	u.paste("#casefold-input", long)
	u.typeText("#casefold-input", "\n")
	u.waitJS("the long reply", `document.querySelectorAll("#casefold-replies .fold-out").length >= 5`)
	bytes := u.texts("#casefold-replies .fold-bytes")[4]
	// "AΣß" (5 bytes) folds to "aσss" (5 bytes).
	if !strings.Contains(bytes, "70000 → 70000 bytes") {
		t.Fatalf("long text reply shows %q, want 70000 → 70000 bytes", bytes)
	}
	if out := u.texts("#casefold-replies .fold-out")[4]; !strings.HasPrefix(out, "aσssaσss") {
		t.Fatalf("long reply starts %q", out[:20])
	}
	u.checkConsole()
}

// scenarioChat: two people join a room, see each other, and talk both
// ways; one leaves and disappears from the other's presence.
func scenarioChat(s *stage) {
	srv := s.startServer(site.Config{DataDir: s.t.TempDir()})
	ada, bob := s.newPerson("ada"), s.newPerson("bob")
	meetInLobby(ada, bob, srv.URL, srv.URL, "Hello bob", "Hi ada, ça va ?")
	bob.click("#chat-leave")
	ada.waitList("#chat-presence .chat-who", "presence", []string{"ada"})
	ada.checkConsole()
	bob.checkConsole()
}

// scenarioPlot: the demo series is listed, grows, and is drawn on the
// canvas.
func scenarioPlot(s *stage) {
	srv := s.startServer(site.Config{PlotDemo: true})
	p := s.newPerson("ada")
	p.open(srv.URL + "/plot")
	p.waitStatus("open")
	count := func() int {
		n, err := strconv.Atoi(p.text(seriesSel("demo") + " .series-count"))
		if err != nil {
			return -1
		}
		return n
	}
	p.waitJS("demo points", fmt.Sprintf(`(document.querySelector(%q) || {}).innerText > 0`, seriesSel("demo")+" .series-count"))
	first := count()
	p.waitJS("the demo to grow", fmt.Sprintf(`Number((document.querySelector(%q) || {}).innerText) > %d`, seriesSel("demo")+" .series-count", first+5))
	p.waitJS("the demo line on the canvas", linePixels("demo")+" > 100")
	p.checkConsole()
}

// offlineReadyJS waits (up to 20 s, in the page) until go-app's service
// worker controls the page and its cache holds every page and app.wasm;
// it returns "" or why not. go-app's worker activates before its cache is
// filled, so a controller alone is not enough.
func offlineReadyJS() string {
	paths, _ := json.Marshal(append(ui.Paths(), "/web/app.wasm", "/app.js", "/web/app.css"))
	return fmt.Sprintf(`(async (paths) => {
		const deadline = Date.now() + 20000;
		let why = "no service worker controls the page";
		while (Date.now() < deadline) {
			const reg = await navigator.serviceWorker.getRegistration();
			if (navigator.serviceWorker.controller && reg && reg.active && reg.active.state === "activated") {
				const name = "app-" + goappGetenv("GOAPP_VERSION");
				why = "no cache " + name;
				if (await caches.has(name)) {
					const keys = (await (await caches.open(name)).keys()).map(r => new URL(r.url).pathname);
					const missing = paths.filter(p => !keys.includes(p));
					if (missing.length === 0) {
						return "";
					}
					why = "not cached: " + missing.join(" ");
				}
			}
			await new Promise(r => setTimeout(r, 100));
		}
		return why;
	})(%s)`, paths)
}

// waitOfflineReady waits until the page is ready for offline use.
func (p *person) waitOfflineReady() {
	p.t.Helper()
	var why string
	p.eval(offlineReadyJS(), &why)
	if why != "" {
		p.t.Fatalf("%s (%s): the app is not ready for offline use: %s", p.name, p.engine, why)
	}
}

// scenarioOffline stops the server for real and reloads every page: each
// comes from the service worker's cache, with the banner saying the server
// is unreachable; when the server returns the socket reopens by itself.
func scenarioOffline(s *stage) {
	srv := s.startServer(site.Config{})
	u := s.newPerson("ada")
	u.open(srv.URL + "/")
	u.waitOfflineReady()
	srv.Stop()
	for _, pg := range offlinePages {
		u.open(srv.URL + pg.path)
		u.reload()
		u.waitWasm()
		if h := u.text("main h1"); !strings.Contains(h, pg.heading) {
			s.t.Fatalf("%s with the server down shows heading %q, want the cached page (%q)", pg.path, h, pg.heading)
		}
		banner := u.waitText("#offline", "the offline banner on "+pg.path, func(s string) bool { return s != "" })
		if !strings.Contains(banner, "Server unreachable") {
			s.t.Errorf("%s: banner %q should say the server is unreachable", pg.path, banner)
		}
	}
	srv.Start()
	u.waitStatus("open") // still on /casefold
	u.waitText("#offline", "the banner to go", func(s string) bool { return s == "" })
	u.typeText("#casefold-input", "MASSE\n")
	u.waitText("#casefold-replies .fold-out", "a reply", func(s string) bool { return s == "masse" })
}

// firstVisits is how many fresh visitors scenarioFirstVisits brings.
const firstVisits = 10

// scenarioFirstVisits: ten people who never came before open the site at
// about the same time, each in a fresh profile; none is told an update is
// available. Each visit waits until the first worker has activated,
// claimed the page and filled its cache — the moment go-app mistakes for
// an update — and then watches the notice slot for a second.
func scenarioFirstVisits(s *stage) {
	srv := s.startServer(site.Config{})
	var shown, goappSaid atomic.Int32
	// The visitors run as parallel subtests of one group, so the count
	// below is taken once they have all been; the server outlives them.
	s.t.Run("visitors", func(t *testing.T) {
		for i := range firstVisits {
			name := fmt.Sprintf("visitor%d", i+1)
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				p := s.people(t, name)
				p.open(srv.URL + "/casefold")
				p.waitOfflineReady()
				// A bounded watch, not a synchronisation: the notice, if it
				// came, would render within a frame of the worker's
				// activation.
				for end := time.Now().Add(time.Second); time.Now().Before(end); {
					if p.text("#update") != "" {
						break
					}
					time.Sleep(50 * time.Millisecond) // polling interval, bounded by end
				}
				if got := p.text("#update"); got != "" {
					shown.Add(1)
					p.screenshot(fmt.Sprintf("false-update-%d", i+1))
					t.Errorf("%s: a first visit shows the update notice %q", p.name, got)
				}
				// go-app logs this when it fires its update hook: how often
				// its own detection took the first worker for an update.
				if p.consoleHas("has been updated, reload to see changes") || p.evalBool(`window.goappUpdatedBeforeWasmLoaded`) {
					goappSaid.Add(1)
				}
				p.checkConsole()
				// Leave the page before closing the browser, so its socket
				// closes with a handshake (a tab torn down mid-socket left
				// the server's shutdown waiting for a close that never came).
				p.must("leave the page", p.d.navigate("about:blank"))
				p.quit()
			})
		}
	})
	s.t.Logf("%s: %d of %d first visits showed the update notice; go-app's own detection fired on %d", s.engine, shown.Load(), firstVisits, goappSaid.Load())
}

// scenarioUpdate deploys a new version under a returning visitor's open
// page (loaded under the service worker): server A stops, server B starts
// on the same port; the notice appears, and Reload shows version B.
func scenarioUpdate(s *stage) {
	srv := s.startServer(site.Config{Version: "A"})
	u := s.newPerson("ada")
	u.open(srv.URL + "/casefold")
	u.waitOfflineReady()
	u.reload() // now the page is loaded under the worker, as a returning visitor's
	u.waitWasm()
	u.waitStatus("open")
	if v := u.text("#version"); v != "A" {
		s.t.Fatalf("version shown %q, want A", v)
	}
	if got := u.text("#update"); got != "" {
		s.t.Fatalf("update notice %q before any update", got)
	}
	srv.Stop()
	u.waitStatus("reconnecting")
	srv.cfg.Version = "B"
	srv.Start()
	u.waitStatus("open")
	notice := u.waitText("#update", "the update notice", func(s string) bool { return s != "" })
	if !strings.Contains(notice, "Update available") {
		s.t.Errorf("notice %q", notice)
	}
	u.click("#update-reload")
	u.waitText("#version", "version B after the reload", func(s string) bool { return s == "B" })
	u.waitWasm()
	if got := u.text("#update"); got != "" {
		s.t.Errorf("update notice %q still shown after reloading into the new version", got)
	}
	u.checkConsole()
}

// scenarioWire: the wire lab shows the frames of its own socket: a text the
// person sends appears as a frame row going out and its echo coming in.
func scenarioWire(s *stage) {
	srv := s.startServer(site.Config{})
	p := s.newPerson("ada")
	p.open(srv.URL + "/wire")
	p.waitStatus("open")
	p.waitText("#wire-accept-check", "the computed accept equal to the header sent", func(s string) bool { return strings.Contains(s, "equal") })
	p.paste("#wire-input", "")
	p.typeText("#wire-input", "Hello")
	p.click("#wire-send-text")
	row := `(dir) => Array.from(document.querySelectorAll("#wire-frames li[data-n]")).some(li =>
		li.classList.contains(dir) && (li.querySelector(".wf-text") || {innerText: ""}).innerText === "Hello")`
	p.waitJS("the browser's Hello frame", "("+row+`)("wf-in")`)
	p.waitJS("the server's echo", "("+row+`)("wf-out")`)
	p.checkConsole()
}
