// Package web holds socketlab's static assets — icons, the stylesheet, and
// the compiled browser side (dist/app.wasm with its .gz and .br copies) —
// embedded so that the server is a single binary.
//
// Assets serves them under /web/. It negotiates the pre-compressed copies of
// app.wasm by Accept-Encoding (brotli, then gzip, then identity), because
// compressing seven megabytes per request would cost more CPU than the
// sockets do, and because go-app's own handler would serve it raw. It also
// derives the app's Version from the content of the embedded files, so a new
// build — and only a new build — makes open pages show "update available".
package web

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"path"
	"sort"
	"strconv"
	"strings"
)

//go:embed static dist
var files embed.FS

// WasmBudget is the most app.wasm may weigh brotli-compressed, in bytes:
// what a first visit downloads before any page runs. The unit tests hold
// the build to it and make bench reports against it. It was 1.6 MB for
// four labs; the wire lab's page (about 1 000 lines of components) costs
// some 57 KB more, and rather than strip what it teaches the budget grew
// by 100 KB. Getting under 1.5 MB is open work (see BENCH.md).
const WasmBudget = 1_700_000

// Assets serves the embedded files. Create it with Load.
type Assets struct {
	static  http.Handler
	wasm    map[string][]byte // by content encoding: "", "gzip", "br"
	version string
}

// Load reads the embedded assets. A missing dist/app.wasm is not an error
// (unit tests of the server do not need it), but HasWasm reports it and
// /web/app.wasm answers 503 with instructions.
func Load() (*Assets, error) {
	static, err := fs.Sub(files, "static")
	if err != nil {
		return nil, fmt.Errorf("web: %w", err)
	}
	a := &Assets{static: http.FileServerFS(static), wasm: map[string][]byte{}}
	for enc, name := range map[string]string{"": "dist/app.wasm", "gzip": "dist/app.wasm.gz", "br": "dist/app.wasm.br"} {
		b, err := files.ReadFile(name)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("web: %w", err)
		}
		a.wasm[enc] = b
	}
	if a.version, err = contentVersion(files); err != nil {
		return nil, fmt.Errorf("web: %w", err)
	}
	return a, nil
}

// contentVersion hashes every embedded file, names included.
func contentVersion(fsys fs.FS) (string, error) {
	var names []string
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			names = append(names, p)
		}
		return err
	})
	if err != nil {
		return "", err
	}
	sort.Strings(names)
	h := sha256.New()
	for _, n := range names {
		b, err := fs.ReadFile(fsys, n)
		if err != nil {
			return "", err
		}
		fmt.Fprintf(h, "%s %d\n", n, len(b))
		h.Write(b)
	}
	return hex.EncodeToString(h.Sum(nil))[:16], nil
}

// Version identifies this build of the assets: the same build always gives
// the same version, a different one (almost surely) a different version.
func (a *Assets) Version() string { return a.version }

// HasWasm reports whether app.wasm was built before the server was compiled.
func (a *Assets) HasWasm() bool { return a.wasm[""] != nil }

// WasmSize is the uncompressed size of app.wasm. go-app's loader needs it to
// show real progress: the browser decodes the compressed stream, so the
// Content-Length header would understate the total.
func (a *Assets) WasmSize() int { return len(a.wasm[""]) }

// WasmBytes returns app.wasm as served with the given content encoding ("",
// "gzip" or "br"); nil if that copy was not built.
func (a *Assets) WasmBytes(encoding string) []byte { return a.wasm[encoding] }

// ServeHTTP serves /web/app.wasm and the static files under /web/.
func (a *Assets) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	name := strings.TrimPrefix(r.URL.Path, "/web/")
	if name == "app.wasm" {
		a.serveWasm(w, r)
		return
	}
	if name == "" || strings.HasSuffix(name, "/") {
		// No directory listings: only named files are assets.
		http.NotFound(w, r)
		return
	}
	// Revalidate rather than cache blindly: the service worker keeps its own
	// copy for offline use, and an ETag makes revalidation a 304.
	w.Header().Set("Cache-Control", "no-cache")
	w.Header().Set("ETag", `"`+a.version+`"`)
	r2 := *r
	r2.URL = new(*r.URL)
	r2.URL.Path = "/" + path.Clean(name)
	a.static.ServeHTTP(w, &r2)
}

func (a *Assets) serveWasm(w http.ResponseWriter, r *http.Request) {
	if !a.HasWasm() {
		http.Error(w, "app.wasm was not built into this server: run `make build` (or `make run`)", http.StatusServiceUnavailable)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/wasm")
	h.Set("Vary", "Accept-Encoding")
	h.Set("Cache-Control", "no-cache")
	etag := `"` + a.version + `"`
	enc := negotiate(r.Header.Get("Accept-Encoding"), a.wasm)
	if enc != "" {
		etag = `"` + a.version + "-" + enc + `"`
		h.Set("Content-Encoding", enc)
	}
	h.Set("ETag", etag)
	if etagMatches(r.Header.Get("If-None-Match"), etag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	body := a.wasm[enc]
	h.Set("Content-Length", strconv.Itoa(len(body)))
	if r.Method == http.MethodHead {
		return
	}
	w.Write(body)
}

// negotiate picks the content coding of app.wasm from an Accept-Encoding
// header (RFC 9110, section 12.5.3) among the copies that exist; "" means
// identity. The client's q-values decide; on a tie the smaller copy wins
// (brotli, then gzip). q=0 excludes a coding, "*" stands for every coding
// not named, and identity is the fallback when nothing else is acceptable.
func negotiate(header string, have map[string][]byte) string {
	q := map[string]float64{}
	star := -1.0 // q of "*", -1 when absent
	for _, part := range strings.Split(header, ",") {
		name, params, _ := strings.Cut(part, ";")
		name = strings.ToLower(strings.TrimSpace(name))
		if name == "" {
			continue
		}
		weight := 1.0
		for _, p := range strings.Split(params, ";") {
			k, v, _ := strings.Cut(strings.TrimSpace(p), "=")
			if strings.EqualFold(strings.TrimSpace(k), "q") {
				f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
				if err != nil || f < 0 || f > 1 {
					f = 0 // a malformed weight accepts nothing rather than everything
				}
				weight = f
			}
		}
		if name == "*" {
			star = weight
			continue
		}
		q[name] = weight
	}
	weight := func(enc string) float64 {
		if w, ok := q[enc]; ok {
			return w
		}
		return max(star, 0)
	}
	best, bestQ := "", 0.0
	for _, enc := range []string{"br", "gzip"} {
		if w := weight(enc); have[enc] != nil && w > bestQ {
			best, bestQ = enc, w
		}
	}
	if w, named := q["identity"]; named && w > bestQ {
		return ""
	}
	return best
}

// etagMatches reports whether an If-None-Match header matches etag, with
// the weak comparison RFC 9110 prescribes for it: a list of tags, W/
// prefixes ignored, or "*".
func etagMatches(header, etag string) bool {
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimPrefix(strings.TrimSpace(t), "W/")
		if t == "*" || t == etag {
			return true
		}
	}
	return false
}
