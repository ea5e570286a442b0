package store

import (
	"context"
	"fmt"

	"github.com/e-people/e-people/forum"
)

// EachPublicProposal calls fn for every public proposal, by id, reading one
// row at a time; it stops at the first error fn returns.
func (s *Store) EachPublicProposal(ctx context.Context, fn func(*forum.Proposal) error) error {
	rows, err := s.r.QueryContext(ctx, `SELECT `+proposalCols+proposalFrom+`WHERE `+publicProposal+` ORDER BY p.id`)
	if err != nil {
		return fmt.Errorf("each public proposal: %w", mapErr(err))
	}
	defer rows.Close()
	for rows.Next() {
		p, err := scanProposal(rows)
		if err != nil {
			return fmt.Errorf("each public proposal: %w", err)
		}
		if err := fn(p); err != nil {
			return err
		}
	}
	return rows.Err()
}

// EachPublicResponse calls fn for the current official answer to every public
// proposal and each co-answering ministry's part of it (Part), by proposal
// id, the lead's answer first, reading one row at a time; it stops at the
// first error fn returns.
func (s *Store) EachPublicResponse(ctx context.Context, fn func(*forum.Response) error) error {
	rows, err := s.r.QueryContext(ctx, `SELECT `+fmt.Sprintf(responseCols, "revision")+`, r.updated_at, r.part FROM `+answerRows+`
		JOIN users u ON u.id = r.official_id JOIN proposals p ON p.id = r.proposal_id
		WHERE `+publicProposal+` ORDER BY r.proposal_id, r.part, r.created_at, r.ministry_id`)
	if err != nil {
		return fmt.Errorf("each public response: %w", mapErr(err))
	}
	defer rows.Close()
	for rows.Next() {
		var part int
		r, err := scanResponse(newScanPlusRow(rows, &part))
		if err != nil {
			return fmt.Errorf("each public response: %w", err)
		}
		r.Part = part == 1
		if err := fn(r); err != nil {
			return err
		}
	}
	return rows.Err()
}

// EachModAction calls fn for every row of the public moderation log, oldest
// first, reading one row at a time; it stops at the first error fn returns.
func (s *Store) EachModAction(ctx context.Context, fn func(forum.ModAction) error) error {
	rows, err := s.r.QueryContext(ctx, `SELECT id, actor_role, action, item_kind, item_id, reason_code, before_state, after_state, created_at
		FROM moderation_actions ORDER BY id`)
	if err != nil {
		return fmt.Errorf("each moderation action: %w", mapErr(err))
	}
	defer rows.Close()
	for rows.Next() {
		var a forum.ModAction
		var created int64
		if err := rows.Scan(&a.ID, &a.ActorRole, &a.Action, &a.Kind, &a.ItemID, &a.ReasonCode, &a.Before, &a.After, &created); err != nil {
			return fmt.Errorf("each moderation action: %w", err)
		}
		a.CreatedAt = fromUnix(created)
		if err := fn(a); err != nil {
			return err
		}
	}
	return rows.Err()
}

// Tally counts a debate's shown arguments by stance.
type Tally struct {
	For, Against, Neutral int
}

// DebateTally counts the arguments of debate id that are neither deleted nor held or hidden.
func (s *Store) DebateTally(ctx context.Context, id int64) (Tally, error) {
	var t Tally
	err := s.r.QueryRowContext(ctx, `SELECT
		count(*) FILTER (WHERE stance = 'for'), count(*) FILTER (WHERE stance = 'against'), count(*) FILTER (WHERE stance = 'neutral')
		FROM comments c WHERE c.debate_id = ? AND `+shownComment+``, id).Scan(&t.For, &t.Against, &t.Neutral)
	if err != nil {
		return t, fmt.Errorf("debate tally %d: %w", id, mapErr(err))
	}
	return t, nil
}
