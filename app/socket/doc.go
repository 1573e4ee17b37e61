// Package socket is the browser side's WebSocket client: it dials, reports a
// status a person can read (connecting, open, reconnecting, offline, closed),
// reconnects with exponential backoff and jitter, keeps the connection honest
// with an application-level heartbeat, and records every frame for the wire
// inspector.
//
// Every lab page (app/ui) drives its socket through a Conn. The package
// builds for js/wasm, where github.com/coder/websocket wraps the browser's
// WebSocket object, and natively, where the same code speaks RFC 6455 over
// TCP; that is what lets its reconnect and heartbeat logic be unit-tested with
// plain go test against httptest servers, and what lets the load tool under
// e2e/ reuse it.
//
// Why an application-level heartbeat: a browser cannot send WebSocket ping
// frames (the JavaScript API has no such call, so coder/websocket's Ping is a
// no-op there), yet a connection whose peer vanished without a FIN — a laptop
// lid closed, a NAT entry expired — looks open forever. So the client sends
// a small message the lab's protocol defines as a no-op (Options.Ping) and
// treats silence past Options.DeadAfter as a dead connection.
package socket
