// Package ui holds socketlab's pages: go-app components, one file per page
// or concept, and Routes, which registers them.
//
// The same package is compiled twice. In the browser (app/main.go, js/wasm)
// the components run: they open sockets through app/socket and update the
// DOM. On the server (server/site) they are only rendered to HTML, so that a
// page is readable before the WebAssembly has loaded and so that the server
// knows every route. Code that touches the browser therefore lives in
// lifecycle methods (OnMount and later) that never run on the server.
//
// Rule of the house: never block the UI goroutine. Socket callbacks are
// dispatched onto it by the socket itself (live.go sets
// socket.Options.Dispatch to ctx.Dispatch), and sending only queues, so a
// page calls Send from an event handler as is; work that waits is started
// with ctx.Async and cancelled in OnDismount, because go-app's own context
// never cancels.
package ui
