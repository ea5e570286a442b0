package forum

import (
	"strings"
	"time"
	"unicode/utf8"
)

// Supporters' feedback on a ministry's answer to a proposal (issue 18): each
// supporter rates the answer of the current round (RatingInput, the five
// worded choices of a civil request's rating), and within
// AnswerObjectionWindow of the first answer may object to it; once
// Settings.AnswerObjections of them have, the proposal returns to its
// ministry for a second answer (AnswerRound 2). Round 2 takes ratings but no
// further objections: a proposal returns once.

// AnswerObjectionMax is the longest reason of an objection to an answer, in characters.
const AnswerObjectionMax = 2000

// Notification kinds of supporters' feedback on an answer.
const (
	// NoteAnswerReturned tells a proposal's followers, and the officials of
	// its ministry, that its supporters' objections sent the answer back.
	NoteAnswerReturned = "answer_returned"
)

// ActAnswerReturned is the public moderation log's action for a proposal
// that its supporters' objections returned to its ministry; its actor is
// the system, its item the proposal.
const ActAnswerReturned = "answer_returned"

// TransReturn is the lifecycle event of a proposal whose answer enough of
// its supporters objected to: it awaits the ministry's second answer.
const TransReturn Transition = "return"

// ValidateAnswerObjection checks the reason of a supporter's objection to an
// answer: required, at most AnswerObjectionMax characters.
func ValidateAnswerObjection(reason string) error {
	switch {
	case strings.TrimSpace(reason) == "":
		return Invalid("reason", "rating.err.reason")
	case utf8.RuneCountInString(reason) > AnswerObjectionMax:
		return Invalid("reason", "err.body_too_long", AnswerObjectionMax)
	}
	return nil
}

// AnswerFeedbackDeadline is the last moment supporters may rate (and, in
// round 1, object to) an answer given at answered.
func AnswerFeedbackDeadline(answered time.Time) time.Time {
	return answered.Add(AnswerObjectionWindow)
}

// AnswerFeedbackOpen reports whether p's supporters may rate the answer of
// its current round, given at answered (zero while it is owed), at now: the
// ministry has answered and the window after the answer is open.
func AnswerFeedbackOpen(p *Proposal, answered, now time.Time) bool {
	return p != nil && p.Status.Answered() && !answered.IsZero() && !now.After(AnswerFeedbackDeadline(answered))
}

// AnswerObjectionsOpen reports whether p's supporters may still object to
// its answer at now: while feedback is open on the first round's answer.
// The second answer takes ratings only.
func AnswerObjectionsOpen(p *Proposal, answered, now time.Time) bool {
	return AnswerFeedbackOpen(p, answered, now) && p.AnswerRound == 1
}

// ObjectionsReturn reports whether objections objections to the first
// answer are enough (Settings.AnswerObjections) to send it back.
func ObjectionsReturn(objections, needed int) bool { return needed > 0 && objections >= needed }

// MayGiveAnswerFeedback says whether u may rate or object to the answer to
// a proposal that the ministries answering (its lead first) answer:
// an active citizen who supports it with a support that counts (an account
// whose tier is Counted, as the threshold counts them), and no official of
// those ministries, who would be judging their own answer. supporter is
// whether u has a support of the proposal.
func MayGiveAnswerFeedback(u *User, supporter bool, answering ...int64) error {
	switch {
	case !u.Active():
		return ErrForbidden
	case u.Role == RoleOfficial && CanAnswer(u, answering...):
		return Refuse(ErrForbidden, "rating.err.official")
	case !supporter:
		return Refuse(ErrForbidden, "rating.err.not_supporter")
	case !u.Tier.Counted():
		return Refuse(ErrForbidden, "rating.err.unverified")
	}
	return nil
}

// AnswerRoundScore is how a proposal's supporters judged the answer of one
// round: aggregates only, never who rated what.
type AnswerRoundScore struct {
	Round      int
	AnsweredAt time.Time // the round's first answer; zero while it is owed
	Version    int       // the last version of the answer published in the round (response_revisions number); 0 for none
	Ratings    int
	RatingSum  int
	Objections int // round 1 only
}

// Average is the round's average rating, 1 to 5; 0 when nobody rated.
func (s AnswerRoundScore) Average() float64 {
	if s.Ratings == 0 {
		return 0
	}
	return float64(s.RatingSum) / float64(s.Ratings)
}

// AnswerRating is one supporter's own rating of one round's answer, as they
// themselves see it.
type AnswerRating struct {
	Round     int
	Rating    int
	Comment   string
	Objects   bool
	Objection string
	UpdatedAt time.Time
}

// AnswerReturn is the outcome of a supporter's objection: how many there
// are now, and whether this one sent the answer back (Returned).
type AnswerReturn struct {
	Objections int
	Returned   bool
	Due        time.Time // the second answer's due date, when Returned
}

// Returnable reports whether a proposal in state s can go back to its
// ministry for a second answer (TransReturn): once it is answered.
func (s ProposalStatus) Returnable() bool { return s.Can(TransReturn) }

// AnswerNote is what one supporter wrote with their rating of an answer,
// as the answering ministry reads it: without the supporter's name.
type AnswerNote struct {
	Round     int
	Rating    int
	Comment   string
	Objection string // the reason of their objection; "" for none
	At        time.Time
}
