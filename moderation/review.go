package moderation

import (
	"errors"
	"fmt"
	"time"
)

// ErrResolved is returned when a decision is made on a review that has
// already been decided.
var ErrResolved = errors.New("review already resolved")

// ErrInvalidDecision is returned for a decision that is not one of
// AllDecisions.
var ErrInvalidDecision = errors.New("invalid review decision")

// ReviewState is where an entry of the moderators' review queue stands.
type ReviewState string

// Review states. Only a pending review can be decided.
const (
	ReviewPending  ReviewState = "pending"  // waiting for a moderator
	ReviewApproved ReviewState = "approved" // the item stays or becomes visible
	ReviewRejected ReviewState = "rejected" // the item is taken down
	ReviewIgnored  ReviewState = "ignored"  // the reports were dismissed
)

// AllReviewStates returns every review state in display order.
func AllReviewStates() []ReviewState {
	return []ReviewState{ReviewPending, ReviewApproved, ReviewRejected, ReviewIgnored}
}

// Valid reports whether s is one of AllReviewStates.
func (s ReviewState) Valid() bool {
	switch s {
	case ReviewPending, ReviewApproved, ReviewRejected, ReviewIgnored:
		return true
	}
	return false
}

// Key returns the message-catalog key naming s, such as "review.state.pending".
func (s ReviewState) Key() string { return "review.state." + string(s) }

// Decision is what a moderator decides on a pending review.
type Decision string

// Decisions, in the order the review queue offers them.
const (
	DecisionApprove Decision = "approve" // publish or keep the item
	DecisionReject  Decision = "reject"  // take the item down
	DecisionIgnore  Decision = "ignore"  // dismiss the reports, leave the item as it is
)

// AllDecisions returns every decision in display order.
func AllDecisions() []Decision { return []Decision{DecisionApprove, DecisionReject, DecisionIgnore} }

// Valid reports whether d is one of AllDecisions.
func (d Decision) Valid() bool {
	return d == DecisionApprove || d == DecisionReject || d == DecisionIgnore
}

// Key returns the message-catalog key naming d, such as "review.decision.approve".
func (d Decision) Key() string { return "review.decision." + string(d) }

// Next returns the state a review in state s moves to on decision d. Only
// a pending review moves: to approved, rejected or ignored. An invalid
// decision is an error wrapping ErrInvalidDecision; a decision on any
// other state is an error wrapping ErrResolved.
func (s ReviewState) Next(d Decision) (ReviewState, error) {
	if !d.Valid() {
		return s, fmt.Errorf("decide review: %q: %w", d, ErrInvalidDecision)
	}
	if s != ReviewPending {
		return s, fmt.Errorf("decide review %q: %w", s, ErrResolved)
	}
	switch d {
	case DecisionApprove:
		return ReviewApproved, nil
	case DecisionReject:
		return ReviewRejected, nil
	default:
		return ReviewIgnored, nil
	}
}

// AppealWindow is how long after content is hidden its author may appeal.
const AppealWindow = 15 * 24 * time.Hour

// AppealDeadline returns the last moment an appeal against hiding at
// hiddenAt may be made.
func AppealDeadline(hiddenAt time.Time) time.Time { return hiddenAt.Add(AppealWindow) }

// CanAppeal reports whether the author of content hidden at hiddenAt may
// appeal at now: the content was hidden (hiddenAt is not zero), the author
// has not appealed it already, and now is no later than AppealDeadline.
func CanAppeal(hiddenAt, now time.Time, alreadyAppealed bool) bool {
	return !alreadyAppealed && !hiddenAt.IsZero() && !now.After(AppealDeadline(hiddenAt))
}
