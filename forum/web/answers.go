package web

import (
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/e-people/e-people/forum"
	"github.com/e-people/e-people/forum/store"
	"github.com/e-people/e-people/moderation"
	"github.com/gofiber/fiber/v2"
)

// timelineEntry is one step of a proposal's public history.
type timelineEntry struct {
	At   time.Time
	Key  string // catalog key
	Args []any
}

// answerView is what the proposal page shows of the ministries' side.
type answerView struct {
	Response     *forum.Response
	Routing      store.Routing
	CoNames      []string
	Timeline     []timelineEntry
	CanAnswer    bool
	CanRoute     bool
	Following    bool
	DaysLeft     int  // to gather support, or to answer
	Overdue      bool // the answer is late
	OverdueDays  int
	Forecast     time.Time
	OnTrack      bool
	ShowForecast bool
	Form         formState // the answer form, when it came back with errors
	RouteForm    formState
	Ministries   []forum.Ministry
}

// answerData gathers the ministries' side of a proposal page.
func (s *Server) answerData(c *fiber.Ctx, p *forum.Proposal, d directory, supportGoal int) (answerView, error) {
	ctx := c.UserContext()
	u := currentUser(c)
	now := s.cfg.Now()
	var v answerView
	var err error
	v.Ministries = d.Ministries
	if v.Routing, err = s.store.ProposalRouting(ctx, p.ID); err != nil {
		return v, err
	}
	for _, m := range v.Routing.CoMinistries {
		v.CoNames = append(v.CoNames, d.Ministry(m).Name(s.lang(c)))
	}
	if p.Status.Answered() {
		if v.Response, err = s.store.Response(ctx, p.ID); err != nil {
			return v, err
		}
	}
	v.CanAnswer = forum.CanAnswer(u, append([]int64{p.MinistryID}, v.Routing.CoMinistries...)...) && p.Status.Answerable()
	v.CanRoute = forum.CanRoute(u, p.MinistryID) && p.Status.Routable()
	if u != nil {
		if v.Following, err = s.store.Following(ctx, u.ID, forum.ItemProposal, p.ID); err != nil {
			return v, err
		}
	}
	switch {
	case p.Status.InSupportWindow():
		v.DaysLeft = daysUntil(now, p.SupportDeadline)
		rate, err := s.store.RecentSupportRate(ctx, p.ID)
		if err != nil {
			return v, err
		}
		v.Forecast, v.OnTrack = forum.Forecast(p, supportGoal, rate, now)
		v.ShowForecast = true
	case p.Status.AwaitsAnswer():
		v.Overdue = p.Overdue(now)
		if v.Overdue {
			v.OverdueDays = daysUntil(p.ResponseDue, now)
		} else {
			v.DaysLeft = daysUntil(now, p.ResponseDue)
		}
	}
	v.Timeline = s.timeline(c, p, d, v)
	return v, nil
}

// daysUntil counts whole days, rounded up, from a to b; 0 when b is not after a.
func daysUntil(a, b time.Time) int {
	if !b.After(a) {
		return 0
	}
	return int((b.Sub(a) + 24*time.Hour - time.Second) / (24 * time.Hour))
}

// timeline tells a proposal's path: received by A, transferred to B because …, co-answered, answered on ….
func (s *Server) timeline(c *fiber.Ctx, p *forum.Proposal, d directory, v answerView) []timelineEntry {
	lang := s.lang(c)
	var out []timelineEntry
	if !p.PublishedAt.IsZero() {
		first := p.MinistryID
		if len(v.Routing.Transfers) > 0 {
			first = v.Routing.Transfers[0].From
		}
		out = append(out, timelineEntry{p.PublishedAt, "timeline.published", []any{d.Ministry(first).Name(lang)}})
	}
	if !p.ReachedAt.IsZero() {
		out = append(out, timelineEntry{p.ReachedAt, "timeline.reached", []any{formatDate(lang, p.ResponseDue)}})
	}
	for _, tr := range v.Routing.Transfers {
		out = append(out, timelineEntry{tr.CreatedAt, "timeline.transferred", []any{d.Ministry(tr.From).Name(lang), d.Ministry(tr.To).Name(lang), tr.Reason}})
	}
	if len(v.CoNames) > 0 {
		out = append(out, timelineEntry{time.Time{}, "timeline.co_answering", []any{strings.Join(v.CoNames, ", ")}})
	}
	if v.Response != nil {
		out = append(out, timelineEntry{p.AnsweredAt, "timeline.answered", []any{s.t(c, "decision."+string(v.Response.Decision))}})
	}
	if p.Status.Closed() && !p.ClosedAt.IsZero() {
		out = append(out, timelineEntry{p.ClosedAt, "timeline.closed", nil})
	}
	return out
}

func (s *Server) handleRespond(c *fiber.Ctx) error {
	p, err := s.store.Proposal(c.UserContext(), paramID(c))
	if err != nil {
		return err
	}
	if isPreview(c) { // saves nothing: the form again, with the answer as it will read
		return s.previewAnswer(c, p)
	}
	in := forum.ResponseInput{
		Decision:        forum.Decision(c.FormValue("decision")),
		Summary:         truncateRunes(strings.TrimSpace(c.FormValue("summary")), forum.SummaryMax+1),
		Body:            strings.ReplaceAll(c.FormValue("body"), "\r\n", "\n"),
		LegalBasis:      strings.TrimSpace(c.FormValue("legal_basis")),
		ResponsibleUnit: strings.TrimSpace(c.FormValue("responsible_unit")),
		Contact:         strings.TrimSpace(c.FormValue("contact")),
		NextStep:        strings.TrimSpace(c.FormValue("next_step")),
	}
	var errs forum.ValidationErrors
	if v := strings.TrimSpace(c.FormValue("next_step_date")); v != "" {
		d, err := time.ParseInLocation("2006-01-02", v, seoul)
		if err != nil {
			errs = append(errs, forum.Invalid("next_step_date", "err.date_required"))
		}
		in.NextStepDate = d
	}
	if err := in.Validate(); err != nil {
		var ves forum.ValidationErrors
		if !errors.As(err, &ves) {
			return err
		}
		errs = append(errs, ves...)
	}
	if errs != nil {
		data, derr := s.proposalData(c, p)
		if derr != nil {
			return derr
		}
		fe, _ := s.formErrors(c, errs)
		data.Answer.Form = formState{Values: map[string]string{"decision": string(in.Decision), "summary": in.Summary, "body": in.Body,
			"legal_basis": in.LegalBasis, "responsible_unit": in.ResponsibleUnit, "contact": in.Contact, "next_step": in.NextStep,
			"next_step_date": c.FormValue("next_step_date")}, Errors: fe}
		return s.page(c, fiber.StatusBadRequest, "proposal", data)
	}
	if err := s.store.PublishResponse(c.UserContext(), currentUser(c), p.ID, in, s.md.Markdown(in.Body)); err != nil {
		return err
	}
	s.flash(c, "flash.response_published")
	return c.Redirect("/proposals/"+strconv.FormatInt(p.ID, 10)+"#response", fiber.StatusSeeOther)
}

func truncateRunes(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n])
	}
	return s
}

type responseHistoryPage struct {
	base
	P         *forum.Proposal
	Revisions []*forum.Response
	Dir       directory
}

func (s *Server) handleResponseHistory(c *fiber.Ctx) error {
	p, _, err := s.proposalFor(c, paramID(c))
	if err != nil {
		return err
	}
	if forum.ResponseVisibility(p, currentUser(c)) != forum.Seen {
		return s.withheldPage(c, p)
	}
	revs, err := s.store.ResponseRevisions(c.UserContext(), p.ID)
	if err != nil {
		return err
	}
	d, err := s.directory(c)
	if err != nil {
		return err
	}
	return s.page(c, fiber.StatusOK, "response_history", responseHistoryPage{base: s.base(c, s.t(c, "response.history_title", p.Title)), P: p, Revisions: revs, Dir: d})
}

func (s *Server) handleTransfer(c *fiber.Ctx) error {
	id := paramID(c)
	reason := truncateRunes(moderation.PlainText(c.FormValue("reason")), 500)
	if err := s.store.Transfer(c.UserContext(), currentUser(c), id, formID(c, "ministry"), reason); err != nil {
		return err
	}
	s.flash(c, "flash.transferred")
	return c.Redirect("/proposals/"+strconv.FormatInt(id, 10)+"#timeline", fiber.StatusSeeOther)
}

func (s *Server) handleCoMinistry(c *fiber.Ctx) error {
	id := paramID(c)
	if err := s.store.AddCoMinistry(c.UserContext(), currentUser(c), id, formID(c, "ministry")); err != nil {
		return err
	}
	s.flash(c, "flash.co_ministry_added")
	return c.Redirect("/proposals/"+strconv.FormatInt(id, 10)+"#timeline", fiber.StatusSeeOther)
}

func (s *Server) handleFollow(c *fiber.Ctx) error {
	kind := forum.ItemKind(c.FormValue("kind"))
	id := formID(c, "id")
	on := c.FormValue("on") == "1"
	var path string
	switch kind {
	case forum.ItemProposal:
		_, v, err := s.proposalFor(c, id)
		if err != nil {
			return err
		}
		if on && v != forum.Seen { // one may stop following what was hidden, not start
			return forum.ErrInvalidState
		}
		path = "/proposals/" + strconv.FormatInt(id, 10)
	case "debate":
		if _, err := s.store.Debate(c.UserContext(), id); err != nil {
			return err
		}
		path = "/debates/" + strconv.FormatInt(id, 10)
	case "ministry":
		d, err := s.directory(c)
		if err != nil {
			return err
		}
		m := d.Ministry(id)
		if m.ID == 0 {
			return forum.ErrNotFound
		}
		path = "/ministries/" + m.Slug
	default:
		return fiber.NewError(fiber.StatusBadRequest, "err.bad_item")
	}
	if err := s.store.Follow(c.UserContext(), currentUser(c).ID, kind, id, on); err != nil {
		return err
	}
	if on {
		s.flash(c, "flash.following")
	} else {
		s.flash(c, "flash.unfollowed")
	}
	return s.back(c, "", path)
}
