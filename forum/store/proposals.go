package store

import (
	"context"
	"crypto/subtle"
	"database/sql"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"

	"github.com/e-people/e-people/forum"
	"github.com/e-people/e-people/moderation"
)

const proposalCols = `p.id, p.author_id, u.name, u.role, p.title, p.body_src, p.body_html, p.category_id, p.ministry_id,
	p.status, p.sponsor_token, p.sponsor_count, p.support_count, p.comment_count, p.revision_count,
	p.created_at, p.updated_at, p.published_at, p.closed_at, p.mod_state, p.mod_reason, p.locked,
	COALESCE(p.support_deadline, 0), COALESCE(p.reached_at, 0), COALESCE(p.response_due, 0), COALESCE(p.answered_at, 0),
	p.unverified_sponsors, p.unverified_supports, u.tier, p.lang, COALESCE(p.merged_into, 0), p.answer_round, COALESCE(p.reopened_at, 0)`

const proposalFrom = ` FROM proposals p JOIN users u ON u.id = p.author_id `

func scanProposal(row interface{ Scan(...any) error }) (*forum.Proposal, error) {
	var p forum.Proposal
	var body string
	var created, updated int64
	var published, closed sql.NullInt64
	var deadline, reached, due, answered, reopened int64
	err := row.Scan(&p.ID, &p.AuthorID, &p.AuthorName, &p.AuthorRole, &p.Title, &p.BodySrc, &body, &p.CategoryID, &p.MinistryID,
		&p.Status, &p.SponsorToken, &p.Sponsors, &p.Supports, &p.Comments, &p.Revisions,
		&created, &updated, &published, &closed, &p.ModState, &p.ModReason, &p.Locked,
		&deadline, &reached, &due, &answered, &p.UnverifiedSponsors, &p.UnverifiedSupports, &p.AuthorTier, &p.Lang,
		&p.MergedInto, &p.AnswerRound, &reopened)
	if err != nil {
		return nil, err
	}
	p.Body = moderation.TrustedFromStore(body)
	p.CreatedAt, p.UpdatedAt = fromUnix(created), fromUnix(updated)
	p.PublishedAt, p.ClosedAt = fromNullUnix(published), fromNullUnix(closed)
	p.SupportDeadline, p.ReachedAt, p.ResponseDue, p.AnsweredAt = fromUnix(deadline), fromUnix(reached), fromUnix(due), fromUnix(answered)
	p.ReopenedAt = fromUnix(reopened)
	return &p, nil
}

// NewProposal is a proposal about to be created: the author's checked input,
// its sanitized body and the secret of its sponsor link.
type NewProposal struct {
	AuthorID     int64
	Input        forum.ProposalInput
	Body         moderation.Sanitized
	SponsorToken string
	Draft        bool     // keep as a draft instead of sending it out for co-sponsors
	Hold         []string // content rules tripped: the proposal waits for a moderator before anyone else sees it
	Cap          *Cap     // the author's proposal cap, spent in the same write; nil for none
}

// CreateProposal stores a new proposal and its first revision. Unless it is a
// draft it starts gathering co-sponsors, and opens at once when threshold is 0.
func (s *Store) CreateProposal(ctx context.Context, np NewProposal, threshold int) (*forum.Proposal, error) {
	var id int64
	err := s.write(ctx, func(t *tx) error {
		if err := s.allow(ctx, t, np.AuthorID, forum.ActionPropose); err != nil {
			return err
		}
		in := np.Input
		err := t.QueryRowContext(ctx, `INSERT INTO proposals (author_id, title, body_src, body_html, category_id, ministry_id,
			status, sponsor_token, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, 'draft', ?, ?, ?) RETURNING id`,
			np.AuthorID, in.Title, in.Body, np.Body.String(), in.CategoryID, in.MinistryID, np.SponsorToken, t.now.Unix(), t.now.Unix()).Scan(&id)
		if err != nil {
			if isForeignKey(err) {
				return forum.Invalid("category", "err.category_required")
			}
			return err
		}
		if err := t.spend(ctx, ActivityProposals, np.AuthorID, np.Cap); err != nil {
			return err
		}
		if _, err := t.ExecContext(ctx, `INSERT INTO proposal_revisions (proposal_id, number, title, body_src, body_html, created_at)
			VALUES (?, 1, ?, ?, ?, ?)`, id, in.Title, in.Body, np.Body.String(), t.now.Unix()); err != nil {
			return err
		}
		if len(np.Hold) > 0 {
			if _, err := t.ExecContext(ctx, `UPDATE proposals SET mod_state = 'held' WHERE id = ?`, id); err != nil {
				return err
			}
			if err := hold(ctx, t, forum.ItemProposal, id, np.Hold); err != nil {
				return err
			}
		}
		if err := t.event(ctx, forum.ProposalTopic(id),
			forum.ProposalCreatedEvent{ProposalID: id, AuthorID: np.AuthorID}); err != nil {
			return err
		}
		if np.Draft {
			return nil
		}
		return s.submit(ctx, t, id, threshold)
	})
	if err != nil {
		return nil, fmt.Errorf("create proposal: %w", err)
	}
	return s.Proposal(ctx, id)
}

// submit moves a draft to gathering, and on to open when no sponsors are needed.
func (s *Store) submit(ctx context.Context, t *tx, id int64, threshold int) error {
	if err := s.transition(ctx, t, id, forum.TransSubmit); err != nil {
		return err
	}
	if threshold <= 0 {
		return s.transition(ctx, t, id, forum.TransSponsors)
	}
	return nil
}

// transition applies a lifecycle transition inside t and records its event.
func (s *Store) transition(ctx context.Context, t *tx, id int64, tr forum.Transition) error {
	var from forum.ProposalStatus
	var wasPublic bool
	if err := t.QueryRowContext(ctx, `SELECT p.status, `+publicProposal+` FROM proposals p WHERE p.id = ?`, id).Scan(&from, &wasPublic); err != nil {
		return err
	}
	to, err := from.Next(tr)
	if err != nil {
		return err
	}
	now := t.now.Unix()
	th := s.Settings().Thresholds
	q, extra := `UPDATE proposals SET status = ?, updated_at = ? WHERE id = ?`, []any{}
	switch to {
	case forum.StatusOpen:
		q = `UPDATE proposals SET status = ?, updated_at = ?, published_at = ?, support_deadline = ? WHERE id = ?`
		extra = []any{now, t.now.Add(th.Window).Unix()}
	case forum.StatusClosed, forum.StatusWithdrawn:
		q = `UPDATE proposals SET status = ?, updated_at = ?, closed_at = ? WHERE id = ?`
		extra = []any{now}
	case forum.StatusAwaiting:
		q = `UPDATE proposals SET status = ?, updated_at = ?, reached_at = ?, response_due = ? WHERE id = ?`
		extra = []any{now, t.now.Add(th.ResponseIn).Unix()}
	case forum.StatusAnswered, forum.StatusReferred:
		q = `UPDATE proposals SET status = ?, updated_at = ?, answered_at = COALESCE(answered_at, ?) WHERE id = ?`
		extra = []any{now}
	}
	if tr == forum.TransReturn { // back to its ministry for the second answer: reached_at and answered_at stay the first round's
		q = `UPDATE proposals SET status = ?, updated_at = ?, response_due = ?, answer_round = 2, reopened_at = ? WHERE id = ?`
		extra = []any{t.now.Add(th.ResponseIn).Unix(), now}
	}
	args := append(append([]any{to, now}, extra...), id)
	if _, err := t.ExecContext(ctx, q, args...); err != nil {
		return err
	}
	if tr == forum.TransAnswer || tr == forum.TransRefer { // the answer's text is new: index it with the rest
		err = indexProposal(ctx, t, id)
	} else {
		err = reindexStatus(ctx, t, id, to, wasPublic)
	}
	if err != nil {
		return err
	}
	return t.event(ctx, forum.ProposalTopic(id),
		forum.ProposalStatusEvent{ProposalID: id, From: from, Status: to})
}

// reindexStatus brings the search index up to date with proposal id's move
// to status, when nothing but its status changed. A move that leaves the proposal as public as it was (open to
// awaiting an answer, say) changes only the status its rows carry: one
// statement that rewrites that column, instead of tokenizing the proposal
// and every comment of its thread again, which held every other write up
// for seconds when a proposal with a long thread reached its threshold.
// A move in or out of public view re-indexes it (indexProposal).
func reindexStatus(ctx context.Context, t *tx, id int64, status forum.ProposalStatus, wasPublic bool) error {
	var public bool
	if err := t.QueryRowContext(ctx, `SELECT `+publicProposal+` FROM proposals p WHERE p.id = ?`, id).Scan(&public); err != nil {
		return fmt.Errorf("index proposal: %w", err)
	}
	switch {
	case public != wasPublic:
		return indexProposal(ctx, t, id)
	case !public: // neither it nor its thread is in the index
		return nil
	}
	slots := strconv.Itoa(searchKindSlots) // a literal: PostgreSQL cannot type a product of two parameters
	if _, err := t.ExecContext(ctx, `UPDATE search_index SET status = ?1
		WHERE rowid IN (?2 * `+slots+` + ?3, ?2 * `+slots+` + ?4) OR rowid IN (SELECT c.id * `+slots+` + ?5 FROM comments c WHERE c.proposal_id = ?2)`,
		status, id, searchKinds[SearchProposal], searchKinds[SearchAnswer], searchKinds[SearchComment]); err != nil {
		return fmt.Errorf("index proposal: %w", err)
	}
	return nil
}

// Proposal returns the proposal with id, whatever its state.
func (s *Store) Proposal(ctx context.Context, id int64) (*forum.Proposal, error) {
	p, err := scanProposal(s.r.QueryRowContext(ctx, `SELECT `+proposalCols+proposalFrom+`WHERE p.id = ?`, id))
	if err != nil {
		return nil, fmt.Errorf("get proposal %d: %w", id, mapErr(err))
	}
	return p, nil
}

// Submit sends the author's draft out for co-sponsors.
func (s *Store) Submit(ctx context.Context, id, authorID int64, threshold int) error {
	err := s.write(ctx, func(t *tx) error {
		if err := checkAuthor(ctx, t, id, authorID); err != nil {
			return err
		}
		return s.submit(ctx, t, id, threshold)
	})
	if err != nil {
		return fmt.Errorf("submit proposal %d: %w", id, err)
	}
	return nil
}

// Withdraw lets the author take back a proposal that has not closed.
func (s *Store) Withdraw(ctx context.Context, id, authorID int64) error {
	err := s.write(ctx, func(t *tx) error {
		if err := checkAuthor(ctx, t, id, authorID); err != nil {
			return err
		}
		return s.transition(ctx, t, id, forum.TransWithdraw)
	})
	if err != nil {
		return fmt.Errorf("withdraw proposal %d: %w", id, err)
	}
	return nil
}

func checkAuthor(ctx context.Context, t *tx, id, authorID int64) error {
	var author int64
	if err := t.QueryRowContext(ctx, `SELECT author_id FROM proposals WHERE id = ?`, id).Scan(&author); err != nil {
		return err
	}
	if author != authorID {
		return forum.Refuse(forum.ErrForbidden, "err.not_your_proposal")
	}
	return nil
}

// EditProposal saves a new revision of the author's proposal while the rules allow editing
// (Edit, which says whether it was shown or waits for a moderator).
// A non-empty hold (content rules tripped) sends the proposal back to review.
func (s *Store) EditProposal(ctx context.Context, id, authorID int64, in forum.ProposalInput, body moderation.Sanitized, rules forum.Rules, hold []string) error {
	_, err := s.Edit(ctx, id, authorID, in, body, rules, hold)
	return err
}

// Revisions returns every shown version of a proposal, oldest first: not
// the edits waiting for a moderator or turned down (PendingEdit, Revision).
func (s *Store) Revisions(ctx context.Context, id int64) ([]forum.Revision, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+revisionCols+` FROM proposal_revisions
		WHERE proposal_id = ? AND state = 'published' ORDER BY number`, id)
	if err != nil {
		return nil, fmt.Errorf("list revisions: %w", mapErr(err))
	}
	defer rows.Close()
	var out []forum.Revision
	for rows.Next() {
		r, err := scanRevision(id, rows)
		if err != nil {
			return nil, fmt.Errorf("list revisions: %w", err)
		}
		out = append(out, *r)
	}
	return out, rows.Err()
}

// Sponsor records userID as a co-sponsor through the proposal's private link,
// and opens the proposal when the threshold is reached. Signing twice is a no-op.
func (s *Store) Sponsor(ctx context.Context, id, userID int64, token string, threshold int) (*forum.Proposal, error) {
	err := s.write(ctx, func(t *tx) error {
		var p forum.Proposal
		var secret string
		if err := t.QueryRowContext(ctx, `SELECT author_id, sponsor_token, status, mod_state FROM proposals WHERE id = ?`, id).
			Scan(&p.AuthorID, &secret, &p.Status, &p.ModState); err != nil {
			return err
		}
		if subtle.ConstantTimeCompare([]byte(secret), []byte(token)) != 1 {
			return forum.ErrNotFound
		}
		if p.AuthorID == userID {
			return forum.Refuse(forum.ErrForbidden, "err.sponsor_own")
		}
		if !p.SponsorableBy(&forum.User{ID: userID}) { // a held proposal gathers no co-sponsors
			return forum.Refuse(forum.ErrInvalidState, "err.sponsor_closed")
		}
		u, err := account(ctx, t, userID)
		if err != nil {
			return err
		}
		if err := forum.CheckTier(u, s.Settings().Tiers, forum.ActionSponsor); err != nil {
			return err
		}
		res, err := t.ExecContext(ctx, `INSERT INTO sponsors (proposal_id, user_id, created_at) VALUES (?, ?, ?)
			ON CONFLICT DO NOTHING`, id, userID, t.now.Unix())
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		verified, unverified := split(u.Tier.Counted(), 1)
		return s.countSponsors(ctx, t, id, verified, unverified, threshold)
	})
	if err != nil {
		return nil, fmt.Errorf("sponsor proposal %d: %w", id, err)
	}
	return s.Proposal(ctx, id)
}

// Support records one user's support for an open proposal and returns the
// new count. Supporting twice changes nothing. A new support past limit
// fails with a *CapError; a nil limit limits nothing.
func (s *Store) Support(ctx context.Context, id, userID int64, limit *Cap) (int, error) {
	return s.setSupport(ctx, id, userID, true, false, limit)
}

// Unsupport withdraws one user's support and returns the new count.
func (s *Store) Unsupport(ctx context.Context, id, userID int64) (int, error) {
	return s.setSupport(ctx, id, userID, false, false, nil)
}

func (s *Store) setSupport(ctx context.Context, id, userID int64, on, seen bool, limit *Cap) (int, error) {
	var count int
	req := &supportReq{id: id, userID: userID, on: on, seen: seen, limit: limit, count: &count}
	if err := s.writeGrouped(ctx, s.supportAlone(req), supportGroup, req); err != nil {
		return 0, fmt.Errorf("support proposal %d: %w", id, err)
	}
	return count, nil
}

// supportAlone is the write of r on its own, as the committer runs it when
// it does not run it with others (supportGroup).
func (s *Store) supportAlone(r *supportReq) func(*tx) error {
	id, userID, on, limit := r.id, r.userID, r.on, r.limit
	return func(t *tx) error {
		ctx := t.ctx
		count := r.count
		var status forum.ProposalStatus
		var state forum.ModState
		var merged int64
		if err := t.QueryRowContext(ctx, `SELECT status, support_count, mod_state, COALESCE(merged_into, 0) FROM proposals WHERE id = ?`, id).Scan(&status, count, &state, &merged); err != nil {
			return err
		}
		if merged != 0 { // a signpost to the proposal it was merged into (issue 18)
			return forum.Refuse(forum.ErrInvalidState, "err.proposal_merged", merged)
		}
		if !status.TakesSupport() || (on && state != forum.ModVisible) {
			return forum.Refuse(forum.ErrInvalidState, "err.support_closed")
		}
		u, err := account(ctx, t, userID)
		if err != nil {
			return err
		}
		if on {
			if err := forum.CheckTier(u, s.Settings().Tiers, forum.ActionSupport); err != nil {
				return err
			}
		}
		q, delta := `INSERT INTO supports (proposal_id, user_id, created_at, saw_objection) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING`, 1
		args := []any{id, userID, t.now.Unix(), sawObjection(r.seen)}
		if !on {
			q, delta, args = `DELETE FROM supports WHERE proposal_id = ? AND user_id = ?`, -1, args[:2]
		}
		res, err := t.ExecContext(ctx, q, args...)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		if on {
			if err := t.spend(ctx, ActivitySupports, userID, limit); err != nil {
				return err
			}
		}
		if on { // supporters follow what they support; they may stop
			if _, err := t.ExecContext(ctx, `INSERT INTO follows (user_id, item_kind, item_id, created_at) VALUES (?, 'proposal', ?, ?)
				ON CONFLICT DO NOTHING`, userID, id, t.now.Unix()); err != nil {
				return err
			}
		}
		verified, unverified := split(u.Tier.Counted(), delta)
		*count, err = s.countSupports(ctx, t, id, verified, unverified)
		return err
	}
}

// allow returns a *forum.TierError when userID's account is below the tier
// the settings ask for action (forum.CheckTier).
func (s *Store) allow(ctx context.Context, t *tx, userID int64, action string) error {
	u, err := account(ctx, t, userID)
	if err != nil {
		return err
	}
	return forum.CheckTier(u, s.Settings().Tiers, action)
}

// account reads what the tier rules ask of userID: its role and tier.
func account(ctx context.Context, t *tx, userID int64) (*forum.User, error) {
	u := forum.User{ID: userID}
	if err := t.QueryRowContext(ctx, `SELECT role, tier FROM users WHERE id = ?`, userID).Scan(&u.Role, &u.Tier); err != nil {
		return nil, err
	}
	return &u, nil
}

// userCounted reports whether the supports and co-sponsorships of userID
// count in a proposal's figures (forum.Tier.Counted).
func userCounted(ctx context.Context, t *tx, userID int64) (bool, error) {
	u, err := account(ctx, t, userID)
	if err != nil {
		return false, err
	}
	return u.Tier.Counted(), nil
}

// split turns a change of delta supports (or co-sponsorships) by an account
// whose figures count (counted) or not into the changes of the verified
// and the unverified figure.
func split(counted bool, delta int) (verified, unverified int) {
	if counted {
		return delta, 0
	}
	return 0, delta
}

// countSupports adds the deltas to proposal id's verified and unverified
// supports, tells the proposal's topic, and, when the verified supports
// grew to the threshold within the support window, opens the ministry's
// answer period. It returns the verified count.
func (s *Store) countSupports(ctx context.Context, t *tx, id int64, verified, unverified int) (int, error) {
	var count, others int
	var status forum.ProposalStatus
	if err := t.QueryRowContext(ctx, `UPDATE proposals SET support_count = support_count + ?, unverified_supports = unverified_supports + ?
		WHERE id = ? RETURNING support_count, unverified_supports, status`, verified, unverified, id).Scan(&count, &others, &status); err != nil {
		return 0, err
	}
	if err := t.event(ctx, forum.ProposalTopic(id),
		forum.ProposalSupportedEvent{ProposalID: id, Supports: count, Unverified: others}); err != nil {
		return 0, err
	}
	if verified <= 0 || !status.InSupportWindow() || count < s.Settings().Thresholds.Supports {
		return count, nil
	}
	if err := s.transition(ctx, t, id, forum.TransReach); err != nil {
		return 0, err
	}
	return count, notifyFollowers(ctx, t, forum.ItemProposal, id, forum.NoteThresholdReached, map[string]any{"proposal_id": id})
}

// countSponsors adds the deltas to proposal id's verified and unverified
// co-sponsors, tells the proposal's topic, and opens a gathering proposal
// whose verified co-sponsors reached threshold.
func (s *Store) countSponsors(ctx context.Context, t *tx, id int64, verified, unverified, threshold int) error {
	var count, others int
	var status forum.ProposalStatus
	if err := t.QueryRowContext(ctx, `UPDATE proposals SET sponsor_count = sponsor_count + ?, unverified_sponsors = unverified_sponsors + ?
		WHERE id = ? RETURNING sponsor_count, unverified_sponsors, status`, verified, unverified, id).Scan(&count, &others, &status); err != nil {
		return err
	}
	if err := t.event(ctx, forum.ProposalTopic(id),
		forum.ProposalSponsoredEvent{ProposalID: id, Sponsors: count, Unverified: others, Threshold: threshold}); err != nil {
		return err
	}
	if verified > 0 && status.TakesSponsors() && count >= threshold {
		return s.transition(ctx, t, id, forum.TransSponsors)
	}
	return nil
}

// retier sets the tier of userID in t. When the change crosses
// forum.Tier.Counted, the account's supports and co-sponsorships move
// between the verified and unverified figures of every proposal they are
// on, and a move that lifts a verified figure to its threshold has the
// effect a new support would have. It returns the tier the account had.
func (s *Store) retier(ctx context.Context, t *tx, userID int64, tier forum.Tier) (forum.Tier, error) {
	if !tier.Valid() {
		return "", fmt.Errorf("unknown tier %q", tier)
	}
	var was forum.Tier
	if err := t.QueryRowContext(ctx, `SELECT tier FROM users WHERE id = ?`, userID).Scan(&was); err != nil {
		return "", err
	}
	if _, err := t.ExecContext(ctx, `UPDATE users SET tier = ? WHERE id = ?`, tier, userID); err != nil {
		return "", err
	}
	if was.Counted() == tier.Counted() {
		return was, nil
	}
	verified, unverified := 1, -1 // the account's rows move into the verified figures
	if !tier.Counted() {
		verified, unverified = -1, 1
	}
	sponsored, err := queryIDs(ctx, t, `SELECT proposal_id FROM sponsors WHERE user_id = ? ORDER BY proposal_id`, userID)
	if err != nil {
		return "", err
	}
	threshold := s.Settings().SponsorThreshold
	for _, id := range sponsored {
		if err := s.countSponsors(ctx, t, id, verified, unverified, threshold); err != nil {
			return "", err
		}
	}
	supported, err := queryIDs(ctx, t, `SELECT proposal_id FROM supports WHERE user_id = ? ORDER BY proposal_id`, userID)
	if err != nil {
		return "", err
	}
	for _, id := range supported {
		if _, err := s.countSupports(ctx, t, id, verified, unverified); err != nil {
			return "", err
		}
	}
	return was, nil
}

// queryIDs returns the ids query selects with args, in its order.
func queryIDs(ctx context.Context, t *tx, query string, args ...any) ([]int64, error) {
	rows, err := t.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// Viewer is what one signed-in user has done on one proposal.
type Viewer struct {
	Supported bool
	Sponsored bool
	Votes     map[int64]int // comment id → +1 or -1
}

// ViewerState returns what userID has done on proposal id.
func (s *Store) ViewerState(ctx context.Context, id, userID int64) (Viewer, error) {
	v := Viewer{Votes: map[int64]int{}}
	err := s.r.QueryRowContext(ctx, `SELECT
		EXISTS (SELECT 1 FROM supports WHERE proposal_id = ?1 AND user_id = ?2),
		EXISTS (SELECT 1 FROM sponsors WHERE proposal_id = ?1 AND user_id = ?2)`, id, userID).Scan(&v.Supported, &v.Sponsored)
	if err != nil {
		return v, fmt.Errorf("viewer state: %w", mapErr(err))
	}
	v.Votes, err = s.Votes(ctx, forum.ProposalSubject(id), userID)
	return v, err
}

// Votes returns userID's votes on the comments of a proposal or debate: comment id → +1 or -1.
func (s *Store) Votes(ctx context.Context, subject forum.Subject, userID int64) (map[int64]int, error) {
	column, _ := subjectSQL(subject)
	rows, err := s.r.QueryContext(ctx, `SELECT v.comment_id, v.value FROM comment_votes v JOIN comments c ON c.id = v.comment_id
		WHERE c.`+column+` = ? AND v.user_id = ?`, subject.ID, userID)
	if err != nil {
		return nil, fmt.Errorf("viewer votes: %w", mapErr(err))
	}
	defer rows.Close()
	votes := map[int64]int{}
	for rows.Next() {
		var cid int64
		var val int
		if err := rows.Scan(&cid, &val); err != nil {
			return nil, fmt.Errorf("viewer votes: %w", err)
		}
		votes[cid] = val
	}
	return votes, rows.Err()
}

// Sort orders a proposal list.
type Sort string

// Proposal list orders.
const (
	SortNewest    Sort = "newest"
	SortSupported Sort = "supported"
	SortDebated   Sort = "debated"
	SortTrending  Sort = "trending"
)

// ProposalQuery filters and pages the public proposal list.
type ProposalQuery struct {
	Status     forum.ProposalStatus // open or closed; both when empty
	CategoryID int64
	MinistryID int64
	AuthorID   int64
	Sort       Sort
	Cursor     string // from the previous page's Next; empty for the first page
	Limit      int
}

// ProposalPage is one page of a proposal list.
type ProposalPage struct {
	Proposals []*forum.Proposal
	Next      string                   // cursor of the next page; empty on the last
	Decisions map[int64]forum.Decision // the decision of each answered proposal on the page, by id
}

// TrendingWindow is how far back supports count towards the trending order, in seconds.
const TrendingWindow = 7 * 24 * 3600

// ListProposals returns a page of public proposals. Pages are keyset-paginated
// on (sort key, id), so proposals published while a reader pages through never
// shift or repeat what they see.
func (s *Store) ListProposals(ctx context.Context, q ProposalQuery) (ProposalPage, error) {
	if q.Limit <= 0 || q.Limit > 100 {
		q.Limit = 20
	}
	var key string
	switch q.Sort {
	case SortSupported:
		key = `p.support_count`
	case SortDebated:
		key = `p.comment_count`
	case SortTrending:
		key = `(SELECT count(*) FROM supports s WHERE s.proposal_id = p.id AND s.created_at > ` +
			strconv.FormatInt(s.now().Unix()-TrendingWindow, 10) + `)`
	default:
		q.Sort, key = SortNewest, `p.published_at`
	}
	// A proposal merged into another is that one's signpost: the lists show the other.
	where := []string{publicProposal, listedStatuses, `p.merged_into IS NULL`}
	var args []any
	if q.Status != "" {
		where, args = append(where, `p.status = ?`), append(args, q.Status)
	}
	if q.CategoryID != 0 {
		where, args = append(where, `p.category_id = ?`), append(args, q.CategoryID)
	}
	if q.MinistryID != 0 {
		where, args = append(where, `p.ministry_id = ?`), append(args, q.MinistryID)
	}
	if q.AuthorID != 0 {
		where, args = append(where, `p.author_id = ?`), append(args, q.AuthorID)
	}
	if q.Cursor != "" {
		k, id, err := decodeCursor(q.Cursor)
		if err != nil {
			return ProposalPage{}, forum.Invalid("cursor", "err.bad_cursor")
		}
		where = append(where, `(`+key+` < ? OR (`+key+` = ? AND p.id < ?))`)
		args = append(args, k, k, id)
	}
	query := `SELECT ` + proposalCols + `, ` + key + proposalFrom + `WHERE ` + strings.Join(where, ` AND `) +
		` ORDER BY ` + key + ` DESC, p.id DESC LIMIT ?`
	rows, err := s.r.QueryContext(ctx, query, append(args, q.Limit+1)...)
	if err != nil {
		return ProposalPage{}, fmt.Errorf("list proposals: %w", mapErr(err))
	}
	defer rows.Close()
	var page ProposalPage
	var keys []int64
	for rows.Next() {
		var k int64
		p, err := scanProposal(scanPlus{rows, &k})
		if err != nil {
			return ProposalPage{}, fmt.Errorf("list proposals: %w", err)
		}
		page.Proposals, keys = append(page.Proposals, p), append(keys, k)
	}
	if err := rows.Err(); err != nil {
		return ProposalPage{}, fmt.Errorf("list proposals: %w", err)
	}
	if len(page.Proposals) > q.Limit {
		last := q.Limit - 1
		page.Proposals = page.Proposals[:q.Limit]
		page.Next = encodeCursor(keys[last], page.Proposals[last].ID)
	}
	if page.Decisions, err = s.decisions(ctx, page.Proposals); err != nil {
		return ProposalPage{}, fmt.Errorf("list proposals: %w", err)
	}
	return page, nil
}

// decisions returns the answer's decision of each answered proposal in ps, by id.
func (s *Store) decisions(ctx context.Context, ps []*forum.Proposal) (map[int64]forum.Decision, error) {
	var ids []any
	for _, p := range ps {
		if p.Status.Answered() {
			ids = append(ids, p.ID)
		}
	}
	if len(ids) == 0 {
		return nil, nil
	}
	rows, err := s.r.QueryContext(ctx, `SELECT proposal_id, decision FROM responses WHERE proposal_id IN (`+placeholders("?", len(ids))+`)`, ids...)
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()
	out := make(map[int64]forum.Decision, len(ids))
	for rows.Next() {
		var id int64
		var d forum.Decision
		if err := rows.Scan(&id, &d); err != nil {
			return nil, err
		}
		out[id] = d
	}
	return out, rows.Err()
}

// scanPlus scans a proposal row followed by one extra column.
type scanPlus struct {
	rows  *sql.Rows
	extra any
}

func (sp scanPlus) Scan(dest ...any) error { return sp.rows.Scan(append(dest, sp.extra)...) }

func encodeCursor(key, id int64) string {
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(key, 10) + "." + strconv.FormatInt(id, 10)))
}

func decodeCursor(c string) (key, id int64, err error) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return 0, 0, err
	}
	k, i, ok := strings.Cut(string(b), ".")
	if !ok {
		return 0, 0, fmt.Errorf("bad cursor")
	}
	if key, err = strconv.ParseInt(k, 10, 64); err != nil {
		return 0, 0, err
	}
	id, err = strconv.ParseInt(i, 10, 64)
	return key, id, err
}

// UserProposals returns the proposals userID wrote, newest first; drafts and
// proposals still gathering sponsors only when private is true.
func (s *Store) UserProposals(ctx context.Context, userID int64, private bool) ([]*forum.Proposal, error) {
	cond := publicProposal + ` AND ` + listedStatuses
	if private {
		cond = `1 = 1` // PostgreSQL wants a boolean, not 1
	}
	rows, err := s.r.QueryContext(ctx, `SELECT `+proposalCols+proposalFrom+`WHERE p.author_id = ? AND `+cond+` ORDER BY p.id DESC LIMIT 200`, userID)
	if err != nil {
		return nil, fmt.Errorf("list user proposals: %w", mapErr(err))
	}
	return collectProposals(rows, "list user proposals")
}
