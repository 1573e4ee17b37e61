package web

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"

	"socketlab/internal/testkit"

	"github.com/andybalholm/brotli"
)

func TestNegotiate(t *testing.T) {
	both := map[string][]byte{"": {1}, "gzip": {2}, "br": {3}}
	gzipOnly := map[string][]byte{"": {1}, "gzip": {2}}
	for _, tc := range []struct {
		header string
		have   map[string][]byte
		want   string
	}{
		{"", both, ""},
		{"br", both, "br"},
		{"gzip", both, "gzip"},
		{"gzip, deflate, br, zstd", both, "br"}, // what Chrome sends
		{"BR", both, "br"},
		{"br;q=0, gzip", both, "gzip"},
		{"br; q=0 , gzip", both, "gzip"},
		{"br;q=0.000, gzip;q=0", both, ""},
		{"gzip;q=1.0, br;q=0.5", both, "gzip"},
		{"br;q=0.8 , gzip;q=0.9", both, "gzip"},
		{"br;q=0.9, gzip;q=0.9", both, "br"},
		{"*", both, "br"},
		{"*;q=0.5, br;q=0", both, "gzip"},
		{"*;q=0, identity", both, ""},
		{"identity", both, ""},
		{"identity;q=1, br;q=0.5", both, ""},
		{"identity;q=0.1, br;q=0.5", both, "br"},
		{"deflate, zstd", both, ""},
		{"br;q=abc", both, ""},
		{"br;q=2, gzip", both, "gzip"},
		{"br, gzip", gzipOnly, "gzip"},
		{"br", gzipOnly, ""},
		{",,;q=1,", both, ""},
	} {
		if got := negotiate(tc.header, tc.have); got != tc.want {
			t.Errorf("negotiate(%q) = %q, want %q", tc.header, got, tc.want)
		}
	}
}

func TestETagMatches(t *testing.T) {
	for _, tc := range []struct {
		header string
		want   bool
	}{
		{`"v1-br"`, true},
		{`W/"v1-br"`, true},
		{`"x", "v1-br"`, true},
		{`*`, true},
		{`"v1"`, false},
		{`"v1-gzip"`, false},
		{``, false},
		{`v1-br`, false},
	} {
		if got := etagMatches(tc.header, `"v1-br"`); got != tc.want {
			t.Errorf("etagMatches(%q) = %v, want %v", tc.header, got, tc.want)
		}
	}
}

// testAssets returns Assets holding a small app.wasm compressed for real,
// and a client that sends exactly the Accept-Encoding it is given.
func testAssets(t *testing.T) (*Assets, []byte, *httptest.Server) {
	t.Helper()
	raw := bytes.Repeat([]byte("\x00asm socketlab "), 4000)
	var gz, br bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(raw)
	zw.Close()
	bw := brotli.NewWriter(&br)
	bw.Write(raw)
	bw.Close()
	a, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	a.wasm = map[string][]byte{"": raw, "gzip": gz.Bytes(), "br": br.Bytes()}
	a.version = "v1"
	srv := httptest.NewServer(a)
	t.Cleanup(srv.Close)
	return a, raw, srv
}

func decode(t *testing.T, enc string, b []byte) []byte {
	t.Helper()
	var r io.Reader = bytes.NewReader(b)
	switch enc {
	case "gzip":
		zr, err := gzip.NewReader(r)
		if err != nil {
			t.Fatal(err)
		}
		r = zr
	case "br":
		r = brotli.NewReader(r)
	}
	out, err := io.ReadAll(r)
	if err != nil {
		t.Fatalf("decoding %s: %v", enc, err)
	}
	return out
}

func TestServeWasmEncodings(t *testing.T) {
	_, raw, srv := testAssets(t)
	for _, tc := range []struct {
		accept, enc string
	}{
		{"gzip, deflate, br, zstd", "br"},
		{"br", "br"},
		{"gzip", "gzip"},
		{"br;q=0, gzip", "gzip"},
		{"", ""},
		{"identity", ""},
		{"br;q=0, gzip;q=0", ""},
	} {
		res, body := testkit.Fetch(t, "GET", srv.URL+"/web/app.wasm", map[string]string{"Accept-Encoding": tc.accept})
		h := res.Header
		if res.StatusCode != 200 {
			t.Fatalf("Accept-Encoding %q: status %d", tc.accept, res.StatusCode)
		}
		if got := h.Get("Content-Encoding"); got != tc.enc {
			t.Errorf("Accept-Encoding %q: Content-Encoding %q, want %q", tc.accept, got, tc.enc)
		}
		if got := h.Get("Vary"); got != "Accept-Encoding" {
			t.Errorf("Accept-Encoding %q: Vary %q: caches would hand brotli to clients that cannot read it", tc.accept, got)
		}
		if got := h.Get("Content-Type"); got != "application/wasm" {
			t.Errorf("Content-Type %q: WebAssembly.instantiateStreaming refuses anything but application/wasm", got)
		}
		if got := h.Get("Cache-Control"); got != "no-cache" {
			t.Errorf("Cache-Control %q, want no-cache (revalidate by ETag)", got)
		}
		if got, want := h.Get("Content-Length"), len(body); got != strconv.Itoa(want) {
			t.Errorf("Content-Length %q, body %d bytes", got, want)
		}
		if !bytes.Equal(decode(t, tc.enc, body), raw) {
			t.Errorf("Accept-Encoding %q: body does not decode to app.wasm", tc.accept)
		}
		if tc.enc != "" && len(body) >= len(raw) {
			t.Errorf("%s copy is %d bytes, raw %d", tc.enc, len(body), len(raw))
		}
	}
}

func TestServeWasmRevalidation(t *testing.T) {
	_, _, srv := testAssets(t)
	url := srv.URL + "/web/app.wasm"
	res, _ := testkit.Fetch(t, "GET", url, map[string]string{"Accept-Encoding": "br"})
	etag := res.Header.Get("ETag")
	if etag == "" {
		t.Fatal("no ETag on app.wasm")
	}
	resGzip, _ := testkit.Fetch(t, "GET", url, map[string]string{"Accept-Encoding": "gzip"})
	resRaw, _ := testkit.Fetch(t, "GET", url, nil)
	if e := resGzip.Header.Get("ETag"); e == etag || e == resRaw.Header.Get("ETag") {
		t.Fatalf("ETags br %s, gzip %s, identity %s: each encoding is a different representation and needs its own",
			etag, e, resRaw.Header.Get("ETag"))
	}
	for _, tc := range []struct {
		accept, ifNoneMatch string
		want                int
	}{
		{"br", etag, http.StatusNotModified},
		{"br", "W/" + etag, http.StatusNotModified},
		{"br", `"old", ` + etag, http.StatusNotModified},
		{"br", "*", http.StatusNotModified},
		{"gzip", etag, http.StatusOK}, // the brotli tag does not validate the gzip copy
		{"br", `"old"`, http.StatusOK},
	} {
		res, body := testkit.Fetch(t, "GET", url, map[string]string{"Accept-Encoding": tc.accept, "If-None-Match": tc.ifNoneMatch})
		if res.StatusCode != tc.want {
			t.Errorf("Accept-Encoding %q, If-None-Match %q: status %d, want %d", tc.accept, tc.ifNoneMatch, res.StatusCode, tc.want)
		}
		if tc.want == http.StatusNotModified {
			if len(body) != 0 {
				t.Errorf("304 with a %d-byte body", len(body))
			}
			if res.Header.Get("Vary") != "Accept-Encoding" || res.Header.Get("ETag") != etag {
				t.Errorf("304 headers %v: want Vary and the ETag", res.Header)
			}
		}
	}
}

func TestServeWasmHead(t *testing.T) {
	_, _, srv := testAssets(t)
	resGet, body := testkit.Fetch(t, "GET", srv.URL+"/web/app.wasm", map[string]string{"Accept-Encoding": "br"})
	res, headBody := testkit.Fetch(t, "HEAD", srv.URL+"/web/app.wasm", map[string]string{"Accept-Encoding": "br"})
	if res.StatusCode != 200 || len(headBody) != 0 {
		t.Fatalf("HEAD: status %d, %d-byte body", res.StatusCode, len(headBody))
	}
	if got := res.Header.Get("Content-Length"); got != strconv.Itoa(len(body)) || got != resGet.Header.Get("Content-Length") {
		t.Errorf("HEAD Content-Length %q, GET sent %d bytes", got, len(body))
	}
	if res.Header.Get("Content-Encoding") != "br" {
		t.Errorf("HEAD Content-Encoding %q", res.Header.Get("Content-Encoding"))
	}
}

func TestServeWasmMissing(t *testing.T) {
	a, _, _ := testAssets(t)
	a.wasm = map[string][]byte{}
	rec := httptest.NewRecorder()
	a.ServeHTTP(rec, httptest.NewRequest("GET", "/web/app.wasm", nil))
	if rec.Code != http.StatusServiceUnavailable || !strings.Contains(rec.Body.String(), "make build") {
		t.Fatalf("without a built wasm: %d %q, want 503 saying how to build it", rec.Code, rec.Body.String())
	}
}

func TestServeStatic(t *testing.T) {
	_, _, srv := testAssets(t)
	for _, tc := range []struct {
		path, contentType string
		status            int
	}{
		{"/web/app.css", "text/css; charset=utf-8", 200},
		{"/web/loader.js", "text/javascript; charset=utf-8", 200},
		{"/web/update.js", "text/javascript; charset=utf-8", 200},
		{"/web/icon-192.png", "image/png", 200},
		{"/web/icon-512.png", "image/png", 200},
		{"/web/icon-maskable.png", "image/png", 200},
		{"/web/icon.svg", "image/svg+xml", 200},
		{"/web/nope.css", "", 404},
		{"/web/", "", 404},
		{"/web/../web.go", "", 404},
	} {
		res, body := testkit.Fetch(t, "GET", srv.URL+tc.path, nil)
		if res.StatusCode != tc.status {
			t.Errorf("%s: status %d, want %d", tc.path, res.StatusCode, tc.status)
			continue
		}
		if tc.status != 200 {
			continue
		}
		if got := res.Header.Get("Content-Type"); got != tc.contentType {
			t.Errorf("%s: Content-Type %q, want %q", tc.path, got, tc.contentType)
		}
		if len(body) == 0 {
			t.Errorf("%s: empty", tc.path)
		}
		etag := res.Header.Get("ETag")
		if etag == "" || res.Header.Get("Cache-Control") != "no-cache" {
			t.Errorf("%s: ETag %q, Cache-Control %q: want an ETag and no-cache", tc.path, etag, res.Header.Get("Cache-Control"))
		}
		res, body = testkit.Fetch(t, "GET", srv.URL+tc.path, map[string]string{"If-None-Match": etag})
		if res.StatusCode != http.StatusNotModified || len(body) != 0 {
			t.Errorf("%s revalidated: status %d, %d bytes; want 304", tc.path, res.StatusCode, len(body))
		}
	}
}

// TestEmbeddedWasm checks the real build: both compressed copies decode to
// the raw app.wasm, and the brotli download stays within its budget.
func TestEmbeddedWasm(t *testing.T) {
	a, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	if !a.HasWasm() {
		t.Skip("web/dist/app.wasm is not built; `make unit` builds it first")
	}
	raw := a.WasmBytes("")
	if a.WasmSize() != len(raw) {
		t.Fatalf("WasmSize %d, raw copy %d bytes", a.WasmSize(), len(raw))
	}
	if !bytes.HasPrefix(raw, []byte("\x00asm")) {
		t.Fatal("dist/app.wasm is not WebAssembly")
	}
	for _, enc := range []string{"gzip", "br"} {
		b := a.WasmBytes(enc)
		if b == nil {
			t.Fatalf("no %s copy of app.wasm: make build writes both", enc)
		}
		if !bytes.Equal(decode(t, enc, b), raw) {
			t.Fatalf("the %s copy is stale: it does not decode to dist/app.wasm (rerun make build)", enc)
		}
		t.Logf("app.wasm %-4s %9d bytes (%.1f%% of %d)", enc, len(b), 100*float64(len(b))/float64(len(raw)), len(raw))
	}
	// The budget the PWA promises: the first visit downloads this much.
	if n := len(a.WasmBytes("br")); n > WasmBudget {
		t.Errorf("app.wasm is %d bytes brotli-compressed, over the %d-byte budget", n, WasmBudget)
	}
}

func TestContentVersion(t *testing.T) {
	fsys := fstest.MapFS{
		"static/app.css": {Data: []byte("body{}")},
		"dist/app.wasm":  {Data: []byte("\x00asm1")},
	}
	v1, err := contentVersion(fsys)
	if err != nil {
		t.Fatal(err)
	}
	again, _ := contentVersion(fsys)
	if v1 != again || v1 == "" {
		t.Fatalf("versions %q and %q of the same content", v1, again)
	}
	fsys["dist/app.wasm"] = &fstest.MapFile{Data: []byte("\x00asm2")}
	v2, _ := contentVersion(fsys)
	if v2 == v1 {
		t.Fatal("a new app.wasm kept the version: open pages would never hear of the update")
	}
	// Moving bytes from one file to another is a different build too.
	renamed := fstest.MapFS{
		"static/app.cs": {Data: []byte("sbody{}")},
		"dist/app.wasm": {Data: []byte("\x00asm1")},
	}
	if v3, _ := contentVersion(renamed); v3 == v1 {
		t.Fatal("renaming a file kept the version")
	}
}
