package web

import (
	"strconv"

	"github.com/e-people/e-people/forum"
	"github.com/e-people/e-people/forum/textdiff"
	"github.com/gofiber/fiber/v2"
)

// Edits told to supporters, with a diff (issue 18): the history page's
// diffs between revisions (any two chosen), one revision's diff
// (/proposals/{id}/revisions/{n}, where the author and moderators also see
// an edit waiting for a moderator), the one-click withdrawal of support
// because of an edit, the moderators' approval of substantial edits, and
// the notifications that tell supporters.

// pendingEditsShown is how many edits waiting for a moderator the review
// queue lists.
const pendingEditsShown = 100

// editView is part E's block of the proposal page: the author's (and the
// moderators') notice of an edit waiting for a moderator.
type editView struct {
	Pending   *forum.Revision // nil for none, or when the viewer may not see it
	Moderator bool            // the viewer may decide it
}

// editData gathers editView for p.
func (s *Server) editData(c *fiber.Ctx, p *forum.Proposal) (editView, error) {
	u := currentUser(c)
	if u == nil {
		return editView{}, nil
	}
	v := editView{Moderator: forum.CanModerate(u, nil) && u.ID != p.AuthorID}
	if u.ID != p.AuthorID && !v.Moderator {
		return v, nil
	}
	var err error
	v.Pending, err = s.store.PendingEdit(c.UserContext(), p.ID)
	return v, err
}

// editRoutes are part E's routes.
func (s *Server) editRoutes() []route {
	const get, post = fiber.MethodGet, fiber.MethodPost
	return []route{
		{get, "/proposals/:id<int>/revisions/:n<int>", nil, s.handleRevision},
		{post, "/proposals/:id<int>/edits/unsupport", []fiber.Handler{s.signedIn}, s.handleEditUnsupport},
		// Under /moderation: the staff's guard of that section applies.
		{post, "/moderation/edits/:id<int>/:n<int>", nil, s.handleEditDecide},
	}
}

// diffView is one diff between two revisions, as the pages draw it.
type diffView struct {
	From, To   *forum.Revision
	Title      []textdiff.Op // the title's diff, drawn by the template "diff-ops" (which escapes every piece)
	Body       []textdiff.Op // the body source's diff
	Changed    bool          // anything changed at all
	ChangedPct int
}

// makeDiff compares two revisions: the title, and the body's source.
func makeDiff(from, to *forum.Revision) diffView {
	title, body := textdiff.Diff(from.Title, to.Title), textdiff.Diff(from.BodySrc, to.BodySrc)
	return diffView{From: from, To: to, Title: title, Body: body,
		Changed:    textdiff.Changed(title) || textdiff.Changed(body),
		ChangedPct: forum.EditChangedPercent(from.Title, from.BodySrc, to.Title, to.BodySrc)}
}

// historyPage is the history of a proposal's shown revisions, as diffs.
type historyPage struct {
	base
	P         *forum.Proposal
	Revisions []forum.Revision // shown ones, oldest first
	Diffs     []diffView       // newest first
	First     *forum.Revision  // the original text, when every diff is listed
	From, To  int              // the two revisions chosen, 0 for all
	// SelFrom and SelTo are the revisions the chooser selects: the chosen
	// ones, else the last two.
	SelFrom, SelTo int
	Supported      bool            // the viewer supports the proposal: the withdrawal button
	Pending        *forum.Revision // the revision page's edit waiting for a moderator (or rejected): its state
	Moderator      bool            // the viewer may decide Pending
}

// handleProposalHistory shows the diffs between consecutive revisions,
// newest first, or between the two chosen (?from=N&to=M, to defaulting to
// the newest).
func (s *Server) handleProposalHistory(c *fiber.Ctx) error {
	p, page, err := s.historyBase(c)
	if err != nil || p == nil {
		return err
	}
	revs := page.Revisions
	at := func(n int) *forum.Revision {
		for i := range revs {
			if revs[i].Number == n {
				return &revs[i]
			}
		}
		return nil
	}
	if c.Query("from") != "" || c.Query("to") != "" {
		from, to := queryRevision(c, "from"), queryRevision(c, "to")
		if to == 0 {
			to = revs[len(revs)-1].Number
		}
		if from == 0 {
			from = revs[0].Number
		}
		a, b := at(from), at(to)
		if a == nil || b == nil {
			return forum.Refuse(forum.ErrNotFound, "err.edit_no_revision")
		}
		if a.Number > b.Number {
			a, b = b, a
		}
		page.From, page.To = a.Number, b.Number
		page.SelFrom, page.SelTo = page.From, page.To
		page.Diffs = []diffView{makeDiff(a, b)}
		return s.page(c, fiber.StatusOK, "history", page)
	}
	for i := len(revs) - 1; i > 0; i-- {
		page.Diffs = append(page.Diffs, makeDiff(&revs[i-1], &revs[i]))
	}
	page.First = &revs[0]
	page.SelTo = revs[len(revs)-1].Number
	page.SelFrom = revs[max(len(revs)-2, 0)].Number
	return s.page(c, fiber.StatusOK, "history", page)
}

// queryRevision reads a revision number from the query; 0 when absent or
// not a number.
func queryRevision(c *fiber.Ctx, key string) int {
	n, err := strconv.Atoi(c.Query(key))
	if err != nil || n < 0 {
		return 0
	}
	return n
}

// historyBase gathers what every diff page of proposal :id shows; a nil
// proposal means it answered already (a withheld proposal's page).
func (s *Server) historyBase(c *fiber.Ctx) (*forum.Proposal, historyPage, error) {
	p, v, err := s.proposalFor(c, paramID(c))
	if err != nil {
		return nil, historyPage{}, err
	}
	if v == forum.Withheld {
		return nil, historyPage{}, s.withheldPage(c, p)
	}
	revs, err := s.store.Revisions(c.UserContext(), p.ID)
	if err != nil {
		return nil, historyPage{}, err
	}
	if len(revs) == 0 {
		return nil, historyPage{}, forum.ErrNotFound
	}
	page := historyPage{base: s.base(c, s.t(c, "history.title", p.Title)), P: p, Revisions: revs}
	if u := currentUser(c); u != nil && u.ID != p.AuthorID {
		vs, err := s.store.ViewerState(c.UserContext(), p.ID, u.ID)
		if err != nil {
			return nil, historyPage{}, err
		}
		page.Supported = vs.Supported
	}
	return p, page, nil
}

// handleRevision shows revision :n against the shown revision before it.
// A revision waiting for a moderator, or turned down, is compared with the
// text shown when it was made, and only its author and moderators see it.
func (s *Server) handleRevision(c *fiber.Ctx) error {
	p, page, err := s.historyBase(c)
	if err != nil || p == nil {
		return err
	}
	n, _ := strconv.Atoi(c.Params("n"))
	r, err := s.store.Revision(c.UserContext(), p.ID, n)
	if err != nil {
		return err
	}
	u := currentUser(c)
	if r.State != forum.RevisionPublished {
		mod := forum.CanModerate(u, nil)
		if u == nil || (u.ID != p.AuthorID && !mod) {
			return forum.ErrNotFound
		}
		page.Pending, page.Moderator = r, mod && u.ID != p.AuthorID && r.State == forum.RevisionPending
	}
	var prev *forum.Revision
	for i := range page.Revisions {
		if page.Revisions[i].Number < n && (r.State == forum.RevisionPublished || !page.Revisions[i].CreatedAt.After(r.CreatedAt)) {
			prev = &page.Revisions[i]
		}
	}
	if prev == nil { // the first revision: nothing before it
		prev = r
	}
	page.From, page.To = prev.Number, r.Number
	page.SelFrom, page.SelTo = prev.Number, r.Number
	page.Title = s.t(c, "edit.revision_title", r.Number, p.Title)
	page.Diffs = []diffView{makeDiff(prev, r)}
	return s.page(c, fiber.StatusOK, "history", page)
}

// handleEditUnsupport withdraws the viewer's support because of an edit,
// in one click from the notification or the diff page, and goes back to
// that diff.
func (s *Server) handleEditUnsupport(c *fiber.Ctx) error {
	id, u := paramID(c), currentUser(c)
	vs, err := s.store.ViewerState(c.UserContext(), id, u.ID)
	if err != nil {
		return err
	}
	flash := "flash.edit_unsupport_none"
	if vs.Supported {
		if _, err := s.store.Unsupport(c.UserContext(), id, u.ID); err != nil {
			return err
		}
		flash = "flash.edit_unsupported"
	}
	s.flash(c, flash)
	to := "/proposals/" + strconv.FormatInt(id, 10) + "/history"
	from, upto := atoiForm(c, "from"), atoiForm(c, "to")
	if from > 0 || upto > 0 {
		to += "?from=" + strconv.Itoa(from)
		if upto > 0 {
			to += "&to=" + strconv.Itoa(upto)
		}
	}
	return c.Redirect(to+"#withdraw", fiber.StatusSeeOther)
}

func atoiForm(c *fiber.Ctx, key string) int {
	n, err := strconv.Atoi(c.FormValue(key))
	if err != nil || n < 0 {
		return 0
	}
	return n
}

// handleEditDecide approves or rejects (with a reason) an edit waiting for
// a moderator.
func (s *Server) handleEditDecide(c *fiber.Ctx) error {
	id := paramID(c)
	n, _ := strconv.Atoi(c.Params("n"))
	var approve bool
	switch c.FormValue("decision") {
	case "approve":
		approve = true
	case "reject":
	default:
		return fiber.NewError(fiber.StatusBadRequest, "err.bad_decision")
	}
	err := s.store.DecideEdit(c.UserContext(), currentUser(c), id, n, approve, c.FormValue("reason"), forum.DefaultRules)
	if err != nil {
		return err
	}
	flash := "flash.edit_rejected"
	if approve {
		flash = "flash.edit_approved"
	}
	return s.back(c, flash, "/moderation#edits")
}

// pendingEditView is an edit waiting for a moderator, as the review queue
// shows it.
type pendingEditView struct {
	forum.PendingEdit
	Diff diffView
}

// pendingEdits gathers the review queue's edits waiting for a moderator,
// each with its diff from the text shown.
func (s *Server) pendingEdits(c *fiber.Ctx) ([]pendingEditView, error) {
	list, err := s.store.PendingEdits(c.UserContext(), pendingEditsShown)
	if err != nil {
		return nil, err
	}
	out := make([]pendingEditView, len(list))
	for i, e := range list {
		shown := &forum.Revision{Number: e.Proposal.Revisions, Title: e.Proposal.Title, BodySrc: e.Proposal.BodySrc}
		next := &forum.Revision{Number: e.Number, Title: e.Title, BodySrc: e.BodySrc, CreatedAt: e.CreatedAt}
		out[i] = pendingEditView{PendingEdit: e, Diff: makeDiff(shown, next)}
	}
	return out, nil
}

// editNoteLink is the diff a proposal_edited notification points to: from
// the revision it starts at to the newest.
func editNoteLink(d noteData) string {
	if d.ProposalID == 0 {
		return ""
	}
	link := "/proposals/" + strconv.FormatInt(d.ProposalID, 10) + "/history"
	if d.From > 0 {
		link += "?from=" + strconv.FormatInt(d.From, 10)
	}
	return link
}

func init() {
	title := func(d noteData) string {
		if d.Title != "" {
			return d.Title
		}
		return "#" + strconv.FormatInt(d.ProposalID, 10)
	}
	noteKinds[forum.NoteProposalEdited] = noteKind{
		text: func(cat catalog, _ string, _ forum.Notification, d noteData, _ []byte, _ func(int64) string) string {
			return cat.T("note.proposal_edited", title(d))
		},
		link: func(d noteData, _ []byte) string { return editNoteLink(d) },
		action: func(cat catalog, d noteData, _ []byte) *noteAction {
			if d.ProposalID == 0 {
				return nil
			}
			return &noteAction{Path: "/proposals/" + strconv.FormatInt(d.ProposalID, 10) + "/edits/unsupport",
				Label: cat.T("edit.withdraw"), Fields: map[string]string{"from": strconv.FormatInt(d.From, 10)}}
		},
	}
	noteKinds[forum.NoteEditApproved] = noteKind{
		text: func(cat catalog, _ string, _ forum.Notification, d noteData, _ []byte, _ func(int64) string) string {
			return cat.T("note.edit_approved", title(d))
		},
		link: func(d noteData, _ []byte) string { return revisionLink(d) },
	}
	noteKinds[forum.NoteEditRejected] = noteKind{
		text: func(cat catalog, _ string, _ forum.Notification, d noteData, _ []byte, _ func(int64) string) string {
			return cat.T("note.edit_rejected", title(d), d.Reason)
		},
		link: func(d noteData, _ []byte) string { return revisionLink(d) },
	}
}

// revisionLink is the page of the revision a moderator decided.
func revisionLink(d noteData) string {
	if d.ProposalID == 0 || d.Revision == 0 {
		return ""
	}
	return "/proposals/" + strconv.FormatInt(d.ProposalID, 10) + "/revisions/" + strconv.Itoa(d.Revision)
}
