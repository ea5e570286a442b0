package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/e-people/e-people/forum"
	"github.com/e-people/e-people/forum/workday"
	"github.com/e-people/e-people/moderation"
)

// Mail kinds of civil requests that go to the filer whatever their mail
// frequency: the receipt is the filer's proof of filing.
const MailRequestReceipt = "request_receipt"

// NewAttachment is a file to store with a request, as forum/attachment's
// Check returned it: its cleaned name, kind, bytes and their SHA-256.
type NewAttachment struct {
	Name   string
	Kind   string
	Data   []byte
	SHA256 string
}

// NewRequest is a civil request to file.
type NewRequest struct {
	Input forum.RequestInput
	Body  moderation.Sanitized // Input.Body rendered by moderation
	Lang  string               // the language of the text (forum.DetectLang); "" not known
	Files []NewAttachment
}

// FileRequest files a civil request for filer, an e-mail-verified citizen,
// with its attachments, in one transaction. The ministry is the one chosen
// or, when none was, the category's usual ministry. The period is the
// kind's (Settings.RequestDays), counted in working days from today. The
// filer gets a notification and the receipt by mail.
func (s *Store) FileRequest(ctx context.Context, filer *forum.User, nr NewRequest) (*forum.Request, error) {
	in := nr.Input
	if !filer.Active() || filer.Deleted {
		return nil, fmt.Errorf("file request: %w", forum.Refuse(forum.ErrForbidden, "err.request_not_active"))
	}
	if !filer.Tier.AtLeast(forum.TierEmailVerified) {
		return nil, fmt.Errorf("file request: %w", &forum.TierError{Action: "file_request", Need: forum.TierEmailVerified})
	}
	if err := in.Validate(); err != nil {
		return nil, fmt.Errorf("file request: %w", err)
	}
	if len(nr.Files) > forum.RequestFilesMax {
		return nil, fmt.Errorf("file request: %w", forum.Invalid("files", "err.request_files_count", forum.RequestFilesMax))
	}
	days := s.Settings().RequestDays.Of(in.Kind)
	cal := s.Calendar()
	var id int64
	err := s.write(ctx, func(t *tx) error {
		ministry, category, err := requestMinistry(ctx, t, in.MinistryID, in.CategoryID)
		if err != nil {
			return err
		}
		now := t.now.Unix()
		due := cal.Due(t.now, days).Unix()
		if err := t.QueryRowContext(ctx, `INSERT INTO requests (filer_id, kind, ministry_id, category_id, title, body_src, body_html, lang,
			publish_consent, status, round, period_days, period_start, due_at, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?, ?) RETURNING id`,
			filer.ID, in.Kind, ministry, category, strings.TrimSpace(in.Title), in.Body, nr.Body.String(), nr.Lang,
			boolInt(in.PublishConsent), forum.RequestReceived, days, now, due, now, now).Scan(&id); err != nil {
			return err
		}
		if _, err := requestStep(ctx, t, id, "filed", filer.ID, ministry, 0, "", "", due); err != nil {
			return err
		}
		if err := addAttachments(ctx, t, id, 0, filer.ID, nr.Files); err != nil {
			return err
		}
		receipt := forum.Receipt(id, t.now)
		data := map[string]any{"request_id": id, "receipt": receipt, "title": strings.TrimSpace(in.Title), "ministry": ministry, "due": due}
		if err := notifyAbout(ctx, t, filer.ID, forum.NoteRequestFiled, forum.NoteSubject("request", id), data); err != nil {
			return err
		}
		return queueAccountMail(ctx, t, filer.ID, filer.Email, MailRequestReceipt, data)
	})
	if err != nil {
		return nil, fmt.Errorf("file request: %w", err)
	}
	return s.Request(ctx, id)
}

// requestMinistry returns the ministry a new request goes to and its
// category (nil for none): the ministry chosen, or the category's usual one.
func requestMinistry(ctx context.Context, t *tx, ministry, category int64) (int64, any, error) {
	var cat any
	if category != 0 {
		var usual sql.NullInt64
		err := t.QueryRowContext(ctx, `SELECT ministry_id FROM categories WHERE id = ?`, category).Scan(&usual)
		if errors.Is(err, sql.ErrNoRows) {
			return 0, nil, forum.Invalid("category", "err.category_required")
		}
		if err != nil {
			return 0, nil, err
		}
		cat = category
		if ministry == 0 {
			if !usual.Valid {
				return 0, nil, forum.Invalid("ministry", "err.request_ministry")
			}
			ministry = usual.Int64
		}
	}
	var exists bool
	if err := t.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM ministries WHERE id = ?)`, ministry).Scan(&exists); err != nil {
		return 0, nil, err
	}
	if !exists {
		return 0, nil, forum.Invalid("ministry", "err.request_ministry")
	}
	return ministry, cat, nil
}

// requestStep records one step of request id's history and returns its id.
// ministry, to and due are left NULL when 0.
func requestStep(ctx context.Context, t *tx, id int64, kind string, actor, ministry, to int64, noteSrc, noteHTML string, due int64) (int64, error) {
	var step int64
	err := t.QueryRowContext(ctx, `INSERT INTO request_steps (request_id, kind, actor_id, ministry_id, to_ministry, note_src, note_html, due_at, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		id, kind, nullID(actor), nullID(ministry), nullID(to), noteSrc, noteHTML, nullID(due), t.now.Unix()).Scan(&step)
	return step, err
}

// addAttachments stores files for request id (with its step, or 0 for the
// request itself): each blob once by its hash, and a row naming it.
func addAttachments(ctx context.Context, t *tx, id, step, uploader int64, files []NewAttachment) error {
	for _, f := range files {
		if _, err := t.ExecContext(ctx, `INSERT INTO attachment_blobs (sha256, size, data) VALUES (?, ?, ?) ON CONFLICT (sha256) DO NOTHING`,
			f.SHA256, len(f.Data), f.Data); err != nil {
			return err
		}
		if _, err := t.ExecContext(ctx, `INSERT INTO request_attachments (request_id, step_id, uploader_id, name, kind, size, sha256, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, id, nullID(step), uploader, f.Name, f.Kind, len(f.Data), f.SHA256, t.now.Unix()); err != nil {
			return err
		}
	}
	return nil
}

// nullID is v, or NULL when v is 0.
func nullID(v int64) any {
	if v == 0 {
		return nil
	}
	return v
}

// boolInt is 1 for true and 0 for false, for the integer flags.
func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

const requestCols = `r.id, r.filer_id, f.name, r.kind, r.ministry_id, COALESCE(r.category_id, 0), COALESCE(r.assignee_id, 0), COALESCE(a.name, ''),
	r.title, r.body_src, r.body_html, r.lang, r.publish_consent, r.status, r.round, r.period_days, r.period_start, r.due_at,
	COALESCE(r.paused_at, 0), r.paused_days, r.extended, r.created_at, r.updated_at, COALESCE(r.answered_at, 0), COALESCE(r.objected_at, 0),
	COALESCE((SELECT q.id FROM faqs q WHERE q.request_id = r.id), 0)`

const requestFrom = ` FROM requests r JOIN users f ON f.id = r.filer_id LEFT JOIN users a ON a.id = r.assignee_id`

func scanRequest(row interface{ Scan(...any) error }) (*forum.Request, error) {
	var r forum.Request
	var body string
	var consent, extended int
	var start, due, paused, created, updated, answered, objected int64
	if err := row.Scan(&r.ID, &r.FilerID, &r.FilerName, &r.Kind, &r.MinistryID, &r.CategoryID, &r.AssigneeID, &r.AssigneeName,
		&r.Title, &r.BodySrc, &body, &r.Lang, &consent, &r.Status, &r.Round, &r.PeriodDays, &start, &due,
		&paused, &r.PausedDays, &extended, &created, &updated, &answered, &objected, &r.FAQID); err != nil {
		return nil, err
	}
	r.Body, r.PublishConsent, r.Extended = moderation.TrustedFromStore(body), consent == 1, extended == 1
	r.PeriodStart, r.Due, r.CreatedAt, r.UpdatedAt = fromUnix(start), fromUnix(due), fromUnix(created), fromUnix(updated)
	if paused != 0 {
		r.Paused = fromUnix(paused)
	}
	if answered != 0 {
		r.AnsweredAt = fromUnix(answered)
	}
	if objected != 0 {
		r.ObjectedAt = fromUnix(objected)
	}
	return &r, nil
}

// Request returns civil request id as it stands, without asking who reads
// it: callers that show it to a person use ReadRequest.
func (s *Store) Request(ctx context.Context, id int64) (*forum.Request, error) {
	r, err := scanRequest(s.r.QueryRowContext(ctx, `SELECT `+requestCols+requestFrom+` WHERE r.id = ?`, id))
	if err != nil {
		return nil, fmt.Errorf("get request %d: %w", id, mapErr(err))
	}
	return r, nil
}

// ReadRequest returns civil request id to viewer, who must be allowed to
// read it (forum.CanReadRequest); to anyone else it does not exist
// (forum.ErrNotFound), so its existence is not given away. A read by anyone
// but the filer is recorded before the request is returned.
func (s *Store) ReadRequest(ctx context.Context, viewer *forum.User, id int64) (*forum.Request, error) {
	r, err := s.Request(ctx, id)
	if err != nil {
		return nil, err
	}
	if !forum.CanReadRequest(viewer, r) {
		return nil, fmt.Errorf("read request %d: %w", id, forum.ErrNotFound)
	}
	if forum.IsStaffRead(viewer, r) {
		if err := s.recordRead(ctx, viewer, r); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// ReadRequestByReceipt is ReadRequest for a receipt number as a person
// typed it; a malformed number, a wrong check digit or a month that is not
// the request's is forum.ErrNotFound.
func (s *Store) ReadRequestByReceipt(ctx context.Context, viewer *forum.User, receipt string) (*forum.Request, error) {
	id, month, err := forum.ParseReceipt(receipt)
	if err != nil {
		return nil, fmt.Errorf("read request %q: %w", receipt, err)
	}
	r, err := s.ReadRequest(ctx, viewer, id)
	if err != nil {
		return nil, err
	}
	if !strings.HasPrefix(r.Receipt(), month+"-") {
		return nil, fmt.Errorf("read request %q: %w", receipt, forum.ErrNotFound)
	}
	return r, nil
}

// recordRead records that viewer read r for r's ministry (or as an administrator).
func (s *Store) recordRead(ctx context.Context, viewer *forum.User, r *forum.Request) error {
	var ministry int64
	if viewer.Role == forum.RoleOfficial {
		ministry = viewer.MinistryID
	}
	err := s.write(ctx, func(t *tx) error {
		_, err := t.ExecContext(ctx, `INSERT INTO request_reads (request_id, reader_id, ministry_id, read_at) VALUES (?, ?, ?, ?)`,
			r.ID, viewer.ID, nullID(ministry), t.now.Unix())
		return err
	})
	if err != nil {
		return fmt.Errorf("record read of request %d: %w", r.ID, err)
	}
	return nil
}

// UserRequests returns the civil requests filerID filed, newest first.
func (s *Store) UserRequests(ctx context.Context, filerID int64) ([]*forum.Request, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+requestCols+requestFrom+` WHERE r.filer_id = ? ORDER BY r.id DESC`, filerID)
	if err != nil {
		return nil, fmt.Errorf("user requests: %w", mapErr(err))
	}
	defer rows.Close()
	var out []*forum.Request
	for rows.Next() {
		r, err := scanRequest(rows)
		if err != nil {
			return nil, fmt.Errorf("user requests: %w", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// RequestSteps returns request id's history, oldest first.
func (s *Store) RequestSteps(ctx context.Context, id int64) ([]forum.RequestStep, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT st.id, st.kind, COALESCE(st.actor_id, 0), COALESCE(u.name, ''), COALESCE(st.ministry_id, 0),
		COALESCE(st.to_ministry, 0), st.note_src, st.note_html, COALESCE(st.due_at, 0), st.created_at
		FROM request_steps st LEFT JOIN users u ON u.id = st.actor_id WHERE st.request_id = ? ORDER BY st.id`, id)
	if err != nil {
		return nil, fmt.Errorf("request steps: %w", mapErr(err))
	}
	defer rows.Close()
	var out []forum.RequestStep
	for rows.Next() {
		var st forum.RequestStep
		var note string
		var due, at int64
		if err := rows.Scan(&st.ID, &st.Kind, &st.ActorID, &st.ActorName, &st.MinistryID, &st.ToMinistry, &st.NoteSrc, &note, &due, &at); err != nil {
			return nil, fmt.Errorf("request steps: %w", err)
		}
		st.Note, st.CreatedAt = moderation.TrustedFromStore(note), fromUnix(at)
		if due != 0 {
			st.Due = fromUnix(due)
		}
		out = append(out, st)
	}
	return out, rows.Err()
}

// RequestReads returns every recorded read of request id by staff, oldest first.
func (s *Store) RequestReads(ctx context.Context, id int64) ([]forum.RequestRead, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT rd.reader_id, u.name, COALESCE(rd.ministry_id, 0), rd.read_at
		FROM request_reads rd JOIN users u ON u.id = rd.reader_id WHERE rd.request_id = ? ORDER BY rd.id`, id)
	if err != nil {
		return nil, fmt.Errorf("request reads: %w", mapErr(err))
	}
	defer rows.Close()
	var out []forum.RequestRead
	for rows.Next() {
		var rd forum.RequestRead
		var at int64
		if err := rows.Scan(&rd.ReaderID, &rd.ReaderName, &rd.MinistryID, &at); err != nil {
			return nil, fmt.Errorf("request reads: %w", err)
		}
		rd.ReadAt = fromUnix(at)
		out = append(out, rd)
	}
	return out, rows.Err()
}

const attachmentCols = `id, request_id, COALESCE(step_id, 0), uploader_id, name, kind, size, sha256, created_at`

func scanAttachment(row interface{ Scan(...any) error }) (forum.Attachment, error) {
	var a forum.Attachment
	var at int64
	err := row.Scan(&a.ID, &a.RequestID, &a.StepID, &a.UploaderID, &a.Name, &a.Kind, &a.Size, &a.SHA256, &at)
	a.CreatedAt = fromUnix(at)
	return a, err
}

// RequestAttachments returns the files of request id, in the order they were added.
func (s *Store) RequestAttachments(ctx context.Context, id int64) ([]forum.Attachment, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+attachmentCols+` FROM request_attachments WHERE request_id = ? ORDER BY id`, id)
	if err != nil {
		return nil, fmt.Errorf("request attachments: %w", mapErr(err))
	}
	defer rows.Close()
	var out []forum.Attachment
	for rows.Next() {
		a, err := scanAttachment(rows)
		if err != nil {
			return nil, fmt.Errorf("request attachments: %w", err)
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// ReadAttachment returns file attID of request requestID and its bytes to
// viewer, who must be allowed to read the request (ReadRequest, which
// records a staff read); to anyone else it does not exist.
func (s *Store) ReadAttachment(ctx context.Context, viewer *forum.User, requestID, attID int64) (forum.Attachment, []byte, error) {
	if _, err := s.ReadRequest(ctx, viewer, requestID); err != nil {
		return forum.Attachment{}, nil, err
	}
	a, err := scanAttachment(s.r.QueryRowContext(ctx, `SELECT `+attachmentCols+` FROM request_attachments WHERE id = ? AND request_id = ?`,
		attID, requestID))
	if err != nil {
		return forum.Attachment{}, nil, fmt.Errorf("read attachment %d: %w", attID, mapErr(err))
	}
	var data []byte
	if err := s.r.QueryRowContext(ctx, `SELECT data FROM attachment_blobs WHERE sha256 = ?`, a.SHA256).Scan(&data); err != nil {
		return forum.Attachment{}, nil, fmt.Errorf("read attachment %d: %w", attID, mapErr(err))
	}
	return a, data, nil
}

// Calendar returns the working-day calendar: the official holidays and
// the days administrators added, as loaded when the store opened and
// refreshed by every change since.
func (s *Store) Calendar() *workday.Calendar { return s.calendar.Load() }

// loadCalendar reads the administrators' extra days into the store's calendar.
func (s *Store) loadCalendar(ctx context.Context) error {
	extra, err := s.ExtraHolidays(ctx)
	if err != nil {
		return err
	}
	s.calendar.Store(workday.New(extra))
	return nil
}

// ExtraHolidays returns the days off administrators added, by day.
func (s *Store) ExtraHolidays(ctx context.Context) ([]workday.Holiday, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT day, name_ko, name_en, name_zh FROM holidays ORDER BY day`)
	if err != nil {
		return nil, fmt.Errorf("extra holidays: %w", mapErr(err))
	}
	defer rows.Close()
	var out []workday.Holiday
	for rows.Next() {
		h := workday.Holiday{Extra: true}
		if err := rows.Scan(&h.Day, &h.NameKO, &h.NameEN, &h.NameZH); err != nil {
			return nil, fmt.Errorf("extra holidays: %w", err)
		}
		out = append(out, h)
	}
	return out, rows.Err()
}

const requestAnswerCols = `ra.request_id, ra.round, ra.ministry_id, ra.official_id, u.name, ra.decision, ra.summary, ra.body_src, ra.body_html,
	ra.legal_basis, ra.responsible_unit, ra.contact, ra.remedies, ra.remedy_note, ra.working_days, ra.on_time,
	COALESCE(ra.rating, 0), ra.rating_comment, COALESCE(ra.rated_at, 0), ra.created_at`

func scanRequestAnswer(row interface{ Scan(...any) error }) (forum.RequestAnswer, error) {
	var a forum.RequestAnswer
	var body, remedies string
	var onTime int
	var rated, created int64
	if err := row.Scan(&a.RequestID, &a.Round, &a.MinistryID, &a.OfficialID, &a.OfficialName, &a.Decision, &a.Summary, &a.BodySrc, &body,
		&a.LegalBasis, &a.ResponsibleUnit, &a.Contact, &remedies, &a.RemedyNote, &a.WorkingDays, &onTime,
		&a.Rating, &a.RatingComment, &rated, &created); err != nil {
		return a, err
	}
	a.Body, a.OnTime, a.CreatedAt = moderation.TrustedFromStore(body), onTime == 1, fromUnix(created)
	for _, r := range strings.Fields(remedies) {
		a.Remedies = append(a.Remedies, forum.Remedy(r))
	}
	if rated != 0 {
		a.RatedAt = fromUnix(rated)
	}
	return a, nil
}

// RequestAnswers returns the answers to request id, one per round, first round first.
func (s *Store) RequestAnswers(ctx context.Context, id int64) ([]forum.RequestAnswer, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+requestAnswerCols+` FROM request_answers ra JOIN users u ON u.id = ra.official_id
		WHERE ra.request_id = ? ORDER BY ra.round`, id)
	if err != nil {
		return nil, fmt.Errorf("request answers: %w", mapErr(err))
	}
	defer rows.Close()
	var out []forum.RequestAnswer
	for rows.Next() {
		a, err := scanRequestAnswer(rows)
		if err != nil {
			return nil, fmt.Errorf("request answers: %w", err)
		}
		out = append(out, a)
	}
	return out, rows.Err()
}
