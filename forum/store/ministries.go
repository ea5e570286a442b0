package store

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/e-people/e-people/forum"
	"github.com/e-people/e-people/moderation"
)

// followed is one item whose followers a notification goes to, as follows
// names it (item_kind 'proposal', 'debate' or 'ministry', and its id).
type followed struct {
	kind string
	id   int64
}

// notifyFollowers tells everyone who follows an item (see notifyFollowersOf);
// the notification's subject is the item.
func notifyFollowers(ctx context.Context, t *tx, kind forum.ItemKind, id int64, note string, data map[string]any) error {
	return notifyFollowersOf(ctx, t, note, forum.NoteSubject(string(kind), id), data, followed{string(kind), id})
}

// notifyFollowersOf tells everyone who follows any of items, in one
// statement each for the notifications, their live events and the
// immediate e-mails, so that 50,000 followers cost one transaction, not
// 50,000. Each follower is told exactly once, whichever and however many
// of the items they follow (a proposal and its ministry).
func notifyFollowersOf(ctx context.Context, t *tx, note, subject string, data map[string]any, items ...followed) error {
	conds := make([]string, len(items))
	var args []any
	for i, it := range items {
		conds[i] = fmt.Sprintf(`(item_kind = ?%d AND item_id = ?%d)`, 2*i+1, 2*i+2)
		args = append(args, it.kind, it.id)
	}
	return notifyUsersIn(ctx, t, note, subject, data, `SELECT user_id FROM follows WHERE `+strings.Join(conds, " OR "), args...)
}

// notifyUsersIn tells every user in the set the SQL query users selects
// (user ids; its parameters numbered ?1…, args) of note, each once, in one
// statement each for the notifications, their live events and the
// immediate e-mails. The set is read once, by the first statement: the
// other two follow the notifications it wrote, so a set that looks at the
// notifications themselves (who was not told yet) is read as it was.
func notifyUsersIn(ctx context.Context, t *tx, note, subject string, data map[string]any, users string, args ...any) error {
	if err := describeThread(ctx, t, data); err != nil {
		return err
	}
	payload, err := jsonString(data)
	if err != nil {
		return err
	}
	// The set's parameters come after the statement's own, renumbered.
	shift := func(q string, by int) string {
		for i := len(args); i >= 1; i-- {
			q = strings.ReplaceAll(q, fmt.Sprintf("?%d", i), fmt.Sprintf("?%d", i+by))
		}
		return q
	}
	now := t.now.Unix()
	// The notifications the first statement writes are the caller's rows with
	// ids above the highest one it sees now: SQLite has one writer, and a
	// PostgreSQL transaction sees no row another one writes meanwhile.
	var before int64
	if err := t.QueryRowContext(ctx, `SELECT COALESCE(max(id), 0) FROM notifications`).Scan(&before); err != nil {
		return err
	}
	if _, err := t.ExecContext(ctx, `INSERT INTO notifications (user_id, kind, data, created_at, subject)
		SELECT u.id, ?1, ?2, ?3, ?4 FROM users u WHERE u.id IN (`+shift(users, 4)+`)`,
		append([]any{note, payload, now, subject}, args...)...); err != nil {
		return err
	}
	// Each user's event is a forum.NotificationEvent, its JSON written
	// by concatenation: SQLite's json_object is not PostgreSQL's.
	kindJSON, err := jsonString(note)
	if err != nil {
		return err
	}
	// On PostgreSQL the events this write made before are held (tx.event):
	// they are inserted first, so that ids follow the order the write made
	// its events in, as on SQLite. flushEvents takes the events lock.
	if err := t.flushEvents(); err != nil {
		return err
	}
	if err := t.lockEvents(); err != nil {
		return err
	}
	rows, err := t.QueryContext(ctx, `INSERT INTO events (topic, type, payload, public, created_at)
		SELECT 'user:' || n.user_id, ?1, '{"kind":' || CAST(?2 AS TEXT) || ',"notification_id":' || n.id || ',"unread":' ||
			(SELECT count(*) FROM notifications u WHERE u.user_id = n.user_id AND u.read_at IS NULL) || '}', 0, ?3
		FROM notifications n WHERE n.id > ?4 AND n.kind = ?5 AND n.subject = ?6 AND n.created_at = ?3
		ORDER BY n.id RETURNING id, topic, type, payload`,
		forum.EventNotification, kindJSON, now, before, note, subject)
	if err != nil {
		return err
	}
	for rows.Next() {
		var e forum.Event
		var p string
		if err := rows.Scan(&e.ID, &e.Topic, &e.Type, &p); err != nil {
			rows.Close()
			return err
		}
		e.Data, e.CreatedAt = []byte(p), t.now
		t.events = append(t.events, e)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	sort.Slice(t.events, func(i, j int) bool { return t.events[i].ID < t.events[j].ID })
	// The mail keeps the notification's kind and data; its words are written when it is sent.
	_, err = t.ExecContext(ctx, `INSERT INTO outbox (user_id, address, kind, data, created_at)
		SELECT u.id, u.email, ?1, ?2, ?3 FROM notifications n JOIN users u ON u.id = n.user_id
		WHERE n.id > ?4 AND n.kind = ?1 AND n.subject = ?5 AND n.created_at = ?3
		AND u.email_frequency = 'immediate' AND `+activeUser+` ORDER BY n.id`,
		note, payload, now, before, subject)
	return err
}

// describeThread adds to a notification's data the "title" of the
// proposal (its title) or the debate (its question) that data's
// "proposal_id" or "debate_id" names, as it reads now.
func describeThread(ctx context.Context, t *tx, data map[string]any) error {
	if _, ok := data["title"]; ok {
		return nil
	}
	var title string
	var err error
	if id, ok := data["proposal_id"].(int64); ok {
		err = t.QueryRowContext(ctx, `SELECT title FROM proposals WHERE id = ?`, id).Scan(&title)
	} else if id, ok := data["debate_id"].(int64); ok {
		err = t.QueryRowContext(ctx, `SELECT question FROM debates WHERE id = ?`, id).Scan(&title)
	} else {
		return nil
	}
	if err != nil {
		return fmt.Errorf("describe notification: %w", err)
	}
	data["title"] = title
	return nil
}

// AdvanceProposals closes every open proposal whose support window ended
// short of the threshold, by the store's clock. It is idempotent, so it
// catches up after downtime.
func (s *Store) AdvanceProposals(ctx context.Context) (closed int, err error) {
	err = s.write(ctx, func(t *tx) error {
		rows, err := t.QueryContext(ctx, `SELECT id FROM proposals WHERE status IN (`+supportWindowStatuses+`) AND support_deadline <= ?`, t.now.Unix())
		if err != nil {
			return err
		}
		var ids []int64
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return err
			}
			ids = append(ids, id)
		}
		rows.Close()
		for _, id := range ids {
			if err := s.transition(ctx, t, id, forum.TransClose); err != nil {
				return err
			}
			if err := notifyFollowers(ctx, t, forum.ItemProposal, id, forum.NoteStatusChanged, map[string]any{"proposal_id": id, "status": forum.StatusClosed}); err != nil {
				return err
			}
		}
		closed = len(ids)
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("advance proposals: %w", err)
	}
	return closed, nil
}

// NextProposalDeadline returns when the next open proposal's support window ends.
func (s *Store) NextProposalDeadline(ctx context.Context) (time.Time, bool, error) {
	var next sql.NullInt64
	if err := s.r.QueryRowContext(ctx, `SELECT min(support_deadline) FROM proposals WHERE status IN (`+supportWindowStatuses+`)`).Scan(&next); err != nil {
		return time.Time{}, false, fmt.Errorf("next proposal deadline: %w", mapErr(err))
	}
	return fromNullUnix(next), next.Valid, nil
}

// answering returns the lead ministry and the co-answering ones of a proposal inside t.
func answering(ctx context.Context, t *tx, id int64) (lead int64, co []int64, status forum.ProposalStatus, err error) {
	if err = t.QueryRowContext(ctx, `SELECT ministry_id, status FROM proposals WHERE id = ?`, id).Scan(&lead, &status); err != nil {
		return 0, nil, "", err
	}
	rows, err := t.QueryContext(ctx, `SELECT ministry_id FROM proposal_ministries WHERE proposal_id = ? ORDER BY created_at`, id)
	if err != nil {
		return 0, nil, "", err
	}
	defer rows.Close()
	for rows.Next() {
		var m int64
		if err := rows.Scan(&m); err != nil {
			return 0, nil, "", err
		}
		co = append(co, m)
	}
	return lead, co, status, rows.Err()
}

// PublishResponse publishes (or revises) an official answer to a proposal
// awaiting one. An official of the lead ministry writes the answer of record
// (responses): its decision, and only it, moves the proposal to answered or
// referred. An official of a co-answering ministry writes that ministry's own
// part of the joint answer (response_parts) and can change nothing of the
// lead's. Every version of either is kept in response_revisions with the
// ministry that wrote it; the followers are told.
func (s *Store) PublishResponse(ctx context.Context, actor *forum.User, id int64, in forum.ResponseInput, body moderation.Sanitized) error {
	err := s.write(ctx, func(t *tx) error {
		lead, co, status, err := answering(ctx, t, id)
		if err != nil {
			return err
		}
		if !forum.CanAnswer(actor, append([]int64{lead}, co...)...) {
			return forum.Refuse(forum.ErrForbidden, "err.not_answering_ministry")
		}
		if !status.Answerable() {
			return forum.Refuse(forum.ErrInvalidState, "err.not_answerable")
		}
		part := actor.MinistryID != lead
		var next any
		if !in.NextStepDate.IsZero() {
			next = in.NextStepDate.Unix()
		}
		now := t.now.Unix()
		// The lead's answer is the row in responses; a co-answering
		// ministry's part is its own row in response_parts. One statement
		// writes either, so the two cannot drift apart.
		table, key := "responses", "proposal_id"
		if part {
			table, key = "response_parts", "proposal_id, ministry_id"
		}
		var rev int
		err = t.QueryRowContext(ctx, `INSERT INTO `+table+` (proposal_id, ministry_id, official_id, decision, summary, body_src, body_html,
			legal_basis, responsible_unit, contact, next_step, next_step_date, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (`+key+`) DO UPDATE SET ministry_id = excluded.ministry_id, official_id = excluded.official_id,
			decision = excluded.decision, summary = excluded.summary, body_src = excluded.body_src, body_html = excluded.body_html,
			legal_basis = excluded.legal_basis, responsible_unit = excluded.responsible_unit, contact = excluded.contact,
			next_step = excluded.next_step, next_step_date = excluded.next_step_date, revision = `+table+`.revision + 1,
			updated_at = excluded.updated_at
			RETURNING revision`, id, actor.MinistryID, actor.ID, in.Decision, in.Summary, in.Body, body.String(),
			in.LegalBasis, in.ResponsibleUnit, in.Contact, in.NextStep, next, now, now).Scan(&rev)
		if err != nil {
			return err
		}
		// Versions are numbered across the whole joint answer, in the order
		// they were published; each records the answer round it belongs to
		// (2 once supporters' objections sent the first answer back).
		if _, err := t.ExecContext(ctx, `INSERT INTO response_revisions (proposal_id, number, ministry_id, official_id, decision, summary,
			body_src, body_html, legal_basis, responsible_unit, contact, next_step, next_step_date, created_at, round)
			SELECT ?, COALESCE(max(number), 0) + 1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, (SELECT p.answer_round FROM proposals p WHERE p.id = ?)
			FROM response_revisions WHERE proposal_id = ?`,
			id, actor.MinistryID, actor.ID, in.Decision, in.Summary, in.Body, body.String(), in.LegalBasis, in.ResponsibleUnit,
			in.Contact, in.NextStep, next, now, id, id); err != nil {
			return err
		}
		if !part {
			tr := forum.TransAnswer
			if in.Decision == forum.DecisionReferred {
				tr = forum.TransRefer
			}
			if err := s.transition(ctx, t, id, tr); err != nil {
				return err
			}
		}
		if err := t.event(ctx, forum.ProposalTopic(id), forum.ResponsePublishedEvent{ProposalID: id, Decision: in.Decision,
			Ministry: actor.MinistryID, Part: part, Revision: rev}); err != nil {
			return err
		}
		data := map[string]any{"proposal_id": id, "decision": in.Decision, "revision": rev, "ministry": actor.MinistryID}
		if part {
			data["part"] = true
		}
		// The followers of the proposal and of the ministry that answers, each once.
		return notifyFollowersOf(ctx, t, forum.NoteResponse, forum.NoteSubject(string(forum.ItemProposal), id), data,
			followed{string(forum.ItemProposal), id}, followed{"ministry", actor.MinistryID})
	})
	if err != nil {
		return fmt.Errorf("publish response to %d: %w", id, err)
	}
	return nil
}

const responseCols = `r.proposal_id, r.ministry_id, r.official_id, u.name, u.tier, r.decision, r.summary, r.body_src, r.body_html, r.legal_basis,
	r.responsible_unit, r.contact, r.next_step, COALESCE(r.next_step_date, 0), r.%s, r.created_at`

func scanResponse(row interface{ Scan(...any) error }) (*forum.Response, error) {
	var r forum.Response
	var body string
	var next, created, updated int64
	if err := row.Scan(&r.ProposalID, &r.MinistryID, &r.OfficialID, &r.OfficialName, &r.OfficialTier, &r.Decision, &r.Summary, &r.BodySrc, &body,
		&r.LegalBasis, &r.ResponsibleUnit, &r.Contact, &r.NextStep, &next, &r.Revision, &created, &updated); err != nil {
		return nil, err
	}
	r.Body, r.NextStepDate, r.CreatedAt, r.UpdatedAt = moderation.TrustedFromStore(body), fromUnix(next), fromUnix(created), fromUnix(updated)
	return &r, nil
}

// answerRows is every current official answer as one relation r: the lead
// ministries' answers (part = 0) and the co-answering ministries' parts
// (part = 1), with the columns responseCols reads.
const answerRows = `(SELECT proposal_id, ministry_id, official_id, decision, summary, body_src, body_html, legal_basis, responsible_unit,
		contact, next_step, next_step_date, revision, created_at, updated_at, 0 AS part FROM responses
	UNION ALL SELECT proposal_id, ministry_id, official_id, decision, summary, body_src, body_html, legal_basis, responsible_unit,
		contact, next_step, next_step_date, revision, created_at, updated_at, 1 AS part FROM response_parts) r`

// Response returns the lead ministry's current official answer to a
// proposal, the decision of record (not the co-answering ministries' parts).
func (s *Store) Response(ctx context.Context, id int64) (*forum.Response, error) {
	r, err := scanResponse(s.r.QueryRowContext(ctx, `SELECT `+fmt.Sprintf(responseCols, "revision")+`, r.updated_at FROM responses r
		JOIN users u ON u.id = r.official_id WHERE r.proposal_id = ?`, id))
	if err != nil {
		return nil, fmt.Errorf("get response to %d: %w", id, mapErr(err))
	}
	return r, nil
}

// ResponseParts returns the co-answering ministries' current parts of the
// joint answer to a proposal, in the order they were first published.
func (s *Store) ResponseParts(ctx context.Context, id int64) ([]*forum.Response, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+fmt.Sprintf(responseCols, "revision")+`, r.updated_at FROM response_parts r
		JOIN users u ON u.id = r.official_id WHERE r.proposal_id = ? ORDER BY r.created_at, r.ministry_id`, id)
	if err != nil {
		return nil, fmt.Errorf("response parts of %d: %w", id, mapErr(err))
	}
	return collectResponses(rows, true, "response parts")
}

// collectResponses scans every row of a responses or response_parts query and closes rows.
func collectResponses(rows *sql.Rows, part bool, what string) ([]*forum.Response, error) {
	defer rows.Close()
	var out []*forum.Response
	for rows.Next() {
		r, err := scanResponse(rows)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", what, err)
		}
		r.Part = part
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	return out, nil
}

// ResponseRevisions returns every published version of the joint answer to a
// proposal, the lead's and the co-answering ministries' alike, oldest first,
// numbered in that order (Revision). A version is a Part unless its ministry
// signs the current answer of record.
func (s *Store) ResponseRevisions(ctx context.Context, id int64) ([]*forum.Response, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+fmt.Sprintf(responseCols, "number")+`, r.created_at,
		CASE WHEN r.ministry_id = COALESCE((SELECT a.ministry_id FROM responses a WHERE a.proposal_id = r.proposal_id), 0) THEN 0 ELSE 1 END
		FROM response_revisions r JOIN users u ON u.id = r.official_id WHERE r.proposal_id = ? ORDER BY r.number`, id)
	if err != nil {
		return nil, fmt.Errorf("response revisions: %w", mapErr(err))
	}
	defer rows.Close()
	var out []*forum.Response
	for rows.Next() {
		var part int
		r, err := scanResponse(newScanPlusRow(rows, &part))
		if err != nil {
			return nil, fmt.Errorf("response revisions: %w", err)
		}
		r.UpdatedAt, r.Part = r.CreatedAt, part == 1
		out = append(out, r)
	}
	return out, rows.Err()
}

// routable returns the lead ministry of proposal id once it has checked that
// actor may route the proposal to ministry (as its new lead or a co-ministry):
// actor speaks for the lead, the proposal is in a state that routes, and
// ministry is not the lead already.
func routable(ctx context.Context, t *tx, actor *forum.User, id, ministry int64) (lead int64, err error) {
	lead, _, status, err := answering(ctx, t, id)
	if err != nil {
		return 0, err
	}
	if !forum.CanRoute(actor, lead) {
		return 0, forum.Refuse(forum.ErrForbidden, "err.not_lead_ministry")
	}
	if lead == ministry {
		return 0, forum.Refuse(forum.ErrInvalidState, "err.already_lead")
	}
	if !status.Routable() {
		return 0, forum.Refuse(forum.ErrInvalidState, "err.not_routable")
	}
	return lead, nil
}

// Transfer hands a proposal to another lead ministry, with the reason kept in public.
func (s *Store) Transfer(ctx context.Context, actor *forum.User, id, to int64, reason string) error {
	if strings.TrimSpace(reason) == "" {
		return forum.Invalid("reason", "err.transfer_reason")
	}
	err := s.write(ctx, func(t *tx) error {
		lead, err := routable(ctx, t, actor, id, to)
		if err != nil {
			return err
		}
		var exists bool
		if err := t.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM ministries WHERE id = ?)`, to).Scan(&exists); err != nil {
			return err
		}
		if !exists {
			return forum.Invalid("ministry", "err.ministry_required")
		}
		if _, err := t.ExecContext(ctx, `UPDATE proposals SET ministry_id = ?, updated_at = ? WHERE id = ?`, to, t.now.Unix(), id); err != nil {
			return err
		}
		if err := indexProposal(ctx, t, id); err != nil {
			return err
		}
		if _, err := t.ExecContext(ctx, `DELETE FROM proposal_ministries WHERE proposal_id = ? AND ministry_id = ?`, id, to); err != nil {
			return err
		}
		if _, err := t.ExecContext(ctx, `INSERT INTO transfers (proposal_id, from_ministry, to_ministry, actor_id, reason, created_at)
			VALUES (?, ?, ?, ?, ?, ?)`, id, lead, to, actor.ID, reason, t.now.Unix()); err != nil {
			return err
		}
		if err := t.event(ctx, forum.ProposalTopic(id), forum.ProposalTransferredEvent{ProposalID: id, From: lead, To: to}); err != nil {
			return err
		}
		// The followers of the proposal and of the ministry it goes to, each once.
		return notifyFollowersOf(ctx, t, forum.NoteTransferred, forum.NoteSubject(string(forum.ItemProposal), id),
			map[string]any{"proposal_id": id, "from": lead, "to": to}, followed{string(forum.ItemProposal), id}, followed{"ministry", to})
	})
	if err != nil {
		return fmt.Errorf("transfer proposal %d: %w", id, err)
	}
	return nil
}

// AddCoMinistry asks another ministry to answer jointly.
func (s *Store) AddCoMinistry(ctx context.Context, actor *forum.User, id, ministry int64) error {
	err := s.write(ctx, func(t *tx) error {
		if _, err := routable(ctx, t, actor, id, ministry); err != nil {
			return err
		}
		res, err := t.ExecContext(ctx, `INSERT INTO proposal_ministries (proposal_id, ministry_id, added_by, created_at) VALUES (?, ?, ?, ?)
			ON CONFLICT DO NOTHING`, id, ministry, actor.ID, t.now.Unix())
		if err != nil {
			if isForeignKey(err) {
				return forum.Invalid("ministry", "err.ministry_required")
			}
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return forum.Refuse(forum.ErrConflict, "err.co_ministry_exists")
		}
		if err := t.event(ctx, forum.ProposalTopic(id), forum.ProposalCoMinistryEvent{ProposalID: id, Ministry: ministry}); err != nil {
			return err
		}
		return notifyFollowersOf(ctx, t, forum.NoteRouted, forum.NoteSubject(string(forum.ItemProposal), id),
			map[string]any{"proposal_id": id, "ministry": ministry}, followed{"ministry", ministry})
	})
	if err != nil {
		return fmt.Errorf("add co-answering ministry to %d: %w", id, err)
	}
	return nil
}

// Routing is how a proposal travelled between ministries.
type Routing struct {
	CoMinistries []int64
	CoAdded      []time.Time // when each of CoMinistries was asked to answer jointly
	Transfers    []forum.Transfer
}

// ProposalRouting returns a proposal's co-answering ministries and hand-offs.
func (s *Store) ProposalRouting(ctx context.Context, id int64) (Routing, error) {
	var r Routing
	rows, err := s.r.QueryContext(ctx, `SELECT ministry_id, created_at FROM proposal_ministries WHERE proposal_id = ? ORDER BY created_at`, id)
	if err != nil {
		return r, fmt.Errorf("routing: %w", mapErr(err))
	}
	for rows.Next() {
		var m, at int64
		if err := rows.Scan(&m, &at); err != nil {
			rows.Close()
			return r, err
		}
		r.CoMinistries, r.CoAdded = append(r.CoMinistries, m), append(r.CoAdded, fromUnix(at))
	}
	rows.Close()
	rows, err = s.r.QueryContext(ctx, `SELECT t.from_ministry, t.to_ministry, u.name, t.reason, t.created_at FROM transfers t
		JOIN users u ON u.id = t.actor_id WHERE t.proposal_id = ? ORDER BY t.id`, id)
	if err != nil {
		return r, fmt.Errorf("routing: %w", mapErr(err))
	}
	defer rows.Close()
	for rows.Next() {
		tr := forum.Transfer{ProposalID: id}
		var at int64
		if err := rows.Scan(&tr.From, &tr.To, &tr.ActorName, &tr.Reason, &at); err != nil {
			return r, err
		}
		tr.CreatedAt = fromUnix(at)
		r.Transfers = append(r.Transfers, tr)
	}
	return r, rows.Err()
}

// Follow starts or stops userID following a proposal, debate or ministry.
func (s *Store) Follow(ctx context.Context, userID int64, kind forum.ItemKind, id int64, on bool) error {
	err := s.write(ctx, func(t *tx) error {
		if on {
			_, err := t.ExecContext(ctx, `INSERT INTO follows (user_id, item_kind, item_id, created_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING`,
				userID, kind, id, t.now.Unix())
			return err
		}
		_, err := t.ExecContext(ctx, `DELETE FROM follows WHERE user_id = ? AND item_kind = ? AND item_id = ?`, userID, kind, id)
		return err
	})
	if err != nil {
		return fmt.Errorf("follow %s %d: %w", kind, id, err)
	}
	return nil
}

// Following reports whether userID follows an item.
func (s *Store) Following(ctx context.Context, userID int64, kind forum.ItemKind, id int64) (bool, error) {
	var on bool
	err := s.r.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM follows WHERE user_id = ? AND item_kind = ? AND item_id = ?)`, userID, kind, id).Scan(&on)
	if err != nil {
		return false, fmt.Errorf("following: %w", mapErr(err))
	}
	return on, nil
}

// Scorecards returns how every ministry has answered, by the store's clock.
func (s *Store) Scorecards(ctx context.Context) ([]forum.Scorecard, error) {
	ms, err := s.Ministries(ctx)
	if err != nil {
		return nil, err
	}
	now := s.now().Unix()
	rows, err := s.r.QueryContext(ctx, `SELECT m.ministry_id, p.status, p.reached_at, COALESCE(p.response_due, 0), COALESCE(p.answered_at, 0)
		FROM (SELECT id AS proposal_id, ministry_id FROM proposals UNION SELECT proposal_id, ministry_id FROM proposal_ministries) m
		JOIN proposals p ON p.id = m.proposal_id WHERE p.reached_at IS NOT NULL`)
	if err != nil {
		return nil, fmt.Errorf("scorecards: %w", mapErr(err))
	}
	defer rows.Close()
	cards := map[int64]*forum.Scorecard{}
	days := map[int64][]float64{}
	for _, m := range ms {
		cards[m.ID] = &forum.Scorecard{Ministry: m}
	}
	for rows.Next() {
		var mid, reached, due, answered int64
		var status forum.ProposalStatus
		if err := rows.Scan(&mid, &status, &reached, &due, &answered); err != nil {
			return nil, fmt.Errorf("scorecards: %w", err)
		}
		c, ok := cards[mid]
		if !ok {
			continue
		}
		c.Received++
		switch {
		case answered != 0:
			c.Answered++
			if answered <= due {
				c.OnTime++
			}
			days[mid] = append(days[mid], float64(answered-reached)/86400)
		case status.AwaitsAnswer() && due < now:
			c.Overdue++
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("scorecards: %w", err)
	}
	requests, err := s.requestScores(ctx)
	if err != nil {
		return nil, err
	}
	promises, err := s.MilestoneScores(ctx)
	rated, err := s.answerRatingScores(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]forum.Scorecard, 0, len(ms))
	for _, m := range ms {
		c := cards[m.ID]
		c.Requests = requests[m.ID]
		c.Promises = promises[m.ID]
		c.AnswerRatings, c.AnswerRatingSum = rated[m.ID][0], rated[m.ID][1]
		if d := days[m.ID]; len(d) > 0 {
			sort.Float64s(d)
			if len(d)%2 == 1 {
				c.MedianDays = d[len(d)/2]
			} else {
				c.MedianDays = (d[len(d)/2-1] + d[len(d)/2]) / 2
			}
		}
		out = append(out, *c)
	}
	return out, nil
}

// MinistryProposals lists the public proposals a ministry leads or co-answers
// in the given states, the answer due soonest first, then the newest.
func (s *Store) MinistryProposals(ctx context.Context, ministryID int64, statuses []forum.ProposalStatus, limit int) ([]*forum.Proposal, error) {
	if len(statuses) == 0 {
		statuses = forum.PublicStatuses()
	}
	args := []any{ministryID, ministryID}
	marks := make([]string, len(statuses))
	for i, st := range statuses {
		marks[i], args = "?", append(args, st)
	}
	rows, err := s.r.QueryContext(ctx, `SELECT `+proposalCols+proposalFrom+`WHERE (p.ministry_id = ? OR p.id IN
		(SELECT proposal_id FROM proposal_ministries WHERE ministry_id = ?)) AND p.status IN (`+strings.Join(marks, ", ")+`)
		AND `+publicProposal+` ORDER BY p.response_due IS NULL, p.response_due, p.id DESC LIMIT ?`, append(args, limit)...)
	if err != nil {
		return nil, fmt.Errorf("ministry proposals: %w", mapErr(err))
	}
	return collectProposals(rows, "ministry proposals")
}

// Overdue lists proposals whose answer is late, the latest first.
func (s *Store) Overdue(ctx context.Context) ([]*forum.Proposal, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+proposalCols+proposalFrom+`WHERE p.status IN (`+awaitingStatuses+`) AND p.response_due < ?
		ORDER BY p.response_due LIMIT 500`, s.now().Unix())
	if err != nil {
		return nil, fmt.Errorf("overdue: %w", mapErr(err))
	}
	return collectProposals(rows, "overdue")
}

// RecentSupportRate is the supporters a proposal gathered a day over the last 7 days.
func (s *Store) RecentSupportRate(ctx context.Context, id int64) (float64, error) {
	var n int
	if err := s.r.QueryRowContext(ctx, `SELECT count(*) FROM supports WHERE proposal_id = ? AND created_at >= ?`,
		id, s.now().Add(-7*24*time.Hour).Unix()).Scan(&n); err != nil {
		return 0, fmt.Errorf("support rate: %w", mapErr(err))
	}
	return float64(n) / 7, nil
}

// collectProposals scans every row of a proposal query and closes rows.
func collectProposals(rows *sql.Rows, what string) ([]*forum.Proposal, error) {
	defer rows.Close()
	var out []*forum.Proposal
	for rows.Next() {
		p, err := scanProposal(rows)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", what, err)
		}
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	return out, nil
}
