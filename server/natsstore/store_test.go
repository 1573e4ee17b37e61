package natsstore

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"socketlab/internal/testkit"
)

func open(t *testing.T, opts Options) *Store {
	t.Helper()
	s, err := Open(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func publish(t *testing.T, s *Store, room, id, nick, text string) uint64 {
	t.Helper()
	seq, _, err := s.Publish(context.Background(), room, id, nick, text)
	if err != nil {
		t.Fatal(err)
	}
	return seq
}

func history(t *testing.T, s *Store, room string, since uint64, n int) []Message {
	t.Helper()
	ctx := context.Background()
	last, err := s.LastSeq(ctx, room)
	if err != nil {
		t.Fatal(err)
	}
	var got []Message
	if err := s.History(ctx, room, since, n, last, func(m Message) error { got = append(got, m); return nil }); err != nil {
		t.Fatal(err)
	}
	return got
}

func TestHistoryLastNAndSince(t *testing.T) {
	s := open(t, Options{})
	// Two rooms interleaved, so that a room's seqs have gaps.
	var lobby []uint64
	for i := range 150 {
		lobby = append(lobby, publish(t, s, "lobby", fmt.Sprint("l", i), "ada", fmt.Sprint("lobby ", i)))
		if i%3 == 0 {
			publish(t, s, "other", fmt.Sprint("o", i), "bob", fmt.Sprint("other ", i))
		}
	}
	got := history(t, s, "lobby", 0, 100)
	if len(got) != 100 {
		t.Fatalf("last 100: got %d messages", len(got))
	}
	for i, m := range got {
		if want := fmt.Sprint("lobby ", 50+i); m.Text != want || m.Seq != lobby[50+i] || m.Room != "lobby" || m.Nick != "ada" {
			t.Fatalf("last 100, #%d = %+v, want %q seq %d", i, m, want, lobby[50+i])
		}
		if m.Time.IsZero() || time.Since(m.Time) > time.Minute {
			t.Fatalf("message time %v", m.Time)
		}
	}
	got = history(t, s, "lobby", lobby[139], 100)
	if len(got) != 10 || got[0].Seq != lobby[140] || got[9].Seq != lobby[149] {
		t.Fatalf("since %d: got %d messages from %d", lobby[139], len(got), got[0].Seq)
	}
	if got := history(t, s, "lobby", lobby[149], 100); len(got) != 0 {
		t.Fatalf("since the last: got %d messages", len(got))
	}
	if got := history(t, s, "empty", 0, 100); len(got) != 0 {
		t.Fatalf("empty room: got %d", len(got))
	}
	if got := history(t, s, "other", 0, 100); len(got) != 50 {
		t.Fatalf("room with fewer than n: got %d, want all 50", len(got))
	}
}

func TestHistoryUpToExcludesLater(t *testing.T) {
	s := open(t, Options{})
	ctx := context.Background()
	for i := range 5 {
		publish(t, s, "lobby", fmt.Sprint(i), "ada", fmt.Sprint(i))
	}
	upTo, _ := s.LastSeq(ctx, "lobby")
	for i := range 5 {
		publish(t, s, "lobby", fmt.Sprint("late", i), "ada", "late")
	}
	var got []Message
	s.History(ctx, "lobby", 0, 3, upTo, func(m Message) error { got = append(got, m); return nil })
	if len(got) != 3 || got[2].Seq != upTo || got[0].Text != "2" {
		t.Fatalf("got %+v, want the 3 messages up to seq %d", got, upTo)
	}
}

func TestPublishDeduplicates(t *testing.T) {
	s := open(t, Options{})
	ctx := context.Background()
	seq1, dup1, err1 := s.Publish(ctx, "lobby", "same", "ada", "once")
	seq2, dup2, err2 := s.Publish(ctx, "lobby", "same", "ada", "once")
	if err1 != nil || err2 != nil || dup1 || !dup2 || seq1 != seq2 {
		t.Fatalf("resend: (%d %v %v) then (%d %v %v)", seq1, dup1, err1, seq2, dup2, err2)
	}
	// The same id from another nick is another message.
	if seq3, dup3, _ := s.Publish(ctx, "lobby", "same", "bob", "mine"); dup3 || seq3 == seq1 {
		t.Fatalf("another nick's id was taken for a duplicate")
	}
	if got := history(t, s, "lobby", 0, 100); len(got) != 2 {
		t.Fatalf("stored %d messages, want 2", len(got))
	}
}

func TestRetentionPerRoom(t *testing.T) {
	s := open(t, Options{PerRoom: 5})
	for i := range 12 {
		publish(t, s, "lobby", fmt.Sprint(i), "ada", fmt.Sprint(i))
	}
	publish(t, s, "other", "x", "ada", "kept")
	got := history(t, s, "lobby", 0, 100)
	if len(got) != 5 || got[0].Text != "7" {
		t.Fatalf("kept %d messages starting %q, want the last 5", len(got), got[0].Text)
	}
	if got := history(t, s, "other", 0, 100); len(got) != 1 {
		t.Fatal("another room lost its message to this room's limit")
	}
}

func TestFollowInOrder(t *testing.T) {
	s := open(t, Options{})
	var mu sync.Mutex
	var got []Message
	stop, err := s.Follow(func(m Message) {
		mu.Lock()
		got = append(got, m)
		mu.Unlock()
	})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for w := range 5 {
		wg.Go(func() {
			for i := range 20 {
				publish(t, s, fmt.Sprint("r", w), fmt.Sprint(i), "ada", "x")
			}
		})
	}
	wg.Wait()
	testkit.Eventually(t, 10*time.Second, "100 messages", func() bool { mu.Lock(); defer mu.Unlock(); return len(got) == 100 })
	stop()
	for i := 1; i < len(got); i++ {
		if got[i].Seq <= got[i-1].Seq {
			t.Fatalf("follow out of order: %d after %d", got[i].Seq, got[i-1].Seq)
		}
	}
}

func TestHistorySurvivesReopen(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(context.Background(), Options{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	seq := publish(t, s, "lobby", "a", "ada", "before the restart")
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = open(t, Options{DataDir: dir})
	got := history(t, s, "lobby", 0, 100)
	if len(got) != 1 || got[0].Seq != seq || got[0].Text != "before the restart" {
		t.Fatalf("after reopen: %+v", got)
	}
	// The dedup window survives too: a resend after the restart is not
	// stored twice.
	if seq2, dup, _ := s.Publish(context.Background(), "lobby", "a", "ada", "before the restart"); !dup || seq2 != seq {
		t.Fatalf("resend after reopen: seq %d dup %v", seq2, dup)
	}
}

func TestDataDirLockedInProcess(t *testing.T) {
	dir := t.TempDir()
	open(t, Options{DataDir: dir})
	_, err := Open(context.Background(), Options{DataDir: dir})
	if !errors.Is(err, ErrLocked) {
		t.Fatalf("second Open on %s: %v, want ErrLocked", dir, err)
	}
	if !strings.Contains(err.Error(), dir) || !strings.Contains(err.Error(), fmt.Sprint(os.Getpid())) {
		t.Errorf("error %q should name the directory and the owner's pid", err)
	}
}

// TestDataDirLockedAcrossProcesses runs this test binary again as a second
// process on a locked directory: it must fail at once with the lock error.
func TestDataDirLockedAcrossProcesses(t *testing.T) {
	if dir := os.Getenv("NATSSTORE_LOCK_CHILD"); dir != "" {
		_, err := Open(context.Background(), Options{DataDir: dir})
		fmt.Println("child:", err)
		if errors.Is(err, ErrLocked) {
			os.Exit(3)
		}
		os.Exit(0)
	}
	dir := t.TempDir()
	open(t, Options{DataDir: dir})
	cmd := exec.Command(os.Args[0], "-test.run=^TestDataDirLockedAcrossProcesses$")
	cmd.Env = append(os.Environ(), "NATSSTORE_LOCK_CHILD="+dir)
	out, err := cmd.CombinedOutput()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 3 {
		t.Fatalf("second process: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "locked by another socketlab") {
		t.Errorf("second process said %q", out)
	}
}
