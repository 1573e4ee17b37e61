// Package e2e walks every socketlab lab in real browsers, as a person would:
// it types, clicks and reads what is on the screen. The full suite runs in
// headless Chrome (chromedp); the shared scenarios (scenarios_test.go),
// written once against the person interface (person_test.go), also run in
// Firefox over WebDriver BiDi (package bidi) and in WebKit's MiniBrowser
// over W3C WebDriver (package webdriver) — TestBrowsers. E2E_BROWSER
// (chrome, firefox, webkit, or a comma-separated list) runs one engine.
//
// The tests start the real server (server/site) in-process on a free port,
// start Chrome once per test binary, and give each simulated user a browser
// context of their own (separate cookies, storage and service worker). The
// tests run in parallel, six at once unless -parallel says otherwise (each
// has its own server, and mostly waits on a browser); the Firefox and
// WebKit legs run beside the Chrome tests. When a test fails, a screenshot, the browser console and the server log are
// written to e2e/artifacts/<test name>/.
//
// Some tests leave pictures for a person whether they pass or not:
// e2e/artifacts/screens/ holds every page on a phone (375 px) and a desktop
// (1280 px), light and dark (TestScreens, which loads each page once and
// emulates the four views on it), plus the loader mid-download, the
// offline banner, the update notice and keyboard focus. On the same visits
// TestScreens runs axe-core (vendored in testdata/axe-core) and fails on
// serious or critical violations; TestAccessibility does so with the
// offline banner showing. The PWA tests (pwa_test.go) stop the
// server for real to prove the offline cache, and restart it with another
// Version to prove the update notice.
//
// Run them with `make test` (which builds the wasm they serve first) or
// `go test ./e2e` after `make build`. Without Chrome or Chromium they skip,
// unless CI or E2E is set, in which case they fail: a CI log must show them
// passing, not skipped. Set E2E_HEADED=1 to watch them in a visible window
// (needs a display).
package e2e
