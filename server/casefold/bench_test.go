package casefold

import (
	"context"
	"log/slog"
	"testing"

	"github.com/coder/websocket"

	"socketlab/internal/testkit"
	"socketlab/server/conns"
)

// BenchmarkRoundTrip measures one casefold round trip over loopback, with
// the rate limit lifted as make bench does: the cost of the whole path
// (the connection layer's checks included) per message.
func BenchmarkRoundTrip(b *testing.B) {
	reg := conns.NewRegistry(slog.New(slog.DiscardHandler))
	// The socket's own context: the kit's is bounded, a benchmark's time is not.
	c, _ := testkit.Dial(b, testkit.ServeHTTP(b, &Handler{Conns: reg, Rate: 1e9}), nil)
	ctx := context.Background()
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
