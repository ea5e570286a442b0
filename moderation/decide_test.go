package moderation

import (
	"errors"
	"testing"
)

func TestDecide(t *testing.T) {
	pending := func(post PostState, reason string) Review {
		return Review{State: ReviewPending, Post: post, Reason: reason, Allowed: true}
	}
	account := Review{State: ReviewPending, Account: true, Allowed: true}
	for _, tc := range []struct {
		name    string
		r       Review
		d       Decision
		reason  HideReason
		want    Outcome
		wantErr error
	}{
		// Posts.
		{"approve a visible post", pending(PostVisible, ""), DecisionApprove, "",
			Outcome{Review: ReviewApproved, Action: "approve", Before: PostVisible, After: PostVisible}, nil},
		{"approve a held post shows it", pending(PostHeld, ""), DecisionApprove, "",
			Outcome{Review: ReviewApproved, Action: "approve", Before: PostHeld, After: PostVisible, Change: true}, nil},
		{"approve a post reports hid shows it", pending(PostHidden, ReasonReports), DecisionApprove, "",
			Outcome{Review: ReviewApproved, Action: "approve", Before: PostHidden, After: PostVisible, Change: true}, nil},
		{"approve a post a moderator hid shows it", pending(PostHidden, "spam"), DecisionApprove, "",
			Outcome{Review: ReviewApproved, Action: "approve", Before: PostHidden, After: PostVisible, Change: true}, nil},
		{"approve ignores a reason given", pending(PostVisible, ""), DecisionApprove, HideSpam,
			Outcome{Review: ReviewApproved, Action: "approve", Before: PostVisible, After: PostVisible}, nil},
		{"reject a visible post hides it", pending(PostVisible, ""), DecisionReject, HideOfftopic,
			Outcome{Review: ReviewRejected, Action: "reject", Reason: "offtopic", Before: PostVisible, After: PostHidden, Change: true}, nil},
		{"reject a held post hides it", pending(PostHeld, ""), DecisionReject, HideSpam,
			Outcome{Review: ReviewRejected, Action: "reject", Reason: "spam", Before: PostHeld, After: PostHidden, Change: true}, nil},
		{"reject a post reports hid replaces the reason", pending(PostHidden, ReasonReports), DecisionReject, HideIllegal,
			Outcome{Review: ReviewRejected, Action: "reject", Reason: "illegal", Before: PostHidden, After: PostHidden, Change: true}, nil},
		{"reject without a reason", pending(PostVisible, ""), DecisionReject, "", Outcome{}, ErrReasonRequired},
		{"reject with the reports code", pending(PostVisible, ""), DecisionReject, ReasonReports, Outcome{}, ErrReasonRequired},
		{"reject with an unknown reason", pending(PostVisible, ""), DecisionReject, "nope", Outcome{}, ErrReasonRequired},
		{"ignore on a visible post", pending(PostVisible, ""), DecisionIgnore, "",
			Outcome{Review: ReviewIgnored, Action: "ignore", Before: PostVisible, After: PostVisible}, nil},
		{"ignore shows what reports hid", pending(PostHidden, ReasonReports), DecisionIgnore, "",
			Outcome{Review: ReviewIgnored, Action: "ignore", Before: PostHidden, After: PostVisible, Change: true}, nil},
		{"ignore keeps what a moderator hid", pending(PostHidden, "spam"), DecisionIgnore, "",
			Outcome{Review: ReviewIgnored, Action: "ignore", Before: PostHidden, After: PostHidden}, nil},
		{"ignore shows a held post", pending(PostHeld, ""), DecisionIgnore, "",
			Outcome{Review: ReviewIgnored, Action: "ignore", Before: PostHeld, After: PostVisible, Change: true}, nil},
		// Accounts.
		{"approve an account ends its hold", account, DecisionApprove, "",
			Outcome{Review: ReviewApproved, Action: "approve", Release: true}, nil},
		{"reject an account only closes the entry", account, DecisionReject, HideSpam,
			Outcome{Review: ReviewRejected, Action: "reject", Reason: "spam"}, nil},
		{"reject an account needs a reason", account, DecisionReject, "", Outcome{}, ErrReasonRequired},
		{"ignore an account", account, DecisionIgnore, "", Outcome{Review: ReviewIgnored, Action: "ignore"}, nil},
		// Refusals, in the order they are checked.
		{"decided already", Review{State: ReviewApproved, Post: PostVisible, Allowed: true}, DecisionReject, HideSpam, Outcome{}, ErrResolved},
		{"decided already, not allowed", Review{State: ReviewIgnored}, DecisionApprove, "", Outcome{}, ErrResolved},
		{"unknown decision", pending(PostVisible, ""), "maybe", "", Outcome{}, ErrInvalidDecision},
		{"not allowed", Review{State: ReviewPending, Post: PostVisible}, DecisionApprove, "", Outcome{}, ErrNotAllowed},
		{"not allowed before the reason", Review{State: ReviewPending, Post: PostVisible}, DecisionReject, "", Outcome{}, ErrNotAllowed},
		{"not allowed on an account", Review{State: ReviewPending, Account: true}, DecisionApprove, "", Outcome{}, ErrNotAllowed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Decide(tc.r, tc.d, tc.reason)
			if !errors.Is(err, tc.wantErr) || (tc.wantErr == nil) != (err == nil) {
				t.Fatalf("error = %v, want %v", err, tc.wantErr)
			}
			if got != tc.want {
				t.Errorf("Decide = %+v\nwant     %+v", got, tc.want)
			}
		})
	}
}

// TestHiddenByModerator lists which posts a moderator hid: only a hidden one
// whose reason is not ReasonReports.
func TestHiddenByModerator(t *testing.T) {
	for _, tc := range []struct {
		post   PostState
		reason string
		want   bool
	}{
		{PostHidden, "spam", true},
		{PostHidden, ReasonReports, false},
		{PostHidden, "", true},
		{PostVisible, "", false},
		{PostHeld, "", false},
		{PostVisible, "spam", false},
	} {
		if got := HiddenByModerator(tc.post, tc.reason); got != tc.want {
			t.Errorf("HiddenByModerator(%s, %q) = %v, want %v", tc.post, tc.reason, got, tc.want)
		}
	}
}
