package store

import (
	"context"
	"fmt"
	"time"

	"github.com/e-people/e-people/forum"
)

// UpdateMinistry saves a ministry's names and description; its slug never changes.
func (s *Store) UpdateMinistry(ctx context.Context, m forum.Ministry) error {
	err := s.write(ctx, func(t *tx) error {
		res, err := t.ExecContext(ctx, `UPDATE ministries SET name_ko = ?, name_en = ?, name_zh = ?, description = ? WHERE id = ?`,
			m.NameKO, m.NameEN, m.NameZH, m.Description, m.ID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return forum.ErrNotFound
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("update ministry %d: %w", m.ID, err)
	}
	return nil
}

// SetOfficial makes the citizen userID an official of ministryID, with an
// entry in the moderation log. Only an active admin may; a user who is not a
// citizen gives forum.ErrInvalidState, an unknown ministry a validation error.
func (s *Store) SetOfficial(ctx context.Context, actor *forum.User, userID, ministryID int64) error {
	if !actor.CanAdminister() {
		return forum.ErrForbidden
	}
	err := s.write(ctx, func(t *tx) error {
		var slug string
		if err := t.QueryRowContext(ctx, `SELECT slug FROM ministries WHERE id = ?`, ministryID).Scan(&slug); err != nil {
			if isNotFound(err) {
				return forum.Invalid("ministry", "err.ministry_required")
			}
			return err
		}
		var role forum.Role
		if err := t.QueryRowContext(ctx, `SELECT role FROM users WHERE id = ?`, userID).Scan(&role); err != nil {
			return err
		}
		if role != forum.RoleCitizen {
			return forum.ErrInvalidState
		}
		if _, err := t.ExecContext(ctx, `UPDATE users SET role = 'official', ministry_id = ? WHERE id = ?`, ministryID, userID); err != nil {
			return err
		}
		return audit(ctx, t, actor, forum.ActAppointOfficial, forum.ItemUser, userID, "", string(forum.RoleCitizen), string(forum.RoleOfficial)+":"+slug)
	})
	if err != nil {
		return fmt.Errorf("appoint official %d: %w", userID, err)
	}
	return nil
}

// AnswerSummary is a published answer as a ministry's page lists it.
type AnswerSummary struct {
	Proposal *forum.Proposal
	Decision forum.Decision
	Summary  string
	At       time.Time // when the current version was published
}

// RecentAnswers lists the latest answers to public proposals a ministry leads or co-answers, newest first.
func (s *Store) RecentAnswers(ctx context.Context, ministryID int64, limit int) ([]AnswerSummary, error) {
	if limit <= 0 || limit > 500 {
		limit = 20
	}
	rows, err := s.r.QueryContext(ctx, `SELECT `+proposalCols+`, r.decision, r.summary, r.updated_at`+proposalFrom+`
		JOIN responses r ON r.proposal_id = p.id
		WHERE (p.ministry_id = ? OR p.id IN (SELECT proposal_id FROM proposal_ministries WHERE ministry_id = ?))
		AND p.status IN (`+answeredStatuses+`) AND `+publicProposal+`
		ORDER BY r.updated_at DESC, p.id DESC LIMIT ?`, ministryID, ministryID, limit)
	if err != nil {
		return nil, fmt.Errorf("recent answers: %w", mapErr(err))
	}
	defer rows.Close()
	var out []AnswerSummary
	for rows.Next() {
		var a AnswerSummary
		var at int64
		if a.Proposal, err = scanProposal(newScanPlusRow(rows, &a.Decision, &a.Summary, &at)); err != nil {
			return nil, fmt.Errorf("recent answers: %w", err)
		}
		a.At = fromUnix(at)
		out = append(out, a)
	}
	return out, rows.Err()
}
