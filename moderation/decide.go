package moderation

import "errors"

// PostState is whether moderation lets a post (a proposal or a comment) be
// shown. forum.ModState takes its values from these.
type PostState string

// Post states: shown, waiting for a moderator before it is shown, taken down.
const (
	PostVisible PostState = "visible"
	PostHeld    PostState = "held"
	PostHidden  PostState = "hidden"
)

// ReasonReports is the public reason code recorded when enough distinct
// reports hid a post pending review (forum.ReasonAutoHidden).
const ReasonReports = "reports"

// ErrNotAllowed is returned when the moderator may not act on the author of
// the item or on the account under review.
var ErrNotAllowed = errors.New("not allowed to moderate this item")

// ErrReasonRequired is returned for a rejection without one of AllHideReasons.
var ErrReasonRequired = errors.New("a rejection needs a hide reason")

// Review is what a decision on an entry of the review queue acts on, as the
// store found it.
type Review struct {
	State   ReviewState // the entry's state
	Account bool        // the entry reviews an account, not a post
	Post    PostState   // the post's moderation state; unused for an account
	Reason  string      // the post's public reason code: ReasonReports when reports hid it
	Allowed bool        // the moderator may act on the author or account (forum.CanModerate)
}

// Outcome is what a decision does. The store applies all of it in one
// transaction: it resolves the entry, settles the item's reports, and writes
// one row of the moderation log.
type Outcome struct {
	Review ReviewState // the entry's new state
	Action string      // the moderation log's action: the decision's name
	Reason string      // the public reason code logged, and recorded with a post: the hide reason of a rejection, else ""
	Before PostState   // the post's state before, for the log; empty for an account
	After  PostState   // the post's state after; empty for an account
	// Change says the post's state or reason changes: the store records
	// After and Reason with the post and tells its author.
	Change bool
	// Release says the account's new-account hold ends: its posts are no
	// longer held for review.
	Release bool
}

// Decide is a moderator's decision d on review r, with reason the public
// reason of a rejection. Approve shows the post; reject hides it with the
// reason; ignore dismisses the reports, and shows the post again only if
// reports hid it, never if a moderator did. Accounts are reviewed, not
// hidden: approve ends the new-account hold, reject and ignore only close
// the entry (suspensions are separate actions).
//
// The errors, in the order they are checked: ErrInvalidDecision for an
// unknown decision, ErrResolved for an entry already decided, ErrNotAllowed,
// and ErrReasonRequired for a rejection without a valid reason.
func Decide(r Review, d Decision, reason HideReason) (Outcome, error) {
	next, err := r.State.Next(d)
	if err != nil {
		return Outcome{}, err
	}
	if !r.Allowed {
		return Outcome{}, ErrNotAllowed
	}
	out := Outcome{Review: next, Action: string(d), After: PostVisible}
	switch d {
	case DecisionReject:
		if !reason.Valid() {
			return Outcome{}, ErrReasonRequired
		}
		out.After, out.Reason = PostHidden, string(reason)
	case DecisionIgnore:
		if HiddenByModerator(r.Post, r.Reason) {
			out.After = PostHidden // dismissing reports shows only what reports hid
		}
	}
	if r.Account {
		out.After, out.Release = "", d == DecisionApprove
		return out, nil
	}
	out.Before = r.Post
	// A rejection of a post that reports hid still changes it: the
	// moderator's reason replaces "reports", and the author is told.
	out.Change = out.After != r.Post || d == DecisionReject
	return out, nil
}

// HiddenByModerator reports whether a post in state post, recorded with the
// public reason code reason, was taken down by a moderator rather than by
// reports. Such a post stays hidden when its reports are dismissed (Decide),
// and no moderator may hide it again: a moderator hides only over what
// reports hid, replacing ReasonReports with a reason of their own.
func HiddenByModerator(post PostState, reason string) bool {
	return post == PostHidden && reason != ReasonReports
}
