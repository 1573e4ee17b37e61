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
// Every close the server starts does the closing handshake (closing.go):
// the close frame, then reading and discarding — bounded in time and bytes
// — until the peer's close frame or end of stream, and only then the TCP
// close; with unread bytes queued, Linux would answer with a reset that
// destroys the close frame in the peer. A frame scanner (frames.go) follows
// both directions under the library, so the drain knows where the peer's
// frames begin even after the library gave up on the stream, the log names
// the close frame that really went out, and a peer's close whose reason is
// not UTF-8 is answered 1007 instead of being echoed. ReadInto enforces the
// read limit (1009, after reading the message to its end, as a browser
// needs) and UTF-8 (1007, at the first bad frame) itself (utf8.go).
//
// Any socket opened with ?tap=<id> can be tapped (tap.go): when the
// registry has a Tapper (server/wire's hub), a copy of every byte the
// socket reads and writes goes to it, with the opening handshake as it
// crossed, which RecordHeads (heads.go) keeps from the listener. Untapped
// sockets run on the bare connection, as if no tap existed.
package conns
