package web

import (
	"errors"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/e-people/e-people/forum"
	"github.com/e-people/e-people/forum/store"
	"github.com/e-people/e-people/moderation"
	"github.com/gofiber/fiber/v2"
)

// ministryItemsMax is how many open items a page lists.
const ministryItemsMax = 200

var blankLineRe = regexp.MustCompile(`\n[ \t\r]*\n`)

// itemMinistry is the kind under which a ministry is followed.
const itemMinistry forum.ItemKind = "ministry"

// scoreRow is one ministry's scorecard with its figures written out.
type scoreRow struct {
	forum.Scorecard
	Rank    int    // 0 for a ministry that has received nothing to answer yet
	OnTimeP string // "83%", or "—" before any answer
	Median  string // "2.5 days", or "—" before any answer
	// The civil request figures (forum.RequestScore) written out, "—" before any answer or rating.
	ReqOnTimeP, ReqMedian, ReqSatisfaction string
	// PromiseKept is forum.MilestoneScore.KeptPercent written out (issue 18), "—" before any milestone is due.
	PromiseKept string
	// AnswerSatisfaction is the supporters' ratings of its answers to
	// proposals written out ("3.4 / 5 (120 ratings)"), "—" before any (issue 18).
	AnswerSatisfaction string
}

// rankScorecards orders ministries by the share answered on time, then by
// the median days to answer, then by the fewest overdue. Those that have
// answered nothing yet follow, the fewest overdue first, and those that have
// received nothing come last.
func rankScorecards(cards []forum.Scorecard) {
	tier := func(c forum.Scorecard) int {
		switch {
		case c.Answered > 0:
			return 0
		case c.Received > 0:
			return 1
		}
		return 2
	}
	sort.SliceStable(cards, func(i, j int) bool {
		a, b := cards[i], cards[j]
		if ta, tb := tier(a), tier(b); ta != tb {
			return ta < tb
		}
		if l, r := a.OnTime*b.Answered, b.OnTime*a.Answered; l != r {
			return l > r
		}
		if a.MedianDays != b.MedianDays {
			return a.MedianDays < b.MedianDays
		}
		return a.Overdue < b.Overdue
	})
}

func (s *Server) scoreRow(c *fiber.Ctx, card forum.Scorecard, rank int) scoreRow {
	r := scoreRow{Scorecard: card, OnTimeP: "—", Median: "—", ReqOnTimeP: "—", ReqMedian: "—", ReqSatisfaction: "—", AnswerSatisfaction: "—"}
	if card.AnswerRatings > 0 {
		r.AnswerSatisfaction = s.t(c, "rating.satisfaction_value", strconv.FormatFloat(card.AnswerSatisfaction(), 'f', 1, 64), card.AnswerRatings)
	}
	if rq := card.Requests; rq.Answered > 0 {
		r.ReqOnTimeP = strconv.Itoa(rq.OnTimePercent()) + "%"
		r.ReqMedian = s.t(c, "after.working_days", strconv.FormatFloat(rq.MedianDays, 'f', 1, 64))
	}
	if rq := card.Requests; rq.Ratings > 0 {
		r.ReqSatisfaction = s.t(c, "after.satisfaction_value", strconv.FormatFloat(rq.Satisfaction(), 'f', 1, 64), rq.Ratings)
	}
	r.PromiseKept = s.promiseKept(card)
	if card.Received > 0 {
		r.Rank = rank
	}
	if card.Answered > 0 {
		r.OnTimeP = strconv.Itoa(card.OnTimePercent()) + "%"
		r.Median = s.t(c, "ministry.days_value", strconv.FormatFloat(card.MedianDays, 'f', 1, 64))
	}
	return r
}

type ministriesPage struct {
	base
	Rows []scoreRow
}

func (s *Server) handleMinistryList(c *fiber.Ctx) error {
	cards, err := s.store.Scorecards(c.UserContext())
	if err != nil {
		return err
	}
	rankScorecards(cards)
	p := ministriesPage{base: s.base(c, s.t(c, "ministry.list_title"))}
	for i, card := range cards {
		p.Rows = append(p.Rows, s.scoreRow(c, card, i+1))
	}
	return s.page(c, fiber.StatusOK, "ministries", p)
}

// clockItem is a proposal with the ministry's clock on it, in words.
type clockItem struct {
	P     *forum.Proposal
	Due   time.Time // the answer's due date, or the end of the support window
	Days  int       // whole days left, or overdue
	Late  bool      // the answer is overdue
	Clock string
	// DueInText says the clock's words already give the due date.
	DueInText bool
}

// clock says how long is left: to answer a proposal awaiting one, or to
// gather support for an open one; in whole KST calendar days (daysBetween),
// and "today" rather than "0 days".
func (s *Server) clock(c *fiber.Ctx, p *forum.Proposal) clockItem {
	now := s.cfg.Now()
	it := clockItem{P: p}
	switch {
	case p.Overdue(now):
		it.Due, it.Late, it.Days = p.ResponseDue, true, daysBetween(p.ResponseDue, now)
		if it.Clock = s.t(c, "clock.overdue", it.Days); it.Days == 0 {
			it.Clock = s.t(c, "clock.overdue_today")
		}
	case p.Status.AwaitsAnswer():
		it.Due, it.Days, it.DueInText = p.ResponseDue, daysBetween(now, p.ResponseDue), true
		if it.Clock = s.t(c, "clock.answer_days", it.Days, formatDay(s.lang(c), p.ResponseDue)); it.Days == 0 {
			it.Clock = s.t(c, "clock.answer_today", formatDay(s.lang(c), p.ResponseDue))
		}
	case p.Status.InSupportWindow() && !p.SupportDeadline.IsZero():
		it.Due, it.Days = p.SupportDeadline, daysBetween(now, p.SupportDeadline)
		if it.Clock = s.t(c, "clock.support_days", it.Days); it.Days == 0 {
			it.Clock = s.t(c, "clock.support_today")
		}
	}
	return it
}

func (s *Server) clocks(c *fiber.Ctx, ps []*forum.Proposal) []clockItem {
	out := make([]clockItem, len(ps))
	for i, p := range ps {
		out[i] = s.clock(c, p)
	}
	return out
}

type ministryPage struct {
	base
	M          forum.Ministry
	About      []string // the description's paragraphs
	Card       scoreRow
	Open       []clockItem
	Answers    []store.AnswerSummary
	Debates    []*forum.Debate
	Dir        directory
	Goal       int // supporters a proposal needs
	Following  bool
	IsOfficial bool // the viewer speaks for this ministry
	// OverdueMilestones are its milestones past their date and not done (issue 18).
	OverdueMilestones []store.OverdueMilestone
}

func (s *Server) handleMinistryShow(c *fiber.Ctx) error {
	ctx := c.UserContext()
	m, err := s.store.MinistryBySlug(ctx, c.Params("slug"))
	if err != nil {
		return err
	}
	p := ministryPage{base: s.base(c, m.Name(s.lang(c))), M: m, About: paragraphs(m.Description)}
	cards, err := s.store.Scorecards(ctx)
	if err != nil {
		return err
	}
	for _, card := range cards {
		if card.Ministry.ID == m.ID {
			p.Card = s.scoreRow(c, card, 0)
		}
	}
	open, err := s.store.MinistryProposals(ctx, m.ID, []forum.ProposalStatus{forum.StatusAwaiting, forum.StatusOpen}, ministryItemsMax)
	if err != nil {
		return err
	}
	p.Open = s.clocks(c, open)
	if p.Answers, err = s.store.RecentAnswers(ctx, m.ID, 20); err != nil {
		return err
	}
	if p.Debates, err = s.store.Debates(ctx, store.DebateQuery{MinistryID: m.ID, Limit: 20}); err != nil {
		return err
	}
	if p.OverdueMilestones, err = s.overdueMilestones(ctx, m.ID); err != nil {
		return err
	}
	if p.Dir, err = s.directory(c); err != nil {
		return err
	}
	p.Goal = s.store.Settings().Thresholds.Supports
	if u := p.User; u != nil {
		if p.Following, err = s.store.Following(ctx, u.ID, itemMinistry, m.ID); err != nil {
			return err
		}
		p.IsOfficial = u.Role == forum.RoleOfficial && u.MinistryID == m.ID
	}
	return s.page(c, fiber.StatusOK, "ministry", p)
}

type inboxPage struct {
	base
	M        forum.Ministry
	Awaiting []clockItem
	Open     []clockItem
	Dir      directory
	// Requests are the ministry's open civil requests, due soonest first;
	// Answered the ones it answered in the last store.RequestRecentDays.
	Requests []handlingRow
	Answered []handlingRow
}

// handleInbox lists what an official's ministry must answer, the answer due soonest first, then what may soon oblige it,
// and its civil requests by due date.
func (s *Server) handleInbox(c *fiber.Ctx) error {
	u := currentUser(c)
	if u.Role != forum.RoleOfficial || u.MinistryID == 0 {
		return forum.Refuse(forum.ErrForbidden, "err.officials_only")
	}
	ctx := c.UserContext()
	d, err := s.directory(c)
	if err != nil {
		return err
	}
	p := inboxPage{base: s.base(c, s.t(c, "inbox.title")), M: d.Ministry(u.MinistryID), Dir: d}
	awaiting, err := s.store.MinistryProposals(ctx, u.MinistryID, []forum.ProposalStatus{forum.StatusAwaiting}, ministryItemsMax)
	if err != nil {
		return err
	}
	open, err := s.store.MinistryProposals(ctx, u.MinistryID, []forum.ProposalStatus{forum.StatusOpen}, ministryItemsMax)
	if err != nil {
		return err
	}
	// Open proposals have no answer due yet: the support window closing soonest comes first.
	sort.SliceStable(open, func(i, j int) bool { return open[i].SupportDeadline.Before(open[j].SupportDeadline) })
	p.Awaiting, p.Open = s.clocks(c, awaiting), s.clocks(c, open)
	requests, err := s.store.InboxRequests(ctx, u.MinistryID, inboxRequestsMax)
	if err != nil {
		return err
	}
	answered, err := s.store.AnsweredRequests(ctx, u.MinistryID, s.cfg.Now().Add(-store.RequestRecentDays*24*time.Hour), inboxRequestsMax)
	if err != nil {
		return err
	}
	p.Requests, p.Answered = s.handlingRows(requests), s.handlingRows(answered)
	return s.page(c, fiber.StatusOK, "inbox", p)
}

type overduePage struct {
	base
	Items []clockItem
	Dir   directory
}

func (s *Server) handleAdminOverdue(c *fiber.Ctx) error {
	list, err := s.store.Overdue(c.UserContext())
	if err != nil {
		return err
	}
	d, err := s.directory(c)
	if err != nil {
		return err
	}
	return s.page(c, fiber.StatusOK, "admin_overdue", overduePage{base: s.base(c, s.t(c, "admin.overdue_title")), Items: s.clocks(c, list), Dir: d})
}

type adminMinistriesPage struct {
	base
	Ministries []forum.Ministry
	Form       formState
}

func (s *Server) adminMinistries(c *fiber.Ctx, status int, form formState) error {
	ms, err := s.store.Ministries(c.UserContext())
	if err != nil {
		return err
	}
	return s.page(c, status, "admin_ministries", adminMinistriesPage{base: s.base(c, s.t(c, "admin.ministries_title")), Ministries: ms, Form: form})
}

func (s *Server) handleAdminMinistries(c *fiber.Ctx) error {
	return s.adminMinistries(c, fiber.StatusOK, formState{})
}

// paragraphs splits plain text at blank lines into normalised paragraphs.
func paragraphs(text string) []string {
	var out []string
	for _, p := range blankLineRe.Split(strings.ReplaceAll(text, "\r\n", "\n"), -1) {
		if p = moderation.PlainText(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// ministryInput reads the ministry form over m and checks it; the slug is read only when creating.
func ministryInput(c *fiber.Ctx, m forum.Ministry, creating bool) (forum.Ministry, formState, error) {
	if creating {
		m.Slug = strings.TrimSpace(c.FormValue("slug"))
	}
	m.NameKO = moderation.PlainText(c.FormValue("name_ko"))
	m.NameEN = moderation.PlainText(c.FormValue("name_en"))
	m.NameZH = moderation.PlainText(c.FormValue("name_zh"))
	m.Description = strings.Join(paragraphs(c.FormValue("description")), "\n\n")
	form := formState{Values: map[string]string{"slug": m.Slug, "name_ko": m.NameKO, "name_en": m.NameEN, "name_zh": m.NameZH,
		"description": m.Description}}
	return m, form, m.Validate(creating)
}

func (s *Server) handleAdminMinistryCreate(c *fiber.Ctx) error {
	m, form, err := ministryInput(c, forum.Ministry{}, true)
	if err == nil {
		m, err = s.store.CreateMinistry(c.UserContext(), m)
		if errors.Is(err, forum.ErrConflict) {
			err = forum.Invalid("slug", "err.ministry_slug_taken")
		}
	}
	if err != nil {
		if form.Errors, _ = s.formErrors(c, err); form.Errors == nil {
			return err
		}
		return s.adminMinistries(c, fiber.StatusBadRequest, form)
	}
	s.flash(c, "flash.ministry_created")
	return c.Redirect("/admin/ministries#m-"+m.Slug, fiber.StatusSeeOther)
}

type ministryFormPage struct {
	base
	M    forum.Ministry
	Form formState
}

func (s *Server) handleAdminMinistryEditForm(c *fiber.Ctx) error {
	m, err := s.store.MinistryBySlug(c.UserContext(), c.Params("slug"))
	if err != nil {
		return err
	}
	form := formState{Values: map[string]string{"name_ko": m.NameKO, "name_en": m.NameEN, "name_zh": m.NameZH, "description": m.Description}}
	return s.page(c, fiber.StatusOK, "admin_ministry_form", ministryFormPage{base: s.base(c, s.t(c, "admin.ministry_edit_title", m.Name(s.lang(c)))), M: m, Form: form})
}

func (s *Server) handleAdminMinistryEdit(c *fiber.Ctx) error {
	old, err := s.store.MinistryBySlug(c.UserContext(), c.Params("slug"))
	if err != nil {
		return err
	}
	m, form, err := ministryInput(c, old, false)
	if err != nil {
		if form.Errors, _ = s.formErrors(c, err); form.Errors == nil {
			return err
		}
		return s.page(c, fiber.StatusBadRequest, "admin_ministry_form", ministryFormPage{base: s.base(c, s.t(c, "admin.ministry_edit_title", old.Name(s.lang(c)))), M: old, Form: form})
	}
	if err := s.store.UpdateMinistry(c.UserContext(), m); err != nil {
		return err
	}
	s.flash(c, "flash.ministry_saved")
	return c.Redirect("/ministries/"+m.Slug, fiber.StatusSeeOther)
}

// handleAppointOfficial makes a citizen the official of the ministry chosen in the form.
func (s *Server) handleAppointOfficial(c *fiber.Ctx) error {
	if err := s.store.SetOfficial(c.UserContext(), currentUser(c), paramID(c), formID(c, "ministry")); err != nil {
		return err
	}
	s.threads.reset() // the new role shows beside every comment of the user
	return s.back(c, "flash.official_appointed", "/users/"+c.Params("id"))
}
