// Package chat serves the chat lab on /ws/chat: rooms, nicknames held by a
// session token, presence, history and reconnect without loss.
//
// The protocol is defined in socketlab/app/msg (type Chat); this package is
// the server half. Its shape is the one a chat needs to scale out, even in a
// single process:
//
//   - A say is published to JetStream (server/natsstore) and acknowledged
//     with the seq the stream gave it. The sender's socket does not deliver
//     it to anyone.
//   - The hub follows the stream with one consumer (natsstore.Feed) and fans each
//     message out to the sockets in its room. With several replicas on one
//     NATS, each replica does this for its own sockets, and all of them see
//     one order.
//   - Each message is encoded once; the same bytes go to every socket.
//   - After a stall of the feed, a backlog of more than natsstore.BacklogMax
//     messages is not pushed into the queues: each socket gets one resync
//     item, and its writer reads its room's share from the stream at the
//     pace the socket takes, as a reconnecting client would (rooms.skip).
//   - Each socket has a bounded send queue and one writer goroutine. The hub
//     never waits: a socket whose queue is full is closed with 4008 (see
//     msg.CloseTooSlow) and catches up from history when it reconnects.
//   - A join is served by the socket's writer: welcome, the history from
//     the store, synced, then the live messages queued meanwhile, with the
//     ones history already covered dropped by seq. No gap, no duplicate.
//
// Presence spans replicas: each replica writes its own sockets' nicks per
// room to a NATS KV bucket and watches the others' (presence.go); a
// replica that dies is dropped after PresenceTimeout. A socket gets the
// room's full list once, queued right after its join's catch-up, and then
// only changes (joined, left): the hub keeps, per room, the set it last
// announced and, on each join, leave, disconnect or change of another
// replica's key, sends the difference to the room's sockets — one small
// frame each, so n joins cost O(n²) small frames, not O(n²) lists of up to
// n nicks. The same keys carry the nick holds, by a hash of the holding
// session's token, so a nick held on one replica is refused to others on
// every replica.
//
// Its page is app/ui/chat.go; the client-side session (outbox, cursor) is
// app/chat.
package chat
