package web

import (
	"strings"
	"unicode/utf8"

	"github.com/e-people/e-people/forum"
	"github.com/e-people/e-people/moderation"
	"github.com/gofiber/fiber/v2"
)

// A draft's preview: the Markdown an author is writing, drawn as it will be
// published, by the renderer and sanitizer that publish it (s.md), so what
// the author sees is what the page will show. Saving nothing, it answers
// two ways: POST /preview for the Preview button's script, and, without
// script, the same button posting its own form with action=preview, which
// draws the form again with what was typed and the preview beside the field.

// isPreview reports whether a form was posted by its Preview button.
func isPreview(c *fiber.Ctx) bool { return c.FormValue("action") == "preview" }

// previewDraft renders body as it would be published. A draft longer than
// any text the forum takes (an official answer's body is the longest) is
// refused, so a preview costs no more than publishing.
func (s *Server) previewDraft(body string) (moderation.Sanitized, error) {
	if utf8.RuneCountInString(body) > forum.AnswerBodyMax {
		return moderation.Sanitized{}, forum.Invalid("body", "err.body_too_long", forum.AnswerBodyMax)
	}
	return s.md.Markdown(body), nil
}

// withPreview sets the form's preview of body, or the error that refused it.
func (s *Server) withPreview(c *fiber.Ctx, form formState, body string) (formState, int, error) {
	html, err := s.previewDraft(body)
	if err != nil {
		errs, ok := s.formErrors(c, err)
		if !ok {
			return form, 0, err
		}
		form.Errors = append(form.Errors, errs...)
		return form, fiber.StatusBadRequest, nil
	}
	form.Previewed, form.Preview = true, html
	return form, fiber.StatusOK, nil
}

// handlePreview answers the Preview button's script: {"html": …}, the
// region's content as the page would draw it. It is posted like any form
// (signed in, with the CSRF token, under the write limit).
func (s *Server) handlePreview(c *fiber.Ctx) error {
	html, err := s.previewDraft(strings.ReplaceAll(c.FormValue("body"), "\r\n", "\n"))
	if err != nil {
		return err
	}
	b, err := s.views.partial(s.lang(c), "preview", html)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"html": string(b)})
}

// previewProposal draws the proposal form (p is nil for a new proposal)
// again with the body's preview.
func (s *Server) previewProposal(c *fiber.Ctx, p *forum.Proposal) error {
	body := strings.ReplaceAll(c.FormValue("body"), "\r\n", "\n")
	form := formState{Values: map[string]string{"title": moderation.PlainText(c.FormValue("title")),
		"body": body, "category": c.FormValue("category"), "ministry": c.FormValue("ministry")}}
	form, status, err := s.withPreview(c, form, body)
	if err != nil {
		return err
	}
	return s.proposalForm(c, status, form, p)
}

// previewComment draws the page of a comment's subject again with the
// comment (or reply) form showing its preview; check answers first for the
// viewer's right to see the subject, as a refused comment does.
func (s *Server) previewComment(c *fiber.Ctx, check func() error, page func(**thread) (string, any, error)) error {
	if err := check(); err != nil {
		return err
	}
	body := strings.ReplaceAll(c.FormValue("body"), "\r\n", "\n")
	form := formState{Values: map[string]string{"body": body, "stance": c.FormValue("stance")}}
	form, status, err := s.withPreview(c, form, body)
	if err != nil {
		return err
	}
	var t *thread
	name, data, err := page(&t)
	if err != nil {
		return err
	}
	t.ReplyTo = formID(c, "parent")
	t.Form = form
	return s.page(c, status, name, data)
}

// previewCommentEdit draws the edit form of the viewer's own comment again
// with the preview of the new text.
func (s *Server) previewCommentEdit(c *fiber.Ctx, cm *forum.Comment) error {
	body := strings.ReplaceAll(c.FormValue("body"), "\r\n", "\n")
	form, status, err := s.withPreview(c, formState{Values: map[string]string{"body": body}}, body)
	if err != nil {
		return err
	}
	return s.page(c, status, "comment_edit", commentEditPage{base: s.base(c, s.t(c, "comment.edit_title")), Comment: cm, Form: form})
}

// previewAnswer draws the proposal page again with the answer form showing
// what the official typed and the preview of the answer's body. Only an
// official who may answer the proposal sees the form, so only they preview.
func (s *Server) previewAnswer(c *fiber.Ctx, p *forum.Proposal) error {
	data, err := s.proposalData(c, p)
	if err != nil {
		return err
	}
	if !data.Answer.CanAnswer {
		return forum.ErrForbidden
	}
	body := strings.ReplaceAll(c.FormValue("body"), "\r\n", "\n")
	form := formState{Values: map[string]string{"body": body}}
	for _, f := range []string{"decision", "summary", "legal_basis", "responsible_unit", "contact", "next_step", "next_step_date"} {
		form.Values[f] = strings.TrimSpace(c.FormValue(f))
	}
	form, status, err := s.withPreview(c, form, body)
	if err != nil {
		return err
	}
	data.Answer.Form = form
	return s.page(c, status, "proposal", data)
}
