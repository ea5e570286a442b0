package forum

import (
	"errors"
	"testing"
	"time"
)

// TestAnswerFeedbackRules holds who may rate and object to an answer, and when.
func TestAnswerFeedbackRules(t *testing.T) {
	answered := time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC)
	last := answered.Add(AnswerObjectionWindow)
	for _, tc := range []struct {
		status        ProposalStatus
		round         int
		answered, now time.Time
		rate, object  bool
	}{
		{StatusAnswered, 1, answered, answered, true, true},
		{StatusAnswered, 1, answered, last, true, true},
		{StatusAnswered, 1, answered, last.Add(time.Second), false, false},
		{StatusReferred, 1, answered, answered, true, true},
		{StatusAnswered, 2, answered, answered, true, false}, // the second answer takes no objections
		{StatusAwaiting, 2, answered, answered, false, false},
		{StatusAwaiting, 1, time.Time{}, answered, false, false},
		{StatusAnswered, 1, time.Time{}, answered, false, false},
	} {
		p := &Proposal{Status: tc.status, AnswerRound: tc.round}
		if got := AnswerFeedbackOpen(p, tc.answered, tc.now); got != tc.rate {
			t.Errorf("%s round %d at %v: rate = %v, want %v", tc.status, tc.round, tc.now, got, tc.rate)
		}
		if got := AnswerObjectionsOpen(p, tc.answered, tc.now); got != tc.object {
			t.Errorf("%s round %d at %v: object = %v, want %v", tc.status, tc.round, tc.now, got, tc.object)
		}
	}
	for _, s := range ProposalStatuses() {
		if want := s == StatusAnswered || s == StatusReferred; s.Returnable() != want {
			t.Errorf("%s.Returnable() = %v, want %v", s, !want, want)
		}
	}
	if to, err := StatusAnswered.Next(TransReturn); err != nil || to != StatusAwaiting {
		t.Errorf("answered --return--> %s, %v", to, err)
	}
	if ObjectionsReturn(49, 50) || !ObjectionsReturn(50, 50) || ObjectionsReturn(0, 0) {
		t.Error("ObjectionsReturn: the setting's number, and only it, sends the answer back")
	}

	citizen := &User{ID: 1, Role: RoleCitizen, Status: UserActive, Tier: TierEmailVerified}
	unverified := &User{ID: 4, Role: RoleCitizen, Status: UserActive, Tier: TierRegistered}
	official := &User{ID: 2, Role: RoleOfficial, MinistryID: 7, Status: UserActive, Tier: TierEmailVerified}
	other := &User{ID: 3, Role: RoleOfficial, MinistryID: 8, Status: UserActive, Tier: TierEmailVerified}
	for _, tc := range []struct {
		who       string
		u         *User
		supporter bool
		key       string // "" allowed
		err       error
	}{
		{"supporter", citizen, true, "", nil},
		{"citizen who did not support", citizen, false, "rating.err.not_supporter", ErrForbidden},
		{"answering official who supports", official, true, "rating.err.official", ErrForbidden},
		{"another ministry's official who supports", other, true, "", nil},
		{"guest", nil, false, "", ErrForbidden},
		{"supporter whose support does not count (e-mail not verified)", unverified, true, "rating.err.unverified", ErrForbidden},
	} {
		err := MayGiveAnswerFeedback(tc.u, tc.supporter, 7, 9)
		var r *Refusal
		switch {
		case tc.err == nil && err != nil:
			t.Errorf("%s: %v, want allowed", tc.who, err)
		case tc.err != nil && !errors.Is(err, tc.err):
			t.Errorf("%s: %v, want %v", tc.who, err, tc.err)
		case tc.key != "" && (!errors.As(err, &r) || r.Key != tc.key):
			t.Errorf("%s: %v, want the refusal %s", tc.who, err, tc.key)
		}
	}
	if err := ValidateAnswerObjection(" \n"); err == nil {
		t.Error("an empty reason passed")
	}
}
