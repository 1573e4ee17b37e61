package natsstore

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// Batched direct gets (and their Nats-Num-Pending header) came with NATS
// server 2.11. Older servers — Debian's nats-server is 2.9 — answer a
// batch request with one message and no count, so on them history is read
// one direct get per message and counted with a short-lived consumer: slower
// joins, same answers.
func batchSupported(version string) bool {
	var major, minor int
	if _, err := fmt.Sscanf(strings.TrimPrefix(version, "v"), "%d.%d", &major, &minor); err != nil {
		return false
	}
	return major > 2 || (major == 2 && minor >= 11)
}

// batchSize is the Batch of a history read: 0 (one message per request)
// when the server cannot batch.
func (s *Store) batchSize() int {
	if s.batch {
		return batchSize
	}
	return 0
}

// countByConsumer counts room's messages with a seq >= from as a consumer
// starting there sees them pending: one consumer create and delete, for
// servers without batched direct gets.
func (s *Store) countByConsumer(ctx context.Context, room string, from uint64) (uint64, error) {
	cons, err := s.js.CreateConsumer(ctx, StreamName, jetstream.ConsumerConfig{
		FilterSubject:     subject(room),
		DeliverPolicy:     jetstream.DeliverByStartSequencePolicy,
		OptStartSeq:       max(from, 1),
		AckPolicy:         jetstream.AckNonePolicy,
		MemoryStorage:     true,
		InactiveThreshold: time.Minute, // cleaned up even if the delete is lost
	})
	if err != nil {
		return 0, fmt.Errorf("natsstore: count: %w", err)
	}
	info := cons.CachedInfo()
	if err := s.js.DeleteConsumer(context.WithoutCancel(ctx), StreamName, info.Name); err != nil {
		s.log.Debug("natsstore: count: delete consumer", "err", err)
	}
	return info.NumPending, nil
}
