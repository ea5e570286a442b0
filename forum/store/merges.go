package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/e-people/e-people/forum"
)

// Merging duplicates (issue 18; forum/merge.go says the rules). A merge is
// one write: it records the merge and every row it moves (merge_rows), moves
// B's supports to A with their own times and flags, makes B's co-sponsors
// and followers follow A, counts A again through countSupports (so that a
// merge crossing the threshold opens the answer period exactly as a support
// would), turns B into a closed signpost (merged_into), and tells the log,
// both pages and every person concerned. UndoMerge restores, from the same
// rows, exactly the rows there were.

// lockMergePair makes a merge of proposals a and b take its turn with the
// supports of both (on PostgreSQL, where supports of one proposal take turns
// under its turnKey: writeKeyed took the smaller id's key, this takes the
// larger's, always in that order, so two merges never wait for each other in
// a circle). SERIALIZABLE alone would keep the rows right; the turn keeps a
// merge from losing again and again to a stream of supports. On SQLite the
// single writer already serializes them.
func lockMergePair(t *tx, a, b int64) error {
	if !t.pg {
		return nil
	}
	_, err := t.ExecContext(t.ctx, `SELECT pg_advisory_xact_lock(?)`, turnKey(forum.KindProposal, max(a, b)))
	return err
}

// mergeProposalTx reads proposal id inside t, as CanMerge needs it.
func mergeProposalTx(t *tx, id int64) (*forum.Proposal, error) {
	p, err := scanProposal(t.QueryRowContext(t.ctx, `SELECT `+proposalCols+proposalFrom+`WHERE p.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, forum.Refuse(forum.ErrNotFound, "err.merge_not_found")
	}
	return p, err
}

// MergeProposal merges proposal fromID (B) into intoID (A) for actor, with
// a public reason (forum.CanMerge, forum.CheckMergeReason), and returns the
// merge.
func (s *Store) MergeProposal(ctx context.Context, actor *forum.User, fromID, intoID int64, reason string) (*forum.Merge, error) {
	reason, err := forum.CheckMergeReason(reason)
	if err != nil {
		return nil, fmt.Errorf("merge proposal %d into %d: %w", fromID, intoID, err)
	}
	var id int64
	err = s.writeKeyed(ctx, turnKey(forum.KindProposal, min(fromID, intoID)), func(t *tx) error {
		if err := lockMergePair(t, fromID, intoID); err != nil {
			return err
		}
		var err error
		id, err = s.merge(t, actor, fromID, intoID, reason)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("merge proposal %d into %d: %w", fromID, intoID, err)
	}
	return s.Merge(ctx, id)
}

// merge is MergeProposal's write; it returns the merge's id.
func (s *Store) merge(t *tx, actor *forum.User, fromID, intoID int64, reason string) (int64, error) {
	ctx := t.ctx
	from, err := mergeProposalTx(t, fromID)
	if err != nil {
		return 0, err
	}
	into, err := mergeProposalTx(t, intoID)
	if err != nil {
		return 0, err
	}
	if err := forum.CanMerge(actor, into, from); err != nil {
		return 0, err
	}
	now := t.now.Unix()
	var ministry any
	if actor.Role == forum.RoleOfficial {
		ministry = actor.MinistryID
	}
	var id int64
	if err := t.QueryRowContext(ctx, `INSERT INTO proposal_merges (from_id, into_id, actor_id, actor_role, ministry_id, reason,
		from_status, into_status, into_reached_at, into_response_due, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		fromID, intoID, actor.ID, actor.Role, ministry, reason, from.Status, into.Status,
		nullUnix(into.ReachedAt), nullUnix(into.ResponseDue), now).Scan(&id); err != nil {
		return 0, err
	}
	// Every support of B, as it is; added = 1 where A does not have it.
	if _, err := t.ExecContext(ctx, `INSERT INTO merge_rows (merge_id, kind, user_id, created_at, saw_objection, added)
		SELECT ?, 'support', s.user_id, s.created_at, s.saw_objection,
			CASE WHEN EXISTS (SELECT 1 FROM supports a WHERE a.proposal_id = ? AND a.user_id = s.user_id) THEN 0 ELSE 1 END
		FROM supports s WHERE s.proposal_id = ?`, id, intoID, fromID); err != nil {
		return 0, err
	}
	// B's co-sponsors and followers follow A; the follows A lacked are the merge's.
	if _, err := t.ExecContext(ctx, `INSERT INTO merge_rows (merge_id, kind, user_id, created_at, saw_objection, added)
		SELECT ?, 'follow', x.user_id, ?, 0, 1 FROM (
			SELECT user_id FROM sponsors WHERE proposal_id = ?
			UNION SELECT user_id FROM follows WHERE item_kind = 'proposal' AND item_id = ?) x
		WHERE NOT EXISTS (SELECT 1 FROM follows f WHERE f.user_id = x.user_id AND f.item_kind = 'proposal' AND f.item_id = ?)`,
		id, now, fromID, fromID, intoID); err != nil {
		return 0, err
	}
	if _, err := t.ExecContext(ctx, `INSERT INTO supports (proposal_id, user_id, created_at, saw_objection)
		SELECT ?, user_id, created_at, saw_objection FROM merge_rows WHERE merge_id = ? AND kind = 'support' AND added = 1`, intoID, id); err != nil {
		return 0, err
	}
	if _, err := t.ExecContext(ctx, `INSERT INTO follows (user_id, item_kind, item_id, created_at)
		SELECT user_id, 'proposal', ?, created_at FROM merge_rows WHERE merge_id = ? AND kind = 'follow'`, intoID, id); err != nil {
		return 0, err
	}
	if _, err := t.ExecContext(ctx, `DELETE FROM supports WHERE proposal_id = ?`, fromID); err != nil {
		return 0, err
	}
	var moved, added, verified, unverified int
	if err := t.QueryRowContext(ctx, `SELECT count(*), COALESCE(sum(m.added), 0),
			COALESCE(sum(CASE WHEN m.added = 1 AND `+countedTier("u")+` THEN 1 ELSE 0 END), 0),
			COALESCE(sum(CASE WHEN m.added = 1 AND NOT `+countedTier("u")+` THEN 1 ELSE 0 END), 0)
		FROM merge_rows m JOIN users u ON u.id = m.user_id WHERE m.merge_id = ? AND m.kind = 'support'`, id).
		Scan(&moved, &added, &verified, &unverified); err != nil {
		return 0, err
	}
	if _, err := t.ExecContext(ctx, `UPDATE proposal_merges SET moved = ?, added = ? WHERE id = ?`, moved, added, id); err != nil {
		return 0, err
	}
	// B: a closed signpost to A, with no supports of its own.
	if _, err := t.ExecContext(ctx, `UPDATE proposals SET merged_into = ?, status = ?, closed_at = COALESCE(closed_at, ?),
		support_count = 0, unverified_supports = 0 WHERE id = ?`, intoID, forum.StatusClosed, now, fromID); err != nil {
		return 0, err
	}
	if from.Status != forum.StatusClosed {
		if err := t.event(ctx, forum.ProposalTopic(fromID),
			forum.ProposalStatusEvent{ProposalID: fromID, From: from.Status, Status: forum.StatusClosed}); err != nil {
			return 0, err
		}
	}
	// A: counted again as a support would count it, the threshold included.
	count, err := s.countSupports(ctx, t, intoID, verified, unverified)
	if err != nil {
		return 0, err
	}
	// Search: B's words now find A (indexProposal), and B is no result of its own.
	if err := indexProposal(ctx, t, fromID); err != nil {
		return 0, err
	}
	if err := indexProposal(ctx, t, intoID); err != nil {
		return 0, err
	}
	before := fmt.Sprintf("status=%s supports=%d", from.Status, from.Supports)
	after := fmt.Sprintf("merged_into=%d moved=%d added=%d", intoID, moved, added)
	if err := audit(ctx, t, actor, forum.ActMerged, forum.ItemProposal, fromID, reason, before, after); err != nil {
		return 0, err
	}
	ev := forum.ProposalMergedEvent{FromID: fromID, IntoID: intoID, MergeID: id, Supports: count}
	for _, p := range []int64{fromID, intoID} {
		if err := t.event(ctx, forum.ProposalTopic(p), ev); err != nil {
			return 0, err
		}
	}
	return id, notifyMerge(ctx, t, forum.NoteMerged, id, fromID, intoID, from.Title, reason)
}

// nullUnix is t as a nullable unix time: NULL for the zero time.
func nullUnix(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.Unix()
}

// mergePeople is the SQL set of the people a merge (?1: its id, ?2: B, ?3:
// A) concerns: B's supporters (as the merge moved them), co-sponsors and
// followers, and A's author.
const mergePeople = `SELECT user_id FROM merge_rows WHERE merge_id = ?1 AND kind = 'support'
	UNION SELECT user_id FROM sponsors WHERE proposal_id = ?2
	UNION SELECT user_id FROM follows WHERE item_kind = 'proposal' AND item_id = ?2
	UNION SELECT author_id FROM proposals WHERE id = ?3`

// notifyMerge tells every person a merge concerns (mergePeople), each once, of note.
func notifyMerge(ctx context.Context, t *tx, note string, mergeID, fromID, intoID int64, fromTitle, reason string) error {
	data := map[string]any{"proposal_id": intoID, "from_id": fromID, "from_title": fromTitle, "merge_id": mergeID, "reason": reason}
	return notifyUsersIn(ctx, t, note, forum.NoteSubject(string(forum.ItemProposal), intoID), data, mergePeople, mergeID, fromID, intoID)
}

// UndoMerge undoes merge mergeID for actor, with a public reason, within
// forum.MergeUndoWindow: B's supports come back with their own times and
// flags, the supports and follows the merge added to A go, both proposals
// are counted again, B is no signpost any more, and A's status, reached_at
// and response_due return to what they were when the merge had opened A's
// answer period (refused once A was answered since).
func (s *Store) UndoMerge(ctx context.Context, actor *forum.User, mergeID int64, reason string) (*forum.Merge, error) {
	reason, err := forum.CheckMergeReason(reason)
	if err != nil {
		return nil, fmt.Errorf("undo merge %d: %w", mergeID, err)
	}
	m, err := s.Merge(ctx, mergeID)
	if err != nil {
		return nil, fmt.Errorf("undo merge %d: %w", mergeID, err)
	}
	err = s.writeKeyed(ctx, turnKey(forum.KindProposal, min(m.FromID, m.IntoID)), func(t *tx) error {
		if err := lockMergePair(t, m.FromID, m.IntoID); err != nil {
			return err
		}
		return s.undoMerge(t, actor, mergeID, reason)
	})
	if err != nil {
		return nil, fmt.Errorf("undo merge %d: %w", mergeID, err)
	}
	return s.Merge(ctx, mergeID)
}

// undoMerge is UndoMerge's write.
func (s *Store) undoMerge(t *tx, actor *forum.User, mergeID int64, reason string) error {
	ctx := t.ctx
	m, err := scanMerge(t.QueryRowContext(ctx, `SELECT `+mergeCols+mergeFrom+`WHERE m.id = ?`, mergeID))
	if err != nil {
		return err
	}
	var fromStatus, intoStatus forum.ProposalStatus
	var reached, due sql.NullInt64
	if err := t.QueryRowContext(ctx, `SELECT from_status, into_status, into_reached_at, into_response_due FROM proposal_merges WHERE id = ?`,
		mergeID).Scan(&fromStatus, &intoStatus, &reached, &due); err != nil {
		return err
	}
	into, err := mergeProposalTx(t, m.IntoID)
	if err != nil {
		return err
	}
	from, err := mergeProposalTx(t, m.FromID)
	if err != nil {
		return err
	}
	switch {
	case !forum.MergeStaff(actor, into.MinistryID) || !forum.MergeStaff(actor, from.MinistryID):
		return forum.Refuse(forum.ErrForbidden, "err.merge_forbidden")
	case m.Undone():
		return forum.Refuse(forum.ErrInvalidState, "err.merge_undone_already")
	case !m.UndoableAt(t.now):
		return forum.Refuse(forum.ErrInvalidState, "err.merge_undo_expired", int(forum.MergeUndoWindow.Hours()/24))
	case from.MergedInto != m.IntoID:
		return forum.Refuse(forum.ErrInvalidState, "err.merge_undone_already")
	}
	// The merge opened A's answer period: it closes again, unless A was answered since.
	restoreInto := into.Status != intoStatus
	if restoreInto && into.Status != forum.StatusAwaiting {
		return forum.Refuse(forum.ErrInvalidState, "err.merge_undo_answered", m.IntoID)
	}
	// A loses exactly the supports and follows the merge gave it; B gets its own back.
	if _, err := t.ExecContext(ctx, `DELETE FROM supports WHERE proposal_id = ? AND user_id IN
		(SELECT user_id FROM merge_rows WHERE merge_id = ? AND kind = 'support' AND added = 1)`, m.IntoID, mergeID); err != nil {
		return err
	}
	if _, err := t.ExecContext(ctx, `DELETE FROM follows WHERE item_kind = 'proposal' AND item_id = ? AND user_id IN
		(SELECT user_id FROM merge_rows WHERE merge_id = ? AND kind = 'follow')`, m.IntoID, mergeID); err != nil {
		return err
	}
	if _, err := t.ExecContext(ctx, `INSERT INTO supports (proposal_id, user_id, created_at, saw_objection)
		SELECT ?, user_id, created_at, saw_objection FROM merge_rows WHERE merge_id = ? AND kind = 'support'`, m.FromID, mergeID); err != nil {
		return err
	}
	closedAt := "closed_at"
	if fromStatus != forum.StatusClosed {
		closedAt = "NULL"
	}
	if _, err := t.ExecContext(ctx, `UPDATE proposals SET merged_into = NULL, status = ?, closed_at = `+closedAt+` WHERE id = ?`,
		fromStatus, m.FromID); err != nil {
		return err
	}
	if restoreInto {
		if _, err := t.ExecContext(ctx, `UPDATE proposals SET status = ?, reached_at = ?, response_due = ? WHERE id = ?`,
			intoStatus, reached, due, m.IntoID); err != nil {
			return err
		}
	}
	// Both counted again from their rows, by the accounts' tiers now.
	counts := map[int64][2]int{}
	for _, id := range []int64{m.FromID, m.IntoID} {
		var v, u int
		if err := t.QueryRowContext(ctx, `UPDATE proposals SET
			support_count = (SELECT count(*) FROM supports x JOIN users u ON u.id = x.user_id WHERE x.proposal_id = proposals.id AND `+countedTier("u")+`),
			unverified_supports = (SELECT count(*) FROM supports x JOIN users u ON u.id = x.user_id WHERE x.proposal_id = proposals.id AND NOT `+countedTier("u")+`)
			WHERE id = ? RETURNING support_count, unverified_supports`, id).Scan(&v, &u); err != nil {
			return err
		}
		counts[id] = [2]int{v, u}
	}
	if _, err := t.ExecContext(ctx, `UPDATE proposal_merges SET undone_at = ?, undone_by = ?, undo_reason = ? WHERE id = ?`,
		t.now.Unix(), actor.ID, reason, mergeID); err != nil {
		return err
	}
	for _, id := range []int64{m.FromID, m.IntoID} {
		if err := indexProposal(ctx, t, id); err != nil {
			return err
		}
	}
	if err := audit(ctx, t, actor, forum.ActMergeUndone, forum.ItemProposal, m.FromID, reason,
		fmt.Sprintf("merged_into=%d", m.IntoID), fmt.Sprintf("status=%s supports=%d", fromStatus, counts[m.FromID][0])); err != nil {
		return err
	}
	if from.Status != fromStatus {
		if err := t.event(ctx, forum.ProposalTopic(m.FromID),
			forum.ProposalStatusEvent{ProposalID: m.FromID, From: from.Status, Status: fromStatus}); err != nil {
			return err
		}
	}
	if restoreInto {
		if err := t.event(ctx, forum.ProposalTopic(m.IntoID),
			forum.ProposalStatusEvent{ProposalID: m.IntoID, From: into.Status, Status: intoStatus}); err != nil {
			return err
		}
	}
	for _, id := range []int64{m.FromID, m.IntoID} {
		if err := t.event(ctx, forum.ProposalTopic(id),
			forum.ProposalSupportedEvent{ProposalID: id, Supports: counts[id][0], Unverified: counts[id][1]}); err != nil {
			return err
		}
	}
	ev := forum.ProposalMergedEvent{FromID: m.FromID, IntoID: m.IntoID, MergeID: mergeID, Supports: counts[m.IntoID][0], Undone: true}
	for _, id := range []int64{m.FromID, m.IntoID} {
		if err := t.event(ctx, forum.ProposalTopic(id), ev); err != nil {
			return err
		}
	}
	return notifyMerge(ctx, t, forum.NoteMergeUndone, mergeID, m.FromID, m.IntoID, from.Title, reason)
}

const mergeCols = `m.id, m.from_id, m.into_id, f.title, i.title, m.actor_id, m.actor_role, COALESCE(m.ministry_id, 0), m.reason,
	m.moved, m.added, m.created_at, COALESCE(m.undone_at, 0), COALESCE(m.undone_by, 0), m.undo_reason`

const mergeFrom = ` FROM proposal_merges m JOIN proposals f ON f.id = m.from_id JOIN proposals i ON i.id = m.into_id `

func scanMerge(row interface{ Scan(...any) error }) (*forum.Merge, error) {
	var m forum.Merge
	var created, undone int64
	if err := row.Scan(&m.ID, &m.FromID, &m.IntoID, &m.FromTitle, &m.IntoTitle, &m.ActorID, &m.ActorRole, &m.MinistryID, &m.Reason,
		&m.Moved, &m.Added, &created, &undone, &m.UndoneBy, &m.UndoReason); err != nil {
		return nil, err
	}
	m.CreatedAt, m.UndoneAt = fromUnix(created), fromUnix(undone)
	return &m, nil
}

// Merge returns the merge with id.
func (s *Store) Merge(ctx context.Context, id int64) (*forum.Merge, error) {
	m, err := scanMerge(s.r.QueryRowContext(ctx, `SELECT `+mergeCols+mergeFrom+`WHERE m.id = ?`, id))
	if err != nil {
		return nil, fmt.Errorf("get merge %d: %w", id, mapErr(err))
	}
	return m, nil
}

// ProposalMerges returns every merge from or into proposal id, undone ones
// too, newest first.
func (s *Store) ProposalMerges(ctx context.Context, id int64) ([]*forum.Merge, error) {
	return s.merges(ctx, `WHERE m.from_id = ? OR m.into_id = ? ORDER BY m.id DESC`, id, id)
}

// EachMerge calls fn for every merge of public proposals, oldest first; it
// stops at the first error fn returns.
func (s *Store) EachMerge(ctx context.Context, fn func(*forum.Merge) error) error {
	ms, err := s.merges(ctx, `WHERE EXISTS (SELECT 1 FROM proposals p WHERE p.id = m.into_id AND `+publicProposal+`) ORDER BY m.id`)
	if err != nil {
		return err
	}
	for _, m := range ms {
		if err := fn(m); err != nil {
			return err
		}
	}
	return nil
}

func (s *Store) merges(ctx context.Context, where string, args ...any) ([]*forum.Merge, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+mergeCols+mergeFrom+where, args...)
	if err != nil {
		return nil, fmt.Errorf("list merges: %w", mapErr(err))
	}
	defer rows.Close()
	var out []*forum.Merge
	for rows.Next() {
		m, err := scanMerge(rows)
		if err != nil {
			return nil, fmt.Errorf("list merges: %w", err)
		}
		out = append(out, m)
	}
	return out, rows.Err()
}
