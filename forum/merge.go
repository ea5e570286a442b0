package forum

import (
	"strings"
	"time"
	"unicode/utf8"
)

// Merging duplicates (issue 18). A moderator, or an official of the ministry
// holding both, merges proposal B (from) into proposal A (into): B's
// supports move to A (a person who supported both counts once), B's
// co-sponsors and followers follow A, B's comments stay on B, and B becomes
// a signpost to A that takes no supports. A merge can be undone for
// MergeUndoWindow, restoring exactly the rows there were.

// MergeUndoWindow is how long after a merge it can be undone.
const MergeUndoWindow = 7 * 24 * time.Hour

// MergeReasonMax is the longest public reason a merge (or its undo) takes, in characters.
const MergeReasonMax = 1000

// Notification kinds of merges.
const (
	NoteMerged      = "proposal_merged" // a proposal the person supported, co-sponsored, followed or wrote was merged
	NoteMergeUndone = "merge_undone"    // that merge was undone
)

// Moderation log actions of merges (moderation_actions.action), on the
// proposal that was merged (B).
const (
	ActMerged      = "merged"
	ActMergeUndone = "merge_undone"
)

// ProposalMergedEvent is the payload of EventProposalMerged: it travels on
// both proposals' topics when one was merged into the other, or the merge
// was undone, and their pages draw themselves again.
type ProposalMergedEvent struct {
	FromID   int64 `json:"from_id"`
	IntoID   int64 `json:"into_id"`
	MergeID  int64 `json:"merge_id"`
	Supports int   `json:"supports"` // into_id's verified supports now
	Undone   bool  `json:"undone"`
}

// EventType implements EventData.
func (ProposalMergedEvent) EventType() string { return EventProposalMerged }

// Merge is one merge of proposal FromID into IntoID.
type Merge struct {
	ID         int64
	FromID     int64
	IntoID     int64
	FromTitle  string
	IntoTitle  string
	ActorID    int64
	ActorRole  Role
	MinistryID int64 // the ministry an official merged for; 0 for a moderator or admin
	Reason     string
	Moved      int // supports moved from FromID
	Added      int // of them, new to IntoID (the others supported both)
	CreatedAt  time.Time
	UndoneAt   time.Time // zero while it stands
	UndoneBy   int64
	UndoReason string
}

// Undone reports whether the merge was undone.
func (m *Merge) Undone() bool { return !m.UndoneAt.IsZero() }

// UndoDeadline is when the merge stops being undoable.
func (m *Merge) UndoDeadline() time.Time { return m.CreatedAt.Add(MergeUndoWindow) }

// UndoableAt reports whether the merge may still be undone at now: it
// stands and is younger than MergeUndoWindow.
func (m *Merge) UndoableAt(now time.Time) bool {
	return !m.Undone() && now.Before(m.UndoDeadline())
}

// MergeStaff reports whether u may merge, or undo a merge of, proposals
// held by ministry: an active moderator or administrator, or an official of
// that ministry, past the second factor (StaffReady).
func MergeStaff(u *User, ministry int64) bool {
	if !u.Active() || StaffReady(u) != nil {
		return false
	}
	switch u.Role {
	case RoleModerator, RoleAdmin:
		return true
	case RoleOfficial:
		return ministry != 0 && u.MinistryID == ministry
	}
	return false
}

// CanMerge says whether u may merge proposal from (B) into proposal into
// (A) now, and if not, why (a *Refusal carrying the message's key).
//
// Who: MergeStaff for the ministry holding BOTH proposals (an official
// whose ministry holds only one of them may not; a moderator may always).
//
// What, by status:
//
//	from (B), merged away:  open, awaiting_response or closed — public, and not
//	                        yet answered (an answered or referred proposal keeps
//	                        its answer; a draft, a gathering or withdrawn one
//	                        has no public supports to move).
//	into (A), kept:         open, awaiting_response, answered or referred —
//	                        public and past gathering (a closed proposal takes
//	                        no more supports; a draft, gathering or withdrawn
//	                        one is not in play).
//
// Both must be visible to moderation, neither merged already, and they must
// differ.
func CanMerge(u *User, into, from *Proposal) error {
	if into == nil || from == nil {
		return Refuse(ErrNotFound, "err.merge_not_found")
	}
	if !MergeStaff(u, into.MinistryID) || !MergeStaff(u, from.MinistryID) {
		return Refuse(ErrForbidden, "err.merge_forbidden")
	}
	switch {
	case into.ID == from.ID:
		return Refuse(ErrInvalidState, "err.merge_same")
	case from.Merged():
		return Refuse(ErrInvalidState, "err.proposal_merged", from.MergedInto)
	case into.Merged():
		return Refuse(ErrInvalidState, "err.merge_into_merged", into.ID, into.MergedInto)
	case !from.ModState.Visible() || !MergeableFrom(from.Status):
		return Refuse(ErrInvalidState, "err.merge_from_state", from.ID)
	case !into.ModState.Visible() || !MergeableInto(into.Status):
		return Refuse(ErrInvalidState, "err.merge_into_state", into.ID)
	}
	return nil
}

// MergeableFrom reports whether a proposal in status s may be merged into another (CanMerge).
func MergeableFrom(s ProposalStatus) bool {
	return s == StatusOpen || s == StatusAwaiting || s == StatusClosed
}

// MergeableInto reports whether a proposal in status s may take another's supports (CanMerge).
func MergeableInto(s ProposalStatus) bool {
	return s == StatusOpen || s == StatusAwaiting || s == StatusAnswered || s == StatusReferred
}

// CheckMergeReason trims a merge's (or an undo's) public reason and checks
// it: required, at most MergeReasonMax characters.
func CheckMergeReason(reason string) (string, error) {
	reason = strings.TrimSpace(reason)
	switch {
	case reason == "":
		return "", Invalid("reason", "err.merge_reason_required")
	case utf8.RuneCountInString(reason) > MergeReasonMax:
		return "", Invalid("reason", "err.merge_reason_long", MergeReasonMax)
	}
	return reason, nil
}
