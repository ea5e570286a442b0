package store

import (
	"context"
	"errors"
	"fmt"
)

// counterChecks pairs each stored counter with the count of the rows it stands
// for: table.column is the counter, and count is a scalar subquery over the
// counted rows, correlated to the counter's row through the alias t.
var counterChecks = []struct{ table, column, count string }{
	{"proposals", "sponsor_count", `SELECT count(*) FROM sponsors x WHERE x.proposal_id = t.id`},
	{"proposals", "support_count", `SELECT count(*) FROM supports x WHERE x.proposal_id = t.id`},
	{"proposals", "comment_count", `SELECT count(*) FROM comments x WHERE x.proposal_id = t.id AND x.status = 'visible'`},
	{"debates", "comment_count", `SELECT count(*) FROM comments x WHERE x.debate_id = t.id AND x.status = 'visible'`},
	{"proposals", "revision_count", `SELECT count(*) FROM proposal_revisions x WHERE x.proposal_id = t.id`},
	{"comments", "up_count", `SELECT count(*) FROM comment_votes x WHERE x.comment_id = t.id AND x.value = 1`},
	{"comments", "down_count", `SELECT count(*) FROM comment_votes x WHERE x.comment_id = t.id AND x.value = -1`},
}

// CheckCounters recomputes every stored counter (a proposal's sponsors,
// supports, visible comments and revisions; a debate's visible arguments;
// a comment's up and down votes)
// from the rows it counts, and returns an error naming each mismatch, or nil
// when all agree. It only reads.
func (s *Store) CheckCounters(ctx context.Context) error {
	var errs []error
	for _, c := range counterChecks {
		name := c.table + "." + c.column
		query := `SELECT id, stored, counted FROM (SELECT t.id AS id, t.` + c.column + ` AS stored, (` + c.count + `) AS counted
			FROM ` + c.table + ` t) AS m WHERE stored <> counted ORDER BY id`
		bad, err := s.counterMismatches(ctx, name, query)
		if err != nil {
			return fmt.Errorf("check counters: %w", err)
		}
		errs = append(errs, bad...)
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("check counters: %w", err)
	}
	return nil
}

func (s *Store) counterMismatches(ctx context.Context, name, query string) ([]error, error) {
	rows, err := s.r.QueryContext(ctx, query)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, mapErr(err))
	}
	defer rows.Close()
	var bad []error
	for rows.Next() {
		var id, stored, counted int64
		if err := rows.Scan(&id, &stored, &counted); err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		bad = append(bad, fmt.Errorf("%s of %d is %d but %d rows count", name, id, stored, counted))
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return bad, nil
}
