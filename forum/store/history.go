package store

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// SeedHistory gives each of the accounts users n earlier comments, spread
// over the published proposals other than skip and over the past 300 days,
// all shown, and votes on up to n comments of proposal skip, as citizens of
// a forum in use have: `epeople bench` loads a server whose citizens carry a
// history, since a cost that grows with it shows only then. The rows are
// written in one transaction with the counters they change (comment counts,
// vote counts); they are not put in the search index. For load tests on a
// throw-away copy, never a live forum: it bypasses the content rules, caps
// and events.
func (s *Store) SeedHistory(ctx context.Context, users []int64, skip int64, n int) error {
	if n <= 0 {
		return nil
	}
	return s.write(ctx, func(t *tx) error {
		var before int64
		if err := t.QueryRowContext(ctx, `SELECT COALESCE(max(id), 0) FROM comments`).Scan(&before); err != nil {
			return fmt.Errorf("seed history: %w", err)
		}
		var targets int64
		if err := t.QueryRowContext(ctx, `SELECT count(*) FROM proposals WHERE id <> ? AND mod_state = 'visible' AND published_at IS NOT NULL`, skip).Scan(&targets); err != nil {
			return fmt.Errorf("seed history: %w", err)
		}
		if targets == 0 {
			return errors.New("seed history: no other published proposal to comment on")
		}
		now := time.Now().Unix()
		// ?2, the author, is cast: PostgreSQL gives a parameter one type, and
		// would deduce text from the concatenations.
		for _, u := range users {
			if _, err := t.ExecContext(ctx, `WITH RECURSIVE k(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM k WHERE i + 1 < ?1),
				targets(n, id) AS (SELECT row_number() OVER (ORDER BY id) - 1, id FROM proposals
					WHERE id <> ?5 AND mod_state = 'visible' AND published_at IS NOT NULL)
				INSERT INTO comments (proposal_id, depth, author_id, stance, body_src, body_html, created_at, updated_at)
				SELECT h.id, 1, CAST(?2 AS BIGINT), CASE k.i % 3 WHEN 0 THEN 'for' WHEN 1 THEN 'against' ELSE 'neutral' END,
					'지난 의견 ' || CAST(?2 AS BIGINT) || '-' || k.i || ': 제도의 취지에는 공감하지만 시행 시기와 재원 마련 방안을 더 구체적으로 밝혀 주셨으면 합니다.',
					'<p>지난 의견 ' || CAST(?2 AS BIGINT) || '-' || k.i || ': 제도의 취지에는 공감하지만 시행 시기와 재원 마련 방안을 더 구체적으로 밝혀 주셨으면 합니다.</p>',
					?3 - 86400 * (1 + k.i % 300) - k.i, ?3 - 86400 * (1 + k.i % 300) - k.i
				FROM k JOIN targets h ON h.n = k.i % ?4`, n, u, now, targets, skip); err != nil {
				return fmt.Errorf("seed history comments: %w", err)
			}
			if _, err := t.ExecContext(ctx, `INSERT INTO comment_votes (comment_id, user_id, value, created_at)
				SELECT id, ?1, 1, ?2 - 86400 FROM comments WHERE proposal_id = ?3 AND author_id <> ?1 ORDER BY id LIMIT ?4`,
				u, now, skip, n); err != nil {
				return fmt.Errorf("seed history votes: %w", err)
			}
		}
		if _, err := t.ExecContext(ctx, `UPDATE proposals SET comment_count = comment_count + (SELECT count(*) FROM comments c WHERE c.proposal_id = proposals.id AND c.id > ?)
			WHERE id <> ?`, before, skip); err != nil {
			return fmt.Errorf("seed history counts: %w", err)
		}
		if _, err := t.ExecContext(ctx, `UPDATE comments SET up_count = (SELECT count(*) FROM comment_votes v WHERE v.comment_id = comments.id AND v.value = 1)
			WHERE proposal_id = ? AND id IN (SELECT comment_id FROM comment_votes)`, skip); err != nil {
			return fmt.Errorf("seed history counts: %w", err)
		}
		return nil
	})
}
