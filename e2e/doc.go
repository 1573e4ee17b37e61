// Package e2e walks every socketlab lab in real headless Chrome, as a person
// would: it types, clicks and reads what is on the screen.
//
// The tests start the real server (server/site) in-process on a free port,
// start Chrome once per test binary, and give each simulated user a browser
// context of their own (separate cookies, storage and service worker). When a
// test fails, a screenshot, the browser console and the server log are
// written to e2e/artifacts/<test name>/.
//
// Run them with `make test` (which builds the wasm they serve first) or
// `go test ./e2e` after `make build`. Without Chrome or Chromium they skip,
// unless CI or E2E is set, in which case they fail: a CI log must show them
// passing, not skipped. Set E2E_HEADED=1 to watch them in a visible window
// (needs a display).
package e2e
