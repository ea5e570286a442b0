package web

import (
	"slices"
	"strconv"
	"strings"

	"github.com/e-people/e-people/forum"
	"github.com/e-people/e-people/forum/store"
	"github.com/e-people/e-people/moderation"
	"github.com/gofiber/fiber/v2"
)

func commentURL(c *forum.Comment) string {
	id := strconv.FormatInt(c.ID, 10)
	return c.Subject().Path() + "?comment=" + id + "#c" + id // the page of the thread that holds it
}

// handleProposalComment posts a comment on a proposal. The proposal is read
// only when the comment is refused: the write itself checks, by primary key,
// that the proposal takes comments, and a proposal that does is public
// (forum.Proposal.TakesComments implies forum.Proposal.Public), so seen
// whole by everyone. A refusal answers as reading it first would: an unseen
// proposal is not found and a withheld one takes no comments, whatever else
// was wrong.
func (s *Server) handleProposalComment(c *fiber.Ctx) error {
	id := paramID(c)
	var p *forum.Proposal
	check := func() error {
		var v forum.Visibility
		var err error
		if p, v, err = s.proposalFor(c, id); err != nil {
			return err
		}
		if v != forum.Seen {
			return forum.ErrInvalidState // a withheld proposal takes no comments
		}
		return nil
	}
	return s.createComment(c, forum.ProposalSubject(id), check, func(t **thread) (string, any, error) {
		data, err := s.proposalData(c, p)
		*t = data.Thread
		return "proposal", &data, err
	})
}

// handleDebateComment posts an argument in a debate, reading the debate
// only when the argument is refused (see handleProposalComment).
func (s *Server) handleDebateComment(c *fiber.Ctx) error {
	id := paramID(c)
	var d *forum.Debate
	check := func() error {
		var err error
		d, err = s.store.Debate(c.UserContext(), id)
		return err
	}
	return s.createComment(c, forum.DebateSubject(id), check, func(t **thread) (string, any, error) {
		data, err := s.debateData(c, d)
		*t = data.Thread
		return "debate", &data, err
	})
}

// createComment posts a comment under subject. When the comment is refused,
// check reads the subject and answers for the viewer's right to see it
// first; past it, on bad input, createComment draws the subject's page
// again (page gives its name and data, and where its thread is) with the
// form showing what was wrong.
func (s *Server) createComment(c *fiber.Ctx, subject forum.Subject, check func() error, page func(**thread) (string, any, error)) error {
	if isPreview(c) { // saves nothing: the page again, with the draft as it will read
		return s.previewComment(c, check, page)
	}
	in := forum.CommentInput{
		ParentID: formID(c, "parent"),
		Stance:   forum.Stance(c.FormValue("stance")),
		Body:     strings.ReplaceAll(c.FormValue("body"), "\r\n", "\n"),
	}
	u := currentUser(c)
	err := in.Validate()
	var hold []string
	var limit *store.Cap
	if err == nil {
		limit, err = s.dailyCap(u, store.ActivityComments)
	}
	if err == nil {
		hold, err = s.screen(c, u, "body", in.Body)
	}
	var cm *forum.Comment
	if err == nil {
		cm, err = s.store.CreateComment(c.UserContext(), store.NewComment{Subject: subject, AuthorID: u.ID,
			Input: in, Body: s.md.Markdown(in.Body), Hold: hold, Cap: limit})
	}
	if err != nil {
		if cerr := check(); cerr != nil {
			return cerr
		}
		errs, ok := s.formErrors(c, err)
		if !ok || wantsJSON(c) {
			return err // a script hears of the first field at fault from the error handler
		}
		var t *thread
		name, data, perr := page(&t)
		if perr != nil {
			return perr
		}
		t.ReplyTo = in.ParentID
		t.Form = formState{Values: map[string]string{"body": in.Body, "stance": string(in.Stance)}, Errors: errs}
		return s.page(c, fiber.StatusBadRequest, name, data)
	}
	if wantsJSON(c) {
		j := fiber.Map{"comment_id": cm.ID, "url": commentURL(cm), "held": hold != nil}
		if hold != nil {
			j["notice"] = s.t(c, heldFlash(hold))
		}
		return c.Status(fiber.StatusCreated).JSON(j)
	}
	if hold != nil {
		s.flash(c, heldFlash(hold))
	} else {
		s.flash(c, "flash.comment_posted")
	}
	return c.Redirect(commentURL(cm), fiber.StatusSeeOther)
}

type commentEditPage struct {
	base
	Comment *forum.Comment
	Form    formState
}

func (s *Server) ownComment(c *fiber.Ctx) (*forum.Comment, error) {
	cm, err := s.store.Comment(c.UserContext(), paramID(c))
	if err != nil {
		return nil, err
	}
	if cm.AuthorID != currentUser(c).ID {
		return nil, forum.Refuse(forum.ErrForbidden, "err.not_your_comment")
	}
	return cm, nil
}

func (s *Server) handleCommentEditForm(c *fiber.Ctx) error {
	cm, err := s.ownComment(c)
	if err != nil {
		return err
	}
	if !forum.DefaultRules.CanEditComment(cm, s.cfg.Now()) {
		return forum.Refuse(forum.ErrInvalidState, "err.edit_closed")
	}
	return s.page(c, fiber.StatusOK, "comment_edit", commentEditPage{base: s.base(c, s.t(c, "comment.edit_title")),
		Comment: cm, Form: formState{Values: map[string]string{"body": cm.BodySrc}}})
}

func (s *Server) handleCommentEdit(c *fiber.Ctx) error {
	cm, err := s.ownComment(c)
	if err != nil {
		return err
	}
	if isPreview(c) {
		return s.previewCommentEdit(c, cm)
	}
	body := strings.ReplaceAll(c.FormValue("body"), "\r\n", "\n")
	if err := (forum.CommentInput{Stance: cm.Stance, Body: body}).Validate(); err != nil {
		errs, _ := s.formErrors(c, err)
		return s.page(c, fiber.StatusBadRequest, "comment_edit", commentEditPage{base: s.base(c, s.t(c, "comment.edit_title")),
			Comment: cm, Form: formState{Values: map[string]string{"body": body}, Errors: errs}})
	}
	hold, err := s.screen(c, currentUser(c), "body", body)
	if err != nil {
		errs, ok := s.formErrors(c, err)
		if !ok {
			return err
		}
		return s.page(c, fiber.StatusBadRequest, "comment_edit", commentEditPage{base: s.base(c, s.t(c, "comment.edit_title")),
			Comment: cm, Form: formState{Values: map[string]string{"body": body}, Errors: errs}})
	}
	cm, err = s.store.EditComment(c.UserContext(), cm.ID, cm.AuthorID, body, s.md.Markdown(body), forum.DefaultRules, hold)
	if err != nil {
		return err
	}
	if hold != nil {
		s.flash(c, heldFlash(hold))
	} else {
		s.flash(c, "flash.comment_edited")
	}
	return c.Redirect(commentURL(cm), fiber.StatusSeeOther)
}

// heldFlash is the flash key that tells an author why their post waits for
// review: personal data gets its own, so they know what to remove.
func heldFlash(hold []string) string {
	if slices.Contains(hold, moderation.RulePersonalData) {
		return "flash.held_personal_data"
	}
	return "flash.held"
}

// handleScreen runs the content rules' personal-data check over a draft's
// title and body, for the script that warns an author before posting:
// {"personal_data": true, "message": …} when the post would be held for it.
func (s *Server) handleScreen(c *fiber.Ctx) error {
	v := moderation.Rules{}.Check(moderation.Author{Staff: currentUser(c).Role.IsStaff()},
		moderation.Post{Text: c.FormValue("title") + "\n\n" + c.FormValue("body")})
	if !slices.Contains(v.Rules, moderation.RulePersonalData) {
		return c.JSON(fiber.Map{"personal_data": false})
	}
	return c.JSON(fiber.Map{"personal_data": true, "message": s.t(c, "err.personal_data")})
}

func (s *Server) handleCommentDelete(c *fiber.Ctx) error {
	cm, err := s.store.DeleteComment(c.UserContext(), paramID(c), currentUser(c).ID)
	if err != nil {
		return err
	}
	if wantsJSON(c) {
		return c.JSON(fiber.Map{"comment_id": cm.ID, "status": cm.Status})
	}
	s.flash(c, "flash.comment_deleted")
	return c.Redirect(commentURL(cm), fiber.StatusSeeOther)
}

func (s *Server) handleCommentVote(c *fiber.Ctx) error {
	v, err := strconv.Atoi(c.FormValue("value"))
	if err != nil || v < -1 || v > 1 {
		return fiber.NewError(fiber.StatusBadRequest, "err.bad_vote")
	}
	cm, err := s.store.VoteComment(c.UserContext(), paramID(c), currentUser(c).ID, v)
	if err != nil {
		return err
	}
	if wantsJSON(c) {
		return c.JSON(fiber.Map{"comment_id": cm.ID, "up": cm.Up, "down": cm.Down, "value": v})
	}
	return c.Redirect(commentURL(cm), fiber.StatusSeeOther)
}

// handleCommentLink sends a comment's permanent address to its place in its thread.
func (s *Server) handleCommentLink(c *fiber.Ctx) error {
	cm, _, err := s.commentFor(c, paramID(c))
	if err != nil {
		return err
	}
	return c.Redirect(commentURL(cm), fiber.StatusSeeOther)
}
