package bench

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// seedHistory gives each of fx's citizens n earlier comments, spread over the
// forum's other proposals and over the past 300 days, all shown, and votes
// on up to n comments of the benchmark thread, as citizens of a forum in use
// have: what a new comment costs must not grow with its author's history,
// and only a history shows whether it does. The rows are written directly,
// in one transaction, with the counters they change (comment counts, vote
// counts); they are not in the search index, which the search workload
// measures on the demo data alone.
func seedHistory(ctx context.Context, path string, fx *fixture, n int) (err error) {
	if n == 0 {
		return nil
	}
	db, err := sql.Open("sqlite3", "file:"+path+"?_foreign_keys=1&_busy_timeout=5000")
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, db.Close()) }()
	db.SetMaxOpenConns(1) // the temporary table lives in one connection
	t, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer t.Rollback()
	var before int64
	if err := t.QueryRowContext(ctx, `SELECT COALESCE(max(id), 0) FROM comments`).Scan(&before); err != nil {
		return fmt.Errorf("seed history: %w", err)
	}
	if _, err := t.ExecContext(ctx, `CREATE TEMP TABLE history_targets (n INTEGER PRIMARY KEY, id INTEGER NOT NULL)`); err != nil {
		return fmt.Errorf("seed history: %w", err)
	}
	res, err := t.ExecContext(ctx, `INSERT INTO history_targets (n, id) SELECT row_number() OVER (ORDER BY id) - 1, id FROM proposals
		WHERE id <> ? AND mod_state = 'visible' AND published_at IS NOT NULL`, fx.threadID)
	if err != nil {
		return fmt.Errorf("seed history: %w", err)
	}
	targets, _ := res.RowsAffected()
	if targets == 0 {
		return errors.New("seed history: the demo data has no other published proposal to comment on")
	}
	now := time.Now().Unix()
	for _, u := range fx.users {
		if _, err := t.ExecContext(ctx, `WITH RECURSIVE k(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM k WHERE i + 1 < ?1)
			INSERT INTO comments (proposal_id, depth, author_id, stance, body_src, body_html, created_at, updated_at)
			SELECT h.id, 1, ?2, CASE k.i % 3 WHEN 0 THEN 'for' WHEN 1 THEN 'against' ELSE 'neutral' END,
				'지난 의견 ' || ?2 || '-' || k.i || ': 제도의 취지에는 공감하지만 시행 시기와 재원 마련 방안을 더 구체적으로 밝혀 주셨으면 합니다.',
				'<p>지난 의견 ' || ?2 || '-' || k.i || ': 제도의 취지에는 공감하지만 시행 시기와 재원 마련 방안을 더 구체적으로 밝혀 주셨으면 합니다.</p>',
				?3 - 86400 * (1 + k.i % 300) - k.i, ?3 - 86400 * (1 + k.i % 300) - k.i
			FROM k JOIN history_targets h ON h.n = k.i % ?4`, n, u.UserID, now, targets); err != nil {
			return fmt.Errorf("seed history comments: %w", err)
		}
		if _, err := t.ExecContext(ctx, `INSERT INTO comment_votes (comment_id, user_id, value, created_at)
			SELECT id, ?1, 1, ?2 - 86400 FROM comments WHERE proposal_id = ?3 AND author_id <> ?1 ORDER BY id LIMIT ?4`,
			u.UserID, now, fx.threadID, n); err != nil {
			return fmt.Errorf("seed history votes: %w", err)
		}
	}
	if _, err := t.ExecContext(ctx, `UPDATE proposals SET comment_count = comment_count + (SELECT count(*) FROM comments c WHERE c.proposal_id = proposals.id AND c.id > ?)
		WHERE id IN (SELECT id FROM history_targets)`, before); err != nil {
		return fmt.Errorf("seed history counts: %w", err)
	}
	if _, err := t.ExecContext(ctx, `UPDATE comments SET up_count = (SELECT count(*) FROM comment_votes v WHERE v.comment_id = comments.id AND v.value = 1)
		WHERE proposal_id = ? AND id IN (SELECT comment_id FROM comment_votes)`, fx.threadID); err != nil {
		return fmt.Errorf("seed history counts: %w", err)
	}
	if _, err := t.ExecContext(ctx, `DROP TABLE history_targets`); err != nil {
		return fmt.Errorf("seed history: %w", err)
	}
	return t.Commit()
}
