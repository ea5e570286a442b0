package store

import (
	"errors"
	"path/filepath"
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
	var ve *forum.ValidationError
	if err := s.SetSettings(ctx, map[string]string{forum.SettingAutoHide: "0"}); !errors.As(err, &ve) || ve.Key != "err.bad_number" {
		t.Errorf("auto-hide 0: %v, want err.bad_number", err)
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
