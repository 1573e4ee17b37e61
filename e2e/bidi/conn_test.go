package bidi

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"socketlab/internal/testkit"
)

// remote is a BiDi remote end in miniature: it answers "echo" with its
// params, "fail" with an error, and sends an event before each answer.
func remote(t *testing.T) string {
	return testkit.ServeHTTP(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ws, err := websocket.Accept(w, r, nil)
		if err != nil {
			return
		}
		defer ws.CloseNow()
		for {
			_, data, err := ws.Read(r.Context())
			if err != nil {
				return
			}
			var cmd struct {
				ID     int64           `json:"id"`
				Method string          `json:"method"`
				Params json.RawMessage `json:"params"`
			}
			json.Unmarshal(data, &cmd)
			ws.Write(r.Context(), websocket.MessageText, []byte(`{"type":"event","method":"log.entryAdded","params":{"text":"hi"}}`))
			switch cmd.Method {
			case "echo":
				b, _ := json.Marshal(map[string]any{"type": "success", "id": cmd.ID, "result": cmd.Params})
				ws.Write(r.Context(), websocket.MessageText, b)
			case "fail":
				b, _ := json.Marshal(map[string]any{"type": "error", "id": cmd.ID, "error": "invalid argument", "message": "no"})
				ws.Write(r.Context(), websocket.MessageText, b)
			case "hangup":
				ws.Close(websocket.StatusGoingAway, "bye")
				return
			}
		}
	}))
}

func TestCall(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := Dial(ctx, remote(t))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	events := make(chan string, 10)
	c.On("log.entryAdded", func(p json.RawMessage) { events <- string(p) })

	var out struct{ X int }
	if err := c.Call(ctx, "echo", map[string]int{"x": 42}, &out); err != nil || out.X != 42 {
		t.Fatalf("echo: %v, %+v", err, out)
	}
	if got := <-events; !strings.Contains(got, "hi") {
		t.Errorf("event params %s", got)
	}
	err = c.Call(ctx, "fail", nil, nil)
	var be *Error
	if !errors.As(err, &be) || be.Code != "invalid argument" || be.Method != "fail" {
		t.Fatalf("fail: %v", err)
	}
	// A connection that ends fails the call waiting on it and every later
	// one, instead of hanging.
	if err := c.Call(ctx, "hangup", nil, nil); err == nil {
		t.Fatal("a call on a connection that closed succeeded")
	}
	if err := c.Call(ctx, "echo", nil, nil); err == nil || ctx.Err() != nil {
		t.Fatalf("call after the close: %v (ctx %v)", err, ctx.Err())
	}
}
