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
//     Full means full because of the peer: at SendQueue frames while the
//     socket's kernel takes no more (conns.Conn.WriteBlocked); a queue
//     that grew while the socket would take more is the server's own
//     backlog (its writers did not get the CPU), and may grow to 16 times
//     that before the socket is cut regardless.
//   - A writer takes everything queued and writes it corked, in one
//     system call; for a client whose join asked for batched frames, as
//     one WebSocket frame of several envelopes too (joiner.go).
//   - A join is served by the socket's writer: welcome, the history from
//     the store, synced, then the live messages queued meanwhile, with the
//     ones history already covered dropped by seq. No gap, no duplicate.
//
// Presence spans replicas: each replica writes its own sockets' nicks per
// room to a NATS KV bucket and watches the others' (bucket.go); a
// replica that dies is dropped after PresenceTimeout. A socket gets the
// room's full list once, queued right after its join's catch-up, and then
// only changes (joined, left), one small frame each (presence.go). The
// same keys carry the nick holds, by a hash of the holding session's
// token, so a nick held on one replica is refused to others on every
// replica.
//
// # Which file does what
//
// Each part owns its state and its lock; one part uses another only
// through its methods.
//
//   - handler.go: Handler — accepts a socket and runs its reader until it
//     ends; starts and stops the feed, the bucket and the hold pruning.
//   - reader.go: reading — the read loop, decoding and validation, the
//     rate limit (counted after decoding), the server's text length, and
//     acting on a join, say or leave.
//   - publish.go: a socket's says on their way to the store, in order, in
//     a goroutine of their own so that a slow store never holds up reading.
//   - client.go: one socket's parts together: its connection, send queue,
//     publisher queue and the room it joined (only its reader touches that).
//   - queue.go: the bounded send queue, which starts the writer while it
//     holds something and marks a socket that overflowed as too slow.
//   - writer.go: writing — runWriter (a short wait for more, WriteDelay),
//     the corked batches, closing a too slow socket with 4008.
//   - workers.go: the goroutines writers run on, kept parked between runs
//     so that a wake-up does not start (and grow) a fresh stack.
//   - joiner.go: a batch's frames joined into one, for a client that reads
//     batched frames.
//   - catchup.go: a join's welcome, history and synced, and the resync
//     after a stall of the feed: replays from the store.
//   - hub.go: the order in which a join and a leave go through the parts
//     below.
//   - rooms.go: rooms and fan-out — membership, deliver (encode once, push
//     to every socket), broadcast, skip.
//   - holds.go: nick holds by session token.
//   - presence.go: who is shown online, and the changes each room is told.
//   - bucket.go: the presence bucket — this replica's keys written, the
//     others' watched, the silent ones swept.
//   - dirty.go: the rooms whose key in the bucket is out of date, marked by
//     presence and holds, taken by the bucket's writer.
//   - counters.go: what the chat counts, as Prometheus collectors beside
//     those of server/conns; tests read them too.
//   - every.go: the ticker loop of the periodic jobs (the presence sweep,
//     the hold pruning).
//   - options.go: the limits and their defaults.
//
// Its page is app/ui/chat.go; the client-side session (outbox, cursor) is
// app/chat.
package chat
