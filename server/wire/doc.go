// Package wire is the wire lab: it shows the WebSocket protocol itself, the
// upgrade handshake and every frame byte by byte, as the server saw them.
//
// Where it sits: under the WebSocket library, beside it rather than in its
// place. coder/websocket keeps doing the protocol; server/conns, for a
// socket that asks to be tapped (?tap=<id> on any lab's socket URL), copies
// every byte the library reads and writes to a conns.Tap. This package is
// that tap: a passive RFC 6455 stream decoder per direction (decoder.go,
// inflate.go), which turns bytes into msg.WireFrame records (record.go),
// and a hub (hub.go, session.go) where the tapped socket, the subject, meets
// its observer by id. The handshake record (handshake.go, hixie76.go) is
// built from the bytes server/conns recorded before the upgrade.
//
// The lab's own endpoints are here too: msg.WirePath, an echo to look at
// (subject.go), and msg.WireWatchPath, the observer (watch.go), which is
// never tapped itself, so a report never describes itself.
//
// Its page is app/ui/wire.go; the contract is app/msg/wire.go.
package wire
