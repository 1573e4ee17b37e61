package ui

import "testing"

func TestEveryPageIsRoutedAndCached(t *testing.T) {
	seen := map[string]bool{}
	for _, p := range pages() {
		if seen[p.path] {
			t.Errorf("path %s listed twice", p.path)
		}
		seen[p.path] = true
		if p.new() == nil || p.title == "" {
			t.Errorf("page %s has no component or title", p.path)
		}
	}
	paths := Paths()
	if len(paths) != len(seen) {
		t.Fatalf("Paths() has %d entries for %d pages", len(paths), len(seen))
	}
	for _, p := range paths {
		if !seen[p] {
			t.Errorf("Paths() lists %s, which is not a page", p)
		}
	}
}
