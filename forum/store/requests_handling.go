package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/e-people/e-people/forum"
	"github.com/e-people/e-people/forum/workday"
	"github.com/e-people/e-people/moderation"
)

// Limits on what the ministry writes when it handles a civil request.
const (
	// RequestReasonMax is the longest reason for a transfer or an extension.
	RequestReasonMax = 1000
	// RequestQuestionMax is the longest question to the filer, and the longest reply.
	RequestQuestionMax = 5000
	// RequestNoticeBatch is how many progress notices one call of
	// SendRequestProgressNotices sends at most; the next call sends the rest.
	RequestNoticeBatch = 200
	// RequestRecentDays is how far back the inbox lists the answered requests.
	RequestRecentDays = 30
)

// handlingRequest reads request id inside t and checks that actor may act
// on it as may says. Someone who may not even read it is told it does not
// exist (forum.ErrNotFound), as ReadRequest tells them; someone who reads
// it but may not act is refused (forum.ErrForbidden).
func handlingRequest(ctx context.Context, t *tx, actor *forum.User, id int64, may func(*forum.User, *forum.Request) bool) (*forum.Request, error) {
	r, err := scanRequest(t.QueryRowContext(ctx, `SELECT `+requestCols+requestFrom+` WHERE r.id = ?`, id))
	if err != nil {
		return nil, mapErr(err)
	}
	if !forum.CanReadRequest(actor, r) {
		return nil, forum.ErrNotFound
	}
	if !may(actor, r) {
		return nil, forum.Refuse(forum.ErrForbidden, "err.handling_not_yours")
	}
	return r, nil
}

// openRequest refuses to act on a request that is answered or withdrawn.
func openRequest(r *forum.Request) error {
	if !r.Status.Open() {
		return forum.Refuse(forum.ErrInvalidState, "err.handling_closed")
	}
	return nil
}

// requestNote is the data of a notification about r: its id, receipt and
// title, and what the step says (extra).
func requestNote(r *forum.Request, extra map[string]any) map[string]any {
	data := map[string]any{"request_id": r.ID, "receipt": r.Receipt(), "title": r.Title}
	for k, v := range extra {
		data[k] = v
	}
	return data
}

// checkReason validates a reason for a transfer or an extension.
func checkReason(reason string) error {
	if strings.TrimSpace(reason) == "" {
		return forum.Invalid("reason", "err.handling_reason_required")
	}
	if utf8.RuneCountInString(reason) > RequestReasonMax {
		return forum.Invalid("reason", "err.handling_reason_length", RequestReasonMax)
	}
	return nil
}

// MinistryOfficials returns the active officials of a ministry, by name,
// for the choice of whom to assign a request to.
func (s *Store) MinistryOfficials(ctx context.Context, ministryID int64) ([]*forum.User, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+userCols+` FROM users WHERE role = ? AND ministry_id = ? AND status = ? AND deleted_at IS NULL
		ORDER BY name, id`, forum.RoleOfficial, ministryID, forum.UserActive)
	if err != nil {
		return nil, fmt.Errorf("ministry officials: %w", mapErr(err))
	}
	defer rows.Close()
	var out []*forum.User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, fmt.Errorf("ministry officials: %w", err)
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

// AssignRequest puts officialID, an active official of the ministry that
// holds request id, in charge of it. The ministry's officials and
// administrators assign (forum.CanRouteRequest). A request still received is
// processing from then on. The filer and the assignee are told.
func (s *Store) AssignRequest(ctx context.Context, actor *forum.User, id, officialID int64) error {
	err := s.write(ctx, func(t *tx) error {
		r, err := handlingRequest(ctx, t, actor, id, forum.CanRouteRequest)
		if err != nil {
			return err
		}
		if err := openRequest(r); err != nil {
			return err
		}
		var name string
		err = t.QueryRowContext(ctx, `SELECT name FROM users WHERE id = ? AND role = ? AND ministry_id = ? AND status = ? AND deleted_at IS NULL`,
			officialID, forum.RoleOfficial, r.MinistryID, forum.UserActive).Scan(&name)
		if err != nil {
			if errors.Is(mapErr(err), forum.ErrNotFound) {
				return forum.Invalid("official", "err.handling_assignee")
			}
			return err
		}
		status := r.Status
		if status == forum.RequestReceived {
			status = forum.RequestProcessing
		}
		if _, err := t.ExecContext(ctx, `UPDATE requests SET assignee_id = ?, status = ?, updated_at = ? WHERE id = ?`,
			officialID, status, t.now.Unix(), id); err != nil {
			return err
		}
		if _, err := requestStep(ctx, t, id, "assigned", actor.ID, r.MinistryID, 0, name, "", 0); err != nil {
			return err
		}
		data := requestNote(r, map[string]any{"assignee": name, "ministry": r.MinistryID})
		if err := notifyAbout(ctx, t, r.FilerID, forum.NoteRequestAssigned, forum.NoteSubject("request", id), data); err != nil {
			return err
		}
		if officialID == actor.ID {
			return nil // who takes a request on knows it
		}
		return notifyAbout(ctx, t, officialID, forum.NoteRequestAssigned, forum.NoteSubject("request", id), data)
	})
	if err != nil {
		return fmt.Errorf("assign request %d: %w", id, err)
	}
	return nil
}

// TransferRequest hands request id to ministry to, for reason, as the
// Civil Petitions Act art. 16 has a ministry do with a request that is not
// its own. The period restarts for the receiving ministry: it begins now and
// lasts the kind's period (the objection period in round 2); the clock runs,
// the extension is unused, nobody is assigned, and the request is received
// again, as the new ministry has not read it yet. The ministry's officials
// and administrators transfer (forum.CanRouteRequest). The filer is told.
func (s *Store) TransferRequest(ctx context.Context, actor *forum.User, id, to int64, reason string) error {
	reason = strings.TrimSpace(reason)
	if err := checkReason(reason); err != nil {
		return fmt.Errorf("transfer request %d: %w", id, err)
	}
	settings := s.Settings()
	cal := s.Calendar()
	err := s.write(ctx, func(t *tx) error {
		r, err := handlingRequest(ctx, t, actor, id, forum.CanRouteRequest)
		if err != nil {
			return err
		}
		if err := openRequest(r); err != nil {
			return err
		}
		if to == r.MinistryID {
			return forum.Invalid("ministry", "err.handling_transfer_same")
		}
		var exists bool
		if err := t.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM ministries WHERE id = ?)`, to).Scan(&exists); err != nil {
			return err
		}
		if !exists {
			return forum.Invalid("ministry", "err.handling_transfer_ministry")
		}
		days := settings.RequestDays.Of(r.Kind)
		if r.Round > 1 {
			days = settings.ObjectionDays
		}
		now := t.now.Unix()
		due := cal.Due(t.now, days).Unix()
		if _, err := t.ExecContext(ctx, `UPDATE requests SET ministry_id = ?, assignee_id = NULL, status = ?, period_days = ?, period_start = ?,
			due_at = ?, paused_at = NULL, paused_days = 0, extended = 0, updated_at = ? WHERE id = ?`,
			to, forum.RequestReceived, days, now, due, now, id); err != nil {
			return err
		}
		if _, err := requestStep(ctx, t, id, "transferred", actor.ID, r.MinistryID, to, reason, moderation.RenderMarkdown(reason).String(), due); err != nil {
			return err
		}
		data := requestNote(r, map[string]any{"from": r.MinistryID, "to": to, "reason": reason, "due": due})
		return notifyAbout(ctx, t, r.FilerID, forum.NoteRequestTransferred, forum.NoteSubject("request", id), data)
	})
	if err != nil {
		return fmt.Errorf("transfer request %d: %w", id, err)
	}
	return nil
}

// AskRequestInfo asks the filer of request id for more information
// (question, its Markdown source, and html, as moderation rendered it). The
// clock stops until the filer replies (GiveRequestInfo). Only the holding
// ministry's officials ask (forum.CanHandleRequest), while the request is
// open and not already waiting. The filer is told.
func (s *Store) AskRequestInfo(ctx context.Context, actor *forum.User, id int64, question string, html moderation.Sanitized) error {
	if strings.TrimSpace(question) == "" || html.IsZero() {
		return fmt.Errorf("ask for information on request %d: %w", id, forum.Invalid("question", "err.handling_question_required"))
	}
	if utf8.RuneCountInString(question) > RequestQuestionMax {
		return fmt.Errorf("ask for information on request %d: %w", id, forum.Invalid("question", "err.body_too_long", RequestQuestionMax))
	}
	err := s.write(ctx, func(t *tx) error {
		r, err := handlingRequest(ctx, t, actor, id, forum.CanHandleRequest)
		if err != nil {
			return err
		}
		if err := openRequest(r); err != nil {
			return err
		}
		if r.Status == forum.RequestInfoRequested {
			return forum.Refuse(forum.ErrInvalidState, "err.handling_already_waiting")
		}
		now := t.now.Unix()
		if _, err := t.ExecContext(ctx, `UPDATE requests SET status = ?, paused_at = ?, updated_at = ? WHERE id = ?`,
			forum.RequestInfoRequested, now, now, id); err != nil {
			return err
		}
		if _, err := requestStep(ctx, t, id, "info_requested", actor.ID, r.MinistryID, 0, question, html.String(), 0); err != nil {
			return err
		}
		return notifyAbout(ctx, t, r.FilerID, forum.NoteRequestInfo, forum.NoteSubject("request", id), requestNote(r, nil))
	})
	if err != nil {
		return fmt.Errorf("ask for information on request %d: %w", id, err)
	}
	return nil
}

// resumeClock returns the due time and the stopped working days of a
// period whose clock stopped at paused and restarts at now: the working days
// from the day it stopped (not counted: the ministry had it that day) to
// the day it restarts (counted) stood still, so they are added to
// pausedDays and the due time moves on by as many working days (the due
// time stays when there are none: a question answered the day it was
// asked, or over a weekend or holidays only).
func resumeClock(cal *workday.Calendar, paused, now, due time.Time, pausedDays int) (time.Time, int) {
	n := cal.Between(paused, now)
	if n > 0 {
		due = cal.After(due, n)
	}
	return due, pausedDays + n
}

// answerWorkingDays is the working days a ministry took for an answer at
// now in the period that began at start: from start's day (counted when it
// is a working day, as the period counts it) to now's day (counted), less
// the pausedDays the clock stood still.
func answerWorkingDays(cal *workday.Calendar, start, now time.Time, pausedDays int) int {
	return max(cal.Between(start.Add(-24*time.Hour), now)-pausedDays, 0)
}

// GiveRequestInfo is the filer's reply (src, its Markdown source, and html)
// to the ministry's question on request id, with up to
// forum.RequestFilesMax files. Only the filer replies, only while the
// request waits for it. The clock restarts (resumeClock) and the request is
// processing again; the assigned official, if any, is told.
func (s *Store) GiveRequestInfo(ctx context.Context, filer *forum.User, id int64, src string, html moderation.Sanitized, files []NewAttachment) error {
	if strings.TrimSpace(src) == "" || html.IsZero() {
		return fmt.Errorf("give information on request %d: %w", id, forum.Invalid("reply", "err.handling_reply_required"))
	}
	if utf8.RuneCountInString(src) > RequestQuestionMax {
		return fmt.Errorf("give information on request %d: %w", id, forum.Invalid("reply", "err.body_too_long", RequestQuestionMax))
	}
	if len(files) > forum.RequestFilesMax {
		return fmt.Errorf("give information on request %d: %w", id, forum.Invalid("files", "err.handling_files_count", forum.RequestFilesMax))
	}
	cal := s.Calendar()
	err := s.write(ctx, func(t *tx) error {
		r, err := handlingRequest(ctx, t, filer, id, func(u *forum.User, r *forum.Request) bool { return u.ID == r.FilerID && u.Active() })
		if err != nil {
			return err
		}
		if r.Status != forum.RequestInfoRequested {
			return forum.Refuse(forum.ErrInvalidState, "err.handling_not_waiting")
		}
		due, paused := resumeClock(cal, r.Paused, t.now, r.Due, r.PausedDays)
		if _, err := t.ExecContext(ctx, `UPDATE requests SET status = ?, paused_at = NULL, paused_days = ?, due_at = ?, updated_at = ? WHERE id = ?`,
			forum.RequestProcessing, paused, due.Unix(), t.now.Unix(), id); err != nil {
			return err
		}
		step, err := requestStep(ctx, t, id, "info_given", filer.ID, r.MinistryID, 0, src, html.String(), due.Unix())
		if err != nil {
			return err
		}
		if err := addAttachments(ctx, t, id, step, filer.ID, files); err != nil {
			return err
		}
		if r.AssigneeID == 0 {
			return nil
		}
		data := requestNote(r, map[string]any{"replied": true, "due": due.Unix()})
		return notifyAbout(ctx, t, r.AssigneeID, forum.NoteRequestInfo, forum.NoteSubject("request", id), data)
	})
	if err != nil {
		return fmt.Errorf("give information on request %d: %w", id, err)
	}
	return nil
}

// ExtendRequest extends the period of request id once in a round, by days
// working days (1 to the period's own length, as the Civil Petitions Act
// art. 21 allows), for reason. Only the holding ministry's officials extend
// (forum.CanHandleRequest), while the request is open. The filer is told
// the new due date.
func (s *Store) ExtendRequest(ctx context.Context, actor *forum.User, id int64, days int, reason string) error {
	reason = strings.TrimSpace(reason)
	if err := checkReason(reason); err != nil {
		return fmt.Errorf("extend request %d: %w", id, err)
	}
	cal := s.Calendar()
	err := s.write(ctx, func(t *tx) error {
		r, err := handlingRequest(ctx, t, actor, id, forum.CanHandleRequest)
		if err != nil {
			return err
		}
		if err := openRequest(r); err != nil {
			return err
		}
		if r.Extended {
			return forum.Refuse(forum.ErrInvalidState, "err.handling_extended_once")
		}
		if days < 1 || days > r.PeriodDays {
			return forum.Invalid("days", "err.handling_extend_days", r.PeriodDays)
		}
		due := cal.After(r.Due, days).Unix()
		if _, err := t.ExecContext(ctx, `UPDATE requests SET extended = 1, period_days = period_days + ?, due_at = ?, updated_at = ? WHERE id = ?`,
			days, due, t.now.Unix(), id); err != nil {
			return err
		}
		if _, err := requestStep(ctx, t, id, "extended", actor.ID, r.MinistryID, 0, reason, moderation.RenderMarkdown(reason).String(), due); err != nil {
			return err
		}
		data := requestNote(r, map[string]any{"days": days, "reason": reason, "due": due})
		return notifyAbout(ctx, t, r.FilerID, forum.NoteRequestExtended, forum.NoteSubject("request", id), data)
	})
	if err != nil {
		return fmt.Errorf("extend request %d: %w", id, err)
	}
	return nil
}

// AnswerRequest answers request id for its ministry in the current round:
// in, validated (a refusal gives its legal basis and remedies), with its
// reasons rendered as body, written in lang. Only the holding ministry's
// officials answer (forum.CanHandleRequest), while the request is open and
// not waiting for the filer. The answer records the working days the
// ministry took (answerWorkingDays) and whether it came by the due time.
// The filer is told.
func (s *Store) AnswerRequest(ctx context.Context, actor *forum.User, id int64, in forum.RequestAnswerInput, body moderation.Sanitized, lang string) error {
	in.Summary, in.LegalBasis = strings.TrimSpace(in.Summary), strings.TrimSpace(in.LegalBasis)
	in.ResponsibleUnit, in.Contact, in.RemedyNote = strings.TrimSpace(in.ResponsibleUnit), strings.TrimSpace(in.Contact), strings.TrimSpace(in.RemedyNote)
	if err := in.Validate(); err != nil {
		return fmt.Errorf("answer request %d: %w", id, err)
	}
	remedies := make([]string, 0, len(in.Remedies))
	for _, r := range forum.Remedies() { // each once, in display order
		for _, got := range in.Remedies {
			if got == r {
				remedies = append(remedies, string(r))
				break
			}
		}
	}
	cal := s.Calendar()
	err := s.write(ctx, func(t *tx) error {
		r, err := handlingRequest(ctx, t, actor, id, forum.CanHandleRequest)
		if err != nil {
			return err
		}
		if err := openRequest(r); err != nil {
			return err
		}
		if r.Status == forum.RequestInfoRequested {
			return forum.Refuse(forum.ErrInvalidState, "err.handling_waiting")
		}
		now := t.now.Unix()
		worked := answerWorkingDays(cal, r.PeriodStart, t.now, r.PausedDays)
		onTime := !t.now.After(r.Due)
		if _, err := t.ExecContext(ctx, `INSERT INTO request_answers (request_id, round, ministry_id, official_id, decision, summary, body_src, body_html,
			legal_basis, responsible_unit, contact, remedies, remedy_note, working_days, on_time, lang, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			id, r.Round, r.MinistryID, actor.ID, in.Decision, in.Summary, in.Body, body.String(), in.LegalBasis, in.ResponsibleUnit,
			in.Contact, strings.Join(remedies, " "), in.RemedyNote, worked, boolInt(onTime), lang, now); err != nil {
			return err
		}
		if _, err := t.ExecContext(ctx, `UPDATE requests SET status = ?, answered_at = ?, paused_at = NULL, updated_at = ? WHERE id = ?`,
			forum.RequestAnswered, now, now, id); err != nil {
			return err
		}
		if _, err := requestStep(ctx, t, id, "answered", actor.ID, r.MinistryID, 0, in.Summary, "", 0); err != nil {
			return err
		}
		data := requestNote(r, map[string]any{"decision": in.Decision, "round": r.Round, "ministry": r.MinistryID})
		return notifyAbout(ctx, t, r.FilerID, forum.NoteRequestAnswered, forum.NoteSubject("request", id), data)
	})
	if err != nil {
		return fmt.Errorf("answer request %d: %w", id, err)
	}
	return nil
}

// WithdrawRequest withdraws request id for its filer, while it is open.
func (s *Store) WithdrawRequest(ctx context.Context, filer *forum.User, id int64) error {
	err := s.write(ctx, func(t *tx) error {
		r, err := handlingRequest(ctx, t, filer, id, func(u *forum.User, r *forum.Request) bool { return u.ID == r.FilerID })
		if err != nil {
			return err
		}
		if err := openRequest(r); err != nil {
			return err
		}
		if _, err := t.ExecContext(ctx, `UPDATE requests SET status = ?, paused_at = NULL, updated_at = ? WHERE id = ?`,
			forum.RequestWithdrawn, t.now.Unix(), id); err != nil {
			return err
		}
		_, err = requestStep(ctx, t, id, "withdrawn", filer.ID, r.MinistryID, 0, "", "", 0)
		return err
	})
	if err != nil {
		return fmt.Errorf("withdraw request %d: %w", id, err)
	}
	return nil
}

// InboxRequests returns up to limit open requests held by a ministry, due
// soonest first (index requests_inbox).
func (s *Store) InboxRequests(ctx context.Context, ministryID int64, limit int) ([]*forum.Request, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+requestCols+requestFrom+` WHERE r.ministry_id = ? AND r.status IN (?, ?, ?)
		ORDER BY r.due_at, r.id LIMIT ?`, ministryID, forum.RequestReceived, forum.RequestProcessing, forum.RequestInfoRequested, limit)
	if err != nil {
		return nil, fmt.Errorf("inbox requests: %w", mapErr(err))
	}
	return collectRequests(rows, "inbox requests")
}

// AnsweredRequests returns up to limit requests a ministry answered since
// since and that stay answered, the latest answer first (index
// request_answers_ministry).
func (s *Store) AnsweredRequests(ctx context.Context, ministryID int64, since time.Time, limit int) ([]*forum.Request, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+requestCols+requestFrom+` JOIN request_answers ra ON ra.request_id = r.id AND ra.round = r.round
		WHERE ra.ministry_id = ? AND ra.created_at >= ? AND r.status = ? ORDER BY ra.created_at DESC, r.id DESC LIMIT ?`,
		ministryID, since.Unix(), forum.RequestAnswered, limit)
	if err != nil {
		return nil, fmt.Errorf("answered requests: %w", mapErr(err))
	}
	return collectRequests(rows, "answered requests")
}

// collectRequests reads every request of rows and closes them.
func collectRequests(rows interface {
	Next() bool
	Scan(...any) error
	Err() error
	Close() error
}, what string) ([]*forum.Request, error) {
	defer rows.Close()
	var out []*forum.Request
	for rows.Next() {
		r, err := scanRequest(rows)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", what, err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	return out, nil
}

// SendRequestProgressNotices tells the filer of every request open for
// forum.RequestProgressNoticeDays since it was filed or last noticed how
// it progresses and when to expect the answer, as the Civil Petitions Act
// decree art. 23 asks: a notification with the due date, and a
// progress_notice step. It sends at most RequestNoticeBatch at a time and
// returns how many it sent; a notice once sent is not sent again before
// as many days more.
func (s *Store) SendRequestProgressNotices(ctx context.Context) (int, error) {
	var n int
	err := s.write(ctx, func(t *tx) error {
		n = 0
		cutoff := t.now.Add(-forum.RequestProgressNoticeDays * 24 * time.Hour).Unix()
		rows, err := t.QueryContext(ctx, `SELECT r.id, r.filer_id, r.ministry_id, r.title, r.due_at, COALESCE(r.paused_at, 0), r.created_at FROM requests r
			WHERE r.status IN (?, ?, ?) AND COALESCE(r.progress_notice_at, r.created_at) <= ? ORDER BY r.id LIMIT ?`,
			forum.RequestReceived, forum.RequestProcessing, forum.RequestInfoRequested, cutoff, RequestNoticeBatch)
		if err != nil {
			return err
		}
		type due struct {
			r      forum.Request
			paused bool
		}
		var list []due
		for rows.Next() {
			var d due
			var at, paused, created int64
			if err := rows.Scan(&d.r.ID, &d.r.FilerID, &d.r.MinistryID, &d.r.Title, &at, &paused, &created); err != nil {
				rows.Close()
				return err
			}
			d.r.Due, d.r.CreatedAt, d.paused = fromUnix(at), fromUnix(created), paused != 0
			list = append(list, d)
		}
		if err := rows.Close(); err != nil {
			return err
		}
		if err := rows.Err(); err != nil {
			return err
		}
		for _, d := range list {
			if _, err := t.ExecContext(ctx, `UPDATE requests SET progress_notice_at = ? WHERE id = ?`, t.now.Unix(), d.r.ID); err != nil {
				return err
			}
			if _, err := requestStep(ctx, t, d.r.ID, "progress_notice", 0, d.r.MinistryID, 0, "", "", d.r.Due.Unix()); err != nil {
				return err
			}
			data := requestNote(&d.r, map[string]any{"due": d.r.Due.Unix(), "paused": d.paused, "ministry": d.r.MinistryID})
			if err := notifyAbout(ctx, t, d.r.FilerID, forum.NoteRequestProgress, forum.NoteSubject("request", d.r.ID), data); err != nil {
				return err
			}
			n++
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("send request progress notices: %w", err)
	}
	return n, nil
}
