package web

import (
	"context"
	"encoding/json"
	"errors"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/e-people/e-people/forum"
	"github.com/e-people/e-people/forum/store"
	"github.com/gofiber/fiber/v2"
)

// Implementation milestones (issue 18, part P): the ministry whose answer
// accepted a proposal fully or partly plans what it will do, by when and by
// which unit, and later marks each milestone done with evidence or delayed
// with a reason and a later date. The proposal page shows them (hook
// "proposal-milestones"), its timeline tells each change, the ministry's page
// and scorecard count the promises kept on time and list the overdue ones,
// and the API and open data publish them.

// milestonePlanRows is how many empty rows the planning form offers: several
// milestones may be planned at once, or one by one.
const milestonePlanRows = 3

// planRow is one row of the planning form: I names its fields (title_I), N is its number for people.
type planRow struct{ I, N int }

// milestoneItem is one milestone as the proposal page shows it.
type milestoneItem struct {
	*forum.Milestone
	Overdue bool
	Delays  []forum.MilestoneUpdate // its delays, oldest first
}

// milestoneView is part P's block of the proposal page: the proposal's
// milestones and, for an official of the answering ministry, the forms to
// plan more and to report on each.
type milestoneView struct {
	ProposalID int64
	Shown      bool // the answer accepts the proposal, or milestones exist: the block appears
	Items      []milestoneItem
	CanPlan    bool
	CanUpdate  bool
	Rows       []planRow // the planning form's rows
	Plan       formState // the planning form (title_N, due_N, unit_N), when it came back with errors
	Open       int64     // the milestone whose report form came back with errors
	Report     formState // that form: evidence, url (done) or reason, new_due (delay)
	MinDate    string    // today, KST, the earliest date a form accepts
}

// OpenItems are the milestones not done yet, which an official may report on.
func (v milestoneView) OpenItems() []milestoneItem {
	var out []milestoneItem
	for _, it := range v.Items {
		if !it.Done() {
			out = append(out, it)
		}
	}
	return out
}

// ReportFor returns the report form of milestone id: the one that came back
// with errors, or an empty one.
func (v milestoneView) ReportFor(id int64) formState {
	if v.Open == id {
		return v.Report
	}
	return formState{}
}

// milestoneData gathers milestoneView for p.
func (s *Server) milestoneData(c *fiber.Ctx, p *forum.Proposal) (milestoneView, error) {
	v := milestoneView{ProposalID: p.ID, MinDate: isoDay(s.cfg.Now())}
	ms, err := s.store.ProposalMilestones(c.UserContext(), p.ID)
	if err != nil {
		return v, err
	}
	now, u := s.cfg.Now(), currentUser(c)
	for _, m := range ms {
		it := milestoneItem{Milestone: m, Overdue: m.Overdue(now)}
		for _, up := range m.Updates {
			if up.Kind == forum.MilestoneDelayed {
				it.Delays = append(it.Delays, up)
			}
		}
		v.Items = append(v.Items, it)
		v.CanUpdate = v.CanUpdate || (!m.Done() && forum.CanUpdateMilestone(u, m))
	}
	var decision forum.Decision
	answered := *p // as the answer of record has it: the ministry that gave it plans the milestones
	if p.Status.Answered() {
		r, err := s.store.Response(c.UserContext(), p.ID)
		if err != nil && !errors.Is(err, forum.ErrNotFound) {
			return v, err
		}
		if r != nil {
			decision, answered.MinistryID = r.Decision, r.MinistryID
		}
	}
	v.CanPlan = forum.CanPlanMilestones(u, &answered, decision) && len(ms) < forum.MilestonesMax
	v.Shown = len(ms) > 0 || (p.Status.Answered() && decision.PlansMilestones())
	for i := 0; i < milestonePlanRows; i++ {
		v.Rows = append(v.Rows, planRow{i, i + 1})
	}
	return v, nil
}

// milestoneTimeline adds p's milestone changes to the proposal's timeline,
// each in its place in time: planned, delayed, done.
func (s *Server) milestoneTimeline(c *fiber.Ctx, p *forum.Proposal, out []timelineEntry) ([]timelineEntry, error) {
	ms, err := s.store.ProposalMilestones(c.UserContext(), p.ID)
	if err != nil {
		return out, err
	}
	lang := s.lang(c)
	for _, m := range ms {
		for _, up := range m.Updates {
			var e timelineEntry
			switch up.Kind {
			case forum.MilestonePlanned:
				e = timelineEntry{up.CreatedAt, "milestone.tl_planned", []any{m.Title, formatDay(lang, up.Due), m.Unit}}
			case forum.MilestoneDelayed:
				e = timelineEntry{up.CreatedAt, "milestone.tl_delayed", []any{m.Title, formatDay(lang, up.Due)}}
			case forum.MilestoneDone:
				e = timelineEntry{up.CreatedAt, "milestone.tl_done", []any{m.Title}}
			default:
				continue
			}
			out = insertByTime(out, e)
		}
	}
	return out, nil
}

// insertByTime inserts e after every entry of out not later than it, so the
// timeline keeps its order.
func insertByTime(out []timelineEntry, e timelineEntry) []timelineEntry {
	i := len(out)
	for i > 0 && !out[i-1].At.IsZero() && out[i-1].At.After(e.At) {
		i--
	}
	out = append(out, timelineEntry{})
	copy(out[i+1:], out[i:])
	out[i] = e
	return out
}

// milestoneRoutes are part P's routes: the officials' forms and the open data downloads.
func (s *Server) milestoneRoutes() []route {
	const post, get = fiber.MethodPost, fiber.MethodGet
	staffPowers := []fiber.Handler{s.signedIn, s.staffReady}
	return []route{
		{get, "/milestones", nil, s.handleMilestones},
		{post, "/proposals/:id<int>/milestones", staffPowers, s.handleMilestonePlan},
		{post, "/milestones/:id<int>/done", staffPowers, s.handleMilestoneDone},
		{post, "/milestones/:id<int>/delay", staffPowers, s.handleMilestoneDelay},
		{get, "/open-data/milestones.csv", nil, s.download("milestones", s.eachMilestoneRecord)},
		{get, "/open-data/milestones.ndjson", nil, s.download("milestones", s.eachMilestoneRecord)},
	}
}

// milestoneDate reads a form's date (YYYY-MM-DD) as the end of that day in
// KST; ok is false when it is given but not a date.
func milestoneDate(v string) (due time.Time, ok bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return time.Time{}, true
	}
	d, err := time.ParseInLocation("2006-01-02", v, seoul)
	if err != nil {
		return time.Time{}, false
	}
	return forum.MilestoneDue(d), true
}

// withDateError puts the unreadable-date message in place of whatever
// Validate said of field, when the date could not be read.
func withDateError(err error, field string, readable bool) forum.ValidationErrors {
	ves, _ := forum.AsValidation(err)
	if readable {
		return ves
	}
	out := forum.ValidationErrors{forum.Invalid(field, "milestone.err.date_invalid")}
	for _, v := range ves {
		if v.Field != field {
			out = append(out, v)
		}
	}
	return out
}

// handleMilestonePlan plans the milestones of the form's filled rows, all or none.
func (s *Server) handleMilestonePlan(c *fiber.Ctx) error {
	p, err := s.store.Proposal(c.UserContext(), paramID(c))
	if err != nil {
		return err
	}
	now := s.cfg.Now()
	values := map[string]string{}
	var ins []forum.MilestoneInput
	var errs forum.ValidationErrors
	for i := 0; i < forum.MilestonesPerPlan; i++ {
		n := strconv.Itoa(i)
		title := truncateRunes(strings.TrimSpace(c.FormValue("title_"+n)), forum.MilestoneTitleMax+1)
		unit := truncateRunes(strings.TrimSpace(c.FormValue("unit_"+n)), forum.MilestoneUnitMax+1)
		day := strings.TrimSpace(c.FormValue("due_" + n))
		if title == "" && unit == "" && day == "" {
			continue
		}
		due, readable := milestoneDate(day)
		values["title_"+n], values["unit_"+n] = title, unit
		if readable { // a date field takes back only a date
			values["due_"+n] = day
		}
		in := forum.MilestoneInput{Title: title, Unit: unit, Due: due}
		for _, v := range withDateError(in.Validate(now), "due", readable) {
			errs = append(errs, forum.Invalid(v.Field+"_"+n, v.Key, v.Args...))
		}
		ins = append(ins, in)
	}
	if len(ins) == 0 && errs == nil {
		errs = forum.ValidationErrors{forum.Invalid("title_0", "milestone.err.none")}
	}
	if errs == nil {
		if _, err = s.store.PlanMilestones(c.UserContext(), currentUser(c), p.ID, ins); err == nil {
			s.flash(c, "flash.milestone_planned")
			return c.Redirect("/proposals/"+strconv.FormatInt(p.ID, 10)+"#milestones", fiber.StatusSeeOther)
		}
		if _, ok := forum.AsValidation(err); !ok {
			return err
		}
		errs, _ = forum.AsValidation(err)
	}
	return s.milestoneFormAgain(c, p, "", func(v *milestoneView, fe []fieldError) { v.Plan = formState{Values: values, Errors: fe} }, errs)
}

// milestoneFormAgain draws p's page again with a milestone form as it came
// back (set puts it in place), its errors beside its fields (400); suffix
// ends the names of a report form's fields.
func (s *Server) milestoneFormAgain(c *fiber.Ctx, p *forum.Proposal, suffix string, set func(*milestoneView, []fieldError), errs error) error {
	fe, ok := s.formErrors(c, errs)
	if !ok {
		return errs
	}
	if suffix != "" { // a report form's fields are named after their milestone: each has its own on the page
		for i := range fe {
			fe[i].Field += suffix
		}
	}
	data, err := s.proposalData(c, p)
	if err != nil {
		return err
	}
	set(&data.Milestones, fe)
	return s.page(c, fiber.StatusBadRequest, "proposal", data)
}

// milestoneFor reads milestone id and its proposal.
func (s *Server) milestoneFor(c *fiber.Ctx) (*forum.Milestone, *forum.Proposal, error) {
	m, err := s.store.Milestone(c.UserContext(), paramID(c))
	if err != nil {
		return nil, nil, err
	}
	p, err := s.store.Proposal(c.UserContext(), m.ProposalID)
	if err != nil {
		return nil, nil, err
	}
	return m, p, nil
}

// handleMilestoneDone marks a milestone done with the form's evidence.
func (s *Server) handleMilestoneDone(c *fiber.Ctx) error {
	m, p, err := s.milestoneFor(c)
	if err != nil {
		return err
	}
	in := forum.MilestoneDoneInput{
		Evidence: truncateRunes(strings.TrimSpace(strings.ReplaceAll(c.FormValue("evidence"), "\r\n", "\n")), forum.MilestoneEvidenceMax+1),
		URL:      strings.TrimSpace(c.FormValue("url")),
	}
	if len(in.URL) > forum.MilestoneURLMax+1 {
		in.URL = in.URL[:forum.MilestoneURLMax+1]
	}
	err = in.Validate()
	if err == nil {
		if _, err = s.store.CompleteMilestone(c.UserContext(), currentUser(c), m.ID, in, s.md.Markdown(in.Evidence)); err == nil {
			s.flash(c, "flash.milestone_done")
			return c.Redirect("/proposals/"+strconv.FormatInt(p.ID, 10)+"#milestone-"+strconv.FormatInt(m.ID, 10), fiber.StatusSeeOther)
		}
	}
	values := map[string]string{"action": "done", "evidence": in.Evidence, "url": in.URL}
	return s.milestoneFormAgain(c, p, "-"+strconv.FormatInt(m.ID, 10), func(v *milestoneView, fe []fieldError) {
		v.Open, v.Report = m.ID, formState{Values: values, Errors: fe}
	}, err)
}

// handleMilestoneDelay puts a milestone off to the form's later date, with its reason.
func (s *Server) handleMilestoneDelay(c *fiber.Ctx) error {
	m, p, err := s.milestoneFor(c)
	if err != nil {
		return err
	}
	day := strings.TrimSpace(c.FormValue("new_due"))
	due, readable := milestoneDate(day)
	in := forum.MilestoneDelayInput{
		Reason: truncateRunes(strings.TrimSpace(strings.ReplaceAll(c.FormValue("reason"), "\r\n", "\n")), forum.MilestoneReasonMax+1),
		Due:    due,
	}
	err = forum.ValidationErrors(withDateError(in.Validate(m.Due, s.cfg.Now()), "due", readable)).Err()
	if err == nil {
		if _, err = s.store.DelayMilestone(c.UserContext(), currentUser(c), m.ID, in, s.md.Markdown(in.Reason)); err == nil {
			s.flash(c, "flash.milestone_delayed")
			return c.Redirect("/proposals/"+strconv.FormatInt(p.ID, 10)+"#milestone-"+strconv.FormatInt(m.ID, 10), fiber.StatusSeeOther)
		}
	}
	// The form's date field is new_due: the domain's "due" names it.
	if ves, ok := forum.AsValidation(err); ok {
		for i, v := range ves {
			if v.Field == "due" {
				ves[i] = forum.Invalid("new_due", v.Key, v.Args...)
			}
		}
		err = ves
	}
	values := map[string]string{"action": "delay", "reason": in.Reason}
	if readable { // a date field takes back only a date
		values["new_due"] = day
	}
	return s.milestoneFormAgain(c, p, "-"+strconv.FormatInt(m.ID, 10), func(v *milestoneView, fe []fieldError) {
		v.Open, v.Report = m.ID, formState{Values: values, Errors: fe}
	}, err)
}

// apiMilestone is a milestone as published; documented in openDataSets.
type apiMilestone struct {
	ID              int64   `json:"id"`
	ProposalID      int64   `json:"proposal_id"`
	Ministry        string  `json:"ministry"`
	Title           string  `json:"title"`
	ResponsibleUnit string  `json:"responsible_unit"`
	State           string  `json:"state"`
	PlannedDue      *string `json:"planned_due"` // the date first promised, YYYY-MM-DD
	Due             *string `json:"due"`         // the date it is due now, YYYY-MM-DD
	DoneAt          *string `json:"done_at"`
	KeptOnTime      bool    `json:"kept_on_time"` // done by the date first promised
	Evidence        string  `json:"evidence"`
	EvidenceURL     string  `json:"evidence_url"`
	Moved           bool    `json:"moved"` // a delay moved it off the date first promised
	CreatedAt       *string `json:"created_at"`
	UpdatedAt       *string `json:"updated_at"`
}

func apiMilestoneOf(m *forum.Milestone, n names) apiMilestone {
	a := apiMilestone{ID: m.ID, ProposalID: m.ProposalID, Ministry: n.ministry(m.MinistryID), Title: m.Title, ResponsibleUnit: m.Unit,
		State: string(m.State), PlannedDue: apiDay(m.PlannedDue), Due: apiDay(m.Due), DoneAt: rfc3339(m.DoneAt), KeptOnTime: m.KeptOnTime(),
		Moved: m.Moved(), Evidence: m.EvidenceSrc, EvidenceURL: m.EvidenceURL, CreatedAt: rfc3339(m.CreatedAt), UpdatedAt: rfc3339(m.UpdatedAt)}
	return a
}

// apiMilestones is a proposal's milestones as published.
type apiMilestones = []apiMilestone

// apiMilestonesOf is a public proposal's milestones, for /api/v1/proposals/{id}.
func (s *Server) apiMilestonesOf(ctx context.Context, id int64, n names) (apiMilestones, error) {
	ms, err := s.store.ProposalMilestones(ctx, id)
	if err != nil {
		return nil, err
	}
	out := []apiMilestone{}
	for _, m := range ms {
		out = append(out, apiMilestoneOf(m, n))
	}
	return out, nil
}

func (s *Server) eachMilestoneRecord(ctx context.Context, n names, emit func(record) error) error {
	return s.store.EachPublicMilestone(ctx, func(m *forum.Milestone) error {
		a := apiMilestoneOf(m, n)
		return emit(record{a.ID, a.ProposalID, a.Ministry, a.Title, a.ResponsibleUnit, a.State, a.PlannedDue, a.Due, a.Moved, a.DoneAt,
			a.KeptOnTime, a.Evidence, a.EvidenceURL, a.CreatedAt, a.UpdatedAt})
	})
}

type milestonesPage struct {
	base
	Rows    []scoreRow // the ministries that planned milestones, the best keeper first
	Overdue []store.OverdueMilestone
	Dir     directory
}

// handleMilestones shows how every ministry keeps what it promised after
// accepting proposals, and every overdue milestone.
func (s *Server) handleMilestones(c *fiber.Ctx) error {
	ctx := c.UserContext()
	cards, err := s.store.Scorecards(ctx)
	if err != nil {
		return err
	}
	p := milestonesPage{base: s.base(c, s.t(c, "milestone.page_title"))}
	for _, card := range cards {
		if card.Promises.Planned > 0 {
			p.Rows = append(p.Rows, s.scoreRow(c, card, 0))
		}
	}
	sort.SliceStable(p.Rows, func(i, j int) bool {
		a, b := p.Rows[i].Promises, p.Rows[j].Promises
		if (a.Due > 0) != (b.Due > 0) {
			return a.Due > 0
		}
		if l, r := a.Kept*b.Due, b.Kept*a.Due; l != r {
			return l > r
		}
		return a.Overdue < b.Overdue
	})
	if p.Overdue, err = s.store.OverdueMilestones(ctx, 0, ministryItemsMax); err != nil {
		return err
	}
	if p.Dir, err = s.directory(c); err != nil {
		return err
	}
	return s.page(c, fiber.StatusOK, "milestones", p)
}

// promiseChart is /stats's chart of the milestones each ministry kept on
// time, beside its share of those due ("약속 이행률") and its overdue ones;
// ok is false while no ministry has planned any.
func (s *Server) promiseChart(c *fiber.Ctx, cards []forum.Scorecard) (ch chart, ok bool) {
	lang := s.lang(c)
	var bars []chartBar
	var values []int
	for _, sc := range cards {
		if sc.Promises.Planned == 0 {
			continue
		}
		extra := s.promiseKept(sc)
		if sc.Promises.Overdue > 0 {
			extra += " · " + s.t(c, "milestone.overdue_n", sc.Promises.Overdue)
		}
		bars = append(bars, chartBar{AxisLabel: sc.Ministry.Name(lang), Label: sc.Ministry.Name(lang), Value: formatNumber(sc.Promises.Kept), Extra: extra})
		values = append(values, sc.Promises.Kept)
	}
	return s.rowChart(c, "promises", "milestone.stats_chart", []string{s.t(c, "stats.ministry"), s.t(c, "milestone.col_kept"),
		s.t(c, "milestone.col_kept_share")}, bars, values), len(bars) > 0
}

// overdueMilestones is the ministry page's list of its overdue milestones.
func (s *Server) overdueMilestones(ctx context.Context, ministryID int64) ([]store.OverdueMilestone, error) {
	return s.store.OverdueMilestones(ctx, ministryID, ministryItemsMax)
}

// promiseKept writes a scorecard's share of milestones done by their first
// date ("약속 이행률"), "—" before any is due.
func (s *Server) promiseKept(card forum.Scorecard) string {
	if pct, ok := card.Promises.KeptPercent(); ok {
		return strconv.Itoa(pct) + "%"
	}
	return "—"
}

// milestoneNote is what a milestone notification's data holds beyond noteData.
type milestoneNote struct {
	MilestoneID int64  `json:"milestone_id"`
	Milestone   string `json:"milestone"`
	Count       int    `json:"count"`
	Due         int64  `json:"due"`
}

func init() {
	link := func(d noteData, raw []byte) string {
		var mn milestoneNote
		_ = json.Unmarshal(raw, &mn)
		if d.ProposalID == 0 {
			return ""
		}
		if mn.MilestoneID == 0 {
			return "/proposals/" + strconv.FormatInt(d.ProposalID, 10) + "#milestones"
		}
		return "/proposals/" + strconv.FormatInt(d.ProposalID, 10) + "#milestone-" + strconv.FormatInt(mn.MilestoneID, 10)
	}
	say := func(key string) func(catalog, string, forum.Notification, noteData, []byte, func(int64) string) string {
		return func(cat catalog, lang string, _ forum.Notification, d noteData, raw []byte, name func(int64) string) string {
			var mn milestoneNote
			_ = json.Unmarshal(raw, &mn)
			switch key {
			case "milestone.note_planned":
				return cat.T(key, name(d.Ministry), max(mn.Count, 1), d.Title)
			case "milestone.note_delayed":
				return cat.T(key, mn.Milestone, formatDay(lang, time.Unix(mn.Due, 0)), d.Title)
			}
			return cat.T(key, mn.Milestone, d.Title)
		}
	}
	noteKinds[forum.NoteMilestonePlanned] = noteKind{text: say("milestone.note_planned"), link: link}
	noteKinds[forum.NoteMilestoneDone] = noteKind{text: say("milestone.note_done"), link: link}
	noteKinds[forum.NoteMilestoneDelayed] = noteKind{text: say("milestone.note_delayed"), link: link}
}
