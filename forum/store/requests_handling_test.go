package store

import (
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/e-people/e-people/forum"
	"github.com/e-people/e-people/forum/workday"
)

// kst is a day's time in Korea, for the expected dates.
func kst(y int, m time.Month, d, hour int) time.Time {
	return time.Date(y, m, d, hour, 0, 0, 0, workday.Seoul())
}

// endOf is the due time that ends a day in Korea: its last second.
func endOf(y int, m time.Month, d int) time.Time {
	return time.Date(y, m, d, 23, 59, 59, 0, workday.Seoul())
}

// The clock that stops while the filer is asked for more information and
// restarts when they reply: the working days in between are added to the
// stopped days and the due date moves on by as many.
func TestRequestClock_Resume(t *testing.T) {
	cal := workday.New(nil)
	for _, c := range []struct {
		name            string
		paused, resumed time.Time
		due, wantDue    time.Time
		wantDays        int
	}{
		{"paused and resumed the same day", kst(2026, 3, 10, 10), kst(2026, 3, 10, 16), endOf(2026, 3, 19), endOf(2026, 3, 19), 0},
		{"resumed the next working day", kst(2026, 3, 10, 10), kst(2026, 3, 11, 9), endOf(2026, 3, 19), endOf(2026, 3, 20), 1},
		{"over a weekend only", kst(2026, 3, 13, 17), kst(2026, 3, 15, 12), endOf(2026, 3, 19), endOf(2026, 3, 19), 0},
		{"across a weekend to Monday", kst(2026, 3, 13, 17), kst(2026, 3, 16, 8), endOf(2026, 3, 19), endOf(2026, 3, 20), 1},
		// 설날 2026: 16 to 18 February; the due date skips it too.
		{"across 설날 2026", kst(2026, 2, 13, 10), kst(2026, 2, 19, 10), endOf(2026, 2, 13), endOf(2026, 2, 19), 1},
		// 추석 2026: 24 to 26 September (the 26th a Saturday, no substitute).
		{"across 추석 2026", kst(2026, 9, 23, 10), kst(2026, 9, 29, 10), endOf(2026, 9, 23), endOf(2026, 9, 29), 2},
		{"추석 2026 only", kst(2026, 9, 23, 18), kst(2026, 9, 27, 10), endOf(2026, 9, 30), endOf(2026, 9, 30), 0},
		// 개천절 2026 falls on a Saturday: Monday 5 October is its substitute.
		{"across a substitute holiday", kst(2026, 10, 2, 10), kst(2026, 10, 6, 10), endOf(2026, 10, 2), endOf(2026, 10, 6), 1},
	} {
		due, days := resumeClock(cal, c.paused, c.resumed, c.due, 3)
		if !due.Equal(c.wantDue) || days != 3+c.wantDays {
			t.Errorf("%s: due %v, %d stopped days; want %v, %d", c.name, due.In(workday.Seoul()), days, c.wantDue, 3+c.wantDays)
		}
	}
}

// The working days an answer took: from the period's first day (counted
// when a working day) to the answer's, less the days the clock stood still.
func TestRequestClock_AnswerWorkingDays(t *testing.T) {
	cal := workday.New(nil)
	for _, c := range []struct {
		name          string
		start, answer time.Time
		paused, want  int
	}{
		{"the day of filing", kst(2026, 3, 10, 9), kst(2026, 3, 10, 18), 0, 1},
		{"filed on a Saturday, answered Monday", kst(2026, 3, 14, 9), kst(2026, 3, 16, 9), 0, 1},
		{"filed on a Saturday, answered Sunday", kst(2026, 3, 14, 9), kst(2026, 3, 15, 9), 0, 0},
		{"across 설날", kst(2026, 2, 13, 10), kst(2026, 2, 24, 10), 0, 5},
		{"across 설날, two days stopped", kst(2026, 2, 13, 10), kst(2026, 2, 24, 10), 2, 3},
		{"across 추석", kst(2026, 9, 22, 10), kst(2026, 9, 29, 10), 0, 4},
	} {
		if got := answerWorkingDays(cal, c.start, c.answer, c.paused); got != c.want {
			t.Errorf("%s: %d working days, want %d", c.name, got, c.want)
		}
	}
}

// requestState is everything a handling action may change, to show that a
// refusal changed nothing.
type requestState struct {
	R                                        forum.Request
	steps, notes, answers, attachments, blob int
}

func (rw *requestWorld) state(tb testing.TB, id int64) requestState {
	tb.Helper()
	r, err := rw.s.Request(ctx, id)
	if err != nil {
		tb.Fatal(err)
	}
	return requestState{R: *r, steps: countRows(tb, rw.s, "request_steps"), notes: countRows(tb, rw.s, "notifications"),
		answers: countRows(tb, rw.s, "request_answers"), attachments: countRows(tb, rw.s, "request_attachments"),
		blob: countRows(tb, rw.s, "attachment_blobs")}
}

// refused checks that do, run by the caller, failed as want says (a
// domain error, or invalid(field): a validation error on that field) and
// changed nothing of request id.
func (rw *requestWorld) refused(tb testing.TB, id int64, name string, want error, do func() error) {
	tb.Helper()
	before := rw.state(tb, id)
	err := do()
	if field, ok := want.(*forum.ValidationError); ok {
		ves, _ := forum.AsValidation(err)
		if !slices.ContainsFunc(ves, func(v *forum.ValidationError) bool { return v.Field == field.Field }) {
			tb.Errorf("%s: %v, want a problem with %s", name, err, field.Field)
		}
	} else if !errors.Is(err, want) {
		tb.Errorf("%s: %v, want %v", name, err, want)
	}
	if after := rw.state(tb, id); !reflect.DeepEqual(before, after) {
		tb.Errorf("%s changed the request:\n%+v\n%+v", name, before, after)
	}
}

// invalid is the validation error on field, for refused.
func invalid(field string) error { return forum.Invalid(field, "") }

// notes returns the kinds of the notifications userID got about request id, oldest first.
func (rw *requestWorld) notes(tb testing.TB, userID, id int64) []string {
	tb.Helper()
	rows, err := rw.s.DB().Query(`SELECT kind FROM notifications WHERE user_id = ? AND subject = ? ORDER BY id`, userID, forum.NoteSubject("request", id))
	if err != nil {
		tb.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			tb.Fatal(err)
		}
		out = append(out, k)
	}
	return out
}

func (rw *requestWorld) lastStep(tb testing.TB, id int64) forum.RequestStep {
	tb.Helper()
	steps, err := rw.s.RequestSteps(ctx, id)
	if err != nil || len(steps) == 0 {
		tb.Fatalf("steps %v, %v", steps, err)
	}
	return steps[len(steps)-1]
}

func TestRequestHandling_Assign(t *testing.T) {
	rw := newRequestWorld(t)
	second := rw.member(t, forum.RoleOfficial, "둘째 공무원")
	r := rw.file(t, "배정 시험")
	officials, err := rw.s.MinistryOfficials(ctx, rw.ministry)
	if err != nil || len(officials) != 2 || officials[0].ID != rw.official.ID || officials[1].ID != second.ID {
		t.Fatalf("officials of the ministry: %v, %v", officials, err)
	}
	assign := func(u *forum.User, to int64) func() error {
		return func() error { return rw.s.AssignRequest(ctx, u, r.ID, to) }
	}
	rw.refused(t, r.ID, "guest", forum.ErrNotFound, assign(nil, rw.official.ID))
	rw.refused(t, r.ID, "another citizen", forum.ErrNotFound, assign(rw.citizen, rw.official.ID))
	rw.refused(t, r.ID, "moderator", forum.ErrNotFound, assign(rw.moderator, rw.official.ID))
	rw.refused(t, r.ID, "another ministry's official", forum.ErrNotFound, assign(rw.outsider, rw.outsider.ID))
	rw.refused(t, r.ID, "the filer", forum.ErrForbidden, assign(rw.filer, rw.official.ID))
	rw.refused(t, r.ID, "to another ministry's official", invalid("official"), assign(rw.official, rw.outsider.ID))
	rw.refused(t, r.ID, "to a citizen", invalid("official"), assign(rw.official, rw.citizen.ID))

	if err := rw.s.AssignRequest(ctx, rw.admin, r.ID, rw.official.ID); err != nil {
		t.Fatalf("an administrator assigns: %v", err)
	}
	got, _ := rw.s.Request(ctx, r.ID)
	if got.Status != forum.RequestProcessing || got.AssigneeID != rw.official.ID || got.AssigneeName != "official" || !got.Due.Equal(r.Due) {
		t.Errorf("assigned: %+v", got)
	}
	if st := rw.lastStep(t, r.ID); st.Kind != "assigned" || st.ActorID != rw.admin.ID || st.NoteSrc != "official" {
		t.Errorf("step %+v", st)
	}
	if n := rw.notes(t, rw.official.ID, r.ID); !reflect.DeepEqual(n, []string{forum.NoteRequestAssigned}) {
		t.Errorf("the assignee's notifications %v", n)
	}
	// An official hands it to a colleague; it stays processing.
	if err := rw.s.AssignRequest(ctx, rw.official, r.ID, second.ID); err != nil {
		t.Fatal(err)
	}
	if got, _ := rw.s.Request(ctx, r.ID); got.AssigneeID != second.ID || got.Status != forum.RequestProcessing {
		t.Errorf("reassigned: %+v", got)
	}
	if n := rw.notes(t, rw.filer.ID, r.ID); !reflect.DeepEqual(n, []string{forum.NoteRequestFiled, forum.NoteRequestAssigned, forum.NoteRequestAssigned}) {
		t.Errorf("the filer's notifications %v", n)
	}
}

func TestRequestHandling_Transfer(t *testing.T) {
	rw := newRequestWorld(t)
	r := rw.file(t, "이송 시험")
	if err := rw.s.AssignRequest(ctx, rw.official, r.ID, rw.official.ID); err != nil {
		t.Fatal(err)
	}
	if err := rw.s.ExtendRequest(ctx, rw.official, r.ID, 3, "검토 필요"); err != nil {
		t.Fatal(err)
	}
	transfer := func(u *forum.User, to int64, reason string) func() error {
		return func() error { return rw.s.TransferRequest(ctx, u, r.ID, to, reason) }
	}
	rw.refused(t, r.ID, "guest", forum.ErrNotFound, transfer(nil, rw.other, "사유"))
	rw.refused(t, r.ID, "another citizen", forum.ErrNotFound, transfer(rw.citizen, rw.other, "사유"))
	rw.refused(t, r.ID, "moderator", forum.ErrNotFound, transfer(rw.moderator, rw.other, "사유"))
	rw.refused(t, r.ID, "another ministry's official", forum.ErrNotFound, transfer(rw.outsider, rw.other, "사유"))
	rw.refused(t, r.ID, "the filer", forum.ErrForbidden, transfer(rw.filer, rw.other, "사유"))
	rw.refused(t, r.ID, "no reason", invalid("reason"), transfer(rw.official, rw.other, "  "))
	rw.refused(t, r.ID, "a reason too long", invalid("reason"), transfer(rw.official, rw.other, strings.Repeat("가", RequestReasonMax+1)))
	rw.refused(t, r.ID, "to itself", invalid("ministry"), transfer(rw.official, rw.ministry, "사유"))
	rw.refused(t, r.ID, "to no ministry", invalid("ministry"), transfer(rw.official, 9999, "사유"))

	// Wednesday 25 February: the receiving ministry's 7 working days run
	// from then, past the substitute holiday of 삼일절 (Monday 2 March).
	rw.clock.set(kst(2026, 2, 25, 10))
	if err := rw.s.TransferRequest(ctx, rw.official, r.ID, rw.other, "소관 부처가 아닙니다"); err != nil {
		t.Fatal(err)
	}
	got, _ := rw.s.Request(ctx, r.ID)
	if got.MinistryID != rw.other || got.Status != forum.RequestReceived || got.AssigneeID != 0 || got.Extended || got.PeriodDays != 7 ||
		!got.PeriodStart.Equal(kst(2026, 2, 25, 10)) || !got.Due.Equal(endOf(2026, 3, 6)) || got.PausedDays != 0 {
		t.Errorf("transferred: %+v (due %v)", got, got.Due.In(workday.Seoul()))
	}
	st := rw.lastStep(t, r.ID)
	if st.Kind != "transferred" || st.MinistryID != rw.ministry || st.ToMinistry != rw.other || st.NoteSrc != "소관 부처가 아닙니다" ||
		!strings.Contains(st.Note.String(), "소관 부처가 아닙니다") || !st.Due.Equal(got.Due) {
		t.Errorf("step %+v", st)
	}
	// The first ministry has no hold on it any more; the second has.
	if _, err := rw.s.ReadRequest(ctx, rw.official, r.ID); !errors.Is(err, forum.ErrNotFound) {
		t.Errorf("the first ministry still reads it: %v", err)
	}
	rw.refused(t, r.ID, "the first ministry", forum.ErrNotFound, transfer(rw.official, rw.ministry, "돌려보냄"))
	if err := rw.s.ExtendRequest(ctx, rw.outsider, r.ID, 2, "새 부처의 연장"); err != nil {
		t.Errorf("the receiving ministry cannot extend its new period: %v", err)
	}
	if n := rw.notes(t, rw.filer.ID, r.ID); len(n) != 5 || n[3] != forum.NoteRequestTransferred {
		t.Errorf("the filer's notifications %v", n)
	}
}

func TestRequestHandling_InfoStopsTheClock(t *testing.T) {
	rw := newRequestWorld(t)
	r := rw.file(t, "보완 요청 시험") // Friday 13 February, due Thursday 26 February
	if err := rw.s.AssignRequest(ctx, rw.official, r.ID, rw.official.ID); err != nil {
		t.Fatal(err)
	}
	ask := func(u *forum.User, q string) func() error {
		return func() error { return rw.s.AskRequestInfo(ctx, u, r.ID, q, html(q)) }
	}
	rw.refused(t, r.ID, "guest", forum.ErrNotFound, ask(nil, "질문"))
	rw.refused(t, r.ID, "another citizen", forum.ErrNotFound, ask(rw.citizen, "질문"))
	rw.refused(t, r.ID, "another ministry's official", forum.ErrNotFound, ask(rw.outsider, "질문"))
	rw.refused(t, r.ID, "the filer", forum.ErrForbidden, ask(rw.filer, "질문"))
	rw.refused(t, r.ID, "an administrator, who does not answer for a ministry", forum.ErrForbidden, ask(rw.admin, "질문"))
	rw.refused(t, r.ID, "no question", invalid("question"), ask(rw.official, " "))

	if err := rw.s.AskRequestInfo(ctx, rw.official, r.ID, "여권 번호를 알려 주세요", html("여권 번호를 알려 주세요")); err != nil {
		t.Fatal(err)
	}
	got, _ := rw.s.Request(ctx, r.ID)
	if got.Status != forum.RequestInfoRequested || !got.Paused.Equal(kst(2026, 2, 13, 10)) || got.Overdue(kst(2026, 3, 30, 10)) {
		t.Errorf("asked: %+v", got)
	}
	rw.refused(t, r.ID, "asked twice", forum.ErrInvalidState, ask(rw.official, "또 질문"))
	answer := forum.RequestAnswerInput{Decision: forum.RequestInformed, Summary: "안내", Body: "안내합니다", ResponsibleUnit: "민원과", Contact: "044-000-0000"}
	rw.refused(t, r.ID, "answered while waiting", forum.ErrInvalidState, func() error {
		return rw.s.AnswerRequest(ctx, rw.official, r.ID, answer, html("안내합니다"), "ko")
	})

	pdf := NewAttachment{Name: "여권.pdf", Kind: "pdf", Data: []byte("%PDF-1.7 reply %%EOF"), SHA256: "bb22"}
	reply := func(u *forum.User, text string, files ...NewAttachment) func() error {
		return func() error { return rw.s.GiveRequestInfo(ctx, u, r.ID, text, html(text), files) }
	}
	rw.refused(t, r.ID, "a guest replies", forum.ErrNotFound, reply(nil, "답"))
	rw.refused(t, r.ID, "another citizen replies", forum.ErrNotFound, reply(rw.citizen, "답"))
	rw.refused(t, r.ID, "the official replies", forum.ErrForbidden, reply(rw.official, "답"))
	rw.refused(t, r.ID, "an empty reply", invalid("reply"), reply(rw.filer, "  "))
	rw.refused(t, r.ID, "six files", invalid("files"), reply(rw.filer, "답", pdf, pdf, pdf, pdf, pdf, pdf))

	// The filer replies on Thursday 19 February, after 설날: one working
	// day (the 19th) stood still, and the due date moves a day.
	rw.clock.set(kst(2026, 2, 19, 15))
	if err := rw.s.GiveRequestInfo(ctx, rw.filer, r.ID, "M12345678 입니다", html("M12345678 입니다"), []NewAttachment{pdf}); err != nil {
		t.Fatal(err)
	}
	got, _ = rw.s.Request(ctx, r.ID)
	if got.Status != forum.RequestProcessing || !got.Paused.IsZero() || got.PausedDays != 1 || !got.Due.Equal(endOf(2026, 2, 27)) {
		t.Errorf("replied: %+v (due %v)", got, got.Due.In(workday.Seoul()))
	}
	st := rw.lastStep(t, r.ID)
	if st.Kind != "info_given" || st.ActorID != rw.filer.ID || !st.Due.Equal(got.Due) {
		t.Errorf("step %+v", st)
	}
	if as, err := rw.s.RequestAttachments(ctx, r.ID); err != nil || len(as) != 1 || as[0].StepID != st.ID || as[0].UploaderID != rw.filer.ID {
		t.Errorf("the reply's attachment: %+v, %v", as, err)
	}
	if n := rw.notes(t, rw.official.ID, r.ID); !reflect.DeepEqual(n, []string{forum.NoteRequestInfo}) {
		t.Errorf("the assignee's notifications %v", n)
	}
	rw.refused(t, r.ID, "a second reply", forum.ErrInvalidState, reply(rw.filer, "또 답"))

	// Answered the same day: 13 and 19 February are two working days, one stood still.
	if err := rw.s.AnswerRequest(ctx, rw.official, r.ID, answer, html("안내합니다"), "ko"); err != nil {
		t.Fatal(err)
	}
	as, err := rw.s.RequestAnswers(ctx, r.ID)
	if err != nil || len(as) != 1 || as[0].WorkingDays != 1 || !as[0].OnTime {
		t.Errorf("answers %+v, %v", as, err)
	}
}

func TestRequestHandling_Extend(t *testing.T) {
	rw := newRequestWorld(t)
	r := rw.file(t, "연장 시험")
	extend := func(u *forum.User, days int, reason string) func() error {
		return func() error { return rw.s.ExtendRequest(ctx, u, r.ID, days, reason) }
	}
	rw.refused(t, r.ID, "guest", forum.ErrNotFound, extend(nil, 3, "사유"))
	rw.refused(t, r.ID, "moderator", forum.ErrNotFound, extend(rw.moderator, 3, "사유"))
	rw.refused(t, r.ID, "another ministry's official", forum.ErrNotFound, extend(rw.outsider, 3, "사유"))
	rw.refused(t, r.ID, "the filer", forum.ErrForbidden, extend(rw.filer, 3, "사유"))
	rw.refused(t, r.ID, "an administrator", forum.ErrForbidden, extend(rw.admin, 3, "사유"))
	rw.refused(t, r.ID, "no reason", invalid("reason"), extend(rw.official, 3, ""))
	rw.refused(t, r.ID, "no days", invalid("days"), extend(rw.official, 0, "사유"))
	rw.refused(t, r.ID, "longer than the period", invalid("days"), extend(rw.official, 8, "사유"))

	if err := rw.s.ExtendRequest(ctx, rw.official, r.ID, 7, "관계 기관 협의"); err != nil {
		t.Fatal(err)
	}
	// Seven working days after 26 February, past the substitute holiday on 2 March.
	got, _ := rw.s.Request(ctx, r.ID)
	if !got.Extended || got.PeriodDays != 14 || !got.Due.Equal(endOf(2026, 3, 10)) {
		t.Errorf("extended: %+v (due %v)", got, got.Due.In(workday.Seoul()))
	}
	if st := rw.lastStep(t, r.ID); st.Kind != "extended" || !st.Due.Equal(got.Due) || st.NoteSrc != "관계 기관 협의" {
		t.Errorf("step %+v", st)
	}
	var data string
	if err := rw.s.DB().QueryRow(`SELECT data FROM notifications WHERE user_id = ? AND kind = ?`, rw.filer.ID, forum.NoteRequestExtended).Scan(&data); err != nil ||
		!strings.Contains(data, `"due":`) || !strings.Contains(data, r.Receipt()) {
		t.Errorf("the filer's notice: %s, %v", data, err)
	}
	rw.refused(t, r.ID, "extended twice", forum.ErrInvalidState, extend(rw.official, 1, "또"))
}

func TestRequestHandling_Answer(t *testing.T) {
	rw := newRequestWorld(t)
	r := rw.file(t, "답변 시험")
	refusal := forum.RequestAnswerInput{Decision: forum.RequestRejected, Summary: "수용 곤란", Body: "법령상 불가합니다",
		ResponsibleUnit: "여권과", Contact: "044-000-0000"}
	answer := func(u *forum.User, in forum.RequestAnswerInput) func() error {
		return func() error { return rw.s.AnswerRequest(ctx, u, r.ID, in, html(in.Body), "ko") }
	}
	// A refusal without its legal basis and remedies is not an answer.
	rw.refused(t, r.ID, "a refusal without basis and remedies", invalid("legal_basis"), answer(rw.official, refusal))
	refusal.LegalBasis = "여권법 제12조"
	rw.refused(t, r.ID, "a refusal without remedies", invalid("remedies"), answer(rw.official, refusal))
	refusal.Remedies = []forum.Remedy{forum.RemedyLitigation, forum.RemedyObjection, forum.RemedyObjection}
	refusal.RemedyNote = "처분이 있음을 안 날부터 90일 이내에 행정심판을 청구할 수 있습니다"
	rw.refused(t, r.ID, "guest", forum.ErrNotFound, answer(nil, refusal))
	rw.refused(t, r.ID, "another citizen", forum.ErrNotFound, answer(rw.citizen, refusal))
	rw.refused(t, r.ID, "moderator", forum.ErrNotFound, answer(rw.moderator, refusal))
	rw.refused(t, r.ID, "another ministry's official", forum.ErrNotFound, answer(rw.outsider, refusal))
	rw.refused(t, r.ID, "the filer", forum.ErrForbidden, answer(rw.filer, refusal))
	rw.refused(t, r.ID, "an administrator", forum.ErrForbidden, answer(rw.admin, refusal))

	// Tuesday 24 February: 13, 19, 20, 23 and 24 February, five working days.
	rw.clock.set(kst(2026, 2, 24, 10))
	if err := rw.s.AnswerRequest(ctx, rw.official, r.ID, refusal, html(refusal.Body), "ko"); err != nil {
		t.Fatal(err)
	}
	got, _ := rw.s.Request(ctx, r.ID)
	if got.Status != forum.RequestAnswered || !got.AnsweredAt.Equal(kst(2026, 2, 24, 10)) {
		t.Errorf("answered: %+v", got)
	}
	as, err := rw.s.RequestAnswers(ctx, r.ID)
	if err != nil || len(as) != 1 {
		t.Fatalf("answers %+v, %v", as, err)
	}
	a := as[0]
	if a.Round != 1 || a.MinistryID != rw.ministry || a.OfficialID != rw.official.ID || a.Decision != forum.RequestRejected ||
		a.WorkingDays != 5 || !a.OnTime || a.LegalBasis != "여권법 제12조" || !strings.Contains(a.Body.String(), "법령상 불가합니다") ||
		!reflect.DeepEqual(a.Remedies, []forum.Remedy{forum.RemedyObjection, forum.RemedyLitigation}) || a.RemedyNote == "" {
		t.Errorf("answer %+v", a)
	}
	if n := rw.notes(t, rw.filer.ID, r.ID); n[len(n)-1] != forum.NoteRequestAnswered {
		t.Errorf("the filer's notifications %v", n)
	}
	rw.refused(t, r.ID, "answered twice", forum.ErrInvalidState, answer(rw.official, refusal))
	rw.refused(t, r.ID, "assigned once answered", forum.ErrInvalidState, func() error { return rw.s.AssignRequest(ctx, rw.official, r.ID, rw.official.ID) })

	// An answer after the due date is late.
	late := rw.file(t, "늦은 답변")
	rw.clock.set(kst(2026, 3, 9, 10))
	in := forum.RequestAnswerInput{Decision: forum.RequestAccepted, Summary: "수용", Body: "반영하겠습니다", ResponsibleUnit: "여권과", Contact: "044"}
	if err := rw.s.AnswerRequest(ctx, rw.official, late.ID, in, html(in.Body), "ko"); err != nil {
		t.Fatal(err)
	}
	if as, _ := rw.s.RequestAnswers(ctx, late.ID); len(as) != 1 || as[0].OnTime || as[0].WorkingDays != 9 {
		t.Errorf("late answer %+v", as)
	}
}

func TestRequestHandling_Withdraw(t *testing.T) {
	rw := newRequestWorld(t)
	r := rw.file(t, "취하 시험")
	withdraw := func(u *forum.User) func() error { return func() error { return rw.s.WithdrawRequest(ctx, u, r.ID) } }
	rw.refused(t, r.ID, "guest", forum.ErrNotFound, withdraw(nil))
	rw.refused(t, r.ID, "another citizen", forum.ErrNotFound, withdraw(rw.citizen))
	rw.refused(t, r.ID, "moderator", forum.ErrNotFound, withdraw(rw.moderator))
	rw.refused(t, r.ID, "another ministry's official", forum.ErrNotFound, withdraw(rw.outsider))
	rw.refused(t, r.ID, "the holding ministry's official", forum.ErrForbidden, withdraw(rw.official))
	rw.refused(t, r.ID, "an administrator", forum.ErrForbidden, withdraw(rw.admin))
	if err := rw.s.WithdrawRequest(ctx, rw.filer, r.ID); err != nil {
		t.Fatal(err)
	}
	if got, _ := rw.s.Request(ctx, r.ID); got.Status != forum.RequestWithdrawn {
		t.Errorf("withdrawn: %+v", got)
	}
	if st := rw.lastStep(t, r.ID); st.Kind != "withdrawn" || st.ActorID != rw.filer.ID {
		t.Errorf("step %+v", st)
	}
	rw.refused(t, r.ID, "withdrawn twice", forum.ErrInvalidState, withdraw(rw.filer))
	rw.refused(t, r.ID, "extended once withdrawn", forum.ErrInvalidState, func() error { return rw.s.ExtendRequest(ctx, rw.official, r.ID, 1, "사유") })
}

func TestRequestHandling_Inbox(t *testing.T) {
	rw := newRequestWorld(t)
	a := rw.file(t, "먼저 접수, 연장")
	rw.clock.set(kst(2026, 2, 19, 10))
	b := rw.file(t, "나중 접수")
	c := rw.file(t, "답변 완료")
	if err := rw.s.ExtendRequest(ctx, rw.official, a.ID, 7, "협의"); err != nil {
		t.Fatal(err)
	}
	in := forum.RequestAnswerInput{Decision: forum.RequestInformed, Summary: "안내", Body: "안내", ResponsibleUnit: "과", Contact: "044"}
	if err := rw.s.AnswerRequest(ctx, rw.official, c.ID, in, html("안내"), "ko"); err != nil {
		t.Fatal(err)
	}
	ids := func(rs []*forum.Request, err error) []int64 {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		var out []int64
		for _, r := range rs {
			out = append(out, r.ID)
		}
		return out
	}
	if got := ids(rw.s.InboxRequests(ctx, rw.ministry, 50)); !reflect.DeepEqual(got, []int64{b.ID, a.ID}) {
		t.Errorf("inbox %v, want the one due soonest first: %v", got, []int64{b.ID, a.ID})
	}
	if got := ids(rw.s.InboxRequests(ctx, rw.ministry, 1)); !reflect.DeepEqual(got, []int64{b.ID}) {
		t.Errorf("inbox limited to one: %v", got)
	}
	if got := ids(rw.s.InboxRequests(ctx, rw.other, 50)); got != nil {
		t.Errorf("another ministry's inbox: %v", got)
	}
	since := rw.clock.now().Add(-RequestRecentDays * 24 * time.Hour)
	if got := ids(rw.s.AnsweredRequests(ctx, rw.ministry, since, 50)); !reflect.DeepEqual(got, []int64{c.ID}) {
		t.Errorf("answered %v", got)
	}
	if got := ids(rw.s.AnsweredRequests(ctx, rw.ministry, rw.clock.now().Add(time.Hour), 50)); got != nil {
		t.Errorf("answered since later: %v", got)
	}
}

func TestRequestHandling_ProgressNotices(t *testing.T) {
	rw := newRequestWorld(t)
	filed := rw.clock.now()
	r := rw.file(t, "장기 미처리")
	done := rw.file(t, "취하된 민원")
	if err := rw.s.WithdrawRequest(ctx, rw.filer, done.ID); err != nil {
		t.Fatal(err)
	}
	day := 24 * time.Hour
	for _, c := range []struct {
		after time.Duration
		want  int
	}{
		{29 * day, 0}, {30 * day, 1}, {30*day + time.Hour, 0}, {31 * day, 0}, {59 * day, 0}, {60 * day, 1}, {60 * day, 0},
	} {
		rw.clock.set(filed.Add(c.after))
		n, err := rw.s.SendRequestProgressNotices(ctx)
		if err != nil || n != c.want {
			t.Errorf("after %v: %d notices, %v; want %d", c.after, n, err, c.want)
		}
	}
	steps, _ := rw.s.RequestSteps(ctx, r.ID)
	var notices []forum.RequestStep
	for _, st := range steps {
		if st.Kind == "progress_notice" {
			notices = append(notices, st)
		}
	}
	if len(notices) != 2 || !notices[0].Due.Equal(r.Due) || !notices[1].CreatedAt.Equal(filed.Add(60*day)) {
		t.Errorf("notice steps %+v", notices)
	}
	if n := rw.notes(t, rw.filer.ID, r.ID); len(n) != 3 || n[1] != forum.NoteRequestProgress || n[2] != forum.NoteRequestProgress {
		t.Errorf("the filer's notifications %v", n)
	}
	if n := rw.notes(t, rw.filer.ID, done.ID); len(n) != 1 {
		t.Errorf("a withdrawn request was noticed: %v", n)
	}
}
