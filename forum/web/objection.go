package web

import (
	"context"
	"net/url"
	"strconv"

	"github.com/e-people/e-people/forum"
	"github.com/gofiber/fiber/v2"
)

// The strongest objection before a support (issue 18). When a proposal has
// an argument against it, pressing "support" does not record the support at
// once: the citizen is shown the strongest argument against it and the
// strongest for it (forum.StrongestArguments) and confirms. With script, an
// in-page <dialog> (assets/objection.js) holds them; without, the support
// form's POST answers 303 to GET /proposals/{id}/support, a page that shows
// the same. Either confirms with a POST carrying seen=1 and the ids of the
// arguments shown (against, for), checked against the arguments as they are
// now: stale ids show the page again and record nothing. The support is kept
// with saw_objection = 1, and how many supporters read an objection first is
// public (the page, /api/v1/proposals and the proposals dataset).

// objectionView is the support step's part of the proposal page.
type objectionView struct {
	Args forum.Arguments
	// Ask: the viewer could support now, and the support step shows the
	// arguments first (the page carries the dialog).
	Ask bool
	// Seen: the counted supporters who read the strongest objection before
	// they supported ("of these, N ...").
	Seen int
}

// objectionData gathers objectionView for p.
func (s *Server) objectionData(c *fiber.Ctx, p *forum.Proposal) (objectionView, error) {
	var v objectionView
	if !p.Status.Public() {
		return v, nil
	}
	seen, err := s.store.SupportsAfterObjection(c.UserContext(), p.ID)
	if err != nil {
		return v, err
	}
	v.Seen = seen[p.ID]
	if u := currentUser(c); u == nil || !p.Status.TakesSupport() || !p.ModState.Visible() || s.tierNeed(u, forum.ActionSupport) != "" {
		return v, nil
	}
	if v.Args, err = s.strongestArguments(c.UserContext(), p.ID); err != nil {
		return v, err
	}
	v.Ask = v.Args.Objection()
	return v, nil
}

// objectionRoutes are the support step's page (and, for scripts, its JSON).
func (s *Server) objectionRoutes() []route {
	return []route{{fiber.MethodGet, "/proposals/:id<int>/support", []fiber.Handler{s.signedIn}, s.handleSupportConfirm}}
}

// strongestArguments picks the strongest arguments against and for
// proposal id from its comments as the thread cache holds them, so the
// support step reads no comment the proposal page has not read already.
func (s *Server) strongestArguments(ctx context.Context, id int64) (forum.Arguments, error) {
	e, err := s.threads.entry(ctx, s.store, forum.ProposalSubject(id))
	if err != nil {
		return forum.Arguments{}, err
	}
	var flat []*forum.Comment
	var walk func(cs []*forum.Comment)
	walk = func(cs []*forum.Comment) {
		for _, c := range cs {
			flat = append(flat, c)
			walk(c.Replies)
		}
	}
	walk(e.roots[forum.OrderBest])
	return forum.StrongestArguments(flat), nil
}

// supportConfirmPage is the support step without script.
type supportConfirmPage struct {
	base
	P       *forum.Proposal
	Args    forum.Arguments
	Changed bool // the citizen confirmed on arguments that have changed since
}

// apiArgument is an argument as the support step's JSON gives it.
type apiArgument struct {
	ID       int64  `json:"id"`
	Stance   string `json:"stance"`
	Author   string `json:"author"`
	BodyHTML string `json:"body_html"`
	Up       int    `json:"up"`
	Down     int    `json:"down"`
	URL      string `json:"url"`
}

func (s *Server) apiArgument(c *fiber.Ctx, cm *forum.Comment) *apiArgument {
	if cm == nil {
		return nil
	}
	author := cm.AuthorName
	if author == "" {
		author = s.t(c, "privacy.withdrawn_member")
	}
	return &apiArgument{ID: cm.ID, Stance: string(cm.Stance), Author: author, BodyHTML: string(cm.Body.HTML()),
		Up: cm.Up, Down: cm.Down, URL: s.cfg.BaseURL + "/comments/" + strconv.FormatInt(cm.ID, 10)}
}

// handleSupportConfirm shows the strongest arguments before a support: the
// page a support form without script is sent to, or, to a script that
// accepts JSON, what it must show and send back (seen=1, against, for).
func (s *Server) handleSupportConfirm(c *fiber.Ctx) error {
	p, v, err := s.proposalFor(c, paramID(c))
	if err != nil {
		return err
	}
	if v != forum.Seen {
		return forum.ErrNotFound
	}
	if !p.Status.TakesSupport() || !p.ModState.Visible() {
		return forum.Refuse(forum.ErrInvalidState, "err.support_closed")
	}
	args, err := s.strongestArguments(c.UserContext(), p.ID)
	if err != nil {
		return err
	}
	back := "/proposals/" + strconv.FormatInt(p.ID, 10) + "#support"
	if wantsJSON(c) {
		against, forID := args.IDs()
		return c.JSON(fiber.Map{"proposal_id": p.ID, "objection": args.Objection(),
			"against": s.apiArgument(c, args.Against), "for": s.apiArgument(c, args.For),
			"confirm": fiber.Map{"seen": 1, "against": against, "for": forID}})
	}
	u := currentUser(c)
	viewer, err := s.store.ViewerState(c.UserContext(), p.ID, u.ID)
	if err != nil {
		return err
	}
	// Nothing to confirm: already a supporter, or the proposal page says
	// what is missing (the tier), or there is no objection to read.
	if viewer.Supported || s.tierNeed(u, forum.ActionSupport) != "" || !args.Objection() {
		return c.Redirect(back, fiber.StatusSeeOther)
	}
	page := supportConfirmPage{base: s.base(c, s.t(c, "objection.page_title")), P: p, Args: args, Changed: c.Query("changed") == "1"}
	return s.page(c, fiber.StatusOK, "support_confirm", page)
}

// supportGate decides, for a new support of proposal id, whether it may be
// recorded now and whether it comes after the strongest objection (seen).
// When it may not (there is an objection the citizen has not confirmed, or
// confirmed as it was before it changed), it answers the request itself
// (answered) with the support step again, recording nothing. A support the
// store would refuse anyway (no such proposal, closed, the viewer's tier)
// or that changes nothing (already given) goes through, so the store's
// answer stands as before.
func (s *Server) supportGate(c *fiber.Ctx, id int64) (seen, answered bool, err error) {
	ctx := c.UserContext()
	args, err := s.strongestArguments(ctx, id)
	if err != nil || !args.Objection() {
		return false, false, err
	}
	u := currentUser(c)
	p, err := s.store.Proposal(ctx, id)
	if err != nil || !p.VisibleTo(u) || !p.Status.TakesSupport() || !p.ModState.Visible() || s.tierNeed(u, forum.ActionSupport) != "" {
		return false, false, nil
	}
	if viewer, err := s.store.ViewerState(ctx, id, u.ID); err != nil || viewer.Supported {
		return false, false, err
	}
	against, _ := strconv.ParseInt(c.FormValue("against"), 10, 64)
	forID, _ := strconv.ParseInt(c.FormValue("for"), 10, 64)
	confirmed := c.FormValue("seen") == "1"
	if confirmed && args.Shows(against, forID) {
		return true, false, nil
	}
	if wantsJSON(c) {
		return false, true, forum.Refuse(forum.ErrConflict, "err.objection_unseen")
	}
	to := "/proposals/" + strconv.FormatInt(id, 10) + "/support"
	if confirmed { // stale: the arguments changed while the citizen read them
		to += "?" + url.Values{"changed": {"1"}}.Encode()
	}
	return false, true, c.Redirect(to, fiber.StatusSeeOther)
}

// addSupportsAfterObjection fills in the supporters of each of items who
// read the strongest objection first, in one query.
func (s *Server) addSupportsAfterObjection(ctx context.Context, items []apiProposal) error {
	ids := make([]int64, len(items))
	for i := range items {
		ids[i] = items[i].ID
	}
	seen, err := s.store.SupportsAfterObjection(ctx, ids...)
	if err != nil {
		return err
	}
	for i := range items {
		items[i].SupportsAfterObjection = seen[items[i].ID]
	}
	return nil
}
