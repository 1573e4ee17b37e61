//go:build js && wasm

// Command app is socketlab's browser side, compiled to web/dist/app.wasm by
// make build. It only registers the routes and hands control to go-app; the
// pages live in app/ui, the socket client in app/socket, the wire types in
// app/msg. The server (server/site) registers the same routes to pre-render
// pages, but this binary never links net/http server code, which keeps the
// download about half the size.
package main

import (
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"socketlab/app/ui"
)

func main() {
	ui.Routes()
	// Give the main thread back to the browser between Go's own start (the
	// runtime, every package's init) and go-app's first render. In js/wasm
	// the Go scheduler returns to JavaScript only when every goroutine is
	// blocked, so without this both are one long task, during which the
	// page cannot answer a tap; Lighthouse counts each task's time over 50 ms
	// as blocking. A timer is what blocks: the render runs on its callback.
	// web/static/loader.js keeps the loader up until the render is done.
	time.Sleep(time.Millisecond)
	app.RunWhenOnBrowser()
}
