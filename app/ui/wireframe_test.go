package ui

import (
	"regexp"
	"strings"
	"testing"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"socketlab/app/msg"
)

// TestWireFrameRow renders the RFC 6455 §5.7 masked "Hello" as the page
// does and reads each field back by the class the e2e tests use.
func TestWireFrameRow(t *testing.T) {
	html := app.HTMLString(wireFrameRow(msg.WireFrame{N: 7, Dir: msg.WireIn, FIN: true, Opcode: 1, OpName: "text",
		Masked: true, Len7: 5, ExtLen: "none", Header: "81 85 37 fa 21 3d", Length: 5, MaskKey: "37 fa 21 3d",
		Raw: "7f 9f 4d 51 58", Unmasked: "48 65 6c 6c 6f", Text: "Hello"}))
	if !strings.Contains(html, `data-n="7"`) || !strings.Contains(html, "wf-in") {
		t.Fatalf("row has no data-n or direction class:\n%s", html)
	}
	for class, want := range map[string]string{
		"wf-fin": "1", "wf-rsv1": "0", "wf-opcode": "1 (text)", "wf-mask": "1", "wf-len7": "5",
		"wf-extlen": "none", "wf-length": "5", "wf-maskkey": "37 fa 21 3d", "wf-raw": "7f 9f 4d 51 58",
		"wf-unmasked": "48 65 6c 6c 6f", "wf-text": "Hello", "wf-header": "81 85 37 fa 21 3d",
	} {
		if got := field(html, class); got != want {
			t.Errorf("%s = %q, want %q", class, got, want)
		}
	}
	for _, absent := range []string{"wf-close", "wf-inflated"} {
		if strings.Contains(html, absent) {
			t.Errorf("a text frame shows %s", absent)
		}
	}

	// A server close frame: unmasked, no key, the code and reason.
	html = app.HTMLString(wireFrameRow(msg.WireFrame{N: 8, Dir: msg.WireOut, FIN: true, Opcode: 8, OpName: "close",
		Len7: 5, ExtLen: "none", Length: 5, CloseCode: 4000, CloseReason: "bye", Raw: "0f a0 62 79 65"}))
	if got := field(html, "wf-close"); got != "4000 bye" {
		t.Errorf("close field %q", got)
	}
	if strings.Contains(html, "wf-maskkey") || strings.Contains(html, "wf-unmasked") {
		t.Error("an unmasked frame shows a masking key or an unmasked copy")
	}
}

// field returns the text of the dd with the class.
func field(html, class string) string {
	m := regexp.MustCompile(`<dd class="` + class + `">([^<]*)</dd>`).FindStringSubmatch(html)
	if m == nil {
		return ""
	}
	return m[1]
}
