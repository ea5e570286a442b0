package store

import (
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/e-people/e-people/forum"
	"github.com/e-people/e-people/moderation"
)

// answerRequest answers request r's current round directly in the tables,
// as part H's AnswerRequest will: an answer by the world's official, given
// now, on time, after days working days; the request is answered.
func (rw *requestWorld) answerRequest(tb testing.TB, r *forum.Request, decision forum.RequestDecision, days int) {
	tb.Helper()
	now := rw.clock.now().Unix()
	cur, err := rw.s.Request(ctx, r.ID)
	if err != nil {
		tb.Fatal(err)
	}
	for _, q := range []struct {
		sql  string
		args []any
	}{
		{`INSERT INTO request_answers (request_id, round, ministry_id, official_id, decision, summary, body_src, body_html, legal_basis,
			responsible_unit, contact, remedies, working_days, on_time, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			[]any{r.ID, cur.Round, cur.MinistryID, rw.official.ID, decision, "답변 요지 " + strconv.Itoa(cur.Round), "답변 본문 홍길동 님 010-1234-5678",
				"<p>답변 본문</p>", "민원처리법 제35조", "민원과", "044-200-1234", "objection", days, 1, now}},
		{`UPDATE requests SET status = 'answered', answered_at = ?, updated_at = ? WHERE id = ?`, []any{now, now, r.ID}},
	} {
		if _, err := rw.s.DB().Exec(q.sql, q.args...); err != nil {
			tb.Fatalf("answer: %v", err)
		}
	}
}

func TestRequests_RateAndObject(t *testing.T) {
	rw := newRequestWorld(t)
	r := rw.file(t, "여권 재발급 기간 문의")
	// Before the answer nobody rates or objects.
	if err := rw.s.RateRequest(ctx, rw.filer, r.ID, forum.RatingInput{Rating: 5}); !errors.Is(err, forum.ErrInvalidState) {
		t.Errorf("rating before the answer: %v", err)
	}
	if _, err := rw.s.ObjectRequest(ctx, rw.filer, r.ID, "이유", html("이유")); !errors.Is(err, forum.ErrInvalidState) {
		t.Errorf("objection before the answer: %v", err)
	}
	rw.answerRequest(t, r, forum.RequestRejected, 5)

	// The role matrix: only the filer rates and objects; the others change nothing.
	for _, c := range []struct {
		name string
		u    *forum.User
	}{{"another citizen", rw.citizen}, {"moderator", rw.moderator}, {"official", rw.official}, {"outsider", rw.outsider},
		{"admin", rw.admin}, {"guest", nil}} {
		if err := rw.s.RateRequest(ctx, c.u, r.ID, forum.RatingInput{Rating: 1}); !errors.Is(err, forum.ErrNotFound) {
			t.Errorf("%s rated: %v", c.name, err)
		}
		if _, err := rw.s.ObjectRequest(ctx, c.u, r.ID, "이유", html("이유")); !errors.Is(err, forum.ErrNotFound) {
			t.Errorf("%s objected: %v", c.name, err)
		}
	}
	// Bad input.
	for _, in := range []forum.RatingInput{{Rating: 0}, {Rating: 6}, {Rating: 3, Comment: strings.Repeat("가", forum.RatingCommentMax+1)}} {
		if err := rw.s.RateRequest(ctx, rw.filer, r.ID, in); err == nil {
			t.Errorf("rating %d with %d characters accepted", in.Rating, len([]rune(in.Comment)))
		} else if _, ok := forum.AsValidation(err); !ok {
			t.Errorf("rating %+v: %v, want a validation error", in.Rating, err)
		}
	}
	if _, err := rw.s.ObjectRequest(ctx, rw.filer, r.ID, "  ", html("")); err == nil {
		t.Error("an objection without reasons accepted")
	}
	if n := countRows(t, rw.s, "request_steps"); n != 1 {
		t.Errorf("%d steps after refusals, want 1 (filed)", n)
	}

	// The filer rates, and may change the rating.
	if err := rw.s.RateRequest(ctx, rw.filer, r.ID, forum.RatingInput{Rating: 2, Comment: "근거가 부족합니다"}); err != nil {
		t.Fatal(err)
	}
	rw.clock.advance(time.Hour)
	if err := rw.s.RateRequest(ctx, rw.filer, r.ID, forum.RatingInput{Rating: 1, Comment: "다시 보니 더 부족합니다"}); err != nil {
		t.Fatal(err)
	}
	as, err := rw.s.RequestAnswers(ctx, r.ID)
	if err != nil || len(as) != 1 || as[0].Rating != 1 || as[0].RatingComment != "다시 보니 더 부족합니다" || as[0].RatedAt.IsZero() {
		t.Fatalf("answers %+v, %v", as, err)
	}

	// The objection reopens the request at the same ministry, in round 2,
	// with a new period of 10 working days from now.
	rw.clock.advance(24 * time.Hour) // Saturday 14 February 2026 11:00
	o, err := rw.s.ObjectRequest(ctx, rw.filer, r.ID, "법적 근거를 다시 검토해 주십시오", html("법적 근거를 다시 검토해 주십시오"))
	if err != nil {
		t.Fatal(err)
	}
	kst := time.FixedZone("KST", 9*3600)
	// 10 working days from Saturday 14 February: 설날 (16–18) skipped: 19, 20, 23, 24, 25, 26, 27, 3 March (2 March is
	// the substitute holiday for 삼일절), 4, 5.
	if want := rw.s.Calendar().Due(rw.clock.now(), 10); !o.Due.Equal(want) || o.Due.In(kst).Month() != time.March {
		t.Errorf("due %v, want %v in March", o.Due.In(kst), want.In(kst))
	}
	if o.Status != forum.RequestProcessing || o.Round != 2 || o.MinistryID != rw.ministry || o.PeriodDays != 10 || o.Extended ||
		!o.Paused.IsZero() || o.ObjectedAt.IsZero() || !o.PeriodStart.Equal(rw.clock.now().Truncate(time.Second)) {
		t.Errorf("objected: %+v", o)
	}
	steps, _ := rw.s.RequestSteps(ctx, r.ID)
	kinds := []string{}
	for _, st := range steps {
		kinds = append(kinds, st.Kind)
	}
	if got := strings.Join(kinds, " "); got != "filed rated rated objected" {
		t.Errorf("steps %s", got)
	}
	if last := steps[len(steps)-1]; last.NoteSrc != "법적 근거를 다시 검토해 주십시오" || !last.Due.Equal(o.Due) || last.ActorID != rw.filer.ID {
		t.Errorf("objected step %+v", last)
	}
	var told int
	if err := rw.s.DB().QueryRow(`SELECT count(*) FROM notifications WHERE user_id = ? AND kind = ?`, rw.official.ID, forum.NoteRequestObjection).Scan(&told); err != nil || told != 1 {
		t.Errorf("the official got %d objection notices, %v", told, err)
	}
	if err := rw.s.DB().QueryRow(`SELECT count(*) FROM notifications WHERE user_id = ? AND kind = ?`, rw.outsider.ID, forum.NoteRequestObjection).Scan(&told); err != nil || told != 0 {
		t.Errorf("another ministry's official got %d objection notices, %v", told, err)
	}
	// Once: not again, and not rated while round 2 is open.
	if _, err := rw.s.ObjectRequest(ctx, rw.filer, r.ID, "또", html("또")); !errors.Is(err, forum.ErrInvalidState) {
		t.Errorf("second objection: %v", err)
	}
	if err := rw.s.RateRequest(ctx, rw.filer, r.ID, forum.RatingInput{Rating: 5}); !errors.Is(err, forum.ErrInvalidState) {
		t.Errorf("rating in an open round: %v", err)
	}
	// The second answer is rated on its own; still no second objection.
	rw.answerRequest(t, r, forum.RequestAccepted, 3)
	if err := rw.s.RateRequest(ctx, rw.filer, r.ID, forum.RatingInput{Rating: 4}); err != nil {
		t.Fatal(err)
	}
	if as, _ := rw.s.RequestAnswers(ctx, r.ID); len(as) != 2 || as[0].Rating != 1 || as[1].Rating != 4 {
		t.Errorf("answers after round 2: %+v", as)
	}
	if _, err := rw.s.ObjectRequest(ctx, rw.filer, r.ID, "또", html("또")); !errors.Is(err, forum.ErrInvalidState) {
		t.Errorf("objection to round 2: %v", err)
	}
}

func TestRequests_ObjectionWindow(t *testing.T) {
	rw := newRequestWorld(t)
	r := rw.file(t, "기한 시험")
	rw.answerRequest(t, r, forum.RequestInformed, 2)
	window := rw.s.Settings().ObjectionWindow
	rw.clock.advance(window + time.Second)
	if err := rw.s.RateRequest(ctx, rw.filer, r.ID, forum.RatingInput{Rating: 3}); !errors.Is(err, forum.ErrInvalidState) {
		t.Errorf("rating after the window: %v", err)
	}
	if _, err := rw.s.ObjectRequest(ctx, rw.filer, r.ID, "늦은 이의", html("늦은 이의")); !errors.Is(err, forum.ErrInvalidState) {
		t.Errorf("objection after the window: %v", err)
	}
	if got, _ := rw.s.Request(ctx, r.ID); got.Status != forum.RequestAnswered || got.Round != 1 {
		t.Errorf("after refusals: %+v", got)
	}
	// A shorter window set by an administrator counts at once.
	r2 := rw.file(t, "기한 시험 2")
	rw.answerRequest(t, r2, forum.RequestInformed, 2)
	if err := rw.s.SetSettings(ctx, map[string]string{forum.SettingObjectionWindowDays: "7"}); err != nil {
		t.Fatal(err)
	}
	rw.clock.advance(7*24*time.Hour + time.Second)
	if _, err := rw.s.ObjectRequest(ctx, rw.filer, r2.ID, "이의", html("이의")); !errors.Is(err, forum.ErrInvalidState) {
		t.Errorf("objection after a 7-day window: %v", err)
	}
}

func TestRequests_PublishFAQ(t *testing.T) {
	rw := newRequestWorld(t)
	consent := func(title, body string) *forum.Request {
		r, err := rw.s.FileRequest(ctx, rw.filer, NewRequest{Input: forum.RequestInput{Kind: forum.RequestInquiry,
			MinistryID: rw.ministry, Title: title, Body: body, PublishConsent: true}, Body: html(body)})
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	r := consent("filer의 여권 재발급 문의", "저는 filer입니다. 연락처 010-2222-3333, 메일 filer@example.kr 로 답 주세요. 주소는 세종특별자치시 도움6로 11")
	noConsent := rw.file(t, "동의 없는 민원")
	rw.answerRequest(t, noConsent, forum.RequestInformed, 1)
	if _, err := rw.s.DraftFAQ(ctx, rw.official, r.ID); !errors.Is(err, forum.ErrInvalidState) {
		t.Errorf("draft before the answer: %v", err)
	}
	rw.answerRequest(t, r, forum.RequestInformed, 4)
	if _, err := rw.s.DraftFAQ(ctx, rw.official, noConsent.ID); !errors.Is(err, forum.ErrInvalidState) {
		t.Errorf("draft without consent: %v", err)
	}
	for _, c := range []struct {
		name string
		u    *forum.User
		want error
	}{{"filer", rw.filer, forum.ErrForbidden}, {"citizen", rw.citizen, forum.ErrNotFound}, {"moderator", rw.moderator, forum.ErrNotFound},
		{"outsider", rw.outsider, forum.ErrNotFound}, {"admin", rw.admin, forum.ErrForbidden}, {"guest", nil, forum.ErrNotFound}} {
		if _, err := rw.s.DraftFAQ(ctx, c.u, r.ID); !errors.Is(err, c.want) {
			t.Errorf("%s drafted: %v, want %v", c.name, err, c.want)
		}
		if _, err := rw.s.PublishFAQ(ctx, c.u, r.ID, NewFAQ{Input: forum.FAQInput{Title: "t", Question: "q", Summary: "s", Answer: "a"}}); !errors.Is(err, c.want) {
			t.Errorf("%s published: %v, want %v", c.name, err, c.want)
		}
	}
	d, err := rw.s.DraftFAQ(ctx, rw.official, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, text := range []string{d.Input.Title, d.Input.Question, d.Input.Answer} {
		for _, bad := range []string{"filer", "010-", "@example", "도움6로"} {
			if strings.Contains(text, bad) {
				t.Errorf("draft %q holds %q", text, bad)
			}
		}
	}
	if !strings.Contains(d.Input.Question, moderation.PersonalMask) || !strings.Contains(d.Input.Answer, "○○○") {
		t.Errorf("draft not masked: %+v", d.Input)
	}
	// The official puts personal data back: refused, nothing written.
	bad := d.Input
	bad.Answer += "\n\n담당자 직통 010-9999-8888"
	bad.Title = "filer 님의 문의"
	_, err = rw.s.PublishFAQ(ctx, rw.official, r.ID, NewFAQ{Input: bad, Question: html(bad.Question), Answer: html(bad.Answer)})
	ves, ok := forum.AsValidation(err)
	if !ok || len(ves) != 2 || ves[0].Field != "title" || ves[1].Field != "answer" {
		t.Fatalf("publishing personal data: %v (%v)", err, ves)
	}
	if n := countRows(t, rw.s, "faqs"); n != 0 {
		t.Fatalf("%d faqs after a refusal", n)
	}
	id, err := rw.s.PublishFAQ(ctx, rw.official, r.ID, NewFAQ{Input: d.Input, Question: html(d.Input.Question), Answer: html(d.Input.Answer), Lang: "ko"})
	if err != nil {
		t.Fatal(err)
	}
	f, err := rw.s.FAQ(ctx, id)
	if err != nil || f.RequestID != r.ID || f.MinistryID != rw.ministry || f.Kind != forum.RequestInquiry || f.Decision != forum.RequestInformed ||
		f.LegalBasis != "민원처리법 제35조" || f.Title != d.Input.Title || f.OfficialID != rw.official.ID {
		t.Errorf("faq %+v, %v", f, err)
	}
	if _, err := rw.s.PublishFAQ(ctx, rw.official, r.ID, NewFAQ{Input: d.Input, Question: html("q"), Answer: html("a")}); !errors.Is(err, forum.ErrConflict) {
		t.Errorf("second publication: %v", err)
	}
	if got, _ := rw.s.Request(ctx, r.ID); got.FAQID != id {
		t.Errorf("request's faq %d, want %d", got.FAQID, id)
	}
	var told int
	if err := rw.s.DB().QueryRow(`SELECT count(*) FROM notifications WHERE user_id = ? AND kind = ?`, rw.filer.ID, forum.NoteRequestPublished).Scan(&told); err != nil || told != 1 {
		t.Errorf("filer told %d times, %v", told, err)
	}
	// Listed, filtered and found by search; the unpublished request is not.
	if l, err := rw.s.FAQs(ctx, FAQQuery{MinistryID: rw.ministry, Kind: forum.RequestInquiry}); err != nil || len(l) != 1 {
		t.Errorf("faqs %d, %v", len(l), err)
	}
	if l, _ := rw.s.FAQs(ctx, FAQQuery{MinistryID: rw.other}); len(l) != 0 {
		t.Errorf("another ministry's faqs: %d", len(l))
	}
	if l, _ := rw.s.FAQs(ctx, FAQQuery{Kind: forum.RequestGrievance}); len(l) != 0 {
		t.Errorf("grievance faqs: %d", len(l))
	}
	wantHits(t, rw.s, SearchQuery{Text: "재발급"}, "faq:"+itoa(id))
	wantHits(t, rw.s, SearchQuery{Text: "재발급", Kind: SearchFAQ}, "faq:"+itoa(id))
	wantHits(t, rw.s, SearchQuery{Text: "동의 없는"})
	hits, _, err := rw.s.Search(ctx, SearchQuery{Text: "재발급"})
	if err != nil || len(hits) != 1 || hits[0].Title != d.Input.Title || hits[0].MinistryID != rw.ministry {
		t.Errorf("hits %+v, %v", hits, err)
	}
	// The entry outlives its request.
	if _, err := rw.s.DB().Exec(`DELETE FROM requests WHERE id = ?`, r.ID); err != nil {
		t.Fatal(err)
	}
	if f, err := rw.s.FAQ(ctx, id); err != nil || f.RequestID != 0 {
		t.Errorf("after the request's deletion: %+v, %v", f, err)
	}
}

// TestRequests_SearchFormat: a database indexed four kinds to a rowid (search
// format 2) is re-indexed once, at eight, with its published requests.
func TestRequests_SearchFormat(t *testing.T) {
	rw := newRequestWorld(t)
	p := rw.propose(t, "심야 버스 확대", false, 0)
	r, err := rw.s.FileRequest(ctx, rw.filer, NewRequest{Input: forum.RequestInput{Kind: forum.RequestSuggestion,
		MinistryID: rw.ministry, Title: "버스 정류장 문의", Body: "정류장", PublishConsent: true}, Body: html("정류장")})
	if err != nil {
		t.Fatal(err)
	}
	rw.answerRequest(t, r, forum.RequestAccepted, 3)
	d, err := rw.s.DraftFAQ(ctx, rw.official, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	faq, err := rw.s.PublishFAQ(ctx, rw.official, r.ID, NewFAQ{Input: d.Input, Question: html(d.Input.Question), Answer: html(d.Input.Answer)})
	if err != nil {
		t.Fatal(err)
	}
	wantHits(t, rw.s, SearchQuery{Text: "버스"}, "proposal:"+itoa(p.ID), "faq:"+itoa(faq))
	// The old format: item_id * 4 + kind, and no FAQ rows.
	for _, q := range []string{`DELETE FROM search_index WHERE kind = 'faq'`,
		`UPDATE search_index SET rowid = item_id * 4 + (rowid - item_id * 8)`,
		`UPDATE settings SET value = '2' WHERE key = 'search_format'`} {
		if _, err := rw.s.DB().Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	var rowid int64
	if err := rw.s.DB().QueryRow(`SELECT rowid FROM search_index WHERE kind = 'proposal' AND item_id = ?`, p.ID).Scan(&rowid); err != nil || rowid != p.ID*4 {
		t.Fatalf("old rowid %d, %v", rowid, err)
	}
	if err := rw.s.upgradeTexts(ctx); err != nil {
		t.Fatal(err)
	}
	if err := rw.s.DB().QueryRow(`SELECT rowid FROM search_index WHERE kind = 'proposal' AND item_id = ?`, p.ID).Scan(&rowid); err != nil || rowid != p.ID*8 {
		t.Errorf("upgraded rowid %d, %v; want %d", rowid, err, p.ID*8)
	}
	wantHits(t, rw.s, SearchQuery{Text: "버스"}, "proposal:"+itoa(p.ID), "faq:"+itoa(faq))
	var format string
	if err := rw.s.DB().QueryRow(`SELECT value FROM settings WHERE key = 'search_format'`).Scan(&format); err != nil || format != "3" {
		t.Errorf("search_format %q, %v", format, err)
	}
}

// TestRequests_Stats: the public figures count requests and answers by
// month, ministry and kind, and the scorecard's figures, without any text.
func TestRequests_Stats(t *testing.T) {
	rw := newRequestWorld(t)
	a := rw.file(t, "첫째 비밀 민원")
	b := rw.file(t, "둘째 비밀 민원")
	rw.file(t, "셋째 비밀 민원")
	rw.answerRequest(t, a, forum.RequestInformed, 2)
	rw.answerRequest(t, b, forum.RequestAccepted, 5)
	if err := rw.s.RateRequest(ctx, rw.filer, a.ID, forum.RatingInput{Rating: 5}); err != nil {
		t.Fatal(err)
	}
	if err := rw.s.RateRequest(ctx, rw.filer, b.ID, forum.RatingInput{Rating: 2}); err != nil {
		t.Fatal(err)
	}
	if _, err := rw.s.DB().Exec(`UPDATE request_answers SET on_time = 0 WHERE request_id = ?`, b.ID); err != nil {
		t.Fatal(err)
	}
	stats, err := rw.s.RequestStats(ctx, time.Time{})
	if err != nil || len(stats) != 1 {
		t.Fatalf("stats %+v, %v", stats, err)
	}
	st := stats[0]
	if st.Month != "2026-02" || st.MinistryID != rw.ministry || st.Kind != forum.RequestInquiry || st.Received != 3 || st.Answered != 2 ||
		st.OnTime != 1 || st.MedianDays != 3.5 || st.Ratings != 2 || st.Satisfaction() != 3.5 || st.OnTimePercent() != 50 {
		t.Errorf("stats %+v", st)
	}
	if later, _ := rw.s.RequestStats(ctx, time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)); len(later) != 0 {
		t.Errorf("stats since March: %+v", later)
	}
	cards, err := rw.s.Scorecards(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cards {
		rq := c.Requests
		switch c.Ministry.ID {
		case rw.ministry:
			if rq.Received != 3 || rq.Answered != 2 || rq.OnTimePercent() != 50 || rq.MedianDays != 3.5 || rq.Satisfaction() != 3.5 {
				t.Errorf("scorecard %+v", rq)
			}
		case rw.other:
			if rq != (forum.RequestScore{}) {
				t.Errorf("the other ministry's scorecard %+v", rq)
			}
		}
	}
}
