package web

import (
	"bytes"
	"context"
	"encoding/json"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/e-people/e-people/forum"
	"github.com/e-people/e-people/forum/store"
	"github.com/e-people/e-people/moderation"
)

// rhWorld is everyone a civil request's handling routes name: its filer,
// another citizen, a guest, a moderator, an official of the ministry that
// holds it, an official of another ministry, and an administrator.
type rhWorld struct {
	e                                *env
	other                            forum.Ministry
	filer, citizen, guest, moderator *client
	official, outsider, admin        *client
	officialID                       int64
}

func newRHWorld(t *testing.T) *rhWorld {
	t.Helper()
	e := newEnv(t)
	other, err := e.st.CreateMinistry(context.Background(), forum.Ministry{Slug: "moe", NameKO: "교육부", NameEN: "Ministry of Education", NameZH: "教育部"})
	if err != nil {
		t.Fatal(err)
	}
	w := &rhWorld{e: e, other: other, filer: e.register("민원인"), citizen: e.register("다른 시민"), guest: e.client(),
		moderator: e.staff(forum.RoleModerator, 0, "운영자"), official: e.staff(forum.RoleOfficial, e.mins[0].ID, "김담당"),
		outsider: e.staff(forum.RoleOfficial, other.ID, "박교육"), admin: e.staff(forum.RoleAdmin, 0, "관리자")}
	w.officialID = w.official.user().ID
	return w
}

// file files a request by the world's filer to the first ministry, through the store.
func (w *rhWorld) file(t *testing.T, title string) *forum.Request {
	t.Helper()
	r, err := w.e.st.FileRequest(context.Background(), w.filer.user(), store.NewRequest{Input: forum.RequestInput{Kind: forum.RequestInquiry,
		MinistryID: w.e.mins[0].ID, Title: title, Body: title + " 본문"}, Body: moderation.RenderMarkdown(title + " 본문")})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// rhSnapshot is everything an action may change, to show a refusal changed nothing.
type rhSnapshot struct {
	R                                   forum.Request
	Steps, Notes, Answers, Files, Blobs string
}

func (w *rhWorld) snapshot(t *testing.T, id int64) rhSnapshot {
	t.Helper()
	r, err := w.e.st.Request(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	rd := w.e.reader()
	return rhSnapshot{R: *r, Steps: rd.Value(`SELECT count(*) FROM request_steps`), Notes: rd.Value(`SELECT count(*) FROM notifications`),
		Answers: rd.Value(`SELECT count(*) FROM request_answers`), Files: rd.Value(`SELECT count(*) FROM request_attachments`),
		Blobs: rd.Value(`SELECT count(*) FROM attachment_blobs`)}
}

func (w *rhWorld) request(t *testing.T, id int64) *forum.Request {
	t.Helper()
	r, err := w.e.st.Request(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// refusal answer form, complete.
func rhRefusal(extra ...string) url.Values {
	v := url.Values{"decision": {"not_accepted"}, "summary": {"수용 곤란"}, "body": {"현행 법령상 어렵습니다."},
		"legal_basis": {"여권법 제12조"}, "responsible_unit": {"여권정책과"}, "contact": {"044-000-0000"},
		"remedies": {"objection", "administrative_appeal"}, "remedy_note": {"90일 이내에 청구할 수 있습니다."}}
	for i := 0; i+1 < len(extra); i += 2 {
		if extra[i+1] == "" {
			v.Del(extra[i])
		} else {
			v.Set(extra[i], extra[i+1])
		}
	}
	return v
}

// TestRequestHandling_RoleMatrix: for every handling route, who may use it;
// every refusal has its status and changes nothing.
func TestRequestHandling_RoleMatrix(t *testing.T) {
	w := newRHWorld(t)
	r := w.file(t, "여권 재발급 문의")
	base := "/requests/" + r.Receipt()
	roles := []struct {
		name string
		c    *client
	}{{"filer", w.filer}, {"another citizen", w.citizen}, {"guest", w.guest}, {"moderator", w.moderator},
		{"holding official", w.official}, {"other ministry's official", w.outsider}, {"admin", w.admin}}

	// The handling page: the holding ministry's officials and administrators.
	pageWant := map[string]int{"filer": 403, "another citizen": 404, "guest": 303, "moderator": 404, "holding official": 200,
		"other ministry's official": 404, "admin": 200}
	for _, role := range roles {
		got := role.c.get(base + "/handle")
		if got.Status != pageWant[role.name] {
			t.Errorf("GET handle as %s: %d, want %d", role.name, got.Status, pageWant[role.name])
		}
		if got.Status == 404 && strings.Contains(got.Body, r.Title) {
			t.Errorf("GET handle as %s shows the title", role.name)
		}
	}
	// Every refused action, by everyone who may not take it.
	actions := []struct {
		path    string
		form    url.Values
		allowed []string
	}{
		{"/assign", url.Values{"official": {itoa(int(w.officialID))}}, []string{"holding official", "admin"}},
		{"/transfer", url.Values{"ministry": {itoa(int(w.other.ID))}, "reason": {"교육부 소관"}}, []string{"holding official", "admin"}},
		{"/info", url.Values{"question": {"여권 번호를 알려 주세요"}}, []string{"holding official"}},
		{"/extend", url.Values{"days": {"3"}, "reason": {"협의"}}, []string{"holding official"}},
		{"/answer", rhRefusal(), []string{"holding official"}},
		{"/withdraw", url.Values{}, []string{"filer"}},
		{"/reply", url.Values{"reply": {"답"}}, []string{}}, // nobody: the ministry asked nothing
	}
	for _, a := range actions {
		for _, role := range roles {
			if contains := func() bool {
				for _, n := range a.allowed {
					if n == role.name {
						return true
					}
				}
				return false
			}(); contains {
				continue
			}
			want := map[string]int{"filer": 403, "another citizen": 404, "guest": 401, "moderator": 404, "holding official": 403,
				"other ministry's official": 404, "admin": 403}[role.name]
			if a.path == "/reply" && role.name == "filer" {
				want = 409 // the filer, but nothing was asked
			}
			before := w.snapshot(t, r.ID)
			form := url.Values{}
			for k, v := range a.form {
				form[k] = append([]string(nil), v...)
			}
			got := role.c.post(base+a.path, form)
			if got.Status != want {
				t.Errorf("POST %s as %s: %d, want %d", a.path, role.name, got.Status, want)
			}
			// The API, the same.
			api := role.c.do("POST", "/api/v1"+base+a.path, form, "X-CSRF-Token", role.c.csrf())
			if api.Status != want || !strings.Contains(api.Body, `"error"`) {
				t.Errorf("POST /api/v1%s as %s: %d %.200s, want %d", a.path, role.name, api.Status, api.Body, want)
			}
			if after := w.snapshot(t, r.ID); !reflect.DeepEqual(before, after) {
				t.Errorf("refused %s as %s changed the request:\n%+v\n%+v", a.path, role.name, before, after)
			}
		}
	}
	// The filer's own pages: the reply form (only while asked) and the withdrawal's confirmation.
	for _, role := range roles {
		want := map[string]int{"filer": 200, "another citizen": 404, "guest": 303, "moderator": 404, "holding official": 403,
			"other ministry's official": 404, "admin": 403}[role.name]
		if got := role.c.get(base + "/withdraw"); got.Status != want {
			t.Errorf("GET withdraw as %s: %d, want %d", role.name, got.Status, want)
		}
	}
	if got := w.filer.get(base + "/reply"); got.Status != http.StatusConflict {
		t.Errorf("GET reply with nothing asked: %d", got.Status)
	}
	// A made-up receipt, or one with a wrong check digit, is no request.
	wrong := r.Receipt()[:len(r.Receipt())-1] + string('0'+(r.Receipt()[len(r.Receipt())-1]-'0'+1)%10)
	for _, p := range []string{"/requests/2612-0009999-1/handle", "/requests/" + wrong + "/handle", "/requests/abc/handle"} {
		if got := w.official.get(p); got.Status != 404 {
			t.Errorf("GET %s: %d", p, got.Status)
		}
	}
}

// TestRequestHandling_Flow: an official assigns, asks, the filer replies
// with a file, the official extends and answers with a refusal; each step
// through the forms, the bad ones coming back with their messages.
func TestRequestHandling_Flow(t *testing.T) {
	w := newRHWorld(t)
	r := w.file(t, "보조금 지급 기준 문의")
	base := "/requests/" + r.Receipt()
	page := w.official.get(base + "/handle")
	contains(t, "handling page", page.Body, r.Receipt(), "보조금 지급 기준 문의 본문", "민원인", "질의", "김담당", `action="`+base+`/answer"`,
		`href="`+base+`"`, "근무일 남음")
	if got := w.e.reader().Value(`SELECT count(*) FROM request_reads WHERE request_id = ?`, r.ID); got != "1" {
		t.Errorf("the page was read %s times by staff, want 1 recorded", got)
	}

	if got := w.official.post(base+"/assign", url.Values{"official": {itoa(int(w.officialID))}}); got.Status != 303 || got.Header.Get("Location") != base+"/handle" {
		t.Fatalf("assign: %d %s", got.Status, got.Header.Get("Location"))
	}
	if got := w.request(t, r.ID); got.AssigneeID != w.officialID || got.Status != forum.RequestProcessing {
		t.Errorf("assigned: %+v", got)
	}

	// A transfer without a reason comes back, kept as typed.
	before := w.snapshot(t, r.ID)
	got := w.official.post(base+"/transfer", url.Values{"ministry": {itoa(int(w.other.ID))}, "reason": {" "}})
	if got.Status != 400 {
		t.Fatalf("transfer without a reason: %d", got.Status)
	}
	contains(t, "transfer without a reason", got.Body, "사유를 적어 주세요", `<option value="`+itoa(int(w.other.ID))+`" selected>`)
	if after := w.snapshot(t, r.ID); !reflect.DeepEqual(before, after) {
		t.Errorf("a refused transfer changed the request")
	}

	// A transfer takes another request out of the ministry's hands: back to the inbox, and into the other ministry's.
	moved := w.file(t, "교육부로 보낼 민원")
	if got := w.official.post("/requests/"+moved.Receipt()+"/transfer", url.Values{"ministry": {itoa(int(w.other.ID))}, "reason": {"교육부 소관입니다"}}); got.Status != 303 ||
		got.Header.Get("Location") != "/inbox#requests" {
		t.Fatalf("transfer: %d %s", got.Status, got.Header.Get("Location"))
	}
	contains(t, "the receiving ministry's inbox", w.outsider.get("/inbox").Body, moved.Receipt(), "교육부로 보낼 민원")
	if strings.Contains(w.official.get("/inbox").Body, moved.Receipt()) {
		t.Errorf("the transferred request stays in the first ministry's inbox")
	}
	if got := w.official.get("/requests/" + moved.Receipt() + "/handle"); got.Status != 404 {
		t.Errorf("the first ministry still opens the transferred request: %d", got.Status)
	}

	if got := w.official.post(base+"/info", url.Values{"question": {"신청 **자격**을 증명할 서류를 보내 주세요"}}); got.Status != 303 {
		t.Fatalf("ask: %d %.300s", got.Status, got.Body)
	}
	if got := w.request(t, r.ID); got.Status != forum.RequestInfoRequested || got.Paused.IsZero() {
		t.Errorf("asked: %+v", got)
	}
	page = w.official.get(base + "/handle")
	contains(t, "page while waiting", page.Body, "신청인의 보완을 기다리는 중", "<strong>자격</strong>", "보완 대기 중 (기한 정지)")
	if strings.Contains(page.Body, `action="`+base+`/answer"`) {
		t.Errorf("the answer form is offered while waiting for the filer")
	}

	// The filer's reply form: the question, and files checked by content.
	form := w.filer.get(base + "/reply")
	contains(t, "reply form", form.Body, "<strong>자격</strong>", `enctype="multipart/form-data"`, `name="files"`)
	disguised := w.filer.multipart(t, base+"/reply", map[string]string{"reply": "첨부합니다"}, "증명서.pdf", "<html><script>alert(1)</script></html>")
	if disguised.Status != 400 {
		t.Fatalf("an HTML file named .pdf: %d", disguised.Status)
	}
	contains(t, "disguised file", disguised.Body, "증명서.pdf: 받을 수 없는 파일입니다", "첨부합니다")
	w.e.clock.Add(4 * 24 * time.Hour) // Tuesday 1 December
	ok := w.filer.multipart(t, base+"/reply", map[string]string{"reply": "재학 증명서를 첨부합니다"}, "증명서.txt", "재학 증명서\n학교: 한국고등학교\n")
	if ok.Status != 303 || ok.Header.Get("Location") != base {
		t.Fatalf("reply: %d %s %.300s", ok.Status, ok.Header.Get("Location"), ok.Body)
	}
	after := w.request(t, r.ID)
	if after.Status != forum.RequestProcessing || after.PausedDays != 2 || !after.Due.After(r.Due) {
		t.Errorf("replied: %+v", after)
	}
	if n := w.e.reader().Value(`SELECT count(*) FROM request_attachments WHERE request_id = ? AND step_id IS NOT NULL AND kind = 'text'`, r.ID); n != "1" {
		t.Errorf("%s reply files", n)
	}

	// Extending by more than the period comes back with the limit.
	got = w.official.post(base+"/extend", url.Values{"days": {"99"}, "reason": {"협의"}})
	if got.Status != 400 {
		t.Fatalf("extend by 99: %d", got.Status)
	}
	contains(t, "extend by 99", got.Body, "1에서 7 사이", `id="f-extend_reason"`)
	if got := w.official.post(base+"/extend", url.Values{"days": {"5"}, "reason": {"관계 기관 협의"}}); got.Status != 303 {
		t.Fatalf("extend: %d", got.Status)
	}
	if strings.Contains(w.official.get(base+"/handle").Body, `action="`+base+`/extend"`) {
		t.Errorf("the extension is offered twice")
	}

	// A refusal without remedies, then without its legal basis: refused, nothing written.
	before = w.snapshot(t, r.ID)
	got = w.official.post(base+"/answer", rhRefusal("remedies", "", "legal_basis", ""))
	if got.Status != 400 {
		t.Fatalf("a refusal without remedies: %d", got.Status)
	}
	contains(t, "refusal without remedies", got.Body, "불복 방법을 하나 이상", "근거 법령을 적어야", "현행 법령상 어렵습니다.",
		`value="not_accepted" required data-refusal="1" checked`)
	if after := w.snapshot(t, r.ID); !reflect.DeepEqual(before, after) {
		t.Errorf("a refused answer changed the request")
	}
	if got := w.official.post(base+"/answer", rhRefusal()); got.Status != 303 {
		t.Fatalf("answer: %d %.500s", got.Status, got.Body)
	}
	as, err := w.e.st.RequestAnswers(context.Background(), r.ID)
	if err != nil || len(as) != 1 || as[0].Decision != forum.RequestRejected || len(as[0].Remedies) != 2 || as[0].RemedyNote == "" || as[0].LegalBasis != "여권법 제12조" {
		t.Fatalf("answers %+v, %v", as, err)
	}
	contains(t, "answered page", w.official.get(base+"/handle").Body, "답변을 마친 민원입니다")
	if got := w.filer.post(base+"/withdraw", nil); got.Status != 409 {
		t.Errorf("withdraw once answered: %d", got.Status)
	}
}

// multipart posts fields and one file as a multipart form with c's CSRF token.
func (c *client) multipart(t *testing.T, path string, fields map[string]string, name, content string) resp {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	_ = mw.WriteField("_csrf", c.csrf())
	for k, v := range fields {
		_ = mw.WriteField(k, v)
	}
	if name != "" {
		fw, _ := mw.CreateFormFile("files", name)
		_, _ = fw.Write([]byte(content))
	}
	mw.Close()
	req := httptest.NewRequest("POST", path, &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return c.send(req)
}

// TestRequestHandling_API: the JSON API mirrors the forms.
func TestRequestHandling_API(t *testing.T) {
	w := newRHWorld(t)
	r := w.file(t, "API 민원")
	api := "/api/v1/requests/" + r.Receipt()
	post := func(c *client, path string, body string) resp {
		t.Helper()
		req := httptest.NewRequest("POST", api+path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept", "application/json")
		req.Header.Set("X-CSRF-Token", c.csrf())
		return c.send(req)
	}
	got := post(w.official, "/extend", `{"days": 99, "reason": "협의"}`)
	var e struct {
		Error struct {
			Status int
			Field  string
		}
	}
	if got.Status != 400 || json.Unmarshal([]byte(got.Body), &e) != nil || e.Error.Field != "days" {
		t.Errorf("extend by 99: %d %s", got.Status, got.Body)
	}
	got = post(w.official, "/extend", `{"days": 2, "reason": "협의"}`)
	var st handlingStateJSON
	if got.Status != 200 || json.Unmarshal([]byte(got.Body), &st) != nil || !st.Extended || st.PeriodDays != 9 || st.Receipt != r.Receipt() {
		t.Errorf("extend: %d %s", got.Status, got.Body)
	}
	got = post(w.official, "/answer", `{"decision": "partially_accepted", "summary": "일부 수용", "body": "일부만 가능합니다", "legal_basis": "법 제1조",
		"responsible_unit": "과", "contact": "044", "remedies": "objection administrative_litigation"}`)
	if got.Status != 200 || json.Unmarshal([]byte(got.Body), &st) != nil || st.Status != "answered" {
		t.Errorf("answer: %d %s", got.Status, got.Body)
	}
	if as, _ := w.e.st.RequestAnswers(context.Background(), r.ID); len(as) != 1 ||
		!reflect.DeepEqual(as[0].Remedies, []forum.Remedy{forum.RemedyObjection, forum.RemedyLitigation}) {
		t.Errorf("answers %+v", as)
	}
	other := w.file(t, "취하할 민원")
	req := httptest.NewRequest("POST", "/api/v1/requests/"+other.Receipt()+"/withdraw", strings.NewReader(`{}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-CSRF-Token", w.filer.csrf())
	if got := w.filer.send(req); got.Status != 200 || !strings.Contains(got.Body, `"status":"withdrawn"`) {
		t.Errorf("withdraw: %d %s", got.Status, got.Body)
	}
}

// TestRequestHandling_Inbox: the ministry's open requests beside its
// proposals, due soonest first, the late ones said in words.
func TestRequestHandling_Inbox(t *testing.T) {
	w := newRHWorld(t)
	late := w.file(t, "오래된 민원")
	w.e.clock.Add(20 * 24 * time.Hour) // past its 7 working days
	fresh := w.file(t, "새 민원")
	waiting := w.file(t, "보완 중 민원")
	if err := w.e.st.AskRequestInfo(context.Background(), w.official.user(), waiting.ID, "질문", moderation.RenderMarkdown("질문")); err != nil {
		t.Fatal(err)
	}
	w.file(t, "다른 부처 민원") // the same ministry; one of the other ministry's:
	if _, err := w.e.st.FileRequest(context.Background(), w.filer.user(), store.NewRequest{Input: forum.RequestInput{Kind: forum.RequestOther,
		MinistryID: w.other.ID, Title: "교육부 민원", Body: "본문"}, Body: moderation.RenderMarkdown("본문")}); err != nil {
		t.Fatal(err)
	}
	body := w.official.get("/inbox").Body
	contains(t, "inbox", body, `id="requests"`, late.Receipt(), fresh.Receipt(), "/requests/"+late.Receipt()+"/handle",
		"기한 지남: ", "근무일 초과", "근무일 남음", "보완 대기 중 (기한 정지)", "지정 안 됨")
	if strings.Contains(body, "교육부 민원") {
		t.Errorf("the inbox lists another ministry's request")
	}
	if i, j := strings.Index(body, late.Receipt()), strings.Index(body, fresh.Receipt()); i < 0 || j < 0 || i > j {
		t.Errorf("the late request is not first")
	}
	if !strings.Contains(body, `class="card rh-card is-overdue"`) {
		t.Errorf("the late request is not marked")
	}
	// In English too.
	w.official.lang = "en"
	contains(t, "inbox in English", w.official.get("/inbox").Body, "Civil requests", "Overdue by", "working days left")
}

// TestRequestHandling_PagesInEveryLanguage: the handling, reply and
// withdrawal pages and the inbox in each language mark every required
// field in words and skip no heading level.
func TestRequestHandling_PagesInEveryLanguage(t *testing.T) {
	w := newRHWorld(t)
	r := w.file(t, "언어별 화면 시험")
	base := "/requests/" + r.Receipt()
	if got := w.official.post(base+"/info", url.Values{"question": {"서류를 보내 주세요"}}); got.Status != 303 {
		t.Fatalf("ask: %d", got.Status)
	}
	open := w.file(t, "답변할 민원")
	pages := []struct {
		who  *client
		path string
	}{{w.official, "/requests/" + open.Receipt() + "/handle"}, {w.official, base + "/handle"}, {w.official, "/inbox"},
		{w.filer, base + "/reply"}, {w.filer, base + "/withdraw"}}
	for _, lang := range []string{"ko", "en", "zh"} {
		for _, p := range pages {
			p.who.lang = lang
			got := p.who.get(p.path)
			if got.Status != 200 {
				t.Errorf("%s (%s): %d", p.path, lang, got.Status)
				continue
			}
			if strings.Contains(got.Body, "rh.") || strings.Contains(got.Body, "err.handling") {
				t.Errorf("%s (%s): a message key shows instead of its text", p.path, lang)
			}
			problems, _ := requiredProblems(t, got.Body, requiredWord[lang])
			problems = append(problems, headingSkips(got.Body)...)
			for _, pr := range problems {
				t.Errorf("%s (%s): %s", p.path, lang, pr)
			}
		}
	}
}

// TestRequestHandling_ReplyBlock: the "request-reply" block the request
// page (views/request.html) fills asks only for what that page has (base,
// R, Steps, Filer): the question and the reply form for the filer while the
// ministry waits, the withdrawal while open, nothing for anyone else.
func TestRequestHandling_ReplyBlock(t *testing.T) {
	w := newRHWorld(t)
	r := w.file(t, "블록 시험")
	if err := w.e.st.AskRequestInfo(context.Background(), w.official.user(), r.ID, "주소를 알려 주세요", moderation.RenderMarkdown("주소를 **알려** 주세요")); err != nil {
		t.Fatal(err)
	}
	r = w.request(t, r.ID)
	steps, err := w.e.st.RequestSteps(context.Background(), r.ID)
	if err != nil {
		t.Fatal(err)
	}
	type page struct {
		base
		R     *forum.Request
		Steps []forum.RequestStep
		Filer bool
	}
	render := func(filer bool, r *forum.Request) string {
		t.Helper()
		var buf bytes.Buffer
		if err := w.e.srv.views.sets["ko"].ExecuteTemplate(&buf, "request-reply", page{base: base{Lang: "ko", CSRF: "tok"}, R: r, Steps: steps, Filer: filer}); err != nil {
			t.Fatal(err)
		}
		return buf.String()
	}
	got := render(true, r)
	contains(t, "the filer's block", got, "<strong>알려</strong>", `action="/requests/`+r.Receipt()+`/reply"`, `enctype="multipart/form-data"`,
		`name="_csrf" value="tok"`, `href="/requests/`+r.Receipt()+`/withdraw"`)
	if got := render(false, r); strings.TrimSpace(got) != "" {
		t.Errorf("someone else sees the block: %q", got)
	}
	r.Status = forum.RequestProcessing
	if got := render(true, r); strings.Contains(got, "/reply") || !strings.Contains(got, "/withdraw") {
		t.Errorf("nothing asked: %q", got)
	}
	r.Status = forum.RequestAnswered
	if got := render(true, r); strings.TrimSpace(got) != "" {
		t.Errorf("answered: %q", got)
	}
}

// TestRequestHandling_NuHtmlChecker runs the Nu Html Checker over the
// handling pages as each viewer gets them, the forms that came back with
// errors included.
func TestRequestHandling_NuHtmlChecker(t *testing.T) {
	if _, err := os.Stat(vnuPath); err != nil {
		t.Skipf("vnu.jar not found at %s: `make test-deps` installs it", vnuPath)
	}
	java, err := exec.LookPath("java")
	if err != nil {
		t.Skip("java not found: `make test-deps` installs default-jre-headless")
	}
	w := newRHWorld(t)
	r := w.file(t, "검사할 민원")
	asked := w.file(t, "보완 요청한 민원")
	base, askedBase := "/requests/"+r.Receipt(), "/requests/"+asked.Receipt()
	if got := w.official.post(askedBase+"/info", url.Values{"question": {"서류를 보내 주세요"}}); got.Status != 303 {
		t.Fatalf("ask: %d", got.Status)
	}
	pages := map[string]resp{
		"handle":           w.official.get(base + "/handle"),
		"handle-admin":     w.admin.get(base + "/handle"),
		"handle-waiting":   w.official.get(askedBase + "/handle"),
		"transfer-error":   w.official.post(base+"/transfer", url.Values{"ministry": {itoa(int(w.other.ID))}}),
		"extend-error":     w.official.post(base+"/extend", url.Values{"days": {"0"}, "reason": {"사유"}}),
		"answer-error":     w.official.post(base+"/answer", rhRefusal("remedies", "", "legal_basis", "", "decision", "")),
		"inbox":            w.official.get("/inbox"),
		"reply":            w.filer.get(askedBase + "/reply"),
		"reply-error":      w.filer.post(askedBase+"/reply", url.Values{"reply": {" "}}),
		"withdraw-confirm": w.filer.get(base + "/withdraw"),
	}
	bodies := map[string]string{}
	for name, p := range pages {
		if p.Status != 200 && p.Status != 400 {
			t.Errorf("%s: %d", name, p.Status)
			continue
		}
		bodies[name] = p.Body
	}
	checkHTML(t, java, bodies)
}
