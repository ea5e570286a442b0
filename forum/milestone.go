package forum

import (
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/e-people/e-people/moderation"
)

// Implementation milestones (issue 18): after a ministry's answer accepts a
// proposal fully or partly, its officials promise what will be done, by
// when and by which unit; each promise is later kept (done, with evidence)
// or put off (delayed, with a reason and a later date). The first date
// stays as planned, so "kept on time" is measured against the promise.

// MilestoneState is where a milestone stands.
type MilestoneState string

// The states of a milestone; they are also the kinds of its updates.
const (
	MilestonePlanned MilestoneState = "planned"
	MilestoneDone    MilestoneState = "done"
	MilestoneDelayed MilestoneState = "delayed"
)

// The kinds of notification a proposal's followers get about its milestones.
const (
	NoteMilestonePlanned = "milestone_planned" // the ministry planned one or more milestones
	NoteMilestoneDone    = "milestone_done"    // a milestone was done, with evidence
	NoteMilestoneDelayed = "milestone_delayed" // a milestone was put off to a later date
)

// Limits on a milestone and its updates.
const (
	MilestoneTitleMax    = 200
	MilestoneUnitMax     = 100
	MilestoneEvidenceMax = 5000
	MilestoneReasonMax   = 2000
	MilestoneURLMax      = 500
	MilestonesPerPlan    = 10          // milestones one plan may add at once
	MilestonesMax        = 50          // milestones one proposal may have
	MilestoneHorizon     = 10 * 366    // days ahead a milestone may be due, at most
	milestoneDayEnd      = 24*3600 - 1 // a due date ends at 23:59:59 KST
)

// Milestone is one promise a ministry made after accepting a proposal.
type Milestone struct {
	ID          int64
	ProposalID  int64
	MinistryID  int64
	Title       string
	Unit        string    // the responsible unit
	Due         time.Time // when it is due now: the end of a day, KST
	PlannedDue  time.Time // the first date promised; a delay never moves it
	State       MilestoneState
	DoneAt      time.Time
	EvidenceSrc string
	Evidence    moderation.Sanitized
	EvidenceURL string
	CreatedBy   int64
	CreatedAt   time.Time
	UpdatedAt   time.Time
	Updates     []MilestoneUpdate // oldest first; the first is its planning
}

// Done reports whether the milestone was done.
func (m *Milestone) Done() bool { return m.State == MilestoneDone }

// Overdue reports whether the milestone's date passed at now and it is not done.
func (m *Milestone) Overdue(now time.Time) bool { return m.State != MilestoneDone && now.After(m.Due) }

// KeptOnTime reports whether the milestone was done by the date first planned.
func (m *Milestone) KeptOnTime() bool {
	return m.State == MilestoneDone && !m.DoneAt.After(m.PlannedDue)
}

// Moved reports whether a delay moved the milestone's date off the one first planned.
func (m *Milestone) Moved() bool { return !m.Due.Equal(m.PlannedDue) }

// MilestoneUpdate is one change of a milestone: its planning, its
// completion with evidence, or a delay with a reason and the new date.
type MilestoneUpdate struct {
	ID          int64
	MilestoneID int64
	Kind        MilestoneState
	ActorID     int64
	ActorName   string
	NoteSrc     string // the evidence of a completion or the reason of a delay
	Note        moderation.Sanitized
	URL         string    // a completion's evidence link
	Due         time.Time // a delay's new date
	CreatedAt   time.Time
}

// MilestoneChangedEvent is emitted on the proposal's topic when its
// ministry plans milestones, or marks one done or delayed.
type MilestoneChangedEvent struct {
	Kind        MilestoneState `json:"kind"`         // planned, done or delayed
	MilestoneID int64          `json:"milestone_id"` // of a plan, the first milestone it added
	ProposalID  int64          `json:"proposal_id"`
}

// EventType implements EventData.
func (MilestoneChangedEvent) EventType() string { return EventMilestoneChanged }

// MilestoneScore is how a ministry keeps its milestones, by a clock's now.
type MilestoneScore struct {
	Planned int // milestones it has promised
	Due     int // of them, past the date first planned, or done already
	Kept    int // of Due, done by the date first planned
	Done    int
	Overdue int // past their current date and not done
}

// KeptPercent is the share of the milestones due that were done by the date
// first planned ("약속 이행률"); ok is false before any is due.
func (s MilestoneScore) KeptPercent() (pct int, ok bool) {
	if s.Due == 0 {
		return 0, false
	}
	return s.Kept * 100 / s.Due, true
}

// MilestoneDue is the moment a milestone planned for day is due: the end of
// that calendar day in Korea (23:59:59 KST), whatever zone day is in.
func MilestoneDue(day time.Time) time.Time {
	kst := time.FixedZone("KST", 9*3600)
	y, m, d := day.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, kst).Add(milestoneDayEnd * time.Second)
}

// MilestoneInput is one milestone as an official plans it.
type MilestoneInput struct {
	Title string
	Unit  string
	Due   time.Time // a MilestoneDue; zero when the date was missing or unreadable
}

// Validate checks in at now: a title, a responsible unit, and a date that
// is not already past and not absurdly far.
func (in MilestoneInput) Validate(now time.Time) error {
	var errs ValidationErrors
	if n := utf8.RuneCountInString(strings.TrimSpace(in.Title)); n == 0 {
		errs = append(errs, Invalid("title", "milestone.err.title_required"))
	} else if n > MilestoneTitleMax {
		errs = append(errs, Invalid("title", "milestone.err.title_too_long", MilestoneTitleMax))
	}
	if n := utf8.RuneCountInString(strings.TrimSpace(in.Unit)); n == 0 {
		errs = append(errs, Invalid("unit", "milestone.err.unit_required"))
	} else if n > MilestoneUnitMax {
		errs = append(errs, Invalid("unit", "milestone.err.unit_too_long", MilestoneUnitMax))
	}
	if err := checkMilestoneDate("due", in.Due, now); err != nil {
		errs = append(errs, err)
	}
	return errs.Err()
}

// checkMilestoneDate checks a milestone's date: given, not past at now,
// and within MilestoneHorizon days.
func checkMilestoneDate(field string, due, now time.Time) *ValidationError {
	switch {
	case due.IsZero():
		return Invalid(field, "milestone.err.date_required")
	case due.Before(now):
		return Invalid(field, "milestone.err.date_past")
	case due.After(now.Add(MilestoneHorizon * 24 * time.Hour)):
		return Invalid(field, "milestone.err.date_too_far")
	}
	return nil
}

// MilestoneDoneInput is the evidence that a milestone was done: a text
// (Markdown), a link, or both.
type MilestoneDoneInput struct {
	Evidence string
	URL      string
}

// Validate checks that there is evidence, the text within its limit and the
// link a full http or https address.
func (in MilestoneDoneInput) Validate() error {
	var errs ValidationErrors
	text, link := strings.TrimSpace(in.Evidence), strings.TrimSpace(in.URL)
	if text == "" && link == "" {
		errs = append(errs, Invalid("evidence", "milestone.err.evidence_required"))
	}
	if utf8.RuneCountInString(text) > MilestoneEvidenceMax {
		errs = append(errs, Invalid("evidence", "milestone.err.evidence_too_long", MilestoneEvidenceMax))
	}
	if link != "" && !ValidEvidenceURL(link) {
		errs = append(errs, Invalid("url", "milestone.err.url"))
	}
	return errs.Err()
}

// ValidEvidenceURL reports whether s is a link evidence may carry: an
// absolute http or https address with a host, no credentials, no spaces,
// at most MilestoneURLMax characters.
func ValidEvidenceURL(s string) bool {
	if len(s) > MilestoneURLMax || strings.ContainsAny(s, " \t\r\n<>\"") {
		return false
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Hostname() == "" || u.User != nil {
		return false
	}
	return true
}

// MilestoneDelayInput is a delay: why, and the new date.
type MilestoneDelayInput struct {
	Reason string
	Due    time.Time // a MilestoneDue; zero when missing or unreadable
}

// Validate checks the delay of a milestone now due at current, at now: a
// reason, and a new date later than the current one and not past.
func (in MilestoneDelayInput) Validate(current, now time.Time) error {
	var errs ValidationErrors
	if n := utf8.RuneCountInString(strings.TrimSpace(in.Reason)); n == 0 {
		errs = append(errs, Invalid("reason", "milestone.err.reason_required"))
	} else if n > MilestoneReasonMax {
		errs = append(errs, Invalid("reason", "milestone.err.reason_too_long", MilestoneReasonMax))
	}
	if err := checkMilestoneDate("due", in.Due, now); err != nil {
		errs = append(errs, err)
	} else if !in.Due.After(current) {
		errs = append(errs, Invalid("due", "milestone.err.date_not_later"))
	}
	return errs.Err()
}

// PlansMilestones reports whether decision lets a ministry plan milestones:
// it accepts the proposal fully or partly.
func (d Decision) PlansMilestones() bool { return d == DecisionAccepted || d == DecisionPartial }

// CanPlanMilestones reports whether u may plan milestones for p, whose
// answer of record has decision: p is answered, the decision accepts it
// fully or partly, and u is an active official of p.MinistryID, which the
// callers set to the ministry that gave the answer of record (it stays the
// proposal's lead unless the proposal was handed on after the answer).
func CanPlanMilestones(u *User, p *Proposal, decision Decision) bool {
	return p != nil && p.Status.Answered() && decision.PlansMilestones() && CanAnswer(u, p.MinistryID)
}

// CanUpdateMilestone reports whether u may mark m done or delayed: an active
// official of the ministry that planned it.
func CanUpdateMilestone(u *User, m *Milestone) bool { return m != nil && CanAnswer(u, m.MinistryID) }
