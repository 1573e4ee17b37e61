package e2e

import (
	"context"
	"crypto/sha256"
	"crypto/tls"
	"encoding/base64"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"testing"

	"github.com/chromedp/chromedp"

	"socketlab/server/site"
	"socketlab/web"
)

// browser is the one Chrome every test shares; each user gets a browser
// context of its own inside it. Nil when Chrome is missing and the tests
// skip.
var browser context.Context

// skipReason says why browser is nil.
var skipReason string

// testCert is the certificate the wss tests serve; Chrome is started with
// its public key pinned as trusted, so it needs no --ignore-certificate-errors
// (which would hide real TLS errors in every other test).
var testCert tls.Certificate

func TestMain(m *testing.M) {
	os.Exit(runMain(m))
}

func runMain(m *testing.M) int {
	flag.Parse()
	if !flagGiven("test.parallel") {
		// The tests spend their time waiting on browsers and servers, not
		// on this process's CPU: run more of them at once than there are
		// cores (the default), so one's wait overlaps another's work.
		flag.Set("test.parallel", strconv.Itoa(e2eParallel))
	}
	required := os.Getenv("CI") != "" || os.Getenv("E2E") != ""
	assets, err := web.Load()
	if err == nil && !assets.HasWasm() {
		err = fmt.Errorf("web/dist/app.wasm was not built before this test binary: run `make test` or `make build` first")
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 1
	}
	if !engineSelected("chrome") {
		skipReason = "E2E_BROWSER=" + os.Getenv("E2E_BROWSER") + ": the Chrome suite does not run"
		return m.Run()
	}
	chrome := findChrome()
	if chrome == "" {
		if required {
			fmt.Fprintln(os.Stderr, "e2e: no Chrome or Chromium found, and CI/E2E is set: install it (apt-get install chromium)")
			return 1
		}
		skipReason = "no Chrome or Chromium on PATH (set E2E=1 to make this an error)"
		return m.Run()
	}
	testCert, err = site.SelfSigned()
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 1
	}
	spki := sha256.Sum256(testCert.Leaf.RawSubjectPublicKeyInfo)
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.Flag("ignore-certificate-errors-spki-list", base64.StdEncoding.EncodeToString(spki[:])),
		chromedp.ExecPath(chrome),
		chromedp.Flag("no-sandbox", true), // CI runs as root
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-component-update", true),
		// Keep Chrome off the network: only the test server exists.
		chromedp.Flag("host-resolver-rules", "MAP * ~NOTFOUND , EXCLUDE 127.0.0.1 , EXCLUDE localhost"),
		chromedp.WindowSize(1280, 900),
	)
	if os.Getenv("E2E_HEADED") != "" {
		opts = append(opts, chromedp.Flag("headless", false))
	}
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancelAlloc()
	ctx, cancel := chromedp.NewContext(alloc)
	defer cancel()
	if err := chromedp.Do(ctx); err != nil { // start the browser
		fmt.Fprintln(os.Stderr, "e2e: starting Chrome:", err)
		return 1
	}
	browser = ctx
	return m.Run()
}

// e2eParallel is how many tests run at once unless -parallel says: enough
// to keep two cores busy while most tests wait, few enough that no browser
// starves (measured on a 2-core machine).
const e2eParallel = 6

// flagGiven reports whether the command line set the flag.
func flagGiven(name string) bool {
	given := false
	flag.Visit(func(f *flag.Flag) { given = given || f.Name == name })
	return given
}

func findChrome() string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}
