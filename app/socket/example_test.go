package socket_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/coder/websocket"

	"socketlab/app/msg"
	"socketlab/app/socket"
)

// A Conn that sends a greeting each time it connects and prints what comes
// back. The same code runs in the browser (compiled to wasm) and natively.
func Example() {
	// A tiny echo server to talk to.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := websocket.Accept(w, r, nil)
		if err != nil {
			return
		}
		_, b, _ := c.Read(r.Context())
		c.Write(r.Context(), websocket.MessageText, []byte(strings.ToUpper(string(b))))
		c.Close(websocket.StatusNormalClosure, "bye") // 1000: the client stops
	}))
	defer srv.Close()

	conn := socket.New("ws"+strings.TrimPrefix(srv.URL, "http"), socket.Options{
		OnOpen:    func(c *socket.Conn) { c.Send([]byte("hello")) },
		OnMessage: func(_ bool, data []byte) { fmt.Println("received:", string(data)) },
		OnStatus:  func(s socket.Status) { fmt.Println("status:", s) },
		OnClose:   func(code msg.CloseCode, reason string) { fmt.Println("closed:", code, reason) },
	})
	conn.Run(context.Background()) // returns after the server's 1000 close
	// Output:
	// status: connecting
	// status: open
	// received: HELLO
	// closed: 1000 normal closure bye
	// status: closed
}

// The inspector keeps what crossed the wire for a person to read.
func ExampleInspector() {
	in := socket.NewInspector(100)
	in.Record(socket.Frame{Dir: socket.Sent, Data: `{"type":"say","text":"hi"}`, Size: 26})
	for _, e := range in.Entries() {
		fmt.Printf("%d %s %d B\n%s\n", e.N, e.Dir, e.Size, e.Pretty)
	}
	// Output:
	// 1 sent 26 B
	// {
	//   "type": "say",
	//   "text": "hi"
	// }
}

// Send queues while there is no socket: what was sent before Run goes out
// once one opens, after the join OnOpen sends, in order.
func ExampleConn_Send() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := websocket.Accept(w, r, nil)
		if err != nil {
			return
		}
		for range 3 {
			_, b, err := c.Read(r.Context())
			if err != nil {
				return
			}
			fmt.Println("server got:", string(b))
		}
		c.Close(websocket.StatusNormalClosure, "")
	}))
	defer srv.Close()

	conn := socket.New("ws"+strings.TrimPrefix(srv.URL, "http"), socket.Options{
		OnOpen: func(c *socket.Conn) { c.Send([]byte("join")) },
	})
	conn.Send([]byte("first"))
	conn.Send([]byte("second"))
	conn.Run(context.Background())
	// Output:
	// server got: join
	// server got: first
	// server got: second
}
