package forum

import (
	"errors"
	"slices"
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
		// The Civil Petitions Act's periods (decree, annexed table) and
		// its objection rules (art. 35).
		RequestDays:     RequestPeriods{Inquiry: 7, LawInquiry: 14, Suggestion: 14, Grievance: 7, Other: 7},
		ObjectionWindow: 90 * 24 * time.Hour,
		ObjectionDays:   10,
		// Issue 18: an edit changing more than 30% of a proposal past its
		// threshold waits for a moderator; 50 supporters' objections send an
		// answer back.
		EditReviewPercent: 30,
		AnswerObjections:  50,
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
		"server_secret": "ab12", SettingRequestDaysPrefix + string(RequestGrievance): "10",
		SettingRequestDaysPrefix + string(RequestInquiry): "0",
	})
	want := DefaultSettings()
	want.RequestDays.Grievance = 10 // and a period of 0 working days keeps the default
	want.SponsorThreshold, want.Thresholds = 0, Thresholds{Supports: 2, Window: 7 * 24 * time.Hour, ResponseIn: 14 * 24 * time.Hour}
	want.Caps.Reports, want.BannedTerms = 9, "" // a negative or unparsable number keeps the default; empty terms stay empty
	if got != want {
		t.Errorf("Load = %+v\nwant %+v", got, want)
	}
}

func TestSettings_With(t *testing.T) {
	type problem struct{ field, message string }
	for _, tc := range []struct {
		name   string
		values map[string]string
		want   []problem // every problem, in the order of SettingKeys; none when valid
		check  func(Settings) bool
		stored map[string]string
	}{
		{"caps and terms", map[string]string{SettingCapProposals: " 4 ", SettingBannedTerms: "금칙어", SettingAutoHide: "5"}, nil,
			func(s Settings) bool { return s.Caps.Proposals == 4 && s.BannedTerms == "금칙어" && s.AutoHide == 5 },
			map[string]string{SettingCapProposals: "4", SettingBannedTerms: "금칙어", SettingAutoHide: "5"}},
		{"thresholds may be 0", map[string]string{SettingSponsorThreshold: "0", SettingSupportThreshold: "0"}, nil,
			func(s Settings) bool { return s.SponsorThreshold == 0 && s.Thresholds.Supports == 0 }, nil},
		{"a cap high enough to lift it", map[string]string{SettingCapComments: "1000000000"}, nil,
			func(s Settings) bool { return s.Caps.Comments == 1000000000 }, nil},
		{"tiers and periods", map[string]string{SettingTierSupport: "identity_verified", SettingSessionDays: "7", SettingInactiveDays: "90", SettingInactiveNoticeDays: "89"}, nil,
			func(s Settings) bool {
				return s.Tiers.Support == TierIdentityVerified && s.SessionLifetime == 7*24*time.Hour &&
					s.InactiveAfter == 90*24*time.Hour && s.InactiveNotice == 89*24*time.Hour
			}, map[string]string{SettingTierSupport: "identity_verified", SettingSessionDays: "7"}},
		{"cap 0", map[string]string{SettingCapComments: "0"}, []problem{{SettingCapComments, "settings.err.range"}}, nil, nil},
		{"cap empty", map[string]string{SettingCapReports: ""}, []problem{{SettingCapReports, "settings.err.range"}}, nil, nil},
		{"cap not a number", map[string]string{SettingCapSupports: "열"}, []problem{{SettingCapSupports, "settings.err.range"}}, nil, nil},
		{"auto-hide past 100000", map[string]string{SettingAutoHide: "100001"}, []problem{{SettingAutoHide, "settings.err.range"}}, nil, nil},
		{"negative threshold", map[string]string{SettingSupportThreshold: "-1"}, []problem{{SettingSupportThreshold, "settings.err.range"}}, nil, nil},
		{"window of no days", map[string]string{SettingSupportWindow: "0"}, []problem{{SettingSupportWindow, "settings.err.range"}}, nil, nil},
		{"response past a century", map[string]string{SettingResponseDays: "36501"}, []problem{{SettingResponseDays, "settings.err.range"}}, nil, nil},
		{"session past a year", map[string]string{SettingSessionDays: "366"}, []problem{{SettingSessionDays, "settings.err.range"}}, nil, nil},
		// A period of 5 days or fewer is counted in hours (Civil Petitions Act art. 19(1)).
		{"a request period of 5 working days", map[string]string{SettingRequestDaysPrefix + string(RequestInquiry): "5"},
			[]problem{{SettingRequestDaysPrefix + string(RequestInquiry), "settings.err.range"}}, nil, nil},
		{"request periods of 6 and 30 working days", map[string]string{SettingRequestDaysPrefix + string(RequestInquiry): "6",
			SettingRequestDaysPrefix + string(RequestSuggestion): "30"}, nil,
			func(s Settings) bool {
				return s.RequestDays.Of(RequestInquiry) == 6 && s.RequestDays.Of(RequestSuggestion) == 30
			}, nil},
		{"unknown tier", map[string]string{SettingTierPropose: "ministry"}, []problem{{SettingTierPropose, "err.bad_tier"}}, nil, nil},
		{"terms too long", map[string]string{SettingBannedTerms: strings.Repeat("가", BannedTermsMax/3+1)}, []problem{{SettingBannedTerms, "err.terms_too_long"}}, nil, nil},
		{"every problem at once", map[string]string{SettingBannedTerms: strings.Repeat("a", BannedTermsMax+1), SettingCapComments: "0",
			SettingTierComment: "", SettingInactiveDays: "29", SettingSponsorThreshold: "3"},
			[]problem{{SettingBannedTerms, "err.terms_too_long"}, {SettingCapComments, "settings.err.range"},
				{SettingTierComment, "err.bad_tier"}, {SettingInactiveDays, "settings.err.range"}}, nil, nil},
		{"a pair's problem with the others", map[string]string{SettingSupportThreshold: "-1", SettingInactiveDays: "60", SettingInactiveNoticeDays: "90"},
			[]problem{{SettingSupportThreshold, "settings.err.range"}, {SettingInactiveNoticeDays, "settings.err.notice_before_inactive"}}, nil, nil},
		{"no pair check on a refused value", map[string]string{SettingCapComments: "0", SettingCapCommentsFirstDay: "50"},
			[]problem{{SettingCapComments, "settings.err.range"}}, nil, nil},
		{"first-day cap over the daily one", map[string]string{SettingCapComments: "20", SettingCapCommentsFirstDay: "21"},
			[]problem{{SettingCapCommentsFirstDay, "settings.err.first_day_cap"}}, nil, nil},
		{"daily cap lowered under the first day's", map[string]string{SettingCapComments: "9"},
			[]problem{{SettingCapComments, "settings.err.first_day_cap"}}, nil, nil},
		{"notice as long as the period", map[string]string{SettingInactiveDays: "60", SettingInactiveNoticeDays: "60"},
			[]problem{{SettingInactiveNoticeDays, "settings.err.notice_before_inactive"}}, nil, nil},
		{"period shortened under the notice", map[string]string{SettingInactiveDays: "30"},
			[]problem{{SettingInactiveDays, "settings.err.notice_before_inactive"}}, nil, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := DefaultSettings()
			got, stored, err := before.With(tc.values)
			if tc.want == nil {
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
			var ves ValidationErrors
			if !errors.As(err, &ves) {
				t.Fatalf("With = %v, want ValidationErrors", err)
			}
			var problems []problem
			for _, ve := range ves {
				problems = append(problems, problem{ve.Field, ve.Key})
			}
			if !slices.Equal(problems, tc.want) {
				t.Errorf("problems %v, want %v", problems, tc.want)
			}
			if got != before || stored != nil {
				t.Errorf("a refused change applied something: %+v, %v", got, stored)
			}
		})
	}
	if _, _, err := DefaultSettings().With(map[string]string{"cap_everything": "1"}); !errors.Is(err, ErrUnknownSetting) {
		t.Errorf("unknown key: %v, want ErrUnknownSetting", err)
	}
	// A range problem carries the bounds the message names.
	_, _, err := DefaultSettings().With(map[string]string{SettingSessionDays: "0"})
	if ves, ok := err.(ValidationErrors); !ok || len(ves) != 1 || !slices.Equal(ves[0].Args, []any{1, 365}) {
		t.Errorf("session 0: %v, want the bounds 1 and 365 as arguments", err)
	}
}

// TestSettings_Changed: only the keys whose values differ, in SettingKeys' order.
func TestSettings_Changed(t *testing.T) {
	d := DefaultSettings()
	next, _, err := d.With(map[string]string{SettingTierSupport: "identity_verified", SettingAutoHide: "3", SettingSponsorThreshold: "9"})
	if err != nil {
		t.Fatal(err)
	}
	if got := d.Changed(next); !slices.Equal(got, []string{SettingSponsorThreshold, SettingTierSupport}) {
		t.Errorf("Changed = %v", got)
	}
	if d.Version() == next.Version() || d.Version() != DefaultSettings().Version() || len(d.Version()) != 16 {
		t.Errorf("Version: %q before, %q after a change", d.Version(), next.Version())
	}
	if got := next.Value(SettingTierSupport); got != "identity_verified" {
		t.Errorf("Value(tier_support) = %q", got)
	}
	if a, b := TermsDigest("금칙어"), TermsDigest("금칙어\n도박"); a != "9B#"+a[3:] || a == b || len(a) != len("9B#")+12 {
		t.Errorf("TermsDigest = %q, %q", a, b)
	}
}
