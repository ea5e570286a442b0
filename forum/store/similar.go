package store

import (
	"context"
	"fmt"

	"github.com/e-people/e-people/forum"
)

// SimilarProposals returns up to limit public proposals whose indexed text
// shares the most with text (a draft's title), best first, so a citizen can
// support one instead of splitting support. The order is the index's own
// relevance over every match (searchRank: BM25 on SQLite, ts_rank on
// PostgreSQL, which weighs a rare shared word like a common one).
func (s *Store) SimilarProposals(ctx context.Context, text string, limit int) ([]*forum.Proposal, error) {
	match, q, ok := s.searchMatch(text, true)
	if !ok {
		return nil, nil
	}
	rows, err := s.r.QueryContext(ctx, `SELECT item_id FROM search_index WHERE `+match+` AND kind = ?
		ORDER BY `+s.searchRank()+` LIMIT ?`, q, SearchProposal, limit)
	if err != nil {
		return nil, fmt.Errorf("similar proposals: %w", mapErr(err))
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, fmt.Errorf("similar proposals: %w", err)
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("similar proposals: %w", err)
	}
	out := make([]*forum.Proposal, 0, len(ids))
	for _, id := range ids {
		p, err := s.Proposal(ctx, id)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}
