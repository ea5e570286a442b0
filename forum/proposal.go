package forum

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/e-people/e-people/moderation"
)

// ProposalStatus is a proposal's place in its lifecycle.
type ProposalStatus string

// Proposal states. A proposal is drafted, gathers co-sponsors through a private
// link, opens to the public, and closes; its author may withdraw it before it closes.
const (
	StatusDraft     ProposalStatus = "draft"
	StatusGathering ProposalStatus = "gathering"
	StatusOpen      ProposalStatus = "open"
	StatusClosed    ProposalStatus = "closed"
	StatusWithdrawn ProposalStatus = "withdrawn"
	StatusAwaiting  ProposalStatus = "awaiting_response" // reached the support threshold: the ministry must answer by its due date
	StatusAnswered  ProposalStatus = "answered"          // the ministry answered
	StatusReferred  ProposalStatus = "referred"          // the ministry referred it to another body
)

// Transition names a lifecycle event.
type Transition string

// Lifecycle events.
const (
	TransSubmit   Transition = "submit"   // author sends the draft out for co-sponsors
	TransSponsors Transition = "sponsors" // the sponsor threshold was reached
	TransClose    Transition = "close"    // the proposal stops taking support
	TransWithdraw Transition = "withdraw" // author takes it back
	TransReach    Transition = "reach"    // enough supporters within the window: the ministry must answer
	TransAnswer   Transition = "answer"   // the ministry published its answer
	TransRefer    Transition = "refer"    // the ministry's answer refers it to another body
)

var lifecycle = map[ProposalStatus]map[Transition]ProposalStatus{
	StatusDraft:     {TransSubmit: StatusGathering, TransWithdraw: StatusWithdrawn},
	StatusGathering: {TransSponsors: StatusOpen, TransWithdraw: StatusWithdrawn},
	StatusOpen:      {TransClose: StatusClosed, TransWithdraw: StatusWithdrawn, TransReach: StatusAwaiting},
	StatusAwaiting:  {TransAnswer: StatusAnswered, TransRefer: StatusReferred},
	StatusAnswered:  {TransAnswer: StatusAnswered, TransRefer: StatusReferred, TransReturn: StatusAwaiting},
	StatusReferred:  {TransAnswer: StatusAnswered, TransRefer: StatusReferred, TransReturn: StatusAwaiting},
}

// Next returns the state that t leads to from s, or ErrInvalidState.
func (s ProposalStatus) Next(t Transition) (ProposalStatus, error) {
	if to, ok := lifecycle[s][t]; ok {
		return to, nil
	}
	return s, fmt.Errorf("%s from %s: %w", t, s, ErrInvalidState)
}

// Public reports whether everyone may see a proposal in this state.
func (s ProposalStatus) Public() bool {
	switch s {
	case StatusOpen, StatusClosed, StatusAwaiting, StatusAnswered, StatusReferred:
		return true
	}
	return false
}

// PublicStatuses are the states a published proposal can be in.
func PublicStatuses() []ProposalStatus {
	return []ProposalStatus{StatusOpen, StatusAwaiting, StatusAnswered, StatusReferred, StatusClosed}
}

// Valid reports whether s is a defined state.
func (s ProposalStatus) Valid() bool { return slices.Contains(ProposalStatuses(), s) }

// Proposal is a citizen's policy proposal.
type Proposal struct {
	ID           int64
	AuthorID     int64
	AuthorName   string
	AuthorRole   Role
	AuthorTier   Tier   // how much the forum knows of the author: the badge beside the name
	Lang         string // the language of title and body (DetectLang; "" not known), for lang="…"
	Title        string
	BodySrc      string
	Body         moderation.Sanitized
	CategoryID   int64
	MinistryID   int64
	Status       ProposalStatus
	SponsorToken string
	Sponsors     int // co-sponsors with verified accounts: the figure the threshold counts
	Supports     int // supporters with verified accounts: the figure the threshold counts
	// UnverifiedSponsors and UnverifiedSupports are those of accounts that
	// never verified: kept and shown apart, never in the figures above.
	UnverifiedSponsors int
	UnverifiedSupports int
	Comments           int
	Revisions          int
	CreatedAt          time.Time
	UpdatedAt          time.Time
	PublishedAt        time.Time // zero until open
	ClosedAt           time.Time // zero until closed or withdrawn
	ModState           ModState
	ModReason          string // public reason code when hidden
	Locked             bool   // takes no new comments or votes
	// The ministry's clock.
	SupportDeadline time.Time // end of the window for gathering support
	ReachedAt       time.Time // when the threshold was reached
	ResponseDue     time.Time // when the answer is due
	AnsweredAt      time.Time // the first official answer
	// MergedInto is the proposal this one was merged into (0 for none): this
	// one is then a signpost to it, and takes no supports.
	MergedInto int64
	// AnswerRound is the answer the ministry owes or gave: 1, or 2 once
	// enough supporters objected to the first (ReopenedAt).
	AnswerRound int
	ReopenedAt  time.Time
}

// Merged reports whether p was merged into another proposal.
func (p *Proposal) Merged() bool { return p.MergedInto != 0 }

// Overdue reports whether the ministry's answer is late at now.
func (p *Proposal) Overdue(now time.Time) bool {
	return p.Status.AwaitsAnswer() && !p.ResponseDue.IsZero() && now.After(p.ResponseDue)
}

// Rules are the tunable numbers of the proposal lifecycle.
type Rules struct {
	SponsorThreshold int           // co-sponsors needed before a proposal opens
	CommentEdit      time.Duration // how long after posting a comment may be edited
}

// Thresholds are the settings that oblige a ministry to answer.
type Thresholds struct {
	Supports   int           // supporters needed
	Window     time.Duration // how long an open proposal may gather them
	ResponseIn time.Duration // how long the ministry then has to answer
}

// DefaultThresholds are the national defaults: 50,000 supporters in 30 days, an answer within 30 days.
var DefaultThresholds = Thresholds{Supports: 50000, Window: 30 * 24 * time.Hour, ResponseIn: 30 * 24 * time.Hour}

// Forecast projects when a proposal gathering support at recentPerDay
// supporters a day reaches the threshold; ok is false when it is not on
// track to reach it before its deadline.
func Forecast(p *Proposal, threshold int, recentPerDay float64, now time.Time) (when time.Time, ok bool) {
	if p.Supports >= threshold {
		return p.ReachedAt, true
	}
	if recentPerDay <= 0 {
		return time.Time{}, false
	}
	days := float64(threshold-p.Supports) / recentPerDay
	when = now.Add(time.Duration(days * float64(24*time.Hour)))
	return when, p.SupportDeadline.IsZero() || !when.After(p.SupportDeadline)
}

// DefaultRules are the rules a fresh forum starts with.
var DefaultRules = Rules{
	SponsorThreshold: 5,
	CommentEdit:      15 * time.Minute,
}

// CanEdit reports whether the author may still edit p at now: until the
// ministry answers (or the proposal closes or is merged). Supporters are
// told of every edit with its diff and may withdraw in one click, and
// after the threshold a substantial edit waits for a moderator
// (NeedsReview), so edits need no window of time or cap on supporters.
func (r Rules) CanEdit(p *Proposal, now time.Time) bool {
	if p.Merged() {
		return false
	}
	switch p.Status {
	case StatusDraft, StatusGathering, StatusOpen, StatusAwaiting:
		return true
	}
	return false
}

// Limits on proposal and comment text, in characters.
const (
	TitleMin        = 4
	TitleMax        = 120
	ProposalBodyMax = 10000
	CommentBodyMax  = 5000
	NameMin         = 2
	NameMax         = 40
	PasswordMin     = 10
	PasswordMax     = 256
	MaxCommentDepth = 3
)

// ProposalInput is what an author writes.
type ProposalInput struct {
	Title      string
	Body       string
	CategoryID int64
	MinistryID int64
}

// Validate checks the input and returns every problem at once. Title is
// expected already normalised with moderation.PlainText.
func (in ProposalInput) Validate() error {
	var errs ValidationErrors
	n := utf8.RuneCountInString(in.Title)
	if n < TitleMin || n > TitleMax {
		errs = append(errs, Invalid("title", "err.title_length", TitleMin, TitleMax))
	}
	b := utf8.RuneCountInString(in.Body)
	if strings.TrimSpace(in.Body) == "" {
		errs = append(errs, Invalid("body", "err.body_required"))
	} else if b > ProposalBodyMax {
		errs = append(errs, Invalid("body", "err.body_too_long", ProposalBodyMax))
	}
	if in.CategoryID <= 0 {
		errs = append(errs, Invalid("category", "err.category_required"))
	}
	if in.MinistryID <= 0 {
		errs = append(errs, Invalid("ministry", "err.ministry_required"))
	}
	return errs.Err()
}

// Revision is one saved version of a proposal's title and body.
type Revision struct {
	ProposalID int64
	Number     int
	Title      string
	BodySrc    string // the Markdown the author wrote, which diffs compare
	Body       moderation.Sanitized
	CreatedAt  time.Time
	State      RevisionState // published, or (seen by the author and moderators only) pending or rejected
	ChangedPct int           // how much of the text it changed from the revision shown before it
	DecidedAt  time.Time     // when a moderator approved or rejected it; zero for none
	Reason     string        // a rejection's reason
}
