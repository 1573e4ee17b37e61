package conns_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/coder/websocket"

	"socketlab/server/conns"
)

// A handler accepts its socket through the registry, which checks the
// origin and the connection cap, logs the open and the close, and closes
// every live socket with 1001 when the server shuts down. This one echoes
// each message until the socket ends.
func ExampleRegistry_Accept() {
	reg := conns.NewRegistry(slog.New(slog.DiscardHandler))
	echo := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := reg.Accept(w, r, "/ws/echo", conns.Options{ReadLimit: 1 << 10})
		if err != nil {
			return // Accept has answered the request already (403, 503…)
		}
		for {
			typ, data, err := c.Read(r.Context())
			if err == nil {
				err = c.Write(r.Context(), typ, data)
			}
			if err != nil {
				c.Finish(err) // logs the close, with its code and duration
				return
			}
		}
	})
	srv := httptest.NewServer(echo)
	defer srv.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(srv.URL, "http"), nil)
	if err != nil {
		fmt.Println("dial:", err)
		return
	}
	defer c.CloseNow()
	c.Write(ctx, websocket.MessageText, []byte("hi"))
	_, data, _ := c.Read(ctx)
	fmt.Println("echo:", string(data))
	fmt.Println("live sockets:", reg.Len())

	// Shutdown tells every live socket 1001 Going Away and waits for its
	// handler; the client reads the close.
	go reg.Shutdown(ctx)
	_, _, err = c.Read(ctx)
	var ce websocket.CloseError
	if errors.As(err, &ce) {
		fmt.Printf("closed: %d %q\n", ce.Code, ce.Reason)
	}
	// Output:
	// echo: hi
	// live sockets: 1
	// closed: 1001 "server is shutting down"
}
