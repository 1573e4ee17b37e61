package ui

import (
	"regexp"
	"testing"

	"socketlab/app/msg"
)

func TestNewTapID(t *testing.T) {
	re := regexp.MustCompile(`^[A-Za-z0-9_-]+$`)
	seen := map[string]bool{}
	for range 1000 {
		id := newTapID()
		if len(id) != msg.WireTapIDLen || !re.MatchString(id) {
			t.Fatalf("tap id %q: want %d characters of [A-Za-z0-9_-]", id, msg.WireTapIDLen)
		}
		if seen[id] {
			t.Fatalf("tap id %q twice in 1000", id)
		}
		seen[id] = true
	}
}
