package moderation

import (
	"slices"
	"testing"
)

func TestReportReason(t *testing.T) {
	tests := []struct {
		r         ReportReason
		valid     bool
		needsText bool
		key       string
	}{
		{ReportSpam, true, false, "report.reason.spam"},
		{ReportAbuse, true, false, "report.reason.abuse"},
		{ReportPersonal, true, false, "report.reason.personal"},
		{ReportOfftopic, true, false, "report.reason.offtopic"},
		{ReportIllegal, true, false, "report.reason.illegal"},
		{ReportMisinfo, true, false, "report.reason.misinfo"},
		{ReportOther, true, true, "report.reason.other"},
		{"", false, false, "report.reason."},
		{"Spam", false, false, "report.reason.Spam"},
		{"personal_data", false, false, "report.reason.personal_data"},
	}
	for _, tt := range tests {
		if got := tt.r.Valid(); got != tt.valid {
			t.Errorf("ReportReason(%q).Valid() = %v, want %v", tt.r, got, tt.valid)
		}
		if got := tt.r.NeedsText(); got != tt.needsText {
			t.Errorf("ReportReason(%q).NeedsText() = %v, want %v", tt.r, got, tt.needsText)
		}
		if got := tt.r.Key(); got != tt.key {
			t.Errorf("ReportReason(%q).Key() = %q, want %q", tt.r, got, tt.key)
		}
	}
	want := []ReportReason{"spam", "abuse", "personal", "offtopic", "illegal", "misinfo", "other"}
	if got := AllReportReasons(); !slices.Equal(got, want) {
		t.Errorf("AllReportReasons() = %q, want %q", got, want)
	}
	for _, r := range AllReportReasons() {
		if !r.Valid() {
			t.Errorf("AllReportReasons() holds invalid %q", r)
		}
	}
	AllReportReasons()[0] = "changed"
	if AllReportReasons()[0] != ReportSpam {
		t.Error("AllReportReasons() shares its slice between calls")
	}
}

func TestHideReason(t *testing.T) {
	tests := []struct {
		h     HideReason
		valid bool
		key   string
	}{
		{HideDuplicate, true, "hide.reason.duplicate"},
		{HideOffensive, true, "hide.reason.offensive"},
		{HidePersonalData, true, "hide.reason.personal_data"},
		{HideSpam, true, "hide.reason.spam"},
		{HideOfftopic, true, "hide.reason.offtopic"},
		{HideIllegal, true, "hide.reason.illegal"},
		{HideDefamatory, true, "hide.reason.defamatory"},
		{"", false, "hide.reason."},
		{"personal", false, "hide.reason.personal"},
		{"reports", false, "hide.reason.reports"},
	}
	for _, tt := range tests {
		if got := tt.h.Valid(); got != tt.valid {
			t.Errorf("HideReason(%q).Valid() = %v, want %v", tt.h, got, tt.valid)
		}
		if got := tt.h.Key(); got != tt.key {
			t.Errorf("HideReason(%q).Key() = %q, want %q", tt.h, got, tt.key)
		}
	}
	want := []HideReason{"duplicate", "offensive", "personal_data", "spam", "offtopic", "illegal", "defamatory"}
	if got := AllHideReasons(); !slices.Equal(got, want) {
		t.Errorf("AllHideReasons() = %q, want %q", got, want)
	}
}

func TestAction(t *testing.T) {
	tests := []struct {
		a     Action
		valid bool
		key   string
	}{
		{Publish, true, "moderation.action.publish"},
		{Hold, true, "moderation.action.hold"},
		{Reject, true, "moderation.action.reject"},
		{"", false, "moderation.action."},
		{"hide", false, "moderation.action.hide"},
	}
	for _, tt := range tests {
		if got := tt.a.Valid(); got != tt.valid {
			t.Errorf("Action(%q).Valid() = %v, want %v", tt.a, got, tt.valid)
		}
		if got := tt.a.Key(); got != tt.key {
			t.Errorf("Action(%q).Key() = %q, want %q", tt.a, got, tt.key)
		}
	}
	if got, want := AllActions(), []Action{Publish, Hold, Reject}; !slices.Equal(got, want) {
		t.Errorf("AllActions() = %q, want %q", got, want)
	}
}
