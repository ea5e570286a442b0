// Package forum holds the participation domain of e-people: who takes part,
// what they post, the lifecycle rules that govern proposals and the errors
// every other layer speaks. It knows nothing of SQL or HTTP.
package forum

import (
	"errors"
	"time"
)

// Role is what a user may do on the forum.
type Role string

// The roles, from least to most privileged.
const (
	RoleCitizen   Role = "citizen"
	RoleModerator Role = "moderator"
	RoleOfficial  Role = "official"
	RoleAdmin     Role = "admin"
)

// Valid reports whether r is one of the defined roles.
func (r Role) Valid() bool {
	switch r {
	case RoleCitizen, RoleModerator, RoleOfficial, RoleAdmin:
		return true
	}
	return false
}

// IsStaff reports whether r speaks for the forum or a ministry, and so wears a badge.
func (r Role) IsStaff() bool { return r != RoleCitizen && r.Valid() }

// UserStatus says whether an account may act.
type UserStatus string

// Account states.
const (
	UserActive    UserStatus = "active"
	UserSuspended UserStatus = "suspended"
	UserBanned    UserStatus = "banned"
)

// User is a person with an account.
type User struct {
	ID         int64
	Role       Role
	MinistryID int64 // officials only; 0 otherwise
	Name       string
	Email      string
	Status     UserStatus
	// SuspendedUntil ends a suspension; zero for a ban or none.
	SuspendedUntil time.Time
	// Held marks a new account under review: its posts wait for a moderator.
	Held      bool
	CreatedAt time.Time
	// EmailFrequency is how often the user gets mail about notifications: none, immediate or daily.
	EmailFrequency string
	// Tier is how much the forum knows of the person behind the account.
	Tier Tier
	// Lang is the language the person chose for pages and mail ("ko", "en"
	// or "zh"); "" when they never chose, and mail is then written in Korean
	// and English.
	Lang string
	// TwoFactor reports whether a second factor (TOTP) is enrolled and confirmed.
	TwoFactor bool
	// Deleted reports whether the account was deleted or anonymised; its
	// row keeps no personal data, and its public contributions show as a
	// withdrawn member's.
	Deleted bool
}

// Active reports whether u is a signed-in account that is neither suspended
// nor banned. A nil u (a guest) is not active.
func (u *User) Active() bool { return u != nil && u.Status == UserActive }

// CanAdminister reports whether u may change the forum's set-up: settings,
// ministries, roles and the mail outbox. Only an active administrator whose
// second factor is confirmed (StaffReady) may;
// a nil u (a guest) may not. Pages offer the admin controls by the same rule.
func (u *User) CanAdminister() bool {
	return u.Active() && u.Role == RoleAdmin && StaffReady(u) == nil
}

// CanPost reports whether u may write at now: active, or suspended until a time that has passed.
func (u *User) CanPost(now time.Time) bool {
	switch u.Status {
	case UserActive:
		return true
	case UserSuspended:
		return !u.SuspendedUntil.IsZero() && !now.Before(u.SuspendedUntil)
	}
	return false
}

// Ministry is a central government body that receives and answers proposals.
type Ministry struct {
	ID     int64
	Slug   string
	NameKO string
	NameEN string
	NameZH string
	// Description says what the ministry is responsible for, as plain text.
	Description string
}

// Name returns the ministry's name in lang ("ko", "en" or "zh"), falling back to Korean.
func (m Ministry) Name(lang string) string { return pickName(lang, m.NameKO, m.NameEN, m.NameZH) }

// Category is a policy area a proposal belongs to.
type Category struct {
	ID         int64
	Slug       string
	NameKO     string
	NameEN     string
	NameZH     string
	MinistryID int64 // the ministry usually responsible; a suggestion only
}

// Name returns the category's name in lang, falling back to Korean.
func (c Category) Name(lang string) string { return pickName(lang, c.NameKO, c.NameEN, c.NameZH) }

func pickName(lang, ko, en, zh string) string {
	switch {
	case lang == "en" && en != "":
		return en
	case lang == "zh" && zh != "":
		return zh
	}
	return ko
}

// Domain errors. The web layer maps them to status codes; they never carry user text.
var (
	ErrNotFound     = errors.New("not found")
	ErrForbidden    = errors.New("forbidden")
	ErrConflict     = errors.New("conflict")
	ErrInvalidState = errors.New("not allowed in the current state")
	ErrEmailTaken   = errors.New("e-mail already registered")
	ErrBadLogin     = errors.New("wrong e-mail or password")
	ErrSuspended    = errors.New("account suspended")
	ErrUnavailable  = errors.New("temporarily unavailable") // busy or out of space: try again later
	ErrRateLimited  = errors.New("too many requests")
)

// ValidationError reports bad input: Field names the form field and Key the
// message catalog key that explains the problem to the user.
type ValidationError struct {
	Field string
	Key   string
	Args  []any
}

func (e *ValidationError) Error() string { return "invalid " + e.Field + ": " + e.Key }

// Invalid returns a ValidationError for field with the catalog key and its arguments.
func Invalid(field, key string, args ...any) *ValidationError {
	return &ValidationError{Field: field, Key: key, Args: args}
}

// ValidationErrors is a set of field problems found together, reported at once.
type ValidationErrors []*ValidationError

func (v ValidationErrors) Error() string {
	if len(v) == 0 {
		return "invalid input"
	}
	return v[0].Error()
}

// AsValidation returns the problems err carries, a ValidationErrors or a
// single *ValidationError alike; ok is false when err is not a validation
// error.
func AsValidation(err error) (ves ValidationErrors, ok bool) {
	var ve *ValidationError
	switch {
	case errors.As(err, &ves):
		return ves, true
	case errors.As(err, &ve):
		return ValidationErrors{ve}, true
	}
	return nil, false
}

// Unwrap returns v's problems, so that errors.As finds its first
// *ValidationError where a single one is expected.
func (v ValidationErrors) Unwrap() []error {
	out := make([]error, len(v))
	for i, e := range v {
		out[i] = e
	}
	return out
}

// Err returns v as an error, or nil when it holds no problems.
func (v ValidationErrors) Err() error {
	if len(v) == 0 {
		return nil
	}
	return v
}
