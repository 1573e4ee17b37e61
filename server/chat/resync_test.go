package chat

import (
	"context"
	"fmt"
	"testing"
	"time"

	"socketlab/internal/testkit"
)

// TestBacklogReadFromTheStream is what the feed does after a stall with a
// backlog longer than a socket's queue (natsstore.Feed.Skip): every socket
// gets one resync item and reads its room's messages from the stream at
// its own pace. Here the feed is stopped, 300 messages are stored in two
// rooms, and the hub is told to skip them: each socket, with a queue of 16,
// gets exactly its room's messages, in order, once, and stays open.
func TestBacklogReadFromTheStream(t *testing.T) {
	s := startServer(t, Options{SendQueue: 16}, nil)
	// Stop the live feed, as a stalled consumer would.
	s.h.stopFeed()
	s.h.stopFeed = func() {}
	ada, bob := testkit.DialChat(t, s.url, "ada"), testkit.DialChat(t, s.url, "bob")
	ada.Join("lobby", "ada", 0)
	bob.Join("other", "bob", 0)
	ctx := context.Background()
	want := map[string][]uint64{}
	var last uint64
	for i := range 300 {
		room := "lobby"
		if i%3 == 0 {
			room = "other"
		}
		seq, _, err := s.store.Publish(ctx, room, fmt.Sprint("m", i), "carol", fmt.Sprint("message ", i))
		if err != nil {
			t.Fatal(err)
		}
		want[room] = append(want[room], seq)
		last = seq
	}
	s.h.hub.rooms.skip(last)
	for c, room := range map[*testkit.ChatClient]string{ada: "lobby", bob: "other"} {
		testkit.Eventually(t, 15*time.Second, c.Name+" to read the backlog", func() bool { return len(c.Msgs(room)) >= len(want[room]) })
		got := c.Msgs(room)
		if len(got) != len(want[room]) {
			t.Fatalf("%s: %d messages, want %d", c.Name, len(got), len(want[room]))
		}
		for i, m := range got {
			if m.Seq != want[room][i] {
				t.Fatalf("%s: message %d has seq %d, want %d", c.Name, i, m.Seq, want[room][i])
			}
		}
		c.Ping() // still open: not cut as too slow
	}
	// A second skip up to the same seq sends nothing again.
	s.h.hub.rooms.skip(last)
	ada.Ping()
	if n := len(ada.Msgs("lobby")); n != len(want["lobby"]) {
		t.Fatalf("ada: %d messages after a second skip, want %d", n, len(want["lobby"]))
	}
}
