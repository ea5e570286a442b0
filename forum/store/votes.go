package store

import (
	"database/sql"
	"sort"

	"github.com/e-people/e-people/forum"
)

// voteReq is one VoteComment as the vote group runs it.
type voteReq struct {
	id, userID int64
	value      int // +1, -1, or 0 to take the vote back
}

// voteGroup runs a batch's votes on comments together: one read each of
// their comments, the threads they are in and the votes they replace, then
// one statement each for the new and changed votes, the withdrawn votes,
// the comments' counters and the events. Each vote leaves the rows and the
// event, and gets the answer, that VoteComment's own function would have.
var voteGroup = &writeGroup{run: runVotes,
	pgKey: func(item any) int64 { return turnKey("comment", item.(*voteReq).id) }}

// voteComment is a comment as a vote group sees it and changes it.
type voteComment struct {
	c          *forum.Comment
	open       bool // its thread takes votes
	public     bool // its thread's events are public
	dUp, dDown int  // the group's changes to its counters
}

func runVotes(_ *Store, t *tx, items []any) ([]error, []int, error) {
	answers := make([]error, len(items))
	// An account's second vote in the batch runs alone, after the group:
	// then every vote here is the only one of its (comment, account) pair.
	reqs, in, alone := firstPerAccount(items, func(r *voteReq) int64 { return r.userID })
	comments, err := voteComments(t, reqs, in)
	if err != nil {
		return nil, nil, err
	}
	old, err := oldVotes(t, reqs, in)
	if err != nil {
		return nil, nil, err
	}
	var set, unset []*voteReq
	var events []forum.Event
	for _, i := range in {
		r := reqs[i]
		vc := comments[r.id]
		switch {
		case vc == nil:
			answers[i] = sql.ErrNoRows
			continue
		case vc.c.AuthorID == r.userID:
			answers[i] = forum.Refuse(forum.ErrForbidden, "err.vote_own")
			continue
		case !vc.c.TakesInteraction() || !vc.open:
			answers[i] = forum.Refuse(forum.ErrInvalidState, "err.vote_closed")
			continue
		}
		was := old[[2]int64{r.id, r.userID}]
		if was == r.value {
			continue
		}
		if r.value == 0 {
			unset = append(unset, r)
		} else {
			set = append(set, r)
		}
		up, down := tally(was, r.value)
		vc.dUp, vc.dDown = vc.dUp+up, vc.dDown+down
		vc.c.Up, vc.c.Down = vc.c.Up+up, vc.c.Down+down
		subj := vc.c.Subject()
		e := forum.Event{Topic: subj.Topic(), Public: vc.public}
		if err := encodeEvent(&e, forum.CommentVotedEvent{ProposalID: subj.ProposalID(), DebateID: subj.DebateID(),
			CommentID: r.id, Up: vc.c.Up, Down: vc.c.Down}); err != nil {
			return nil, nil, err
		}
		events = append(events, e)
	}
	if err := applyVotes(t, comments, set, unset); err != nil {
		return nil, nil, err
	}
	if err := t.appendEvents(events); err != nil {
		return nil, nil, err
	}
	sort.Ints(alone)
	return answers, alone, nil
}

// voteComments reads the comments of reqs[in], whether their threads take
// votes (subjectOpen) and whether their threads' events are public
// (topicPublic).
func voteComments(t *tx, reqs []*voteReq, in []int) (map[int64]*voteComment, error) {
	out := map[int64]*voteComment{}
	var args []any
	for _, i := range in {
		if _, ok := out[reqs[i].id]; !ok {
			out[reqs[i].id] = nil
			args = append(args, reqs[i].id)
		}
	}
	rows, err := t.QueryContext(t.ctx, `SELECT `+commentCols+`,
		COALESCE(d.status, p.status), COALESCE(d.locked, p.locked), COALESCE(p.mod_state, ''), d.id IS NOT NULL OR COALESCE(`+publicProposal+`, FALSE)
		`+commentFrom+` LEFT JOIN proposals p ON p.id = c.proposal_id LEFT JOIN debates d ON d.id = c.debate_id
		WHERE c.id IN (`+placeholders("?", len(args))+`)`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var status string
		var locked bool
		var state forum.ModState
		vc := &voteComment{}
		vc.c, err = scanComment(newScanPlusRow(rows, &status, &locked, &state, &vc.public))
		if err != nil {
			return nil, err
		}
		if vc.c.DebateID != 0 {
			d := forum.Debate{Status: forum.DebateStatus(status), Locked: locked}
			vc.open = d.TakesComments()
		} else {
			p := forum.Proposal{Status: forum.ProposalStatus(status), Locked: locked, ModState: state}
			vc.open = p.TakesComments()
		}
		out[vc.c.ID] = vc
	}
	return out, rows.Err()
}

// idPair is a VALUES row of two ids. The casts type it for PostgreSQL, which
// would otherwise take a VALUES list of parameters for text.
const idPair = "(CAST(? AS BIGINT), CAST(? AS BIGINT))"

// oldVotes returns the votes that reqs[in] replace, by (comment, account).
func oldVotes(t *tx, reqs []*voteReq, in []int) (map[[2]int64]int, error) {
	args := make([]any, 0, 2*len(in))
	for _, i := range in {
		args = append(args, reqs[i].id, reqs[i].userID)
	}
	rows, err := t.QueryContext(t.ctx, `SELECT cv.comment_id, cv.user_id, cv.value FROM (VALUES `+placeholders(idPair, len(in))+`) v
		JOIN comment_votes cv ON cv.comment_id = v.column1 AND cv.user_id = v.column2`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[[2]int64]int{}
	for rows.Next() {
		var id, user int64
		var value int
		if err := rows.Scan(&id, &user, &value); err != nil {
			return nil, err
		}
		out[[2]int64{id, user}] = value
	}
	return out, rows.Err()
}

// applyVotes writes what runVotes decided: the new and changed votes, the
// withdrawn ones, and each comment's counters.
func applyVotes(t *tx, comments map[int64]*voteComment, set, unset []*voteReq) error {
	now := t.now.Unix()
	if len(set) > 0 {
		args := make([]any, 0, 4*len(set))
		for _, r := range set {
			args = append(args, r.id, r.userID, r.value, now)
		}
		if err := execCount(t, len(set), `INSERT INTO comment_votes (comment_id, user_id, value, created_at) VALUES `+
			placeholders("(?, ?, ?, ?)", len(set))+` ON CONFLICT (comment_id, user_id) DO UPDATE SET value = excluded.value`, args...); err != nil {
			return err
		}
	}
	if len(unset) > 0 {
		args := make([]any, 0, 2*len(unset))
		for _, r := range unset {
			args = append(args, r.id, r.userID)
		}
		// By the key, not SQLite's rowid, which PostgreSQL has not.
		if err := execCount(t, len(unset), `DELETE FROM comment_votes WHERE (comment_id, user_id) IN (VALUES `+
			placeholders(idPair, len(unset))+`)`, args...); err != nil {
			return err
		}
	}
	var ids []int64
	for id, vc := range comments {
		if vc != nil && (vc.dUp != 0 || vc.dDown != 0) {
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	sort.Slice(ids, func(a, b int) bool { return ids[a] < ids[b] })
	args := make([]any, 0, 3*len(ids))
	for _, id := range ids {
		args = append(args, id, comments[id].dUp, comments[id].dDown)
	}
	return execCount(t, len(ids), `UPDATE comments SET up_count = up_count + v.column2, down_count = down_count + v.column3
		FROM (VALUES `+placeholders("(CAST(? AS BIGINT), CAST(? AS BIGINT), CAST(? AS BIGINT))", len(ids))+`) v WHERE comments.id = v.column1`, args...)
}
