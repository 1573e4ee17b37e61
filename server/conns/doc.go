// Package conns upgrades HTTP requests to WebSockets and keeps a registry of
// the live ones.
//
// Every lab handler (server/hello, server/casefold, server/chat, server/plot)
// accepts its sockets through a Registry instead of calling websocket.Accept
// directly. That gives all of them, in one place, the things a sample server
// tends to forget: the origin check, a cap on concurrent connections, a
// connection id, one log line when a socket opens and one when it closes
// (with code and duration), and a way to close every socket with 1001 Going
// Away on shutdown — http.Server.Shutdown does not touch hijacked
// connections, so without a registry they would simply be cut.
//
// A Conn can also be corked (cork.go): a writer with several frames queued
// for one socket writes them into memory and sends them with one system
// call, where the library would make one per frame. The chat's fan-out
// relies on it. And a handler with thousands of idle sockets calls
// WaitReadable before each read (idle.go): the reading goroutine then waits
// with a stack small enough for the runtime to shrink.
//
// Any socket opened with ?tap=<id> can be tapped (tap.go): when the
// registry has a Tapper (server/wire's hub), a copy of every byte the
// socket reads and writes goes to it, with the opening handshake as it
// crossed, which RecordHeads (heads.go) keeps from the listener. Untapped
// sockets run on the bare connection, as if no tap existed.
package conns
