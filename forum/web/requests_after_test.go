package web

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/e-people/e-people/forum"
	"github.com/e-people/e-people/forum/store"
	"github.com/e-people/e-people/forum/store/storetest"
	"github.com/e-people/e-people/moderation"
)

// afterWorld is everyone the role matrix of the routes after an answer
// names, and an answered request of the filer's to the env's ministry.
type afterWorld struct {
	e                                *env
	other                            forum.Ministry
	filer, citizen, moderator        *client
	official, outsider, admin, guest *client
	r                                *forum.Request
}

func newAfterWorld(t *testing.T, consent bool) *afterWorld {
	t.Helper()
	e := newEnv(t)
	ctx := context.Background()
	other, err := e.st.CreateMinistry(ctx, forum.Ministry{Slug: "moe", NameKO: "교육부", NameEN: "Ministry of Education"})
	if err != nil {
		t.Fatal(err)
	}
	w := &afterWorld{e: e, other: other, filer: e.register("김민원"), citizen: e.register("다른 시민"),
		moderator: e.staff(forum.RoleModerator, 0, "류지혜"), official: e.staff(forum.RoleOfficial, e.mins[0].ID, "김하늘"),
		outsider: e.staff(forum.RoleOfficial, other.ID, "박교육"), admin: e.staff(forum.RoleAdmin, 0, "이도현"), guest: e.client()}
	body := "저는 김민원입니다. 기초연금 신청 기간이 궁금합니다. 연락처 010-2345-6789, minwon@example.kr"
	w.r, err = e.st.FileRequest(ctx, w.filer.user(), store.NewRequest{Input: forum.RequestInput{Kind: forum.RequestInquiry,
		MinistryID: e.mins[0].ID, Title: "기초연금 신청 기간 문의", Body: body, PublishConsent: consent}, Body: moderation.RenderMarkdown(body)})
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// answer answers request r's current round directly in the tables, as part
// H's AnswerRequest will (by the env's official of the holding ministry).
func answerDirectly(e *env, r *forum.Request, official int64, decision forum.RequestDecision) {
	e.t.Helper()
	cur, err := e.st.Request(context.Background(), r.ID)
	if err != nil {
		e.t.Fatal(err)
	}
	now := e.clock.Now().Unix()
	storetest.Exec(e.t, e.db,
		storetest.Statement{Query: `INSERT INTO request_answers (request_id, round, ministry_id, official_id, decision, summary, body_src, body_html,
			legal_basis, responsible_unit, contact, remedies, working_days, on_time, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			Args: []any{r.ID, cur.Round, cur.MinistryID, official, decision, "신청 기간은 만 65세 생일 한 달 전부터입니다",
				"김민원 님, 기초연금은 생일이 속한 달의 한 달 전부터 신청할 수 있습니다. 문의 044-202-3333", "<p>기초연금은 생일이 속한 달의 한 달 전부터 신청할 수 있습니다.</p>",
				"기초연금법 제10조", "기초연금과", "044-202-3333", "objection administrative_appeal", 3, 1, now}},
		storetest.Statement{Query: `UPDATE requests SET status = 'answered', answered_at = ?, updated_at = ? WHERE id = ?`, Args: []any{now, now, r.ID}})
}

func (w *afterWorld) answer(t *testing.T) {
	answerDirectly(w.e, w.r, w.official.user().ID, forum.RequestInformed)
}

// counts are the rows the routes after an answer write, to see that a refusal changed nothing.
func (w *afterWorld) counts() string {
	rd := w.e.reader()
	return strings.Join([]string{rd.Value(`SELECT count(*) FROM request_steps`), rd.Value(`SELECT count(*) FROM request_reads`),
		rd.Value(`SELECT COALESCE(SUM(COALESCE(rating, 0)), 0) FROM request_answers`), rd.Value(`SELECT round FROM requests WHERE id = ?`, w.r.ID),
		rd.Value(`SELECT count(*) FROM faqs`), rd.Value(`SELECT count(*) FROM notifications`)}, " ")
}

func TestRequestsAfter_RoleMatrix(t *testing.T) {
	w := newAfterWorld(t, true)
	w.answer(t)
	base := "/requests/" + w.r.Receipt()
	before := w.counts()
	for _, c := range []struct {
		name string
		cl   *client
		want int // for rate, object and the feedback page
	}{
		{"another citizen", w.citizen, http.StatusNotFound},
		{"moderator", w.moderator, http.StatusNotFound},
		{"official of the holding ministry", w.official, http.StatusNotFound},
		{"official of another ministry", w.outsider, http.StatusNotFound},
		{"admin", w.admin, http.StatusNotFound},
		{"guest", w.guest, http.StatusUnauthorized},
	} {
		if r := c.cl.post(base+"/rate", url.Values{"rating": {"1"}}); r.Status != c.want {
			t.Errorf("%s rated: %d, want %d", c.name, r.Status, c.want)
		}
		if r := c.cl.post(base+"/object", url.Values{"reason": {"이의"}}); r.Status != c.want {
			t.Errorf("%s objected: %d, want %d", c.name, r.Status, c.want)
		}
		wantGet := c.want
		if c.cl == w.guest {
			wantGet = http.StatusSeeOther // to the sign-in page
		}
		if r := c.cl.get(base + "/feedback"); r.Status != wantGet {
			t.Errorf("%s saw the feedback page: %d, want %d", c.name, r.Status, wantGet)
		}
	}
	// Publishing: only the holding ministry's official; the page the others get.
	for _, c := range []struct {
		name string
		cl   *client
		want int
	}{
		{"filer", w.filer, http.StatusForbidden},
		{"another citizen", w.citizen, http.StatusNotFound},
		{"moderator", w.moderator, http.StatusNotFound},
		{"official of another ministry", w.outsider, http.StatusNotFound},
		{"admin", w.admin, http.StatusForbidden},
		{"guest", w.guest, http.StatusUnauthorized},
	} {
		form := url.Values{"title": {"제목"}, "question": {"질문"}, "summary": {"요지"}, "answer": {"답변"}}
		if r := c.cl.post(base+"/publish", form); r.Status != c.want {
			t.Errorf("%s published: %d, want %d: %.300s", c.name, r.Status, c.want, r.Body)
		}
	}
	if after := w.counts(); after != before {
		t.Errorf("refusals changed rows: %s, then %s", before, after)
	}
	// A receipt with a wrong check digit or month finds nothing.
	wrong := w.r.Receipt()[:len(w.r.Receipt())-1] + strconv.Itoa((int(w.r.Receipt()[len(w.r.Receipt())-1]-'0')+1)%10)
	if r := w.filer.post("/requests/"+wrong+"/rate", url.Values{"rating": {"5"}}); r.Status != http.StatusNotFound {
		t.Errorf("wrong check digit: %d", r.Status)
	}
}

func TestRequestsAfter_RateAndObject(t *testing.T) {
	w := newAfterWorld(t, false)
	base := "/requests/" + w.r.Receipt()
	// Before the answer: refused, with the reason.
	if r := w.filer.post(base+"/rate", url.Values{"rating": {"5"}}); r.Status != http.StatusConflict || !strings.Contains(r.Body, "아직 답변이 없는") {
		t.Errorf("rating before the answer: %d %.300s", r.Status, r.Body)
	}
	if r := w.filer.get(base + "/feedback"); r.Status != http.StatusOK || strings.Contains(r.Body, `action="`+base+`/rate"`) {
		t.Errorf("feedback page before the answer offers a rating: %d", r.Status)
	}
	w.answer(t)
	r := w.filer.get(base + "/feedback")
	contains(t, "feedback page", r.Body, `action="`+base+`/rate"`, `action="`+base+`/object"`, "매우 만족", "매우 불만족", "이의신청 기한")
	if n := strings.Count(r.Body, `name="rating"`); n != 5 {
		t.Errorf("%d rating buttons, want 5", n)
	}
	// Bad input: a clear message, 422, nothing written.
	if r := w.filer.post(base+"/rate", url.Values{"comment": {"평가 없이 의견만"}}); r.Status != http.StatusUnprocessableEntity ||
		!strings.Contains(r.Body, "다섯 가지 중 하나로") || !strings.Contains(r.Body, "평가 없이 의견만") {
		t.Errorf("rating without a rating: %d %.500s", r.Status, r.Body)
	}
	if r := w.filer.post(base+"/rate", url.Values{"rating": {"9"}}); r.Status != http.StatusUnprocessableEntity {
		t.Errorf("rating 9: %d", r.Status)
	}
	if r := w.filer.post(base+"/object", url.Values{"reason": {"   "}}); r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "이의신청 이유를 적어") {
		t.Errorf("objection without reasons: %d %.300s", r.Status, r.Body)
	}
	if got := w.e.reader().Value(`SELECT count(*) FROM request_steps WHERE request_id = ?`, w.r.ID); got != "1" {
		t.Errorf("%s steps after bad input", got)
	}
	// The filer rates; the page shows it and offers to change it.
	r = w.filer.post(base+"/rate", url.Values{"rating": {"2"}, "comment": {"근거 설명이 부족합니다"}})
	if r.Status != http.StatusSeeOther || r.Header.Get("Location") != base+"/feedback#feedback" {
		t.Fatalf("rate: %d %q", r.Status, r.Header.Get("Location"))
	}
	r = w.filer.get(base + "/feedback")
	contains(t, "rated", r.Body, "만족도를 저장했습니다", "1차 답변 만족도", "불만족", "근거 설명이 부족합니다", "만족도를 바꾸시겠습니까", `value="2" required checked`)
	// The objection: round 2 at the same ministry, linked to the first answer.
	r = w.filer.post(base+"/object", url.Values{"reason": {"법적 근거를 다시 검토해 주십시오"}})
	if r.Status != http.StatusSeeOther {
		t.Fatalf("object: %d %.300s", r.Status, r.Body)
	}
	got, _ := w.e.st.Request(context.Background(), w.r.ID)
	if got.Status != forum.RequestProcessing || got.Round != 2 || got.MinistryID != w.e.mins[0].ID {
		t.Errorf("after the objection: %+v", got)
	}
	r = w.filer.get(base + "/feedback")
	contains(t, "objected", r.Body, "이의신청을 접수했습니다", `href="#answer-1"`, `id="answer-1"`, "2차)하고 있습니다",
		"새 처리 기한: "+formatDay("ko", got.Due))
	if strings.Contains(r.Body, `action="`+base+`/object"`) || strings.Contains(r.Body, `action="`+base+`/rate"`) {
		t.Error("the forms are still offered while round 2 is open")
	}
	if r := w.filer.post(base+"/object", url.Values{"reason": {"또"}}); r.Status != http.StatusConflict || !strings.Contains(r.Body, "한 번만") {
		t.Errorf("second objection: %d %.300s", r.Status, r.Body)
	}
	// The holding ministry's official was told.
	if n := w.e.reader().Value(`SELECT count(*) FROM notifications WHERE user_id = ? AND kind = ?`, w.official.user().ID, forum.NoteRequestObjection); n != "1" {
		t.Errorf("official told %s times", n)
	}
	// In English and Chinese too.
	w.filer.lang = "en"
	contains(t, "english", w.filer.get(base+"/feedback").Body, "Rating and objection", "Dissatisfied", "See the first answer")
	w.filer.lang = "zh"
	contains(t, "chinese", w.filer.get(base+"/feedback").Body, "滿意度評價與異議申請", "查看第一次答覆")
}

func TestRequestsAfter_API(t *testing.T) {
	w := newAfterWorld(t, false)
	w.answer(t)
	send := func(cl *client, path, body string) resp {
		t.Helper()
		req, _ := http.NewRequest("POST", path, strings.NewReader(body))
		req.Host = "127.0.0.1"
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-CSRF-Token", cl.csrf())
		return cl.send(req)
	}
	api := "/api/v1/requests/" + w.r.Receipt()
	if r := send(w.citizen, api+"/rate", `{"rating": 5}`); r.Status != http.StatusNotFound || !strings.Contains(r.Body, `"error"`) {
		t.Errorf("another citizen: %d %s", r.Status, r.Body)
	}
	if r := send(w.filer, api+"/rate", `{"rating": 0}`); r.Status != http.StatusBadRequest || !strings.Contains(r.Body, `"field":"rating"`) {
		t.Errorf("rating 0: %d %s", r.Status, r.Body)
	}
	r := send(w.filer, api+"/rate", `{"rating": 4, "comment": "친절했습니다"}`)
	var fb apiFeedback
	if err := json.Unmarshal([]byte(r.Body), &fb); r.Status != http.StatusOK || err != nil || len(fb.Ratings) != 1 || fb.Ratings[0].Rating != 4 ||
		fb.Ratings[0].Comment != "친절했습니다" || !fb.CanRate || !fb.CanObject || fb.Status != "answered" {
		t.Fatalf("rate: %d %s (%v)", r.Status, r.Body, err)
	}
	r = send(w.filer, api+"/object", `{"reason": "다시 검토해 주십시오"}`)
	if err := json.Unmarshal([]byte(r.Body), &fb); r.Status != http.StatusOK || err != nil || fb.Round != 2 || fb.Status != "processing" ||
		fb.Objected == nil || fb.CanObject || fb.CanRate {
		t.Fatalf("object: %d %s (%v)", r.Status, r.Body, err)
	}
}

func TestRequestsAfter_PublishFAQ(t *testing.T) {
	w := newAfterWorld(t, true)
	base := "/requests/" + w.r.Receipt()
	if r := w.official.get(base + "/publish"); r.Status != http.StatusConflict {
		t.Errorf("publish page before the answer: %d", r.Status)
	}
	w.answer(t)
	reads := w.e.reader().Value(`SELECT count(*) FROM request_reads`)
	for _, cl := range []*client{w.filer, w.citizen, w.moderator, w.outsider, w.admin} {
		if r := cl.get(base + "/publish"); r.Status != http.StatusForbidden && r.Status != http.StatusNotFound {
			t.Errorf("%s opened the publish page: %d", cl.user().Name, r.Status)
		}
	}
	if got := w.e.reader().Value(`SELECT count(*) FROM request_reads`); got != reads {
		t.Errorf("refused publish pages recorded reads: %s, then %s", reads, got)
	}
	r := w.official.get(base + "/publish")
	if r.Status != http.StatusOK {
		t.Fatalf("publish page: %d %.500s", r.Status, r.Body)
	}
	if got := w.e.reader().Value(`SELECT count(*) FROM request_reads WHERE reader_id = ?`, w.official.user().ID); got != "1" {
		t.Errorf("the official's read of the publish page: %s recorded, want 1", got)
	}
	for _, bad := range []string{"010-2345-6789", "minwon@example.kr", "김민원"} {
		if strings.Contains(r.Body, bad) {
			t.Errorf("the publish page shows %q", bad)
		}
	}
	contains(t, "publish page", r.Body, "○○○", "기초연금 신청 기간이 궁금합니다", "기초연금법 제10조", `name="question"`, `name="answer"`)
	if r := w.outsider.get(base + "/publish"); r.Status != http.StatusNotFound {
		t.Errorf("another ministry's official: %d", r.Status)
	}
	form := url.Values{"title": {"기초연금 신청 기간"}, "question": {"기초연금 신청 기간이 궁금합니다."}, "summary": {"생일 한 달 전부터 신청"},
		"answer": {"생일이 속한 달의 한 달 전부터 신청할 수 있습니다. 담당자 010-9876-5432"}}
	r = w.official.post(base+"/publish", form)
	if r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "개인정보") || !strings.Contains(r.Body, "담당자 010-9876-5432") {
		t.Fatalf("publishing a phone number: %d %.500s", r.Status, r.Body)
	}
	form.Set("question", "저는 김민원입니다. 기간이 궁금합니다.")
	form.Set("answer", "생일이 속한 달의 한 달 전부터 신청할 수 있습니다.")
	if r := w.official.post(base+"/publish", form); r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "신청인의 이름이 남아") {
		t.Fatalf("publishing the filer's name: %d %.500s", r.Status, r.Body)
	}
	if n := w.e.reader().Value(`SELECT count(*) FROM faqs`); n != "0" {
		t.Fatalf("%s faqs after refusals", n)
	}
	form.Set("question", "기초연금 신청 기간이 궁금합니다.")
	r = w.official.post(base+"/publish", form)
	if r.Status != http.StatusSeeOther || !strings.HasPrefix(r.Header.Get("Location"), "/faq/") {
		t.Fatalf("publish: %d %q %.300s", r.Status, r.Header.Get("Location"), r.Body)
	}
	entry := r.Header.Get("Location")
	if r := w.official.post(base+"/publish", form); r.Status != http.StatusConflict {
		t.Errorf("second publication: %d", r.Status)
	}
	// Public to everyone, moderators and guests alike; found by search.
	for _, cl := range []*client{w.guest, w.moderator, w.citizen} {
		r := cl.get(entry)
		if r.Status != http.StatusOK {
			t.Fatalf("faq entry: %d", r.Status)
		}
		contains(t, "faq entry", r.Body, "기초연금 신청 기간", "생일 한 달 전부터 신청", "기초연금법 제10조", "보건복지부")
	}
	contains(t, "faq list", w.guest.get("/faq").Body, `href="`+entry+`"`, "기초연금 신청 기간")
	if r := w.guest.get("/faq?ministry=moe"); strings.Contains(r.Body, `href="`+entry+`"`) {
		t.Error("another ministry's list shows the entry")
	}
	if r := w.guest.get("/faq?kind=grievance"); strings.Contains(r.Body, `href="`+entry+`"`) {
		t.Error("the grievance list shows the entry")
	}
	if r := w.guest.get("/faq?kind=nonsense"); r.Status != http.StatusBadRequest {
		t.Errorf("a bad kind: %d", r.Status)
	}
	contains(t, "search", w.guest.get("/search?q="+url.QueryEscape("기초연금")+"&kind=faq").Body, `href="`+entry+`"`)
	if r := w.guest.get("/api/v1/search?kind=faq&q=" + url.QueryEscape("기초연금")); !strings.Contains(r.Body, `"url":"`+entry+`"`) ||
		!strings.Contains(r.Body, `"kind":"faq"`) {
		t.Errorf("search API: %s", r.Body)
	}
	if r := w.guest.get("/api/v1/faqs?ministry=mohw&kind=inquiry"); !strings.Contains(r.Body, `"title":"기초연금 신청 기간"`) {
		t.Errorf("api faqs: %s", r.Body)
	}
	if r := w.guest.get("/api/v1/faqs?ministry=moe"); r.Body != `{"items":[]}` {
		t.Errorf("api faqs of another ministry: %s", r.Body)
	}
	if r := w.guest.get("/api/v1/faqs?ministry=nowhere"); r.Status != http.StatusBadRequest {
		t.Errorf("api faqs of no ministry: %d", r.Status)
	}
	if n := w.e.reader().Value(`SELECT count(*) FROM notifications WHERE user_id = ? AND kind = ?`, w.filer.user().ID, forum.NoteRequestPublished); n != "1" {
		t.Errorf("filer told %s times", n)
	}
}

// TestRequestsAfter_PublicFigures: /stats, the scorecard, the API and the
// open data carry request figures but no unpublished request's text.
func TestRequestsAfter_PublicFigures(t *testing.T) {
	w := newAfterWorld(t, true)
	w.answer(t)
	secret, err := w.e.st.FileRequest(context.Background(), w.filer.user(), store.NewRequest{Input: forum.RequestInput{Kind: forum.RequestGrievance,
		MinistryID: w.e.mins[0].ID, Title: "비공개 고충 민원 제목", Body: "비공개 고충 본문"}, Body: moderation.RenderMarkdown("비공개 고충 본문")})
	if err != nil {
		t.Fatal(err)
	}
	answerDirectly(w.e, secret, w.official.user().ID, forum.RequestRejected)
	if r := w.filer.post("/requests/"+w.r.Receipt()+"/rate", url.Values{"rating": {"5"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("rate: %d", r.Status)
	}
	if r := w.filer.post("/requests/"+secret.Receipt()+"/rate", url.Values{"rating": {"2"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("rate: %d", r.Status)
	}
	secrets := []string{"기초연금 신청 기간 문의", "비공개 고충", "김민원", "010-2345-6789", "minwon@example.kr", "생일이 속한 달"}
	pages := map[string][]string{
		"/stats":                          {"민원 처리 현황", "보건복지부", "고충", "질의", "100%", "근무일 3.0일"},
		"/ministries":                     {"민원 접수", "3.5 / 5 (2건)"},
		"/ministries/mohw":                {"민원 처리 실적", "3.5 / 5 (2건)", "근무일 3.0일"},
		"/api/v1/request-stats":           {`"kind":"grievance"`, `"received":1`, `"satisfaction":2`},
		"/api/v1/ministries":              {`"requests":{"received":2,"answered":2`},
		"/open-data/request-stats.csv":    {"month,ministry,kind,received", "mohw,inquiry,1,1,1,3,1,5,100"},
		"/open-data/request-stats.ndjson": {`"ministry":"mohw"`},
		"/open-data/faqs.csv":             {"id,url,ministry"},
		"/open-data":                      {"민원 처리 현황", "/open-data/request-stats.csv", "/open-data/faqs.csv"},
	}
	for path, want := range pages {
		r := w.guest.get(path)
		if r.Status != http.StatusOK {
			t.Errorf("%s: %d", path, r.Status)
			continue
		}
		contains(t, path, r.Body, want...)
		for _, s := range secrets {
			if strings.Contains(r.Body, s) {
				t.Errorf("%s shows %q", path, s)
			}
		}
	}
	// Published, the masked entry is in the open data; the other request still is not.
	d, err := w.e.st.DraftFAQ(context.Background(), w.official.user(), w.r.ID)
	if err != nil {
		t.Fatal(err)
	}
	d.Input.Answer = "생일 전 달부터 신청할 수 있습니다."
	if _, err := w.e.st.PublishFAQ(context.Background(), w.official.user(), w.r.ID, store.NewFAQ{Input: d.Input,
		Question: moderation.RenderMarkdown(d.Input.Question), Answer: moderation.RenderMarkdown(d.Input.Answer)}); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/open-data/faqs.csv", "/open-data/faqs.ndjson", "/api/v1/faqs"} {
		r := w.guest.get(path)
		contains(t, path, r.Body, "기초연금 신청 기간 문의", "생일 전 달부터")
		for _, s := range []string{"비공개 고충", "김민원", "010-2345-6789", "minwon@example.kr"} {
			if strings.Contains(r.Body, s) {
				t.Errorf("%s shows %q", path, s)
			}
		}
	}
}
