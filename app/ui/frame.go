package ui

import (
	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"socketlab/app/socket"
)

// frame is the layout every page shares: the header with the navigation and
// the connection status, the banners (offline, update available), then the
// page's own content. status is nil on pages without a socket.
func frame(active string, status *socket.Status, content ...app.UI) app.UI {
	banner := &networkBanner{}
	if status != nil {
		banner.Socket, banner.HasSocket = *status, true
	}
	return app.Div().Class("page").Body(
		app.A().Class("skip").Href("#main").Text("Skip to content"),
		app.Header().Class("top").Body(
			app.A().Class("brand").Href("/").Body(
				// Decorative: the link is named by the text beside it. go-app
				// drops an empty alt, so the role says it instead.
				app.Img().Src("/web/icon.svg").Alt("").Role("presentation").Width(28).Height(28),
				app.Span().Text("socketlab"),
			),
			app.Nav().Aria("label", "Labs").Body(
				app.Ul().Body(
					app.Range(pages()).Slice(func(i int) app.UI {
						p := pages()[i]
						a := app.A().Href(p.path).Text(p.title)
						if p.path == active {
							a = a.Aria("current", "page")
						}
						return app.Li().Body(a)
					}),
				),
			),
			app.If(status != nil, func() app.UI { return statusBadge(*status) }),
		),
		banner,
		&updateBanner{},
		app.Main().ID("main").Body(content...),
		app.Footer().Class("foot").Body(
			app.P().Body(
				app.Text("socketlab: WebSocket patterns in full-stack Go. "),
				app.If(app.IsClient, func() app.UI {
					// Only the browser knows which build it runs: the
					// service worker may serve a cached one.
					return app.Span().Body(app.Text("Version "), app.Code().ID("version").Text(app.Getenv("GOAPP_VERSION")))
				}),
			),
		),
	)
}

// statusBadge shows a socket's status as a word and a colour; the e2e tests
// read it by its id.
func statusBadge(s socket.Status) app.UI {
	return app.P().ID("status").Class("status", "status-"+s.String()).
		Aria("live", "polite").
		Body(
			app.Span().Class("dot").Aria("hidden", "true"),
			app.Span().Class("visually-hidden").Text("Connection: "),
			app.Span().Class("status-text").Text(s.String()),
		)
}
