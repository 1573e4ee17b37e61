// Package msg defines what crosses socketlab's sockets: the endpoint paths,
// the message shapes of every lab, the size and rate limits, and the
// validation of names and texts.
//
// It is the one package that both halves of socketlab import: the browser
// side (app/ui, compiled to WebAssembly) and the server (server/...). Keeping
// the wire format here means it is defined once; a change to a message is a
// change to both sides in the same commit. The package is pure Go with no
// dependencies beyond the standard library so that it compiles to wasm and
// natively alike.
package msg
