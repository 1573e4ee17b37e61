package e2e

import (
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// engineSelected reports whether E2E_BROWSER (chrome, firefox, webkit, or
// a comma-separated list; empty means all) asks for the engine.
func engineSelected(engine string) bool {
	sel := os.Getenv("E2E_BROWSER")
	if sel == "" {
		return true
	}
	for _, e := range strings.Split(sel, ",") {
		if strings.EqualFold(strings.TrimSpace(e), engine) {
			return true
		}
	}
	return false
}

// chromeStage runs a shared scenario in the Chrome suite's browser.
func chromeStage(t *testing.T) *stage {
	return &stage{t: t, engine: "chrome", people: func(t *testing.T, name string) *person {
		return newUser(t, name).person()
	}}
}

// TestFirstVisits: ten fresh visitors in Chrome are not told of an update.
func TestFirstVisits(t *testing.T) {
	t.Parallel()
	scenarioFirstVisits(chromeStage(t))
}

// TestLayouts: every page holds at 320, 375, 768 and 1280 px in Chrome.
func TestLayouts(t *testing.T) {
	t.Parallel()
	scenarioLayouts(chromeStage(t))
}

// TestBrowsers is the cross-browser leg: the shared scenarios in Firefox
// (WebDriver BiDi) and WebKit (W3C WebDriver, MiniBrowser under Xvfb).
// Without an engine's programs it skips, unless CI or E2E is set: then it
// fails, so a CI log shows the leg passing, not skipped.
func TestBrowsers(t *testing.T) {
	t.Parallel()
	required := os.Getenv("CI") != "" || os.Getenv("E2E") != ""
	for _, engine := range []string{"firefox", "webkit"} {
		t.Run(engine, func(t *testing.T) {
			// Each engine's leg runs beside the other's and the Chrome
			// tests: its scenarios mostly wait on a browser of its own.
			t.Parallel()
			if !engineSelected(engine) {
				t.Skipf("E2E_BROWSER=%s", os.Getenv("E2E_BROWSER"))
			}
			people, version, missing := launchEngine(t, engine)
			if people == nil {
				if required {
					t.Fatalf("%s, and CI/E2E is set: install it (see .ci/run)", missing)
				}
				t.Skipf("%s (set E2E=1 to make this an error)", missing)
			}
			start := time.Now()
			// The scenarios run in parallel, as the Chrome tests do: each
			// has its own server and its own people. The group returns
			// when all have, so the log below times the whole leg.
			t.Run("scenarios", func(t *testing.T) {
				for _, sc := range sharedScenarios() {
					t.Run(sc.name, func(t *testing.T) {
						t.Parallel()
						sc.run(&stage{t: t, engine: engine, people: people})
					})
				}
			})
			t.Logf("%s (%s): the leg took %s", engine, version(), time.Since(start).Round(100*time.Millisecond))
		})
	}
}

// peopleIn brings in each person the leg asks for with a driver of their
// own (what: a tab, a browser), failing the person's test if none comes.
func peopleIn(engine, what string, newDriver func() (driver, error)) func(t *testing.T, name string) *person {
	return func(t *testing.T, name string) *person {
		t.Helper()
		d, err := newDriver()
		if err != nil {
			t.Fatalf("%s: %s: %v", name, what, err)
		}
		return newPerson(t, engine, name, d, true)
	}
}

// launchEngine starts what the engine needs for the whole leg and returns
// how to bring in a person and the engine's version; or nil and what is
// missing.
func launchEngine(t *testing.T, engine string) (func(t *testing.T, name string) *person, func() string, string) {
	t.Helper()
	switch engine {
	case "firefox":
		bin := ""
		for _, name := range []string{"firefox-esr", "firefox"} {
			if p, err := exec.LookPath(name); err == nil {
				bin = p
				break
			}
		}
		if bin == "" {
			return nil, nil, "no firefox-esr or firefox on PATH"
		}
		ff := startFirefox(t, bin)
		return peopleIn("firefox", "a Firefox tab", ff.newDriver), func() string { return ff.version }, ""
	case "webkit":
		driverBin, err := exec.LookPath("WebKitWebDriver")
		if err != nil {
			return nil, nil, "no WebKitWebDriver on PATH (Debian: webkit2gtk-driver)"
		}
		browserBin := findMiniBrowser()
		if browserBin == "" {
			return nil, nil, "no MiniBrowser in " + strings.Join(miniBrowserPaths, " or ")
		}
		if _, err := exec.LookPath("Xvfb"); err != nil {
			return nil, nil, "no Xvfb on PATH (Debian: xvfb)"
		}
		wk := startWebKit(t, driverBin, browserBin)
		return peopleIn("webkit", "a MiniBrowser", wk.newDriver), wk.browserVersion, ""
	}
	t.Fatalf("unknown engine %q", engine)
	return nil, nil, ""
}
