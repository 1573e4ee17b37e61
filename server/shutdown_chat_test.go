package main

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/coder/websocket"

	"socketlab/app/msg"
)

// chatDial joins lobby as nick on the server at addr.
func chatDial(t *testing.T, ctx context.Context, addr, nick string) *websocket.Conn {
	t.Helper()
	c, _, err := websocket.Dial(ctx, "ws://"+addr+msg.ChatPath, nil)
	if err != nil {
		t.Fatal(err)
	}
	c.SetReadLimit(msg.ChatReadLimit)
	join, _ := json.Marshal(msg.Chat{Type: msg.ChatJoin, Room: "lobby", Nick: nick, Token: "tok-" + nick + "-0123456789abcdef"})
	if err := c.Write(ctx, websocket.MessageText, join); err != nil {
		t.Fatal(err)
	}
	return c
}

// TestSIGTERMLosesNoAckedChatMessage: messages are in flight when the real
// process gets SIGTERM. Every message the server acked must be in the
// history after a restart on the same data directory.
func TestSIGTERMLosesNoAckedChatMessage(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	cmd, addr, exited := startBinary(t, "-data", data)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	c := chatDial(t, ctx, addr, "ada")
	defer c.CloseNow()
	acked := map[string]uint64{}
	read := func() (msg.Chat, error) {
		_, b, err := c.Read(ctx)
		var env msg.Chat
		if err == nil {
			json.Unmarshal(b, &env)
			if env.Type == msg.ChatAck {
				acked[env.ID] = env.Seq
			}
		}
		return env, err
	}
	say := func(i int) {
		b, _ := json.Marshal(msg.Chat{Type: msg.ChatSay, Room: "lobby", ID: fmt.Sprintf("m%02d", i), Text: fmt.Sprint("message ", i)})
		if err := c.Write(ctx, websocket.MessageText, b); err != nil {
			t.Fatal(err)
		}
	}
	for env, err := read(); env.Type != msg.ChatSynced; env, err = read() {
		if err != nil {
			t.Fatal(err)
		}
	}
	// Ten messages acked in the normal way, then ten more written at once
	// (the burst the rate limit allows) with the signal in their midst.
	for i := range 10 {
		say(i)
	}
	for len(acked) < 10 {
		if _, err := read(); err != nil {
			t.Fatal(err)
		}
	}
	for i := 10; i < 20; i++ {
		say(i)
		if i == 14 {
			cmd.Process.Signal(syscall.SIGTERM)
		}
	}
	for {
		if _, err := read(); err != nil {
			if code := websocket.CloseStatus(err); code != websocket.StatusGoingAway {
				t.Fatalf("socket ended with %v, want 1001", err)
			}
			break
		}
	}
	if err := <-exited; err != nil {
		t.Fatalf("exit: %v", err)
	}
	t.Logf("%d of the 10 messages written around the signal were acked", len(acked)-10)

	_, addr, _ = startBinary(t, "-data", data)
	c2 := chatDial(t, ctx, addr, "bob")
	defer c2.CloseNow()
	stored := map[string]uint64{}
	for {
		_, b, err := c2.Read(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var env msg.Chat
		json.Unmarshal(b, &env)
		if env.Type == msg.ChatMsg {
			stored[env.ID] = env.Seq
		}
		if env.Type == msg.ChatSynced {
			break
		}
	}
	for id, seq := range acked {
		if stored[id] != seq {
			t.Errorf("acked %s (seq %d) is not in the history after restart (history has seq %d)", id, seq, stored[id])
		}
	}
}
