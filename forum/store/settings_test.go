package store

import (
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/e-people/e-people/forum"
)

// TestStore_Settings: the copy starts at the defaults, a change is stored and
// seen at once, a refused change writes nothing, and a reopened store loads
// what was stored.
func TestStore_Settings(t *testing.T) {
	path := filepath.Join(t.TempDir(), "forum.db")
	s, err := Open(ctx, path, readSchema(t), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got := s.Settings(); got != forum.DefaultSettings() {
		t.Fatalf("fresh settings = %+v, want the defaults", got)
	}
	if err := s.SetSettings(ctx, map[string]string{forum.SettingSupportThreshold: "7", forum.SettingCapComments: " 12 ",
		forum.SettingBannedTerms: "금칙어"}); err != nil {
		t.Fatal(err)
	}
	want := forum.DefaultSettings()
	want.Thresholds.Supports, want.Caps.Comments, want.BannedTerms = 7, 12, "금칙어"
	if got := s.Settings(); got != want {
		t.Fatalf("after SetSettings = %+v\nwant %+v", got, want)
	}
	if v, err := s.Setting(ctx, forum.SettingCapComments, ""); err != nil || v != "12" {
		t.Errorf("stored cap_comments = %q, %v; want 12", v, err)
	}
	// SetSetting goes the same way for a forum setting.
	if err := s.SetSetting(ctx, forum.SettingSponsorThreshold, "0"); err != nil {
		t.Fatal(err)
	}
	want.SponsorThreshold = 0
	if got := s.Settings(); got != want {
		t.Fatalf("after SetSetting = %+v\nwant %+v", got, want)
	}
	// A refused change writes nothing, not even its valid values.
	rows := count(t, s, `SELECT count(*) FROM settings`)
	for _, bad := range []map[string]string{
		{forum.SettingCapReports: "3", forum.SettingAutoHide: "0"},
		{forum.SettingCapReports: "3", "cap_everything": "1"},
		{forum.SettingSponsorThreshold: "-1"},
	} {
		if err := s.SetSettings(ctx, bad); err == nil {
			t.Errorf("SetSettings(%v) succeeded", bad)
		}
		if err := s.SetSetting(ctx, forum.SettingCapReports, "없음"); err == nil {
			t.Error("SetSetting of a bad cap succeeded")
		}
	}
	var ves forum.ValidationErrors
	if err := s.SetSettings(ctx, map[string]string{forum.SettingAutoHide: "0"}); !errors.As(err, &ves) || ves[0].Key != "settings.err.range" {
		t.Errorf("auto-hide 0: %v, want settings.err.range", err)
	}
	if got := s.Settings(); got != want {
		t.Errorf("refused changes moved the copy: %+v", got)
	}
	if n := count(t, s, `SELECT count(*) FROM settings`); n != rows {
		t.Errorf("settings rows %d, want %d: a refused change wrote", n, rows)
	}
	if v, _ := s.Setting(ctx, forum.SettingCapReports, "unset"); v != "unset" {
		t.Errorf("cap_reports = %q, written by a refused change", v)
	}
	// Other keys of the settings table are not forum settings.
	if err := s.SetSetting(ctx, "demo_seeded_at", "2026-03-01T09:00:00Z"); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if got := openTestAt(t, path, nil).Settings(); got != want {
		t.Errorf("reopened settings = %+v\nwant %+v", got, want)
	}
}

// TestStore_ChangeSettings: an administrator's change is logged in the same
// write, by role, with only the keys that changed and the banned terms by
// digest; a change that changes nothing logs nothing; a refused one writes
// neither settings nor log; only an administrator may change.
func TestStore_ChangeSettings(t *testing.T) {
	s := openTest(t, nil)
	staff := func(role forum.Role, email string) *forum.User {
		u, err := s.CreateUser(ctx, forum.User{Role: role, Name: string(role), Email: email, Tier: forum.TierEmailVerified}, "hash")
		if err != nil {
			t.Fatal(err)
		}
		return enrol(t, s, u)
	}
	admin, moderator := staff(forum.RoleAdmin, "admin@example.kr"), staff(forum.RoleModerator, "mod@example.kr")
	terms := strings.Repeat("도박사이트\n", 500)
	changed, err := s.ChangeSettings(ctx, admin, s.Settings().Version(), map[string]string{forum.SettingSupportThreshold: "100", forum.SettingAutoHide: "3",
		forum.SettingTierSupport: "identity_verified", forum.SettingBannedTerms: terms})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{forum.SettingBannedTerms, forum.SettingSupportThreshold, forum.SettingTierSupport}; !slices.Equal(changed, want) {
		t.Errorf("changed %v, want %v", changed, want)
	}
	log, err := s.ModerationLog(ctx, 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(log) != 1 {
		t.Fatalf("log has %d rows, want 1", len(log))
	}
	a := log[0]
	old := forum.DefaultSettings().BannedTerms
	wantBefore := "banned_terms=" + forum.TermsDigest(old) + " support_threshold=50000 tier_support=email_verified"
	wantAfter := "banned_terms=" + forum.TermsDigest(terms) + " support_threshold=100 tier_support=identity_verified"
	if a.Action != forum.ActSettingsChanged || a.Kind != forum.ItemSettings || a.ItemID != 0 || a.ActorRole != "admin" ||
		a.Before != wantBefore || a.After != wantAfter {
		t.Errorf("log row %+v\nwant before %q after %q", a, wantBefore, wantAfter)
	}
	if strings.Contains(a.After, "도박") {
		t.Error("the log holds the banned terms' text")
	}
	version := s.Settings().Version()
	if changed, err := s.ChangeSettings(ctx, admin, version, map[string]string{forum.SettingSupportThreshold: " 100 "}); err != nil || changed != nil {
		t.Errorf("unchanged save: %v, %v; want no keys", changed, err)
	}
	if _, err := s.ChangeSettings(ctx, admin, version, map[string]string{forum.SettingSupportThreshold: "7", forum.SettingSessionDays: "0"}); err == nil {
		t.Error("a bad session lifetime was saved")
	}
	if _, err := s.ChangeSettings(ctx, moderator, version, map[string]string{forum.SettingSupportThreshold: "7"}); !errors.Is(err, forum.ErrForbidden) {
		t.Errorf("moderator's change: %v, want ErrForbidden", err)
	}
	// A save based on settings changed since is refused, not applied over the change.
	if err := s.SetSettings(ctx, map[string]string{forum.SettingCapReports: "9"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ChangeSettings(ctx, admin, version, map[string]string{forum.SettingSupportThreshold: "7", forum.SettingCapReports: "20"}); !errors.Is(err, forum.ErrConflict) {
		t.Errorf("save based on an old version: %v, want ErrConflict", err)
	}
	if got := s.Settings().Thresholds.Supports; got != 100 {
		t.Errorf("support threshold %d after refused changes, want 100", got)
	}
	if n := count(t, s, `SELECT count(*) FROM moderation_actions`); n != 1 {
		t.Errorf("log has %d rows after refused and empty changes, want 1", n)
	}
}
