package forum

import (
	"errors"
	"net/url"
)

// PrivacyNoticeVersion names the personal-data notice (PIPA) a citizen
// agrees to when registering; the consents table keeps it with the consent.
const PrivacyNoticeVersion = "2026-12"

// ConsentPrivacy is the kind of consent given to PrivacyNoticeVersion.
const ConsentPrivacy = "privacy"

// IdentityAdmin is the identity provider recorded when an administrator,
// not a provider, confirmed who holds an account.
const IdentityAdmin = "admin"

// Actions of the public moderation log on an account's identity.
const (
	ActIdentityVerified = "identity_verified" // an administrator confirmed who holds the account
	ActIdentityRevoked  = "identity_revoked"  // an administrator took that back
)

// Reasons an administrator gives for setting or revoking an account's
// identity_verified tier: the reason codes of the audited actions.
var (
	IdentityGrantReasons  = []string{"identity_in_person", "identity_documents"}
	IdentityRevokeReasons = []string{"identity_owner_request", "identity_mistake", "identity_doubt"}
)

// ErrIdentityTaken refuses an identity already confirmed for another
// account: one person, one identity-verified account.
var ErrIdentityTaken = errors.New("identity already verified for another account")

// Identity is what an identity provider confirmed about the person who
// completed its check.
type Identity struct {
	// Subject is the provider's stable identifier of the person (in Korea
	// the CI, 연계정보), the same on every check of the same person. The
	// forum stores only its keyed hash.
	Subject string
}

// IdentityProvider confirms who a person is (본인인증). The forum sends the
// person to Start's address; the provider sends them back to returnURL with
// state and its answer in the query, which Finish checks. State is the
// forum's: bound to the person's session, used once.
type IdentityProvider interface {
	// Name names the provider in the users table and the audit log.
	Name() string
	// Start returns the address that begins a check; the provider comes
	// back to returnURL with state.
	Start(state, returnURL string) (redirectURL string)
	// Finish reads the provider's answer for state from the query the
	// person came back with. An answer it cannot trust is an error.
	Finish(state string, query url.Values) (Identity, error)
}
