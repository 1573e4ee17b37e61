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
