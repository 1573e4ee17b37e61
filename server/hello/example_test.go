package hello_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"log/slog"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/coder/websocket"

	"socketlab/server/conns"
	"socketlab/server/hello"
)

// The smallest complete socket: the server pushes two messages and closes
// with 1000. Here the handler runs alone on a loopback test server, and a
// Go client dials it and prints what arrives.
func ExampleHandler() {
	// Every socket is accepted through a registry (origin check, cap,
	// logging, shutdown); this one logs nothing.
	reg := conns.NewRegistry(slog.New(slog.DiscardHandler))
	srv := httptest.NewServer(&hello.Handler{Conns: reg, Delay: 10 * time.Millisecond})
	defer srv.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(srv.URL, "http"), nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.CloseNow()

	for {
		_, data, err := c.Read(ctx)
		var ce websocket.CloseError
		if errors.As(err, &ce) {
			// The server's close frame: a code and a reason.
			fmt.Printf("closed: %d %q\n", ce.Code, ce.Reason)
			return
		}
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(string(data))
	}
	// Output:
	// Hello
	// World
	// closed: 1000 "that is all"
}
