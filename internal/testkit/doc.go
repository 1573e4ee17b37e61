// Package testkit is the one set of helpers socketlab's tests share, so
// that none is written twice: run a server on a loopback port and restart
// it (serve.go), serve a lone handler and dial it (ws.go), fetch a URL
// (fetch.go), a log the test reads while the server writes it (log.go),
// wait for a condition with a deadline (wait.go), a WebSocket client
// written out by hand for what no library sends (raw.go), a chat protocol
// client that checks the presence promise as it reads (chat.go,
// presence.go), in-process NATS servers (nats.go), and the rule for a
// test whose program is missing (require.go).
//
// It sits at the top of the module, under internal/, because both the
// server's packages and e2e/ use it (a server/internal package could not be
// imported by e2e/), and nothing outside the module may. It imports no
// server package but server/wsframe, the one writer and reader of raw
// frames: a package's own tests (server/site, server/conns…) import the
// kit without an import cycle, and hand it what to run through the Server
// interface.
package testkit
