package ui

import (
	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"socketlab/app/socket"
)

// labPage lays out a lab page inside frame: the page's own content, then its
// socket's wire inspector and the How it works panel.
//
// Why the content gets a box of its own: go-app matches a re-render's
// children to the old ones by position, and a page's content comes and
// goes (a close note, a Reconnect button). Beside such content, the
// inspector — a component that keeps state, such as whether its panel is
// open — would find itself at another position after a close, be replaced
// by a fresh one, and fold its panel shut under the reader's eyes.
func labPage(active string, status *socket.Status, sock *live, how howto, content ...app.UI) app.UI {
	return frame(active, status,
		app.Div().Class("lab").Body(content...),
		sock.inspector(),
		howItWorks(how),
	)
}
