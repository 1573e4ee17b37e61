package ui

import (
	"strings"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"socketlab/app/msg"
)

// handshakePanel shows the subject's opening handshake as the server
// received and answered it, and Sec-WebSocket-Accept computed step by step
// beside the header that was sent. h is nil until the observer reports it.
func handshakePanel(h *msg.WireHandshakeInfo) app.UI {
	if h == nil {
		return app.Section().ID("wire-handshake").Class("wire-section").Body(
			app.H2().Text("The opening handshake"),
			app.P().Class("muted").Text("Waiting for the server's record of the upgrade…"),
		)
	}
	equal := h.Accept != "" && h.Accept == h.AcceptSent
	verdict := "✓ equal"
	if !equal {
		verdict = "✗ not equal"
	}
	accepted := h.Accepted
	if accepted == "" {
		accepted = "none: the server declined, so messages cross uncompressed"
	}
	return app.Section().ID("wire-handshake").Class("wire-section").Body(
		app.H2().Text("The opening handshake"),
		app.P().Text("An HTTP/1.1 request the server answers with 101 Switching Protocols; after the blank line, the same TCP connection carries frames. "+
			"Exactly as the server received and sent it (cookie values redacted):"),
		app.Div().Class("wire-http").Body(
			app.Figure().Body(
				app.FigCaption().Text("Request (browser → server)"),
				app.Pre().ID("wire-request").Class("wire-pre").Text(strings.Join(h.Request, "\n")),
			),
			app.Figure().Body(
				app.FigCaption().Text("Response (server → browser)"),
				app.Pre().ID("wire-response").Class("wire-pre").Text(strings.Join(h.Response, "\n")),
			),
		),
		app.H3().Text("Sec-WebSocket-Accept, step by step"),
		app.Ol().ID("wire-accept").Class("wire-steps").Body(
			wireStep("The browser's random key, Sec-WebSocket-Key:", "wa-key", h.Key),
			wireStep("followed by the GUID every RFC 6455 server knows:", "wa-concat", h.Concat),
			wireStep("SHA-1 of those bytes, in hex:", "wa-sha1", h.SHA1),
			wireStep("the same 20 bytes in base64:", "wa-accept", h.Accept),
			wireStep("the Sec-WebSocket-Accept header the server sent:", "wa-sent", h.AcceptSent),
		),
		app.P().ID("wire-accept-check").Class("wire-check", map[bool]string{true: "ok", false: "bad"}[equal]).Text(verdict),
		app.P().Class("muted").Text("The browser does the same computation and refuses the connection if the two differ: "+
			"proof that the server understood WebSocket, not that it is trusted."),
		app.H3().Text("Extensions"),
		app.Dl().Class("wire-ext").Body(
			app.Div().Body(
				app.Dt().Text("Offered by the browser"),
				app.Dd().ID("wire-offered").Text(orNone(strings.Join(h.Offered, ", "))),
			),
			app.Div().Body(
				app.Dt().Text("Accepted by the server"),
				app.Dd().ID("wire-accepted").Text(accepted),
			),
		),
	)
}

// wireStep is one step of a computation: what it is, then the value.
func wireStep(what, class, value string) app.UI {
	return app.Li().Body(
		app.Span().Text(what+" "),
		app.Code().Class(class).Text(value),
	)
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}
