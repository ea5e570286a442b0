package store

import (
	"context"
	"fmt"
	"strings"

	"github.com/e-people/e-people/forum"
	"github.com/e-people/e-people/moderation"
)

// Edits told to supporters, and substantial edits waiting for a moderator
// (issue 18). EditProposal (proposals.go) decides, by forum.NeedsReview,
// whether an edit is shown at once (applyEdit) or saved as a pending
// revision; DecideEdit publishes a pending one through the same applyEdit.

// EditOutcome is what an edit did: the revision it saved, and whether that
// revision waits for a moderator instead of being shown.
type EditOutcome struct {
	Revision   int
	Pending    bool
	ChangedPct int
}

// nextRevision is the number the next revision of proposal id gets: one
// past every revision saved, shown or not.
func nextRevision(ctx context.Context, t *tx, id int64) (int, error) {
	var n int
	err := t.QueryRowContext(ctx, `SELECT COALESCE(max(number), 0) + 1 FROM proposal_revisions WHERE proposal_id = ?`, id).Scan(&n)
	return n, err
}

// shownRevision is the number of the revision proposal id shows now.
func shownRevision(ctx context.Context, t *tx, id int64) (int, error) {
	var n int
	err := t.QueryRowContext(ctx, `SELECT COALESCE(max(number), 0) FROM proposal_revisions WHERE proposal_id = ? AND state = 'published'`, id).Scan(&n)
	return n, err
}

// editText is the new text of an edit as applyEdit writes it.
type editText struct {
	Title, BodySrc, BodyHTML string
	CategoryID, MinistryID   int64
	ChangedPct               int
}

// applyEdit shows a new revision of p: the proposal's title and body
// change, the revision is saved as published (the pending revision
// number, when a moderator approved it; a new one otherwise), open pages
// are told, the content rules tripped (hold) send it back to review, and
// every supporter is told with a link to the diff. Both an author's
// ordinary edit and a moderator's approval go through here.
func applyEdit(ctx context.Context, t *tx, p *forum.Proposal, pending int, e editText, hold []string) (int, error) {
	from, err := shownRevision(ctx, t, p.ID)
	if err != nil {
		return 0, err
	}
	now := t.now.Unix()
	if _, err := t.ExecContext(ctx, `UPDATE proposals SET title = ?, body_src = ?, body_html = ?, category_id = ?, ministry_id = ?,
		revision_count = revision_count + 1, updated_at = ? WHERE id = ?`,
		e.Title, e.BodySrc, e.BodyHTML, e.CategoryID, e.MinistryID, now, p.ID); err != nil {
		return 0, err
	}
	n := pending
	if pending > 0 {
		if _, err := t.ExecContext(ctx, `UPDATE proposal_revisions SET state = 'published' WHERE proposal_id = ? AND number = ?`, p.ID, pending); err != nil {
			return 0, err
		}
	} else {
		if n, err = nextRevision(ctx, t, p.ID); err != nil {
			return 0, err
		}
		if _, err := t.ExecContext(ctx, `INSERT INTO proposal_revisions (proposal_id, number, title, body_src, body_html, created_at, state, changed_pct)
			VALUES (?, ?, ?, ?, ?, ?, 'published', ?)`, p.ID, n, e.Title, e.BodySrc, e.BodyHTML, now, e.ChangedPct); err != nil {
			return 0, err
		}
	}
	if err := t.event(ctx, forum.ProposalTopic(p.ID), forum.ProposalEditedEvent{ProposalID: p.ID, Revision: n}); err != nil {
		return 0, err
	}
	if err := holdEdit(ctx, t, forum.ItemProposal, p.ID, p.ModState, hold); err != nil {
		return 0, err
	}
	if err := indexProposal(ctx, t, p.ID); err != nil {
		return 0, err
	}
	if err := notifySupporters(ctx, t, p, from, n); err != nil {
		return 0, err
	}
	return n, nil
}

// notifySupporters tells every supporter of p (but its author) that p was
// edited from revision from to revision to, in one statement each for the
// notifications, their live events and the immediate e-mails, as
// notifyFollowersOf does. A supporter who has not yet read an earlier such
// notification about p is not told again: that one's diff (from its own
// starting revision to the newest) already shows this edit too, so an
// edit saved twice in quick succession reaches each supporter once.
func notifySupporters(ctx context.Context, t *tx, p *forum.Proposal, from, to int) error {
	if from == 0 || from == to {
		return nil
	}
	subject := forum.NoteSubject(string(forum.ItemProposal), p.ID)
	return notifyUsersIn(ctx, t, forum.NoteProposalEdited, subject,
		map[string]any{"proposal_id": p.ID, "from": from, "revision": to, "title": p.Title},
		`SELECT s.user_id FROM supports s WHERE s.proposal_id = ?1 AND s.user_id <> ?2 AND NOT EXISTS (SELECT 1 FROM notifications n
			WHERE n.user_id = s.user_id AND n.kind = ?3 AND n.subject = ?4 AND n.read_at IS NULL)`,
		p.ID, p.AuthorID, forum.NoteProposalEdited, subject)
}

// Edit saves the author's edit of proposal id while rules allow editing,
// and says what it did. An edit of a proposal past its threshold that
// changes more than the settings' EditReviewPercent of its text
// (forum.NeedsReview) is saved as a pending revision, and the proposal
// keeps showing its text until a moderator decides (DecideEdit). There is
// at most one pending revision: a newer edit replaces it (the replaced one
// is kept, rejected with the reason forum.ReasonEditReplaced) and is
// judged afresh against the text shown. Past the threshold, the category
// and the ministry no longer change by an edit: the ministry owes its
// answer. A non-empty hold (content rules tripped) sends a shown edit back
// to review; a pending one is reviewed anyway.
func (s *Store) Edit(ctx context.Context, id, authorID int64, in forum.ProposalInput, body moderation.Sanitized, rules forum.Rules, hold []string) (EditOutcome, error) {
	st := s.Settings()
	var out EditOutcome
	err := s.write(ctx, func(t *tx) error {
		out = EditOutcome{}
		p, err := scanProposal(t.QueryRowContext(ctx, `SELECT `+proposalCols+proposalFrom+`WHERE p.id = ?`, id))
		if err != nil {
			return err
		}
		if p.AuthorID != authorID {
			return forum.Refuse(forum.ErrForbidden, "err.not_your_proposal")
		}
		if !rules.CanEdit(p, t.now) {
			return forum.Refuse(forum.ErrInvalidState, "err.edit_closed")
		}
		if p.PastThreshold() && in.MinistryID != p.MinistryID {
			return forum.Invalid("ministry", "err.edit_ministry_fixed")
		}
		if p.PastThreshold() && in.CategoryID != p.CategoryID {
			return forum.Invalid("category", "err.edit_category_fixed")
		}
		if err := noPendingAppeal(ctx, t, forum.ItemProposal, id); err != nil {
			return err
		}
		if _, err := t.ExecContext(ctx, `UPDATE proposal_revisions SET state = 'rejected', decided_by = ?, decided_at = ?, decision_reason = ?
			WHERE proposal_id = ? AND state = 'pending'`, authorID, t.now.Unix(), forum.ReasonEditReplaced, id); err != nil {
			return err
		}
		out.ChangedPct = forum.EditChangedPercent(p.Title, p.BodySrc, in.Title, in.Body)
		if forum.NeedsReview(p, out.ChangedPct, st) {
			n, err := nextRevision(ctx, t, id)
			if err != nil {
				return err
			}
			if _, err := t.ExecContext(ctx, `INSERT INTO proposal_revisions (proposal_id, number, title, body_src, body_html, created_at, state, changed_pct)
				VALUES (?, ?, ?, ?, ?, ?, 'pending', ?)`, id, n, in.Title, in.Body, body.String(), t.now.Unix(), out.ChangedPct); err != nil {
				return err
			}
			out.Revision, out.Pending = n, true
			return nil
		}
		out.Revision, err = applyEdit(ctx, t, p, 0, editText{Title: in.Title, BodySrc: in.Body, BodyHTML: body.String(),
			CategoryID: in.CategoryID, MinistryID: in.MinistryID, ChangedPct: out.ChangedPct}, hold)
		return err
	})
	if err != nil {
		return EditOutcome{}, fmt.Errorf("edit proposal %d: %w", id, err)
	}
	return out, nil
}

// DecideEdit approves or rejects the pending revision number of proposal
// id, as moderator actor (who may not decide their own proposal's edit).
// Approval shows it exactly as an ordinary edit would (applyEdit: the
// proposal's text, its open pages, its supporters' notifications);
// rejection keeps the text shown and needs a reason, which the author is
// told. Both are in the public moderation log.
func (s *Store) DecideEdit(ctx context.Context, actor *forum.User, id int64, number int, approve bool, reason string, rules forum.Rules) error {
	reason = strings.TrimSpace(reason)
	err := s.write(ctx, func(t *tx) error {
		author, _, err := itemTarget(ctx, t, forum.ItemProposal, id)
		if err != nil {
			return err
		}
		if !forum.CanModerate(actor, author) {
			return forum.Refuse(forum.ErrForbidden, "err.cannot_moderate")
		}
		var e editText
		var state string
		if err := t.QueryRowContext(ctx, `SELECT title, body_src, body_html, changed_pct, state FROM proposal_revisions WHERE proposal_id = ? AND number = ?`,
			id, number).Scan(&e.Title, &e.BodySrc, &e.BodyHTML, &e.ChangedPct, &state); err != nil {
			return err
		}
		if forum.RevisionState(state) != forum.RevisionPending {
			return forum.Refuse(forum.ErrInvalidState, "err.edit_not_pending")
		}
		if !approve && reason == "" {
			return forum.Invalid("reason", "err.edit_reason_required")
		}
		if len([]rune(reason)) > forum.CommentBodyMax {
			return forum.Invalid("reason", "err.edit_reason_long")
		}
		p, err := scanProposal(t.QueryRowContext(ctx, `SELECT `+proposalCols+proposalFrom+`WHERE p.id = ?`, id))
		if err != nil {
			return err
		}
		now := t.now.Unix()
		action, note, to := forum.ActionEditApprove, forum.NoteEditApproved, string(forum.RevisionPublished)
		if approve {
			if !rules.CanEdit(p, t.now) {
				return forum.Refuse(forum.ErrInvalidState, "err.edit_closed")
			}
			e.CategoryID, e.MinistryID = p.CategoryID, p.MinistryID
			if _, err := applyEdit(ctx, t, p, number, e, nil); err != nil {
				return err
			}
		} else {
			action, note, to = forum.ActionEditReject, forum.NoteEditRejected, string(forum.RevisionRejected)
		}
		if _, err := t.ExecContext(ctx, `UPDATE proposal_revisions SET state = ?, decided_by = ?, decided_at = ?, decision_reason = ?
			WHERE proposal_id = ? AND number = ?`, to, actor.ID, now, reason, id, number); err != nil {
			return err
		}
		if err := audit(ctx, t, actor, action, forum.ItemProposal, id, reason, string(forum.RevisionPending), to); err != nil {
			return err
		}
		return notify(ctx, t, p.AuthorID, note, map[string]any{"kind": string(forum.ItemProposal), "id": id,
			"proposal_id": id, "revision": number, "reason": reason})
	})
	if err != nil {
		return fmt.Errorf("decide edit %d of proposal %d: %w", number, id, err)
	}
	return nil
}

const pendingCols = `r.number, r.title, r.body_src, r.changed_pct, r.created_at`

// PendingEdits lists the edits waiting for a moderator, oldest first, with
// the proposals as they are shown, at most limit.
func (s *Store) PendingEdits(ctx context.Context, limit int) ([]forum.PendingEdit, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+pendingCols+`, `+proposalCols+` FROM proposal_revisions r
		JOIN proposals p ON p.id = r.proposal_id JOIN users u ON u.id = p.author_id
		WHERE r.state = 'pending' ORDER BY r.created_at, r.proposal_id LIMIT ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("list pending edits: %w", mapErr(err))
	}
	defer rows.Close()
	var out []forum.PendingEdit
	for rows.Next() {
		var e forum.PendingEdit
		var created int64
		var p *forum.Proposal
		p, err := scanProposal(scanFunc(func(dest ...any) error {
			return rows.Scan(append([]any{&e.Number, &e.Title, &e.BodySrc, &e.ChangedPct, &created}, dest...)...)
		}))
		if err != nil {
			return nil, fmt.Errorf("list pending edits: %w", err)
		}
		e.Proposal, e.CreatedAt = p, fromUnix(created)
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list pending edits: %w", err)
	}
	return out, nil
}

// scanFunc makes a function a row for scanProposal.
type scanFunc func(dest ...any) error

// Scan calls f.
func (f scanFunc) Scan(dest ...any) error { return f(dest...) }

// PendingEdit returns proposal id's edit waiting for a moderator, or nil
// for none.
func (s *Store) PendingEdit(ctx context.Context, id int64) (*forum.Revision, error) {
	var n int
	err := s.r.QueryRowContext(ctx, `SELECT COALESCE(max(number), 0) FROM proposal_revisions WHERE proposal_id = ? AND state = 'pending'`, id).Scan(&n)
	if err != nil {
		return nil, fmt.Errorf("get pending edit of proposal %d: %w", id, mapErr(err))
	}
	if n == 0 {
		return nil, nil
	}
	return s.Revision(ctx, id, n)
}

// Revision returns revision n of proposal id, whatever its state.
func (s *Store) Revision(ctx context.Context, id int64, n int) (*forum.Revision, error) {
	r, err := scanRevision(id, s.r.QueryRowContext(ctx, `SELECT `+revisionCols+` FROM proposal_revisions WHERE proposal_id = ? AND number = ?`, id, n))
	if err != nil {
		return nil, fmt.Errorf("get revision %d of proposal %d: %w", n, id, mapErr(err))
	}
	return r, nil
}

const revisionCols = `number, title, body_src, body_html, created_at, state, changed_pct, COALESCE(decided_at, 0), decision_reason`

func scanRevision(id int64, row interface{ Scan(...any) error }) (*forum.Revision, error) {
	r := forum.Revision{ProposalID: id}
	var body string
	var created, decided int64
	if err := row.Scan(&r.Number, &r.Title, &r.BodySrc, &body, &created, &r.State, &r.ChangedPct, &decided, &r.Reason); err != nil {
		return nil, err
	}
	r.Body, r.CreatedAt, r.DecidedAt = moderation.TrustedFromStore(body), fromUnix(created), fromUnix(decided)
	return &r, nil
}
