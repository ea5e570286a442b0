package web

import (
	"context"
	"errors"
	"net/url"
	"strconv"
	"strings"

	"github.com/e-people/e-people/forum"
	"github.com/e-people/e-people/forum/store"
	"github.com/e-people/e-people/moderation"
	"github.com/gofiber/fiber/v2"
)

// directory is the ministries and categories, for forms, filters and labels.
type directory struct {
	Ministries []forum.Ministry
	Categories []forum.Category
}

func (s *Server) directory(c *fiber.Ctx) (directory, error) { return s.loadDirectory(c.UserContext()) }

func (s *Server) loadDirectory(ctx context.Context) (directory, error) {
	var d directory
	var err error
	if d.Ministries, err = s.store.Ministries(ctx); err != nil {
		return d, err
	}
	d.Categories, err = s.store.Categories(ctx)
	return d, err
}

// MinistryBySlug returns the ministry with slug (the zero value when unknown).
func (d directory) MinistryBySlug(slug string) forum.Ministry {
	for _, m := range d.Ministries {
		if m.Slug == slug {
			return m
		}
	}
	return forum.Ministry{}
}

// CategoryBySlug returns the category with slug (the zero value when unknown).
func (d directory) CategoryBySlug(slug string) forum.Category {
	for _, c := range d.Categories {
		if c.Slug == slug {
			return c
		}
	}
	return forum.Category{}
}

// Ministry returns the ministry with id (the zero value when unknown).
func (d directory) Ministry(id int64) forum.Ministry {
	for _, m := range d.Ministries {
		if m.ID == id {
			return m
		}
	}
	return forum.Ministry{}
}

// Category returns the category with id (the zero value when unknown).
func (d directory) Category(id int64) forum.Category {
	for _, c := range d.Categories {
		if c.ID == id {
			return c
		}
	}
	return forum.Category{}
}

func paramID(c *fiber.Ctx) int64 {
	id, _ := strconv.ParseInt(c.Params("id"), 10, 64)
	return id
}

func formID(c *fiber.Ctx, key string) int64 {
	id, _ := strconv.ParseInt(strings.TrimSpace(c.FormValue(key)), 10, 64)
	return id
}

type homePage struct {
	base
	Dir              directory
	Popular, Newest  []*forum.Proposal
	SupportThreshold int
}

func (s *Server) handleHome(c *fiber.Ctx) error {
	ctx := c.UserContext()
	d, err := s.directory(c)
	if err != nil {
		return err
	}
	popular, err := s.store.ListProposals(ctx, store.ProposalQuery{Status: forum.StatusOpen, Sort: store.SortSupported, Limit: 5})
	if err != nil {
		return err
	}
	newest, err := s.store.ListProposals(ctx, store.ProposalQuery{Status: forum.StatusOpen, Sort: store.SortNewest, Limit: 5})
	if err != nil {
		return err
	}
	supports := s.store.Settings().Thresholds.Supports
	return s.page(c, fiber.StatusOK, "home", homePage{base: s.base(c, ""), Dir: d,
		Popular: popular.Proposals, Newest: newest.Proposals, SupportThreshold: supports})
}

type listPage struct {
	base
	Dir              directory
	Query            store.ProposalQuery
	Ministry         forum.Ministry // the filter; zero for all
	Category         forum.Category // the filter; zero for all
	Page             store.ProposalPage
	NextURL          string
	SupportThreshold int
	Sorts            []store.Sort
	Problem          string // why the filter was refused, in the viewer's language
}

// listFilter is the ministry and category a list is filtered by.
type listFilter struct {
	Ministry forum.Ministry
	Category forum.Category
}

// slugFilter reads a list's ministry filter, and its category filter when
// withCategory (debates have none), which are slugs
// (molit, transport) as in the API, the feeds and every link. An old link
// with a numeric id gets redirect, the same URL with the slug in its place;
// an unknown slug (or id) gets problem, the catalog key of the message
// that says so.
func slugFilter(c *fiber.Ctx, d directory, withCategory bool) (f listFilter, redirect, problem string) {
	args, err := url.ParseQuery(string(c.Request().URI().QueryString()))
	if err != nil {
		args = url.Values{}
	}
	moved := false
	if v := c.Query("ministry"); v != "" {
		if f.Ministry = d.MinistryBySlug(v); f.Ministry.ID == 0 {
			if id, err := strconv.ParseInt(v, 10, 64); err == nil && d.Ministry(id).ID != 0 {
				f.Ministry, moved = d.Ministry(id), true
				args.Set("ministry", f.Ministry.Slug)
			}
		}
		if f.Ministry.ID == 0 {
			return f, "", "list.err.ministry"
		}
	}
	if v := c.Query("category"); v != "" && withCategory {
		if f.Category = d.CategoryBySlug(v); f.Category.ID == 0 {
			if id, err := strconv.ParseInt(v, 10, 64); err == nil && d.Category(id).ID != 0 {
				f.Category, moved = d.Category(id), true
				args.Set("category", f.Category.Slug)
			}
		}
		if f.Category.ID == 0 {
			return f, "", "list.err.category"
		}
	}
	if moved {
		redirect = c.Path() + "?" + args.Encode()
	}
	return f, redirect, ""
}

func (s *Server) handleProposalList(c *fiber.Ctx) error {
	q := store.ProposalQuery{
		Status: forum.ProposalStatus(c.Query("status")),
		Sort:   store.Sort(c.Query("sort")),
		Cursor: c.Query("cursor"),
	}
	d, err := s.directory(c)
	if err != nil {
		return err
	}
	supports := s.store.Settings().Thresholds.Supports
	p := listPage{base: s.base(c, s.t(c, "list.title")), Dir: d, SupportThreshold: supports,
		Sorts: []store.Sort{store.SortNewest, store.SortSupported, store.SortDebated, store.SortTrending}}
	f, redirect, problem := slugFilter(c, d, true)
	if redirect != "" {
		return c.Redirect(redirect, fiber.StatusMovedPermanently)
	}
	if problem == "" && q.Status != "" && !q.Status.Public() {
		problem = "list.err.status"
	}
	p.Ministry, p.Category, p.Query = f.Ministry, f.Category, q
	if problem != "" { // the page says what was wrong, with the filters to choose again
		p.Problem = s.t(c, problem)
		return s.page(c, fiber.StatusBadRequest, "proposals", p)
	}
	q.MinistryID, q.CategoryID = f.Ministry.ID, f.Category.ID
	page, err := s.store.ListProposals(c.UserContext(), q)
	if err != nil {
		return err
	}
	p.Query, p.Page = q, page
	if page.Next != "" {
		args := c.Request().URI().QueryArgs()
		args.Set("cursor", page.Next)
		p.NextURL = "/proposals?" + string(args.QueryString())
	}
	return s.page(c, fiber.StatusOK, "proposals", p)
}

type proposalFormPage struct {
	base
	Dir      directory
	Form     formState
	Proposal *forum.Proposal // nil when creating
	Similar  similarList
	Need     forum.Tier // the tier the viewer lacks to propose: the page says so instead of the form
}

// similarList is up to five existing proposals like a draft's title.
type similarList struct {
	Searched  bool
	Proposals []*forum.Proposal
	Lang      string
}

func (s *Server) proposalForm(c *fiber.Ctx, status int, form formState, p *forum.Proposal) error {
	d, err := s.directory(c)
	if err != nil {
		return err
	}
	var similar similarList
	if p == nil && form.V("title") != "" {
		if similar, err = s.similar(c, form.V("title")); err != nil {
			return err
		}
	}
	title := s.t(c, "proposal.new_title")
	if p != nil {
		title = s.t(c, "proposal.edit_title")
	}
	page := proposalFormPage{base: s.base(c, title), Dir: d, Form: form, Proposal: p, Similar: similar}
	if p == nil {
		page.Need = s.tierNeed(currentUser(c), forum.ActionPropose)
	}
	return s.page(c, status, "proposal_form", page)
}

func (s *Server) handleProposalNew(c *fiber.Ctx) error {
	return s.proposalForm(c, fiber.StatusOK, formState{Values: map[string]string{"title": moderation.PlainText(c.Query("title"))}}, nil)
}

// proposalInput reads and checks the proposal form.
func (s *Server) proposalInput(c *fiber.Ctx) (forum.ProposalInput, formState, error) {
	in := forum.ProposalInput{
		Title:      moderation.PlainText(c.FormValue("title")),
		Body:       strings.ReplaceAll(c.FormValue("body"), "\r\n", "\n"),
		CategoryID: formID(c, "category"),
		MinistryID: formID(c, "ministry"),
	}
	form := formState{Values: map[string]string{"title": in.Title, "body": in.Body,
		"category": c.FormValue("category"), "ministry": c.FormValue("ministry")}}
	err := in.Validate()
	if err == nil {
		d, derr := s.directory(c)
		if derr != nil {
			return in, form, derr
		}
		var errs forum.ValidationErrors
		if d.Category(in.CategoryID).ID == 0 {
			errs = append(errs, forum.Invalid("category", "err.category_required"))
		}
		if d.Ministry(in.MinistryID).ID == 0 {
			errs = append(errs, forum.Invalid("ministry", "err.ministry_required"))
		}
		err = errs.Err()
	}
	return in, form, err
}

// similar finds up to five public proposals like title.
func (s *Server) similar(c *fiber.Ctx, title string) (similarList, error) {
	list := similarList{Searched: true, Lang: s.lang(c)}
	var err error
	list.Proposals, err = s.store.SimilarProposals(c.UserContext(), title, 5)
	return list, err
}

// handleSimilar draws the similar-proposals list for a title, for the form's script.
func (s *Server) handleSimilar(c *fiber.Ctx) error {
	list, err := s.similar(c, moderation.PlainText(c.Query("title")))
	if err != nil {
		return err
	}
	html, err := s.views.partial(s.lang(c), "similar-list", list)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	return c.Send(html)
}

func (s *Server) handleProposalCreate(c *fiber.Ctx) error {
	if c.FormValue("action") == "similar" { // the no-script step: look for similar proposals before writing
		return s.proposalForm(c, fiber.StatusOK, formState{Values: map[string]string{"title": moderation.PlainText(c.FormValue("title")),
			"body": c.FormValue("body"), "category": c.FormValue("category"), "ministry": c.FormValue("ministry")}}, nil)
	}
	if isPreview(c) { // saves nothing: the form again, with the body as it will read
		return s.previewProposal(c, nil)
	}
	in, form, err := s.proposalInput(c)
	if err != nil {
		if form.Errors, _ = s.formErrors(c, err); form.Errors == nil {
			return err
		}
		return s.proposalForm(c, fiber.StatusBadRequest, form, nil)
	}
	u := currentUser(c)
	limit, err := s.dailyCap(u, store.ActivityProposals)
	if err != nil {
		return err
	}
	hold, err := s.screen(c, u, "body", in.Title+"\n\n"+in.Body)
	if err != nil {
		if form.Errors, _ = s.formErrors(c, err); form.Errors == nil {
			return err
		}
		return s.proposalForm(c, fiber.StatusBadRequest, form, nil)
	}
	sponsors := s.store.Settings().SponsorThreshold
	p, err := s.store.CreateProposal(c.UserContext(), store.NewProposal{
		AuthorID: u.ID, Input: in, Body: s.md.Markdown(in.Body),
		SponsorToken: newToken(), Draft: c.FormValue("action") == "draft", Hold: hold, Cap: limit,
	}, sponsors)
	if err != nil {
		return err
	}
	if hold != nil {
		s.flash(c, heldFlash(hold))
		return c.Redirect("/proposals/"+strconv.FormatInt(p.ID, 10), fiber.StatusSeeOther)
	}
	s.flash(c, "flash.proposal_created."+string(p.Status))
	return c.Redirect("/proposals/"+strconv.FormatInt(p.ID, 10), fiber.StatusSeeOther)
}

type proposalPage struct {
	base
	P                *forum.Proposal
	Ministry         forum.Ministry
	Category         forum.Category
	SponsorThreshold int
	SupportThreshold int
	Thread           *thread
	Viewer           store.Viewer
	IsAuthor         bool
	CanEdit          bool
	SponsorURL       string
	IsModerator      bool
	Answer           answerView
	Dir              directory
	SupportNeed      forum.Tier // the tier the viewer lacks to support: the page says so before they click
	// Issue 18's parts of the page, each gathered by its own file.
	Merge      mergeView     // merges.go
	Edits      editView      // edits.go
	Milestones milestoneView // milestones.go
	Objection  objectionView // objection.go
	Rating     ratingView    // answer_ratings.go
	Share      shareView     // share.go
}

func (s *Server) handleProposalShow(c *fiber.Ctx) error {
	if served, err := s.guestPageFor(c); served || err != nil {
		return err
	}
	p, v, err := s.proposalFor(c, paramID(c))
	if err != nil {
		return err
	}
	if v == forum.Withheld {
		return s.withheldPage(c, p)
	}
	data, err := s.proposalData(c, p)
	if err != nil {
		return err
	}
	return s.page(c, fiber.StatusOK, "proposal", data)
}

// proposalData gathers everything the proposal page shows.
func (s *Server) proposalData(c *fiber.Ctx, p *forum.Proposal) (proposalPage, error) {
	ctx := c.UserContext()
	u := currentUser(c)
	data := proposalPage{base: s.base(c, p.Title), P: p}
	since, err := s.store.LastEventID(ctx) // before reading, so the live channel replays anything newer
	if err != nil {
		return data, err
	}
	d, err := s.directory(c)
	if err != nil {
		return data, err
	}
	data.Dir, data.Ministry, data.Category = d, d.Ministry(p.MinistryID), d.Category(p.CategoryID)
	st := s.store.Settings()
	data.SponsorThreshold, data.SupportThreshold = st.SponsorThreshold, st.Thresholds.Supports
	if data.Thread, err = s.thread(c, forum.ProposalSubject(p.ID), p.TakesComments()); err != nil {
		return data, err
	}
	if u != nil {
		if data.Viewer, err = s.store.ViewerState(ctx, p.ID, u.ID); err != nil {
			return data, err
		}
		data.IsAuthor = u.ID == p.AuthorID
		data.SupportNeed = s.tierNeed(u, forum.ActionSupport)
		data.CanEdit = data.IsAuthor && forum.DefaultRules.CanEdit(p, s.cfg.Now())
		if data.IsAuthor && p.Status.TakesSponsors() {
			data.SponsorURL = strings.TrimRight(s.cfg.BaseURL, "/") + "/proposals/" + strconv.FormatInt(p.ID, 10) + "/sponsor/" + p.SponsorToken
		}
	}
	data.IsModerator = forum.CanModerate(u, nil)
	if data.Answer, err = s.answerData(c, p, d, data.SupportThreshold); err != nil {
		return data, err
	}
	if data.Merge, err = s.mergeData(c, p); err != nil {
		return data, err
	}
	if data.Edits, err = s.editData(c, p); err != nil {
		return data, err
	}
	if data.Milestones, err = s.milestoneData(c, p); err != nil {
		return data, err
	}
	if data.Objection, err = s.objectionData(c, p); err != nil {
		return data, err
	}
	if data.Rating, err = s.ratingData(c, p); err != nil {
		return data, err
	}
	if data.Share, err = s.shareData(c, p); err != nil {
		return data, err
	}
	data.LiveTopics, data.LiveSince = forum.ProposalTopic(p.ID), since
	return data, nil
}

// handleProposalState draws the parts of a proposal page that change with
// its state (the badge, the clock and the timeline), for live.js to put in
// place when the proposal's state changes, so they never go stale.
func (s *Server) handleProposalState(c *fiber.Ctx) error {
	p, v, err := s.proposalFor(c, paramID(c))
	if err != nil {
		return err
	}
	if v == forum.Withheld {
		return forum.ErrNotFound
	}
	d, err := s.directory(c)
	if err != nil {
		return err
	}
	data := proposalPage{P: p}
	if data.Answer, err = s.answerData(c, p, d, s.store.Settings().Thresholds.Supports); err != nil {
		return err
	}
	if data.Milestones, err = s.milestoneData(c, p); err != nil {
		return err
	}
	html, err := s.views.partial(s.lang(c), "proposal-state", data)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Send(html)
}

func (s *Server) authorOnly(c *fiber.Ctx) (*forum.Proposal, error) {
	p, err := s.store.Proposal(c.UserContext(), paramID(c))
	if err != nil {
		return nil, err
	}
	if p.AuthorID != currentUser(c).ID {
		return nil, forum.Refuse(forum.ErrForbidden, "err.not_your_proposal")
	}
	return p, nil
}

func (s *Server) handleProposalEditForm(c *fiber.Ctx) error {
	p, err := s.authorOnly(c)
	if err != nil {
		return err
	}
	if !forum.DefaultRules.CanEdit(p, s.cfg.Now()) {
		return forum.Refuse(forum.ErrInvalidState, "err.edit_closed")
	}
	form := formState{Values: map[string]string{"title": p.Title, "body": p.BodySrc,
		"category": strconv.FormatInt(p.CategoryID, 10), "ministry": strconv.FormatInt(p.MinistryID, 10)}}
	return s.proposalForm(c, fiber.StatusOK, form, p)
}

func (s *Server) handleProposalEdit(c *fiber.Ctx) error {
	p, err := s.authorOnly(c)
	if err != nil {
		return err
	}
	if isPreview(c) {
		return s.previewProposal(c, p)
	}
	in, form, err := s.proposalInput(c)
	if err != nil {
		if form.Errors, _ = s.formErrors(c, err); form.Errors == nil {
			return err
		}
		return s.proposalForm(c, fiber.StatusBadRequest, form, p)
	}
	hold, err := s.screen(c, currentUser(c), "body", in.Title+"\n\n"+in.Body)
	if err != nil {
		if form.Errors, _ = s.formErrors(c, err); form.Errors == nil {
			return err
		}
		return s.proposalForm(c, fiber.StatusBadRequest, form, p)
	}
	out, err := s.store.Edit(c.UserContext(), p.ID, p.AuthorID, in, s.md.Markdown(in.Body), forum.DefaultRules, hold)
	if err != nil {
		if form.Errors, _ = s.formErrors(c, err); form.Errors == nil {
			return err
		}
		return s.proposalForm(c, fiber.StatusBadRequest, form, p)
	}
	if out.Pending { // a substantial edit past the threshold: shown once a moderator approves it
		s.flash(c, "flash.edit_pending")
		return c.Redirect("/proposals/"+strconv.FormatInt(p.ID, 10)+"/revisions/"+strconv.Itoa(out.Revision), fiber.StatusSeeOther)
	}
	s.flash(c, "flash.proposal_edited")
	if hold != nil {
		s.flash(c, heldFlash(hold))
	}
	return c.Redirect("/proposals/"+strconv.FormatInt(p.ID, 10), fiber.StatusSeeOther)
}

func (s *Server) handleProposalSubmit(c *fiber.Ctx) error {
	sponsors := s.store.Settings().SponsorThreshold
	id := paramID(c)
	if err := s.store.Submit(c.UserContext(), id, currentUser(c).ID, sponsors); err != nil {
		return err
	}
	s.flash(c, "flash.proposal_submitted")
	return c.Redirect("/proposals/"+strconv.FormatInt(id, 10), fiber.StatusSeeOther)
}

func (s *Server) handleProposalWithdraw(c *fiber.Ctx) error {
	id := paramID(c)
	if err := s.store.Withdraw(c.UserContext(), id, currentUser(c).ID); err != nil {
		return err
	}
	s.flash(c, "flash.proposal_withdrawn")
	return c.Redirect("/proposals/"+strconv.FormatInt(id, 10), fiber.StatusSeeOther)
}

type sponsorPage struct {
	base
	P         *forum.Proposal
	Token     string
	Threshold int
	Signed    bool
	IsAuthor  bool
	Need      forum.Tier // the tier the viewer lacks to co-sponsor
	Refused   string     // why the co-sponsoring just tried was refused
}

// handleSponsorForm shows a proposal that is gathering co-sponsors to whoever holds its private link.
func (s *Server) handleSponsorForm(c *fiber.Ctx) error {
	return s.sponsorForm(c, nil)
}

// sponsorForm draws the co-sponsoring page; after refused, a co-sponsoring
// just refused, with the refusal's status and its reason on the page. A
// viewer who may not see the proposal gets the refusal from the error
// handler instead.
func (s *Server) sponsorForm(c *fiber.Ctx, refused *forum.Refusal) error {
	p, err := s.store.Proposal(c.UserContext(), paramID(c))
	if err != nil {
		return err
	}
	if !tokenEqual(p.SponsorToken, c.Params("token")) {
		return forum.ErrNotFound
	}
	// Whoever holds the link reads a proposal gathering co-sponsors; a held
	// one only as the notice that it waits for review, and after that the
	// proposal is as visible to them as to anyone.
	u := currentUser(c)
	switch v := p.VisibilityTo(u); {
	case p.SponsorableBy(u) || v == forum.Seen:
	case refused != nil:
		return refused
	case p.Status.TakesSponsors() || v == forum.Withheld:
		return s.withheldPage(c, p)
	default:
		return forum.ErrNotFound
	}
	sponsors := s.store.Settings().SponsorThreshold
	data := sponsorPage{base: s.base(c, p.Title), P: p, Token: c.Params("token"), Threshold: sponsors}
	status := fiber.StatusOK
	if refused != nil {
		status, data.Refused = refusalStatus(refused.Err), s.t(c, refused.Key, refused.Args...)
	}
	if u := currentUser(c); u != nil {
		v, err := s.store.ViewerState(c.UserContext(), p.ID, u.ID)
		if err != nil {
			return err
		}
		data.Signed, data.IsAuthor = v.Sponsored, u.ID == p.AuthorID
		data.Need = s.tierNeed(u, forum.ActionSponsor)
	}
	return s.page(c, status, "sponsor", data)
}

func (s *Server) handleSponsor(c *fiber.Ctx) error {
	sponsors := s.store.Settings().SponsorThreshold
	p, err := s.store.Sponsor(c.UserContext(), paramID(c), currentUser(c).ID, c.Params("token"), sponsors)
	var rf *forum.Refusal
	if errors.As(err, &rf) && !wantsJSON(c) {
		// The page itself says why, beside what the viewer may do instead.
		return s.sponsorForm(c, rf)
	}
	if err != nil {
		return err
	}
	if p.Status.InSupportWindow() { // the last co-sponsor opened it
		s.flash(c, "flash.sponsored_open")
		return c.Redirect("/proposals/"+strconv.FormatInt(p.ID, 10), fiber.StatusSeeOther)
	}
	s.flash(c, "flash.sponsored")
	return c.Redirect(c.OriginalURL(), fiber.StatusSeeOther)
}

func (s *Server) handleSupport(c *fiber.Ctx) error   { return s.support(c, true) }
func (s *Server) handleUnsupport(c *fiber.Ctx) error { return s.support(c, false) }

// supportMerged answers a support refused with err: a form's support of a
// proposal merged into another (a page opened before the merge) goes on to
// that one's support section, with a notice, instead of an error page;
// anything else is err.
func (s *Server) supportMerged(c *fiber.Ctx, id int64, on bool, err error) error {
	var r *forum.Refusal
	if !on || wantsJSON(c) || !errors.As(err, &r) || r.Key != "err.proposal_merged" {
		return err
	}
	p, perr := s.store.Proposal(c.UserContext(), id)
	if perr != nil || !p.Merged() {
		return err
	}
	s.flash(c, "flash.support_merged")
	return c.Redirect("/proposals/"+strconv.FormatInt(p.MergedInto, 10)+"#support", fiber.StatusSeeOther)
}

func (s *Server) support(c *fiber.Ctx, on bool) error {
	id := paramID(c)
	var n int
	var err error
	var seen bool // shown the strongest objection first
	if on {
		// With an argument against, the citizen reads the strongest first (objection.go).
		var answered bool
		if seen, answered, err = s.supportGate(c, id); answered || err != nil {
			return err
		}
		var limit *store.Cap
		if limit, err = s.dailyCap(currentUser(c), store.ActivitySupports); err != nil {
			return err
		}
		if seen {
			n, err = s.store.SupportAfterObjection(c.UserContext(), id, currentUser(c).ID, limit)
		} else {
			n, err = s.store.Support(c.UserContext(), id, currentUser(c).ID, limit)
		}
	} else {
		n, err = s.store.Unsupport(c.UserContext(), id, currentUser(c).ID)
	}
	if err != nil {
		return s.supportMerged(c, id, on, err)
	}
	if wantsJSON(c) {
		return c.JSON(fiber.Map{"proposal_id": id, "supports": n, "supported": on, "saw_objection": seen})
	}
	if on {
		s.flash(c, "flash.supported")
	} else {
		s.flash(c, "flash.unsupported")
	}
	return c.Redirect("/proposals/"+strconv.FormatInt(id, 10)+"#support", fiber.StatusSeeOther)
}
