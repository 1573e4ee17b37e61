package e2e

import "testing"

// TestCasefold types texts and reads the folded replies as Python's
// str.casefold would give them, then a 70 000-byte text (scenarioCasefold,
// shared with Firefox and WebKit).
func TestCasefold(t *testing.T) {
	t.Parallel()
	scenarioCasefold(chromeStage(t))
}
