package site

import (
	"net/http"
	"strings"
)

// contentSecurityPolicy is the smallest policy the app runs under with no
// violation (the e2e suite records securitypolicyviolation events on every
// page and fails on any):
//   - script-src 'self' 'wasm-unsafe-eval': go-app's loader, wasm_exec.js and
//     app.js are files on our origin; compiling app.wasm needs
//     'wasm-unsafe-eval' (not 'unsafe-eval', which would also allow eval()).
//   - connect-src 'self': fetching app.wasm and the sockets (CSP Level 3
//     lets 'self' match ws:// and wss:// on the same host).
//   - frame-ancestors 'none': nobody may frame the labs (clickjacking).
//   - no inline scripts or styles at all.
const contentSecurityPolicy = "default-src 'self'; " +
	"script-src 'self' 'wasm-unsafe-eval'; " +
	"style-src 'self'; " +
	"img-src 'self' data:; " +
	"connect-src 'self'; " +
	"worker-src 'self'; " +
	"manifest-src 'self'; " +
	"object-src 'none'; " +
	"base-uri 'self'; " +
	"form-action 'self'; " +
	"frame-ancestors 'none'"

// securityHeaders adds the headers every page and asset is served with.
// Socket upgrades pass through untouched: a 101 response has no use for them.
func securityHeaders(next http.Handler, hsts bool) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasPrefix(r.URL.Path, "/ws/") {
			h := w.Header()
			h.Set("Content-Security-Policy", contentSecurityPolicy)
			h.Set("X-Content-Type-Options", "nosniff")
			h.Set("Referrer-Policy", "no-referrer")
			h.Set("X-Frame-Options", "DENY")
			h.Set("Cross-Origin-Opener-Policy", "same-origin")
			h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
			if hsts {
				h.Set("Strict-Transport-Security", "max-age=31536000")
			}
		}
		next.ServeHTTP(w, r)
	})
}
