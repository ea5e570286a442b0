package web

import (
	"context"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/e-people/e-people/forum"
	"github.com/e-people/e-people/forum/store"
	"github.com/gofiber/fiber/v2"
)

// feedbackView is what the "request-feedback" block shows of a request
// after its answer (feedbackOf): the answer of the current round, the
// first answer, and what its filer may still do.
type feedbackView struct {
	Answer    *forum.RequestAnswer // the current round's answer; nil while it is open
	First     *forum.RequestAnswer // the first round's answer
	Rated     *forum.RequestAnswer // the latest rated answer, to show its rating
	CanRate   bool
	CanObject bool
	Deadline  time.Time // the last moment to rate (and, in round 1, to object)
	Objected  bool      // the filer objected: round 2 answers the objection to the first answer
}

// feedbackOf computes the feedback block's view of request r and its answers at now.
func feedbackOf(r *forum.Request, answers []forum.RequestAnswer, now time.Time, set forum.Settings) feedbackView {
	var v feedbackView
	if r == nil {
		return v
	}
	v.Objected = !r.ObjectedAt.IsZero()
	for i := range answers {
		a := &answers[i]
		if a.Round == 1 {
			v.First = a
		}
		if a.Round == r.Round && r.Status == forum.RequestAnswered {
			v.Answer = a
		}
		if a.Rating > 0 {
			v.Rated = a
		}
	}
	if v.Answer != nil {
		v.Deadline = forum.ObjectionDeadline(v.Answer.CreatedAt, set.ObjectionWindow)
		v.CanRate = forum.CanRate(r, v.Answer, now, set.ObjectionWindow)
		v.CanObject = forum.CanObject(r, v.Answer, now, set.ObjectionWindow)
	}
	return v
}

// feedbackForm is what a page carrying the feedback block brings back to
// its forms (what was typed, what was wrong): the feedback page's own,
// nothing for a page without one.
func feedbackForm(page any) formState {
	if f, ok := page.(interface{ FeedbackForm() formState }); ok {
		return f.FeedbackForm()
	}
	return formState{}
}

// ratingKey is the catalog key of the words of rating n, 5 (very satisfied) to 1.
func ratingKey(n int) string { return "after.rating." + strconv.Itoa(n) }

// requestOf finds the request a receipt number names for the signed-in
// viewer, who must be allowed to read it, without recording a read: the
// actions of this file that refuse must leave nothing behind, not even a
// staff read. To anyone not allowed it does not exist.
func (s *Server) requestOf(c *fiber.Ctx) (*forum.Request, error) {
	id, month, err := forum.ParseReceipt(c.Params("receipt"))
	if err != nil {
		return nil, err
	}
	r, err := s.store.Request(c.UserContext(), id)
	if err != nil {
		return nil, err
	}
	if !strings.HasPrefix(r.Receipt(), month+"-") || !forum.CanReadRequest(currentUser(c), r) {
		return nil, forum.ErrNotFound
	}
	return r, nil
}

// feedbackPath is where the filer lands after rating or objecting: the
// feedback page, which shows the answer, the rating and the objection.
func feedbackPath(r *forum.Request) string { return "/requests/" + r.Receipt() + "/feedback#feedback" }

// requestFeedbackPage is the filer's page of feedback on an answer: the
// answers in short, and the "request-feedback" block (the same as on the
// request page) with the form's errors.
type requestFeedbackPage struct {
	base
	R        *forum.Request
	Ministry forum.Ministry
	Answers  []forum.RequestAnswer
	Filer    bool
	Now      time.Time
	Settings forum.Settings
	Form     formState
}

// FeedbackForm returns what the forms of the page carried back.
func (p requestFeedbackPage) FeedbackForm() formState { return p.Form }

func (s *Server) renderFeedback(c *fiber.Ctx, status int, r *forum.Request, form formState) error {
	ctx := c.UserContext()
	answers, err := s.store.RequestAnswers(ctx, r.ID)
	if err != nil {
		return err
	}
	d, err := s.directory(c)
	if err != nil {
		return err
	}
	u := currentUser(c)
	p := requestFeedbackPage{base: s.base(c, s.t(c, "after.page_title", r.Receipt())), R: r, Ministry: d.Ministry(r.MinistryID),
		Answers: answers, Filer: u != nil && u.ID == r.FilerID, Now: s.cfg.Now(), Settings: s.store.Settings(), Form: form}
	return s.page(c, status, "request_feedback", p)
}

// handleRequestFeedback shows the feedback page to the request's filer.
func (s *Server) handleRequestFeedback(c *fiber.Ctx) error {
	r, err := s.requestOf(c)
	if err != nil {
		return err
	}
	if currentUser(c).ID != r.FilerID {
		return forum.ErrNotFound
	}
	return s.renderFeedback(c, fiber.StatusOK, r, formState{})
}

// handleRequestRate records the filer's rating of the answer (POST /requests/:receipt/rate).
func (s *Server) handleRequestRate(c *fiber.Ctx) error {
	r, err := s.requestOf(c)
	if err != nil {
		return err
	}
	in := forum.RatingInput{Comment: c.FormValue("comment")}
	if v := c.FormValue("rating"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			n = -1
		}
		in.Rating = n
	}
	err = s.store.RateRequest(c.UserContext(), currentUser(c), r.ID, in)
	if isAPI(c) {
		if err != nil {
			return err
		}
		return s.apiRequestFeedback(c, r.ID)
	}
	if errs, ok := s.formErrors(c, err); ok {
		return s.renderFeedback(c, fiber.StatusUnprocessableEntity, r, formState{Values: map[string]string{
			"rating": c.FormValue("rating"), "comment": in.Comment}, Errors: errs})
	}
	if err != nil {
		return err
	}
	s.flash(c, "flash.after_rated")
	return c.Redirect(feedbackPath(r), fiber.StatusSeeOther)
}

// handleRequestObject records the filer's objection (POST /requests/:receipt/object).
func (s *Server) handleRequestObject(c *fiber.Ctx) error {
	r, err := s.requestOf(c)
	if err != nil {
		return err
	}
	reason := c.FormValue("reason")
	_, err = s.store.ObjectRequest(c.UserContext(), currentUser(c), r.ID, reason, s.md.Markdown(reason))
	if isAPI(c) {
		if err != nil {
			return err
		}
		return s.apiRequestFeedback(c, r.ID)
	}
	if errs, ok := s.formErrors(c, err); ok {
		return s.renderFeedback(c, fiber.StatusUnprocessableEntity, r, formState{Values: map[string]string{"reason": reason}, Errors: errs})
	}
	if err != nil {
		return err
	}
	s.flash(c, "flash.after_objected")
	return c.Redirect(feedbackPath(r), fiber.StatusSeeOther)
}

// apiFeedback is the JSON answer to the filer's rating or objection: where
// the request stands and the answers' ratings.
type apiFeedback struct {
	Receipt   string              `json:"receipt"`
	Status    string              `json:"status"`
	Round     int                 `json:"round"`
	Due       *string             `json:"due_at"`
	Objected  *string             `json:"objected_at"`
	Ratings   []apiFeedbackRating `json:"ratings"`
	CanRate   bool                `json:"can_rate"`
	CanObject bool                `json:"can_object"`
}

type apiFeedbackRating struct {
	Round   int     `json:"round"`
	Rating  int     `json:"rating"`
	Comment string  `json:"comment"`
	RatedAt *string `json:"rated_at"`
}

func (s *Server) apiRequestFeedback(c *fiber.Ctx, id int64) error {
	ctx := c.UserContext()
	r, err := s.store.Request(ctx, id)
	if err != nil {
		return err
	}
	answers, err := s.store.RequestAnswers(ctx, id)
	if err != nil {
		return err
	}
	v := feedbackOf(r, answers, s.cfg.Now(), s.store.Settings())
	out := apiFeedback{Receipt: r.Receipt(), Status: string(r.Status), Round: r.Round, Due: rfc3339(r.Due), Objected: rfc3339(r.ObjectedAt),
		Ratings: []apiFeedbackRating{}, CanRate: v.CanRate, CanObject: v.CanObject}
	for _, a := range answers {
		if a.Rating > 0 {
			out.Ratings = append(out.Ratings, apiFeedbackRating{a.Round, a.Rating, a.RatingComment, rfc3339(a.RatedAt)})
		}
	}
	return c.JSON(out)
}

// requestPublishPage is the official's confirmation of the masked text
// before a request is published as a frequently asked request.
type requestPublishPage struct {
	base
	R        *forum.Request
	Answer   forum.RequestAnswer
	Ministry forum.Ministry
	Form     formState
}

func (s *Server) renderPublish(c *fiber.Ctx, status int, d store.FAQDraft, in forum.FAQInput, errs []fieldError) error {
	dir, err := s.directory(c)
	if err != nil {
		return err
	}
	p := requestPublishPage{base: s.base(c, s.t(c, "faq.publish_title")), R: d.Request, Answer: d.Answer, Ministry: dir.Ministry(d.Request.MinistryID),
		Form: formState{Values: map[string]string{"title": in.Title, "question": in.Question, "summary": in.Summary, "answer": in.Answer}, Errors: errs}}
	return s.page(c, status, "request_publish", p)
}

// handleRequestPublishForm shows the handling official the request and its
// answer masked, in fields they may edit, before publication; the read is
// recorded once the official is known to be allowed.
func (s *Server) handleRequestPublishForm(c *fiber.Ctx) error {
	r, err := s.requestOf(c)
	if err != nil {
		return err
	}
	d, err := s.store.DraftFAQ(c.UserContext(), currentUser(c), r.ID)
	if err != nil {
		return err
	}
	// The page shows the request to staff: a read its filer is shown (ReadRequest records it).
	if _, err := s.store.ReadRequest(c.UserContext(), currentUser(c), r.ID); err != nil {
		return err
	}
	return s.renderPublish(c, fiber.StatusOK, d, d.Input, nil)
}

// handleRequestPublish publishes the text the official confirmed, which is
// checked for personal data once more.
func (s *Server) handleRequestPublish(c *fiber.Ctx) error {
	r, err := s.requestOf(c)
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	u := currentUser(c)
	in := forum.FAQInput{Title: c.FormValue("title"), Question: c.FormValue("question"), Summary: c.FormValue("summary"), Answer: c.FormValue("answer")}
	id, err := s.store.PublishFAQ(ctx, u, r.ID, store.NewFAQ{Input: in, Question: s.md.Markdown(in.Question), Answer: s.md.Markdown(in.Answer),
		Lang: forum.DetectLang(in.Title+"\n"+in.Question+"\n"+in.Answer, "")})
	if errs, ok := s.formErrors(c, err); ok {
		d, derr := s.store.DraftFAQ(ctx, u, r.ID)
		if derr != nil {
			return derr
		}
		return s.renderPublish(c, fiber.StatusUnprocessableEntity, d, in, errs)
	}
	if err != nil {
		return err
	}
	s.flash(c, "flash.faq_published")
	return c.Redirect("/faq/"+strconv.FormatInt(id, 10), fiber.StatusSeeOther)
}

// faqPerPage is how many entries the /faq list shows at once.
const faqPerPage = 30

// faqListPage lists published frequently asked requests.
type faqListPage struct {
	base
	Dir       directory
	Kinds     []forum.RequestKind
	Ministry  string // the slug filtered by
	Kind      string
	Items     []*forum.FAQ
	NextURL   string
	Searching bool
}

// handleFAQList lists the published entries, newest first, by ministry and kind.
func (s *Server) handleFAQList(c *fiber.Ctx) error {
	d, err := s.directory(c)
	if err != nil {
		return err
	}
	p := faqListPage{base: s.base(c, s.t(c, "faq.title")), Dir: d, Kinds: forum.RequestKinds()}
	q := store.FAQQuery{Limit: faqPerPage + 1}
	if slug := c.Query("ministry"); slug != "" {
		m := d.MinistryBySlug(slug)
		if m.ID == 0 {
			return fiber.NewError(fiber.StatusBadRequest, "faq.err.ministry")
		}
		q.MinistryID, p.Ministry = m.ID, slug
	}
	if k := c.Query("kind"); k != "" {
		if !forum.RequestKind(k).Valid() {
			return fiber.NewError(fiber.StatusBadRequest, "faq.err.kind")
		}
		q.Kind, p.Kind = forum.RequestKind(k), k
	}
	if b := c.Query("before"); b != "" {
		n, err := strconv.ParseInt(b, 10, 64)
		if err != nil || n <= 0 {
			return fiber.NewError(fiber.StatusBadRequest, "faq.err.page")
		}
		q.Before = n
	}
	items, err := s.store.FAQs(c.UserContext(), q)
	if err != nil {
		return err
	}
	if len(items) > faqPerPage {
		items = items[:faqPerPage]
		v := url.Values{}
		if p.Ministry != "" {
			v.Set("ministry", p.Ministry)
		}
		if p.Kind != "" {
			v.Set("kind", p.Kind)
		}
		v.Set("before", strconv.FormatInt(items[len(items)-1].ID, 10))
		p.NextURL = "/faq?" + v.Encode()
	}
	p.Items = items
	return s.page(c, fiber.StatusOK, "faq", p)
}

// faqEntryPage is one published entry.
type faqEntryPage struct {
	base
	F        *forum.FAQ
	Ministry forum.Ministry
}

// handleFAQShow shows one published entry to anyone.
func (s *Server) handleFAQShow(c *fiber.Ctx) error {
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil {
		return forum.ErrNotFound
	}
	f, err := s.store.FAQ(c.UserContext(), id)
	if err != nil {
		return err
	}
	d, err := s.directory(c)
	if err != nil {
		return err
	}
	return s.page(c, fiber.StatusOK, "faq_entry", faqEntryPage{base: s.base(c, f.Title), F: f, Ministry: d.Ministry(f.MinistryID)})
}

// apiFAQ is a published entry in the open data; documented in openDataSets.
type apiFAQ struct {
	ID              int64   `json:"id"`
	URL             string  `json:"url"`
	Ministry        string  `json:"ministry"`
	Kind            string  `json:"kind"`
	Title           string  `json:"title"`
	Question        string  `json:"question"`
	Decision        string  `json:"decision"`
	Summary         string  `json:"summary"`
	Answer          string  `json:"answer"`
	LegalBasis      string  `json:"legal_basis"`
	ResponsibleUnit string  `json:"responsible_unit"`
	PublishedAt     *string `json:"published_at"`
}

func (s *Server) apiFAQOf(f *forum.FAQ, n names) apiFAQ {
	return apiFAQ{ID: f.ID, URL: s.cfg.BaseURL + "/faq/" + strconv.FormatInt(f.ID, 10), Ministry: n.ministry(f.MinistryID), Kind: string(f.Kind),
		Title: f.Title, Question: f.QuestionSrc, Decision: string(f.Decision), Summary: f.Summary, Answer: f.AnswerSrc,
		LegalBasis: f.LegalBasis, ResponsibleUnit: f.ResponsibleUnit, PublishedAt: rfc3339(f.PublishedAt)}
}

// handleAPIFAQs lists the published entries, newest first, perhaps of one
// ministry (?ministry=slug) or kind (?kind=); ?before=id pages on.
func (s *Server) handleAPIFAQs(c *fiber.Ctx) error {
	ctx := c.UserContext()
	n, err := s.names(ctx)
	if err != nil {
		return err
	}
	q := store.FAQQuery{Limit: 100}
	if b := c.Query("before"); b != "" {
		if q.Before, err = strconv.ParseInt(b, 10, 64); err != nil || q.Before <= 0 {
			return apiError(c, fiber.StatusBadRequest, "bad_request", "before must be a positive id")
		}
	}
	if k := c.Query("kind"); k != "" {
		if !forum.RequestKind(k).Valid() {
			return apiError(c, fiber.StatusBadRequest, "bad_request", "no such kind")
		}
		q.Kind = forum.RequestKind(k)
	}
	if slug := c.Query("ministry"); slug != "" {
		d, err := s.loadDirectory(ctx)
		if err != nil {
			return err
		}
		if q.MinistryID = d.MinistryBySlug(slug).ID; q.MinistryID == 0 {
			return apiError(c, fiber.StatusBadRequest, "bad_request", "no such ministry")
		}
	}
	items, err := s.store.FAQs(ctx, q)
	if err != nil {
		return err
	}
	out := make([]apiFAQ, 0, len(items))
	for _, f := range items {
		out = append(out, s.apiFAQOf(f, n))
	}
	return c.JSON(struct {
		Items []apiFAQ `json:"items"`
	}{out})
}

// handleAPIFAQ returns one published entry.
func (s *Server) handleAPIFAQ(c *fiber.Ctx) error {
	ctx := c.UserContext()
	id, _ := strconv.ParseInt(c.Params("id"), 10, 64)
	f, err := s.store.FAQ(ctx, id)
	if err != nil {
		return err
	}
	n, err := s.names(ctx)
	if err != nil {
		return err
	}
	return c.JSON(s.apiFAQOf(f, n))
}

func (s *Server) eachFAQRecord(ctx context.Context, n names, emit func(record) error) error {
	return s.store.EachFAQ(ctx, func(f *forum.FAQ) error {
		a := s.apiFAQOf(f, n)
		return emit(record{a.ID, a.URL, a.Ministry, a.Kind, a.Title, a.Question, a.Decision, a.Summary, a.Answer, a.LegalBasis,
			a.ResponsibleUnit, a.PublishedAt})
	})
}

// apiRequestStat is one line of the civil request figures; documented in openDataSets.
type apiRequestStat struct {
	Month         string   `json:"month"`
	Ministry      string   `json:"ministry"`
	Kind          string   `json:"kind"`
	Received      int      `json:"received"`
	Answered      int      `json:"answered"`
	OnTime        int      `json:"on_time"`
	MedianDays    *float64 `json:"median_working_days"`
	Ratings       int      `json:"ratings"`
	Satisfaction  *float64 `json:"satisfaction"`
	OnTimePercent *int     `json:"on_time_percent"`
}

func apiRequestStatOf(st store.RequestStat, n names) apiRequestStat {
	a := apiRequestStat{Month: st.Month, Ministry: n.ministry(st.MinistryID), Kind: string(st.Kind), Received: st.Received,
		Answered: st.Answered, OnTime: st.OnTime, Ratings: st.Ratings}
	if st.Answered > 0 {
		m, p := st.MedianDays, st.OnTimePercent()
		a.MedianDays, a.OnTimePercent = &m, &p
	}
	if st.Ratings > 0 {
		sat := float64(int(st.Satisfaction()*100+0.5)) / 100
		a.Satisfaction = &sat
	}
	return a
}

// handleAPIRequestStats returns the civil request figures by month, ministry and kind.
func (s *Server) handleAPIRequestStats(c *fiber.Ctx) error {
	ctx := c.UserContext()
	n, err := s.names(ctx)
	if err != nil {
		return err
	}
	stats, err := s.store.RequestStats(ctx, time.Time{})
	if err != nil {
		return err
	}
	out := make([]apiRequestStat, 0, len(stats))
	for _, st := range stats {
		out = append(out, apiRequestStatOf(st, n))
	}
	return c.JSON(struct {
		Items []apiRequestStat `json:"items"`
	}{out})
}

func (s *Server) eachRequestStatRecord(ctx context.Context, n names, emit func(record) error) error {
	stats, err := s.store.RequestStats(ctx, time.Time{})
	if err != nil {
		return err
	}
	for _, st := range stats {
		a := apiRequestStatOf(st, n)
		if err := emit(record{a.Month, a.Ministry, a.Kind, a.Received, a.Answered, a.OnTime, a.MedianDays, a.Ratings, a.Satisfaction,
			a.OnTimePercent}); err != nil {
			return err
		}
	}
	return nil
}

// requestStatRow is one line of the civil request table on /stats.
type requestStatRow struct {
	Month, Ministry, Kind        string
	Received, Answered           int
	OnTime, Median, Satisfaction string
}

// requestStatsMonths is how many months of civil request figures /stats shows.
const requestStatsMonths = 12

// requestStatRows are the civil request figures of the last months, as /stats shows them.
func (s *Server) requestStatRows(c *fiber.Ctx) ([]requestStatRow, error) {
	now := s.cfg.Now().In(seoul)
	since := time.Date(now.Year(), now.Month()-requestStatsMonths+1, 1, 0, 0, 0, 0, seoul)
	stats, err := s.store.RequestStats(c.UserContext(), since)
	if err != nil {
		return nil, err
	}
	d, err := s.directory(c)
	if err != nil {
		return nil, err
	}
	lang := s.lang(c)
	out := make([]requestStatRow, 0, len(stats))
	for _, st := range stats {
		month, _ := time.ParseInLocation("2006-01", st.Month, seoul)
		row := requestStatRow{Month: monthLabel(lang, month, false), Ministry: d.Ministry(st.MinistryID).Name(lang),
			Kind: s.t(c, "after.kind."+string(st.Kind)), Received: st.Received, Answered: st.Answered, OnTime: "—", Median: "—", Satisfaction: "—"}
		if st.Answered > 0 {
			row.OnTime = strconv.Itoa(st.OnTimePercent()) + "%"
			row.Median = s.t(c, "after.working_days", strconv.FormatFloat(st.MedianDays, 'f', 1, 64))
		}
		if st.Ratings > 0 {
			row.Satisfaction = s.t(c, "after.satisfaction_value", strconv.FormatFloat(st.Satisfaction(), 'f', 1, 64), st.Ratings)
		}
		out = append(out, row)
	}
	return out, nil
}
