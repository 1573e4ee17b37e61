package chat_test

import (
	"fmt"
	"time"

	"socketlab/app/chat"
	"socketlab/app/msg"
)

// A message typed while the connection is down waits in the outbox and is
// sent once the next socket has caught up.
func ExampleSession() {
	s := chat.NewSession(chat.NewMemStorage())
	s.SetIdentity("lobby", "ada")

	_, sendNow, _ := s.Say("typed while offline", time.Now())
	fmt.Println("sent at once:", sendNow, "| outbox:", s.Outgoing()[0].State)

	join, _ := s.Join() // on the next open socket
	fmt.Println("join:", join.Type, join.Room, join.Nick, "since", join.Since)
	s.Handle(msg.Chat{Type: msg.ChatWelcome, Room: "lobby", Nick: "ada"})
	res := s.Handle(msg.Chat{Type: msg.ChatSynced, Room: "lobby"})
	fmt.Println("after synced, send:", res.Send[0].Type, res.Send[0].Text)

	s.Handle(msg.Chat{Type: msg.ChatAck, Room: "lobby", ID: res.Send[0].ID, Seq: 7})
	fmt.Println("after ack:", s.Outgoing()[0].State)
	s.Handle(msg.Chat{Type: msg.ChatMsg, Room: "lobby", Seq: 7, ID: res.Send[0].ID, Nick: "ada", Text: "typed while offline"})
	fmt.Println("lines:", len(s.Lines()), "| outbox:", len(s.Outgoing()))
	// Output:
	// sent at once: false | outbox: pending
	// join: join lobby ada since 0
	// after synced, send: say typed while offline
	// after ack: delivered
	// lines: 1 | outbox: 0
}
