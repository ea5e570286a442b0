package web

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"time"

	"github.com/e-people/e-people/forum"
	"github.com/e-people/e-people/forum/store"
	"github.com/gofiber/fiber/v2"
)

// Supporters rate a ministry's answer to a proposal and object to it
// (issue 18): the block under the answer ("answer-rating"), its forms and
// their page, the JSON API, the answer-ratings open data and the
// notification of a return.

func init() {
	noteKinds[forum.NoteAnswerReturned] = noteKind{
		text: func(cat catalog, lang string, n forum.Notification, d noteData, raw []byte, name func(int64) string) string {
			var x struct {
				Objections int   `json:"objections"`
				Due        int64 `json:"due"`
			}
			_ = json.Unmarshal(raw, &x)
			return cat.T("rating.note.returned", d.Title, x.Objections, formatDay(lang, time.Unix(x.Due, 0)))
		},
		link: func(d noteData, _ []byte) string {
			return "/proposals/" + strconv.FormatInt(d.ProposalID, 10) + "#answer-rating"
		},
	}
}

// ratingScore is what the score line of the block says, and what a live
// push of forum.AnswerRatedEvent draws again (partial "answer-score").
type ratingScore struct {
	forum.AnswerRoundScore
	Needed         int  // objections that send the first answer back (Settings.AnswerObjections)
	ShowObjections bool // round 1: the objections count towards a return
}

// ratingView is the supporters' feedback block of the proposal page
// (partial "answer-rating"): the scores, where the rounds stand and what
// the viewer may do.
type ratingView struct {
	Show      bool                    // the proposal has an answer, or had one sent back
	Score     ratingScore             // the current round's
	First     *forum.AnswerRoundScore // round 1's, once the proposal is in round 2
	Returned  bool                    // objections sent the first answer back
	Second    bool                    // the second answer is published
	Open      bool                    // the current round's answer takes ratings now
	ObjOpen   bool                    // and objections (round 1 only)
	Deadline  time.Time               // the last moment to rate (and in round 1 to object)
	Mine      *forum.AnswerRating     // the viewer's rating of the current round's answer
	CanRate   bool
	CanObject bool
	Why       string // the catalog key of why the viewer may not rate: guest, not a supporter, an official
	// Notes are the supporters' comments and objections' reasons, without
	// names, for the officials of the answering ministries only.
	Notes []forum.AnswerNote
	Form  formState
}

// AverageText formats the score's average to one decimal.
func (s ratingScore) AverageText() string { return strconv.FormatFloat(s.Average(), 'f', 1, 64) }

// ratingData gathers ratingView for p, for the viewer of c.
func (s *Server) ratingData(c *fiber.Ctx, p *forum.Proposal) (ratingView, error) {
	var v ratingView
	if !p.Status.Answered() && p.AnswerRound < 2 {
		return v, nil
	}
	ctx := c.UserContext()
	scores, err := s.store.AnswerScores(ctx, p.ID)
	if err != nil {
		return v, err
	}
	if len(scores) < p.AnswerRound || len(scores) == 0 {
		return v, nil
	}
	cur := scores[p.AnswerRound-1]
	needed := s.store.Settings().AnswerObjections
	v.Show = true
	v.Score = ratingScore{AnswerRoundScore: cur, Needed: needed, ShowObjections: p.AnswerRound == 1}
	if p.AnswerRound > 1 {
		v.First, v.Returned, v.Second = &scores[0], true, p.Status.Answered()
	}
	now := s.cfg.Now()
	v.Open = forum.AnswerFeedbackOpen(p, cur.AnsweredAt, now)
	v.ObjOpen = forum.AnswerObjectionsOpen(p, cur.AnsweredAt, now)
	v.Deadline = forum.AnswerFeedbackDeadline(cur.AnsweredAt)
	u := currentUser(c)
	if u == nil {
		v.Why = "rating.why.guest"
		return v, nil
	}
	viewer, err := s.store.ViewerState(ctx, p.ID, u.ID)
	if err != nil {
		return v, err
	}
	routing, err := s.store.ProposalRouting(ctx, p.ID)
	if err != nil {
		return v, err
	}
	if err := forum.MayGiveAnswerFeedback(u, viewer.Supported, append([]int64{p.MinistryID}, routing.CoMinistries...)...); err != nil {
		v.Why = "rating.why.not_supporter"
		ref := (*forum.Refusal)(nil)
		if errors.As(err, &ref) && ref.Key == "rating.err.unverified" {
			v.Why = "rating.why.unverified"
		}
		if errors.As(err, &ref) && ref.Key == "rating.err.official" {
			v.Why = "rating.why.official"
			v.Notes, err = s.store.AnswerNotes(ctx, p.ID)
			return v, err
		}
		return v, nil
	}
	mine, err := s.store.MyAnswerRatings(ctx, p.ID, u.ID)
	if err != nil {
		return v, err
	}
	for i := range mine {
		if mine[i].Round == p.AnswerRound {
			v.Mine = &mine[i]
		}
	}
	v.CanRate = v.Open
	v.CanObject = v.ObjOpen && v.Mine != nil && !v.Mine.Objects
	return v, nil
}

// ratingRoutes are the routes of supporters' feedback on answers.
func (s *Server) ratingRoutes() []route {
	const get, post = fiber.MethodGet, fiber.MethodPost
	signedIn := []fiber.Handler{s.signedIn}
	return []route{
		{get, "/proposals/:id<int>/answer-rating", nil, s.handleAnswerRatingPage},
		{post, "/proposals/:id<int>/answer-rating", signedIn, s.handleAnswerRate},
		{post, "/proposals/:id<int>/answer-objection", signedIn, s.handleAnswerObject},
		{get, "/api/v1/proposals/:id<int>/answer-ratings", nil, s.handleAPIAnswerRatings},
		{post, "/api/v1/proposals/:id<int>/answer-rating", signedIn, s.handleAnswerRate},
		{post, "/api/v1/proposals/:id<int>/answer-objection", signedIn, s.handleAnswerObject},
		{get, "/open-data/answer-ratings.csv", nil, s.download("answer-ratings", s.eachAnswerRatingRecord)},
		{get, "/open-data/answer-ratings.ndjson", nil, s.download("answer-ratings", s.eachAnswerRatingRecord)},
	}
}

// answerRatingPage is the page of the feedback block alone: where a form
// with errors comes back, and what a link from a notification may open.
type answerRatingPage struct {
	base
	P        *forum.Proposal
	Ministry forum.Ministry
	Rating   ratingView
}

// visibleProposal reads proposal id for the viewer; a withheld one does not exist.
func (s *Server) visibleProposal(c *fiber.Ctx) (*forum.Proposal, error) {
	p, v, err := s.proposalFor(c, paramID(c))
	if err != nil {
		return nil, err
	}
	if v == forum.Withheld {
		return nil, forum.ErrNotFound
	}
	return p, nil
}

func (s *Server) renderAnswerRating(c *fiber.Ctx, status int, p *forum.Proposal, form formState) error {
	v, err := s.ratingData(c, p)
	if err != nil {
		return err
	}
	if !v.Show {
		return forum.Refuse(forum.ErrInvalidState, "rating.err.not_answered")
	}
	v.Form = form
	d, err := s.directory(c)
	if err != nil {
		return err
	}
	page := answerRatingPage{base: s.base(c, s.t(c, "rating.page_title", p.Title)), P: p, Ministry: d.Ministry(p.MinistryID), Rating: v}
	return s.page(c, status, "answer_rating", page)
}

// handleAnswerRatingPage shows the feedback block of a proposal on its own.
func (s *Server) handleAnswerRatingPage(c *fiber.Ctx) error {
	p, err := s.visibleProposal(c)
	if err != nil {
		return err
	}
	return s.renderAnswerRating(c, fiber.StatusOK, p, formState{})
}

// ratingPath is where a supporter lands after rating or objecting.
func ratingPath(id int64) string { return "/proposals/" + strconv.FormatInt(id, 10) + "#answer-rating" }

// handleAnswerRate records a supporter's rating of the current round's
// answer (POST /proposals/:id/answer-rating, and its /api/v1 twin).
func (s *Server) handleAnswerRate(c *fiber.Ctx) error {
	p, err := s.visibleProposal(c)
	if err != nil {
		return err
	}
	in := forum.RatingInput{Comment: c.FormValue("comment")}
	if v := c.FormValue("rating"); v != "" {
		if in.Rating, err = strconv.Atoi(v); err != nil {
			in.Rating = -1
		}
	}
	_, err = s.store.RateAnswer(c.UserContext(), currentUser(c), p.ID, in)
	if isAPI(c) {
		if err != nil {
			return err
		}
		return s.apiAnswerRatings(c, p.ID)
	}
	if errs, ok := s.formErrors(c, err); ok {
		return s.renderAnswerRating(c, fiber.StatusUnprocessableEntity, p, formState{Values: map[string]string{
			"rating": c.FormValue("rating"), "comment": in.Comment}, Errors: errs})
	}
	if err != nil {
		return err
	}
	s.flash(c, "flash.answer_rated")
	return c.Redirect(ratingPath(p.ID), fiber.StatusSeeOther)
}

// handleAnswerObject records a supporter's objection to the first answer
// (POST /proposals/:id/answer-objection, and its /api/v1 twin).
func (s *Server) handleAnswerObject(c *fiber.Ctx) error {
	p, err := s.visibleProposal(c)
	if err != nil {
		return err
	}
	reason := c.FormValue("reason")
	ret, err := s.store.ObjectToAnswer(c.UserContext(), currentUser(c), p.ID, reason)
	if isAPI(c) {
		if err != nil {
			return err
		}
		return s.apiAnswerRatings(c, p.ID)
	}
	if errs, ok := s.formErrors(c, err); ok {
		return s.renderAnswerRating(c, fiber.StatusUnprocessableEntity, p, formState{Values: map[string]string{"reason": reason}, Errors: errs})
	}
	if err != nil {
		return err
	}
	if ret.Returned {
		s.flash(c, "flash.answer_returned")
	} else {
		s.flash(c, "flash.answer_objected")
	}
	return c.Redirect(ratingPath(p.ID), fiber.StatusSeeOther)
}

// apiAnswerRound is one answer round's aggregates; documented in openDataSets ("answer-ratings").
type apiAnswerRound struct {
	Round      int      `json:"round"`
	AnsweredAt *string  `json:"answered_at"`
	Ratings    int      `json:"ratings"`
	Average    *float64 `json:"average"`
	Objections int      `json:"objections"`
}

// apiAnswerRatings is a proposal's answer rounds as supporters judged
// them: aggregates only, never who rated what.
type apiAnswerRatings struct {
	ProposalID       int64            `json:"proposal_id"`
	Status           string           `json:"status"`
	Round            int              `json:"round"`
	ReturnedAt       *string          `json:"returned_at"`
	ObjectionsNeeded int              `json:"objections_needed"`
	Rounds           []apiAnswerRound `json:"rounds"`
}

// roundedAverage is sc's average to two decimals, nil when nobody rated.
func roundedAverage(ratings, sum int) *float64 {
	if ratings == 0 {
		return nil
	}
	avg := float64(int(float64(sum)/float64(ratings)*100+0.5)) / 100
	return &avg
}

func (s *Server) apiAnswerRatings(c *fiber.Ctx, id int64) error {
	ctx := c.UserContext()
	p, err := s.store.Proposal(ctx, id)
	if err != nil {
		return err
	}
	scores, err := s.store.AnswerScores(ctx, id)
	if err != nil {
		return err
	}
	out := apiAnswerRatings{ProposalID: id, Status: string(p.Status), Round: p.AnswerRound, ReturnedAt: rfc3339(p.ReopenedAt),
		ObjectionsNeeded: s.store.Settings().AnswerObjections, Rounds: []apiAnswerRound{}}
	for _, sc := range scores {
		out.Rounds = append(out.Rounds, apiAnswerRound{Round: sc.Round, AnsweredAt: rfc3339(sc.AnsweredAt), Ratings: sc.Ratings,
			Average: roundedAverage(sc.Ratings, sc.RatingSum), Objections: sc.Objections})
	}
	return c.JSON(out)
}

// handleAPIAnswerRatings returns a public proposal's answer rounds and their aggregates.
func (s *Server) handleAPIAnswerRatings(c *fiber.Ctx) error {
	p, err := s.visibleProposal(c)
	if err != nil {
		return err
	}
	return s.apiAnswerRatings(c, p.ID)
}

func (s *Server) eachAnswerRatingRecord(ctx context.Context, n names, emit func(record) error) error {
	return s.store.EachAnswerRatingStat(ctx, func(st store.AnswerRatingStat) error {
		return emit(record{st.ProposalID, s.cfg.BaseURL + "/proposals/" + strconv.FormatInt(st.ProposalID, 10), n.ministry(st.MinistryID),
			st.Round, st.Ratings, roundedAverage(st.Ratings, st.RatingSum), st.Objections})
	})
}
