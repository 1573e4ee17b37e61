package site

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"socketlab/app/ui"
	"socketlab/internal/testkit"
)

func TestSecurityHeadersOnPages(t *testing.T) {
	s := startSite(t, Config{})
	for _, path := range []string{"/", "/hello", "/casefold", "/web/app.css", "/manifest.webmanifest"} {
		resp, _ := get(t, "http://"+s.Addr+path)
		for h, want := range map[string]string{
			"Content-Security-Policy": "frame-ancestors 'none'",
			"X-Content-Type-Options":  "nosniff",
			"Referrer-Policy":         "no-referrer",
			"X-Frame-Options":         "DENY",
		} {
			if got := resp.Header.Get(h); !strings.Contains(got, want) {
				t.Errorf("%s: %s = %q, want it to contain %q", path, h, got, want)
			}
		}
		if resp.Header.Get("Strict-Transport-Security") != "" {
			t.Errorf("%s: HSTS over plain HTTP", path)
		}
	}
}

func TestHealthAndReadiness(t *testing.T) {
	s := startSite(t, Config{})
	if resp, body := get(t, "http://"+s.Addr+"/healthz"); resp.StatusCode != 200 || body != "ok\n" {
		t.Fatalf("/healthz = %d %q", resp.StatusCode, body)
	}
	if resp, body := get(t, "http://"+s.Addr+"/readyz"); resp.StatusCode != 200 || body != "ready\n" {
		t.Fatalf("/readyz = %d %q", resp.StatusCode, body)
	}
	s.srv.checks = append(s.srv.checks, readiness{"store", func(context.Context) error { return io.ErrUnexpectedEOF }})
	if resp, body := get(t, "http://"+s.Addr+"/readyz"); resp.StatusCode != 503 || !strings.Contains(body, "store: unexpected EOF") {
		t.Fatalf("/readyz with a failing check = %d %q", resp.StatusCode, body)
	}
}

// TestMetricsCountTraffic makes casefold traffic, a bad frame and a refused
// origin, then reads /metrics as Prometheus would.
func TestMetricsCountTraffic(t *testing.T) {
	s := startSite(t, Config{})
	c, ctx := testkit.Dial(t, "ws://"+s.Addr+"/ws/casefold", nil)
	for range 3 {
		c.Write(ctx, websocket.MessageText, []byte("ABC"))
		c.Read(ctx)
	}
	c.Write(ctx, websocket.MessageBinary, []byte{1})
	c.Read(ctx) // the 1003 close
	websocket.Dial(ctx, "ws://"+s.Addr+"/ws/casefold", &websocket.DialOptions{HTTPHeader: http.Header{"Origin": {"http://evil.example"}}})
	want := []string{
		`socketlab_messages_in_total{endpoint="/ws/casefold"} 4`,
		`socketlab_messages_out_total{endpoint="/ws/casefold"} 3`,
		`socketlab_message_bytes_out_total{endpoint="/ws/casefold"} 9`,
		`socketlab_closes_total{code="1003",endpoint="/ws/casefold"} 1`,
		`socketlab_drops_total{endpoint="/ws/casefold",reason="binary"} 1`,
		`socketlab_upgrades_refused_total{endpoint="/ws/casefold",reason="origin"} 1`,
		`socketlab_connections{endpoint="/ws/casefold"} 0`,
		`go_goroutines`,
	}
	// The close is counted when the handler finishes: wait for it.
	testkit.Until(t, 5*time.Second, func() error {
		_, body := get(t, s.URL("/metrics"))
		for _, w := range want {
			if !strings.Contains(body, w) {
				return fmt.Errorf("/metrics lacks %q:\n%s", w, grepSocketlab(body))
			}
		}
		return nil
	})
}

func grepSocketlab(s string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.HasPrefix(l, "socketlab_") {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// TestPagesPreRender: every page is rendered on the server, so it is
// readable before the wasm loads (and by crawlers).
func TestPagesPreRender(t *testing.T) {
	s := startSite(t, Config{})
	for _, p := range ui.Paths() {
		resp, body := get(t, "http://"+s.Addr+p)
		if resp.StatusCode != 200 || !strings.Contains(body, "<h1") || !strings.Contains(body, `id="app-wasm-loader"`) {
			t.Errorf("%s: status %d, pre-rendered heading present: %v", p, resp.StatusCode, strings.Contains(body, "<h1"))
		}
	}
}
