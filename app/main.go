//go:build js && wasm

// Command app is socketlab's browser side, compiled to web/dist/app.wasm by
// make build. It only registers the routes and hands control to go-app; the
// pages live in app/ui, the socket client in app/socket, the wire types in
// app/msg. The server (server/site) registers the same routes to pre-render
// pages, but this binary never links net/http server code, which keeps the
// download about half the size.
package main

import (
	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"socketlab/app/ui"
)

func main() {
	ui.Routes()
	app.RunWhenOnBrowser()
}
