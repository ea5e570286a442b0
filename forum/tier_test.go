package forum

import (
	"errors"
	"testing"
)

func TestTier_Order(t *testing.T) {
	tiers := Tiers()
	for i, a := range tiers {
		if !a.Valid() {
			t.Errorf("%q is not valid", a)
		}
		for j, b := range tiers {
			if got, want := a.AtLeast(b), i >= j; got != want {
				t.Errorf("%s.AtLeast(%s) = %v, want %v", a, b, got, want)
			}
		}
	}
	for _, bad := range []Tier{"", "verified", "EMAIL_VERIFIED"} {
		if bad.Valid() {
			t.Errorf("%q is valid", bad)
		}
	}
	if TierRegistered.Counted() || !TierEmailVerified.Counted() || !TierIdentityVerified.Counted() {
		t.Error("only e-mail- and identity-verified accounts count")
	}
}

// TestCheckTier is the role × tier × action matrix of the default settings,
// and of a deployment that asks identity verification for supports.
func TestCheckTier(t *testing.T) {
	strict := DefaultActionTiers
	strict.Support = TierIdentityVerified
	actions := []string{ActionPropose, ActionSupport, ActionSponsor, ActionComment}
	for _, tc := range []struct {
		role  Role
		tier  Tier
		tiers ActionTiers
		allow []bool // in the order of actions
	}{
		{RoleCitizen, TierRegistered, DefaultActionTiers, []bool{false, false, false, true}},
		{RoleCitizen, TierEmailVerified, DefaultActionTiers, []bool{true, true, true, true}},
		{RoleCitizen, TierIdentityVerified, DefaultActionTiers, []bool{true, true, true, true}},
		{RoleCitizen, TierEmailVerified, strict, []bool{true, false, true, true}},
		{RoleCitizen, TierIdentityVerified, strict, []bool{true, true, true, true}},
		// Staff act as their role allows; their tier is not a citizen's gate.
		{RoleModerator, TierRegistered, strict, []bool{true, true, true, true}},
		{RoleOfficial, TierRegistered, strict, []bool{true, true, true, true}},
		{RoleAdmin, TierRegistered, strict, []bool{true, true, true, true}},
	} {
		u := &User{Role: tc.role, Tier: tc.tier}
		for i, a := range actions {
			err := CheckTier(u, tc.tiers, a)
			var te *TierError
			switch {
			case tc.allow[i] && err != nil:
				t.Errorf("%s %s %s: %v, want allowed", tc.role, tc.tier, a, err)
			case !tc.allow[i] && (!errors.As(err, &te) || te.Action != a):
				t.Errorf("%s %s %s: %v, want a *TierError for %s", tc.role, tc.tier, a, err, a)
			case !tc.allow[i]:
				if need, _ := tc.tiers.Of(a); te.Need != need {
					t.Errorf("%s %s %s: needs %s, want %s", tc.role, tc.tier, a, te.Need, need)
				}
			}
		}
	}
	var te *TierError
	if err := CheckTier(nil, DefaultActionTiers, ActionComment); !errors.As(err, &te) {
		t.Errorf("a guest: %v, want a *TierError", err)
	}
	if err := CheckTier(&User{Role: RoleCitizen, Tier: TierIdentityVerified}, DefaultActionTiers, "vote"); !errors.Is(err, ErrUnknownSetting) {
		t.Errorf("an unknown action: %v, want ErrUnknownSetting", err)
	}
}

func TestSettings_TierChoices(t *testing.T) {
	s, stored, err := DefaultSettings().With(map[string]string{SettingTierSupport: "identity_verified"})
	if err != nil || s.Tiers.Support != TierIdentityVerified || stored[SettingTierSupport] != "identity_verified" {
		t.Fatalf("With(tier_support=identity_verified) = %+v, %v, %v", s.Tiers, stored, err)
	}
	for _, bad := range []string{"", "verified", "admin", " email_verified"} {
		var ve *ValidationError
		if _, _, err := DefaultSettings().With(map[string]string{SettingTierComment: bad}); !errors.As(err, &ve) || ve.Field != SettingTierComment {
			t.Errorf("With(tier_comment=%q) = %v, want a ValidationError on the field", bad, err)
		}
	}
	if got := DefaultSettings().Load(map[string]string{SettingTierPropose: "nonsense"}); got.Tiers.Propose != TierEmailVerified {
		t.Errorf("a stored tier that does not parse: %q, want the default kept", got.Tiers.Propose)
	}
}
