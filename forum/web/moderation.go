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

// capResets is when a daily cap spent since midnight (Korea time) resets: the next midnight.
func capResets(e *store.CapError) time.Time {
	return e.Since.In(seoul).AddDate(0, 0, 1)
}

// dailyCap is u's cap on a for today (Korea time), for the store to spend
// inside the write that records a; nil for staff, who are not capped. On the
// account's first day its comments are capped by the lower of the two
// comment caps. An activity without a cap is an error (forum.DailyCaps.Of).
func (s *Server) dailyCap(u *forum.User, a store.Activity) (*store.Cap, error) {
	if u.Role.IsStaff() {
		return nil, nil
	}
	caps := s.store.Settings().Caps
	limit, err := caps.Of(string(a))
	if err != nil {
		return nil, err
	}
	now := s.cfg.Now().In(seoul)
	if a == store.ActivityComments && now.Sub(u.CreatedAt) < 24*time.Hour {
		limit = min(limit, caps.CommentsFirstDay)
	}
	return &store.Cap{Max: limit, Since: time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, seoul)}, nil
}

// parsedRules are the content rules drawn from one banned-terms setting.
type parsedRules struct {
	terms string // the setting as stored
	rules moderation.Rules
}

// contentRules are the rules in force: the admins' banned terms, or the
// defaults. They are parsed again only when the setting has changed since
// the last post, not for every post; the terms are shared, never modified.
func (s *Server) contentRules() moderation.Rules {
	terms := s.store.Settings().BannedTerms
	if p := s.rules.Load(); p != nil && p.terms == terms {
		return p.rules
	}
	r := moderation.DefaultRules()
	if terms != "" {
		r.BannedTerms = moderation.ParseTerms(terms)
	}
	s.rules.Store(&parsedRules{terms: terms, rules: r})
	return r
}

// screen runs the content rules over a new post by u: a rejection comes back
// as a validation error on field, a hold as the rules tripped.
func (s *Server) screen(c *fiber.Ctx, u *forum.User, field, text string) (hold []string, err error) {
	rules := s.contentRules()
	now := s.cfg.Now()
	recent, approved, err := s.store.AuthorFacts(c.UserContext(), u.ID, now.Add(-rules.DuplicateWindow))
	if err != nil {
		return nil, err
	}
	v := rules.Check(moderation.Author{Age: now.Sub(u.CreatedAt), ApprovedPosts: approved, Staff: u.Role.IsStaff(), Held: u.Held},
		moderation.Post{Text: text, Recent: recent})
	switch v.Action {
	case moderation.Reject:
		return nil, forum.Invalid(field, v.Key)
	case moderation.Hold:
		return v.Rules, nil
	}
	return nil, nil
}

// staffOnly lets moderators and admins through; everyone else gets 403.
func (s *Server) staffOnly(c *fiber.Ctx) error {
	if !forum.IsModerator(currentUser(c)) {
		return forum.Refuse(forum.ErrForbidden, "err.staff_only")
	}
	return c.Next()
}

// adminOnly lets admins through; everyone else gets 403.
func (s *Server) adminOnly(c *fiber.Ctx) error {
	if u := currentUser(c); !u.CanAdminister() {
		return forum.Refuse(forum.ErrForbidden, "err.admin_only")
	}
	return c.Next()
}

// itemPath is the page of a moderated item.
func itemPath(kind forum.ItemKind, id int64, c *forum.Comment) string {
	switch kind {
	case forum.ItemProposal:
		return "/proposals/" + strconv.FormatInt(id, 10)
	case forum.ItemUser:
		return "/users/" + strconv.FormatInt(id, 10)
	}
	if c != nil {
		return commentURL(c)
	}
	return "/"
}

// back redirects to a local path from the form, or to fallback.
func (s *Server) back(c *fiber.Ctx, flash, fallback string) error {
	if flash != "" {
		s.flash(c, flash)
	}
	to := c.FormValue("next")
	if to == "" {
		to = fallback
	}
	return c.Redirect(localPath(to), fiber.StatusSeeOther)
}

type reportPage struct {
	base
	Kind    forum.ItemKind
	ItemID  int64
	Summary string // what is being reported, as plain text
	Reasons []moderation.ReportReason
	Form    formState
}

// reportTarget describes an item for the report and moderation forms.
func (s *Server) reportTarget(c *fiber.Ctx, kind forum.ItemKind, id int64) (summary, path string, err error) {
	ctx := c.UserContext()
	// One reports what one can see; of a withheld item, only that it is there.
	switch kind {
	case forum.ItemProposal:
		p, v, err := s.proposalFor(c, id)
		if err != nil {
			return "", "", err
		}
		if v != forum.Seen {
			return s.t(c, "hidden.proposal_title"), itemPath(kind, id, nil), nil
		}
		return p.Title, itemPath(kind, id, nil), nil
	case forum.ItemComment:
		cm, v, err := s.commentFor(c, id)
		if err != nil {
			return "", "", err
		}
		if v != forum.Seen {
			return s.t(c, "hidden.comment_held"), commentURL(cm), nil
		}
		return cm.AuthorName + ": " + truncate(cm.BodySrc, 140), commentURL(cm), nil
	case forum.ItemUser:
		u, err := s.store.User(ctx, id)
		if err != nil {
			return "", "", err
		}
		return u.Name, itemPath(kind, id, nil), nil
	}
	return "", "", fiber.NewError(fiber.StatusBadRequest, "err.bad_item")
}

func truncate(s string, n int) string {
	r := []rune(strings.Join(strings.Fields(s), " "))
	if len(r) <= n {
		return string(r)
	}
	return string(r[:n]) + "…"
}

func (s *Server) handleReportForm(c *fiber.Ctx) error {
	kind := forum.ItemKind(c.Query("kind"))
	id, _ := strconv.ParseInt(c.Query("id"), 10, 64)
	summary, _, err := s.reportTarget(c, kind, id)
	if err != nil {
		return err
	}
	return s.page(c, fiber.StatusOK, "report", reportPage{base: s.base(c, s.t(c, "report.title")), Kind: kind, ItemID: id,
		Summary: summary, Reasons: moderation.AllReportReasons()})
}

func (s *Server) handleReport(c *fiber.Ctx) error {
	u := currentUser(c)
	kind := forum.ItemKind(c.FormValue("kind"))
	id := formID(c, "id")
	summary, path, err := s.reportTarget(c, kind, id)
	if err != nil {
		return err
	}
	reason := moderation.ReportReason(c.FormValue("reason"))
	text := strings.TrimSpace(moderation.PlainText(c.FormValue("text")))
	var errs forum.ValidationErrors
	if !reason.Valid() {
		errs = append(errs, forum.Invalid("reason", "err.reason_required"))
	} else if reason.NeedsText() && text == "" {
		errs = append(errs, forum.Invalid("text", "err.report_text_required"))
	}
	if len([]rune(text)) > 1000 {
		errs = append(errs, forum.Invalid("text", "err.body_too_long", 1000))
	}
	if errs != nil {
		fe, _ := s.formErrors(c, errs)
		return s.page(c, fiber.StatusBadRequest, "report", reportPage{base: s.base(c, s.t(c, "report.title")), Kind: kind, ItemID: id,
			Summary: summary, Reasons: moderation.AllReportReasons(),
			Form: formState{Values: map[string]string{"reason": string(reason), "text": text}, Errors: fe}})
	}
	limit, err := s.dailyCap(u, store.ActivityReports)
	if err != nil {
		return err
	}
	_, err = s.store.Report(c.UserContext(), forum.Report{Kind: kind, ItemID: id, ReporterID: u.ID, Reason: string(reason), Text: text},
		s.store.Settings().AutoHide, limit)
	if errors.Is(err, forum.ErrConflict) {
		s.flash(c, "flash.already_reported")
		return c.Redirect(path, fiber.StatusSeeOther)
	}
	if err != nil {
		return err
	}
	s.flash(c, "flash.reported")
	return c.Redirect(path, fiber.StatusSeeOther)
}

type queuePage struct {
	base
	Items       []*forum.ReviewItem
	Stats       store.ModStats
	HideReasons []moderation.HideReason
	Now         time.Time // to tell a claim that holds from one that lapsed
	// After "apply to selected": how many entries were decided, and a line
	// for each one skipped (claimed by someone else, or decided meanwhile).
	Decided int
	Skipped []skipNote
	// Edits are the substantial edits waiting for a moderator (issue 18, edits.go).
	Edits []pendingEditView
}

// skipNote is one entry "apply to selected" left alone, and why.
type skipNote struct {
	ID   int64 // the review entry, whose card is #r<ID>
	Text string
}

func (s *Server) handleQueue(c *fiber.Ctx) error {
	p, err := s.queuePage(c)
	if err != nil {
		return err
	}
	return s.page(c, fiber.StatusOK, "moderation", p)
}

// queuePage gathers the review queue and the moderators' figures.
func (s *Server) queuePage(c *fiber.Ctx) (queuePage, error) {
	items, err := s.store.Queue(c.UserContext(), 200)
	if err != nil {
		return queuePage{}, err
	}
	stats, err := s.store.ModerationStats(c.UserContext())
	if err != nil {
		return queuePage{}, err
	}
	edits, err := s.pendingEdits(c)
	if err != nil {
		return queuePage{}, err
	}
	return queuePage{base: s.base(c, s.t(c, "mod.queue_title")), Items: items, Stats: stats,
		HideReasons: moderation.AllHideReasons(), Now: s.cfg.Now(), Edits: edits}, nil
}

func (s *Server) handleClaim(c *fiber.Ctx) error {
	if err := s.store.Claim(c.UserContext(), currentUser(c), paramID(c)); err != nil {
		return err // a claim that holds names its moderator and its end (forum.ClaimedError)
	}
	return s.back(c, "flash.claimed", "/moderation#r"+c.Params("id"))
}

func (s *Server) handleDecide(c *fiber.Ctx) error {
	d := moderation.Decision(c.FormValue("decision"))
	if !d.Valid() {
		return fiber.NewError(fiber.StatusBadRequest, "err.bad_decision")
	}
	if err := s.store.Decide(c.UserContext(), currentUser(c), paramID(c), d, moderation.HideReason(c.FormValue("reason"))); err != nil {
		return err
	}
	return s.back(c, "flash.decided", "/moderation")
}

// handleBulk applies one decision to every selected entry, each in its own
// transaction. Entries another moderator's claim holds, and entries decided
// meanwhile, are skipped: the queue comes back saying which, and why.
func (s *Server) handleBulk(c *fiber.Ctx) error {
	d := moderation.Decision(c.FormValue("decision"))
	if !d.Valid() {
		return fiber.NewError(fiber.StatusBadRequest, "err.bad_decision")
	}
	reason := moderation.HideReason(c.FormValue("reason"))
	if d == moderation.DecisionReject && !reason.Valid() {
		return fiber.NewError(fiber.StatusBadRequest, "err.reason_required")
	}
	var ids []int64
	c.Request().PostArgs().VisitAll(func(k, v []byte) {
		if string(k) == "ids" {
			if id, err := strconv.ParseInt(string(v), 10, 64); err == nil {
				ids = append(ids, id)
			}
		}
	})
	if len(ids) == 0 {
		return fiber.NewError(fiber.StatusBadRequest, "err.nothing_selected")
	}
	lang := s.lang(c)
	var skipped []skipNote
	decided := 0
	for _, id := range ids {
		err := s.store.Decide(c.UserContext(), currentUser(c), id, d, reason)
		var cl *forum.ClaimedError
		var rf *forum.Refusal
		switch {
		case errors.As(err, &cl):
			skipped = append(skipped, skipNote{id, s.t(c, "mod.bulk_skipped_claimed", id, cl.By, formatDate(lang, cl.Until))})
		case errors.As(err, &rf) && rf.Key == "err.review_decided":
			skipped = append(skipped, skipNote{id, s.t(c, "mod.bulk_skipped_decided", id)})
		case err != nil:
			return err
		default:
			decided++
		}
	}
	if len(skipped) == 0 {
		return s.back(c, "flash.decided", "/moderation")
	}
	p, err := s.queuePage(c)
	if err != nil {
		return err
	}
	p.Decided, p.Skipped = decided, skipped
	status := fiber.StatusOK
	if decided == 0 {
		status = fiber.StatusConflict
	}
	return s.page(c, status, "moderation", p)
}

type actPage struct {
	base
	Kind        forum.ItemKind
	ItemID      int64
	Summary     string
	Path        string
	HideReasons []moderation.HideReason
	Target      *forum.User // for user actions
}

// handleActForm shows the moderator's actions on one item: hide or restore content, lock threads, suspend accounts.
func (s *Server) handleActForm(c *fiber.Ctx) error {
	kind := forum.ItemKind(c.Query("kind"))
	id, _ := strconv.ParseInt(c.Query("id"), 10, 64)
	summary, path, err := s.reportTarget(c, kind, id)
	if err != nil {
		return err
	}
	p := actPage{base: s.base(c, s.t(c, "mod.act_title")), Kind: kind, ItemID: id, Summary: summary, Path: path, HideReasons: moderation.AllHideReasons()}
	if kind == forum.ItemUser {
		if p.Target, err = s.store.User(c.UserContext(), id); err != nil {
			return err
		}
	}
	return s.page(c, fiber.StatusOK, "moderation_act", p)
}

func (s *Server) handleHide(c *fiber.Ctx) error {
	kind := forum.ItemKind(c.FormValue("kind"))
	id := formID(c, "id")
	if err := s.store.Hide(c.UserContext(), currentUser(c), kind, id, moderation.HideReason(c.FormValue("reason"))); err != nil {
		return err
	}
	return s.back(c, "flash.hidden", "/moderation")
}

func (s *Server) handleRestore(c *fiber.Ctx) error {
	if err := s.store.Restore(c.UserContext(), currentUser(c), forum.ItemKind(c.FormValue("kind")), formID(c, "id")); err != nil {
		return err
	}
	return s.back(c, "flash.restored", "/moderation")
}

func (s *Server) handleLock(c *fiber.Ctx) error {
	var subj forum.Subject
	switch c.FormValue("kind") {
	case "proposal":
		subj = forum.ProposalSubject(formID(c, "id"))
	case "debate":
		subj = forum.DebateSubject(formID(c, "id"))
	default:
		return fiber.NewError(fiber.StatusBadRequest, "err.bad_item")
	}
	locked := c.FormValue("locked") == "1"
	if err := s.store.SetLock(c.UserContext(), currentUser(c), subj, locked); err != nil {
		return err
	}
	flash := "flash.unlocked"
	if locked {
		flash = "flash.locked"
	}
	return s.back(c, flash, subj.Path())
}

func (s *Server) handleSuspend(c *fiber.Ctx) error {
	id := paramID(c)
	var until time.Time
	switch d := c.FormValue("days"); d {
	case "ban":
	case "1", "3", "7", "30", "90":
		n, _ := strconv.Atoi(d)
		until = s.cfg.Now().Add(time.Duration(n) * 24 * time.Hour)
	default:
		return fiber.NewError(fiber.StatusBadRequest, "err.bad_duration")
	}
	if err := s.store.Suspend(c.UserContext(), currentUser(c), id, until, moderation.HideReason(c.FormValue("reason"))); err != nil {
		return err
	}
	return s.back(c, "flash.suspended", "/users/"+c.Params("id"))
}

func (s *Server) handleLift(c *fiber.Ctx) error {
	if err := s.store.Lift(c.UserContext(), currentUser(c), paramID(c)); err != nil {
		return err
	}
	return s.back(c, "flash.lifted", "/users/"+c.Params("id"))
}

func (s *Server) handleAppoint(c *fiber.Ctx) error {
	if err := s.store.Appoint(c.UserContext(), currentUser(c), paramID(c)); err != nil {
		return err
	}
	s.threads.reset() // the new role shows beside every comment of the user
	return s.back(c, "flash.appointed", "/users/"+c.Params("id"))
}

type appealFormPage struct {
	base
	Kind    forum.ItemKind
	ItemID  int64
	Summary string
	Form    formState
}

func (s *Server) handleAppealForm(c *fiber.Ctx) error {
	kind := forum.ItemKind(c.Query("kind"))
	id, _ := strconv.ParseInt(c.Query("id"), 10, 64)
	summary, _, err := s.ownHidden(c, kind, id)
	if err != nil {
		return err
	}
	return s.page(c, fiber.StatusOK, "appeal", appealFormPage{base: s.base(c, s.t(c, "appeal.title")), Kind: kind, ItemID: id, Summary: summary})
}

// ownHidden checks that the viewer wrote the item, for appeals.
func (s *Server) ownHidden(c *fiber.Ctx, kind forum.ItemKind, id int64) (summary, path string, err error) {
	ctx := c.UserContext()
	u := currentUser(c)
	switch kind {
	case forum.ItemProposal:
		p, err := s.store.Proposal(ctx, id)
		if err != nil {
			return "", "", err
		}
		if p.AuthorID != u.ID {
			return "", "", forum.Refuse(forum.ErrForbidden, "err.not_your_proposal")
		}
		return p.Title, itemPath(kind, id, nil), nil
	case forum.ItemComment:
		cm, err := s.store.Comment(ctx, id)
		if err != nil {
			return "", "", err
		}
		if cm.AuthorID != u.ID {
			return "", "", forum.Refuse(forum.ErrForbidden, "err.not_your_comment")
		}
		return truncate(cm.BodySrc, 140), commentURL(cm), nil
	}
	return "", "", fiber.NewError(fiber.StatusBadRequest, "err.bad_item")
}

func (s *Server) handleAppeal(c *fiber.Ctx) error {
	kind := forum.ItemKind(c.FormValue("kind"))
	id := formID(c, "id")
	summary, path, err := s.ownHidden(c, kind, id)
	if err != nil {
		return err
	}
	text := strings.TrimSpace(strings.ReplaceAll(c.FormValue("text"), "\r\n", "\n"))
	if text == "" || len([]rune(text)) > 2000 {
		fe := s.formError(c, "text", "err.appeal_text", 2000)
		return s.page(c, fiber.StatusBadRequest, "appeal", appealFormPage{base: s.base(c, s.t(c, "appeal.title")), Kind: kind, ItemID: id,
			Summary: summary, Form: formState{Values: map[string]string{"text": text}, Errors: fe}})
	}
	if err := s.store.FileAppeal(c.UserContext(), currentUser(c).ID, kind, id, text); err != nil {
		return err
	}
	s.flash(c, "flash.appealed")
	return c.Redirect(path, fiber.StatusSeeOther)
}

type appealsPage struct {
	base
	Appeals []*forum.Appeal
}

func (s *Server) handleAppeals(c *fiber.Ctx) error {
	list, err := s.store.PendingAppeals(c.UserContext())
	if err != nil {
		return err
	}
	return s.page(c, fiber.StatusOK, "moderation_appeals", appealsPage{base: s.base(c, s.t(c, "mod.appeals_title")), Appeals: list})
}

func (s *Server) handleAppealDecide(c *fiber.Ctx) error {
	grant := c.FormValue("grant") == "1"
	reason := truncate(moderation.PlainText(c.FormValue("reason")), 500)
	if err := s.store.DecideAppeal(c.UserContext(), currentUser(c), paramID(c), grant, reason); err != nil {
		return err
	}
	return s.back(c, "flash.decided", "/moderation/appeals")
}

type logPage struct {
	base
	Actions []forum.ModAction
	NextURL string
}

func (s *Server) moderationLog(c *fiber.Ctx) ([]forum.ModAction, int64, error) {
	before, _ := strconv.ParseInt(c.Query("before"), 10, 64)
	list, err := s.store.ModerationLog(c.UserContext(), before, 101)
	if err != nil {
		return nil, 0, err
	}
	var next int64
	if len(list) > 100 {
		list = list[:100]
		next = list[99].ID
	}
	return list, next, nil
}

func (s *Server) handleModerationLog(c *fiber.Ctx) error {
	list, next, err := s.moderationLog(c)
	if err != nil {
		return err
	}
	p := logPage{base: s.base(c, s.t(c, "mod.log_title")), Actions: list}
	if next != 0 {
		p.NextURL = "/moderation/log?before=" + strconv.FormatInt(next, 10)
	}
	return s.page(c, fiber.StatusOK, "moderation_log", p)
}

// handleModerationLogAPI is the public log as open data: item, action, reason code, time and acting role; never reporters or report text.
func (s *Server) handleModerationLogAPI(c *fiber.Ctx) error {
	list, next, err := s.moderationLog(c)
	if err != nil {
		return err
	}
	type row struct {
		ID        int64  `json:"id"`
		Time      string `json:"time"`
		Action    string `json:"action"`
		ItemKind  string `json:"item_kind"`
		ItemID    int64  `json:"item_id"`
		Reason    string `json:"reason_code"`
		ActorRole string `json:"actor_role"`
		Before    string `json:"before"`
		After     string `json:"after"`
	}
	out := struct {
		Items []row  `json:"items"`
		Next  string `json:"next,omitempty"`
	}{Items: []row{}}
	for _, a := range list {
		out.Items = append(out.Items, row{a.ID, a.CreatedAt.UTC().Format(time.RFC3339), a.Action, string(a.Kind), a.ItemID, a.ReasonCode, a.ActorRole, a.Before, a.After})
	}
	if next != 0 {
		out.Next = "/api/v1/moderation-log?before=" + strconv.FormatInt(next, 10)
	}
	c.Set(fiber.HeaderAccessControlAllowOrigin, "*")
	return c.JSON(out)
}
