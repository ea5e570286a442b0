package store

import (
	"context"
	"fmt"
	"time"
)

// Cap is a limit on how much of one activity a user may do in a period: at
// most Max since Since. A write that would go past it fails with a
// *CapError and leaves nothing written. A nil *Cap limits nothing (staff).
type Cap struct {
	Max   int
	Since time.Time
}

// CapError is a write refused because it would pass its Cap.
type CapError struct {
	Activity Activity
	Max      int
	Since    time.Time
}

func (e *CapError) Error() string {
	return fmt.Sprintf("%s cap of %d since %s reached", e.Activity, e.Max, e.Since.Format(time.RFC3339))
}

// activityRows is the FROM and WHERE of the rows a user spends on an
// activity; each is covered by an index on (user column, created_at).
func activityRows(a Activity) string {
	switch a {
	case ActivityProposals:
		return ` FROM proposals WHERE author_id = ? AND created_at >= ?` // proposals_author
	case ActivityComments:
		return ` FROM comments WHERE author_id = ? AND created_at >= ?` // comments_author
	case ActivitySupports:
		return ` FROM supports WHERE user_id = ? AND created_at >= ?` // supports_user
	case ActivityReports:
		return ` FROM reports WHERE reporter_id = ? AND created_at >= ?` // reports_reporter
	}
	return ""
}

// spendSQL counts a user's (?1) rows of a since ?2, up to ?3 of them.
func spendSQL(a Activity) string {
	return `SELECT count(*) FROM (SELECT 1` + activityRows(a) + ` LIMIT ?) AS capped`
}

// spend checks, inside the write that has just added userID's newest row of
// a, that the rows of a since limit.Since are at most limit.Max. Run in the
// same transaction as the insert, it sees every earlier write of the batch,
// so parallel requests cannot overrun the cap; its error rolls the insert
// back. The count reads at most Max+1 index entries.
func (t *tx) spend(ctx context.Context, a Activity, userID int64, limit *Cap) error {
	if limit == nil {
		return nil
	}
	if activityRows(a) == "" {
		return fmt.Errorf("spend %s: unknown activity", a)
	}
	var n int
	if err := t.QueryRowContext(ctx, spendSQL(a),
		userID, limit.Since.Unix(), limit.Max+1).Scan(&n); err != nil {
		return fmt.Errorf("spend %s: %w", a, err)
	}
	if n > limit.Max {
		return &CapError{Activity: a, Max: limit.Max, Since: limit.Since}
	}
	return nil
}
