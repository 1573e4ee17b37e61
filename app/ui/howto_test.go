package ui

import (
	"os"
	"path/filepath"
	"testing"
)

// TestHowFilesExist: every file a How it works panel tells a learner to
// read is in the repository.
func TestHowFilesExist(t *testing.T) {
	for _, h := range []howto{helloHow, casefoldHow, plotHow, chatHow, wireHow} {
		for _, f := range h.files {
			if _, err := os.Stat(filepath.Join("..", "..", f)); err != nil {
				t.Errorf("How it works lists %s: %v", f, err)
			}
		}
	}
}
