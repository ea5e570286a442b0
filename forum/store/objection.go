package store

import (
	"context"
	"database/sql"
	"fmt"
)

// The supports recorded after the strongest objection (issue 18): a
// support confirmed on the support step that showed the strongest argument
// against a proposal (forum.StrongestArguments) is kept with
// saw_objection = 1, and how many of a proposal's counted supporters read
// an objection first is public.

// SupportAfterObjection records userID's support of proposal id as
// Support does, marked as given after the citizen was shown the strongest
// argument against it. Supporting twice changes nothing: an earlier
// support keeps its mark.
func (s *Store) SupportAfterObjection(ctx context.Context, id, userID int64, limit *Cap) (int, error) {
	return s.setSupport(ctx, id, userID, true, true, limit)
}

// sawObjection is the supports.saw_objection flag of a support.
func sawObjection(seen bool) int {
	if seen {
		return 1
	}
	return 0
}

// sawObjectionSQL counts, by proposal, the supports given after an
// objection by accounts whose supports count (the figure support_count
// holds them among), through the partial index supports_saw_objection.
const sawObjectionSQL = `SELECT x.proposal_id, count(*) FROM supports x JOIN users u ON u.id = x.user_id
	WHERE x.saw_objection = 1 AND `

// SupportsAfterObjection returns, for each of the proposals ids that has
// any, how many of its counted supporters (those in Proposal.Supports)
// were shown the strongest objection before they supported it.
func (s *Store) SupportsAfterObjection(ctx context.Context, ids ...int64) (map[int64]int, error) {
	out := map[int64]int{}
	if len(ids) == 0 {
		return out, nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	rows, err := s.r.QueryContext(ctx, sawObjectionSQL+countedTier("u")+` AND x.proposal_id IN (`+placeholders("?", len(ids))+`)
		GROUP BY x.proposal_id`, args...)
	if err != nil {
		return nil, fmt.Errorf("count supports after objection: %w", mapErr(err))
	}
	if err := scanCounts(rows, out); err != nil {
		return nil, fmt.Errorf("count supports after objection: %w", mapErr(err))
	}
	return out, nil
}

// AllSupportsAfterObjection is SupportsAfterObjection for every proposal
// at once, for the open data download.
func (s *Store) AllSupportsAfterObjection(ctx context.Context) (map[int64]int, error) {
	out := map[int64]int{}
	rows, err := s.r.QueryContext(ctx, sawObjectionSQL+countedTier("u")+` GROUP BY x.proposal_id`)
	if err != nil {
		return nil, fmt.Errorf("count all supports after objection: %w", mapErr(err))
	}
	if err := scanCounts(rows, out); err != nil {
		return nil, fmt.Errorf("count all supports after objection: %w", mapErr(err))
	}
	return out, nil
}

// scanCounts reads rows of (proposal id, count) into out and closes rows.
func scanCounts(rows *sql.Rows, out map[int64]int) error {
	defer rows.Close()
	for rows.Next() {
		var id int64
		var n int
		if err := rows.Scan(&id, &n); err != nil {
			return err
		}
		out[id] = n
	}
	return rows.Err()
}
