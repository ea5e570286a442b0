package store

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/e-people/e-people/forum"
	"github.com/e-people/e-people/moderation"
)

// Implementation milestones (issue 18): planned by the ministry whose answer
// accepted a proposal fully or partly, later done with evidence or delayed
// with a reason and a later date. Every change appends a milestone_updates
// row, emits a forum.MilestoneChangedEvent on the proposal's topic and tells
// the proposal's followers.

const milestoneCols = `m.id, m.proposal_id, m.ministry_id, m.title, m.unit, m.due_at, m.planned_due, m.state, COALESCE(m.done_at, 0),
	m.evidence_src, m.evidence_html, m.evidence_url, m.created_by, m.created_at, m.updated_at`

func scanMilestone(row interface{ Scan(...any) error }) (*forum.Milestone, error) {
	var m forum.Milestone
	var due, planned, done, created, updated int64
	var evidence string
	if err := row.Scan(&m.ID, &m.ProposalID, &m.MinistryID, &m.Title, &m.Unit, &due, &planned, &m.State, &done,
		&m.EvidenceSrc, &evidence, &m.EvidenceURL, &m.CreatedBy, &created, &updated); err != nil {
		return nil, err
	}
	m.Due, m.PlannedDue, m.DoneAt = fromUnix(due), fromUnix(planned), fromUnix(done)
	m.Evidence, m.CreatedAt, m.UpdatedAt = moderation.TrustedFromStore(evidence), fromUnix(created), fromUnix(updated)
	return &m, nil
}

// milestonePlanner checks, inside t, that actor may plan milestones for
// proposal id now: it is answered, its answer of record accepts it fully or
// partly, and actor speaks for the ministry that gave that answer. The
// proposal it returns carries that ministry as its MinistryID.
func milestonePlanner(ctx context.Context, t *tx, actor *forum.User, id int64) (*forum.Proposal, error) {
	p := &forum.Proposal{ID: id}
	var decision sql.NullString
	var answering sql.NullInt64
	err := t.QueryRowContext(ctx, `SELECT p.ministry_id, p.status, r.decision, r.ministry_id FROM proposals p
		LEFT JOIN responses r ON r.proposal_id = p.id WHERE p.id = ?`, id).Scan(&p.MinistryID, &p.Status, &decision, &answering)
	if err != nil {
		return nil, mapErr(err)
	}
	if answering.Valid {
		p.MinistryID = answering.Int64
	}
	d := forum.Decision(decision.String)
	if !p.Status.Answered() || !d.PlansMilestones() {
		return nil, forum.Refuse(forum.ErrInvalidState, "milestone.err.not_accepted")
	}
	if !forum.CanPlanMilestones(actor, p, d) {
		return nil, forum.Refuse(forum.ErrForbidden, "milestone.err.not_ministry")
	}
	return p, nil
}

// PlanMilestones adds the milestones ins to proposal id, all or none, for
// actor, an official of the ministry whose answer accepted it fully or
// partly. It returns the new milestones' ids, in the order of ins.
func (s *Store) PlanMilestones(ctx context.Context, actor *forum.User, id int64, ins []forum.MilestoneInput) ([]int64, error) {
	var ids []int64
	err := s.write(ctx, func(t *tx) error {
		ids = ids[:0]
		p, err := milestonePlanner(ctx, t, actor, id)
		if err != nil {
			return err
		}
		if len(ins) == 0 {
			return forum.Invalid("title_0", "milestone.err.none")
		}
		if len(ins) > forum.MilestonesPerPlan {
			return forum.Invalid("title_0", "milestone.err.too_many_at_once", forum.MilestonesPerPlan)
		}
		for _, in := range ins {
			if err := in.Validate(t.now); err != nil {
				return err
			}
		}
		var have int
		if err := t.QueryRowContext(ctx, `SELECT count(*) FROM milestones WHERE proposal_id = ?`, id).Scan(&have); err != nil {
			return err
		}
		if have+len(ins) > forum.MilestonesMax {
			return forum.Refuse(forum.ErrConflict, "milestone.err.too_many", forum.MilestonesMax)
		}
		now := t.now.Unix()
		for _, in := range ins {
			var mid int64
			if err := t.QueryRowContext(ctx, `INSERT INTO milestones (proposal_id, ministry_id, title, unit, due_at, planned_due, state,
				created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
				id, p.MinistryID, in.Title, in.Unit, in.Due.Unix(), in.Due.Unix(), forum.MilestonePlanned, actor.ID, now, now).Scan(&mid); err != nil {
				return err
			}
			if _, err := t.ExecContext(ctx, `INSERT INTO milestone_updates (milestone_id, kind, actor_id, due_at, created_at)
				VALUES (?, ?, ?, ?, ?)`, mid, forum.MilestonePlanned, actor.ID, in.Due.Unix(), now); err != nil {
				return err
			}
			ids = append(ids, mid)
		}
		if err := t.event(ctx, forum.ProposalTopic(id), forum.MilestoneChangedEvent{Kind: forum.MilestonePlanned, MilestoneID: ids[0], ProposalID: id}); err != nil {
			return err
		}
		return notifyFollowers(ctx, t, forum.ItemProposal, id, forum.NoteMilestonePlanned, map[string]any{"proposal_id": id,
			"milestone_id": ids[0], "milestone": ins[0].Title, "count": len(ins), "due": ins[0].Due.Unix(), "ministry": p.MinistryID})
	})
	if err != nil {
		return nil, fmt.Errorf("plan milestones for %d: %w", id, err)
	}
	return ids, nil
}

// updatable reads milestone id inside t and checks that actor may change it
// and that it is not done yet.
func updatable(ctx context.Context, t *tx, actor *forum.User, id int64) (*forum.Milestone, error) {
	m, err := scanMilestone(t.QueryRowContext(ctx, `SELECT `+milestoneCols+` FROM milestones m WHERE m.id = ?`, id))
	if err != nil {
		return nil, mapErr(err)
	}
	if !forum.CanUpdateMilestone(actor, m) {
		return nil, forum.Refuse(forum.ErrForbidden, "milestone.err.not_ministry")
	}
	if m.Done() {
		return nil, forum.Refuse(forum.ErrInvalidState, "milestone.err.already_done")
	}
	return m, nil
}

// CompleteMilestone marks milestone id done now, with evidence: in's text
// (evidence is its sanitized HTML) and link.
func (s *Store) CompleteMilestone(ctx context.Context, actor *forum.User, id int64, in forum.MilestoneDoneInput, evidence moderation.Sanitized) (*forum.Milestone, error) {
	var m *forum.Milestone
	err := s.write(ctx, func(t *tx) error {
		var err error
		if m, err = updatable(ctx, t, actor, id); err != nil {
			return err
		}
		if err := in.Validate(); err != nil {
			return err
		}
		html := ""
		if in.Evidence != "" {
			html = evidence.String()
		}
		now := t.now.Unix()
		if err := execOne(ctx, t, `UPDATE milestones SET state = ?, done_at = ?, evidence_src = ?, evidence_html = ?, evidence_url = ?,
			updated_at = ? WHERE id = ? AND state <> ?`, forum.MilestoneDone, now, in.Evidence, html, in.URL, now, id, forum.MilestoneDone); err != nil {
			return err
		}
		if _, err := t.ExecContext(ctx, `INSERT INTO milestone_updates (milestone_id, kind, actor_id, note_src, note_html, url, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, id, forum.MilestoneDone, actor.ID, in.Evidence, html, in.URL, now); err != nil {
			return err
		}
		m.State, m.DoneAt, m.EvidenceSrc, m.Evidence, m.EvidenceURL = forum.MilestoneDone, t.now, in.Evidence, moderation.TrustedFromStore(html), in.URL
		if err := t.event(ctx, forum.ProposalTopic(m.ProposalID), forum.MilestoneChangedEvent{Kind: forum.MilestoneDone, MilestoneID: id, ProposalID: m.ProposalID}); err != nil {
			return err
		}
		return notifyFollowers(ctx, t, forum.ItemProposal, m.ProposalID, forum.NoteMilestoneDone, map[string]any{"proposal_id": m.ProposalID,
			"milestone_id": id, "milestone": m.Title, "ministry": m.MinistryID})
	})
	if err != nil {
		return nil, fmt.Errorf("complete milestone %d: %w", id, err)
	}
	return m, nil
}

// DelayMilestone puts milestone id off to in.Due, a later date, with in's
// reason (reason is its sanitized HTML). The date first planned stays.
func (s *Store) DelayMilestone(ctx context.Context, actor *forum.User, id int64, in forum.MilestoneDelayInput, reason moderation.Sanitized) (*forum.Milestone, error) {
	var m *forum.Milestone
	err := s.write(ctx, func(t *tx) error {
		var err error
		if m, err = updatable(ctx, t, actor, id); err != nil {
			return err
		}
		if err := in.Validate(m.Due, t.now); err != nil {
			return err
		}
		now := t.now.Unix()
		if err := execOne(ctx, t, `UPDATE milestones SET state = ?, due_at = ?, updated_at = ? WHERE id = ? AND state <> ?`,
			forum.MilestoneDelayed, in.Due.Unix(), now, id, forum.MilestoneDone); err != nil {
			return err
		}
		if _, err := t.ExecContext(ctx, `INSERT INTO milestone_updates (milestone_id, kind, actor_id, note_src, note_html, due_at, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, id, forum.MilestoneDelayed, actor.ID, in.Reason, reason.String(), in.Due.Unix(), now); err != nil {
			return err
		}
		m.State, m.Due = forum.MilestoneDelayed, in.Due
		if err := t.event(ctx, forum.ProposalTopic(m.ProposalID), forum.MilestoneChangedEvent{Kind: forum.MilestoneDelayed, MilestoneID: id, ProposalID: m.ProposalID}); err != nil {
			return err
		}
		return notifyFollowers(ctx, t, forum.ItemProposal, m.ProposalID, forum.NoteMilestoneDelayed, map[string]any{"proposal_id": m.ProposalID,
			"milestone_id": id, "milestone": m.Title, "due": in.Due.Unix(), "ministry": m.MinistryID})
	})
	if err != nil {
		return nil, fmt.Errorf("delay milestone %d: %w", id, err)
	}
	return m, nil
}

// Milestone returns one milestone, without its updates.
func (s *Store) Milestone(ctx context.Context, id int64) (*forum.Milestone, error) {
	m, err := scanMilestone(s.r.QueryRowContext(ctx, `SELECT `+milestoneCols+` FROM milestones m WHERE m.id = ?`, id))
	if err != nil {
		return nil, fmt.Errorf("milestone %d: %w", id, mapErr(err))
	}
	return m, nil
}

// ProposalMilestones returns proposal id's milestones, the soonest due
// first, each with its updates, oldest first.
func (s *Store) ProposalMilestones(ctx context.Context, id int64) ([]*forum.Milestone, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+milestoneCols+` FROM milestones m WHERE m.proposal_id = ? ORDER BY m.due_at, m.id`, id)
	if err != nil {
		return nil, fmt.Errorf("proposal milestones: %w", mapErr(err))
	}
	var out []*forum.Milestone
	byID := map[int64]*forum.Milestone{}
	for rows.Next() {
		m, err := scanMilestone(rows)
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("proposal milestones: %w", err)
		}
		out, byID[m.ID] = append(out, m), m
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(out) == 0 {
		return out, err
	}
	rows, err = s.r.QueryContext(ctx, `SELECT u.id, u.milestone_id, u.kind, u.actor_id, a.name, u.note_src, u.note_html, u.url,
		COALESCE(u.due_at, 0), u.created_at FROM milestone_updates u JOIN milestones m ON m.id = u.milestone_id
		JOIN users a ON a.id = u.actor_id WHERE m.proposal_id = ? ORDER BY u.id`, id)
	if err != nil {
		return nil, fmt.Errorf("milestone updates: %w", mapErr(err))
	}
	defer rows.Close()
	for rows.Next() {
		var up forum.MilestoneUpdate
		var note string
		var due, at int64
		if err := rows.Scan(&up.ID, &up.MilestoneID, &up.Kind, &up.ActorID, &up.ActorName, &up.NoteSrc, &note, &up.URL, &due, &at); err != nil {
			return nil, fmt.Errorf("milestone updates: %w", err)
		}
		up.Note, up.Due, up.CreatedAt = moderation.TrustedFromStore(note), fromUnix(due), fromUnix(at)
		if m := byID[up.MilestoneID]; m != nil {
			m.Updates = append(m.Updates, up)
		}
	}
	return out, rows.Err()
}

// OverdueMilestone is a milestone past its date and not done, with its
// proposal's title.
type OverdueMilestone struct {
	forum.Milestone
	ProposalTitle string
	ProposalLang  string
}

// OverdueMilestones lists a ministry's milestones (every ministry's, for
// ministryID 0) on public proposals that are past their date at the store's
// clock and not done, the longest overdue first, at most limit.
func (s *Store) OverdueMilestones(ctx context.Context, ministryID int64, limit int) ([]OverdueMilestone, error) {
	if limit <= 0 || limit > 500 {
		limit = 50
	}
	where, args := `m.state <> ? AND m.due_at < ?`, []any{forum.MilestoneDone, s.now().Unix()}
	if ministryID != 0 {
		where, args = `m.ministry_id = ? AND `+where, append([]any{ministryID}, args...)
	}
	rows, err := s.r.QueryContext(ctx, `SELECT `+milestoneCols+`, p.title, p.lang FROM milestones m JOIN proposals p ON p.id = m.proposal_id
		WHERE `+where+` AND `+publicProposal+` ORDER BY m.due_at, m.id LIMIT ?`, append(args, limit)...)
	if err != nil {
		return nil, fmt.Errorf("overdue milestones: %w", mapErr(err))
	}
	defer rows.Close()
	var out []OverdueMilestone
	for rows.Next() {
		var o OverdueMilestone
		m, err := scanMilestone(newScanPlusRow(rows, &o.ProposalTitle, &o.ProposalLang))
		if err != nil {
			return nil, fmt.Errorf("overdue milestones: %w", err)
		}
		o.Milestone = *m
		out = append(out, o)
	}
	return out, rows.Err()
}

// MilestoneScores returns how each ministry keeps its milestones on public
// proposals at the store's clock, by ministry id: one pass over the
// milestones, grouped by ministry.
func (s *Store) MilestoneScores(ctx context.Context) (map[int64]forum.MilestoneScore, error) {
	now := s.now().Unix()
	rows, err := s.r.QueryContext(ctx, `SELECT m.ministry_id, count(*),
		COALESCE(SUM(CASE WHEN m.planned_due < ? OR m.state = ? THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN m.state = ? AND m.done_at <= m.planned_due THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN m.state = ? THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN m.state <> ? AND m.due_at < ? THEN 1 ELSE 0 END), 0)
		FROM milestones m JOIN proposals p ON p.id = m.proposal_id WHERE `+publicProposal+` GROUP BY m.ministry_id`,
		now, forum.MilestoneDone, forum.MilestoneDone, forum.MilestoneDone, forum.MilestoneDone, now)
	if err != nil {
		return nil, fmt.Errorf("milestone scores: %w", mapErr(err))
	}
	defer rows.Close()
	out := map[int64]forum.MilestoneScore{}
	for rows.Next() {
		var id int64
		var sc forum.MilestoneScore
		if err := rows.Scan(&id, &sc.Planned, &sc.Due, &sc.Kept, &sc.Done, &sc.Overdue); err != nil {
			return nil, fmt.Errorf("milestone scores: %w", err)
		}
		out[id] = sc
	}
	return out, rows.Err()
}

// EachPublicMilestone calls fn for every milestone of a public proposal, by
// id, reading one row at a time; it stops at the first error fn returns.
func (s *Store) EachPublicMilestone(ctx context.Context, fn func(*forum.Milestone) error) error {
	rows, err := s.r.QueryContext(ctx, `SELECT `+milestoneCols+` FROM milestones m JOIN proposals p ON p.id = m.proposal_id
		WHERE `+publicProposal+` ORDER BY m.id`)
	if err != nil {
		return fmt.Errorf("each public milestone: %w", mapErr(err))
	}
	defer rows.Close()
	for rows.Next() {
		m, err := scanMilestone(rows)
		if err != nil {
			return fmt.Errorf("each public milestone: %w", err)
		}
		if err := fn(m); err != nil {
			return err
		}
	}
	return rows.Err()
}
