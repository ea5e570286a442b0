package moderation

import (
	"errors"
	"slices"
	"testing"
	"time"
)

func TestReviewState_Next(t *testing.T) {
	tests := []struct {
		from    ReviewState
		d       Decision
		want    ReviewState
		wantErr error
	}{
		{ReviewPending, DecisionApprove, ReviewApproved, nil},
		{ReviewPending, DecisionReject, ReviewRejected, nil},
		{ReviewPending, DecisionIgnore, ReviewIgnored, nil},
		{ReviewApproved, DecisionApprove, ReviewApproved, ErrResolved},
		{ReviewApproved, DecisionReject, ReviewApproved, ErrResolved},
		{ReviewRejected, DecisionApprove, ReviewRejected, ErrResolved},
		{ReviewRejected, DecisionIgnore, ReviewRejected, ErrResolved},
		{ReviewIgnored, DecisionReject, ReviewIgnored, ErrResolved},
		{"", DecisionApprove, "", ErrResolved},
		{"open", DecisionApprove, "open", ErrResolved},
		{ReviewPending, "", ReviewPending, ErrInvalidDecision},
		{ReviewPending, "approved", ReviewPending, ErrInvalidDecision},
		{ReviewApproved, "delete", ReviewApproved, ErrInvalidDecision},
	}
	for _, tt := range tests {
		got, err := tt.from.Next(tt.d)
		if got != tt.want || !errors.Is(err, tt.wantErr) || (tt.wantErr == nil) != (err == nil) {
			t.Errorf("ReviewState(%q).Next(%q) = %q, %v; want %q, %v", tt.from, tt.d, got, err, tt.want, tt.wantErr)
		}
	}
}

func TestReviewState_Vocabulary(t *testing.T) {
	if got, want := AllReviewStates(), []ReviewState{"pending", "approved", "rejected", "ignored"}; !slices.Equal(got, want) {
		t.Errorf("AllReviewStates() = %q, want %q", got, want)
	}
	for _, s := range AllReviewStates() {
		if !s.Valid() {
			t.Errorf("ReviewState(%q).Valid() = false", s)
		}
	}
	if ReviewState("open").Valid() || ReviewState("").Valid() {
		t.Error("unknown review states are valid")
	}
	if got := ReviewIgnored.Key(); got != "review.state.ignored" {
		t.Errorf("ReviewIgnored.Key() = %q", got)
	}
	if got, want := AllDecisions(), []Decision{"approve", "reject", "ignore"}; !slices.Equal(got, want) {
		t.Errorf("AllDecisions() = %q, want %q", got, want)
	}
	for _, d := range AllDecisions() {
		if !d.Valid() {
			t.Errorf("Decision(%q).Valid() = false", d)
		}
	}
	if Decision("approved").Valid() {
		t.Error(`Decision("approved").Valid() = true`)
	}
	if got := DecisionReject.Key(); got != "review.decision.reject" {
		t.Errorf("DecisionReject.Key() = %q", got)
	}
}

func TestCanAppeal(t *testing.T) {
	seoul := time.FixedZone("KST", 9*60*60)
	hidden := time.Date(2025, 3, 1, 12, 0, 0, 0, seoul)
	tests := []struct {
		name     string
		hiddenAt time.Time
		now      time.Time
		appealed bool
		want     bool
	}{
		{"just hidden", hidden, hidden, false, true},
		{"a week later", hidden, hidden.Add(7 * 24 * time.Hour), false, true},
		{"last moment", hidden, hidden.Add(AppealWindow), false, true},
		{"a second too late", hidden, hidden.Add(AppealWindow + time.Second), false, false},
		{"a month later", hidden, hidden.AddDate(0, 1, 0), false, false},
		{"already appealed", hidden, hidden.Add(time.Hour), true, false},
		{"clock a little behind", hidden, hidden.Add(-time.Second), false, true},
		{"not hidden", time.Time{}, hidden, false, false},
		{"same instant in UTC", hidden, hidden.UTC().Add(AppealWindow), false, true},
	}
	for _, tt := range tests {
		if got := CanAppeal(tt.hiddenAt, tt.now, tt.appealed); got != tt.want {
			t.Errorf("%s: CanAppeal(%v, %v, %v) = %v, want %v", tt.name, tt.hiddenAt, tt.now, tt.appealed, got, tt.want)
		}
	}
	if AppealWindow != 15*24*time.Hour {
		t.Errorf("AppealWindow = %v, want 15 days", AppealWindow)
	}
	if got, want := AppealDeadline(hidden), time.Date(2025, 3, 16, 12, 0, 0, 0, seoul); !got.Equal(want) {
		t.Errorf("AppealDeadline(%v) = %v, want %v", hidden, got, want)
	}
}
