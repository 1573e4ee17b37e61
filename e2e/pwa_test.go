package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/storage"
	"github.com/chromedp/chromedp"

	"socketlab/server/site"
)

// offlinePages are the routes that must reload from the service worker's
// cache with the server down, and a word each page's heading contains.
// Every lab belongs here; /casefold stays last, the test goes on using it
// when the server returns.
var offlinePages = []struct{ path, heading string }{
	{"/", "socketlab"},
	{"/hello", "Hello"},
	{"/plot", "Plot"},
	{"/chat", "Chat"},
	{"/wire", "Wire"},
	{"/casefold", "Casefold"},
}

// TestInstallable asks Chrome itself: no installability errors, and the
// manifest it parsed has the fields an installed app needs.
func TestInstallable(t *testing.T) {
	t.Parallel()
	srv := startServer(t, site.Config{})
	// Chrome answers Page.getInstallabilityErrors only in a regular profile:
	// in the off-the-record contexts the other users get, it never returns.
	// A new window, so the page is visible and runs its timers. The server's
	// port is new, so nothing stored for its origin leaks into other tests;
	// it is cleared anyway.
	u := newUserWith(t, "ada", chromedp.WithNewWindow(true))
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(u.ctx, 5*time.Second)
		defer cancel()
		chromedp.Call(ctx, storage.ClearDataForOrigin, storage.ClearDataForOriginParams{Origin: srv.URL, StorageTypes: "all"})
	})
	ctx, cancel := context.WithTimeout(u.ctx, 20*time.Second)
	defer cancel()

	// First, that the check is real: a page with no manifest is not
	// installable.
	u.do("open /healthz", chromedp.Navigate(srv.URL+"/healthz"))
	res, err := chromedp.Call(ctx, page.GetInstallabilityErrors, cdp.Empty{})
	if err != nil {
		t.Fatalf("Page.getInstallabilityErrors: %v", err)
	}
	if len(res.InstallabilityErrors) == 0 {
		t.Fatal("Chrome finds /healthz installable: the check would pass anything")
	}

	u.open(srv.URL + "/")
	u.waitOfflineReady()
	var errs []string
	var manifest *page.GetAppManifestResult
	// Chrome evaluates installability asynchronously after the worker takes
	// over; ask until it has made up its mind, within the deadline.
	for {
		res, err := chromedp.Call(ctx, page.GetInstallabilityErrors, cdp.Empty{})
		if err != nil {
			t.Fatalf("Page.getInstallabilityErrors: %v", err)
		}
		errs = errs[:0]
		for _, e := range res.InstallabilityErrors {
			errs = append(errs, e.ErrorID)
		}
		if len(errs) == 0 || ctx.Err() != nil {
			break
		}
		time.Sleep(100 * time.Millisecond) // polling interval, bounded by ctx
	}
	if len(errs) > 0 {
		t.Fatalf("Chrome reports installability errors: %q", errs)
	}
	m, err := chromedp.Call(ctx, page.GetAppManifest, page.GetAppManifestParams{})
	if err != nil {
		t.Fatalf("Page.getAppManifest: %v", err)
	}
	manifest = &m
	for _, e := range manifest.Errors {
		t.Errorf("manifest error: %s (line %d)", e.Message, e.Line)
	}
	if !strings.HasSuffix(manifest.URL, "/manifest.webmanifest") {
		t.Errorf("manifest URL %q", manifest.URL)
	}
	// What Chrome received, as served...
	var raw struct {
		Name, Description, Display, Scope string
		ShortName                         string `json:"short_name"`
		StartURL                          string `json:"start_url"`
		ThemeColor                        string `json:"theme_color"`
		BackgroundColor                   string `json:"background_color"`
		Icons                             []struct{ Src, Sizes, Type, Purpose string }
	}
	if err := json.Unmarshal([]byte(manifest.Data), &raw); err != nil {
		t.Fatalf("manifest is not JSON: %v", err)
	}
	if raw.Name != "socketlab" || raw.ShortName != "socketlab" || raw.Description == "" {
		t.Errorf("name %q, short_name %q, description %q", raw.Name, raw.ShortName, raw.Description)
	}
	if raw.Display != "standalone" || raw.StartURL != "/" || raw.Scope != "/" {
		t.Errorf("display %q, start_url %q, scope %q", raw.Display, raw.StartURL, raw.Scope)
	}
	if raw.ThemeColor == "" || raw.BackgroundColor == "" {
		t.Errorf("theme_color %q, background_color %q", raw.ThemeColor, raw.BackgroundColor)
	}
	have := map[string]bool{}
	for _, icon := range raw.Icons {
		if !strings.HasPrefix(icon.Src, "/web/") {
			t.Errorf("icon %q is not served by socketlab", icon.Src)
		}
		have[strings.TrimSpace(icon.Sizes+" "+icon.Type+" "+icon.Purpose)] = true
	}
	for _, want := range []string{"192x192 image/png", "512x512 image/png", "512x512 image/png maskable", "any image/svg+xml"} {
		if !have[want] {
			t.Errorf("no %s icon in %v", want, have)
		}
	}
	// ...and as Chrome understood it, URLs resolved against the page.
	p := manifest.Manifest
	if p == nil {
		t.Fatal("Chrome returned no parsed manifest")
	}
	if p.Name != "socketlab" || p.StartURL != srv.URL+"/" || p.Scope != srv.URL+"/" {
		t.Errorf("parsed: name %q, start URL %q, scope %q", p.Name, p.StartURL, p.Scope)
	}
	if !strings.Contains(strings.ToLower(p.Display), "standalone") {
		t.Errorf("parsed display %q", p.Display)
	}
	if len(p.Icons) != len(raw.Icons) {
		t.Errorf("Chrome parsed %d icons of %d", len(p.Icons), len(raw.Icons))
	}
	for _, icon := range p.Icons {
		if !strings.HasPrefix(icon.URL, srv.URL+"/web/") {
			t.Errorf("parsed icon %q is not served by socketlab", icon.URL)
		}
	}
	u.checkConsole()
}

// TestOfflineReload stops the server for real and reloads every page: each
// comes from the service worker's cache, readable and running, with the
// banner saying the server is unreachable. When the server returns on the
// same port, the banner goes and the socket reopens with no reload.
func TestOfflineReload(t *testing.T) {
	t.Parallel()
	srv := startServer(t, site.Config{})
	u := newUser(t, "ada")
	u.open(srv.URL + "/")
	u.waitOfflineReady()
	if got := u.text("#offline"); got != "" {
		t.Fatalf("offline banner %q while the server is up", got)
	}

	srv.Stop()
	for _, p := range offlinePages {
		u.open(srv.URL + p.path)
		// And reload it, as a person would press F5 on a dead server.
		u.do("reload "+p.path, chromedp.Reload())
		u.waitWasm()
		if h := u.text("main h1"); !strings.Contains(h, p.heading) {
			t.Fatalf("%s with the server down shows heading %q, want the cached page (%q)", p.path, h, p.heading)
		}
		banner := u.waitText("#offline", "the offline banner on "+p.path, func(s string) bool { return s != "" })
		if !strings.Contains(banner, "Server unreachable") || !strings.Contains(banner, "reconnect") {
			t.Errorf("%s: banner %q should say the server is unreachable and what happens next", p.path, banner)
		}
		if p.path == "/casefold" {
			u.waitStatus("reconnecting")
			// The state a person sees on a phone, for review.
			for _, scheme := range []string{"light", "dark"} {
				u.do("emulate a phone", viewport(375, 812), colorScheme(scheme))
				u.screenshot("offline-casefold-375-" + scheme)
			}
			u.do("back to the desktop", viewport(1280, 800), colorScheme("light"))
		}
	}

	srv.Start()
	// Still on the last page: it heals by itself.
	u.waitStatus("open")
	u.waitText("#offline", "the banner to go", func(s string) bool { return s == "" })
	u.typeText("#casefold-input", "MASSE\n")
	u.waitText("#casefold-replies .fold-out", "a reply", func(s string) bool { return s == "masse" })
	// And a page without a socket notices the server is back too.
	u.open(srv.URL + "/")
	u.waitText("#offline", "no banner on / with the server up", func(s string) bool { return s == "" })
	u.checkConsole()
}

// TestUpdateNotice deploys a new version under an open page: server A
// stops, server B starts on the same port. When the socket reconnects the
// page asks its service worker for an update, the new worker installs, the
// notice appears, and Reload shows version B.
func TestUpdateNotice(t *testing.T) {
	t.Parallel()
	srv := startServer(t, site.Config{Version: "A"})
	u := newUser(t, "ada")
	u.open(srv.URL + "/casefold")
	u.waitOfflineReady()
	u.waitStatus("open")
	if v := u.text("#version"); v != "A" {
		t.Fatalf("version shown %q, want A", v)
	}
	if got := u.text("#update"); got != "" {
		t.Fatalf("update notice %q before any update", got)
	}

	srv.Stop()
	u.waitStatus("reconnecting")
	srv.cfg.Version = "B"
	srv.Start()
	u.waitStatus("open")
	notice := u.waitText("#update", "the update notice", func(s string) bool { return s != "" })
	if !strings.Contains(notice, "Update available") {
		t.Errorf("notice %q", notice)
	}
	for _, v := range []struct {
		w, h   int64
		scheme string
	}{{375, 812, "light"}, {1280, 800, "dark"}} {
		u.do("emulate", viewport(v.w, v.h), colorScheme(v.scheme))
		u.screenshot(fmt.Sprintf("update-casefold-%d-%s", v.w, v.scheme))
	}
	u.click("#update-reload")
	u.waitText("#version", "version B after the reload", func(s string) bool { return s == "B" })
	u.waitWasm()
	if got := u.text("#update"); got != "" {
		t.Errorf("update notice %q still shown after reloading into the new version", got)
	}
	u.waitStatus("open")
	u.checkConsole()
}

// TestBrowserOffline: when the browser itself reports no network, the
// banner says so (not "server unreachable"), the socket waits as offline,
// and both recover when the network returns.
func TestBrowserOffline(t *testing.T) {
	t.Parallel()
	_, u := openLab(t, "ada", "/casefold")
	setOffline := func(offline bool) {
		u.t.Helper()
		ctx, cancel := context.WithTimeout(u.ctx, 10*time.Second)
		defer cancel()
		_, err := chromedp.Call(ctx, network.OverrideNetworkState, network.OverrideNetworkStateParams{
			Offline: offline, DownloadThroughput: -1, UploadThroughput: -1,
		})
		if err != nil {
			t.Fatalf("Network.overrideNetworkState: %v", err)
		}
	}
	setOffline(true)
	banner := u.waitText("#offline", "the offline banner", func(s string) bool { return s != "" })
	if !strings.Contains(banner, "You are offline") {
		t.Errorf("banner %q, want it to say the browser is offline", banner)
	}
	setOffline(false)
	u.waitText("#offline", "the banner to go", func(s string) bool { return s == "" })
	u.waitStatus("open")
	u.checkConsole()
}
