package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/e-people/e-people/forum"
)

// EnableSecondFactor confirms the TOTP key secret of userID, whose code
// for time step step the person just typed (so that code is spent), keeps
// the hashes of fresh recovery codes in place of any older ones, and ends
// every other session of the account but the one stored under
// keepTokenHash: each of them was opened with the password alone. An
// account that already has a second factor is forum.ErrConflict.
func (s *Store) EnableSecondFactor(ctx context.Context, userID int64, secret string, step int64, recoveryHashes []string, keepTokenHash string) error {
	err := s.write(ctx, func(t *tx) error {
		res, err := t.ExecContext(ctx, `UPDATE users SET totp_secret = ?, totp_enabled_at = ?, totp_last_step = ?
			WHERE id = ? AND totp_enabled_at IS NULL`, secret, t.now.Unix(), step, userID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return forum.ErrConflict
		}
		if err := replaceRecoveryCodes(ctx, t, userID, recoveryHashes); err != nil {
			return err
		}
		_, err = t.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = ? AND token_hash <> ?`, userID, keepTokenHash)
		return err
	})
	if err != nil {
		return fmt.Errorf("enable the second factor of user %d: %w", userID, mapErr(err))
	}
	return nil
}

func replaceRecoveryCodes(ctx context.Context, t *tx, userID int64, hashes []string) error {
	if _, err := t.ExecContext(ctx, `DELETE FROM recovery_codes WHERE user_id = ?`, userID); err != nil {
		return err
	}
	for _, h := range hashes {
		if _, err := t.ExecContext(ctx, `INSERT INTO recovery_codes (user_id, code_hash) VALUES (?, ?)`, userID, h); err != nil {
			return err
		}
	}
	return nil
}

// passSecondFactor spends code for userID: a TOTP code of a time step
// later than the last one accepted (which it becomes), or an unused
// recovery code (which is marked used). Anything else, or an account
// without a second factor, is forum.ErrSecondFactorWrong, with nothing
// spent.
func passSecondFactor(ctx context.Context, t *tx, userID int64, code string) error {
	var secret string
	var last sql.NullInt64
	var enabled bool
	err := t.QueryRowContext(ctx, `SELECT totp_secret, totp_last_step, totp_enabled_at IS NOT NULL FROM users WHERE id = ?`, userID).
		Scan(&secret, &last, &enabled)
	if err != nil {
		return err
	}
	if !enabled {
		return forum.ErrSecondFactorWrong
	}
	code = forum.CleanCode(code)
	if forum.IsTOTPCode(code) {
		step, ok := forum.MatchTOTP(secret, code, t.now, last.Int64)
		if !ok {
			return forum.ErrSecondFactorWrong
		}
		_, err := t.ExecContext(ctx, `UPDATE users SET totp_last_step = ? WHERE id = ?`, step, userID)
		return err
	}
	res, err := t.ExecContext(ctx, `UPDATE recovery_codes SET used_at = ? WHERE user_id = ? AND code_hash = ? AND used_at IS NULL`,
		t.now.Unix(), userID, forum.RecoveryCodeHash(code))
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return forum.ErrSecondFactorWrong
	}
	return nil
}

// CheckSecondFactor spends code (a TOTP code or a recovery code) of
// userID, for a change that asks for the second factor again; a wrong one
// is forum.ErrSecondFactorWrong.
func (s *Store) CheckSecondFactor(ctx context.Context, userID int64, code string) error {
	err := s.write(ctx, func(t *tx) error { return passSecondFactor(ctx, t, userID, code) })
	if err != nil {
		return fmt.Errorf("check the second factor of user %d: %w", userID, mapErr(err))
	}
	return nil
}

// PassSecondFactor finishes a sign-in: it spends code for the account of
// the pending session stored under pendingTokenHash, ends that session and
// stores n, a full one, in its place, so the pending token is worth nothing
// afterwards. A pending session that is unknown, expired or already full
// is forum.ErrNotFound; a wrong code forum.ErrSecondFactorWrong, with the
// pending session left as it was.
func (s *Store) PassSecondFactor(ctx context.Context, pendingTokenHash, code string, n NewSession) (*forum.User, error) {
	var u *forum.User
	err := s.write(ctx, func(t *tx) error {
		var userID int64
		err := t.QueryRowContext(ctx, `SELECT user_id FROM sessions WHERE token_hash = ? AND pending_mfa = 1 AND expires_at > ?`,
			pendingTokenHash, t.now.Unix()).Scan(&userID)
		if err != nil {
			return err
		}
		if err := passSecondFactor(ctx, t, userID, code); err != nil {
			return err
		}
		if _, err := t.ExecContext(ctx, `DELETE FROM sessions WHERE token_hash = ?`, pendingTokenHash); err != nil {
			return err
		}
		n.UserID, n.PendingMFA = userID, false
		if err := insertSession(ctx, t, n); err != nil {
			return err
		}
		u, err = scanUser(t.QueryRowContext(ctx, `SELECT `+userCols+` FROM users WHERE id = ?`, userID))
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("pass the second factor: %w", mapErr(err))
	}
	return u, nil
}

// SecondFactor is an account's enrolment as its owner's page shows it.
type SecondFactor struct {
	EnabledAt     time.Time // zero when no second factor is enrolled
	RecoveryCodes int       // unused recovery codes left
}

// SecondFactorOf returns the enrolment of userID.
func (s *Store) SecondFactorOf(ctx context.Context, userID int64) (SecondFactor, error) {
	var sf SecondFactor
	var at sql.NullInt64
	err := s.r.QueryRowContext(ctx, `SELECT totp_enabled_at,
		(SELECT count(*) FROM recovery_codes WHERE user_id = users.id AND used_at IS NULL) FROM users WHERE id = ?`, userID).
		Scan(&at, &sf.RecoveryCodes)
	if err != nil {
		return sf, fmt.Errorf("read the second factor of user %d: %w", userID, mapErr(err))
	}
	if at.Valid {
		sf.EnabledAt = fromUnix(at.Int64)
	}
	return sf, nil
}

// RenewRecoveryCodes spends code, the account's second factor, and keeps
// the hashes of fresh recovery codes in place of every older one.
func (s *Store) RenewRecoveryCodes(ctx context.Context, userID int64, code string, hashes []string) error {
	err := s.write(ctx, func(t *tx) error {
		if err := passSecondFactor(ctx, t, userID, code); err != nil {
			return err
		}
		return replaceRecoveryCodes(ctx, t, userID, hashes)
	})
	if err != nil {
		return fmt.Errorf("renew the recovery codes of user %d: %w", userID, mapErr(err))
	}
	return nil
}

// DisableSecondFactor spends code, the account's second factor, and turns
// it off. Staff keep theirs while they are staff: forum.ErrForbidden.
func (s *Store) DisableSecondFactor(ctx context.Context, userID int64, code string) error {
	err := s.write(ctx, func(t *tx) error {
		var role forum.Role
		if err := t.QueryRowContext(ctx, `SELECT role FROM users WHERE id = ?`, userID).Scan(&role); err != nil {
			return err
		}
		if role.IsStaff() {
			return forum.ErrForbidden
		}
		if err := passSecondFactor(ctx, t, userID, code); err != nil {
			return err
		}
		return clearSecondFactor(ctx, t, userID)
	})
	if err != nil {
		return fmt.Errorf("disable the second factor of user %d: %w", userID, mapErr(err))
	}
	return nil
}

func clearSecondFactor(ctx context.Context, t *tx, userID int64) error {
	if _, err := t.ExecContext(ctx, `UPDATE users SET totp_secret = '', totp_enabled_at = NULL, totp_last_step = NULL WHERE id = ?`, userID); err != nil {
		return err
	}
	_, err := t.ExecContext(ctx, `DELETE FROM recovery_codes WHERE user_id = ?`, userID)
	return err
}

// ResetSecondFactor clears the second factor of userID for someone who
// lost it: the key, its last step and the recovery codes go, every session
// of the account ends, and the moderation log records it (by role). actor
// must be an active admin; nil is the operator at the command line (`epeople
// admin reset-2fa`), logged as an admin. An account without a second
// factor is forum.ErrInvalidState.
func (s *Store) ResetSecondFactor(ctx context.Context, actor *forum.User, userID int64) error {
	if actor != nil && !actor.CanAdminister() {
		return forum.ErrForbidden
	}
	err := s.write(ctx, func(t *tx) error {
		var enabled bool
		if err := t.QueryRowContext(ctx, `SELECT totp_enabled_at IS NOT NULL FROM users WHERE id = ?`, userID).Scan(&enabled); err != nil {
			return err
		}
		if !enabled {
			return forum.ErrInvalidState
		}
		if err := clearSecondFactor(ctx, t, userID); err != nil {
			return err
		}
		if _, err := t.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = ?`, userID); err != nil {
			return err
		}
		return adminAudit(ctx, t, actor, forum.ActSecondFactorReset, userID, "", "enrolled", "none")
	})
	if err != nil {
		return fmt.Errorf("reset the second factor of user %d: %w", userID, mapErr(err))
	}
	return nil
}

// adminAudit logs an administrator's action on the account userID; a nil
// actor is the operator at the command line, who has no account row to
// name but acts as an admin.
func adminAudit(ctx context.Context, t *tx, actor *forum.User, action string, userID int64, reason, before, after string) error {
	if actor != nil {
		return audit(ctx, t, actor, action, forum.ItemUser, userID, reason, before, after)
	}
	_, err := t.ExecContext(ctx, `INSERT INTO moderation_actions (actor_id, actor_role, action, item_kind, item_id, reason_code, before_state, after_state, created_at)
		VALUES (NULL, ?, ?, ?, ?, ?, ?, ?, ?)`, forum.RoleAdmin, action, forum.ItemUser, userID, reason, before, after, t.now.Unix())
	return err
}

// RevokeRole makes the staff member userID a citizen again, for reason
// (one of forum.RevokeReasons), and logs it with the roles before and
// after. An official leaves their ministry. Their sessions stay, now a
// citizen's. Only an active admin may; a citizen is forum.ErrInvalidState;
// taking the role from the last active administrator is forum.ErrLastAdmin.
func (s *Store) RevokeRole(ctx context.Context, actor *forum.User, userID int64, reason string) error {
	if !actor.CanAdminister() {
		return forum.ErrForbidden
	}
	if !forum.ValidRevokeReason(reason) {
		return forum.Invalid("reason", "err.revoke_reason")
	}
	err := s.write(ctx, func(t *tx) error {
		var role forum.Role
		var slug sql.NullString
		err := t.QueryRowContext(ctx, `SELECT u.role, m.slug FROM users u LEFT JOIN ministries m ON m.id = u.ministry_id WHERE u.id = ?`, userID).
			Scan(&role, &slug)
		if err != nil {
			return err
		}
		if !role.IsStaff() {
			return forum.ErrInvalidState
		}
		if role == forum.RoleAdmin {
			var others int
			if err := t.QueryRowContext(ctx, `SELECT count(*) FROM users WHERE role = 'admin' AND status = 'active' AND deleted_at IS NULL AND id <> ?`,
				userID).Scan(&others); err != nil {
				return err
			}
			if others == 0 {
				return forum.ErrLastAdmin
			}
		}
		if _, err := t.ExecContext(ctx, `UPDATE users SET role = 'citizen', ministry_id = NULL WHERE id = ?`, userID); err != nil {
			return err
		}
		before := string(role)
		if slug.Valid {
			before += ":" + slug.String
		}
		return audit(ctx, t, actor, forum.ActRoleRevoked, forum.ItemUser, userID, reason, before, string(forum.RoleCitizen))
	})
	if err != nil {
		return fmt.Errorf("revoke the role of user %d: %w", userID, mapErr(err))
	}
	return nil
}
