package ui

import (
	"fmt"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"socketlab/app/msg"
)

// thenAndNow sets the hixie-76 handshake of the classic demos, computed by
// the server for this very visit, beside the RFC 6455 one, and says why the
// old protocol was replaced.
func thenAndNow(h *msg.WireHandshakeInfo) app.UI {
	if h == nil {
		return app.Text("")
	}
	x := h.Hixie76
	return app.Section().ID("wire-hixie").Class("wire-section").Body(
		app.H2().Text("Then and now"),
		app.P().Text("The classic demos spoke draft hixie-76 (2010). Here is its handshake for this same visit, beside the one your browser just did."),
		app.Div().Class("wire-then-now").Body(
			app.Div().Class("wire-then").Body(
				app.H3().Text("hixie-76: MD5 of two keys and 8 bytes"),
				app.Ol().Class("wire-steps").Body(
					wireStep("Sec-WebSocket-Key1, digits and spaces mixed with noise:", "hx-key1", x.Key1),
					wireStep(fmt.Sprintf("its digits, divided by its %d spaces:", x.Spaces1), "hx-part1",
						fmt.Sprintf("%d / %d = %d", x.Digits1, x.Spaces1, x.Part1)),
					wireStep("Sec-WebSocket-Key2:", "hx-key2", x.Key2),
					wireStep(fmt.Sprintf("its digits, divided by its %d spaces:", x.Spaces2), "hx-part2",
						fmt.Sprintf("%d / %d = %d", x.Digits2, x.Spaces2, x.Part2)),
					wireStep("the 8 bytes sent after the headers (key3):", "hx-key3", x.Key3),
					wireStep("both quotients as 32-bit big-endian numbers, then key3:", "hx-challenge", x.Challenge),
					wireStep("the server answers with the MD5 of those 16 bytes:", "hx-response", x.Response),
				),
			),
			app.Div().Class("wire-now").Body(
				app.H3().Text("RFC 6455: SHA-1 of the key and a GUID"),
				app.Ol().Class("wire-steps").Body(
					wireStep("Sec-WebSocket-Key:", "now-key", h.Key),
					wireStep("plus the GUID:", "now-guid", h.GUID),
					wireStep("SHA-1, then base64:", "now-accept", h.Accept),
				),
				app.P().Text("Both prove only that the server read the request; neither is security. What changed is what follows the handshake."),
			),
		),
		app.H3().Text("Why it was replaced"),
		app.Ul().Body(
			app.Li().Text("No masking. A script could choose every byte its socket put on the wire, so it could write what a "+
				"transparent proxy took for an HTTP request and poison that proxy's cache. RFC 6455 masks every browser frame with a fresh random key."),
			app.Li().Text("Frames were text between a 0x00 and a 0xFF byte: no binary data (a 0xFF in it would end the frame), and no "+
				"length up front, so a receiver could not know how much was coming. RFC 6455 frames carry an opcode and a 7-, 16- or 64-bit length."),
			app.Li().Text("The 8 bytes after the headers were not HTTP, which confused proxies; and the handshake could not negotiate extensions such as compression."),
		),
	)
}
