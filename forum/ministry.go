package forum

import (
	"strings"
	"time"
	"unicode/utf8"

	"github.com/e-people/e-people/moderation"
)

// Decision is a ministry's answer to a proposal.
type Decision string

// Decisions, as the structured answer states them.
const (
	DecisionAccepted  Decision = "accepted"
	DecisionPartial   Decision = "partially_accepted"
	DecisionRejected  Decision = "not_accepted"
	DecisionReviewing Decision = "under_review"
	DecisionReferred  Decision = "referred" // to another body
)

// Decisions lists every decision in display order.
func Decisions() []Decision {
	return []Decision{DecisionAccepted, DecisionPartial, DecisionRejected, DecisionReviewing, DecisionReferred}
}

// Valid reports whether d is a defined decision.
func (d Decision) Valid() bool {
	for _, x := range Decisions() {
		if d == x {
			return true
		}
	}
	return false
}

// Response is a ministry's structured, public answer to a proposal: the
// lead ministry's answer, whose decision is the decision of record, or a
// co-answering ministry's part of a joint answer (Part), signed by it.
type Response struct {
	ProposalID      int64
	MinistryID      int64 // the ministry that signs it
	Part            bool  // a co-answering ministry's part, not the lead's answer
	OfficialID      int64
	OfficialName    string
	OfficialTier    Tier // the badge beside the official's name
	Decision        Decision
	Summary         string
	BodySrc         string
	Body            moderation.Sanitized
	LegalBasis      string
	ResponsibleUnit string
	Contact         string
	NextStep        string
	NextStepDate    time.Time
	Revision        int
	CreatedAt       time.Time
	UpdatedAt       time.Time
}

// Limits on an answer.
const (
	SummaryMax    = 300
	AnswerBodyMax = 20000
	AnswerLineMax = 200
)

// ResponseInput is what an official writes.
type ResponseInput struct {
	Decision        Decision
	Summary         string
	Body            string
	LegalBasis      string
	ResponsibleUnit string
	Contact         string
	NextStep        string
	NextStepDate    time.Time
}

// Validate checks an answer and returns every problem at once.
func (in ResponseInput) Validate() error {
	var errs ValidationErrors
	if !in.Decision.Valid() {
		errs = append(errs, Invalid("decision", "err.decision_required"))
	}
	if n := utf8.RuneCountInString(strings.TrimSpace(in.Summary)); n == 0 || n > SummaryMax {
		errs = append(errs, Invalid("summary", "err.summary_length", SummaryMax))
	}
	if strings.TrimSpace(in.Body) == "" {
		errs = append(errs, Invalid("body", "err.body_required"))
	} else if utf8.RuneCountInString(in.Body) > AnswerBodyMax {
		errs = append(errs, Invalid("body", "err.body_too_long", AnswerBodyMax))
	}
	for field, v := range map[string]string{"legal_basis": in.LegalBasis, "responsible_unit": in.ResponsibleUnit, "contact": in.Contact, "next_step": in.NextStep} {
		if utf8.RuneCountInString(v) > AnswerLineMax {
			errs = append(errs, Invalid(field, "err.line_too_long", AnswerLineMax))
		}
	}
	return errs.Err()
}

// Transfer is one hand-off of a proposal between ministries.
type Transfer struct {
	ProposalID int64
	From, To   int64
	ActorName  string
	Reason     string
	CreatedAt  time.Time
}

// CanAnswer reports whether u speaks for one of the answering ministries (the lead, then any co-answering).
func CanAnswer(u *User, ministries ...int64) bool {
	if !u.Active() || u.Role != RoleOfficial {
		return false
	}
	for _, m := range ministries {
		if m == u.MinistryID {
			return true
		}
	}
	return false
}

// CanRoute reports whether u may transfer a proposal led by ministry lead or add co-answering ministries: its officials and admins.
func CanRoute(u *User, lead int64) bool {
	return u.Active() && (u.Role == RoleAdmin || (u.Role == RoleOfficial && u.MinistryID == lead))
}

// Scorecard is how a ministry has answered.
type Scorecard struct {
	Ministry   Ministry
	Received   int // proposals that obliged it to answer (lead or co-answering)
	Answered   int
	OnTime     int
	MedianDays float64 // to answer, over answered proposals; 0 when none
	Overdue    int
	// Requests is how it answered civil requests (issue 17).
	Requests RequestScore
	// Promises is how it keeps its implementation milestones (issue 18).
	Promises MilestoneScore
	// AnswerRatings and AnswerRatingSum are its answers' ratings by the
	// proposals' supporters, every round (issue 18).
	AnswerRatings   int
	AnswerRatingSum int
}

// AnswerSatisfaction is the average of the supporters' ratings of its
// answers, 1 to 5; 0 when none was rated.
func (s Scorecard) AnswerSatisfaction() float64 {
	if s.AnswerRatings == 0 {
		return 0
	}
	return float64(s.AnswerRatingSum) / float64(s.AnswerRatings)
}

// OnTimePercent is the share of answered proposals answered by their due date.
func (s Scorecard) OnTimePercent() int {
	if s.Answered == 0 {
		return 0
	}
	return s.OnTime * 100 / s.Answered
}
