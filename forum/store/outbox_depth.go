package store

import (
	"context"
	"fmt"
)

// outboxDepthSQL counts the unsent mails that have tries left.
const outboxDepthSQL = `SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL AND attempts < ?`

// OutboxDepth counts the mails waiting to be sent: unsent and not given up
// on (fewer than MaxMailAttempts failures), due now or waiting to be retried.
// It reads the outbox_unsent index, so it costs the unsent mails, not the
// outbox's history.
func (s *Store) OutboxDepth(ctx context.Context) (int, error) {
	var n int
	err := s.r.QueryRowContext(ctx, outboxDepthSQL, MaxMailAttempts).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count outbox: %w", mapErr(err))
	}
	return n, nil
}
