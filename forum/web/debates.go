package web

import (
	"strconv"
	"strings"
	"time"

	"github.com/e-people/e-people/forum"
	"github.com/e-people/e-people/forum/store"
	"github.com/e-people/e-people/moderation"
	"github.com/gofiber/fiber/v2"
)

type debateListPage struct {
	base
	Dir                    directory
	Ministry               forum.Ministry // the filter; zero for all
	Open, Upcoming, Closed []*forum.Debate
	CanHost                bool
	Problem                string // why the filter was refused, in the viewer's language
}

func (s *Server) handleDebateList(c *fiber.Ctx) error {
	d, err := s.directory(c)
	if err != nil {
		return err
	}
	page := debateListPage{base: s.base(c, s.t(c, "debate.list_title")), Dir: d}
	if u := currentUser(c); u != nil {
		page.CanHost = forum.CanHost(u, u.MinistryID) // an official for their own ministry, an admin for any
	}
	f, redirect, problem := slugFilter(c, d, false) // debates belong to ministries, not categories
	if redirect != "" {
		return c.Redirect(redirect, fiber.StatusMovedPermanently)
	}
	if problem != "" {
		page.Problem = s.t(c, problem)
		return s.page(c, fiber.StatusBadRequest, "debates", page)
	}
	page.Ministry = f.Ministry
	all, err := s.store.Debates(c.UserContext(), store.DebateQuery{Limit: 300, MinistryID: f.Ministry.ID})
	if err != nil {
		return err
	}
	for _, db := range all {
		switch db.Status {
		case forum.DebateOpen:
			page.Open = append(page.Open, db)
		case forum.DebateUpcoming:
			page.Upcoming = append(page.Upcoming, db)
		default:
			page.Closed = append(page.Closed, db)
		}
	}
	return s.page(c, fiber.StatusOK, "debates", page)
}

type debateFormPage struct {
	base
	Ministries []forum.Ministry // those the user may host for
	Form       formState
}

// hostMinistries returns the ministries u may host debates for.
func (s *Server) hostMinistries(c *fiber.Ctx, u *forum.User) ([]forum.Ministry, error) {
	d, err := s.directory(c)
	if err != nil {
		return nil, err
	}
	var out []forum.Ministry
	for _, m := range d.Ministries {
		if forum.CanHost(u, m.ID) {
			out = append(out, m)
		}
	}
	if len(out) == 0 {
		return nil, forum.Refuse(forum.ErrForbidden, "err.not_host")
	}
	return out, nil
}

const datetimeLocal = "2006-01-02T15:04"

func (s *Server) handleDebateNew(c *fiber.Ctx) error {
	ms, err := s.hostMinistries(c, currentUser(c))
	if err != nil {
		return err
	}
	now := s.cfg.Now().In(seoul).Truncate(time.Hour).Add(time.Hour)
	form := formState{Values: map[string]string{"opens_at": now.Format(datetimeLocal), "closes_at": now.Add(7 * 24 * time.Hour).Format(datetimeLocal)}}
	return s.page(c, fiber.StatusOK, "debate_form", debateFormPage{base: s.base(c, s.t(c, "debate.new_title")), Ministries: ms, Form: form})
}

// parseLocal reads a datetime-local field as Seoul time; the zero time when empty or malformed.
func parseLocal(v string) time.Time {
	t, err := time.ParseInLocation(datetimeLocal, strings.TrimSpace(v), seoul)
	if err != nil {
		return time.Time{}
	}
	return t
}

func (s *Server) handleDebateCreate(c *fiber.Ctx) error {
	u := currentUser(c)
	ms, err := s.hostMinistries(c, u)
	if err != nil {
		return err
	}
	in := forum.DebateInput{
		Question:   moderation.PlainText(c.FormValue("question")),
		Background: strings.ReplaceAll(c.FormValue("background"), "\r\n", "\n"),
		OpensAt:    parseLocal(c.FormValue("opens_at")),
		ClosesAt:   parseLocal(c.FormValue("closes_at")),
		MinistryID: formID(c, "ministry"),
	}
	form := formState{Values: map[string]string{"question": in.Question, "background": in.Background,
		"opens_at": c.FormValue("opens_at"), "closes_at": c.FormValue("closes_at"), "ministry": c.FormValue("ministry")}}
	err = in.Validate(s.cfg.Now())
	if err == nil && !forum.CanHost(u, in.MinistryID) {
		err = forum.Invalid("ministry", "err.ministry_required")
	}
	if err != nil {
		if form.Errors, _ = s.formErrors(c, err); form.Errors == nil {
			return err
		}
		return s.page(c, fiber.StatusBadRequest, "debate_form", debateFormPage{base: s.base(c, s.t(c, "debate.new_title")), Ministries: ms, Form: form})
	}
	d, err := s.store.CreateDebate(c.UserContext(), store.NewDebate{HostID: u.ID, Input: in, Background: s.md.Markdown(in.Background)})
	if err != nil {
		return err
	}
	if s.cfg.Schedule != nil {
		s.cfg.Schedule()
	}
	s.flash(c, "flash.debate_created")
	return c.Redirect("/debates/"+strconv.FormatInt(d.ID, 10), fiber.StatusSeeOther)
}

type debatePage struct {
	base
	D         *forum.Debate
	Ministry  forum.Ministry
	Thread    *thread
	CanHost   bool
	Following bool
	Form      formState // the conclusion form
	Remaining string    // how long an open debate still takes arguments, in words
	Share     shareView // the share block and the debate's feed (share.go)
}

func (s *Server) handleDebateShow(c *fiber.Ctx) error {
	if served, err := s.guestPageFor(c); served || err != nil {
		return err
	}
	d, err := s.store.Debate(c.UserContext(), paramID(c))
	if err != nil {
		return err
	}
	data, err := s.debateData(c, d)
	if err != nil {
		return err
	}
	return s.page(c, fiber.StatusOK, "debate", data)
}

func (s *Server) debateData(c *fiber.Ctx, d *forum.Debate) (debatePage, error) {
	data := debatePage{base: s.base(c, d.Question), D: d, CanHost: forum.CanHost(currentUser(c), d.MinistryID)}
	since, err := s.store.LastEventID(c.UserContext())
	if err != nil {
		return data, err
	}
	dir, err := s.directory(c)
	if err != nil {
		return data, err
	}
	data.Ministry = dir.Ministry(d.MinistryID)
	if data.Thread, err = s.thread(c, forum.DebateSubject(d.ID), d.TakesComments()); err != nil {
		return data, err
	}
	data.Thread.NotYet = d.Status.Upcoming()
	if d.Status.TakesComments() {
		data.Remaining = s.timeLeft(c, s.cfg.Now(), d.ClosesAt)
	}
	data.Form = formState{Values: map[string]string{"conclusion": d.ConclusionSrc}}
	data.Share = s.debateShare(c, d)
	if u := currentUser(c); u != nil {
		if data.Following, err = s.store.Following(c.UserContext(), u.ID, forum.ItemKind("debate"), d.ID); err != nil {
			return data, err
		}
	}
	data.LiveTopics, data.LiveSince = forum.DebateTopic(d.ID), since
	return data, nil
}

// handleDebateConclude publishes the host's conclusion of a closed debate.
func (s *Server) handleDebateConclude(c *fiber.Ctx) error {
	d, err := s.store.Debate(c.UserContext(), paramID(c))
	if err != nil {
		return err
	}
	if !forum.CanHost(currentUser(c), d.MinistryID) {
		return forum.Refuse(forum.ErrForbidden, "err.not_host")
	}
	src := strings.ReplaceAll(c.FormValue("conclusion"), "\r\n", "\n")
	if err := forum.ValidateConclusion(src); err != nil {
		data, derr := s.debateData(c, d)
		if derr != nil {
			return derr
		}
		data.Form = formState{Values: map[string]string{"conclusion": src}}
		data.Form.Errors, _ = s.formErrors(c, err)
		return s.page(c, fiber.StatusBadRequest, "debate", data)
	}
	if _, err := s.store.Conclude(c.UserContext(), d.ID, src, s.md.Markdown(src)); err != nil {
		return err
	}
	s.flash(c, "flash.debate_concluded")
	return c.Redirect("/debates/"+strconv.FormatInt(d.ID, 10)+"#conclusion", fiber.StatusSeeOther)
}
