package casefold

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/coder/websocket"

	"socketlab/server/conns"
)

// BenchmarkRoundTrip measures one casefold round trip over loopback, with
// the rate limit lifted as make bench does: the cost of the whole path
// (the connection layer's checks included) per message.
func BenchmarkRoundTrip(b *testing.B) {
	reg := conns.NewRegistry(slog.New(slog.NewTextHandler(io.Discard, nil)))
	srv := httptest.NewServer(&Handler{Conns: reg, Rate: 1e9})
	defer srv.Close()
	ctx := context.Background()
	c, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(srv.URL, "http"), nil)
	if err != nil {
		b.Fatal(err)
	}
	defer c.CloseNow()
	text := []byte("Grüße, ΣΑΣ and ﬁ: a mixed text")
	b.ReportAllocs()
	for b.Loop() {
		if err := c.Write(ctx, websocket.MessageText, text); err != nil {
			b.Fatal(err)
		}
		if _, _, err := c.Read(ctx); err != nil {
			b.Fatal(err)
		}
	}
}
