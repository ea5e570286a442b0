package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/e-people/e-people/forum"
)

// Queue returns the pending review entries, oldest first, each with its
// reports, the content under review and its author's record.
func (s *Store) Queue(ctx context.Context, limit int) ([]*forum.ReviewItem, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT r.id, r.item_kind, r.item_id, r.state, r.rules, COALESCE(r.claimed_by, 0), COALESCE(u.name, ''),
		COALESCE(r.claimed_at, 0), r.created_at FROM review_items r LEFT JOIN users u ON u.id = r.claimed_by
		WHERE r.state = `+reviewPending+` ORDER BY r.created_at, r.id LIMIT ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("review queue: %w", mapErr(err))
	}
	var items []*forum.ReviewItem
	for rows.Next() {
		it := &forum.ReviewItem{}
		var rules string
		var claimed, created int64
		if err := rows.Scan(&it.ID, &it.Kind, &it.ItemID, &it.State, &rules, &it.ClaimedBy, &it.ClaimedByName, &claimed, &created); err != nil {
			rows.Close()
			return nil, fmt.Errorf("review queue: %w", err)
		}
		if rules != "" {
			it.Rules = strings.Split(rules, ",")
		}
		it.ClaimedAt, it.CreatedAt = fromUnix(claimed), fromUnix(created)
		items = append(items, it)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("review queue: %w", err)
	}
	for _, it := range items {
		if err := s.fillReview(ctx, it); err != nil {
			return nil, err
		}
	}
	return items, nil
}

// fillReview loads what a moderator needs to judge one entry.
func (s *Store) fillReview(ctx context.Context, it *forum.ReviewItem) error {
	var authorID int64
	switch it.Kind {
	case forum.ItemProposal:
		p, err := s.Proposal(ctx, it.ItemID)
		if err != nil {
			return err
		}
		authorID, it.Title, it.Body, it.ModState = p.AuthorID, p.Title, p.Body, p.ModState
		it.Path = "/proposals/" + itoa64(p.ID)
	case forum.ItemComment:
		c, err := s.Comment(ctx, it.ItemID)
		if err != nil {
			return err
		}
		authorID, it.Body, it.ModState = c.AuthorID, c.Body, c.ModState
		it.Path = c.Subject().Path() + "?comment=" + itoa64(c.ID) + "#c" + itoa64(c.ID)
	case forum.ItemUser:
		authorID, it.ModState, it.Path = it.ItemID, forum.ModVisible, "/users/"+itoa64(it.ItemID)
	}
	u, err := s.User(ctx, authorID)
	if err != nil {
		return err
	}
	it.Author = u
	if it.Kind == forum.ItemUser {
		it.Title = u.Name
	}
	err = s.r.QueryRowContext(ctx, `SELECT count(*) FROM moderation_actions WHERE actor_id IS NOT NULL AND (
		(item_kind = 'user' AND item_id = ?1)
		OR (item_kind = 'comment' AND item_id IN (SELECT id FROM comments WHERE author_id = ?1))
		OR (item_kind = 'proposal' AND item_id IN (SELECT id FROM proposals WHERE author_id = ?1)))`, authorID).Scan(&it.AuthorActions)
	if err != nil {
		return fmt.Errorf("author record: %w", mapErr(err))
	}
	rows, err := s.r.QueryContext(ctx, `SELECT id, reporter_id, reason, text, created_at FROM reports WHERE item_kind = ? AND item_id = ? ORDER BY id`,
		it.Kind, it.ItemID)
	if err != nil {
		return fmt.Errorf("reports: %w", mapErr(err))
	}
	defer rows.Close()
	for rows.Next() {
		r := forum.Report{Kind: it.Kind, ItemID: it.ItemID}
		var created int64
		if err := rows.Scan(&r.ID, &r.ReporterID, &r.Reason, &r.Text, &created); err != nil {
			return fmt.Errorf("reports: %w", err)
		}
		r.CreatedAt = fromUnix(created)
		it.Reports = append(it.Reports, r)
	}
	return rows.Err()
}

// PendingAppeals returns the appeals waiting for a decision, oldest first.
func (s *Store) PendingAppeals(ctx context.Context) ([]*forum.Appeal, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT a.id, a.item_kind, a.item_id, a.author_id, u.name, a.text, a.state, COALESCE(a.hidden_by, 0), a.created_at
		FROM appeals a JOIN users u ON u.id = a.author_id WHERE a.state = 'pending' ORDER BY a.id`)
	if err != nil {
		return nil, fmt.Errorf("pending appeals: %w", mapErr(err))
	}
	var out []*forum.Appeal
	for rows.Next() {
		a := &forum.Appeal{}
		var created int64
		if err := rows.Scan(&a.ID, &a.Kind, &a.ItemID, &a.AuthorID, &a.AuthorName, &a.Text, &a.State, &a.HiddenBy, &created); err != nil {
			rows.Close()
			return nil, fmt.Errorf("pending appeals: %w", err)
		}
		a.CreatedAt = fromUnix(created)
		out = append(out, a)
	}
	rows.Close()
	for _, a := range out {
		table := "comments"
		if a.Kind == forum.ItemProposal {
			table = "proposals"
			a.Path = "/proposals/" + itoa64(a.ItemID)
		}
		var pid, did sql.NullInt64
		q := `SELECT mod_reason, NULL, NULL FROM proposals WHERE id = ?`
		if table == "comments" {
			q = `SELECT mod_reason, proposal_id, debate_id FROM comments WHERE id = ?`
		}
		if err := s.r.QueryRowContext(ctx, q, a.ItemID).Scan(&a.ReasonCode, &pid, &did); err != nil {
			return nil, fmt.Errorf("pending appeals: %w", mapErr(err))
		}
		switch {
		case did.Valid:
			a.Path = forum.DebateSubject(did.Int64).Path() + "?comment=" + itoa64(a.ItemID) + "#c" + itoa64(a.ItemID)
		case pid.Valid:
			a.Path = forum.ProposalSubject(pid.Int64).Path() + "?comment=" + itoa64(a.ItemID) + "#c" + itoa64(a.ItemID)
		}
	}
	return out, nil
}

func itoa64(n int64) string { return fmt.Sprint(n) }

// holdEdit sends an edited, visible item back to review when the content rules tripped.
func holdEdit(ctx context.Context, t *tx, kind forum.ItemKind, id int64, was forum.ModState, rules []string) error {
	if len(rules) == 0 || was != forum.ModVisible {
		return nil
	}
	if err := setModState(ctx, t, kind, id, forum.ModHeld, ""); err != nil {
		return err
	}
	return hold(ctx, t, kind, id, rules)
}
