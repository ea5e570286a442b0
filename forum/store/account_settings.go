package store

import (
	"context"
	"fmt"
	"time"

	"github.com/e-people/e-people/forum"
)

// Kinds of the outbox rows about the account itself: mailed whatever the
// person's notification setting, and carrying the raw link token in the
// data's "token" field until the mail is sent.
const (
	MailResetPassword = "reset_password" // a link to choose a new password
	MailChangeEmail   = "change_email"   // to the new address: a link that makes the change
	MailEmailChanged  = "email_changed"  // to the old address: the change happened
)

// Lifetimes and limits of the account's one-time links.
const (
	ResetTokenTTL       = time.Hour      // a password reset link
	ChangeEmailTokenTTL = 24 * time.Hour // an address change link
	ResetsPerHour       = 3              // reset mails to one address in an hour
	EmailChangesPerDay  = 5              // address change mails for one account in a day
)

// RequestPasswordReset mails a reset link carrying token to the account
// registered with email, valid for ResetTokenTTL. It says nothing of
// whether the account exists: an unknown address, a deleted account, or an
// address that had ResetsPerHour links in the last hour (counted in the
// database, so the limit holds across restarts) get no mail and the same
// nil, after the same lookups.
func (s *Store) RequestPasswordReset(ctx context.Context, email, token string) error {
	email = forum.NormalizeEmail(email)
	err := s.write(ctx, func(t *tx) error {
		var id int64
		err := t.QueryRowContext(ctx, `SELECT id FROM users WHERE email = ? AND deleted_at IS NULL`, email).Scan(&id)
		if err != nil && !isNotFound(err) {
			return err
		}
		sent, cerr := tokensSince(ctx, t, 0, email, TokenResetPassword, t.now.Add(-time.Hour))
		if cerr != nil {
			return cerr
		}
		if err != nil || sent >= ResetsPerHour {
			return nil
		}
		if err := createToken(ctx, t, forum.TokenHash(token), id, TokenResetPassword, email, ResetTokenTTL); err != nil {
			return err
		}
		return queueAccountMail(ctx, t, id, email, MailResetPassword, map[string]any{"token": token})
	})
	if err != nil {
		return fmt.Errorf("request a password reset: %w", err)
	}
	return nil
}

// PasswordResetUser returns the account whose live (unused, unexpired)
// reset token is stored under tokenHash, without using it up; any other
// token is forum.ErrNotFound.
func (s *Store) PasswordResetUser(ctx context.Context, tokenHash string) (*forum.User, error) {
	u, err := scanUser(s.r.QueryRowContext(ctx, `SELECT `+userCols+` FROM users WHERE deleted_at IS NULL AND id =
		(SELECT user_id FROM account_tokens WHERE token_hash = ? AND purpose = ? AND used_at IS NULL AND expires_at > ?)`,
		tokenHash, TokenResetPassword, s.now().Unix()))
	if err != nil {
		return nil, fmt.Errorf("password reset token: %w", mapErr(err))
	}
	return u, nil
}

// ResetPassword uses up the reset token stored under tokenHash and, in the
// same transaction, sets the account's password to the already-hashed one,
// uses up the account's other reset links and ends every session of the
// account: whoever was signed in with the old password is out. A token
// that is not live is forum.ErrNotFound, with nothing changed.
func (s *Store) ResetPassword(ctx context.Context, tokenHash, passwordHash string) (*forum.User, error) {
	var u *forum.User
	err := s.write(ctx, func(t *tx) error {
		tok, err := useToken(ctx, t, tokenHash, TokenResetPassword)
		if err != nil {
			return err
		}
		if u, err = scanUser(t.QueryRowContext(ctx, `UPDATE users SET password_hash = ? WHERE id = ? AND deleted_at IS NULL RETURNING `+userCols,
			passwordHash, tok.UserID)); err != nil {
			return mapErr(err)
		}
		if _, err := t.ExecContext(ctx, `UPDATE account_tokens SET used_at = ? WHERE user_id = ? AND purpose = ? AND used_at IS NULL`,
			t.now.Unix(), tok.UserID, TokenResetPassword); err != nil {
			return err
		}
		_, err = t.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = ?`, tok.UserID)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("reset password: %w", err)
	}
	return u, nil
}

// RequestEmailChange mails a link carrying token to newEmail that, once
// opened, makes it userID's address (ChangeEmail); until then nothing
// changes. An address another account has is forum.ErrEmailTaken; more
// than EmailChangesPerDay requests in a day are forum.ErrRateLimited.
func (s *Store) RequestEmailChange(ctx context.Context, userID int64, newEmail, token string) error {
	newEmail = forum.NormalizeEmail(newEmail)
	err := s.write(ctx, func(t *tx) error {
		var taken bool
		if err := t.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM users WHERE email = ?)`, newEmail).Scan(&taken); err != nil {
			return err
		}
		if taken {
			return forum.ErrEmailTaken
		}
		n, err := tokensSince(ctx, t, userID, "", TokenChangeEmail, t.now.Add(-24*time.Hour))
		if err != nil {
			return err
		}
		if n >= EmailChangesPerDay {
			return forum.ErrRateLimited
		}
		if err := createToken(ctx, t, forum.TokenHash(token), userID, TokenChangeEmail, newEmail, ChangeEmailTokenTTL); err != nil {
			return err
		}
		return queueAccountMail(ctx, t, userID, newEmail, MailChangeEmail, map[string]any{"token": token, "email": newEmail})
	})
	if err != nil {
		return fmt.Errorf("request an e-mail change for user %d: %w", userID, err)
	}
	return nil
}

// ChangeEmail uses up the address change token stored under tokenHash and,
// in the same transaction, makes the address it was mailed to the
// account's, tells the old address by mail (MailEmailChanged) and uses up
// every other link of the account still open (they went to the old
// address). Opening the link proved the new address, so an account still
// registered becomes email_verified; a higher tier is kept. An address
// taken by another account since the request is forum.ErrEmailTaken, and a
// token that is not live forum.ErrNotFound, both with nothing changed. It
// returns the account as it is now and its old address.
func (s *Store) ChangeEmail(ctx context.Context, tokenHash string) (u *forum.User, old string, err error) {
	err = s.write(ctx, func(t *tx) error {
		tok, err := useToken(ctx, t, tokenHash, TokenChangeEmail)
		if err != nil {
			return err
		}
		if err := t.QueryRowContext(ctx, `SELECT email FROM users WHERE id = ? AND deleted_at IS NULL`, tok.UserID).Scan(&old); err != nil {
			return mapErr(err)
		}
		if _, err := t.ExecContext(ctx, `UPDATE users SET email = ? WHERE id = ?`, tok.Email, tok.UserID); err != nil {
			if isUnique(err) {
				return forum.ErrEmailTaken
			}
			return err
		}
		if _, err := t.ExecContext(ctx, `UPDATE account_tokens SET used_at = ? WHERE user_id = ? AND used_at IS NULL`, t.now.Unix(), tok.UserID); err != nil {
			return err
		}
		var tier forum.Tier
		if err := t.QueryRowContext(ctx, `SELECT tier FROM users WHERE id = ?`, tok.UserID).Scan(&tier); err != nil {
			return err
		}
		if tier == forum.TierRegistered {
			if _, err := s.retier(ctx, t, tok.UserID, forum.TierEmailVerified); err != nil {
				return err
			}
		}
		if err := queueAccountMail(ctx, t, tok.UserID, old, MailEmailChanged, map[string]any{"email": tok.Email}); err != nil {
			return err
		}
		u, err = scanUser(t.QueryRowContext(ctx, `SELECT `+userCols+` FROM users WHERE id = ?`, tok.UserID))
		return err
	})
	if err != nil {
		return nil, "", fmt.Errorf("change e-mail: %w", err)
	}
	return u, old, nil
}

// SetUserName sets the display name of userID, checked by the caller
// (forum.ValidateName).
func (s *Store) SetUserName(ctx context.Context, userID int64, name string) error {
	err := s.write(ctx, func(t *tx) error {
		return execOne(ctx, t, `UPDATE users SET name = ? WHERE id = ? AND deleted_at IS NULL`, name, userID)
	})
	if err != nil {
		return fmt.Errorf("set name of user %d: %w", userID, err)
	}
	return nil
}

// SetUserLang sets the language userID's pages and mail are written in:
// "ko", "en" or "zh" ("" writes mail in Korean and English).
func (s *Store) SetUserLang(ctx context.Context, userID int64, lang string) error {
	switch lang {
	case "", "ko", "en", "zh":
	default:
		return fmt.Errorf("set language: %w", forum.Invalid("lang", "err.acct_lang"))
	}
	err := s.write(ctx, func(t *tx) error {
		return execOne(ctx, t, `UPDATE users SET lang = ? WHERE id = ?`, lang, userID)
	})
	if err != nil {
		return fmt.Errorf("set language of user %d: %w", userID, err)
	}
	return nil
}
