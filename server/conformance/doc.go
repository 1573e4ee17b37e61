// Package conformance is socketlab's RFC 6455 conformance suite, modelled
// on the Autobahn|Testsuite's case groups (1 framing, 2 ping/pong, 3
// reserved bits, 4 reserved opcodes, 5 fragmentation, 6 UTF-8, 7 close
// handling, 9 limits, 10 masking and lengths, 12/13 permessage-deflate),
// which cannot run here (Python 2, Docker).
//
// It sits beside the server, not in it: a raw-frame client built on the
// standard library alone (client.go: hand-made handshakes and frames,
// masked or not, chopped and slow writes, a little permessage-deflate), a
// model of what RFC 6455 asks of a server for a given sequence of frames
// (model.go), the cases (cases_*.go), and a runner that plays each case
// against a live endpoint and reports it the Autobahn way: expected,
// observed, verdict OK, NON-STRICT or FAILED (run.go, report.go).
//
// Endpoints differ in what they do with a message — echo it, answer it,
// refuse it — and in their read limit; an Endpoint says so, and adding
// one is one entry in the table of conformance_test.go, which runs the
// whole suite against an in-process server in `make test` and writes
// docs/conformance.md in `make conform`.
package conformance
