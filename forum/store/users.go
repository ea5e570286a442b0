package store

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/e-people/e-people/forum"
)

const userCols = `id, role, COALESCE(ministry_id, 0), name, email, status, COALESCE(suspended_until, 0), held, created_at, email_frequency`

func scanUser(row interface{ Scan(...any) error }) (*forum.User, error) {
	var u forum.User
	var created, until int64
	if err := row.Scan(&u.ID, &u.Role, &u.MinistryID, &u.Name, &u.Email, &u.Status, &until, &u.Held, &created, &u.EmailFrequency); err != nil {
		return nil, err
	}
	u.CreatedAt, u.SuspendedUntil = fromUnix(created), fromUnix(until)
	return &u, nil
}

// CreateUser adds an account with an already-hashed password. An e-mail
// already registered gives forum.ErrEmailTaken. A Held account (a throw-away
// e-mail domain) is queued for review and its posts wait for a moderator.
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
	row := t.QueryRowContext(ctx, `INSERT INTO users (role, ministry_id, name, email, password_hash, status, held, created_at)
		VALUES (?, ?, ?, ?, ?, 'active', ?, ?) RETURNING `+userCols,
		u.Role, ministry, u.Name, forum.NormalizeEmail(u.Email), passwordHash, u.Held, created.Unix())
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
	row := s.r.QueryRowContext(ctx, `SELECT `+userCols+`, password_hash FROM users WHERE email = ?`, forum.NormalizeEmail(email))
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
	User      *forum.User
	CSRF      string
	ExpiresAt time.Time
}

// CreateSession records a session for userID under the hash of its token.
func (s *Store) CreateSession(ctx context.Context, tokenHash string, userID int64, csrf string, ttl time.Duration) error {
	err := s.write(ctx, func(t *tx) error {
		if _, err := t.ExecContext(ctx, `DELETE FROM sessions WHERE expires_at < ?`, t.now.Unix()); err != nil {
			return err
		}
		_, err := t.ExecContext(ctx, `INSERT INTO sessions (token_hash, user_id, csrf, created_at, expires_at) VALUES (?, ?, ?, ?, ?)`,
			tokenHash, userID, csrf, t.now.Unix(), t.now.Add(ttl).Unix())
		return err
	})
	if err != nil {
		return fmt.Errorf("create session: %w", err)
	}
	return nil
}

// SessionByToken returns the live session stored under tokenHash.
func (s *Store) SessionByToken(ctx context.Context, tokenHash string) (*Session, error) {
	row := s.r.QueryRowContext(ctx, `SELECT u.id, u.role, COALESCE(u.ministry_id, 0), u.name, u.email, u.status, COALESCE(u.suspended_until, 0), u.held, u.created_at, u.email_frequency, s.csrf, s.expires_at
		FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = ? AND s.expires_at > ?`, tokenHash, s.now().Unix())
	var expires int64
	var sess Session
	u, err := scanUser(newScanPlusRow(row, &sess.CSRF, &expires))
	if err != nil {
		return nil, fmt.Errorf("get session: %w", mapErr(err))
	}
	sess.User, sess.ExpiresAt = u, fromUnix(expires)
	return &sess, nil
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
			return forum.ErrForbidden
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
