package natsstore

import (
	"context"
	"maps"
	"slices"
	"testing"
	"time"
)

// TestPresenceRoundTrip writes keys of two replicas and reads them back
// through a watch: nicks and holds as written, a deleted key as empty.
func TestPresenceRoundTrip(t *testing.T) {
	s := open(t, Options{DataDir: t.TempDir()})
	ctx := context.Background()
	got := make(chan Presence, 16)
	w, err := s.WatchPresence(func(p Presence) { got <- p })
	if err != nil {
		t.Fatal(err)
	}
	defer w.Stop()
	next := func() Presence {
		t.Helper()
		select {
		case p := <-got:
			return p
		case <-time.After(10 * time.Second):
			t.Fatal("no presence update within 10s")
			return Presence{}
		}
	}

	holds := map[string]string{"ada": "3f1c00aa00bb00cc", "bob": "77aa00bb00cc00dd"}
	if err := s.PutPresence(ctx, "lobby", "r1", []string{"Ada"}, holds); err != nil {
		t.Fatal(err)
	}
	p := next()
	if p.Room != "lobby" || p.Replica != "r1" || !slices.Equal(p.Nicks, []string{"Ada"}) || !maps.Equal(p.Holds, holds) {
		t.Fatalf("read back %+v", p)
	}
	// Holds alone (bob dropped, his nick kept for him) keep the key.
	if err := s.PutPresence(ctx, "lobby", "r1", nil, map[string]string{"bob": holds["bob"]}); err != nil {
		t.Fatal(err)
	}
	if p := next(); len(p.Nicks) != 0 || p.Holds["bob"] != holds["bob"] || len(p.Holds) != 1 {
		t.Fatalf("holds only: read back %+v", p)
	}
	// Neither: the key goes.
	if err := s.PutPresence(ctx, "lobby", "r1", nil, nil); err != nil {
		t.Fatal(err)
	}
	if p := next(); len(p.Nicks) != 0 || len(p.Holds) != 0 {
		t.Fatalf("after delete: read back %+v", p)
	}
}

// The bucket is shared: what another process wrote is checked like any
// input, and the older form (a plain list of nicks) still reads.
func TestDecodePresence(t *testing.T) {
	for _, c := range []struct {
		name, in  string
		nicks     []string
		holds     map[string]string
		wantError bool
	}{
		{"current form", `{"nicks":["Ada","bob"],"holds":{"ada":"3f1c","bob":"77aa"}}`, []string{"Ada", "bob"}, map[string]string{"ada": "3f1c", "bob": "77aa"}, false},
		{"older list of nicks", `["Ada","bob"]`, []string{"Ada", "bob"}, nil, false},
		{"invalid nicks dropped", `{"nicks":["Ada","\u001b[2J",""]}`, []string{"Ada"}, nil, false},
		{"invalid holds dropped", `{"holds":{"Ada":"x","ada":"","ok":"77aa","a\nb":"1"}}`, nil, map[string]string{"ok": "77aa"}, false},
		{"not JSON", `ada,bob`, nil, nil, true},
		{"wrong shape", `{"nicks":"ada"}`, nil, nil, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			v, err := decodePresence([]byte(c.in))
			if (err != nil) != c.wantError {
				t.Fatalf("error %v, want error %v", err, c.wantError)
			}
			if c.wantError {
				return
			}
			if !slices.Equal(v.Nicks, c.nicks) || len(v.Holds) != len(c.holds) || (len(c.holds) > 0 && !maps.Equal(v.Holds, c.holds)) {
				t.Fatalf("decoded %+v, want nicks %q holds %v", v, c.nicks, c.holds)
			}
		})
	}
}

// TestPresenceClockStandsStillUnproven: the clock other replicas' silence
// is judged by runs while the watch proves itself and stands still while
// it does not, without ever going back.
func TestPresenceClockStandsStillUnproven(t *testing.T) {
	pw := &PresenceWatch{liveAt: time.Now().Add(-10 * time.Second)}
	c1 := pw.Clock()
	if lag := time.Since(c1); lag < 10*time.Second-watchGrace-time.Second {
		t.Fatalf("clock %v behind after 10s unproven, want about %v", lag, 10*time.Second-watchGrace)
	}
	time.Sleep(50 * time.Millisecond) // the wall clock moves on; the watch's must not
	if c2 := pw.Clock(); !c2.Equal(c1) {
		t.Fatalf("clock moved by %v while the watch was unproven", c2.Sub(c1))
	}
	pw.proven(time.Now())
	c3 := pw.Clock()
	if c3.Before(c1) {
		t.Fatalf("clock went back by %v", c1.Sub(c3))
	}
	time.Sleep(50 * time.Millisecond) // now it runs with the wall clock
	if d := pw.Clock().Sub(c3); d < 40*time.Millisecond {
		t.Fatalf("clock moved by %v in 50ms once proven", d)
	}
}
