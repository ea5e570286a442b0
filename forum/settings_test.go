package forum

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/e-people/e-people/moderation"
)

// TestDefaultSettings pins the defaults of a fresh forum.
func TestDefaultSettings(t *testing.T) {
	d := DefaultSettings()
	want := Settings{
		SponsorThreshold: 5,
		Thresholds:       Thresholds{Supports: 50000, Window: 30 * 24 * time.Hour, ResponseIn: 30 * 24 * time.Hour},
		AutoHide:         3,
		BannedTerms:      strings.Join(moderation.DefaultRules().BannedTerms, "\n"),
		Caps:             DailyCaps{Proposals: 3, Comments: 60, Supports: 200, Reports: 20, CommentsFirstDay: 10},
		Tiers:            ActionTiers{Propose: TierEmailVerified, Support: TierEmailVerified, Sponsor: TierEmailVerified, Comment: TierRegistered},
		SessionLifetime:  30 * 24 * time.Hour,
		InactiveAfter:    365 * 24 * time.Hour,
		InactiveNotice:   30 * 24 * time.Hour,
	}
	if d != want {
		t.Errorf("DefaultSettings() = %+v\nwant %+v", d, want)
	}
	if got := DefaultSettings().Load(d.Values()); got != d {
		t.Errorf("Load(Values()) = %+v, want the settings back", got)
	}
	for _, k := range SettingKeys() {
		if !IsSetting(k.Key) {
			t.Errorf("IsSetting(%q) = false", k.Key)
		}
	}
	if IsSetting("server_secret") {
		t.Error("IsSetting(server_secret) = true")
	}
}

func TestSettings_Load(t *testing.T) {
	got := DefaultSettings().Load(map[string]string{
		SettingSponsorThreshold: "0", SettingSupportThreshold: "2", SettingSupportWindow: "7", SettingResponseDays: "14",
		SettingAutoHide: "-1", SettingCapComments: "lots", SettingCapReports: "9", SettingBannedTerms: "",
		"server_secret": "ab12",
	})
	want := DefaultSettings()
	want.SponsorThreshold, want.Thresholds = 0, Thresholds{Supports: 2, Window: 7 * 24 * time.Hour, ResponseIn: 14 * 24 * time.Hour}
	want.Caps.Reports, want.BannedTerms = 9, "" // a negative or unparsable number keeps the default; empty terms stay empty
	if got != want {
		t.Errorf("Load = %+v\nwant %+v", got, want)
	}
}

func TestSettings_With(t *testing.T) {
	for _, tc := range []struct {
		name    string
		values  map[string]string
		field   string // the key of the *ValidationError, "" when valid
		message string
		check   func(Settings) bool
		stored  map[string]string
	}{
		{"caps and terms", map[string]string{SettingCapProposals: " 4 ", SettingBannedTerms: "금칙어", SettingAutoHide: "5"}, "", "",
			func(s Settings) bool { return s.Caps.Proposals == 4 && s.BannedTerms == "금칙어" && s.AutoHide == 5 },
			map[string]string{SettingCapProposals: "4", SettingBannedTerms: "금칙어", SettingAutoHide: "5"}},
		{"thresholds may be 0", map[string]string{SettingSponsorThreshold: "0", SettingSupportWindow: "0"}, "", "",
			func(s Settings) bool { return s.SponsorThreshold == 0 && s.Thresholds.Window == 0 }, nil},
		{"a cap high enough to lift it", map[string]string{SettingCapComments: "1000000000"}, "", "",
			func(s Settings) bool { return s.Caps.Comments == 1000000000 }, nil},
		{"cap 0", map[string]string{SettingCapComments: "0"}, SettingCapComments, "err.bad_number", nil, nil},
		{"cap empty", map[string]string{SettingCapReports: ""}, SettingCapReports, "err.bad_number", nil, nil},
		{"cap not a number", map[string]string{SettingCapSupports: "열"}, SettingCapSupports, "err.bad_number", nil, nil},
		{"auto-hide past 100000", map[string]string{SettingAutoHide: "100001"}, SettingAutoHide, "err.bad_number", nil, nil},
		{"negative threshold", map[string]string{SettingSupportThreshold: "-1"}, SettingSupportThreshold, "err.bad_number", nil, nil},
		{"window past a century", map[string]string{SettingResponseDays: "36501"}, SettingResponseDays, "err.bad_number", nil, nil},
		{"terms too long", map[string]string{SettingBannedTerms: strings.Repeat("가", BannedTermsMax/3+1)}, SettingBannedTerms, "err.terms_too_long", nil, nil},
		{"terms before numbers", map[string]string{SettingBannedTerms: strings.Repeat("a", BannedTermsMax+1), SettingCapComments: "0"},
			SettingBannedTerms, "err.terms_too_long", nil, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := DefaultSettings()
			got, stored, err := before.With(tc.values)
			if tc.field == "" {
				if err != nil {
					t.Fatal(err)
				}
				if !tc.check(got) {
					t.Errorf("With = %+v", got)
				}
				for k, v := range tc.stored {
					if stored[k] != v {
						t.Errorf("stored %s = %q, want %q", k, stored[k], v)
					}
				}
				return
			}
			var ve *ValidationError
			if !errors.As(err, &ve) || ve.Field != tc.field || ve.Key != tc.message {
				t.Fatalf("With = %v, want %s on %s", err, tc.message, tc.field)
			}
			if got != before || stored != nil {
				t.Errorf("a refused change applied something: %+v, %v", got, stored)
			}
		})
	}
	if _, _, err := DefaultSettings().With(map[string]string{"cap_everything": "1"}); !errors.Is(err, ErrUnknownSetting) {
		t.Errorf("unknown key: %v, want ErrUnknownSetting", err)
	}
}
