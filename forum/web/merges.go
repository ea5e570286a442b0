package web

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"strings"

	"github.com/e-people/e-people/forum"
	"github.com/gofiber/fiber/v2"
)

// Merging duplicates (issue 18): the proposal page's merge block (the form
// for those who may, the signpost on a merged proposal, the "merged from"
// note on the one it went into, the undo button while it is allowed), the
// confirmation page, the undo, the notifications and the open data.

// mergeItem is one standing merge as a page shows it.
type mergeItem struct {
	*forum.Merge
	CanUndo bool // the viewer may undo it now
}

// mergeView is the proposal page's merge block.
type mergeView struct {
	Into     *mergeItem        // this proposal is a signpost: the merge that took it into another
	From     []mergeItem       // the standing merges of other proposals into this one
	CanMerge bool              // the viewer may merge this proposal into another
	Similar  []*forum.Proposal // proposals it could go into, from the similar-proposal search
}

// mergeData gathers mergeView for p.
func (s *Server) mergeData(c *fiber.Ctx, p *forum.Proposal) (mergeView, error) {
	var v mergeView
	u := currentUser(c)
	ms, err := s.store.ProposalMerges(c.UserContext(), p.ID)
	if err != nil {
		return v, err
	}
	now := s.cfg.Now()
	for _, m := range ms {
		if m.Undone() {
			continue
		}
		it := mergeItem{Merge: m, CanUndo: m.UndoableAt(now) && forum.MergeStaff(u, p.MinistryID)}
		if m.FromID == p.ID {
			if p.MergedInto == m.IntoID && v.Into == nil {
				v.Into = &it
			}
		} else {
			v.From = append(v.From, it)
		}
	}
	v.CanMerge = mergeable(u, p)
	if v.CanMerge {
		if v.Similar, err = s.mergeCandidates(c.UserContext(), u, p); err != nil {
			return v, err
		}
	}
	return v, nil
}

// mergeable reports whether u may merge p into some other proposal, as far as p alone tells.
func mergeable(u *forum.User, p *forum.Proposal) bool {
	return forum.MergeStaff(u, p.MinistryID) && !p.Merged() && p.ModState.Visible() && forum.MergeableFrom(p.Status)
}

// mergeCandidates are the proposals similar to p that u may merge p into.
func (s *Server) mergeCandidates(ctx context.Context, u *forum.User, p *forum.Proposal) ([]*forum.Proposal, error) {
	similar, err := s.store.SimilarProposals(ctx, p.Title, 8)
	if err != nil {
		return nil, err
	}
	var out []*forum.Proposal
	for _, q := range similar {
		if forum.CanMerge(u, q, p) == nil {
			out = append(out, q)
		}
	}
	return out, nil
}

// mergeRoutes are the merge form, its confirmation, the merge and its undo.
func (s *Server) mergeRoutes() []route {
	staffPowers := []fiber.Handler{s.signedIn, s.staffReady}
	return []route{
		{fiber.MethodGet, "/proposals/:id<int>/merge", staffPowers, s.handleMergeConfirm},
		{fiber.MethodPost, "/proposals/:id<int>/merge", staffPowers, s.handleMerge},
		{fiber.MethodPost, "/merges/:id<int>/undo", staffPowers, s.handleMergeUndo},
		{fiber.MethodGet, "/open-data/merges.csv", nil, s.download("merges", s.eachMergeRecord)},
		{fiber.MethodGet, "/open-data/merges.ndjson", nil, s.download("merges", s.eachMergeRecord)},
	}
}

// mergePage is the confirmation page of a merge: both proposals, what will
// happen, the reason.
type mergePage struct {
	base
	From, Into *forum.Proposal
	Similar    []*forum.Proposal
	Form       formState
}

// mergeTarget reads the proposal the form names to merge into: "number",
// typed in (with or without "#"), or else "into", a choice among the
// similar ones (or the confirmation page's).
func mergeTarget(c *fiber.Ctx) (int64, error) {
	v := strings.TrimPrefix(strings.TrimSpace(c.FormValue("number")), "#")
	if v == "" {
		v = strings.TrimSpace(c.FormValue("into"))
	}
	if v == "" {
		return 0, forum.Invalid("into", "err.merge_into_required")
	}
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil || id <= 0 {
		return 0, forum.Invalid("into", "err.merge_into_number")
	}
	return id, nil
}

// handleMergeConfirm shows what merging proposal :id into the one the
// form names would do, and asks for the confirmation (and the reason).
func (s *Server) handleMergeConfirm(c *fiber.Ctx) error {
	return s.mergeForm(c, fiber.StatusOK, nil)
}

// mergeForm draws the confirmation page; a non-nil err (the form's
// problem, or the store's refusal) draws it again with status and the message.
func (s *Server) mergeForm(c *fiber.Ctx, status int, ferr error) error {
	ctx := c.UserContext()
	u := currentUser(c)
	from, err := s.store.Proposal(ctx, paramID(c))
	if err != nil {
		return err
	}
	if !forum.MergeStaff(u, from.MinistryID) {
		return forum.Refuse(forum.ErrForbidden, "err.merge_forbidden")
	}
	page := mergePage{base: s.base(c, s.t(c, "merge.title")), From: from,
		Form: formState{Values: map[string]string{"number": c.FormValue("number"), "into": c.FormValue("into"), "reason": c.FormValue("reason")}}}
	if page.Similar, err = s.mergeCandidates(ctx, u, from); err != nil {
		return err
	}
	if c.FormValue("number") != "" || c.FormValue("into") != "" {
		// The proposal named, when it may take this one: the page confirms
		// the pair (again, after a missing reason).
		id, err := mergeTarget(c)
		if err == nil {
			if page.Into, err = s.store.Proposal(ctx, id); errors.Is(err, forum.ErrNotFound) {
				err = forum.Invalid("into", "err.merge_not_found")
			}
		}
		if err == nil {
			err = forum.CanMerge(u, page.Into, from)
		}
		if err != nil {
			page.Into, status = nil, fiber.StatusBadRequest
			if ferr == nil {
				ferr = err
			}
		}
	}
	if ferr != nil {
		var rf *forum.Refusal
		if errors.As(ferr, &rf) {
			ferr = forum.Invalid("into", rf.Key, rf.Args...)
		}
		fe, ok := s.formErrors(c, ferr)
		if !ok {
			return ferr
		}
		page.Form.Errors = fe
	}
	return s.page(c, status, "merge", page)
}

// handleMerge merges proposal :id into the proposal the form names.
func (s *Server) handleMerge(c *fiber.Ctx) error {
	into, err := mergeTarget(c)
	if err != nil {
		return s.mergeForm(c, fiber.StatusBadRequest, err)
	}
	m, err := s.store.MergeProposal(c.UserContext(), currentUser(c), paramID(c), into, c.FormValue("reason"))
	if err != nil {
		var rf *forum.Refusal
		if _, ok := forum.AsValidation(err); ok || (errors.As(err, &rf) && !errors.Is(rf.Err, forum.ErrForbidden)) {
			return s.mergeForm(c, fiber.StatusBadRequest, err)
		}
		return err
	}
	s.flash(c, "flash.merged")
	return c.Redirect("/proposals/"+strconv.FormatInt(m.FromID, 10)+"#merge", fiber.StatusSeeOther)
}

// handleMergeUndo undoes merge :id, with the reason the form gives.
func (s *Server) handleMergeUndo(c *fiber.Ctx) error {
	m, err := s.store.UndoMerge(c.UserContext(), currentUser(c), paramID(c), c.FormValue("reason"))
	if err != nil {
		return err
	}
	s.flash(c, "flash.merge_undone")
	return c.Redirect("/proposals/"+strconv.FormatInt(m.FromID, 10), fiber.StatusSeeOther)
}

// apiMerge is one merge as published; documented in openDataSets ("merges").
type apiMerge struct {
	ID         int64   `json:"id"`
	FromID     int64   `json:"from_id"`
	IntoID     int64   `json:"into_id"`
	ActorRole  string  `json:"actor_role"`
	Ministry   string  `json:"ministry"` // the ministry an official merged for; "" for a moderator
	Reason     string  `json:"reason"`
	Moved      int     `json:"moved"`
	Added      int     `json:"added"`
	CreatedAt  *string `json:"created_at"`
	UndoneAt   *string `json:"undone_at"`
	UndoReason string  `json:"undo_reason"`
}

func (s *Server) eachMergeRecord(ctx context.Context, n names, emit func(record) error) error {
	return s.store.EachMerge(ctx, func(m *forum.Merge) error {
		ministry := ""
		if m.MinistryID != 0 {
			ministry = n.ministry(m.MinistryID)
		}
		return emit(record{m.ID, m.FromID, m.IntoID, string(m.ActorRole), ministry, m.Reason, m.Moved, m.Added,
			rfc3339(m.CreatedAt), rfc3339(m.UndoneAt), m.UndoReason})
	})
}

// apiMerges returns what /api/v1/proposals/{id} says of p's merges: the
// proposal it was merged into (nil for none) and those merged into it.
func (s *Server) apiMerges(ctx context.Context, p *forum.Proposal) (*int64, []int64, error) {
	ms, err := s.store.ProposalMerges(ctx, p.ID)
	if err != nil {
		return nil, nil, err
	}
	var into *int64
	if p.Merged() {
		id := p.MergedInto
		into = &id
	}
	from := []int64{}
	for _, m := range ms {
		if !m.Undone() && m.IntoID == p.ID {
			from = append(from, m.FromID)
		}
	}
	return into, from, nil
}

func init() {
	link := func(d noteData, raw []byte) string {
		return "/proposals/" + strconv.FormatInt(mergeNoteData(raw).ProposalID, 10)
	}
	noteKinds[forum.NoteMerged] = noteKind{link: link,
		text: func(cat catalog, lang string, _ forum.Notification, _ noteData, raw []byte, _ func(int64) string) string {
			d := mergeNoteData(raw)
			return cat.T("note.proposal_merged", d.FromTitle, d.Title, d.Reason)
		}}
	noteKinds[forum.NoteMergeUndone] = noteKind{link: func(d noteData, raw []byte) string {
		return "/proposals/" + strconv.FormatInt(mergeNoteData(raw).FromID, 10)
	}, text: func(cat catalog, lang string, _ forum.Notification, _ noteData, raw []byte, _ func(int64) string) string {
		d := mergeNoteData(raw)
		return cat.T("note.merge_undone", d.FromTitle, d.Title, d.Reason)
	}}
}

// mergeNote is the data of a merge's notification (store.notifyMerge).
type mergeNote struct {
	ProposalID int64  `json:"proposal_id"`
	FromID     int64  `json:"from_id"`
	FromTitle  string `json:"from_title"`
	Title      string `json:"title"`
	Reason     string `json:"reason"`
}

func mergeNoteData(raw []byte) mergeNote {
	var d mergeNote
	_ = json.Unmarshal(raw, &d) // data it cannot read says nothing
	return d
}
