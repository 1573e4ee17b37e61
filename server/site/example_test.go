package site_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/coder/websocket"

	"socketlab/app/msg"
	"socketlab/server/site"
)

// A whole socketlab served on a loopback port, then shut down as SIGTERM
// does in server/main.go: cancelling Serve's context closes every socket
// with 1001 and returns once all is stopped.
func ExampleServer_Serve() {
	// The zero Config serves every lab; an empty DataDir keeps the chat in
	// a temporary directory.
	srv, err := site.New(site.Config{Log: slog.New(slog.DiscardHandler)})
	if err != nil {
		log.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	ctx, shutdown := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ctx, ln) }()
	base := "http://" + ln.Addr().String()

	resp, err := http.Get(base + "/healthz")
	if err != nil {
		log.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	fmt.Printf("GET /healthz: %s %q\n", resp.Status, body)

	// A socket is open when the shutdown comes.
	cctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, _, err := websocket.Dial(cctx, "ws://"+ln.Addr().String()+msg.CasefoldPath, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.CloseNow()

	shutdown()
	_, _, err = c.Read(cctx)
	var ce websocket.CloseError
	if errors.As(err, &ce) {
		fmt.Printf("socket closed: %d %q\n", ce.Code, ce.Reason)
	}
	fmt.Println("Serve returned:", <-served)
	// Output:
	// GET /healthz: 200 OK "ok\n"
	// socket closed: 1001 "server is shutting down"
	// Serve returned: <nil>
}
