package forum

import (
	"crypto/rand"
	"crypto/subtle"
	"errors"
	"strings"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
)

// The second factor: a TOTP key (RFC 6238: HMAC-SHA-1, six digits, a
// 30-second step) and one-time recovery codes.
const (
	TOTPIssuer        = "e-people" // the issuer an authenticator app shows beside the account
	TOTPPeriod        = 30         // seconds per time step
	TOTPSkew          = 1          // steps either side of now a code may come from (a clock off by 30 s)
	RecoveryCodeCount = 10         // recovery codes made at enrolment and at each renewal
)

var (
	// ErrSecondFactorRequired refuses staff powers to a staff account that
	// has no confirmed second factor: it must enrol at /account/2fa first.
	ErrSecondFactorRequired = errors.New("staff powers need a second factor")
	// ErrSecondFactorWrong refuses a code that is not the account's current
	// one, was already used, or is no unused recovery code of it.
	ErrSecondFactorWrong = errors.New("second-factor code not accepted")
	// ErrLastAdmin refuses to take the administrator role from the last
	// active administrator: someone must remain who can appoint others.
	ErrLastAdmin = errors.New("the last active administrator keeps the role")
)

// StaffReady returns ErrSecondFactorRequired when u holds a staff role
// (moderator, official, admin) without a confirmed second factor; nil
// otherwise. Every guard of a staff power asks it, so a password alone
// never moderates, answers for a ministry or administers. A staff
// account's full session has always passed the second factor: once
// enrolled, signing in asks for the code.
func StaffReady(u *User) error {
	if u != nil && u.Role.IsStaff() && !u.TwoFactor {
		return ErrSecondFactorRequired
	}
	return nil
}

// TOTPKey is a second-factor key as an authenticator app takes it.
type TOTPKey struct {
	Secret string // base32, unpadded: what a person types in by hand
	URL    string // the otpauth:// URL a QR code carries
}

// NewTOTPKey builds the key for account (its e-mail address) from raw, the
// key's 20 secret bytes.
func NewTOTPKey(account string, raw []byte) (TOTPKey, error) {
	k, err := totp.Generate(totp.GenerateOpts{Issuer: TOTPIssuer, AccountName: account, Secret: raw,
		Period: TOTPPeriod, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		return TOTPKey{}, err
	}
	return TOTPKey{Secret: k.Secret(), URL: k.URL()}, nil
}

var totpOpts = totp.ValidateOpts{Period: TOTPPeriod, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1}

// TOTPCode returns the code of secret for the time step holding at.
func TOTPCode(secret string, at time.Time) (string, error) {
	return totp.GenerateCodeCustom(secret, at, totpOpts)
}

// MatchTOTP finds the time step, within TOTPSkew steps of now and later
// than after (the last step accepted, so a code works once), whose code of
// secret is code. ok is false when there is none.
func MatchTOTP(secret, code string, now time.Time, after int64) (step int64, ok bool) {
	code = CleanCode(code)
	if len(code) != int(otp.DigitsSix) {
		return 0, false
	}
	cur := now.Unix() / TOTPPeriod
	for d := int64(-TOTPSkew); d <= TOTPSkew; d++ {
		s := cur + d
		if s <= after {
			continue
		}
		want, err := TOTPCode(secret, time.Unix(s*TOTPPeriod, 0))
		if err == nil && subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 {
			return s, true
		}
	}
	return 0, false
}

// IsTOTPCode reports whether a cleaned code has the shape of a TOTP code
// (six digits) rather than of a recovery code.
func IsTOTPCode(code string) bool {
	if len(code) != int(otp.DigitsSix) {
		return false
	}
	for _, r := range code {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// CleanCode drops the spaces and hyphens people type or paste into a code
// and lower-cases it: "123 456" is "123456", "AB3D-EF4H-JK5M" "ab3def4hjk5m".
func CleanCode(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if r != ' ' && r != '-' && r != '\t' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// recoveryAlphabet has no letters or digits a person could read for one
// another (0/o, 1/l/i).
const recoveryAlphabet = "23456789abcdefghjkmnpqrstuvwxyz"

// NewRecoveryCodes returns RecoveryCodeCount fresh recovery codes, each
// three groups of four characters (about 59 random bits): "k7dm-3qpa-x2hn".
func NewRecoveryCodes() []string {
	codes := make([]string, RecoveryCodeCount)
	b := make([]byte, 12)
	for i := range codes {
		if _, err := rand.Read(b); err != nil {
			panic("crypto/rand failed: " + err.Error())
		}
		var s strings.Builder
		for j, v := range b {
			if j > 0 && j%4 == 0 {
				s.WriteByte('-')
			}
			// 256 % 31 leaves a bias of under one in 200 per character: the
			// codes stay far beyond guessing within the sign-in limits.
			s.WriteByte(recoveryAlphabet[int(v)%len(recoveryAlphabet)])
		}
		codes[i] = s.String()
	}
	return codes
}

// RecoveryCodeHash is what the store keeps of a recovery code: the hash of
// its cleaned form, so "K7DM 3QPA X2HN" matches "k7dm-3qpa-x2hn".
func RecoveryCodeHash(code string) string { return TokenHash("recovery\x00" + CleanCode(code)) }

// Moderation-log actions of this file's flows (item kind user).
const (
	ActSecondFactorReset = "second_factor_reset" // an admin cleared an account's second factor
	ActRoleRevoked       = "role_revoked"        // an admin took a staff role back; the account is a citizen again
)

// RevokeReasons are the reasons an admin gives for taking a staff role
// back; the public log shows them, so they say why without naming anyone.
var RevokeReasons = []string{"left_post", "reassigned", "misconduct", "security"}

// ValidRevokeReason reports whether r is one of RevokeReasons.
func ValidRevokeReason(r string) bool {
	for _, v := range RevokeReasons {
		if r == v {
			return true
		}
	}
	return false
}
