package msg_test

import (
	"fmt"

	"socketlab/app/msg"
)

// Close codes print with their RFC 6455 names, as the labs show them.
func ExampleCloseCode() {
	fmt.Println(msg.CloseNormal)
	fmt.Println(msg.CloseInvalidPayload)
	fmt.Println(msg.CloseCode(4008))
	// Output:
	// 1000 normal closure
	// 1007 invalid payload data
	// 4008 too slow
}

// A client keeps the room's presence by applying each presence envelope in
// order: the full list after synced, then the changes.
func ExampleApplyPresence() {
	var who []string
	for _, p := range []msg.Chat{
		{Type: msg.ChatPresence, Room: "lobby", Nicks: []string{"ada", "bob"}},
		{Type: msg.ChatPresence, Room: "lobby", Joined: []string{"cy"}},
		{Type: msg.ChatPresence, Room: "lobby", Left: []string{"bob"}},
	} {
		who, _ = msg.ApplyPresence(who, p)
		fmt.Println(who)
	}
	// Output:
	// [ada bob]
	// [ada bob cy]
	// [ada cy]
}
