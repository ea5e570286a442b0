package forum

import (
	"strings"
	"time"
	"unicode/utf8"

	"github.com/e-people/e-people/moderation"
)

// DebateStatus is where a debate stands on its schedule.
type DebateStatus string

// Debate states: announced, taking arguments, and read-only.
const (
	DebateUpcoming DebateStatus = "upcoming"
	DebateOpen     DebateStatus = "open"
	DebateClosed   DebateStatus = "closed"
)

// Debate is a time-boxed policy debate a ministry hosts on a question.
type Debate struct {
	ID            int64
	MinistryID    int64
	HostID        int64
	HostName      string
	HostRole      Role
	Lang          string // the language of question and background (DetectLang; "" not known), for lang="…"
	Question      string
	BackgroundSrc string
	Background    moderation.Sanitized
	OpensAt       time.Time
	ClosesAt      time.Time
	Status        DebateStatus
	ConclusionSrc string
	Conclusion    moderation.Sanitized
	ConcludedAt   time.Time // zero until the host publishes a conclusion
	Comments      int
	Locked        bool // takes no new arguments or votes
	CreatedAt     time.Time
}

// StatusAt is the status the schedule gives the debate at now.
func (d *Debate) StatusAt(now time.Time) DebateStatus {
	switch {
	case now.Before(d.OpensAt):
		return DebateUpcoming
	case now.Before(d.ClosesAt):
		return DebateOpen
	}
	return DebateClosed
}

// Limits on debates.
const (
	QuestionMin       = 4
	QuestionMax       = 200
	BackgroundMax     = 10000
	ConclusionMax     = 10000
	MaxDebateDuration = 90 * 24 * time.Hour
)

// DebateInput is what a host writes when opening a debate.
type DebateInput struct {
	Question   string
	Background string
	OpensAt    time.Time
	ClosesAt   time.Time
	MinistryID int64
}

// Validate checks the input against now and returns every problem at once.
// Question is expected already normalised with moderation.PlainText.
func (in DebateInput) Validate(now time.Time) error {
	var errs ValidationErrors
	if n := utf8.RuneCountInString(in.Question); n < QuestionMin || n > QuestionMax {
		errs = append(errs, Invalid("question", "err.question_length", QuestionMin, QuestionMax))
	}
	if utf8.RuneCountInString(in.Background) > BackgroundMax {
		errs = append(errs, Invalid("background", "err.body_too_long", BackgroundMax))
	}
	switch {
	case in.OpensAt.IsZero():
		errs = append(errs, Invalid("opens_at", "err.date_required"))
	case in.ClosesAt.IsZero():
		errs = append(errs, Invalid("closes_at", "err.date_required"))
	case !in.ClosesAt.After(in.OpensAt):
		errs = append(errs, Invalid("closes_at", "err.closes_before_opens"))
	case !in.ClosesAt.After(now):
		errs = append(errs, Invalid("closes_at", "err.closes_in_past"))
	case in.ClosesAt.Sub(in.OpensAt) > MaxDebateDuration:
		errs = append(errs, Invalid("closes_at", "err.debate_too_long", int(MaxDebateDuration/(24*time.Hour))))
	}
	if in.MinistryID <= 0 {
		errs = append(errs, Invalid("ministry", "err.ministry_required"))
	}
	return errs.Err()
}

// CanHost reports whether u may open debates for, and conclude debates of, the ministry.
func CanHost(u *User, ministryID int64) bool {
	return u.Active() &&
		(u.Role == RoleAdmin || (u.Role == RoleOfficial && u.MinistryID == ministryID))
}

// ValidateConclusion checks a debate conclusion's text.
func ValidateConclusion(src string) error {
	switch {
	case strings.TrimSpace(src) == "":
		return Invalid("conclusion", "err.body_required")
	case utf8.RuneCountInString(src) > ConclusionMax:
		return Invalid("conclusion", "err.body_too_long", ConclusionMax)
	}
	return nil
}
