// Package chat is the browser side of the chat lab, minus the DOM: the
// session a page keeps with the chat server.
//
// A Session remembers who the person is (a session token that holds the
// nickname, the nickname, the room), what the room said (the lines on
// screen, in seq order, and the cursor: the last seq seen), and what the
// person typed that the server has not confirmed (the outbox). It turns
// server envelopes into that state and tells the page what to send. It does
// no I/O of its own besides a small Storage — localStorage in the browser
// (go-app's ctx.LocalStorage() fits the interface as is), MemStorage in
// tests — so it builds natively and is unit-tested with go test.
//
// The rules that make the chat lose nothing live here:
//   - On every (re)connect the page sends Join: with since = the cursor when
//     the page already shows messages, so the server sends exactly what was
//     missed.
//   - What is typed goes to the outbox first (persisted), and is sent only
//     when the server says synced: by then the catch-up has shown which
//     outbox messages were in fact stored before the connection dropped,
//     and those are not sent again. The server de-duplicates by message id
//     as well, so a resend is harmless either way.
//   - An ack turns a message to delivered and takes it out of the persisted
//     outbox; its line arrives from the room's feed like everyone else's.
//
// The page is app/ui/chat.go; the socket is app/socket; the wire format is
// app/msg.
package chat
