package web

import (
	"errors"
	"io"
	"mime/multipart"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/e-people/e-people/forum"
	"github.com/e-people/e-people/forum/attachment"
	"github.com/e-people/e-people/forum/store"
	"github.com/gofiber/fiber/v2"
)

// inboxRequestsMax is how many open civil requests, and how many recently
// answered ones, the inbox lists.
const inboxRequestsMax = 200

// handlingRow is a civil request as a list shows it: its receipt and where
// its clock stands at now.
type handlingRow struct {
	R       *forum.Request
	Receipt string
	// Left is the working days left to the due date (0 on the due day);
	// Late the working days past it when Overdue; Stopped that the clock
	// stands still for the filer's information.
	Left, Late int
	Overdue    bool
	Stopped    bool
}

// handlingRows is rs as rows at the server's now.
func (s *Server) handlingRows(rs []*forum.Request) []handlingRow {
	now, cal := s.cfg.Now(), s.store.Calendar()
	out := make([]handlingRow, 0, len(rs))
	for _, r := range rs {
		row := handlingRow{R: r, Receipt: r.Receipt(), Stopped: r.Status == forum.RequestInfoRequested, Overdue: r.Overdue(now)}
		if row.Overdue {
			row.Late = max(cal.Between(r.Due, now), 1)
		} else {
			row.Left = cal.Remaining(now, r.Due)
		}
		out = append(out, row)
	}
	return out
}

// handlingPage is the ministry's handling page of one civil request:
// its summary, and a form for every action the viewer may take.
type handlingPage struct {
	base
	Row        handlingRow
	Ministry   forum.Ministry
	Question   *forum.RequestStep // the question the filer has yet to answer
	Officials  []*forum.User      // whom it may be assigned to
	Ministries []forum.Ministry   // where it may be transferred
	Dir        directory
	CanHandle  bool // the viewer answers for its ministry: ask, extend, answer
	CanRoute   bool // the viewer assigns and transfers
	MaxExtend  int  // the most working days an extension may add
	// Forms are each action's form as it came back, with errors, keyed by
	// action (assign, transfer, info, extend, answer).
	Forms map[string]formState
}

// F returns the form of action.
func (p handlingPage) F(action string) formState { return p.Forms[action] }

// Decisions lists the answer's decisions, each with whether it refuses.
func (p handlingPage) Decisions() []forum.RequestDecision { return forum.RequestDecisions() }

// Remedies lists the remedies a refusal names.
func (p handlingPage) Remedies() []forum.Remedy { return forum.Remedies() }

// RemedyChecked reports whether the answer form has remedy r ticked.
func (p handlingPage) RemedyChecked(r forum.Remedy) bool {
	for _, v := range strings.Fields(p.Forms["answer"].V("remedies")) {
		if v == string(r) {
			return true
		}
	}
	return false
}

// handlingTarget finds the request a handling route names by its receipt,
// without recording a read (the page that offered the action did): to
// anyone who may not read it, it does not exist.
func (s *Server) handlingTarget(c *fiber.Ctx) (*forum.Request, error) {
	receipt, _ := url.PathUnescape(c.Params("receipt"))
	id, month, err := forum.ParseReceipt(receipt)
	if err != nil {
		return nil, err
	}
	r, err := s.store.Request(c.UserContext(), id)
	if err != nil {
		return nil, err
	}
	if !strings.HasPrefix(r.Receipt(), month+"-") || !forum.CanReadRequest(currentUser(c), r) {
		return nil, forum.ErrNotFound
	}
	return r, nil
}

// handleRequestHandle shows the handling page to the holding ministry's
// officials and administrators; it is a recorded read.
func (s *Server) handleRequestHandle(c *fiber.Ctx) error {
	receipt, _ := url.PathUnescape(c.Params("receipt"))
	r, err := s.store.ReadRequestByReceipt(c.UserContext(), currentUser(c), receipt)
	if err != nil {
		return err
	}
	return s.handlingPage(c, fiber.StatusOK, r, "", formState{})
}

// handlingPage draws the handling page of r, with the form of action
// as form left it (status 400 when it has errors).
func (s *Server) handlingPage(c *fiber.Ctx, status int, r *forum.Request, action string, form formState) error {
	u := currentUser(c)
	if !forum.CanRouteRequest(u, r) {
		return forum.Refuse(forum.ErrForbidden, "err.handling_not_yours")
	}
	ctx := c.UserContext()
	d, err := s.directory(c)
	if err != nil {
		return err
	}
	p := handlingPage{base: s.base(c, s.t(c, "rh.title", r.Receipt())), Row: s.handlingRows([]*forum.Request{r})[0],
		Ministry: d.Ministry(r.MinistryID), Dir: d, CanHandle: forum.CanHandleRequest(u, r), CanRoute: true, MaxExtend: r.PeriodDays,
		Forms: map[string]formState{}}
	for _, m := range d.Ministries {
		if m.ID != r.MinistryID {
			p.Ministries = append(p.Ministries, m)
		}
	}
	if p.Officials, err = s.store.MinistryOfficials(ctx, r.MinistryID); err != nil {
		return err
	}
	if r.Status == forum.RequestInfoRequested {
		steps, err := s.store.RequestSteps(ctx, r.ID)
		if err != nil {
			return err
		}
		p.Question = handlingQuestion(steps)
	}
	p.Forms["answer"] = formState{Values: map[string]string{"remedy_note": s.t(c, "rh.remedy_note_default")}}
	p.Forms[action] = form
	return s.page(c, status, "request_handle", p)
}

// handlingQuestion is the ministry's latest question among steps, or nil.
func handlingQuestion(steps []forum.RequestStep) *forum.RequestStep {
	for i := len(steps) - 1; i >= 0; i-- {
		if steps[i].Kind == "info_requested" {
			return &steps[i]
		}
	}
	return nil
}

// handlingDone answers a handling action that succeeded: the
// request as it now stands for the API, else back to page with flash.
func (s *Server) handlingDone(c *fiber.Ctx, id int64, page, flash string) error {
	r, err := s.store.Request(c.UserContext(), id)
	if err != nil {
		return err
	}
	if isAPI(c) || wantsJSON(c) {
		return c.JSON(handlingState(r))
	}
	if strings.HasSuffix(page, "/handle") && !forum.CanRouteRequest(currentUser(c), r) {
		page = "/inbox#requests" // transferred away: no longer this ministry's to handle
	}
	s.flash(c, flash)
	return c.Redirect(page, fiber.StatusSeeOther)
}

// handlingStateJSON is where a request stands after an action, as the API returns it.
type handlingStateJSON struct {
	Receipt    string    `json:"receipt"`
	Status     string    `json:"status"`
	MinistryID int64     `json:"ministry_id"`
	AssigneeID int64     `json:"assignee_id,omitempty"`
	Round      int       `json:"round"`
	PeriodDays int       `json:"period_days"`
	Due        time.Time `json:"due"`
	Stopped    bool      `json:"clock_stopped"`
	PausedDays int       `json:"paused_days"`
	Extended   bool      `json:"extended"`
}

func handlingState(r *forum.Request) handlingStateJSON {
	return handlingStateJSON{Receipt: r.Receipt(), Status: string(r.Status), MinistryID: r.MinistryID, AssigneeID: r.AssigneeID,
		Round: r.Round, PeriodDays: r.PeriodDays, Due: r.Due, Stopped: !r.Paused.IsZero(), PausedDays: r.PausedDays, Extended: r.Extended}
}

// handlingAction runs a ministry's action on the request the route names:
// do is the store call; on a validation error the page comes back with the
// action's form as it was typed (values), or the API answers 400.
func (s *Server) handlingAction(c *fiber.Ctx, action, flash string, values map[string]string, do func(*forum.Request) error) error {
	r, err := s.handlingTarget(c)
	if err != nil {
		return err
	}
	err = do(r)
	if fe, ok := s.formErrors(c, err); ok && !isAPI(c) && !wantsJSON(c) {
		if action == "extend" { // the extension's reason, apart from the transfer's
			for i := range fe {
				if fe[i].Field == "reason" {
					fe[i].Field = "extend_reason"
				}
			}
		}
		// A refusal of the viewer's power is the error page, not the form.
		return s.handlingPage(c, fiber.StatusBadRequest, r, action, formState{Values: values, Errors: fe})
	}
	if err != nil {
		return err
	}
	return s.handlingDone(c, r.ID, "/requests/"+r.Receipt()+"/handle", flash)
}

func (s *Server) handleRequestAssign(c *fiber.Ctx) error {
	values := map[string]string{"official": c.FormValue("official")}
	return s.handlingAction(c, "assign", "flash.handling_assigned", values, func(r *forum.Request) error {
		return s.store.AssignRequest(c.UserContext(), currentUser(c), r.ID, formID(c, "official"))
	})
}

func (s *Server) handleRequestTransfer(c *fiber.Ctx) error {
	reason := truncateRunes(strings.TrimSpace(strings.ReplaceAll(c.FormValue("reason"), "\r\n", "\n")), store.RequestReasonMax+1)
	values := map[string]string{"ministry": c.FormValue("ministry"), "reason": reason}
	return s.handlingAction(c, "transfer", "flash.handling_transferred", values, func(r *forum.Request) error {
		to := formID(c, "ministry")
		if to == 0 {
			return forum.Invalid("ministry", "err.handling_transfer_ministry")
		}
		return s.store.TransferRequest(c.UserContext(), currentUser(c), r.ID, to, reason)
	})
}

func (s *Server) handleRequestInfo(c *fiber.Ctx) error {
	question := truncateRunes(strings.ReplaceAll(c.FormValue("question"), "\r\n", "\n"), store.RequestQuestionMax+1)
	values := map[string]string{"question": question}
	return s.handlingAction(c, "info", "flash.handling_asked", values, func(r *forum.Request) error {
		return s.store.AskRequestInfo(c.UserContext(), currentUser(c), r.ID, question, s.md.Markdown(question))
	})
}

func (s *Server) handleRequestExtend(c *fiber.Ctx) error {
	reason := truncateRunes(strings.TrimSpace(strings.ReplaceAll(c.FormValue("reason"), "\r\n", "\n")), store.RequestReasonMax+1)
	values := map[string]string{"days": c.FormValue("days"), "extend_reason": reason}
	return s.handlingAction(c, "extend", "flash.handling_extended", values, func(r *forum.Request) error {
		days, err := strconv.Atoi(strings.TrimSpace(c.FormValue("days")))
		if err != nil {
			return forum.Invalid("days", "err.handling_extend_days", r.PeriodDays)
		}
		return s.store.ExtendRequest(c.UserContext(), currentUser(c), r.ID, days, reason)
	})
}

// handlingAnswerInput reads the answer form. The note on remedies goes
// with the remedies: without any ticked, it is dropped (the form starts
// with the standard sentences in it).
func handlingAnswerInput(c *fiber.Ctx) (forum.RequestAnswerInput, map[string]string) {
	in := forum.RequestAnswerInput{
		Decision:        forum.RequestDecision(c.FormValue("decision")),
		Summary:         truncateRunes(strings.TrimSpace(c.FormValue("summary")), forum.SummaryMax+1),
		Body:            strings.ReplaceAll(c.FormValue("body"), "\r\n", "\n"),
		LegalBasis:      truncateRunes(strings.TrimSpace(c.FormValue("legal_basis")), forum.AnswerLineMax+1),
		ResponsibleUnit: truncateRunes(strings.TrimSpace(c.FormValue("responsible_unit")), forum.AnswerLineMax+1),
		Contact:         truncateRunes(strings.TrimSpace(c.FormValue("contact")), forum.AnswerLineMax+1),
		RemedyNote:      strings.TrimSpace(strings.ReplaceAll(c.FormValue("remedy_note"), "\r\n", "\n")),
	}
	var remedies []string
	for _, v := range handlingValues(c, "remedies") {
		for _, f := range strings.Fields(v) { // the API may send them space-separated
			in.Remedies = append(in.Remedies, forum.Remedy(f))
			remedies = append(remedies, f)
		}
	}
	if len(in.Remedies) == 0 {
		in.RemedyNote = ""
	}
	values := map[string]string{"decision": string(in.Decision), "summary": in.Summary, "body": in.Body, "legal_basis": in.LegalBasis,
		"responsible_unit": in.ResponsibleUnit, "contact": in.Contact, "remedies": strings.Join(remedies, " "),
		"remedy_note": c.FormValue("remedy_note")}
	return in, values
}

// handlingValues returns every value of a repeated form field.
func handlingValues(c *fiber.Ctx, key string) []string {
	var out []string
	c.Request().PostArgs().VisitAll(func(k, v []byte) {
		if string(k) == key {
			out = append(out, string(v))
		}
	})
	if out == nil {
		if form, err := c.MultipartForm(); err == nil {
			out = form.Value[key]
		}
	}
	return out
}

func (s *Server) handleRequestAnswer(c *fiber.Ctx) error {
	in, values := handlingAnswerInput(c)
	return s.handlingAction(c, "answer", "flash.handling_answered", values, func(r *forum.Request) error {
		return s.store.AnswerRequest(c.UserContext(), currentUser(c), r.ID, in, s.md.Markdown(in.Body), forum.DetectLang(in.Summary+"\n"+in.Body, s.lang(c)))
	})
}

// handlingReplyPage is the filer's reply to the ministry's question, on a
// page of its own when the reply came back with errors.
type handlingReplyPage struct {
	base
	R        *forum.Request
	Receipt  string
	Question *forum.RequestStep
	Form     formState
}

// handleRequestReplyForm shows the filer the ministry's question and the reply form.
func (s *Server) handleRequestReplyForm(c *fiber.Ctx) error {
	r, err := s.handlingTarget(c)
	if err != nil {
		return err
	}
	return s.handlingReplyPage(c, fiber.StatusOK, r, formState{})
}

func (s *Server) handlingReplyPage(c *fiber.Ctx, status int, r *forum.Request, form formState) error {
	u := currentUser(c)
	if u == nil || u.ID != r.FilerID {
		return forum.Refuse(forum.ErrForbidden, "err.handling_filer_only")
	}
	if r.Status != forum.RequestInfoRequested {
		return forum.Refuse(forum.ErrInvalidState, "err.handling_not_waiting")
	}
	steps, err := s.store.RequestSteps(c.UserContext(), r.ID)
	if err != nil {
		return err
	}
	p := handlingReplyPage{base: s.base(c, s.t(c, "rh.reply_title")), R: r, Receipt: r.Receipt(), Question: handlingQuestion(steps), Form: form}
	return s.page(c, status, "request_reply", p)
}

// handleRequestReply takes the filer's reply to the ministry's question,
// with up to forum.RequestFilesMax files (multipart field "files"), each
// checked by its content.
func (s *Server) handleRequestReply(c *fiber.Ctx) error {
	r, err := s.handlingTarget(c)
	if err != nil {
		return err
	}
	reply := truncateRunes(strings.ReplaceAll(c.FormValue("reply"), "\r\n", "\n"), store.RequestQuestionMax+1)
	var files []store.NewAttachment
	var errs forum.ValidationErrors
	if form, ferr := c.MultipartForm(); ferr == nil {
		files, errs = handlingFiles(form.File["files"])
	}
	if errs == nil {
		err = s.store.GiveRequestInfo(c.UserContext(), currentUser(c), r.ID, reply, s.md.Markdown(reply), files)
	} else {
		err = errs
	}
	if fe, ok := s.formErrors(c, err); ok && !isAPI(c) && !wantsJSON(c) {
		return s.handlingReplyPage(c, fiber.StatusBadRequest, r, formState{Values: map[string]string{"reply": reply}, Errors: fe})
	}
	if err != nil {
		return err
	}
	return s.handlingDone(c, r.ID, "/requests/"+r.Receipt(), "flash.handling_replied")
}

// handlingFiles checks each uploaded file by its content (attachment.Check)
// and returns the files to store, or a problem with the files field.
func handlingFiles(hs []*multipart.FileHeader) ([]store.NewAttachment, forum.ValidationErrors) {
	var out []store.NewAttachment
	for _, h := range hs {
		if h.Size == 0 && h.Filename == "" {
			continue // an empty file input
		}
		if len(out) == forum.RequestFilesMax {
			return nil, forum.ValidationErrors{forum.Invalid("files", "err.handling_files_count", forum.RequestFilesMax)}
		}
		if h.Size > attachment.MaxSize {
			return nil, forum.ValidationErrors{forum.Invalid("files", "err.handling_file_large", h.Filename, attachment.MaxSize>>20)}
		}
		f, err := h.Open()
		if err != nil {
			return nil, forum.ValidationErrors{forum.Invalid("files", "err.handling_file_damaged", h.Filename)}
		}
		data, err := io.ReadAll(io.LimitReader(f, attachment.MaxSize+1))
		f.Close()
		if err != nil {
			return nil, forum.ValidationErrors{forum.Invalid("files", "err.handling_file_damaged", h.Filename)}
		}
		checked, err := attachment.Check(h.Filename, data)
		if err != nil {
			key := "err.handling_file_type"
			switch {
			case errors.Is(err, attachment.ErrEmpty):
				key = "err.handling_file_empty"
			case errors.Is(err, attachment.ErrTooLarge):
				return nil, forum.ValidationErrors{forum.Invalid("files", "err.handling_file_large", h.Filename, attachment.MaxSize>>20)}
			case errors.Is(err, attachment.ErrDamaged):
				key = "err.handling_file_damaged"
			}
			return nil, forum.ValidationErrors{forum.Invalid("files", key, h.Filename)}
		}
		out = append(out, store.NewAttachment{Name: checked.Name, Kind: string(checked.Kind), Data: checked.Data, SHA256: checked.SHA256})
	}
	return out, nil
}

// handlingWithdrawPage asks the filer to confirm the withdrawal.
type handlingWithdrawPage struct {
	base
	R       *forum.Request
	Receipt string
}

func (s *Server) handleRequestWithdrawForm(c *fiber.Ctx) error {
	r, err := s.handlingTarget(c)
	if err != nil {
		return err
	}
	if currentUser(c).ID != r.FilerID {
		return forum.Refuse(forum.ErrForbidden, "err.handling_filer_only")
	}
	if !r.Status.Open() {
		return forum.Refuse(forum.ErrInvalidState, "err.handling_closed")
	}
	return s.page(c, fiber.StatusOK, "request_withdraw", handlingWithdrawPage{base: s.base(c, s.t(c, "rh.withdraw_title")), R: r, Receipt: r.Receipt()})
}

func (s *Server) handleRequestWithdraw(c *fiber.Ctx) error {
	r, err := s.handlingTarget(c)
	if err != nil {
		return err
	}
	if err := s.store.WithdrawRequest(c.UserContext(), currentUser(c), r.ID); err != nil {
		return err
	}
	return s.handlingDone(c, r.ID, "/requests/"+r.Receipt(), "flash.handling_withdrawn")
}
