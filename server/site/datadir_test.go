package site

import (
	"errors"
	"io"
	"log/slog"
	"strings"
	"testing"

	"socketlab/internal/testkit"
	"socketlab/server/natsstore"
)

// TestDataDirLocked: a second server on the same data directory fails at
// New with an error that says what to do, and the directory is free again
// once the first one has shut down.
func TestDataDirLocked(t *testing.T) {
	dir := t.TempDir()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	first, err := New(Config{DataDir: dir, Log: log})
	if err != nil {
		t.Fatal(err)
	}
	_, err = New(Config{DataDir: dir, Log: log})
	if !errors.Is(err, natsstore.ErrLocked) || !strings.Contains(err.Error(), "-data") {
		t.Fatalf("second server: %v", err)
	}

	if err := testkit.Serve(t, first).Stop(); err != nil {
		t.Fatalf("shutdown: %v", err)
	}
	again, err := New(Config{DataDir: dir, Log: log})
	if err != nil {
		t.Fatalf("after shutdown the directory is still locked: %v", err)
	}
	if err := again.Close(); err != nil {
		t.Fatal(err)
	}
}
