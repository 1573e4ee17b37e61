package e2e

import "testing"

// TestStatusFollowsServer stops the server under an open page: the status
// must turn to reconnecting, and back to open, without a reload, when the
// server returns on the same port.
func TestStatusFollowsServer(t *testing.T) {
	t.Parallel()
	srv, u := openLab(t, "ada", "/casefold")
	srv.Stop()
	u.waitStatus("reconnecting")
	if note := u.text("#casefold-note"); note == "" {
		t.Error("no close note shown after the server went away")
	}
	srv.Start()
	u.waitStatus("open")
	// The page still works on the new socket.
	u.typeText("#casefold-input", "ÅNGSTRÖM\n")
	u.waitText("#casefold-replies .fold-out", "a reply", func(s string) bool { return s == "ångström" })
}
