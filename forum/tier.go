package forum

import "fmt"

// Tier is how much the forum knows of the person behind an account. Each
// tier includes the ones before it.
type Tier string

// The tiers, from least to most known.
const (
	// TierRegistered is an account whose e-mail address nobody has checked.
	TierRegistered Tier = "registered"
	// TierEmailVerified is an account that followed the link mailed to its
	// address, or one an administrator vouched for (`epeople admin create`).
	TierEmailVerified Tier = "email_verified"
	// TierIdentityVerified is an account whose holder an administrator or an
	// identity provider (본인인증) confirmed.
	TierIdentityVerified Tier = "identity_verified"
)

// Tiers lists every tier, least known first.
func Tiers() []Tier { return []Tier{TierRegistered, TierEmailVerified, TierIdentityVerified} }

func (t Tier) rank() int {
	switch t {
	case TierEmailVerified:
		return 1
	case TierIdentityVerified:
		return 2
	}
	return 0
}

// Valid reports whether t is one of Tiers.
func (t Tier) Valid() bool {
	for _, v := range Tiers() {
		if t == v {
			return true
		}
	}
	return false
}

// AtLeast reports whether an account of tier t meets need.
func (t Tier) AtLeast(need Tier) bool { return t.rank() >= need.rank() }

// Counted reports whether the supports and co-sponsorships of an account of
// tier t count in a proposal's figures (and so towards its thresholds).
// The others are kept and shown apart, never mixed in.
func (t Tier) Counted() bool { return t.AtLeast(TierEmailVerified) }

// Actions whose tier administrators choose (ActionTiers).
const (
	ActionPropose = "propose"
	ActionSupport = "support"
	ActionSponsor = "sponsor"
	ActionComment = "comment"
)

// ActionTiers is the tier each action needs. Reading, following and
// reporting need only an account.
type ActionTiers struct {
	Propose Tier
	Support Tier
	Sponsor Tier
	Comment Tier
}

// DefaultActionTiers let an unverified account read, follow and comment,
// and keep proposing, supporting and co-sponsoring for checked addresses.
var DefaultActionTiers = ActionTiers{
	Propose: TierEmailVerified,
	Support: TierEmailVerified,
	Sponsor: TierEmailVerified,
	Comment: TierRegistered,
}

// ActionTier is one of ActionTiers as the administrators' form edits it.
type ActionTier struct {
	Key    string // its setting key (SettingTier…), which is also the form field's name
	Action string // one of the Action constants; its label is admin.tier.<Action>
	Tier   Tier
}

// List returns every action with its tier and setting key, in the order
// the administrators' form shows them.
func (a ActionTiers) List() []ActionTier {
	return []ActionTier{
		{SettingTierPropose, ActionPropose, a.Propose},
		{SettingTierSupport, ActionSupport, a.Support},
		{SettingTierSponsor, ActionSponsor, a.Sponsor},
		{SettingTierComment, ActionComment, a.Comment},
	}
}

// Of returns the tier action needs. Any other action is an error wrapping
// ErrUnknownSetting.
func (a ActionTiers) Of(action string) (Tier, error) {
	for _, t := range a.List() {
		if t.Action == action {
			return t.Tier, nil
		}
	}
	return "", fmt.Errorf("read the tier of %q: %w", action, ErrUnknownSetting)
}

// TierError refuses an action to an account below the tier it needs. The
// web layer says which tier, and offers the way to reach it (for
// email_verified, a fresh verification link).
type TierError struct {
	Action string // one of the Action constants
	Need   Tier
}

func (e *TierError) Error() string {
	return fmt.Sprintf("%s needs an account of tier %s", e.Action, e.Need)
}

// CheckTier returns a *TierError when u may not take action under tiers:
// its tier is below the one the action needs. Staff act as their role
// allows and are not held to citizens' tiers.
func CheckTier(u *User, tiers ActionTiers, action string) error {
	need, err := tiers.Of(action)
	if err != nil {
		return err
	}
	if u == nil || (!u.Role.IsStaff() && !u.Tier.AtLeast(need)) {
		return &TierError{Action: action, Need: need}
	}
	return nil
}
