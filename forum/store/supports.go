package store

import (
	"database/sql"
	"sort"

	"github.com/e-people/e-people/forum"
)

// supportReq is one Support or Unsupport as the support group runs it.
type supportReq struct {
	id, userID int64
	on         bool
	seen       bool // a new support: its citizen was shown the strongest objection first (supports.saw_objection)
	limit      *Cap
	count      *int // the answer: the proposal's verified supports after the write
}

// supportGroup runs a batch's supports and withdrawals together: one read
// each of their proposals, their accounts, their existing supports and
// their caps, then one statement each for the new supports, the new
// follows, the withdrawn supports, the counters and the events, whatever
// the number of writes. Each write gets the answer, and leaves the rows and
// the event, that setSupport's own function would have given and left.
// Only SQLite's committer runs groups: on PostgreSQL writeGrouped runs each
// write alone (supportAlone), so this group, and its statements by rowid,
// never run there.
var supportGroup = &writeGroup{run: runSupports,
	pgKey: func(item any) int64 { return turnKey(forum.KindProposal, item.(*supportReq).id) }}

// supportProposal is a proposal as a support group sees it and changes it.
type supportProposal struct {
	status       forum.ProposalStatus
	state        forum.ModState
	count, other int   // verified and unverified supports, as the writes so far leave them
	public       bool  // whether its topic's events are public
	dv, du       int   // the group's changes to count and other
	handedOff    bool  // a write of it crossed the threshold: it and its later writes run alone
	mergedInto   int64 // merged into that proposal (issue 18): it takes no supports
}

// supportChange is one support the group adds or withdraws.
type supportChange struct {
	req          *supportReq
	count, other int
	rowid        int64 // the withdrawn support's row
}

func runSupports(s *Store, t *tx, items []any) ([]error, []int, error) {
	answers := make([]error, len(items))
	// in: the items this step applies or refuses; an account's second write runs alone, after the group.
	reqs, in, alone := firstPerAccount(items, func(r *supportReq) int64 { return r.userID })
	props, err := supportProposals(t, reqs, in)
	if err != nil {
		return nil, nil, err
	}
	accounts, err := supportAccounts(t, reqs, in)
	if err != nil {
		return nil, nil, err
	}
	existing, err := existingSupports(t, reqs, in)
	if err != nil {
		return nil, nil, err
	}
	spent, err := spentSupports(t, reqs, in)
	if err != nil {
		return nil, nil, err
	}
	settings := s.Settings()
	var added, withdrawn []supportChange
	var changes []supportChange // in order, for the events
	for _, i := range in {
		r := reqs[i]
		p, u := props[r.id], accounts[r.userID]
		switch {
		case p == nil:
			answers[i] = sql.ErrNoRows
			continue
		case p.handedOff:
			alone = append(alone, i)
			continue
		case p.mergedInto != 0:
			answers[i] = forum.Refuse(forum.ErrInvalidState, "err.proposal_merged", p.mergedInto)
			continue
		case !p.status.TakesSupport() || (r.on && p.state != forum.ModVisible):
			answers[i] = forum.ErrInvalidState
			continue
		case u == nil:
			answers[i] = sql.ErrNoRows
			continue
		}
		if r.on {
			if err := forum.CheckTier(u, settings.Tiers, forum.ActionSupport); err != nil {
				answers[i] = err
				continue
			}
		}
		rowid, has := existing[[2]int64{r.id, r.userID}]
		if has == r.on { // nothing to change
			*r.count = p.count
			continue
		}
		if r.on && r.limit != nil {
			n := spent[i]
			if !t.now.Before(r.limit.Since) {
				n++ // the new support counts against its own cap
			}
			if n > r.limit.Max {
				answers[i] = &CapError{Activity: ActivitySupports, Max: r.limit.Max, Since: r.limit.Since}
				continue
			}
		}
		delta := 1
		if !r.on {
			delta = -1
		}
		v, un := split(u.Tier.Counted(), delta)
		if v > 0 && p.status.InSupportWindow() && p.count+v >= settings.Thresholds.Supports {
			p.handedOff = true // countSupports opens the answer period
			alone = append(alone, i)
			continue
		}
		p.count, p.other, p.dv, p.du = p.count+v, p.other+un, p.dv+v, p.du+un
		*r.count = p.count
		c := supportChange{req: r, count: p.count, other: p.other, rowid: rowid}
		changes = append(changes, c)
		if r.on {
			added = append(added, c)
		} else {
			withdrawn = append(withdrawn, c)
		}
	}
	if err := applySupports(t, props, added, withdrawn, changes); err != nil {
		return nil, nil, err
	}
	sort.Ints(alone)
	return answers, alone, nil
}

// supportProposals reads the proposals of reqs[in] by id.
func supportProposals(t *tx, reqs []*supportReq, in []int) (map[int64]*supportProposal, error) {
	props := map[int64]*supportProposal{}
	var args []any
	for _, i := range in {
		if _, ok := props[reqs[i].id]; !ok {
			props[reqs[i].id] = nil
			args = append(args, reqs[i].id)
		}
	}
	rows, err := t.QueryContext(t.ctx, `SELECT p.id, p.status, p.mod_state, p.support_count, p.unverified_supports, COALESCE(p.merged_into, 0), `+publicProposal+`
		FROM proposals p WHERE p.id IN (`+placeholders("?", len(args))+`)`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var p supportProposal
		if err := rows.Scan(&id, &p.status, &p.state, &p.count, &p.other, &p.mergedInto, &p.public); err != nil {
			return nil, err
		}
		props[id] = &p
	}
	return props, rows.Err()
}

// supportAccounts reads the role and tier of the accounts of reqs[in].
func supportAccounts(t *tx, reqs []*supportReq, in []int) (map[int64]*forum.User, error) {
	args := make([]any, len(in))
	for k, i := range in {
		args[k] = reqs[i].userID
	}
	rows, err := t.QueryContext(t.ctx, `SELECT id, role, tier FROM users WHERE id IN (`+placeholders("?", len(args))+`)`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64]*forum.User{}
	for rows.Next() {
		var u forum.User
		if err := rows.Scan(&u.ID, &u.Role, &u.Tier); err != nil {
			return nil, err
		}
		out[u.ID] = &u
	}
	return out, rows.Err()
}

// existingSupports returns the rows of the supports that reqs[in] already
// have, by (proposal, account).
func existingSupports(t *tx, reqs []*supportReq, in []int) (map[[2]int64]int64, error) {
	args := make([]any, 0, 2*len(in))
	for _, i := range in {
		args = append(args, reqs[i].id, reqs[i].userID)
	}
	rows, err := t.QueryContext(t.ctx, `SELECT s.rowid, s.proposal_id, s.user_id FROM (VALUES `+placeholders("(?, ?)", len(in))+`) v
		JOIN supports s ON s.proposal_id = v.column1 AND s.user_id = v.column2`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[[2]int64]int64{}
	for rows.Next() {
		var rowid, id, user int64
		if err := rows.Scan(&rowid, &id, &user); err != nil {
			return nil, err
		}
		out[[2]int64{id, user}] = rowid
	}
	return out, rows.Err()
}

// spentSupports counts, for every capped new support of reqs[in], its
// account's supports since its cap's start, up to one past the largest cap
// (enough to tell whether it is reached): spend's count, for all of them
// in one statement.
func spentSupports(t *tx, reqs []*supportReq, in []int) (map[int]int, error) {
	args := []any{0} // ?1: the largest cap, plus one
	most := 0
	for _, i := range in {
		if r := reqs[i]; r.on && r.limit != nil {
			args = append(args, i, r.userID, r.limit.Since.Unix())
			most = max(most, r.limit.Max+1)
		}
	}
	out := map[int]int{}
	if len(args) == 1 {
		return out, nil
	}
	args[0] = most
	rows, err := t.QueryContext(t.ctx, `SELECT v.column1, (SELECT count(*) FROM (SELECT 1 FROM supports s
		WHERE s.user_id = v.column2 AND s.created_at >= v.column3 LIMIT ?1))
		FROM (VALUES `+placeholders("(?, ?, ?)", (len(args)-1)/3)+`) v`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var i, n int
		if err := rows.Scan(&i, &n); err != nil {
			return nil, err
		}
		out[i] = n
	}
	return out, rows.Err()
}

// applySupports writes what runSupports decided: the new supports and
// their follows, the withdrawn supports, each proposal's counters, and
// one event per change, in order.
func applySupports(t *tx, props map[int64]*supportProposal, added, withdrawn, changes []supportChange) error {
	now := t.now.Unix()
	if len(added) > 0 {
		args := make([]any, 0, 4*len(added))
		for _, c := range added {
			args = append(args, c.req.id, c.req.userID, now, sawObjection(c.req.seen))
		}
		if err := execCount(t, len(added), `INSERT INTO supports (proposal_id, user_id, created_at, saw_objection) VALUES `+
			placeholders("(?, ?, ?, ?)", len(added)), args...); err != nil {
			return err
		}
		// Supporters follow what they support; they may stop.
		args = args[:0]
		for _, c := range added {
			args = append(args, c.req.userID, c.req.id, now)
		}
		if _, err := t.ExecContext(t.ctx, `INSERT INTO follows (user_id, item_kind, item_id, created_at) VALUES `+
			placeholders("(?, 'proposal', ?, ?)", len(added))+` ON CONFLICT DO NOTHING`, args...); err != nil {
			return err
		}
	}
	if len(withdrawn) > 0 {
		args := make([]any, len(withdrawn))
		for k, c := range withdrawn {
			args[k] = c.rowid
		}
		if err := execCount(t, len(withdrawn), `DELETE FROM supports WHERE rowid IN (`+placeholders("?", len(withdrawn))+`)`, args...); err != nil {
			return err
		}
	}
	if len(changes) == 0 {
		return nil
	}
	var args []any
	ids := make([]int64, 0, len(props))
	for id, p := range props {
		if p != nil && (p.dv != 0 || p.du != 0) {
			ids = append(ids, id)
		}
	}
	sort.Slice(ids, func(a, b int) bool { return ids[a] < ids[b] })
	for _, id := range ids {
		args = append(args, id, props[id].dv, props[id].du)
	}
	if len(ids) > 0 {
		if err := execCount(t, len(ids), `UPDATE proposals SET support_count = support_count + v.column2,
			unverified_supports = unverified_supports + v.column3
			FROM (VALUES `+placeholders("(?, ?, ?)", len(ids))+`) v WHERE proposals.id = v.column1`, args...); err != nil {
			return err
		}
	}
	events := make([]forum.Event, len(changes))
	for k, c := range changes {
		data := forum.ProposalSupportedEvent{ProposalID: c.req.id, Supports: c.count, Unverified: c.other}
		events[k] = forum.Event{Topic: forum.ProposalTopic(c.req.id), Public: props[c.req.id].public}
		if err := encodeEvent(&events[k], data); err != nil {
			return err
		}
	}
	return t.appendEvents(events)
}
