package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/e-people/e-people/forum"
)

// How often a user wants mail about their notifications (users.email_frequency).
const (
	EmailNone      = "none"      // no mail; notifications stay on the site
	EmailImmediate = "immediate" // one mail per notification about what they follow
	EmailDaily     = "daily"     // one digest a day
	EmailWeekly    = "weekly"    // one digest a week, on Mondays
)

// EmailFrequencies lists the valid mail preferences, the default first.
func EmailFrequencies() []string { return []string{EmailImmediate, EmailDaily, EmailWeekly, EmailNone} }

// MailDigest is the kind of an outbox row that summarises a day (or, for
// EmailWeekly, a week) of notifications.
const MailDigest = "digest"

// DigestItems is the most entries a digest lists one by one; it counts the rest.
const DigestItems = 20

// DigestItem is one entry of a digest: the newest notification of one kind
// about one subject, standing for Count of them.
type DigestItem struct {
	Kind    string          `json:"kind"`
	Subject string          `json:"subject"`
	Count   int             `json:"count"`
	Data    json.RawMessage `json:"data"`
}

// MaxMailAttempts is how many failed sends the mailer tries before it gives up on a mail.
const MaxMailAttempts = 5

// Mail is one row of the outbox: who gets it, what happened (a notification
// kind or MailDigest, with its JSON data; the words are written at send
// time) and how sending went.
type Mail struct {
	ID        int64
	UserID    int64 // 0 once the account is gone
	Address   string
	Kind      string
	Data      []byte
	CreatedAt time.Time
	SentAt    time.Time // zero while unsent
	Attempts  int       // failed sends so far
	LastError string
}

// GaveUp reports whether the mailer stopped trying to send m.
func (m Mail) GaveUp() bool { return m.SentAt.IsZero() && m.Attempts >= MaxMailAttempts }

const mailCols = `id, COALESCE(user_id, 0), address, kind, data, created_at, COALESCE(sent_at, 0), attempts, last_error`

func (s *Store) mails(ctx context.Context, what, query string, args ...any) ([]Mail, error) {
	rows, err := s.r.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, mapErr(err))
	}
	defer rows.Close()
	var out []Mail
	for rows.Next() {
		var m Mail
		var data string
		var created, sent int64
		if err := rows.Scan(&m.ID, &m.UserID, &m.Address, &m.Kind, &data, &created, &sent, &m.Attempts, &m.LastError); err != nil {
			return nil, fmt.Errorf("%s: %w", what, err)
		}
		m.Data, m.CreatedAt, m.SentAt = []byte(data), fromUnix(created), fromUnix(sent)
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", what, mapErr(err))
	}
	return out, nil
}

// PendingMail returns up to limit unsent mails that are due, oldest first:
// never tried, or failed fewer than MaxMailAttempts times and past their retry time.
func (s *Store) PendingMail(ctx context.Context, limit int) ([]Mail, error) {
	return s.mails(ctx, "pending mail", `SELECT `+mailCols+` FROM outbox
		WHERE sent_at IS NULL AND attempts < ? AND COALESCE(retry_at, 0) <= ? ORDER BY id LIMIT ?`,
		MaxMailAttempts, s.now().Unix(), limit)
}

// Outbox returns up to limit mails, sent or not, the newest first, for admins.
func (s *Store) Outbox(ctx context.Context, limit int) ([]Mail, error) {
	return s.mails(ctx, "outbox", `SELECT `+mailCols+` FROM outbox ORDER BY id DESC LIMIT ?`, limit)
}

// withoutToken returns a mail's data without its "token" member.
func withoutToken(data string) (string, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal([]byte(data), &m); err != nil {
		return "", fmt.Errorf("read mail data: %w", err)
	}
	if _, ok := m["token"]; !ok {
		return data, nil
	}
	delete(m, "token")
	b, err := json.Marshal(m)
	if err != nil {
		return "", fmt.Errorf("write mail data: %w", err)
	}
	return string(b), nil
}

// MarkMailSent records that a mail was handed to the mail server.
// It is forum.ErrNotFound when no unsent mail has id.
// A mail's raw one-time token (data's "token", a verification link) is
// scrubbed as it is marked sent: only the hash stays in the database, in
// account_tokens, so a copy of the database opens no account.
func (s *Store) MarkMailSent(ctx context.Context, id int64) error {
	err := s.write(ctx, func(t *tx) error {
		// The token is taken out in Go: SQLite's json_remove is not PostgreSQL's.
		var data string
		err := t.QueryRowContext(ctx, `SELECT data FROM outbox WHERE id = ? AND sent_at IS NULL`, id).Scan(&data)
		if errors.Is(err, sql.ErrNoRows) {
			return forum.ErrNotFound
		}
		if err != nil {
			return err
		}
		if data, err = withoutToken(data); err != nil {
			return err
		}
		return execOne(ctx, t, `UPDATE outbox SET sent_at = ?, data = ? WHERE id = ?`, t.now.Unix(), data, id)
	})
	if err != nil {
		return fmt.Errorf("mark mail %d sent: %w", id, err)
	}
	return nil
}

// MarkMailFailed counts a failed send of a mail and keeps the error. The next
// try waits 1, 4, 16 then 64 minutes; after MaxMailAttempts failures the mail
// is no longer pending. It is forum.ErrNotFound when no unsent mail has id.
func (s *Store) MarkMailFailed(ctx context.Context, id int64, reason string) error {
	reason = strings.ToValidUTF8(reason, "\uFFFD")
	if utf8.RuneCountInString(reason) > 500 {
		reason = string([]rune(reason)[:500])
	}
	err := s.write(ctx, func(t *tx) error {
		// attempts on the right is the count before this failure.
		return execOne(ctx, t, `UPDATE outbox SET attempts = attempts + 1, last_error = ?,
			retry_at = ? + CASE attempts WHEN 0 THEN 60 WHEN 1 THEN 240 WHEN 2 THEN 960 ELSE 3840 END
			WHERE id = ? AND sent_at IS NULL`, reason, t.now.Unix(), id)
	})
	if err != nil {
		return fmt.Errorf("mark mail %d failed: %w", id, err)
	}
	return nil
}

// SetEmailFrequency sets how often a user gets mail: EmailNone, EmailImmediate, EmailDaily or EmailWeekly.
func (s *Store) SetEmailFrequency(ctx context.Context, userID int64, f string) error {
	switch f {
	case EmailNone, EmailImmediate, EmailDaily, EmailWeekly:
	default:
		return fmt.Errorf("set e-mail frequency: %w", forum.Invalid("frequency", "err.email_frequency"))
	}
	err := s.write(ctx, func(t *tx) error {
		return execOne(ctx, t, `UPDATE users SET email_frequency = ? WHERE id = ?`, f, userID)
	})
	if err != nil {
		return fmt.Errorf("set e-mail frequency of user %d: %w", userID, err)
	}
	return nil
}

// QueueDigests queues one digest mail for every active user who asked for
// daily mail and has notifications from the day that starts at since and
// ends 24 hours later (or now, if sooner) that no digest has had yet. The
// digest's data is the count, and the count of each kind. It all happens in
// one transaction and records how far each user was digested, so calling it
// again for the same day queues nothing, and the next day's digest starts
// where this one ended. It returns how many digests it queued.
func (s *Store) QueueDigests(ctx context.Context, since time.Time) (int, error) {
	return s.queueDigests(ctx, EmailDaily, since, 24*time.Hour)
}

// QueueWeeklyDigests is QueueDigests for the users who asked for weekly
// mail, over the week (seven days) that starts at since: each gets one
// digest of what no digest has had yet.
func (s *Store) QueueWeeklyDigests(ctx context.Context, since time.Time) (int, error) {
	return s.queueDigests(ctx, EmailWeekly, since, 7*24*time.Hour)
}

// queueDigests queues the digests of the users whose frequency is freq, for
// the span that starts at since. A digest's data is the count, the count of
// each kind, and its first DigestItems entries (DigestItem), newest first.
func (s *Store) queueDigests(ctx context.Context, freq string, since time.Time, span time.Duration) (int, error) {
	queued := 0
	err := s.write(ctx, func(t *tx) error {
		now := t.now.Unix()
		end := min(since.Add(span).Unix(), now)
		// Each digest covers [max(since, digested_at), end) and moves digested_at to end.
		rows, err := t.QueryContext(ctx, `SELECT u.id, u.email, COALESCE(u.digested_at, 0), n.kind, count(*) FROM users u
			JOIN notifications n ON n.user_id = u.id
			WHERE u.email_frequency = ?3 AND `+activeUser+` AND COALESCE(u.digested_at, 0) < ?1
				AND n.created_at >= ?2 AND n.created_at >= COALESCE(u.digested_at, 0) AND n.created_at < ?1
			GROUP BY u.id, u.email, u.digested_at, n.kind ORDER BY u.id, n.kind`, end, since.Unix(), freq)
		if err != nil {
			return err
		}
		type digest struct {
			user     int64
			email    string
			from     int64
			count    int
			kinds    map[string]int
			items    []*DigestItem
			itemsFor map[string]*DigestItem
		}
		var ds []*digest
		for rows.Next() {
			var id, from int64
			var email, kind string
			var n int
			if err := rows.Scan(&id, &email, &from, &kind, &n); err != nil {
				rows.Close()
				return err
			}
			if len(ds) == 0 || ds[len(ds)-1].user != id {
				ds = append(ds, &digest{user: id, email: email, from: max(from, since.Unix()), kinds: map[string]int{}, itemsFor: map[string]*DigestItem{}})
			}
			d := ds[len(ds)-1]
			d.count += n
			d.kinds[kind] = n
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if freq == EmailWeekly { // and those whose followed items only drew comments (issue 18)
			quiet, err := commentedFollowers(ctx, t, freq, since.Unix(), end)
			if err != nil {
				return err
			}
			have := map[int64]bool{}
			for _, d := range ds {
				have[d.user] = true
			}
			for _, q := range quiet {
				if !have[q.id] {
					ds = append(ds, &digest{user: q.id, email: q.email, from: max(q.from, since.Unix()), kinds: map[string]int{}, itemsFor: map[string]*DigestItem{}})
				}
			}
		}
		for _, d := range ds {
			// The entries: the newest notifications, those of one kind about one subject as one.
			rows, err := t.QueryContext(ctx, `SELECT kind, subject, data FROM notifications
				WHERE user_id = ? AND created_at >= ? AND created_at < ? ORDER BY id DESC LIMIT ?`, d.user, d.from, end, 10*DigestItems)
			if err != nil {
				return err
			}
			for rows.Next() {
				var it DigestItem
				var data string
				if err := rows.Scan(&it.Kind, &it.Subject, &data); err != nil {
					rows.Close()
					return err
				}
				key := it.Kind + "\x00" + it.Subject
				if g := d.itemsFor[key]; g != nil && it.Subject != "" {
					g.Count++
					continue
				}
				if len(d.items) == DigestItems {
					continue
				}
				it.Count, it.Data = 1, json.RawMessage(data)
				if !json.Valid(it.Data) {
					it.Data = json.RawMessage(`{}`)
				}
				d.items = append(d.items, &it)
				d.itemsFor[key] = &it
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
			payload := map[string]any{"count": d.count, "kinds": d.kinds, "since": since.Unix(), "items": d.items, "frequency": freq}
			if freq == EmailWeekly { // the weekly digest says, per followed item, what changed (issue 18)
				if payload["what_changed"], err = followedChanges(ctx, t, d.user, d.from, end); err != nil {
					return err
				}
			}
			data, err := jsonString(payload)
			if err != nil {
				return err
			}
			if _, err := t.ExecContext(ctx, `INSERT INTO outbox (user_id, address, kind, data, created_at) VALUES (?, ?, ?, ?, ?)`,
				d.user, d.email, MailDigest, data, now); err != nil {
				return err
			}
			if _, err := t.ExecContext(ctx, `UPDATE users SET digested_at = ? WHERE id = ?`, end, d.user); err != nil {
				return err
			}
		}
		queued = len(ds)
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("queue digests: %w", err)
	}
	return queued, nil
}

// queueAccountMail puts a mail about userID's account (a one-time link, a
// change to it, a notice) in the outbox, for address.
func queueAccountMail(ctx context.Context, t *tx, userID int64, address, kind string, data map[string]any) error {
	payload, err := jsonString(data)
	if err != nil {
		return err
	}
	_, err = t.ExecContext(ctx, `INSERT INTO outbox (user_id, address, kind, data, created_at) VALUES (?, ?, ?, ?, ?)`,
		userID, address, kind, payload, t.now.Unix())
	return err
}
