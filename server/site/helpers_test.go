package site

import (
	"io"
	"log/slog"
	"net/http"
	"testing"

	"socketlab/internal/testkit"
)

// The set-up every test of the package shares: a whole site on loopback,
// and the two ways of asking it something (a client's GET, a raw request).

// testSite is a full server (the same Serve the binary runs, with its
// timeouts) on a free loopback port: the kit's Serving, with the Server
// for the tests that reach inside it.
type testSite struct {
	*testkit.Serving
	srv *Server
	log *testkit.LogBuffer // the server's log, unless cfg brought one
}

// startSite runs a server with cfg until the test ends; its log is shown
// when the test fails.
func startSite(t *testing.T, cfg Config) *testSite {
	t.Helper()
	log := &testkit.LogBuffer{}
	if cfg.Log == nil {
		cfg.Log = log.Logger(slog.LevelInfo)
	}
	srv, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("server log:\n%s", log)
		}
	})
	return &testSite{Serving: testkit.Serve(t, srv), srv: srv, log: log}
}

// get fetches url with header given as name, value pairs, and returns the
// response and its body as text.
func get(t *testing.T, url string, header ...string) (*http.Response, string) {
	t.Helper()
	h := map[string]string{}
	for i := 0; i+1 < len(header); i += 2 {
		h[header[i]] = header[i+1]
	}
	resp, body := testkit.Fetch(t, "GET", url, h)
	return resp, string(body)
}

// rawHTTP sends a raw request and returns the response status and body.
func rawHTTP(t *testing.T, addr, req string) (int, string) {
	t.Helper()
	r := testkit.RawDial(t, addr)
	io.WriteString(r.Conn, req)
	resp, err := http.ReadResponse(r.R, nil)
	if err != nil {
		t.Fatalf("reading response: %v", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}
