package e2e

import "testing"

// TestHello: the page shows Hello, then World about a second later, then the
// close with code 1000 (scenarioHello, shared with Firefox and WebKit).
func TestHello(t *testing.T) {
	t.Parallel()
	scenarioHello(chromeStage(t))
}
