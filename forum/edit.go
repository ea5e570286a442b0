package forum

import (
	"time"

	"github.com/e-people/e-people/forum/textdiff"
)

// Notification kinds of edits told to supporters (issue 18). Their subject
// is "proposal:ID".
const (
	// NoteProposalEdited tells a supporter that the proposal they support
	// was edited; its data carries proposal_id, from (the revision they
	// were told of last) and revision (the new one). A supporter with an
	// unread one about the same proposal is not told again: that note's
	// diff runs to the newest revision.
	NoteProposalEdited = "proposal_edited"
	// NoteEditApproved tells the author a moderator published their edit.
	NoteEditApproved = "edit_approved"
	// NoteEditRejected tells the author a moderator turned their edit
	// down, with the moderator's reason.
	NoteEditRejected = "edit_rejected"
)

// Moderation log actions of edits waiting for a moderator.
const (
	ActionEditApprove = "edit_approve" // a substantial edit was published
	ActionEditReject  = "edit_reject"  // a substantial edit was turned down
)

// RevisionState says whether a revision is shown.
type RevisionState string

// Revision states (proposal_revisions.state).
const (
	RevisionPublished RevisionState = "published" // the proposal showed, or shows, this text
	RevisionPending   RevisionState = "pending"   // a substantial edit waiting for a moderator
	RevisionRejected  RevisionState = "rejected"  // turned down by a moderator, or replaced by a newer edit while pending
)

// ReasonEditReplaced is the decision reason of a pending edit that the
// author's newer edit replaced before a moderator decided it.
const ReasonEditReplaced = "replaced"

// EditChangedPercent is how much of a proposal an edit from (fromTitle,
// fromBody) to (toTitle, toBody) changed, 0 to 100, title and body taken
// as one text (textdiff.ChangedPercent: the larger of the characters
// deleted and inserted over the longer text, rounded up).
func EditChangedPercent(fromTitle, fromBody, toTitle, toBody string) int {
	return textdiff.ChangedPercent(fromTitle+"\n\n"+fromBody, toTitle+"\n\n"+toBody)
}

// PastThreshold reports whether p reached its support threshold: the
// ministry owes, or gave, an answer to the text its supporters backed.
func (p *Proposal) PastThreshold() bool {
	return !p.ReachedAt.IsZero() || p.Status == StatusAwaiting || p.Status.Answered()
}

// NeedsReview reports whether an edit of p that changed changedPct percent
// of its text waits for a moderator before it is shown: after the
// threshold was reached, a change of more than st.EditReviewPercent.
func NeedsReview(p *Proposal, changedPct int, st Settings) bool {
	return p.PastThreshold() && changedPct > st.EditReviewPercent
}

// PendingEdit is a substantial edit waiting for a moderator, with the text
// it would replace.
type PendingEdit struct {
	Proposal   *Proposal // as it is shown now
	Number     int       // the pending revision's number
	Title      string
	BodySrc    string
	ChangedPct int
	CreatedAt  time.Time
}
