package web

import (
	"context"
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

// answerBlock is the ministries' published answer to a proposal, as the
// page and its live pushes draw it (partial "official-answers"): the lead
// ministry's answer, the decision of record, then each co-answering
// ministry's part, each signed by its ministry.
type answerBlock struct {
	ProposalID int64
	Lead       *forum.Response   // nil until the lead ministry answers
	LeadBy     forum.Ministry    // the proposal's lead ministry, whose answer a part published first awaits
	Parts      []*forum.Response // the co-answering ministries' parts, first published first
	Versions   int               // versions published in all, by every ministry
	Dir        directory
	Lang       string
}

// loadAnswerBlock reads the published answer to p. The caller has checked
// that the viewer may read it (forum.ResponseVisibility).
func loadAnswerBlock(ctx context.Context, st *store.Store, p *forum.Proposal, d directory, lang string) (answerBlock, error) {
	b := answerBlock{ProposalID: p.ID, LeadBy: d.Ministry(p.MinistryID), Dir: d, Lang: lang}
	var err error
	// A first answer its supporters' objections sent back stays in view
	// while the ministry prepares the second (issue 18).
	if p.Status.Answered() || p.AnswerRound > 1 {
		if b.Lead, err = st.Response(ctx, p.ID); err != nil {
			return b, err
		}
		b.Versions += b.Lead.Revision
	}
	if p.Status.Answerable() {
		if b.Parts, err = st.ResponseParts(ctx, p.ID); err != nil {
			return b, err
		}
		for _, r := range b.Parts {
			b.Versions += r.Revision
		}
	}
	return b, nil
}

// Joint reports whether any co-answering ministry has published its part.
func (b answerBlock) Joint() bool { return len(b.Parts) > 0 }

// Empty reports whether no ministry has published anything yet.
func (b answerBlock) Empty() bool { return b.Lead == nil && len(b.Parts) == 0 }

// answerView is what the proposal page shows of the ministries' side.
type answerView struct {
	Response     *forum.Response // the lead ministry's answer, the decision of record
	Block        answerBlock
	Routing      store.Routing
	CoNames      []string
	Timeline     []timelineEntry
	CanAnswer    bool
	AsPart       bool            // the viewer answers for a co-answering ministry: its own part, not the decision
	Mine         *forum.Response // what the viewer's ministry has published so far, if anything
	CanRoute     bool
	Following    bool
	Clock        clockItem // how long is left to gather support or to answer, or how late the answer is
	Forecast     time.Time // the day the support goal is reached at the recent rate
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
	if v.Block, err = loadAnswerBlock(ctx, s.store, p, d, s.lang(c)); err != nil {
		return v, err
	}
	v.Response = v.Block.Lead
	v.CanAnswer = forum.CanAnswer(u, append([]int64{p.MinistryID}, v.Routing.CoMinistries...)...) && p.Status.Answerable()
	if v.CanAnswer {
		v.AsPart = u.MinistryID != p.MinistryID
		for _, r := range append([]*forum.Response{v.Block.Lead}, v.Block.Parts...) {
			if r != nil && r.MinistryID == u.MinistryID && r.Part == v.AsPart {
				v.Mine = r
			}
		}
		if r := v.Mine; r != nil { // the form starts from the ministry's current version
			v.Form = formState{Values: map[string]string{"decision": string(r.Decision), "summary": r.Summary, "body": r.BodySrc,
				"legal_basis": r.LegalBasis, "responsible_unit": r.ResponsibleUnit, "contact": r.Contact, "next_step": r.NextStep,
				"next_step_date": isoDay(r.NextStepDate)}}
		}
	}
	v.CanRoute = forum.CanRoute(u, p.MinistryID) && p.Status.Routable()
	if u != nil {
		if v.Following, err = s.store.Following(ctx, u.ID, forum.ItemProposal, p.ID); err != nil {
			return v, err
		}
	}
	v.Clock = s.clock(c, p)
	if p.Status.InSupportWindow() {
		rate, err := s.store.RecentSupportRate(ctx, p.ID)
		if err != nil {
			return v, err
		}
		v.Forecast, v.OnTrack = forum.Forecast(p, supportGoal, rate, now)
		v.ShowForecast = true
	}
	v.Timeline = s.timeline(c, p, d, v)
	if v.Timeline, err = s.milestoneTimeline(c, p, v.Timeline); err != nil { // issue 18: milestones.go
		return v, err
	}
	return v, nil
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
		out = append(out, timelineEntry{p.ReachedAt, "timeline.reached", []any{formatDay(lang, p.ResponseDue)}})
	}
	for _, tr := range v.Routing.Transfers {
		out = append(out, timelineEntry{tr.CreatedAt, "timeline.transferred", []any{d.Ministry(tr.From).Name(lang), d.Ministry(tr.To).Name(lang), tr.Reason}})
	}
	for i, m := range v.Routing.CoMinistries {
		out = append(out, timelineEntry{v.Routing.CoAdded[i], "timeline.co_answering", []any{d.Ministry(m).Name(lang)}})
	}
	if v.Response != nil {
		out = append(out, timelineEntry{p.AnsweredAt, "timeline.answered", []any{s.t(c, "decision."+string(v.Response.Decision))}})
	}
	if !p.ReopenedAt.IsZero() { // supporters' objections sent the answer back (issue 18)
		out = append(out, timelineEntry{p.ReopenedAt, "rating.timeline.returned", []any{formatDay(lang, p.ResponseDue)}})
		if p.Status.Answered() && v.Response != nil && v.Response.UpdatedAt.After(p.ReopenedAt) {
			out = append(out, timelineEntry{v.Response.UpdatedAt, "rating.timeline.second_answer", []any{s.t(c, "decision."+string(v.Response.Decision))}})
		}
	}
	for _, r := range v.Block.Parts {
		out = append(out, timelineEntry{r.CreatedAt, "timeline.part_published", []any{d.Ministry(r.MinistryID).Name(lang)}})
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
	err := s.store.Transfer(c.UserContext(), currentUser(c), id, formID(c, "ministry"), reason)
	if fe, ok := s.formErrors(c, err); ok && !wantsJSON(c) {
		return s.routeFormAgain(c, id, formState{Values: map[string]string{"ministry": c.FormValue("ministry"), "reason": reason}, Errors: fe})
	}
	if err != nil {
		return err
	}
	s.flash(c, "flash.transferred")
	return c.Redirect("/proposals/"+strconv.FormatInt(id, 10)+"#timeline", fiber.StatusSeeOther)
}

func (s *Server) handleCoMinistry(c *fiber.Ctx) error {
	id := paramID(c)
	err := s.store.AddCoMinistry(c.UserContext(), currentUser(c), id, formID(c, "ministry"))
	if fe, ok := s.formErrors(c, err); ok && !wantsJSON(c) {
		for i := range fe { // the co-answering form's own field, apart from the transfer form's
			fe[i].Field = "co_" + fe[i].Field
		}
		return s.routeFormAgain(c, id, formState{Values: map[string]string{"co_ministry": c.FormValue("ministry")}, Errors: fe})
	}
	if err != nil {
		return err
	}
	s.flash(c, "flash.co_ministry_added")
	return c.Redirect("/proposals/"+strconv.FormatInt(id, 10)+"#timeline", fiber.StatusSeeOther)
}

// routeFormAgain draws proposal id's page again with its routing forms as
// form left them: what was typed kept, the error beside its field (400).
func (s *Server) routeFormAgain(c *fiber.Ctx, id int64, form formState) error {
	p, err := s.store.Proposal(c.UserContext(), id)
	if err != nil {
		return err
	}
	data, err := s.proposalData(c, p)
	if err != nil {
		return err
	}
	data.Answer.RouteForm = form
	return s.page(c, fiber.StatusBadRequest, "proposal", data)
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
			return forum.Refuse(forum.ErrInvalidState, "err.follow_hidden")
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
