package store

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"time"
	"unicode/utf8"

	"github.com/e-people/e-people/forum"
)

// userCols are the columns scanUser reads, unqualified; userColsOf
// qualifies them with a table alias for a join.
const userCols = `id, role, COALESCE(ministry_id, 0), name, email, status, COALESCE(suspended_until, 0), held, created_at, email_frequency,
	tier, lang, totp_enabled_at IS NOT NULL, deleted_at IS NOT NULL`

func userColsOf(alias string) string {
	a := alias + "."
	return a + `id, ` + a + `role, COALESCE(` + a + `ministry_id, 0), ` + a + `name, ` + a + `email, ` + a + `status, COALESCE(` + a +
		`suspended_until, 0), ` + a + `held, ` + a + `created_at, ` + a + `email_frequency, ` + a + `tier, ` + a + `lang, ` +
		a + `totp_enabled_at IS NOT NULL, ` + a + `deleted_at IS NOT NULL`
}

func scanUser(row interface{ Scan(...any) error }) (*forum.User, error) {
	var u forum.User
	var created, until int64
	if err := row.Scan(&u.ID, &u.Role, &u.MinistryID, &u.Name, &u.Email, &u.Status, &until, &u.Held, &created, &u.EmailFrequency,
		&u.Tier, &u.Lang, &u.TwoFactor, &u.Deleted); err != nil {
		return nil, err
	}
	u.CreatedAt, u.SuspendedUntil = fromUnix(created), fromUnix(until)
	return &u, nil
}

// CreateUser adds an account with an already-hashed password. An e-mail
// already registered gives forum.ErrEmailTaken. A Held account (a throw-away
// e-mail domain) is queued for review and its posts wait for a moderator.
// The account gets u's Tier (registered when empty) and Lang.
// A CreatedAt in the past is kept (the demo's long-standing citizens); a
// zero or future one is now.
func (s *Store) CreateUser(ctx context.Context, u forum.User, passwordHash string) (*forum.User, error) {
	var out *forum.User
	err := s.write(ctx, func(t *tx) error {
		var err error
		out, err = createUser(ctx, t, u, passwordHash)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("create user: %w", err)
	}
	return out, nil
}

func createUser(ctx context.Context, t *tx, u forum.User, passwordHash string) (*forum.User, error) {
	var ministry any
	if u.MinistryID != 0 {
		ministry = u.MinistryID
	}
	created := t.now
	if !u.CreatedAt.IsZero() && u.CreatedAt.Before(created) {
		created = u.CreatedAt
	}
	if u.Tier == "" {
		u.Tier = forum.TierRegistered
	}
	if !u.Tier.Valid() {
		return nil, fmt.Errorf("unknown tier %q", u.Tier)
	}
	row := t.QueryRowContext(ctx, `INSERT INTO users (role, ministry_id, name, email, password_hash, status, held, created_at, tier, lang, last_seen_at)
		VALUES (?, ?, ?, ?, ?, 'active', ?, ?, ?, ?, ?) RETURNING `+userCols,
		u.Role, ministry, u.Name, forum.NormalizeEmail(u.Email), passwordHash, u.Held, created.Unix(), u.Tier, u.Lang, t.now.Unix())
	out, err := scanUser(row)
	if isUnique(err) {
		return nil, forum.ErrEmailTaken
	}
	if err == nil && out.Held {
		err = hold(ctx, t, forum.ItemUser, out.ID, []string{"disposable_email"})
	}
	return out, err
}

// User returns the account with id.
func (s *Store) User(ctx context.Context, id int64) (*forum.User, error) {
	u, err := scanUser(s.r.QueryRowContext(ctx, `SELECT `+userCols+` FROM users WHERE id = ?`, id))
	if err != nil {
		return nil, fmt.Errorf("get user %d: %w", id, mapErr(err))
	}
	return u, nil
}

// UserByEmail returns the account registered with email and its password hash.
func (s *Store) UserByEmail(ctx context.Context, email string) (*forum.User, string, error) {
	var hash string
	row := s.r.QueryRowContext(ctx, `SELECT `+userCols+`, password_hash FROM users WHERE email = ? AND deleted_at IS NULL`, forum.NormalizeEmail(email))
	u, err := scanUser(newScanPlusRow(row, &hash))
	if err != nil {
		return nil, "", fmt.Errorf("get user by e-mail: %w", mapErr(err))
	}
	return u, hash, nil
}

// CountUsers returns how many accounts have role.
func (s *Store) CountUsers(ctx context.Context, role forum.Role) (int, error) {
	var n int
	if err := s.r.QueryRowContext(ctx, `SELECT count(*) FROM users WHERE role = ?`, role).Scan(&n); err != nil {
		return 0, fmt.Errorf("count users: %w", mapErr(err))
	}
	return n, nil
}

// Session is a signed-in browser.
type Session struct {
	ID        int64 // names the session on its owner's account page
	User      *forum.User
	CSRF      string
	CreatedAt time.Time
	ExpiresAt time.Time
	// PendingMFA marks a session whose password was right and whose second
	// factor is still owed: it signs nobody in until the code is given.
	PendingMFA bool
	UserAgent  string    // the browser that signed in, as it named itself
	IP         string    // the address it signed in from
	LastSeen   time.Time // the last request, to within sessionTouchEvery
}

// NewSession is what CreateSession stores.
type NewSession struct {
	TokenHash  string // forum.TokenHash of the cookie's token
	UserID     int64
	CSRF       string
	TTL        time.Duration
	PendingMFA bool
	UserAgent  string // cut to 300 bytes
	IP         string
}

// sessionTouchEvery is how stale a session's last-seen time may grow
// before a request writes a new one: often enough for the account page and
// the inactive-account rule, rare enough that reading pages does not write.
const sessionTouchEvery = 10 * time.Minute

// CreateSession records a session under the hash of its token, drops the
// expired ones, and notes the sign-in as the account's last visit.
func (s *Store) CreateSession(ctx context.Context, n NewSession) error {
	err := s.write(ctx, func(t *tx) error { return insertSession(ctx, t, n) })
	if err != nil {
		return fmt.Errorf("create session: %w", err)
	}
	return nil
}

// insertSession is CreateSession inside a transaction.
func insertSession(ctx context.Context, t *tx, n NewSession) error {
	if _, err := t.ExecContext(ctx, `DELETE FROM sessions WHERE expires_at < ?`, t.now.Unix()); err != nil {
		return err
	}
	_, err := t.ExecContext(ctx, `INSERT INTO sessions (token_hash, user_id, csrf, created_at, expires_at, pending_mfa, user_agent, ip, last_seen_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		n.TokenHash, n.UserID, n.CSRF, t.now.Unix(), t.now.Add(n.TTL).Unix(), n.PendingMFA, truncate(n.UserAgent, 300), truncate(n.IP, 64), t.now.Unix())
	if err != nil {
		return err
	}
	_, err = t.ExecContext(ctx, `UPDATE users SET last_seen_at = ?, inactive_notice_at = NULL WHERE id = ?`, t.now.Unix(), n.UserID)
	return err
}

// truncate cuts s to at most n bytes without splitting a character.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

const sessionCols = `s.id, s.csrf, s.created_at, s.expires_at, s.pending_mfa, s.user_agent, s.ip, s.last_seen_at`

func scanSession(row interface{ Scan(...any) error }) (*Session, error) {
	var sess Session
	var created, expires, seen int64
	u, err := scanUser(newScanPlusRow(row, &sess.ID, &sess.CSRF, &created, &expires, &sess.PendingMFA, &sess.UserAgent, &sess.IP, &seen))
	if err != nil {
		return nil, err
	}
	sess.User, sess.CreatedAt, sess.ExpiresAt, sess.LastSeen = u, fromUnix(created), fromUnix(expires), fromUnix(seen)
	return &sess, nil
}

// SessionByToken returns the live session stored under tokenHash. A
// session whose last-seen time is older than sessionTouchEvery is touched
// first: it and its account are stamped as seen now. The stamp is
// best-effort: a write that fails (the disk is full, the writer is busy past
// the request's deadline) leaves the old time, and the session is returned.
func (s *Store) SessionByToken(ctx context.Context, tokenHash string) (*Session, error) {
	now := s.now()
	gen := s.sessions.gen.Load() // before the read: see sessioncache.go
	var sess *Session
	var cached bool
	if !s.pg { // other nodes write sessions too: PostgreSQL reads every time
		sess, cached = s.sessions.get(tokenHash, gen)
	}
	if cached && !now.Before(sess.ExpiresAt) {
		return nil, fmt.Errorf("get session: %w", forum.ErrNotFound)
	}
	if !cached {
		var err error
		sess, err = scanSession(s.r.QueryRowContext(ctx, `SELECT `+userColsOf("u")+`, `+sessionCols+`
			FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = ? AND s.expires_at > ?`, tokenHash, now.Unix()))
		if err != nil {
			return nil, fmt.Errorf("get session: %w", mapErr(err))
		}
		if !s.pg {
			s.sessions.put(tokenHash, sess, gen)
		}
	}
	if now.Sub(sess.LastSeen) >= sessionTouchEvery {
		err := s.write(ctx, func(t *tx) error {
			// The committer's goroutine runs this: the last-seen times alone do not make cached sessions stale.
			if !s.pg {
				s.commit.touching = true
				defer func() { s.commit.touching = false }()
			}
			if _, err := t.ExecContext(ctx, `UPDATE sessions SET last_seen_at = ? WHERE id = ?`, t.now.Unix(), sess.ID); err != nil {
				return err
			}
			_, err := t.ExecContext(ctx, `UPDATE users SET last_seen_at = ?, inactive_notice_at = NULL WHERE id = ?`, t.now.Unix(), sess.User.ID)
			return err
		})
		if err == nil {
			sess.LastSeen = now
			s.sessions.seen(tokenHash, sess, gen)
		}
	}
	return sess, nil
}

// Sessions returns the live sessions of userID, the most recently seen first.
func (s *Store) Sessions(ctx context.Context, userID int64) ([]*Session, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+userColsOf("u")+`, `+sessionCols+`
		FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.user_id = ? AND s.expires_at > ?
		ORDER BY s.last_seen_at DESC, s.id DESC`, userID, s.now().Unix())
	if err != nil {
		return nil, fmt.Errorf("list sessions: %w", mapErr(err))
	}
	defer rows.Close()
	var out []*Session
	for rows.Next() {
		sess, err := scanSession(rows)
		if err != nil {
			return nil, fmt.Errorf("list sessions: %w", err)
		}
		out = append(out, sess)
	}
	return out, rows.Err()
}

// DeleteUserSession ends the session id of userID; one of another account's
// is forum.ErrNotFound.
func (s *Store) DeleteUserSession(ctx context.Context, userID, id int64) error {
	err := s.write(ctx, func(t *tx) error {
		return execOne(ctx, t, `DELETE FROM sessions WHERE id = ? AND user_id = ?`, id, userID)
	})
	if err != nil {
		return fmt.Errorf("delete session %d: %w", id, err)
	}
	return nil
}

// DeleteOtherSessions ends every session of userID except the one stored
// under keepTokenHash ("" ends them all).
func (s *Store) DeleteOtherSessions(ctx context.Context, userID int64, keepTokenHash string) error {
	err := s.write(ctx, func(t *tx) error {
		_, err := t.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = ? AND token_hash <> ?`, userID, keepTokenHash)
		return err
	})
	if err != nil {
		return fmt.Errorf("end the sessions of user %d: %w", userID, err)
	}
	return nil
}

// DeleteSession ends the session stored under tokenHash.
func (s *Store) DeleteSession(ctx context.Context, tokenHash string) error {
	err := s.write(ctx, func(t *tx) error {
		_, err := t.ExecContext(ctx, `DELETE FROM sessions WHERE token_hash = ?`, tokenHash)
		return err
	})
	if err != nil {
		return fmt.Errorf("delete session: %w", err)
	}
	return nil
}

// SetPassword replaces the password of an existing account with an
// already-hashed one and, in the same transaction, ends every session of
// the account except the one stored under keepTokenHash (the browser that
// made the change; "" ends them all): whoever knew the old password is
// signed out everywhere.
func (s *Store) SetPassword(ctx context.Context, userID int64, passwordHash, keepTokenHash string) error {
	err := s.write(ctx, func(t *tx) error {
		res, err := t.ExecContext(ctx, `UPDATE users SET password_hash = ? WHERE id = ?`, passwordHash, userID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return forum.ErrNotFound
		}
		_, err = t.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = ? AND token_hash <> ?`, userID, keepTokenHash)
		return err
	})
	if err != nil {
		return fmt.Errorf("set password of user %d: %w", userID, err)
	}
	return nil
}

// serverSecretKey is the settings key of the server's signing secret.
const serverSecretKey = "server_secret"

// ServerSecret returns the server's 32-byte signing secret, creating it from
// crypto/rand on first use; every later call, and every restart, returns the
// same bytes.
func (s *Store) ServerSecret(ctx context.Context) ([]byte, error) {
	fresh := make([]byte, 32)
	if _, err := rand.Read(fresh); err != nil {
		return nil, fmt.Errorf("server secret: %w", err)
	}
	var v string
	err := s.write(ctx, func(t *tx) error {
		if _, err := t.ExecContext(ctx, `INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING`,
			serverSecretKey, hex.EncodeToString(fresh)); err != nil {
			return err
		}
		return t.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = ?`, serverSecretKey).Scan(&v)
	})
	if err != nil {
		return nil, fmt.Errorf("server secret: %w", err)
	}
	secret, err := hex.DecodeString(v)
	if err != nil || len(secret) < 32 {
		return nil, fmt.Errorf("server secret: stored value is not 32 hex-encoded bytes")
	}
	return secret, nil
}

// Setup token: the one-time token that lets the first administrator register.
const setupTokenKey = "setup_token_hash"

// CreateFirstAdmin creates the first administrator if tokenHash matches the
// stored setup token, and burns the token in the same transaction.
func (s *Store) CreateFirstAdmin(ctx context.Context, tokenHash string, u forum.User, passwordHash string) (*forum.User, error) {
	var out *forum.User
	err := s.write(ctx, func(t *tx) error {
		res, err := t.ExecContext(ctx, `DELETE FROM settings WHERE key = ? AND value = ?`, setupTokenKey, tokenHash)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return forum.Refuse(forum.ErrForbidden, "err.setup_used")
		}
		u.Role, u.MinistryID = forum.RoleAdmin, 0
		out, err = createUser(ctx, t, u, passwordHash)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("create first admin: %w", err)
	}
	return out, nil
}

// SetupTokenValid reports whether tokenHash is the hash of the one-time
// setup token still waiting to be used: false once the first administrator
// was created with it, or once a later start replaced it.
func (s *Store) SetupTokenValid(ctx context.Context, tokenHash string) (bool, error) {
	var ok bool
	if err := s.r.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM settings WHERE key = ? AND value = ?)`, setupTokenKey, tokenHash).Scan(&ok); err != nil {
		return false, fmt.Errorf("check setup token: %w", mapErr(err))
	}
	return ok, nil
}

// SetSetupToken stores the hash of a fresh one-time setup token.
func (s *Store) SetSetupToken(ctx context.Context, tokenHash string) error {
	return s.SetSetting(ctx, setupTokenKey, tokenHash)
}

// Ministries returns every ministry ordered by Korean name.
func (s *Store) Ministries(ctx context.Context) ([]forum.Ministry, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT id, slug, name_ko, name_en, name_zh, description FROM ministries ORDER BY name_ko`)
	if err != nil {
		return nil, fmt.Errorf("list ministries: %w", mapErr(err))
	}
	defer rows.Close()
	var out []forum.Ministry
	for rows.Next() {
		var m forum.Ministry
		if err := rows.Scan(&m.ID, &m.Slug, &m.NameKO, &m.NameEN, &m.NameZH, &m.Description); err != nil {
			return nil, fmt.Errorf("list ministries: %w", err)
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// Categories returns every category ordered by Korean name.
func (s *Store) Categories(ctx context.Context) ([]forum.Category, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT id, slug, name_ko, name_en, name_zh, COALESCE(ministry_id, 0) FROM categories ORDER BY name_ko`)
	if err != nil {
		return nil, fmt.Errorf("list categories: %w", mapErr(err))
	}
	defer rows.Close()
	var out []forum.Category
	for rows.Next() {
		var c forum.Category
		if err := rows.Scan(&c.ID, &c.Slug, &c.NameKO, &c.NameEN, &c.NameZH, &c.MinistryID); err != nil {
			return nil, fmt.Errorf("list categories: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// CreateMinistry adds a ministry; a slug already taken gives forum.ErrConflict.
func (s *Store) CreateMinistry(ctx context.Context, m forum.Ministry) (forum.Ministry, error) {
	err := s.write(ctx, func(t *tx) error {
		err := t.QueryRowContext(ctx, `INSERT INTO ministries (slug, name_ko, name_en, name_zh, description) VALUES (?, ?, ?, ?, ?) RETURNING id`,
			m.Slug, m.NameKO, m.NameEN, m.NameZH, m.Description).Scan(&m.ID)
		if isUnique(err) {
			return forum.ErrConflict
		}
		return err
	})
	if err != nil {
		return m, fmt.Errorf("create ministry %s: %w", m.Slug, err)
	}
	return m, nil
}

// MinistryBySlug returns the ministry with slug.
func (s *Store) MinistryBySlug(ctx context.Context, slug string) (forum.Ministry, error) {
	var m forum.Ministry
	err := s.r.QueryRowContext(ctx, `SELECT id, slug, name_ko, name_en, name_zh, description FROM ministries WHERE slug = ?`, slug).
		Scan(&m.ID, &m.Slug, &m.NameKO, &m.NameEN, &m.NameZH, &m.Description)
	if err != nil {
		return m, fmt.Errorf("get ministry %s: %w", slug, mapErr(err))
	}
	return m, nil
}

// CreateCategory adds a category.
func (s *Store) CreateCategory(ctx context.Context, c forum.Category) (forum.Category, error) {
	var ministry any
	if c.MinistryID != 0 {
		ministry = c.MinistryID
	}
	err := s.write(ctx, func(t *tx) error {
		return t.QueryRowContext(ctx, `INSERT INTO categories (slug, name_ko, name_en, name_zh, ministry_id) VALUES (?, ?, ?, ?, ?) RETURNING id`,
			c.Slug, c.NameKO, c.NameEN, c.NameZH, ministry).Scan(&c.ID)
	})
	if err != nil {
		return c, fmt.Errorf("create category %s: %w", c.Slug, err)
	}
	return c, nil
}

// SetTier sets the tier of userID, moving the account's supports and
// co-sponsorships between the verified and unverified figures when the
// change crosses forum.Tier.Counted (with the effects on thresholds a new
// support would have), and returns the tier it had. The flows that change
// a tier (a verification link, an administrator, an identity provider)
// record why themselves.
func (s *Store) SetTier(ctx context.Context, userID int64, tier forum.Tier) (forum.Tier, error) {
	var was forum.Tier
	err := s.write(ctx, func(t *tx) error {
		var err error
		was, err = s.retier(ctx, t, userID, tier)
		return err
	})
	if err != nil {
		return "", fmt.Errorf("set tier of user %d: %w", userID, mapErr(err))
	}
	return was, nil
}
