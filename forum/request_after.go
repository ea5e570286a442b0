package forum

import (
	"strings"
	"time"
	"unicode/utf8"

	"github.com/e-people/e-people/moderation"
)

// Ratings of an answer to a civil request (만족도), from 1 (very
// dissatisfied) to 5 (very satisfied).
const (
	RatingMin        = 1
	RatingMax        = 5
	RatingCommentMax = 1000 // characters of the optional comment with a rating
	ObjectionMax     = 5000 // characters of the reasons of an objection
)

// Ratings lists the ratings in the order a form offers them: very satisfied first.
func Ratings() []int { return []int{5, 4, 3, 2, 1} }

// RatingInput is the filer's rating of an answer, with an optional comment.
type RatingInput struct {
	Rating  int
	Comment string
}

// Validate checks a rating.
func (in RatingInput) Validate() error {
	var errs ValidationErrors
	if in.Rating < RatingMin || in.Rating > RatingMax {
		errs = append(errs, Invalid("rating", "after.err.rating"))
	}
	if utf8.RuneCountInString(in.Comment) > RatingCommentMax {
		errs = append(errs, Invalid("comment", "err.body_too_long", RatingCommentMax))
	}
	return errs.Err()
}

// ValidateObjection checks the reasons of an objection (이의신청).
func ValidateObjection(reason string) error {
	switch n := utf8.RuneCountInString(strings.TrimSpace(reason)); {
	case n == 0:
		return Invalid("reason", "after.err.reason")
	case utf8.RuneCountInString(reason) > ObjectionMax:
		return Invalid("reason", "err.body_too_long", ObjectionMax)
	}
	return nil
}

// ObjectionDeadline is the last moment the filer may object to an answer
// given at answered, with the window of Settings.ObjectionWindow.
func ObjectionDeadline(answered time.Time, window time.Duration) time.Time {
	return answered.Add(window)
}

// CanObject reports whether the filer of r may still object at now to the
// answer a (the first round's): once per request, while r is answered in
// round 1 and the window after the answer is open.
func CanObject(r *Request, a *RequestAnswer, now time.Time, window time.Duration) bool {
	return r != nil && a != nil && r.Status == RequestAnswered && r.Round == 1 && r.ObjectedAt.IsZero() &&
		a.Round == 1 && !now.After(ObjectionDeadline(a.CreatedAt, window))
}

// CanRate reports whether the filer of r may rate (or change the rating
// of) answer a at now: the answer of the round r is answered in, within the
// objection window after it.
func CanRate(r *Request, a *RequestAnswer, now time.Time, window time.Duration) bool {
	return r != nil && a != nil && r.Status == RequestAnswered && a.Round == r.Round &&
		!now.After(ObjectionDeadline(a.CreatedAt, window))
}

// FAQ is a frequently asked civil request (자주 묻는 민원): a request and its
// answer its ministry published with the filer's consent, without the
// filer's name or personal data, as an official confirmed it.
type FAQ struct {
	ID              int64
	RequestID       int64 // 0 once the request itself was deleted
	MinistryID      int64
	Kind            RequestKind
	OfficialID      int64
	Title           string
	QuestionSrc     string
	Question        moderation.Sanitized
	Decision        RequestDecision
	Summary         string
	AnswerSrc       string
	Answer          moderation.Sanitized
	LegalBasis      string
	ResponsibleUnit string
	Lang            string
	PublishedAt     time.Time
}

// FAQInput is the masked text an official confirms for publication.
type FAQInput struct {
	Title    string
	Question string
	Summary  string
	Answer   string
}

// Validate checks an entry's lengths and that nothing in it still seems
// to be personal data (moderation.FindPersonalData), nor the filer's name.
func (in FAQInput) Validate(filerName string) error {
	var errs ValidationErrors
	if n := utf8.RuneCountInString(strings.TrimSpace(in.Title)); n == 0 || n > RequestTitleMax {
		errs = append(errs, Invalid("title", "err.title_length", RequestTitleMax))
	}
	if n := utf8.RuneCountInString(strings.TrimSpace(in.Summary)); n == 0 || n > SummaryMax {
		errs = append(errs, Invalid("summary", "err.summary_length", SummaryMax))
	}
	for _, f := range []struct{ field, text string }{{"question", in.Question}, {"answer", in.Answer}} {
		if strings.TrimSpace(f.text) == "" {
			errs = append(errs, Invalid(f.field, "err.body_required"))
		} else if utf8.RuneCountInString(f.text) > RequestBodyMax {
			errs = append(errs, Invalid(f.field, "err.body_too_long", RequestBodyMax))
		}
	}
	for _, f := range []struct{ field, text string }{{"title", in.Title}, {"question", in.Question}, {"summary", in.Summary}, {"answer", in.Answer}} {
		if kinds := moderation.FindPersonalData(f.text); len(kinds) > 0 {
			errs = append(errs, Invalid(f.field, "faq.err.personal_data"))
		} else if name := strings.TrimSpace(filerName); utf8.RuneCountInString(name) >= 2 && strings.Contains(f.text, name) {
			errs = append(errs, Invalid(f.field, "faq.err.filer_name"))
		}
	}
	return errs.Err()
}

// RequestScore is how a ministry has answered civil requests, as its
// public scorecard shows it: aggregates only.
type RequestScore struct {
	Received   int     // requests it holds or held, withdrawn ones included
	Answered   int     // answers it gave, every round
	OnTime     int     // answers given by their due time
	MedianDays float64 // working days to answer, the stopped clock left out; 0 when none
	Ratings    int     // answers rated by their filers
	RatingSum  int
}

// OnTimePercent is the share of answers given on time.
func (s RequestScore) OnTimePercent() int {
	if s.Answered == 0 {
		return 0
	}
	return s.OnTime * 100 / s.Answered
}

// Satisfaction is the average rating, 1 to 5; 0 when no answer was rated.
func (s RequestScore) Satisfaction() float64 {
	if s.Ratings == 0 {
		return 0
	}
	return float64(s.RatingSum) / float64(s.Ratings)
}
