package plot

import (
	"context"
	"testing"
	"time"
)

func TestDemo(t *testing.T) {
	store := NewStore(100, 2)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- (&Demo{Store: store, Every: time.Millisecond}).Run(ctx) }()

	var c Cursor
	var got int
	deadline := time.After(5 * time.Second)
	for got < 5 {
		m, changed := store.Next(&c)
		for _, s := range m.Series {
			if s.Name != "demo" {
				t.Fatalf("series %q, want demo", s.Name)
			}
			for _, p := range s.Points {
				if p[1] < 10-3 || p[1] > 90+3 {
					t.Fatalf("demo point %v out of its 7..93 band", p)
				}
			}
			got += len(s.Points)
		}
		if changed != nil {
			select {
			case <-changed:
			case <-deadline:
				t.Fatalf("%d demo points after 5s", got)
			}
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}
