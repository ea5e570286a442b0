package store

import (
	"context"
	"fmt"
	"time"

	"github.com/e-people/e-people/forum"
)

// Purposes of a one-time account token (the account_tokens table).
const (
	TokenVerifyEmail   = "verify_email"   // proves an address: the account becomes email_verified
	TokenResetPassword = "reset_password" // lets whoever reads the mail choose a new password
	TokenChangeEmail   = "change_email"   // proves a new address before it replaces the old one
)

// accountToken is a token row as useToken finds it.
type accountToken struct {
	UserID int64
	Email  string // the address the link was mailed to
}

// createToken stores the hash of a fresh one-time token for userID, sent
// to email, valid for ttl.
func createToken(ctx context.Context, t *tx, tokenHash string, userID int64, purpose, email string, ttl time.Duration) error {
	_, err := t.ExecContext(ctx, `INSERT INTO account_tokens (token_hash, user_id, purpose, email, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)`,
		tokenHash, userID, purpose, email, t.now.Unix(), t.now.Add(ttl).Unix())
	if err != nil {
		return fmt.Errorf("create %s token: %w", purpose, err)
	}
	return nil
}

// useToken burns the unused, unexpired token of purpose stored under
// tokenHash and returns its row; any other (unknown, used, expired, another
// purpose's) is forum.ErrNotFound, with nothing burnt.
func useToken(ctx context.Context, t *tx, tokenHash, purpose string) (accountToken, error) {
	var tok accountToken
	err := t.QueryRowContext(ctx, `UPDATE account_tokens SET used_at = ?
		WHERE token_hash = ? AND purpose = ? AND used_at IS NULL AND expires_at > ?
		RETURNING user_id, email`, t.now.Unix(), tokenHash, purpose, t.now.Unix()).Scan(&tok.UserID, &tok.Email)
	if err != nil {
		return tok, mapErr(err)
	}
	return tok, nil
}

// tokensSince counts the tokens of purpose made for userID (when userID is
// not 0) or sent to email (otherwise) since from: the resend and reset
// limits.
func tokensSince(ctx context.Context, t *tx, userID int64, email, purpose string, from time.Time) (int, error) {
	var n int
	var err error
	if userID != 0 {
		err = t.QueryRowContext(ctx, `SELECT count(*) FROM account_tokens WHERE user_id = ? AND purpose = ? AND created_at >= ?`,
			userID, purpose, from.Unix()).Scan(&n)
	} else {
		err = t.QueryRowContext(ctx, `SELECT count(*) FROM account_tokens WHERE email = ? AND purpose = ? AND created_at >= ?`,
			forum.NormalizeEmail(email), purpose, from.Unix()).Scan(&n)
	}
	return n, err
}
