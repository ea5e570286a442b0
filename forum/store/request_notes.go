package store

import (
	"context"
	"strconv"
	"strings"

	"github.com/e-people/e-people/forum"
)

// mailRequestNote queues the mail of a civil request's notification for
// userID when they want a mail for each notification (EmailImmediate);
// the others read it on the site or in their digest. The filing itself
// is told by the receipt mail (MailRequestReceipt), sent to everyone, so
// it is not mailed twice.
func mailRequestNote(ctx context.Context, t *tx, userID int64, kind, subject, payload string) error {
	if !strings.HasPrefix(subject, "request:") || kind == forum.NoteRequestFiled {
		return nil
	}
	_, err := t.ExecContext(ctx, `INSERT INTO outbox (user_id, address, kind, data, created_at)
		SELECT u.id, u.email, ?, ?, ? FROM users u WHERE u.id = ? AND u.email_frequency = 'immediate' AND `+activeUser,
		kind, payload, t.now.Unix(), userID)
	return err
}

// eraseRequests empties the civil requests userID filed of everything
// personal, published or not: their title and text, the notes of their
// history (the ministry's questions and the filer's replies), the text of
// their answers and the filer's rating comment, their files (and then the
// stored files no attachment names any more), the notifications and mails
// to staff about them (they name the title). What the ministry's public
// figures count stays: the kind, the ministry, the dates, the decision, the
// working days, whether it was on time, and the rating. A request still
// open is withdrawn: nobody is left to answer. A published entry lives on in
// faqs, masked as an official confirmed it.
func eraseRequests(ctx context.Context, t *tx, userID int64) error {
	ids, err := queryIDs(ctx, t, `SELECT r.id FROM requests r WHERE r.filer_id = ? ORDER BY r.id`, userID)
	if err != nil || len(ids) == 0 {
		return err
	}
	hashes, err := queryStrings(ctx, t, `SELECT DISTINCT f.sha256 FROM requests r JOIN request_attachments f ON f.request_id = r.id
		WHERE r.filer_id = ?`, userID)
	if err != nil {
		return err
	}
	for _, id := range ids {
		// The filer's own go with the account; staff are few, and the index is (user_id, subject).
		if _, err := t.ExecContext(ctx, `DELETE FROM notifications WHERE user_id IN (SELECT u.id FROM users u WHERE u.role IN ('official', 'admin'))
			AND subject = ?`, forum.NoteSubject("request", id)); err != nil {
			return err
		}
		// The staff's mails about it name its title too. Their data is the
		// notification's, as encoding/json writes it: keys in order, no spaces.
		n := strconv.FormatInt(id, 10)
		if _, err := t.ExecContext(ctx, `DELETE FROM outbox WHERE user_id IN (SELECT u.id FROM users u WHERE u.role IN ('official', 'admin'))
			AND kind LIKE 'request%' AND (data LIKE ? OR data LIKE ?)`, `%"request_id":`+n+`,%`, `%"request_id":`+n+`}%`); err != nil {
			return err
		}
	}
	mine := `request_id IN (SELECT r.id FROM requests r WHERE r.filer_id = ?)`
	for _, q := range []string{
		`DELETE FROM request_attachments WHERE ` + mine,
		`UPDATE request_steps SET note_src = '', note_html = '' WHERE ` + mine,
		`UPDATE request_answers SET summary = '', body_src = '', body_html = '', legal_basis = '', responsible_unit = '', contact = '',
			remedy_note = '', rating_comment = '' WHERE ` + mine,
	} {
		if _, err := t.ExecContext(ctx, q, userID); err != nil {
			return err
		}
	}
	if _, err := t.ExecContext(ctx, `UPDATE requests SET title = '', body_src = '', body_html = '', updated_at = ?,
		status = CASE WHEN status IN (?, ?, ?) THEN ? ELSE status END, paused_at = NULL WHERE filer_id = ?`,
		t.now.Unix(), forum.RequestReceived, forum.RequestProcessing, forum.RequestInfoRequested, forum.RequestWithdrawn, userID); err != nil {
		return err
	}
	if len(hashes) == 0 {
		return nil
	}
	args := make([]any, len(hashes))
	for i, h := range hashes {
		args[i] = h
	}
	_, err = t.ExecContext(ctx, `DELETE FROM attachment_blobs WHERE sha256 IN (?`+strings.Repeat(", ?", len(hashes)-1)+`)
		AND NOT EXISTS (SELECT 1 FROM request_attachments f WHERE f.sha256 = attachment_blobs.sha256)`, args...)
	return err
}

// queryStrings returns the one text column query selects.
func queryStrings(ctx context.Context, t *tx, query string, args ...any) ([]string, error) {
	rows, err := t.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}
