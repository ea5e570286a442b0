package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/e-people/e-people/forum"
)

// MailInactiveNotice is the outbox kind of the notice that an account
// unused for a long time will be anonymised; its data holds anonymise_at
// (unix seconds) and the account's lang.
const MailInactiveNotice = "inactive_notice"

// WithdrawnPost is what replaces the title and text of a proposal whose
// author deleted their account with their posts. It is written once, in
// the three languages, because feeds, the API and open data carry it too.
const WithdrawnPost = "작성자가 탈퇴하며 삭제한 제안입니다 · Deleted by its author, who left the forum · 作者退出時已刪除此提案"

// ErrLastAdmin refuses to delete or anonymise the only administrator left:
// nobody could run the forum after it.
var ErrLastAdmin = forum.Invalid("password", "err.last_admin_delete")

// DeleteAccount erases the personal data of userID in one transaction:
// name, e-mail address, password, second factor, identity, language,
// sessions, one-time tokens, recovery codes, notifications, follows and
// mail, and what is personal in the civil requests they filed
// (eraseRequests). Supports, co-sponsorships and comment votes are taken back with
// their counters. Public posts stay, shown as a withdrawn member's, unless
// posts is set: then comments are deleted as by their author and proposals'
// text is replaced by WithdrawnPost. The last administrator gets
// ErrLastAdmin; an account already deleted, forum.ErrNotFound.
func (s *Store) DeleteAccount(ctx context.Context, userID int64, posts bool) error {
	err := s.write(ctx, func(t *tx) error { return s.eraseAccount(ctx, t, userID, posts) })
	if err != nil {
		return fmt.Errorf("delete account %d: %w", userID, err)
	}
	return nil
}

// lastAdmin reports whether userID is an administrator and no other
// account that is not deleted is one.
func lastAdmin(ctx context.Context, t *tx, userID int64) (bool, error) {
	var last bool
	err := t.QueryRowContext(ctx, `SELECT role = 'admin' AND NOT EXISTS (SELECT 1 FROM users o WHERE o.role = 'admin'
		AND o.deleted_at IS NULL AND o.id <> u.id) FROM users u WHERE u.id = ?`, userID).Scan(&last)
	return last, err
}

func (s *Store) eraseAccount(ctx context.Context, t *tx, userID int64, posts bool) error {
	var deleted sql.NullInt64
	if err := t.QueryRowContext(ctx, `SELECT deleted_at FROM users WHERE id = ?`, userID).Scan(&deleted); err != nil {
		return err
	}
	if deleted.Valid {
		return forum.ErrNotFound
	}
	last, err := lastAdmin(ctx, t, userID)
	if err != nil {
		return err
	}
	if last {
		return ErrLastAdmin
	}
	if err := s.takeBackFigures(ctx, t, userID); err != nil {
		return err
	}
	if posts {
		if err := erasePosts(ctx, t, userID); err != nil {
			return err
		}
	}
	if err := eraseRequests(ctx, t, userID); err != nil {
		return err
	}
	for _, q := range []string{
		`DELETE FROM sessions WHERE user_id = ?`,
		`DELETE FROM account_tokens WHERE user_id = ?`,
		`DELETE FROM recovery_codes WHERE user_id = ?`,
		`DELETE FROM notifications WHERE user_id = ?`,
		`DELETE FROM follows WHERE user_id = ?`,
		// Sent mail too: each row keeps the address it went to.
		`DELETE FROM outbox WHERE user_id = ?`,
		// Proof of consent stays, marked as ended: the posts that remain were
		// published under it, and the row names nobody once the account is erased.
		`UPDATE consents SET withdrawn_at = COALESCE(withdrawn_at, ` + strconv.FormatInt(t.now.Unix(), 10) + `) WHERE user_id = ?`,
		`UPDATE review_items SET state = 'ignored', resolved_at = ` + strconv.FormatInt(t.now.Unix(), 10) +
			` WHERE item_kind = 'user' AND item_id = ? AND state = 'pending'`,
	} {
		if _, err := t.ExecContext(ctx, q, userID); err != nil {
			return err
		}
	}
	if _, err := t.ExecContext(ctx, `DELETE FROM events WHERE topic = ?`, forum.UserTopic(userID)); err != nil {
		return err
	}
	_, err = t.ExecContext(ctx, `UPDATE users SET name = '', email = 'deleted-' || id || '@invalid', password_hash = '',
		role = 'citizen', ministry_id = NULL, held = 0, email_frequency = 'none', digested_at = NULL, tier = 'registered', lang = '',
		last_seen_at = NULL, inactive_notice_at = NULL, deleted_at = ?, totp_secret = '', totp_enabled_at = NULL,
		totp_last_step = NULL, identity_provider = '', identity_hash = NULL WHERE id = ?`, t.now.Unix(), userID)
	return err
}

// takeBackFigures removes userID's supports, co-sponsorships and comment
// votes, keeping every figure that counts them right.
func (s *Store) takeBackFigures(ctx context.Context, t *tx, userID int64) error {
	counted, err := userCounted(ctx, t, userID)
	if err != nil {
		return err
	}
	verified, unverified := split(counted, -1)
	supported, err := queryIDs(ctx, t, `SELECT proposal_id FROM supports WHERE user_id = ? ORDER BY proposal_id`, userID)
	if err != nil {
		return err
	}
	if _, err := t.ExecContext(ctx, `DELETE FROM supports WHERE user_id = ?`, userID); err != nil {
		return err
	}
	for _, id := range supported {
		if _, err := s.countSupports(ctx, t, id, verified, unverified); err != nil {
			return err
		}
	}
	sponsored, err := queryIDs(ctx, t, `SELECT proposal_id FROM sponsors WHERE user_id = ? ORDER BY proposal_id`, userID)
	if err != nil {
		return err
	}
	if _, err := t.ExecContext(ctx, `DELETE FROM sponsors WHERE user_id = ?`, userID); err != nil {
		return err
	}
	threshold := s.Settings().SponsorThreshold
	for _, id := range sponsored {
		if err := s.countSponsors(ctx, t, id, verified, unverified, threshold); err != nil {
			return err
		}
	}
	if _, err := t.ExecContext(ctx, `UPDATE comments SET
		up_count = up_count - (SELECT count(*) FROM comment_votes v WHERE v.comment_id = comments.id AND v.user_id = ? AND v.value = 1),
		down_count = down_count - (SELECT count(*) FROM comment_votes v WHERE v.comment_id = comments.id AND v.user_id = ? AND v.value = -1)
		WHERE id IN (SELECT comment_id FROM comment_votes WHERE user_id = ?)`, userID, userID, userID); err != nil {
		return err
	}
	_, err = t.ExecContext(ctx, `DELETE FROM comment_votes WHERE user_id = ?`, userID)
	return err
}

// erasePosts deletes userID's comments as their author would and replaces
// the title and text of every proposal they wrote, and of its revisions,
// with WithdrawnPost. The proposals themselves stay: supporters, ministries
// that answered and the statistics refer to them.
func erasePosts(ctx context.Context, t *tx, userID int64) error {
	ids, err := queryIDs(ctx, t, `SELECT id FROM comments WHERE author_id = ? AND status = 'visible' ORDER BY id`, userID)
	if err != nil {
		return err
	}
	for _, id := range ids {
		c, err := scanComment(t.QueryRowContext(ctx, `SELECT `+commentCols+commentFrom+`WHERE c.id = ?`, id))
		if err != nil {
			return err
		}
		if err := eraseComment(ctx, t, c); err != nil {
			return err
		}
	}
	body := "<p>" + WithdrawnPost + "</p>" // no character of it needs escaping
	if _, err := t.ExecContext(ctx, `UPDATE proposal_revisions SET title = ?, body_src = ?, body_html = ?
		WHERE proposal_id IN (SELECT id FROM proposals WHERE author_id = ?)`, WithdrawnPost, WithdrawnPost, body, userID); err != nil {
		return err
	}
	props, err := queryIDs(ctx, t, `SELECT id FROM proposals WHERE author_id = ? ORDER BY id`, userID)
	if err != nil {
		return err
	}
	for _, id := range props {
		if _, err := t.ExecContext(ctx, `UPDATE proposals SET title = ?, body_src = ?, body_html = ?, updated_at = ? WHERE id = ?`,
			WithdrawnPost, WithdrawnPost, body, t.now.Unix(), id); err != nil {
			return err
		}
		if err := indexProposal(ctx, t, id); err != nil {
			return err
		}
	}
	return nil
}

// RetireInactive mails the inactive-account notice to every account last
// seen more than InactiveAfter - InactiveNotice ago that has not had it, and
// anonymises, keeping their posts, the accounts last seen more than
// InactiveAfter ago whose notice went out at least InactiveNotice ago. The
// last administrator is told but never anonymised. A zero InactiveAfter
// turns the rule off. Each call handles at most a few hundred accounts of
// each kind; the scheduler calls again.
func (s *Store) RetireInactive(ctx context.Context) (noticed, anonymised int, err error) {
	set := s.Settings()
	if set.InactiveAfter <= 0 {
		return 0, 0, nil
	}
	const batch = 200
	warnAfter := max(set.InactiveAfter-set.InactiveNotice, 0)
	// Most calls find nobody: ask a reader first, so they write nothing.
	now := s.now()
	var due bool
	if err := s.r.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM users WHERE deleted_at IS NULL AND last_seen_at < ?
		AND (inactive_notice_at IS NULL OR last_seen_at < ?))`, now.Add(-warnAfter).Unix(), now.Add(-set.InactiveAfter).Unix()).Scan(&due); err != nil {
		return 0, 0, fmt.Errorf("retire inactive accounts: %w", err)
	}
	if !due {
		return 0, 0, nil
	}
	err = s.write(ctx, func(t *tx) error {
		noticed, anonymised = 0, 0
		warnBefore := t.now.Add(-warnAfter).Unix()
		rows, err := t.QueryContext(ctx, `SELECT id, email, lang, last_seen_at FROM users
			WHERE deleted_at IS NULL AND last_seen_at < ? AND inactive_notice_at IS NULL ORDER BY last_seen_at LIMIT ?`, warnBefore, batch)
		if err != nil {
			return err
		}
		type notice struct {
			id         int64
			email      string
			lang       string
			lastSeenAt int64
		}
		var due []notice
		for rows.Next() {
			var n notice
			if err := rows.Scan(&n.id, &n.email, &n.lang, &n.lastSeenAt); err != nil {
				rows.Close()
				return err
			}
			due = append(due, n)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, n := range due {
			at := max(n.lastSeenAt+int64(set.InactiveAfter/time.Second), t.now.Add(set.InactiveNotice).Unix())
			if err := queueAccountMail(ctx, t, n.id, n.email, MailInactiveNotice, map[string]any{"anonymise_at": at, "lang": n.lang}); err != nil {
				return err
			}
			if _, err := t.ExecContext(ctx, `UPDATE users SET inactive_notice_at = ? WHERE id = ?`, t.now.Unix(), n.id); err != nil {
				return err
			}
			noticed++
		}
		gone, err := queryIDs(ctx, t, `SELECT id FROM users WHERE deleted_at IS NULL AND last_seen_at < ? AND inactive_notice_at <= ?
			ORDER BY last_seen_at LIMIT ?`, t.now.Add(-set.InactiveAfter).Unix(), t.now.Add(-set.InactiveNotice).Unix(), batch)
		if err != nil {
			return err
		}
		for _, id := range gone {
			if last, err := lastAdmin(ctx, t, id); err != nil || last {
				if err != nil {
					return err
				}
				continue
			}
			if err := s.eraseAccount(ctx, t, id, false); err != nil {
				return err
			}
			anonymised++
		}
		return nil
	})
	if err != nil {
		return 0, 0, fmt.Errorf("retire inactive accounts: %w", err)
	}
	return noticed, anonymised, nil
}

// DataFiles are the files of an account's data download, in order.
var DataFiles = []string{"account.json", "proposals.json", "proposal_revisions.json", "comments.json", "supports.json",
	"sponsorships.json", "comment_votes.json", "follows.json", "notifications.json", "consents.json", "sessions.json",
	"appeals.json", "reports.json", "requests.json", "request_steps.json", "request_answers.json", "request_attachments.json"}

// dataQueries select each DataFiles file's rows for one account (the ? is
// its id). Every one reads through an index on the account, so a download
// costs the account's own rows; none selects a password hash, second-factor
// secret, recovery code or token.
var dataQueries = map[string]string{
	"account.json": `SELECT id, name, email, role, COALESCE(ministry_id, 0) AS ministry_id, tier, identity_provider, lang, status,
		suspended_until, email_frequency, totp_enabled_at IS NOT NULL AS two_factor, created_at, last_seen_at, inactive_notice_at
		FROM users WHERE id = ?`,
	"proposals.json": `SELECT id, title, body_src AS body, status, category_id, ministry_id, sponsor_count, support_count, comment_count,
		mod_state, created_at, updated_at, published_at, closed_at FROM proposals WHERE author_id = ? ORDER BY created_at`,
	"proposal_revisions.json": `SELECT r.proposal_id, r.number, r.title, r.body_src AS body, r.created_at
		FROM proposals p JOIN proposal_revisions r ON r.proposal_id = p.id WHERE p.author_id = ? ORDER BY p.created_at, r.number`,
	"comments.json": `SELECT id, proposal_id, debate_id, parent_id, stance, body_src AS body, status, mod_state, up_count, down_count,
		created_at, updated_at FROM comments WHERE author_id = ? ORDER BY created_at`,
	"supports.json":      `SELECT proposal_id, created_at FROM supports WHERE user_id = ? ORDER BY created_at DESC`,
	"sponsorships.json":  `SELECT proposal_id, created_at FROM sponsors WHERE user_id = ? ORDER BY proposal_id`,
	"comment_votes.json": `SELECT comment_id, value, created_at FROM comment_votes WHERE user_id = ?`,
	"follows.json":       `SELECT item_kind, item_id, created_at FROM follows WHERE user_id = ? ORDER BY item_kind, item_id`,
	"notifications.json": `SELECT id, kind, data, created_at, read_at FROM notifications WHERE user_id = ? ORDER BY id`,
	"consents.json":      `SELECT kind, version, given_at, withdrawn_at FROM consents WHERE user_id = ? ORDER BY id`,
	"sessions.json": `SELECT user_agent AS device, ip AS address, created_at, last_seen_at, expires_at FROM sessions
		WHERE user_id = ? ORDER BY last_seen_at DESC`,
	"appeals.json": `SELECT id, item_kind, item_id, text, state, decision_reason, created_at, decided_at FROM appeals
		WHERE author_id = ? ORDER BY id`,
	"reports.json": `SELECT item_kind, item_id, reason, text, created_at FROM reports WHERE reporter_id = ? ORDER BY created_at`,
	// Civil requests: the filer's own, with what happened to them, their
	// answers and their files' names (the bytes are on each request's page).
	"requests.json": `SELECT id, kind, ministry_id, category_id, title, body_src AS body, lang, publish_consent, status, round,
		period_days, period_start AS period_start_at, due_at, paused_at, extended, created_at, updated_at, answered_at, objected_at
		FROM requests WHERE filer_id = ? ORDER BY id`,
	"request_steps.json": `SELECT st.request_id, st.kind, st.ministry_id, st.to_ministry, st.note_src AS note, st.due_at, st.created_at
		FROM requests r JOIN request_steps st ON st.request_id = r.id WHERE r.filer_id = ? ORDER BY r.id, st.id`,
	"request_answers.json": `SELECT a.request_id, a.round, a.ministry_id, a.decision, a.summary, a.body_src AS body, a.legal_basis,
		a.responsible_unit, a.contact, a.remedies, a.remedy_note, a.working_days, a.on_time, a.rating, a.rating_comment, a.rated_at, a.created_at
		FROM requests r JOIN request_answers a ON a.request_id = r.id WHERE r.filer_id = ? ORDER BY r.id, a.round`,
	"request_attachments.json": `SELECT f.request_id, f.step_id, f.name, f.kind, f.size, f.sha256, f.created_at
		FROM requests r JOIN request_attachments f ON f.request_id = r.id WHERE r.filer_id = ? ORDER BY r.id, f.id`,
}

// ExportAccount writes everything the forum keeps about userID, one JSON
// array per DataFiles name, each to the writer open returns for it. The
// rows are read in one snapshot and written as they are read, never held
// together. Times are RFC 3339 in UTC.
func (s *Store) ExportAccount(ctx context.Context, userID int64, open func(name string) (io.Writer, error)) error {
	rtx, err := s.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return fmt.Errorf("export account %d: %w", userID, err)
	}
	defer rtx.Rollback()
	for _, name := range DataFiles {
		w, err := open(name)
		if err != nil {
			return fmt.Errorf("export account %d: %w", userID, err)
		}
		if err := exportRows(ctx, rtx, w, dataQueries[name], userID); err != nil {
			return fmt.Errorf("export account %d: %s: %w", userID, name, err)
		}
	}
	return nil
}

// exportRows writes query's rows to w as a JSON array of objects keyed by
// column name, one object a line.
func exportRows(ctx context.Context, rtx *sql.Tx, w io.Writer, query string, args ...any) error {
	rows, err := rtx.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return err
	}
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	if _, err := io.WriteString(w, "["); err != nil {
		return err
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	sep := "\n"
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return err
		}
		obj := make(map[string]any, len(cols))
		for i, c := range cols {
			obj[c] = exportValue(c, vals[i])
		}
		if _, err := io.WriteString(w, sep); err != nil {
			return err
		}
		if err := enc.Encode(obj); err != nil {
			return err
		}
		sep = ","
	}
	if err := rows.Err(); err != nil {
		return err
	}
	_, err = io.WriteString(w, "]\n")
	return err
}

// exportValue makes a column's value readable: times as RFC 3339, text as
// text, JSON data as itself.
func exportValue(col string, v any) any {
	if b, ok := v.([]byte); ok {
		v = string(b)
	}
	switch x := v.(type) {
	case int64:
		if strings.HasSuffix(col, "_at") || strings.HasSuffix(col, "_until") {
			if x == 0 {
				return nil
			}
			return time.Unix(x, 0).UTC().Format(time.RFC3339)
		}
	case string:
		if col == "data" && json.Valid([]byte(x)) {
			return json.RawMessage(x)
		}
	}
	return v
}
