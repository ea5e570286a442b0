package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/e-people/e-people/forum"
	"github.com/e-people/e-people/forum/workday"
	"github.com/e-people/e-people/moderation"
)

// afterRow is what the filer's actions after an answer read of a request
// and of the answer of its current round, inside the write.
type afterRow struct {
	filer, ministry int64
	status          forum.RequestStatus
	round           int
	objected        int64
	answered        int64 // the current round's answer's time; 0 when none
}

// loadAfter reads request id for its filer: to anyone else it does not
// exist, as ReadRequest has it.
func loadAfter(ctx context.Context, t *tx, filer *forum.User, id int64) (afterRow, error) {
	var a afterRow
	err := t.QueryRowContext(ctx, `SELECT r.filer_id, r.ministry_id, r.status, r.round, COALESCE(r.objected_at, 0),
		COALESCE((SELECT ra.created_at FROM request_answers ra WHERE ra.request_id = r.id AND ra.round = r.round), 0)
		FROM requests r WHERE r.id = ?`, id).Scan(&a.filer, &a.ministry, &a.status, &a.round, &a.objected, &a.answered)
	if err != nil {
		return a, err
	}
	if filer == nil || a.filer != filer.ID || filer.Deleted {
		return a, forum.ErrNotFound
	}
	return a, nil
}

// RateRequest records the filer's rating (만족도, 1 to 5, with an optional
// comment) of the answer of the round the request is answered in. Only the
// filer rates, only an answered round, and only within the objection
// window after that answer (Settings.ObjectionWindow); within it a second
// rating replaces the first, so that a filer who rated in haste may think
// again while they may still object. Each rating is a 'rated' step.
func (s *Store) RateRequest(ctx context.Context, filer *forum.User, id int64, in forum.RatingInput) error {
	if err := in.Validate(); err != nil {
		return fmt.Errorf("rate request: %w", err)
	}
	window := s.Settings().ObjectionWindow
	comment := strings.TrimSpace(in.Comment)
	err := s.write(ctx, func(t *tx) error {
		a, err := loadAfter(ctx, t, filer, id)
		if err != nil {
			return err
		}
		if a.status != forum.RequestAnswered || a.answered == 0 {
			return forum.Refuse(forum.ErrInvalidState, "after.err.not_answered")
		}
		if t.now.After(forum.ObjectionDeadline(fromUnix(a.answered), window)) {
			return forum.Refuse(forum.ErrInvalidState, "after.err.rating_closed")
		}
		if _, err := t.ExecContext(ctx, `UPDATE request_answers SET rating = ?, rating_comment = ?, rated_at = ? WHERE request_id = ? AND round = ?`,
			in.Rating, comment, t.now.Unix(), id, a.round); err != nil {
			return err
		}
		note := strconv.Itoa(in.Rating)
		html := ""
		if comment != "" {
			note += " " + comment
			html = moderation.RenderMarkdown(comment).String()
		}
		_, err = requestStep(ctx, t, id, "rated", filer.ID, a.ministry, 0, note, html, 0)
		return err
	})
	if err != nil {
		return fmt.Errorf("rate request %d: %w", id, mapErr(err))
	}
	return nil
}

// ObjectRequest records the filer's objection (이의신청) to the first
// answer, once per request and only within Settings.ObjectionWindow of
// that answer: the request reopens at the same ministry as round 2, in
// processing, with a new period of Settings.ObjectionDays working days from
// now (not extended, the clock running); an 'objected' step keeps the
// reasons, and the ministry's officials are told (NoteRequestObjection).
func (s *Store) ObjectRequest(ctx context.Context, filer *forum.User, id int64, reasonSrc string, reason moderation.Sanitized) (*forum.Request, error) {
	if err := forum.ValidateObjection(reasonSrc); err != nil {
		return nil, fmt.Errorf("object to request: %w", err)
	}
	set := s.Settings()
	cal := s.Calendar()
	err := s.write(ctx, func(t *tx) error {
		a, err := loadAfter(ctx, t, filer, id)
		if err != nil {
			return err
		}
		if a.round != 1 || a.objected != 0 {
			return forum.Refuse(forum.ErrInvalidState, "after.err.objected_once")
		}
		if a.status != forum.RequestAnswered || a.answered == 0 {
			return forum.Refuse(forum.ErrInvalidState, "after.err.not_answered")
		}
		if t.now.After(forum.ObjectionDeadline(fromUnix(a.answered), set.ObjectionWindow)) {
			return forum.Refuse(forum.ErrInvalidState, "after.err.objection_closed")
		}
		now := t.now.Unix()
		due := cal.Due(t.now, set.ObjectionDays).Unix()
		if err := execCount(t, 1, `UPDATE requests SET status = ?, round = 2, period_days = ?, period_start = ?, due_at = ?, extended = 0,
			paused_at = NULL, paused_days = 0, progress_notice_at = NULL, objected_at = ?, updated_at = ?
			WHERE id = ? AND round = 1 AND objected_at IS NULL`,
			forum.RequestProcessing, set.ObjectionDays, now, due, now, now, id); err != nil {
			return err
		}
		if _, err := requestStep(ctx, t, id, "objected", filer.ID, a.ministry, 0, strings.TrimSpace(reasonSrc), reason.String(), due); err != nil {
			return err
		}
		officials, err := ministryOfficialIDs(ctx, t, a.ministry)
		if err != nil {
			return err
		}
		var title string
		if err := t.QueryRowContext(ctx, `SELECT title, created_at FROM requests WHERE id = ?`, id).Scan(&title, new(int64)); err != nil {
			return err
		}
		data := map[string]any{"request_id": id, "receipt": s.receiptOf(ctx, t, id), "title": title, "ministry": a.ministry, "due": due}
		for _, o := range officials {
			if err := notifyAbout(ctx, t, o, forum.NoteRequestObjection, forum.NoteSubject("request", id), data); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("object to request %d: %w", id, mapErr(err))
	}
	return s.Request(ctx, id)
}

// receiptOf is request id's receipt number, read inside t.
func (s *Store) receiptOf(ctx context.Context, t *tx, id int64) string {
	var created int64
	if err := t.QueryRowContext(ctx, `SELECT created_at FROM requests WHERE id = ?`, id).Scan(&created); err != nil {
		return ""
	}
	return forum.Receipt(id, fromUnix(created))
}

// ministryOfficialIDs are the active officials of a ministry, whom a
// request's events are told to.
func ministryOfficialIDs(ctx context.Context, t *tx, ministry int64) ([]int64, error) {
	rows, err := t.QueryContext(ctx, `SELECT id FROM users WHERE role = 'official' AND ministry_id = ? AND status = 'active' AND deleted_at IS NULL ORDER BY id`, ministry)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// FAQDraft is what an official sees before publishing a request: the
// request and its answer with the personal data masked.
type FAQDraft struct {
	Request *forum.Request
	Answer  forum.RequestAnswer
	Input   forum.FAQInput
}

// publishable loads request id and the answer of its round for official,
// who must handle it (forum.CanHandleRequest); the request must be
// answered, its filer must have consented, and it must not be published yet.
func (s *Store) publishable(ctx context.Context, official *forum.User, id int64) (*forum.Request, forum.RequestAnswer, error) {
	r, err := s.Request(ctx, id)
	if err != nil {
		return nil, forum.RequestAnswer{}, err
	}
	if !forum.CanHandleRequest(official, r) {
		if forum.CanReadRequest(official, r) {
			return nil, forum.RequestAnswer{}, forum.Refuse(forum.ErrForbidden, "faq.err.not_yours")
		}
		return nil, forum.RequestAnswer{}, forum.ErrNotFound
	}
	switch {
	case r.FAQID != 0:
		return nil, forum.RequestAnswer{}, forum.Refuse(forum.ErrConflict, "faq.err.published")
	case !r.PublishConsent:
		return nil, forum.RequestAnswer{}, forum.Refuse(forum.ErrInvalidState, "faq.err.no_consent")
	case r.Status != forum.RequestAnswered:
		return nil, forum.RequestAnswer{}, forum.Refuse(forum.ErrInvalidState, "after.err.not_answered")
	}
	answers, err := s.RequestAnswers(ctx, id)
	if err != nil {
		return nil, forum.RequestAnswer{}, err
	}
	for _, a := range answers {
		if a.Round == r.Round {
			return r, a, nil
		}
	}
	return nil, forum.RequestAnswer{}, forum.Refuse(forum.ErrInvalidState, "after.err.not_answered")
}

// MaskForFAQ masks text for publication: the personal data
// moderation.MaskPersonalData finds, and the filer's name wherever it appears.
func MaskForFAQ(text, filerName string) string {
	text = moderation.MaskPersonalData(text)
	if name := strings.TrimSpace(filerName); len([]rune(name)) >= 2 {
		text = strings.ReplaceAll(text, name, moderation.PersonalMask)
	}
	return text
}

// DraftFAQ returns request id and its answer masked (MaskForFAQ) for
// official to confirm, under the rules of PublishFAQ.
func (s *Store) DraftFAQ(ctx context.Context, official *forum.User, id int64) (FAQDraft, error) {
	r, a, err := s.publishable(ctx, official, id)
	if err != nil {
		return FAQDraft{}, fmt.Errorf("draft faq of request %d: %w", id, err)
	}
	return FAQDraft{Request: r, Answer: a, Input: forum.FAQInput{
		Title:    MaskForFAQ(r.Title, r.FilerName),
		Question: MaskForFAQ(r.BodySrc, r.FilerName),
		Summary:  MaskForFAQ(a.Summary, r.FilerName),
		Answer:   MaskForFAQ(a.BodySrc, r.FilerName),
	}}, nil
}

// NewFAQ is the masked text an official confirmed, with its renderings.
type NewFAQ struct {
	Input    forum.FAQInput
	Question moderation.Sanitized // Input.Question rendered
	Answer   moderation.Sanitized // Input.Answer rendered
	Lang     string
}

// PublishFAQ publishes request id, answered and consented to by its filer,
// as a frequently asked request with the text official confirmed, once: the
// text is checked again for personal data and the filer's name (a
// ValidationError names each field still at fault, and nothing is written),
// the decision, legal basis and responsible unit come from the answer, the
// entry is indexed for search, the request gets a 'published' step and its
// filer a notification (NoteRequestPublished).
func (s *Store) PublishFAQ(ctx context.Context, official *forum.User, id int64, nf NewFAQ) (int64, error) {
	r, a, err := s.publishable(ctx, official, id)
	if err != nil {
		return 0, fmt.Errorf("publish faq of request %d: %w", id, err)
	}
	in := nf.Input
	if err := in.Validate(r.FilerName); err != nil {
		return 0, fmt.Errorf("publish faq of request %d: %w", id, err)
	}
	var faq int64
	err = s.write(ctx, func(t *tx) error {
		if err := t.QueryRowContext(ctx, `INSERT INTO faqs (request_id, ministry_id, kind, official_id, title, question_src, question_html,
			decision, summary, answer_src, answer_html, legal_basis, responsible_unit, lang, published_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			id, r.MinistryID, r.Kind, official.ID, strings.TrimSpace(in.Title), in.Question, nf.Question.String(),
			a.Decision, strings.TrimSpace(in.Summary), in.Answer, nf.Answer.String(), MaskForFAQ(a.LegalBasis, r.FilerName),
			MaskForFAQ(a.ResponsibleUnit, r.FilerName), nf.Lang, t.now.Unix()).Scan(&faq); err != nil {
			return err
		}
		if _, err := requestStep(ctx, t, id, "published", official.ID, r.MinistryID, 0, "", "", 0); err != nil {
			return err
		}
		if err := indexFAQ(ctx, t, faq); err != nil {
			return err
		}
		return notifyAbout(ctx, t, r.FilerID, forum.NoteRequestPublished, forum.NoteSubject("request", id),
			map[string]any{"request_id": id, "receipt": r.Receipt(), "title": r.Title, "faq_id": faq, "ministry": r.MinistryID})
	})
	if err != nil {
		if errors.Is(mapErr(err), forum.ErrConflict) {
			err = forum.Refuse(forum.ErrConflict, "faq.err.published")
		}
		return 0, fmt.Errorf("publish faq of request %d: %w", id, mapErr(err))
	}
	return faq, nil
}

// indexFAQ puts a published entry in the search index: its title,
// question, summary and answer, found also by its ministry's names.
func indexFAQ(ctx context.Context, t *tx, id int64) error {
	var title, question, summary, answer string
	var ministry, at int64
	var names [3]string
	if err := t.QueryRowContext(ctx, `SELECT q.title, q.question_html, q.summary, q.answer_html, q.ministry_id, q.published_at, m.name_ko, m.name_en, m.name_zh
		FROM faqs q JOIN ministries m ON m.id = q.ministry_id WHERE q.id = ?`, id).
		Scan(&title, &question, &summary, &answer, &ministry, &at, &names[0], &names[1], &names[2]); err != nil {
		return fmt.Errorf("index faq: %w", err)
	}
	text := title + "\n" + indexText(question) + "\n" + summary + "\n" + indexText(answer)
	if err := putIndex(ctx, t, SearchFAQ, id, text, strings.Join(names[:], "\n"), "published", ministry, nil, at); err != nil {
		return fmt.Errorf("index faq: %w", err)
	}
	return nil
}

const faqCols = `id, COALESCE(request_id, 0), ministry_id, kind, official_id, title, question_src, question_html, decision, summary,
	answer_src, answer_html, legal_basis, responsible_unit, lang, published_at`

func scanFAQ(row interface{ Scan(...any) error }) (*forum.FAQ, error) {
	var q forum.FAQ
	var question, answer string
	var at int64
	if err := row.Scan(&q.ID, &q.RequestID, &q.MinistryID, &q.Kind, &q.OfficialID, &q.Title, &q.QuestionSrc, &question, &q.Decision, &q.Summary,
		&q.AnswerSrc, &answer, &q.LegalBasis, &q.ResponsibleUnit, &q.Lang, &at); err != nil {
		return nil, err
	}
	q.Question, q.Answer, q.PublishedAt = moderation.TrustedFromStore(question), moderation.TrustedFromStore(answer), fromUnix(at)
	return &q, nil
}

// FAQ returns published entry id; anyone may read it.
func (s *Store) FAQ(ctx context.Context, id int64) (*forum.FAQ, error) {
	q, err := scanFAQ(s.r.QueryRowContext(ctx, `SELECT `+faqCols+` FROM faqs WHERE id = ?`, id))
	if err != nil {
		return nil, fmt.Errorf("get faq %d: %w", id, mapErr(err))
	}
	return q, nil
}

// FAQQuery filters the published entries; zero values do not filter.
type FAQQuery struct {
	MinistryID int64
	Kind       forum.RequestKind
	Before     int64 // entries with an id below this one (the next page); 0 from the newest
	Limit      int   // 30 when 0, at most 200
}

// FAQs lists published entries, newest first.
func (s *Store) FAQs(ctx context.Context, q FAQQuery) ([]*forum.FAQ, error) {
	if q.Limit <= 0 || q.Limit > 200 {
		q.Limit = 30
	}
	where, args := []string{"1 = 1"}, []any{}
	if q.MinistryID != 0 {
		where, args = append(where, "ministry_id = ?"), append(args, q.MinistryID)
	}
	if q.Kind != "" {
		where, args = append(where, "kind = ?"), append(args, q.Kind)
	}
	if q.Before > 0 {
		where, args = append(where, "id < ?"), append(args, q.Before)
	}
	rows, err := s.r.QueryContext(ctx, `SELECT `+faqCols+` FROM faqs WHERE `+strings.Join(where, " AND ")+` ORDER BY id DESC LIMIT ?`, append(args, q.Limit)...)
	if err != nil {
		return nil, fmt.Errorf("list faqs: %w", mapErr(err))
	}
	defer rows.Close()
	var out []*forum.FAQ
	for rows.Next() {
		f, err := scanFAQ(rows)
		if err != nil {
			return nil, fmt.Errorf("list faqs: %w", err)
		}
		out = append(out, f)
	}
	return out, rows.Err()
}

// EachFAQ calls fn with every published entry, oldest first, for open data.
func (s *Store) EachFAQ(ctx context.Context, fn func(*forum.FAQ) error) error {
	rows, err := s.r.QueryContext(ctx, `SELECT `+faqCols+` FROM faqs ORDER BY id`)
	if err != nil {
		return fmt.Errorf("each faq: %w", mapErr(err))
	}
	defer rows.Close()
	for rows.Next() {
		f, err := scanFAQ(rows)
		if err != nil {
			return fmt.Errorf("each faq: %w", err)
		}
		if err := fn(f); err != nil {
			return err
		}
	}
	return rows.Err()
}

// RequestStat is one line of the public figures of civil requests: the
// requests filed in one month (in Korea) of one kind that one ministry
// holds, and the answers given to them. Aggregates only: no request's text,
// filer or official.
type RequestStat struct {
	Month      string // "2026-02", the month of filing in Korea
	MinistryID int64  // the ministry that holds the requests now (for answers: that gave them)
	Kind       forum.RequestKind
	Received   int
	Answered   int     // answers given, every round
	OnTime     int     // of them, given by their due time
	MedianDays float64 // working days to answer, the stopped clock left out; 0 when none
	Ratings    int     // answers rated
	RatingSum  int
}

// Satisfaction is the average rating, 1 to 5; 0 when none.
func (r RequestStat) Satisfaction() float64 {
	if r.Ratings == 0 {
		return 0
	}
	return float64(r.RatingSum) / float64(r.Ratings)
}

// OnTimePercent is the share of the answers given on time.
func (r RequestStat) OnTimePercent() int {
	if r.Answered == 0 {
		return 0
	}
	return r.OnTime * 100 / r.Answered
}

// requestFigure is one request, or one answer, as the figures count it.
type requestFigure struct {
	ministry, created int64
	kind              forum.RequestKind
	answer            bool
	days              int
	onTime            bool
	rating            int
}

// requestFigures reads every request filed at or after since (unix), with
// the ministry that holds it, and every answer to one, with the ministry
// that gave it; never their text.
func (s *Store) requestFigures(ctx context.Context, since int64) ([]requestFigure, error) {
	var out []requestFigure
	rows, err := s.r.QueryContext(ctx, `SELECT ministry_id, kind, created_at FROM requests WHERE created_at >= ?`, since)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var f requestFigure
		if err := rows.Scan(&f.ministry, &f.kind, &f.created); err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, f)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows, err = s.r.QueryContext(ctx, `SELECT ra.ministry_id, r.kind, r.created_at, ra.working_days, ra.on_time, COALESCE(ra.rating, 0)
		FROM request_answers ra JOIN requests r ON r.id = ra.request_id WHERE r.created_at >= ?`, since)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		f := requestFigure{answer: true}
		var onTime int
		if err := rows.Scan(&f.ministry, &f.kind, &f.created, &f.days, &onTime, &f.rating); err != nil {
			return nil, err
		}
		f.onTime = onTime == 1
		out = append(out, f)
	}
	return out, rows.Err()
}

// median is the middle of days (sorted here), 0 for none.
func median(days []int) float64 {
	if len(days) == 0 {
		return 0
	}
	sort.Ints(days)
	if n := len(days); n%2 == 1 {
		return float64(days[n/2])
	} else {
		return float64(days[n/2-1]+days[n/2]) / 2
	}
}

// RequestStats returns the public figures of civil requests filed in the
// months since the month of since (zero: all of them), by month, ministry
// and kind, newest month first, then by ministry and kind.
func (s *Store) RequestStats(ctx context.Context, since time.Time) ([]RequestStat, error) {
	var from int64
	if !since.IsZero() {
		k := since.In(workday.Seoul())
		from = time.Date(k.Year(), k.Month(), 1, 0, 0, 0, 0, workday.Seoul()).Unix()
	}
	figs, err := s.requestFigures(ctx, from)
	if err != nil {
		return nil, fmt.Errorf("request stats: %w", mapErr(err))
	}
	type key struct {
		month    string
		ministry int64
		kind     forum.RequestKind
	}
	lines := map[key]*RequestStat{}
	days := map[key][]int{}
	for _, f := range figs {
		k := key{fromUnix(f.created).In(workday.Seoul()).Format("2006-01"), f.ministry, f.kind}
		l := lines[k]
		if l == nil {
			l = &RequestStat{Month: k.month, MinistryID: k.ministry, Kind: k.kind}
			lines[k] = l
		}
		if !f.answer {
			l.Received++
			continue
		}
		l.Answered++
		if f.onTime {
			l.OnTime++
		}
		if f.rating > 0 {
			l.Ratings++
			l.RatingSum += f.rating
		}
		days[k] = append(days[k], f.days)
	}
	out := make([]RequestStat, 0, len(lines))
	for k, l := range lines {
		l.MedianDays = median(days[k])
		out = append(out, *l)
	}
	kinds := forum.RequestKinds()
	slices.SortFunc(out, func(a, b RequestStat) int {
		if a.Month != b.Month {
			return strings.Compare(b.Month, a.Month)
		}
		if a.MinistryID != b.MinistryID {
			return int(a.MinistryID - b.MinistryID)
		}
		return slices.Index(kinds, a.Kind) - slices.Index(kinds, b.Kind)
	})
	return out, nil
}

// requestScores returns how each ministry has answered civil requests,
// by ministry id, for its scorecard.
func (s *Store) requestScores(ctx context.Context) (map[int64]forum.RequestScore, error) {
	figs, err := s.requestFigures(ctx, 0)
	if err != nil {
		return nil, fmt.Errorf("request scores: %w", mapErr(err))
	}
	out := map[int64]forum.RequestScore{}
	days := map[int64][]int{}
	for _, f := range figs {
		sc := out[f.ministry]
		if !f.answer {
			sc.Received++
		} else {
			sc.Answered++
			if f.onTime {
				sc.OnTime++
			}
			if f.rating > 0 {
				sc.Ratings++
				sc.RatingSum += f.rating
			}
			days[f.ministry] = append(days[f.ministry], f.days)
		}
		out[f.ministry] = sc
	}
	for m, d := range days {
		sc := out[m]
		sc.MedianDays = median(d)
		out[m] = sc
	}
	return out, nil
}
