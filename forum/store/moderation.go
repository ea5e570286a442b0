package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/e-people/e-people/forum"
	"github.com/e-people/e-people/moderation"
)

// itemTarget returns the author of a proposal or comment, or the user
// itself, and the item's moderation state, inside t.
func itemTarget(ctx context.Context, t *tx, kind forum.ItemKind, id int64) (*forum.User, forum.ModState, error) {
	var authorID int64
	state := forum.ModVisible
	var err error
	switch kind {
	case forum.ItemProposal:
		err = t.QueryRowContext(ctx, `SELECT author_id, mod_state FROM proposals WHERE id = ?`, id).Scan(&authorID, &state)
	case forum.ItemComment:
		err = t.QueryRowContext(ctx, `SELECT author_id, mod_state FROM comments WHERE id = ?`, id).Scan(&authorID, &state)
	case forum.ItemUser:
		authorID = id
	default:
		return nil, "", forum.Invalid("kind", "err.bad_item")
	}
	if err != nil {
		return nil, "", err
	}
	u, err := scanUser(t.QueryRowContext(ctx, `SELECT `+userCols+` FROM users WHERE id = ?`, authorID))
	return u, state, err
}

// audit writes one row of the public moderation log; actor nil is the system.
func audit(ctx context.Context, t *tx, actor *forum.User, action string, kind forum.ItemKind, id int64, reason, before, after string) error {
	var actorID any
	role := "system"
	if actor != nil {
		actorID, role = actor.ID, string(actor.Role)
	}
	_, err := t.ExecContext(ctx, `INSERT INTO moderation_actions (actor_id, actor_role, action, item_kind, item_id, reason_code, before_state, after_state, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, actorID, role, action, kind, id, reason, before, after, t.now.Unix())
	return err
}

// notify leaves userID a notification and tells their open pages. Its
// subject is the item data names ("kind" and "id"), if any.
func notify(ctx context.Context, t *tx, userID int64, kind string, data map[string]any) error {
	subject := ""
	if k, ok := data["kind"]; ok {
		if id, ok := data["id"].(int64); ok {
			item := forum.ItemKind(fmt.Sprint(k))
			subject = forum.NoteSubject(string(item), id)
			if err := describeItem(ctx, t, item, id, data); err != nil {
				return err
			}
		}
	}
	return notifyAbout(ctx, t, userID, kind, subject, data)
}

// notifyAbout leaves userID a notification about subject (forum.NoteSubject)
// and tells their open pages.
func notifyAbout(ctx context.Context, t *tx, userID int64, kind, subject string, data map[string]any) error {
	payload, err := jsonString(data)
	if err != nil {
		return err
	}
	var id int64
	if err := t.QueryRowContext(ctx, `INSERT INTO notifications (user_id, kind, data, created_at, subject) VALUES (?, ?, ?, ?, ?) RETURNING id`,
		userID, kind, payload, t.now.Unix(), subject).Scan(&id); err != nil {
		return err
	}
	if err := mailRequestNote(ctx, t, userID, kind, subject, payload); err != nil {
		return err
	}
	var unread int
	if err := t.QueryRowContext(ctx, `SELECT count(*) FROM notifications WHERE user_id = ? AND read_at IS NULL`, userID).Scan(&unread); err != nil {
		return err
	}
	return t.event(ctx, forum.UserTopic(userID), forum.NotificationEvent{NotificationID: id, Kind: kind, Unread: unread})
}

// noPendingAppeal refuses to change an item while an appeal on it waits:
// the appeal must be judged on the text that was hidden.
func noPendingAppeal(ctx context.Context, t *tx, kind forum.ItemKind, id int64) error {
	var pending bool
	if err := t.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM appeals WHERE item_kind = ? AND item_id = ? AND state = 'pending')`,
		kind, id).Scan(&pending); err != nil {
		return err
	}
	if pending {
		return fmt.Errorf("an appeal on %s %d is pending: %w", kind, id, forum.Refuse(forum.ErrInvalidState, "err.appeal_pending"))
	}
	return nil
}

// setModState moves an item between visible, held and hidden, and tells open pages.
func setModState(ctx context.Context, t *tx, kind forum.ItemKind, id int64, state forum.ModState, reason string) error {
	switch kind {
	case forum.ItemProposal:
		if _, err := t.ExecContext(ctx, `UPDATE proposals SET mod_state = ?, mod_reason = ? WHERE id = ?`, state, reason, id); err != nil {
			return err
		}
		if err := indexProposal(ctx, t, id); err != nil {
			return err
		}
		var ev forum.EventData = forum.ProposalHiddenEvent{ProposalID: id, Reason: reason}
		if state == forum.ModVisible {
			ev = forum.ProposalRestoredEvent{ProposalID: id, Reason: reason}
		}
		return t.event(ctx, forum.ProposalTopic(id), ev)
	case forum.ItemComment:
		if _, err := t.ExecContext(ctx, `UPDATE comments SET mod_state = ?, mod_reason = ? WHERE id = ?`, state, reason, id); err != nil {
			return err
		}
		if err := indexComment(ctx, t, id); err != nil {
			return err
		}
		var pid, did sql.NullInt64
		var stance forum.Stance
		if err := t.QueryRowContext(ctx, `SELECT proposal_id, debate_id, stance FROM comments WHERE id = ?`, id).Scan(&pid, &did, &stance); err != nil {
			return err
		}
		subj := forum.ProposalSubject(pid.Int64)
		if did.Valid {
			subj = forum.DebateSubject(did.Int64)
		}
		var ev forum.EventData = forum.CommentHiddenEvent{CommentID: id, ProposalID: subj.ProposalID(), DebateID: subj.DebateID(), Stance: stance, Reason: reason}
		if state == forum.ModVisible {
			ev = forum.CommentRestoredEvent{CommentID: id, ProposalID: subj.ProposalID(), DebateID: subj.DebateID(), Stance: stance, Reason: reason}
		}
		return t.event(ctx, subj.Topic(), ev)
	}
	return forum.Invalid("kind", "err.bad_item")
}

// resolveReview closes the item's pending review entry, if any, as state,
// and settles the reports behind it.
func resolveReview(ctx context.Context, t *tx, actor *forum.User, kind forum.ItemKind, id int64, state moderation.ReviewState) error {
	if _, err := t.ExecContext(ctx, `UPDATE review_items SET state = ?, resolved_by = ?, resolved_at = ? WHERE item_kind = ? AND item_id = ? AND state = `+reviewPending,
		string(state), actor.ID, t.now.Unix(), kind, id); err != nil {
		return err
	}
	return settleReports(ctx, t, kind, id)
}

// settleReports marks an item's reports as decided on, so only new ones count towards hiding it again.
func settleReports(ctx context.Context, t *tx, kind forum.ItemKind, id int64) error {
	_, err := t.ExecContext(ctx, `UPDATE reports SET settled = 1 WHERE item_kind = ? AND item_id = ? AND settled = 0`, kind, id)
	return err
}

// queue puts an item in the review queue unless it is already pending there.
func queue(ctx context.Context, t *tx, kind forum.ItemKind, id int64, rules []string) error {
	_, err := t.ExecContext(ctx, `INSERT INTO review_items (item_kind, item_id, rules, created_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (item_kind, item_id) WHERE state = `+reviewPending+` DO UPDATE SET rules = CASE WHEN review_items.rules = '' THEN excluded.rules
		WHEN excluded.rules = '' THEN review_items.rules ELSE review_items.rules || ',' || excluded.rules END`,
		kind, id, strings.Join(rules, ","), t.now.Unix())
	return err
}

// hold keeps a new post from the public until a moderator approves it; its audit row names the rules tripped.
func hold(ctx context.Context, t *tx, kind forum.ItemKind, id int64, rules []string) error {
	if err := queue(ctx, t, kind, id, rules); err != nil {
		return err
	}
	return audit(ctx, t, nil, forum.ActHold, kind, id, strings.Join(rules, ","), string(forum.ModVisible), string(forum.ModHeld))
}

// Report records one user's report of an item and queues it for review.
// When autoHide distinct users have reported visible content, it is hidden
// pending review; Report says whether that happened. A report past limit
// fails with a *CapError; a nil limit limits nothing.
func (s *Store) Report(ctx context.Context, r forum.Report, autoHide int, limit *Cap) (hidden bool, err error) {
	err = s.write(ctx, func(t *tx) error {
		author, state, err := itemTarget(ctx, t, r.Kind, r.ItemID)
		if err != nil {
			return err
		}
		if author.ID == r.ReporterID {
			return forum.Refuse(forum.ErrForbidden, "err.report_own")
		}
		if _, err := t.ExecContext(ctx, `INSERT INTO reports (item_kind, item_id, reporter_id, reason, text, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
			r.Kind, r.ItemID, r.ReporterID, r.Reason, r.Text, t.now.Unix()); err != nil {
			if isUnique(err) {
				return forum.ErrConflict
			}
			return err
		}
		if err := t.spend(ctx, ActivityReports, r.ReporterID, limit); err != nil {
			return err
		}
		if err := queue(ctx, t, r.Kind, r.ItemID, nil); err != nil {
			return err
		}
		if r.Kind == forum.ItemUser || state != forum.ModVisible || autoHide <= 0 {
			return nil
		}
		// Only reports no moderator has decided on yet count: a dismissed report must not hide the item again.
		var reporters int
		if err := t.QueryRowContext(ctx, `SELECT count(DISTINCT reporter_id) FROM reports WHERE item_kind = ? AND item_id = ? AND settled = 0`,
			r.Kind, r.ItemID).Scan(&reporters); err != nil {
			return err
		}
		if reporters < autoHide {
			return nil
		}
		hidden = true
		if err := setModState(ctx, t, r.Kind, r.ItemID, forum.ModHidden, forum.ReasonAutoHidden); err != nil {
			return err
		}
		if err := audit(ctx, t, nil, forum.ActAutoHide, r.Kind, r.ItemID, forum.ReasonAutoHidden, string(state), string(forum.ModHidden)); err != nil {
			return err
		}
		return notify(ctx, t, author.ID, forum.NoteContentHidden, map[string]any{"kind": r.Kind, "id": r.ItemID, "reason": forum.ReasonAutoHidden})
	})
	if err != nil {
		return false, fmt.Errorf("report %s %d: %w", r.Kind, r.ItemID, err)
	}
	return hidden, nil
}

// Hide takes a proposal or comment down with a public reason code, closes its review entry and tells its author.
func (s *Store) Hide(ctx context.Context, actor *forum.User, kind forum.ItemKind, id int64, reason moderation.HideReason) error {
	if !reason.Valid() {
		return forum.Invalid("reason", "err.reason_required")
	}
	err := s.write(ctx, func(t *tx) error {
		author, state, err := itemTarget(ctx, t, kind, id)
		if err != nil {
			return err
		}
		if kind == forum.ItemUser || !forum.CanModerate(actor, author) {
			return forum.Refuse(forum.ErrForbidden, "err.cannot_moderate")
		}
		if state == forum.ModHidden {
			var current string
			if err := t.QueryRowContext(ctx, `SELECT mod_reason FROM `+string(kind)+`s WHERE id = ?`, id).Scan(&current); err != nil {
				return err
			}
			if moderation.HiddenByModerator(moderation.PostState(state), current) {
				return forum.Refuse(forum.ErrInvalidState, "err.already_hidden")
			}
		}
		if err := setModState(ctx, t, kind, id, forum.ModHidden, string(reason)); err != nil {
			return err
		}
		if err := resolveReview(ctx, t, actor, kind, id, moderation.ReviewRejected); err != nil {
			return err
		}
		if err := audit(ctx, t, actor, forum.ActHide, kind, id, string(reason), string(state), string(forum.ModHidden)); err != nil {
			return err
		}
		return notify(ctx, t, author.ID, forum.NoteContentHidden, map[string]any{"kind": kind, "id": id, "reason": reason})
	})
	if err != nil {
		return fmt.Errorf("hide %s %d: %w", kind, id, err)
	}
	return nil
}

// Restore shows a held or hidden proposal or comment again.
func (s *Store) Restore(ctx context.Context, actor *forum.User, kind forum.ItemKind, id int64) error {
	err := s.write(ctx, func(t *tx) error {
		return restore(ctx, t, actor, forum.ActRestore, kind, id, true)
	})
	if err != nil {
		return fmt.Errorf("restore %s %d: %w", kind, id, err)
	}
	return nil
}

// restore shows a hidden or held item again; tell says whether its author
// gets a NoteContentRestored (not when an appeal's decision tells them).
func restore(ctx context.Context, t *tx, actor *forum.User, action string, kind forum.ItemKind, id int64, tell bool) error {
	author, state, err := itemTarget(ctx, t, kind, id)
	if err != nil {
		return err
	}
	if kind == forum.ItemUser || !forum.CanModerate(actor, author) {
		return forum.Refuse(forum.ErrForbidden, "err.cannot_moderate")
	}
	if state == forum.ModVisible {
		return forum.Refuse(forum.ErrInvalidState, "err.already_visible")
	}
	if err := setModState(ctx, t, kind, id, forum.ModVisible, ""); err != nil {
		return err
	}
	if err := resolveReview(ctx, t, actor, kind, id, moderation.ReviewApproved); err != nil {
		return err
	}
	if err := audit(ctx, t, actor, action, kind, id, "", string(state), string(forum.ModVisible)); err != nil {
		return err
	}
	if !tell {
		return nil
	}
	return notify(ctx, t, author.ID, forum.NoteContentRestored, map[string]any{"kind": kind, "id": id})
}

// Claim marks a pending review entry as being worked by actor, so two
// moderators do not take the same one. A claim older than forum.ClaimTTL
// may be taken over; one that holds gives a *forum.ClaimedError.
func (s *Store) Claim(ctx context.Context, actor *forum.User, reviewID int64) error {
	if !forum.IsModerator(actor) {
		return forum.ErrForbidden
	}
	err := s.write(ctx, func(t *tx) error {
		var kind forum.ItemKind
		var id int64
		var state string
		if err := t.QueryRowContext(ctx, `SELECT item_kind, item_id, state FROM review_items WHERE id = ?`, reviewID).Scan(&kind, &id, &state); err != nil {
			return err
		}
		if state != string(moderation.ReviewPending) {
			return forum.Refuse(forum.ErrInvalidState, "err.review_decided")
		}
		author, _, err := itemTarget(ctx, t, kind, id)
		if err != nil {
			return err
		}
		if !forum.CanModerate(actor, author) {
			return forum.Refuse(forum.ErrForbidden, "err.cannot_moderate")
		}
		res, err := t.ExecContext(ctx, `UPDATE review_items SET claimed_by = ?, claimed_at = ? WHERE id = ? AND state = `+reviewPending+`
			AND (claimed_by IS NULL OR claimed_by = ? OR claimed_at < ?)`, actor.ID, t.now.Unix(), reviewID, actor.ID, t.now.Add(-forum.ClaimTTL).Unix())
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return heldClaim(ctx, t, reviewID)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("claim review %d: %w", reviewID, err)
	}
	return nil
}

// heldClaim is the refusal of a write to review entry reviewID that a
// conditional UPDATE found claimed by someone else, or no longer pending.
func heldClaim(ctx context.Context, t *tx, reviewID int64) error {
	var by, at int64
	var name, state string
	if err := t.QueryRowContext(ctx, `SELECT r.state, COALESCE(r.claimed_by, 0), COALESCE(r.claimed_at, 0), COALESCE(u.name, '')
		FROM review_items r LEFT JOIN users u ON u.id = r.claimed_by WHERE r.id = ?`, reviewID).Scan(&state, &by, &at, &name); err != nil {
		return err
	}
	if state != string(moderation.ReviewPending) || by == 0 {
		return forum.Refuse(forum.ErrInvalidState, "err.review_decided")
	}
	return &forum.ClaimedError{By: name, ByID: by, Until: fromUnix(at).Add(forum.ClaimTTL)}
}

// Decide resolves a pending review entry: it loads the entry and its item,
// lets moderation.Decide make the decision, and applies the outcome. While
// another moderator's claim on the entry holds (forum.ClaimTTL), only they
// or an administrator may decide it: anyone else gets a
// *forum.ClaimedError, and the entry is closed by one conditional UPDATE, so
// two nodes deciding at once cannot both win.
func (s *Store) Decide(ctx context.Context, actor *forum.User, reviewID int64, d moderation.Decision, reason moderation.HideReason) error {
	err := s.write(ctx, func(t *tx) error {
		var kind forum.ItemKind
		var id int64
		var r moderation.Review
		if err := t.QueryRowContext(ctx, `SELECT item_kind, item_id, state FROM review_items WHERE id = ?`, reviewID).Scan(&kind, &id, &r.State); err != nil {
			return err
		}
		if r.State != moderation.ReviewPending {
			return forum.Refuse(forum.ErrInvalidState, "err.review_decided")
		}
		author, state, err := itemTarget(ctx, t, kind, id)
		if err != nil {
			return err
		}
		r.Account, r.Post, r.Allowed = kind == forum.ItemUser, moderation.PostState(state), forum.CanModerate(actor, author)
		if !r.Account && state == forum.ModHidden {
			if err := t.QueryRowContext(ctx, `SELECT mod_reason FROM `+string(kind)+`s WHERE id = ?`, id).Scan(&r.Reason); err != nil {
				return err
			}
		}
		out, err := moderation.Decide(r, d, reason)
		switch {
		case errors.Is(err, moderation.ErrNotAllowed):
			return forum.Refuse(forum.ErrForbidden, "err.cannot_moderate")
		case errors.Is(err, moderation.ErrReasonRequired):
			return forum.Invalid("reason", "err.reason_required")
		case err != nil:
			return forum.ErrInvalidState
		}
		// The claim is checked by the UPDATE itself: an administrator
		// overrides it; anyone else decides an entry unclaimed, their own,
		// or claimed longer ago than the claim lasts.
		q := `UPDATE review_items SET state = ?, resolved_by = ?, resolved_at = ? WHERE id = ? AND state = ` + reviewPending
		args := []any{string(out.Review), actor.ID, t.now.Unix(), reviewID}
		if actor.Role != forum.RoleAdmin {
			q += ` AND (claimed_by IS NULL OR claimed_by = ? OR claimed_at < ?)`
			args = append(args, actor.ID, t.now.Add(-forum.ClaimTTL).Unix())
		}
		res, err := t.ExecContext(ctx, q, args...)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return heldClaim(ctx, t, reviewID)
		}
		if err := settleReports(ctx, t, kind, id); err != nil {
			return err
		}
		if out.Release {
			if _, err := t.ExecContext(ctx, `UPDATE users SET held = 0 WHERE id = ?`, id); err != nil {
				return err
			}
		}
		if out.Change {
			if err := setModState(ctx, t, kind, id, forum.ModState(out.After), out.Reason); err != nil {
				return err
			}
			note := forum.NoteContentRestored
			if out.After == moderation.PostHidden {
				note = forum.NoteContentHidden
			}
			if err := notify(ctx, t, author.ID, note, map[string]any{"kind": kind, "id": id, "reason": out.Reason}); err != nil {
				return err
			}
		}
		return audit(ctx, t, actor, out.Action, kind, id, out.Reason, string(out.Before), string(out.After))
	})
	if err != nil {
		return fmt.Errorf("decide review %d: %w", reviewID, err)
	}
	return nil
}

// SetLock locks a proposal's or debate's thread (no new comments or votes) or unlocks it.
func (s *Store) SetLock(ctx context.Context, actor *forum.User, subject forum.Subject, locked bool) error {
	err := s.write(ctx, func(t *tx) error {
		_, table := subjectSQL(subject)
		owner := "author_id"
		if subject.Kind == forum.KindDebate {
			owner = "host_id"
		}
		var ownerID int64
		var was bool
		if err := t.QueryRowContext(ctx, `SELECT `+owner+`, locked FROM `+table+` WHERE id = ?`, subject.ID).Scan(&ownerID, &was); err != nil {
			return err
		}
		o, err := scanUser(t.QueryRowContext(ctx, `SELECT `+userCols+` FROM users WHERE id = ?`, ownerID))
		if err != nil {
			return err
		}
		if !forum.CanModerate(actor, o) {
			return forum.ErrForbidden
		}
		if was == locked {
			return forum.Refuse(forum.ErrInvalidState, "err.lock_unchanged")
		}
		if _, err := t.ExecContext(ctx, `UPDATE `+table+` SET locked = ? WHERE id = ?`, locked, subject.ID); err != nil {
			return err
		}
		action, before, after := forum.ActLock, "unlocked", "locked"
		if !locked {
			action, before, after = forum.ActUnlock, "locked", "unlocked"
		}
		if err := t.event(ctx, subject.Topic(), forum.ThreadLockedEvent{ProposalID: subject.ProposalID(), DebateID: subject.DebateID(), Locked: locked}); err != nil {
			return err
		}
		return audit(ctx, t, actor, action, forum.ItemKind(subject.Kind), subject.ID, "", before, after)
	})
	if err != nil {
		return fmt.Errorf("lock %s: %w", subject.Topic(), err)
	}
	return nil
}

// Suspend stops a user from posting until until, or for good when until is
// zero (a ban, which also ends every session of the account). The account's
// notification event (forum.NoteSuspended) tells the live layer to close its sockets.
func (s *Store) Suspend(ctx context.Context, actor *forum.User, userID int64, until time.Time, reason moderation.HideReason) error {
	if !reason.Valid() {
		return forum.Invalid("reason", "err.reason_required")
	}
	err := s.write(ctx, func(t *tx) error {
		target, _, err := itemTarget(ctx, t, forum.ItemUser, userID)
		if err != nil {
			return err
		}
		if !forum.CanModerate(actor, target) || target.ID == actor.ID {
			return forum.Refuse(forum.ErrForbidden, "err.cannot_moderate")
		}
		status, action, untilV := forum.UserSuspended, forum.ActSuspend, any(until.Unix())
		if until.IsZero() {
			status, action, untilV = forum.UserBanned, forum.ActBan, nil
		} else if !until.After(t.now) {
			return forum.Invalid("until", "err.until_past")
		}
		if _, err := t.ExecContext(ctx, `UPDATE users SET status = ?, suspended_until = ? WHERE id = ?`, status, untilV, userID); err != nil {
			return err
		}
		if status == forum.UserBanned { // a ban signs the account out everywhere
			if _, err := t.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = ?`, userID); err != nil {
				return err
			}
		}
		after := string(status)
		if !until.IsZero() {
			after += " until " + until.UTC().Format(time.RFC3339)
		}
		if err := resolveReview(ctx, t, actor, forum.ItemUser, userID, moderation.ReviewRejected); err != nil {
			return err
		}
		if err := audit(ctx, t, actor, action, forum.ItemUser, userID, string(reason), string(target.Status), after); err != nil {
			return err
		}
		data := map[string]any{"reason": reason}
		if !until.IsZero() {
			data["until"] = until.Unix()
		}
		return notify(ctx, t, userID, forum.NoteSuspended, data)
	})
	if err != nil {
		return fmt.Errorf("suspend user %d: %w", userID, err)
	}
	return nil
}

// Lift ends a suspension or ban early.
func (s *Store) Lift(ctx context.Context, actor *forum.User, userID int64) error {
	err := s.write(ctx, func(t *tx) error {
		target, _, err := itemTarget(ctx, t, forum.ItemUser, userID)
		if err != nil {
			return err
		}
		if !forum.CanModerate(actor, target) {
			return forum.ErrForbidden
		}
		if target.Active() {
			return forum.Refuse(forum.ErrInvalidState, "err.not_suspended")
		}
		if _, err := t.ExecContext(ctx, `UPDATE users SET status = 'active', suspended_until = NULL WHERE id = ?`, userID); err != nil {
			return err
		}
		return audit(ctx, t, actor, forum.ActLift, forum.ItemUser, userID, "", string(target.Status), string(forum.UserActive))
	})
	if err != nil {
		return fmt.Errorf("lift user %d: %w", userID, err)
	}
	return nil
}

// Appoint makes a citizen a moderator; only admins may.
func (s *Store) Appoint(ctx context.Context, actor *forum.User, userID int64) error {
	if !actor.CanAdminister() {
		return forum.ErrForbidden
	}
	err := s.write(ctx, func(t *tx) error {
		res, err := t.ExecContext(ctx, `UPDATE users SET role = 'moderator' WHERE id = ? AND role = 'citizen'`, userID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return forum.ErrInvalidState
		}
		return audit(ctx, t, actor, forum.ActAppoint, forum.ItemUser, userID, "", string(forum.RoleCitizen), string(forum.RoleModerator))
	})
	if err != nil {
		return fmt.Errorf("appoint moderator %d: %w", userID, err)
	}
	return nil
}

// FileAppeal lets the author of content a moderator hid ask, once and within
// the appeal window, for it to be restored.
func (s *Store) FileAppeal(ctx context.Context, authorID int64, kind forum.ItemKind, id int64, text string) error {
	err := s.write(ctx, func(t *tx) error {
		if kind != forum.ItemProposal && kind != forum.ItemComment {
			return forum.Invalid("kind", "err.bad_item")
		}
		author, state, err := itemTarget(ctx, t, kind, id)
		if err != nil {
			return err
		}
		if author.ID != authorID {
			return forum.Refuse(forum.ErrForbidden, "err.not_your_post")
		}
		var hiddenBy sql.NullInt64
		var hiddenAt int64
		err = t.QueryRowContext(ctx, `SELECT actor_id, created_at FROM moderation_actions WHERE item_kind = ? AND item_id = ?
			AND action IN ('hide', 'reject', 'auto_hide') ORDER BY id DESC LIMIT 1`, kind, id).Scan(&hiddenBy, &hiddenAt)
		if err != nil && !isNotFound(err) {
			return err
		}
		if state != forum.ModHidden || err != nil {
			return forum.Refuse(forum.ErrInvalidState, "err.appeal_not_hidden")
		}
		var appealed bool
		if err := t.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM appeals WHERE item_kind = ? AND item_id = ?)`, kind, id).Scan(&appealed); err != nil {
			return err
		}
		if !moderation.CanAppeal(fromUnix(hiddenAt), t.now, appealed) {
			return forum.Refuse(forum.ErrInvalidState, "err.appeal_closed")
		}
		_, err = t.ExecContext(ctx, `INSERT INTO appeals (item_kind, item_id, author_id, text, hidden_by, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
			kind, id, authorID, text, hiddenBy, t.now.Unix())
		return err
	})
	if err != nil {
		return fmt.Errorf("appeal %s %d: %w", kind, id, err)
	}
	return nil
}

// DecideAppeal grants (restoring the item) or denies an appeal. The
// moderator who hid the item may not decide it; the author is told either way.
func (s *Store) DecideAppeal(ctx context.Context, actor *forum.User, appealID int64, grant bool, reason string) error {
	err := s.write(ctx, func(t *tx) error {
		var a forum.Appeal
		var hiddenBy sql.NullInt64
		if err := t.QueryRowContext(ctx, `SELECT item_kind, item_id, author_id, state, hidden_by FROM appeals WHERE id = ?`, appealID).
			Scan(&a.Kind, &a.ItemID, &a.AuthorID, &a.State, &hiddenBy); err != nil {
			return err
		}
		if !forum.IsModerator(actor) {
			return forum.Refuse(forum.ErrForbidden, "err.staff_only")
		}
		if hiddenBy.Valid && hiddenBy.Int64 == actor.ID {
			return forum.Refuse(forum.ErrForbidden, "err.appeal_own_hide")
		}
		if a.State != "pending" {
			return forum.Refuse(forum.ErrInvalidState, "err.appeal_decided")
		}
		state := "denied"
		if grant {
			state = "granted"
			// The author hears of it once, by the appeal's decision below.
			if err := restore(ctx, t, actor, forum.ActAppealOK, a.Kind, a.ItemID, false); err != nil {
				return err
			}
		} else {
			author, _, err := itemTarget(ctx, t, a.Kind, a.ItemID)
			if err != nil {
				return err
			}
			if !forum.CanModerate(actor, author) {
				return forum.ErrForbidden
			}
			if err := audit(ctx, t, actor, forum.ActAppealDeny, a.Kind, a.ItemID, "", string(forum.ModHidden), string(forum.ModHidden)); err != nil {
				return err
			}
		}
		if _, err := t.ExecContext(ctx, `UPDATE appeals SET state = ?, decided_by = ?, decision_reason = ?, decided_at = ? WHERE id = ?`,
			state, actor.ID, reason, t.now.Unix(), appealID); err != nil {
			return err
		}
		return notify(ctx, t, a.AuthorID, forum.NoteAppealDecided, map[string]any{"kind": a.Kind, "id": a.ItemID, "granted": grant, "reason": reason})
	})
	if err != nil {
		return fmt.Errorf("decide appeal %d: %w", appealID, err)
	}
	return nil
}

// ModerationLog returns public log rows older than before (all when 0), newest first.
func (s *Store) ModerationLog(ctx context.Context, before int64, limit int) ([]forum.ModAction, error) {
	if limit <= 0 || limit > 500 {
		limit = 100
	}
	if before <= 0 {
		before = 1 << 62
	}
	rows, err := s.r.QueryContext(ctx, `SELECT id, actor_role, action, item_kind, item_id, reason_code, before_state, after_state, created_at
		FROM moderation_actions WHERE id < ? ORDER BY id DESC LIMIT ?`, before, limit)
	if err != nil {
		return nil, fmt.Errorf("moderation log: %w", mapErr(err))
	}
	defer rows.Close()
	var out []forum.ModAction
	for rows.Next() {
		var a forum.ModAction
		var created int64
		if err := rows.Scan(&a.ID, &a.ActorRole, &a.Action, &a.Kind, &a.ItemID, &a.ReasonCode, &a.Before, &a.After, &created); err != nil {
			return nil, fmt.Errorf("moderation log: %w", err)
		}
		a.CreatedAt = fromUnix(created)
		out = append(out, a)
	}
	return out, rows.Err()
}

// ModStats is the moderation dashboard.
type ModStats struct {
	Pending         int
	OldestPending   time.Duration // age of the oldest pending entry
	PendingAppeals  int
	ActionsPerDay   []DayCount    // moderator actions on each of the last 7 days, oldest first
	MedianFirstTime time.Duration // median time from queueing to resolution over the last 30 days
}

// DayCount is a count on one day (Korea time).
type DayCount struct {
	Day   string // 2006-01-02
	Count int
}

// ModerationStats computes the dashboard.
func (s *Store) ModerationStats(ctx context.Context) (ModStats, error) {
	var st ModStats
	now := s.now()
	var oldest sql.NullInt64
	if err := s.r.QueryRowContext(ctx, `SELECT count(*), min(created_at) FROM review_items WHERE state = `+reviewPending).Scan(&st.Pending, &oldest); err != nil {
		return st, fmt.Errorf("moderation stats: %w", mapErr(err))
	}
	if oldest.Valid {
		st.OldestPending = now.Sub(fromUnix(oldest.Int64))
	}
	if err := s.r.QueryRowContext(ctx, `SELECT count(*) FROM appeals WHERE state = 'pending'`).Scan(&st.PendingAppeals); err != nil {
		return st, fmt.Errorf("moderation stats: %w", mapErr(err))
	}
	kst := time.FixedZone("KST", 9*3600)
	day0 := time.Date(now.In(kst).Year(), now.In(kst).Month(), now.In(kst).Day(), 0, 0, 0, 0, kst).AddDate(0, 0, -6)
	counts := map[string]int{}
	rows, err := s.r.QueryContext(ctx, `SELECT created_at FROM moderation_actions WHERE actor_id IS NOT NULL AND created_at >= ?`, day0.Unix())
	if err != nil {
		return st, fmt.Errorf("moderation stats: %w", mapErr(err))
	}
	for rows.Next() {
		var at int64
		if err := rows.Scan(&at); err != nil {
			rows.Close()
			return st, err
		}
		counts[fromUnix(at).In(kst).Format("2006-01-02")]++
	}
	rows.Close()
	for i := range 7 {
		d := day0.AddDate(0, 0, i).Format("2006-01-02")
		st.ActionsPerDay = append(st.ActionsPerDay, DayCount{d, counts[d]})
	}
	rows, err = s.r.QueryContext(ctx, `SELECT resolved_at - created_at FROM review_items WHERE resolved_at IS NOT NULL AND resolved_at >= ? ORDER BY 1`,
		now.Add(-30*24*time.Hour).Unix())
	if err != nil {
		return st, fmt.Errorf("moderation stats: %w", mapErr(err))
	}
	var waits []int64
	for rows.Next() {
		var w int64
		if err := rows.Scan(&w); err != nil {
			rows.Close()
			return st, err
		}
		waits = append(waits, w)
	}
	rows.Close()
	if len(waits) > 0 {
		st.MedianFirstTime = time.Duration(waits[len(waits)/2]) * time.Second
	}
	return st, nil
}

// Notifications returns a user's newest notifications.
func (s *Store) Notifications(ctx context.Context, userID int64, limit int) ([]forum.Notification, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT id, kind, data, created_at, COALESCE(read_at, 0), subject FROM notifications WHERE user_id = ? ORDER BY id DESC LIMIT ?`, userID, limit)
	if err != nil {
		return nil, fmt.Errorf("notifications: %w", mapErr(err))
	}
	defer rows.Close()
	var out []forum.Notification
	for rows.Next() {
		var n forum.Notification
		var data string
		var created, read int64
		if err := rows.Scan(&n.ID, &n.Kind, &data, &created, &read, &n.Subject); err != nil {
			return nil, fmt.Errorf("notifications: %w", err)
		}
		n.Data, n.CreatedAt, n.ReadAt, n.Count = []byte(data), fromUnix(created), fromUnix(read), 1
		out = append(out, n)
	}
	return out, rows.Err()
}

// UnreadNotifications counts a user's unread notifications.
func (s *Store) UnreadNotifications(ctx context.Context, userID int64) (int, error) {
	var n int
	if err := s.r.QueryRowContext(ctx, `SELECT count(*) FROM notifications WHERE user_id = ? AND read_at IS NULL`, userID).Scan(&n); err != nil {
		return 0, fmt.Errorf("unread notifications: %w", mapErr(err))
	}
	return n, nil
}

// MarkNotificationsRead marks every notification of a user read.
func (s *Store) MarkNotificationsRead(ctx context.Context, userID int64) error {
	err := s.write(ctx, func(t *tx) error {
		_, err := t.ExecContext(ctx, `UPDATE notifications SET read_at = ? WHERE user_id = ? AND read_at IS NULL`, t.now.Unix(), userID)
		return err
	})
	if err != nil {
		return fmt.Errorf("mark notifications read: %w", err)
	}
	return nil
}

// MarkNotificationGroupRead marks read a user's unread notifications of one
// kind about one subject (forum.NoteSubject): the entry the notifications
// page shows for them.
func (s *Store) MarkNotificationGroupRead(ctx context.Context, userID int64, kind, subject string) error {
	if subject == "" {
		return fmt.Errorf("mark notifications read: %w", forum.Invalid("subject", "err.bad_item"))
	}
	err := s.write(ctx, func(t *tx) error {
		_, err := t.ExecContext(ctx, `UPDATE notifications SET read_at = ? WHERE user_id = ? AND subject = ? AND kind = ? AND read_at IS NULL`,
			t.now.Unix(), userID, subject, kind)
		return err
	})
	if err != nil {
		return fmt.Errorf("mark notifications about %s read: %w", subject, err)
	}
	return nil
}

// Activity names what a daily cap counts.
type Activity string

// Capped activities, named as forum names them (forum.DailyCaps.Of).
const (
	ActivityProposals Activity = forum.ActivityProposals
	ActivityComments  Activity = forum.ActivityComments
	ActivitySupports  Activity = forum.ActivitySupports
	ActivityReports   Activity = forum.ActivityReports
)

// CountSince counts what userID did of an activity since a time, for daily caps.
func (s *Store) CountSince(ctx context.Context, userID int64, a Activity, since time.Time) (int, error) {
	rows := activityRows(a)
	if rows == "" {
		return 0, fmt.Errorf("count %s: unknown activity", a)
	}
	var n int
	if err := s.r.QueryRowContext(ctx, `SELECT count(*)`+rows, userID, since.Unix()).Scan(&n); err != nil {
		return 0, fmt.Errorf("count %s: %w", a, mapErr(err))
	}
	return n, nil
}

// approvedBound is how far AuthorFacts counts an author's shown posts: the
// content rules ask only whether there is one, and a bounded count reads a
// bounded number of index entries however long the author's history is.
const approvedBound = 10

// authorApproved counts an author's (?1) shown comments and proposals, up to ?3 of each.
// The bound is a CASE, not SQLite's scalar min(), which PostgreSQL spells LEAST.
var authorApproved = `(SELECT CASE WHEN n > ?3 THEN ?3 ELSE n END FROM (SELECT
	(SELECT count(*) FROM (SELECT 1 FROM comments WHERE author_id = ?1 AND mod_state = ` + sqlString(forum.ModVisible) + ` LIMIT ?3) AS c)
	+ (SELECT count(*) FROM (SELECT 1 FROM proposals WHERE author_id = ?1 AND mod_state = ` + sqlString(forum.ModVisible) + ` LIMIT ?3) AS p) AS n) AS shown)`

// authorApprovedSQL is authorApproved alone, for the tests of its plan (?2 is unused).
var authorApprovedSQL = `SELECT ` + authorApproved

// authorFactsSQL reads, for author ?1, the texts posted since ?2 (at most
// the 50 newest of each kind: the daily caps keep real authors far below
// that, and a bound keeps the check cheap) with a NULL count, then one row
// of a NULL text and the shown-posts count up to ?3: one statement, so one
// read transaction, for everything the content rules ask of the store. The
// first NULL count is cast, as PostgreSQL types a UNION from its first rows.
var authorFactsSQL = `SELECT body_src, CAST(NULL AS BIGINT) FROM (SELECT body_src FROM comments WHERE author_id = ?1 AND created_at >= ?2 ORDER BY created_at DESC LIMIT 50) AS c
	UNION ALL SELECT t, NULL FROM (SELECT title AS t, body_src AS b FROM proposals WHERE author_id = ?1 AND created_at >= ?2 ORDER BY created_at DESC LIMIT 50) AS p
	UNION ALL SELECT b, NULL FROM (SELECT title AS t, body_src AS b FROM proposals WHERE author_id = ?1 AND created_at >= ?2 ORDER BY created_at DESC LIMIT 50) AS p
	UNION ALL SELECT NULL, ` + authorApproved

// AuthorFacts returns what the content rules need to know about an author:
// the texts they posted since a time, and how many of their posts are shown,
// counted up to approvedBound. Both are read in O(log n) of the author's
// history, by one statement.
func (s *Store) AuthorFacts(ctx context.Context, userID int64, since time.Time) (recent []string, approved int, err error) {
	rows, err := s.r.QueryContext(ctx, authorFactsSQL, userID, since.Unix(), approvedBound)
	if err != nil {
		return nil, 0, fmt.Errorf("author facts: %w", mapErr(err))
	}
	defer rows.Close()
	for rows.Next() {
		var text sql.NullString
		var count sql.NullInt64
		if err := rows.Scan(&text, &count); err != nil {
			return nil, 0, fmt.Errorf("author facts: %w", err)
		}
		if count.Valid {
			approved = int(count.Int64)
		} else {
			recent = append(recent, text.String)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("author facts: %w", mapErr(err))
	}
	return recent, approved, nil
}

func jsonString(v any) (string, error) {
	b, err := json.Marshal(v)
	return string(b), err
}

// excerptRunes is how much of a comment a notification quotes.
const excerptRunes = 60

// excerpt is the start of a comment's Markdown source as plain words, for a
// notification to quote: Markdown's marks dropped, spaces collapsed, cut at
// excerptRunes with an ellipsis.
func excerpt(src string) string {
	src = strings.Map(func(r rune) rune {
		switch r {
		case '#', '*', '_', '`', '>', '|', '~', '[', ']':
			return ' '
		}
		return r
	}, src)
	words := strings.Join(strings.Fields(src), " ")
	if r := []rune(words); len(r) > excerptRunes {
		return strings.TrimSpace(string(r[:excerptRunes])) + "…"
	}
	return words
}

// describeItem adds to a notification's data what names the item it is
// about, as it reads now: a proposal's "title"; a comment's "excerpt" and
// its thread's "title" (a proposal's title or a debate's question) and
// "proposal_id" or "debate_id", so that the notification links to it.
func describeItem(ctx context.Context, t *tx, kind forum.ItemKind, id int64, data map[string]any) error {
	switch kind {
	case forum.ItemProposal:
		var title string
		if err := t.QueryRowContext(ctx, `SELECT title FROM proposals WHERE id = ?`, id).Scan(&title); err != nil {
			return fmt.Errorf("describe proposal %d: %w", id, err)
		}
		data["title"] = title
	case forum.ItemComment:
		var pid, did sql.NullInt64
		var src, title string
		if err := t.QueryRowContext(ctx, `SELECT c.proposal_id, c.debate_id, c.body_src, COALESCE(p.title, d.question, '')
			FROM comments c LEFT JOIN proposals p ON p.id = c.proposal_id LEFT JOIN debates d ON d.id = c.debate_id
			WHERE c.id = ?`, id).Scan(&pid, &did, &src, &title); err != nil {
			return fmt.Errorf("describe comment %d: %w", id, err)
		}
		data["excerpt"], data["title"] = excerpt(src), title
		if pid.Valid {
			data["proposal_id"] = pid.Int64
		} else {
			data["debate_id"] = did.Int64
		}
	}
	return nil
}
