// Package natsstore keeps the chat lab's messages in NATS JetStream and
// tells every server replica about each new one.
//
// It sits under server/chat: the chat handler publishes what people say
// here, reads history here when someone joins, and follows the stream here
// to fan new messages out to its sockets. By default Open starts a NATS
// server inside the process (no TCP port: the connection is in-process)
// with its store in a data directory, locked so that a second process on the
// same directory fails at once. With Options.URL it connects to an external
// NATS instead, which is how several socketlab replicas share one chat: each
// replica follows the stream with a consumer of its own and delivers to its
// own sockets, so a message said on one replica reaches clients of all of
// them, in one order. A replica does not trust that consumer: it compares
// what it delivered with the stream's last seq and reads a gap that does not
// close from the stream itself (feed.go); readiness (health.go) says whether
// the stream leader answers and the feed keeps up.
//
// One stream, CHAT, holds every room on its own subject (chat.msg.<room>).
// The stream sequence is the message's seq on the wire: one total order,
// shared by all replicas and stable across restarts. Per-subject retention
// bounds each room; the duplicate window turns a resent message id into the
// sequence already stored.
package natsstore
