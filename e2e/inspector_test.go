package e2e

import (
	"strings"
	"testing"
)

// frameRow is one line of the wire inspector as a person reads it.
type frameRow struct{ dir, data string }

func (u *user) inspectorRows() []frameRow {
	u.t.Helper()
	dirs := u.texts("#inspector .frame .frame-dir")
	data := u.texts("#inspector .frame .frame-data")
	rows := make([]frameRow, len(dirs))
	for i := range dirs {
		rows[i] = frameRow{dirs[i], data[i]}
	}
	return rows
}

func (u *user) openInspector() {
	u.t.Helper()
	u.click("#inspector > summary")
	// Rows render once the panel is open; there is always the open event.
	u.waitJS("the inspector to open", `document.querySelector("#inspector").open && document.querySelectorAll("#inspector .frame").length > 0`)
}

// TestInspectorCasefold: the inspector shows the exact frames of a casefold
// round trip, with their direction.
func TestInspectorCasefold(t *testing.T) {
	t.Parallel()
	_, u := openLab(t, "ada", "/casefold")
	u.openInspector()
	u.typeText("#casefold-input", "Straße\n")
	u.waitJS("the received frame", `Array.from(document.querySelectorAll("#inspector .frame-received .frame-data")).some(e => e.innerText === "strasse")`)
	rows := u.inspectorRows()
	var seq []string
	for _, r := range rows {
		seq = append(seq, r.dir+" "+r.data)
	}
	got := strings.Join(seq, "\n")
	if !strings.HasPrefix(rows[0].data, "open ws://") {
		t.Errorf("first inspector row %q, want the open event", rows[0].data)
	}
	if !strings.Contains(got, "↑ Straße\n↓ strasse") {
		t.Fatalf("inspector shows:\n%s\nwant ↑ Straße then ↓ strasse", got)
	}

	// Pause holds the view still; Clear empties it.
	u.click("#inspector-pause")
	u.waitText("#inspector-pause", "the pause to take", func(s string) bool { return s == "Resume" })
	u.typeText("#casefold-input", "ΣΑΣ\n")
	u.waitText("#casefold-replies li:last-child .fold-out", "the reply", func(s string) bool { return s == "σασ" })
	if n := len(u.inspectorRows()); n != len(rows) {
		t.Fatalf("paused inspector grew from %d to %d rows", len(rows), n)
	}
	u.waitText("#inspector .inspector-tools", "the missed count", func(s string) bool { return strings.Contains(s, "2 frames not shown while paused") })
	u.click("#inspector-clear")
	u.waitJS("an empty inspector", `document.querySelectorAll("#inspector .frame").length === 0`)
}

// TestInspectorHelloClose: the hello lab's inspector ends with the 1000 close.
func TestInspectorHelloClose(t *testing.T) {
	t.Parallel()
	u := openHelloEnded(t)
	u.openInspector()
	rows := u.inspectorRows()
	var got []string
	for _, r := range rows {
		got = append(got, r.dir+" "+r.data)
	}
	want := []string{"↓ Hello", "↓ World", "• close 1000 that is all"}
	if len(got) < 4 || strings.Join(got[1:], "|") != strings.Join(want, "|") {
		t.Fatalf("inspector rows %q, want open then %q", got, want)
	}
}
