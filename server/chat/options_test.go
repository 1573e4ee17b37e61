package chat

import (
	"strings"
	"testing"
	"time"

	"socketlab/app/msg"
)

// The zero Options mean Defaults; a text length can be lowered, never
// raised past the protocol's, and no limit is negative.
func TestOptionsDefaultsAndChecks(t *testing.T) {
	var o Options
	o.setDefaults()
	if d := Defaults(); o.Rate != d.Rate || o.Burst != d.Burst || o.SendQueue != d.SendQueue || o.MaxUnsent != d.MaxUnsent ||
		o.WriteTimeout != d.WriteTimeout || o.IdleTimeout != d.IdleTimeout || o.NickHold != d.NickHold ||
		o.History != d.History || o.MaxText != d.MaxText || d.MaxText != msg.ChatMaxText {
		t.Fatalf("zero options filled to %+v, want %+v", o, Defaults())
	}
	if err := o.check(); err != nil {
		t.Fatalf("the defaults fail their own check: %v", err)
	}
	for _, bad := range []Options{{MaxText: msg.ChatMaxText + 1}, {Rate: -1}, {SendQueue: -1}, {WriteDelay: 2 * time.Second}} {
		bad.setDefaults()
		if err := bad.check(); err == nil {
			t.Errorf("%+v passed the check", bad)
		}
	}
	low := Options{MaxText: 100}
	low.setDefaults()
	if err := low.check(); err != nil || low.MaxText != 100 {
		t.Fatalf("a lower text length: %v, %d", err, low.MaxText)
	}
	if err := (&Options{MaxText: msg.ChatMaxText + 1}).check(); err == nil || !strings.Contains(err.Error(), "lowered") {
		t.Fatalf("a higher text length: %v, want an error saying it can only be lowered", err)
	}
}
