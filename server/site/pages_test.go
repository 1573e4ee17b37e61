package site

import (
	"bytes"
	"encoding/json"
	"image/png"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"socketlab/app/ui"
	"socketlab/internal/testkit"
)

func testServer(t *testing.T, cfg Config) *httptest.Server {
	t.Helper()
	cfg.Log = slog.New(slog.DiscardHandler)
	s, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(srv.Close)
	return srv
}

// manifest is the part of the web app manifest Chrome's installability
// check reads.
type manifest struct {
	Name            string `json:"name"`
	ShortName       string `json:"short_name"`
	Description     string `json:"description"`
	StartURL        string `json:"start_url"`
	Scope           string `json:"scope"`
	Display         string `json:"display"`
	ThemeColor      string `json:"theme_color"`
	BackgroundColor string `json:"background_color"`
	Icons           []struct {
		Src     string `json:"src"`
		Type    string `json:"type"`
		Sizes   string `json:"sizes"`
		Purpose string `json:"purpose"`
	} `json:"icons"`
}

// TestManifest checks the manifest's fields, and that every icon it names
// is served by this server (no remote URL) and is what it claims: a PNG of
// the stated size, or an SVG.
func TestManifest(t *testing.T) {
	srv := testServer(t, Config{})
	res, body := testkit.Fetch(t, "GET", srv.URL+"/manifest.webmanifest", nil)
	if res.StatusCode != 200 {
		t.Fatalf("manifest: status %d", res.StatusCode)
	}
	var m manifest
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatalf("manifest: %v\n%s", err, body)
	}
	if m.Name == "" || m.ShortName == "" || m.Description == "" {
		t.Errorf("name %q, short name %q, description %q: all needed", m.Name, m.ShortName, m.Description)
	}
	if m.StartURL != "/" || m.Scope != "/" || m.Display != "standalone" {
		t.Errorf("start_url %q, scope %q, display %q; want /, / and standalone", m.StartURL, m.Scope, m.Display)
	}
	colour := regexp.MustCompile(`^#[0-9a-fA-F]{6}$`)
	if !colour.MatchString(m.ThemeColor) || !colour.MatchString(m.BackgroundColor) {
		t.Errorf("theme %q, background %q: want #rrggbb colours", m.ThemeColor, m.BackgroundColor)
	}
	var sizes []string
	for _, icon := range m.Icons {
		if !strings.HasPrefix(icon.Src, "/web/") {
			t.Errorf("icon %q is not a local asset", icon.Src)
			continue
		}
		res, body := testkit.Fetch(t, "GET", srv.URL+icon.Src, nil)
		if res.StatusCode != 200 || res.Header.Get("Content-Type") != icon.Type {
			t.Errorf("icon %s: status %d, type %q; manifest says %q", icon.Src, res.StatusCode, res.Header.Get("Content-Type"), icon.Type)
			continue
		}
		switch icon.Type {
		case "image/png":
			cfg, err := png.DecodeConfig(bytes.NewReader(body))
			if err != nil {
				t.Errorf("icon %s: %v", icon.Src, err)
				continue
			}
			if got := strconv.Itoa(cfg.Width) + "x" + strconv.Itoa(cfg.Height); got != icon.Sizes {
				t.Errorf("icon %s is %s, manifest says %s", icon.Src, got, icon.Sizes)
			}
		case "image/svg+xml":
			if !bytes.Contains(body, []byte("<svg")) {
				t.Errorf("icon %s is not SVG", icon.Src)
			}
		}
		sizes = append(sizes, icon.Sizes+" "+icon.Type+" "+icon.Purpose)
	}
	for _, want := range []string{"192x192 image/png ", "512x512 image/png ", "512x512 image/png maskable", "any image/svg+xml "} {
		if !slices.Contains(sizes, want) {
			t.Errorf("no %q icon among %q", want, sizes)
		}
	}
}

// TestServiceWorkerCachesEveryPage reads the resource list of the service
// worker: every page must be in it (or it shows the browser's error page
// offline), and every entry must answer 200 — cache.addAll fails as a whole
// on a single 404, leaving the app with no offline copy at all.
func TestServiceWorkerCachesEveryPage(t *testing.T) {
	srv := testServer(t, Config{Version: "v-test"})
	res, body := testkit.Fetch(t, "GET", srv.URL+"/app-worker.js", nil)
	if res.StatusCode != 200 {
		t.Fatalf("app-worker.js: status %d", res.StatusCode)
	}
	m := regexp.MustCompile(`const resourcesToCache = (\[.*?\]);`).FindSubmatch(body)
	if m == nil {
		t.Fatalf("no resource list in app-worker.js:\n%s", body)
	}
	var cached []string
	if err := json.Unmarshal(m[1], &cached); err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(body, []byte(`"app-" + "v-test"`)) {
		t.Error("the worker's cache is not named after the version: a new deployment would not replace it")
	}
	for _, p := range append(ui.Paths(), "/web/app.wasm", "/web/app.css", "/web/loader.js", "/web/update.js", "/web/icon.svg", "/app.js", "/wasm_exec.js", "/manifest.webmanifest") {
		if !slices.Contains(cached, p) {
			t.Errorf("%s is not cached by the service worker (cached: %q)", p, cached)
		}
	}
	for _, p := range cached {
		if !strings.HasPrefix(p, "/") {
			t.Errorf("cached resource %q is not on this origin", p)
			continue
		}
		if res, _ := testkit.Fetch(t, "GET", srv.URL+p, nil); res.StatusCode != 200 {
			t.Errorf("cached resource %s: status %d; the worker's install would fail", p, res.StatusCode)
		}
	}
}

// TestLoaderProgress: go-app's loader divides the bytes it has read by
// WasmContentLength. The browser reads the decoded stream, so the number
// must be the raw size, not the brotli size (the loader would pass 100 %
// early and keep counting to 500 %).
func TestLoaderProgress(t *testing.T) {
	s, err := New(Config{Log: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	if !s.assets.HasWasm() {
		testkit.Missing(t, "app.wasm is not built; `make unit` builds it first")
	}
	srv := httptest.NewServer(s.Handler())
	defer srv.Close()
	_, js := testkit.Fetch(t, "GET", srv.URL+"/app.js", nil)
	want := `const goappWasmContentLength = "` + strconv.Itoa(len(s.assets.WasmBytes(""))) + `";`
	if !bytes.Contains(js, []byte(want)) {
		t.Fatalf("app.js lacks %s", want)
	}
	_, page := testkit.Fetch(t, "GET", srv.URL+"/casefold", nil)
	for _, want := range []string{
		`id="app-wasm-loader"`, `src="/web/loader.js"`, // the loader and its progress bar
		`src="/web/update.js"`,        // what keeps the update notice true
		"Casefold: request and reply", // the pre-rendered page, readable before the wasm runs
	} {
		if !bytes.Contains(page, []byte(want)) {
			t.Errorf("pre-rendered /casefold lacks %s", want)
		}
	}
}

// TestPagesRevalidate: pages carry the version as ETag, so a browser's
// revalidation costs a 304 until a new version is deployed.
func TestPagesRevalidate(t *testing.T) {
	srv := testServer(t, Config{Version: "v7"})
	for _, p := range ui.Paths() {
		res, _ := testkit.Fetch(t, "GET", srv.URL+p, nil)
		if res.StatusCode != 200 || res.Header.Get("ETag") != `"v7"` {
			t.Fatalf("%s: status %d, ETag %q", p, res.StatusCode, res.Header.Get("ETag"))
		}
		req, _ := http.NewRequest("GET", srv.URL+p, nil)
		req.Header.Set("If-None-Match", `"v7"`)
		res2, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res2.Body.Close()
		if res2.StatusCode != http.StatusNotModified {
			t.Errorf("%s revalidated: status %d, want 304", p, res2.StatusCode)
		}
	}
}
