package store

import (
	"context"
	"fmt"

	"github.com/e-people/e-people/forum"
	"github.com/e-people/e-people/forum/search"
)

// SimilarProposals returns up to limit public proposals whose indexed text
// shares the most with text (a draft's title), best first, so a citizen can
// support one instead of splitting support.
func (s *Store) SimilarProposals(ctx context.Context, text string, limit int) ([]*forum.Proposal, error) {
	q, ok := search.AnyQuery(text)
	if !ok {
		return nil, nil
	}
	rows, err := s.r.QueryContext(ctx, `SELECT item_id FROM search_index WHERE search_index MATCH ? AND kind = ?
		ORDER BY bm25(search_index) LIMIT ?`, q, SearchProposal, limit)
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
