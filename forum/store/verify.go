package store

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/e-people/e-people/forum"
)

// MailVerifyEmail is the kind of the outbox mail that carries a
// verification link; its data holds the raw token ("token") until the mail
// is sent, and when the link expires ("expires", unix seconds).
const MailVerifyEmail = TokenVerifyEmail

// Verification links: how long one lasts, and how often an account may ask
// for another (one a minute, VerifyResendPerDay in any 24 hours, the one
// mailed at registration included).
const (
	VerifyTokenTTL     = 24 * time.Hour
	VerifyResendGap    = time.Minute
	VerifyResendPerDay = 5
)

// NewCitizen is a citizen's registration as Register stores it.
type NewCitizen struct {
	User         forum.User // name, e-mail, held, language; the role and tier are set here
	PasswordHash string
	Consent      string // the version of the privacy notice agreed to (forum.PrivacyNoticeVersion)
	VerifyToken  string // the raw token of the verification link; the database keeps its hash
}

// Register creates a citizen's account at the registered tier, records
// the privacy consent, and queues the verification mail, all in one
// transaction: no account without its consent, no link without its
// account. An e-mail already registered gives forum.ErrEmailTaken.
func (s *Store) Register(ctx context.Context, n NewCitizen) (*forum.User, error) {
	if n.Consent == "" {
		return nil, fmt.Errorf("register: %w", forum.Invalid("consent", "err.consent_required"))
	}
	u := n.User
	u.Role, u.Tier, u.MinistryID = forum.RoleCitizen, forum.TierRegistered, 0
	var out *forum.User
	err := s.write(ctx, func(t *tx) error {
		var err error
		if out, err = createUser(ctx, t, u, n.PasswordHash); err != nil {
			return err
		}
		if _, err := t.ExecContext(ctx, `INSERT INTO consents (user_id, kind, version, given_at) VALUES (?, ?, ?, ?)`,
			out.ID, forum.ConsentPrivacy, n.Consent, t.now.Unix()); err != nil {
			return err
		}
		return queueVerification(ctx, t, out.ID, out.Email, n.VerifyToken)
	})
	if err != nil {
		return nil, fmt.Errorf("register: %w", err)
	}
	return out, nil
}

// queueVerification stores the hash of token as userID's verification
// link to email and queues the mail that carries it.
func queueVerification(ctx context.Context, t *tx, userID int64, email, token string) error {
	if err := createToken(ctx, t, forum.TokenHash(token), userID, TokenVerifyEmail, email, VerifyTokenTTL); err != nil {
		return err
	}
	return queueAccountMail(ctx, t, userID, email, MailVerifyEmail, map[string]any{"token": token, "expires": t.now.Add(VerifyTokenTTL).Unix()})
}

// VerifyEmail uses the verification token and makes its account
// email_verified (an identity-verified one keeps its tier), moving its
// supports and co-sponsorships into the counted figures in the same
// transaction. A token that is unknown, used, expired, or was sent to an
// address the account no longer has is forum.ErrNotFound.
func (s *Store) VerifyEmail(ctx context.Context, token string) (*forum.User, error) {
	var u *forum.User
	err := s.write(ctx, func(t *tx) error {
		tok, err := useToken(ctx, t, forum.TokenHash(token), TokenVerifyEmail)
		if err != nil {
			return err
		}
		if u, err = scanUser(t.QueryRowContext(ctx, `SELECT `+userCols+` FROM users WHERE id = ?`, tok.UserID)); err != nil {
			return err
		}
		if u.Deleted || u.Email != tok.Email {
			return forum.ErrNotFound
		}
		if !u.Tier.AtLeast(forum.TierEmailVerified) {
			if _, err := s.retier(ctx, t, u.ID, forum.TierEmailVerified); err != nil {
				return err
			}
			u.Tier = forum.TierEmailVerified
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("verify e-mail: %w", mapErr(err))
	}
	return u, nil
}

// ResendVerification mails userID a fresh verification link carrying
// token. Earlier links stay valid until they expire: a mail that arrives
// late still works, and since any one of them only proves the same
// address, several alive grant nothing more. Past VerifyResendGap or
// VerifyResendPerDay it is forum.ErrRateLimited; an account already
// verified is forum.ErrInvalidState.
func (s *Store) ResendVerification(ctx context.Context, userID int64, token string) error {
	err := s.write(ctx, func(t *tx) error {
		u, err := scanUser(t.QueryRowContext(ctx, `SELECT `+userCols+` FROM users WHERE id = ?`, userID))
		if err != nil {
			return err
		}
		if u.Deleted || u.Tier.AtLeast(forum.TierEmailVerified) {
			return forum.ErrInvalidState
		}
		for _, limit := range []struct {
			since time.Duration
			max   int
		}{{VerifyResendGap, 1}, {24 * time.Hour, VerifyResendPerDay}} {
			n, err := tokensSince(ctx, t, userID, "", TokenVerifyEmail, t.now.Add(-limit.since))
			if err != nil {
				return err
			}
			if n >= limit.max {
				return forum.ErrRateLimited
			}
		}
		return queueVerification(ctx, t, userID, u.Email, token)
	})
	if err != nil {
		return fmt.Errorf("resend verification to user %d: %w", userID, mapErr(err))
	}
	return nil
}

// SetIdentity records that provider confirmed the person behind userID,
// whose subject's keyed hash is subjectHash, and makes the account
// identity_verified. A subject already confirmed for another account is
// forum.ErrIdentityTaken: one person, one identity-verified account.
func (s *Store) SetIdentity(ctx context.Context, userID int64, provider, subjectHash string) error {
	err := s.write(ctx, func(t *tx) error {
		err := execOne(ctx, t, `UPDATE users SET identity_provider = ?, identity_hash = ? WHERE id = ? AND deleted_at IS NULL`,
			provider, subjectHash, userID)
		if isUnique(err) {
			return forum.ErrIdentityTaken
		}
		if err != nil {
			return err
		}
		_, err = s.retier(ctx, t, userID, forum.TierIdentityVerified)
		return err
	})
	if err != nil {
		return fmt.Errorf("set identity of user %d: %w", userID, mapErr(err))
	}
	return nil
}

// AdminSetIdentity lets an administrator mark userID identity_verified
// (verified) or take that back to email_verified, for one of
// forum.IdentityGrantReasons or forum.IdentityRevokeReasons, and writes it
// to the public moderation log (identity_verified or identity_revoked).
// Revoking forgets the provider's subject, so the person may verify
// another account. An account already in the asked state is
// forum.ErrInvalidState.
func (s *Store) AdminSetIdentity(ctx context.Context, actor *forum.User, userID int64, verified bool, reason string) error {
	if !actor.CanAdminister() {
		return fmt.Errorf("set identity of user %d: %w", userID, forum.ErrForbidden)
	}
	reasons, action, tier := forum.IdentityRevokeReasons, forum.ActIdentityRevoked, forum.TierEmailVerified
	if verified {
		reasons, action, tier = forum.IdentityGrantReasons, forum.ActIdentityVerified, forum.TierIdentityVerified
	}
	if !slices.Contains(reasons, reason) {
		return fmt.Errorf("set identity of user %d: %w", userID, forum.Invalid("reason", "err.reason_required"))
	}
	err := s.write(ctx, func(t *tx) error {
		var was forum.Tier
		var deleted bool
		if err := t.QueryRowContext(ctx, `SELECT tier, deleted_at IS NOT NULL FROM users WHERE id = ?`, userID).Scan(&was, &deleted); err != nil {
			return err
		}
		if deleted || (was == forum.TierIdentityVerified) == verified {
			return forum.ErrInvalidState
		}
		provider := any(forum.IdentityAdmin)
		if !verified {
			provider = ""
		}
		if _, err := t.ExecContext(ctx, `UPDATE users SET identity_provider = ?, identity_hash = NULL WHERE id = ?`, provider, userID); err != nil {
			return err
		}
		if _, err := s.retier(ctx, t, userID, tier); err != nil {
			return err
		}
		return audit(ctx, t, actor, action, forum.ItemUser, userID, reason, string(was), string(tier))
	})
	if err != nil {
		return fmt.Errorf("set identity of user %d: %w", userID, mapErr(err))
	}
	return nil
}
