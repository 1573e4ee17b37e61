// Package chaos breaks a scaled-out socketlab on purpose and measures what
// its users see. It starts a real 3-node nats-server cluster (the Debian
// nats-server binary, on loopback ports and store directories of its own),
// three socketlab replicas in this process (server/site on -nats-url with
// the stream and presence bucket at 3 replicas), chat clients on all of
// them that talk all the time, and then kills things: the stream leader,
// a follower, the node that hosts a replica's feed consumer, two nodes at
// once (quorum lost), one replica. For each fault it reports what every
// client saw: messages acknowledged but never delivered, delivered twice
// or out of order, the longest a replica's feed was silent while the
// stream was taking messages, the longest a sender could not send,
// presence changes nobody caused, and readiness (/readyz) that disagreed
// with what the replica could do.
//
// The CI test (chaos_test.go) runs every fault briefly and asserts; the
// bench tool (e2e/bench, section chaos) runs them longer and writes the
// figures to BENCH.md.
package chaos
