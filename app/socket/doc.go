// Package socket is the browser side's WebSocket client: it dials, reports a
// status a person can read (connecting, open, reconnecting, offline, closed),
// reconnects with exponential backoff and jitter, keeps the connection honest
// with an application-level heartbeat, queues what is sent, and records every
// frame for the wire inspector.
//
// Every lab page (app/ui) drives its socket through a Conn. The lifecycle a
// page relies on: OnOpen after each dial, before the socket's first message
// and before anything queued is written (the place to send a join);
// OnMessage in order; OnClose with the close code (one type, msg.CloseCode)
// and reason; OnStatus for the badge. Options.Dispatch runs every callback,
// so in the browser they all run on the UI goroutine (app/ui/live.go passes
// go-app's ctx.Dispatch). Send never blocks: it queues, bounded, and the
// socket's writer sends in order, on the next socket if none is open.
//
// The package builds for js/wasm, where transport_js.go wraps the browser's
// own WebSocket object through syscall/js (github.com/coder/websocket is not
// linked into the wasm binary at all), and natively, where
// transport_native.go speaks RFC 6455 over TCP with coder/websocket. The
// native build is what lets the reconnect, queue and heartbeat logic be
// unit-tested with plain go test against httptest servers, and what lets
// server tests drive a lab with the browser's own client code (server/chat's
// TestRealClientCatchesUpAfterTooSlow, server/plot's puller). The load tool
// (e2e/bench) does not use it: it measures the server with bare clients of
// its own.
//
// Why an application-level heartbeat: a browser cannot send WebSocket ping
// frames (the JavaScript API has no such call), yet a connection whose peer
// vanished without a FIN — a laptop lid closed, a NAT entry expired — looks
// open forever. So the client sends a small message the lab's protocol
// defines as a no-op (Options.Ping) and treats silence past
// Options.DeadAfter as a dead connection.
package socket
