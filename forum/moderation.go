package forum

import (
	"encoding/json"
	"time"

	"github.com/e-people/e-people/moderation"
)

// ItemKind is what a report, review or moderation action is about.
type ItemKind string

// Moderated kinds of item.
const (
	ItemProposal ItemKind = "proposal"
	ItemComment  ItemKind = "comment"
	ItemUser     ItemKind = "user"
)

// Valid reports whether k is a moderated kind.
func (k ItemKind) Valid() bool { return k == ItemProposal || k == ItemComment || k == ItemUser }

// ModState is whether moderation lets an item be shown.
type ModState string

// Moderation states: shown, waiting for a moderator before it is shown,
// taken down. Their names are moderation's (moderation.PostState).
const (
	ModVisible ModState = ModState(moderation.PostVisible)
	ModHeld    ModState = ModState(moderation.PostHeld)
	ModHidden  ModState = ModState(moderation.PostHidden)
)

// Visible reports whether moderation lets the item be shown; the zero value is visible.
func (m ModState) Visible() bool { return m == ModVisible || m == "" }

// Held reports whether the item waits for a moderator before it is shown.
func (m ModState) Held() bool { return m == ModHeld }

// Hidden reports whether a moderator (or enough reports) took the item down;
// its author may appeal.
func (m ModState) Hidden() bool { return m == ModHidden }

// ReasonAutoHidden is the reason recorded when enough reports hide an item pending review.
const ReasonAutoHidden = moderation.ReasonReports

// Moderation actions, as the public log names them.
const (
	ActHold            = "hold"             // content rules held a new post for review
	ActAutoHide        = "auto_hide"        // enough distinct reports hid the item pending review
	ActHide            = "hide"             // a moderator took the item down
	ActRestore         = "restore"          // a moderator put it back
	ActLock            = "lock"             // the thread takes no new comments or votes
	ActUnlock          = "unlock"           // the thread is open again
	ActSuspend         = "suspend"          // the account may not post until a time
	ActBan             = "ban"              // the account may not post again
	ActLift            = "lift"             // a suspension or ban ended early
	ActAppoint         = "appoint"          // an admin made a user a moderator
	ActAppointOfficial = "appoint_official" // an admin made a user a ministry's official
	ActAppealDeny      = "appeal_deny"      // an appeal was decided against the author
	ActAppealOK        = "appeal_grant"
)

// Review decisions, as the public log names them: by the decision's own name.
const (
	ActApprove = string(moderation.DecisionApprove) // the item stays or becomes visible
	ActReject  = string(moderation.DecisionReject)  // the item is taken down
	ActIgnore  = string(moderation.DecisionIgnore)  // the reports are dismissed
)

// CanModerate reports whether actor may take a moderation action on an item
// written by, or on the account of, target: moderators and admins with a
// confirmed second factor only (StaffReady), moderators never on their own
// content nor on staff accounts.
func CanModerate(actor, target *User) bool {
	if !actor.Active() || StaffReady(actor) != nil {
		return false
	}
	switch actor.Role {
	case RoleAdmin:
		return true
	case RoleModerator:
		return target == nil || (target.ID != actor.ID && !target.Role.IsStaff())
	}
	return false
}

// IsModerator reports whether u works the review queue, and so sees what
// moderation holds back: an active moderator or admin whose second factor
// is confirmed (StaffReady). Until then the account sees what a citizen sees.
func IsModerator(u *User) bool {
	return u.Active() && (u.Role == RoleModerator || u.Role == RoleAdmin) && StaffReady(u) == nil
}

// ModAction is one row of the public moderation log.
type ModAction struct {
	ID         int64
	ActorRole  string // the role of whoever acted, or "system"
	Action     string
	Kind       ItemKind
	ItemID     int64
	ReasonCode string
	Before     string
	After      string
	CreatedAt  time.Time
}

// ReviewItem is an entry of the moderators' review queue.
type ReviewItem struct {
	ID            int64
	Kind          ItemKind
	ItemID        int64
	State         string
	Rules         []string
	ClaimedBy     int64
	ClaimedByName string
	ClaimedAt     time.Time
	CreatedAt     time.Time
	Reports       []Report
	// What is being reviewed, drawn for the moderator.
	Title         string
	Body          moderation.Sanitized
	Path          string
	ModState      ModState
	Author        *User
	AuthorActions int // moderation actions taken before on the author's content or account
}

// Report is one user's report of an item. Its reporter and text are private to staff.
type Report struct {
	ID         int64
	Kind       ItemKind
	ItemID     int64
	ReporterID int64
	Reason     string
	Text       string
	CreatedAt  time.Time
}

// Appeal is an author's request to restore hidden content.
type Appeal struct {
	ID             int64
	Kind           ItemKind
	ItemID         int64
	AuthorID       int64
	AuthorName     string
	Text           string
	State          string // pending, granted, denied
	HiddenBy       int64
	DecidedBy      int64
	DecisionReason string
	CreatedAt      time.Time
	DecidedAt      time.Time
	ReasonCode     string // why the item was hidden
	Path           string
}

// Notification is a message to one user.
type Notification struct {
	ID        int64
	Kind      string
	Data      json.RawMessage
	CreatedAt time.Time
	ReadAt    time.Time
	// Subject is what it is about ("proposal:12", "comment:7"; NoteSubject),
	// "" for notifications written before subjects were kept.
	Subject string
	// Count is how many unread notifications of its kind about its subject
	// it stands for on the notifications page: 1, or more once grouped.
	Count int
}

// Notification kinds written by moderation.
const (
	NoteContentHidden    = "content_hidden"
	NoteContentRestored  = "content_restored"
	NoteAppealDecided    = "appeal_decided"
	NoteSuspended        = "account_suspended"
	NoteThresholdReached = "threshold_reached"
	NoteStatusChanged    = "status_changed"
	NoteResponse         = "official_response"
	NoteTransferred      = "transferred"
	NoteReply            = "reply" // someone replied to your comment
)
