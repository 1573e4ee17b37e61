package wire

import (
	"strings"
	"testing"

	"socketlab/app/msg"
)

func TestCheckID(t *testing.T) {
	good := []string{newID(), strings.Repeat("a", msg.WireTapIDLen), "Az09_-Az09_-Az09_-Az09"}
	bad := []string{"", "a", strings.Repeat("a", msg.WireTapIDLen+1), strings.Repeat("a", msg.WireTapIDLen-1) + "/",
		strings.Repeat("a", msg.WireTapIDLen-1) + "=", strings.Repeat("é", msg.WireTapIDLen/2)}
	for _, id := range good {
		if err := checkID(id); err != nil {
			t.Errorf("%q refused: %v", id, err)
		}
	}
	for _, id := range bad {
		if checkID(id) == nil {
			t.Errorf("%q accepted", id)
		}
	}
	if len(errBadID.Error()) > 123 {
		t.Fatal("the reason does not fit a close frame")
	}
}

func TestHubObserverPlace(t *testing.T) {
	h := NewHub()
	id := newID()
	s, err := h.watch(id)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.watch(id); err != errInUse {
		t.Fatalf("second observer: %v", err)
	}
	h.unwatch(s) // no subject: forgotten
	if h.Len() != 0 {
		t.Fatal("session kept")
	}
	if _, err := h.watch(id); err != nil {
		t.Fatalf("after leaving: %v", err)
	}
}
