package web

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/e-people/e-people/forum"
)

func TestPages_Public(t *testing.T) {
	e := newEnv(t)
	author := e.register("김민수")
	id := e.openProposal(author, "어린이 통학로 안전 강화", "학교 앞 **보행로**를 넓혀 주십시오.")
	anon := e.client()
	for _, tc := range []struct {
		path, lang string
		status     int
		want       []string
	}{
		{"/", "", 200, []string{`<html lang="ko">`, "국민이 제안하고, 정부가 답합니다", "어린이 통학로 안전 강화"}},
		{"/", "en-US,en;q=0.9", 200, []string{`<html lang="en">`, "Citizens propose, government answers"}},
		{"/", "zh-TW,zh;q=0.9", 200, []string{`<html lang="zh-Hant">`}},
		{"/proposals", "", 200, []string{"국민 제안", "어린이 통학로 안전 강화", "보건복지부"}},
		{"/proposals?status=open&sort=supported", "", 200, []string{"어린이 통학로 안전 강화"}},
		{"/proposals?status=draft", "", 400, []string{"알 수 없는 상태입니다"}},
		{"/proposals?cursor=!!!", "", 400, nil},
		{"/proposals/" + itoa(int(id)), "", 200, []string{"<strong>보행로</strong>", "지지 모으는 중", "로그인하고 이 제안을 지지해 주십시오"}},
		{"/proposals/" + itoa(int(id)) + "/history", "", 200, []string{"1번째 판"}},
		{"/proposals/999999", "", 404, []string{"페이지를 찾을 수 없습니다"}},
		{"/proposals/999999", "en", 404, []string{"Page not found", `lang="en"`}},
		{"/nowhere", "", 404, []string{"페이지를 찾을 수 없습니다"}},
		{"/login", "", 200, []string{`name="_csrf"`, `name="email"`, `name="password"`}},
		{"/register", "", 200, []string{`name="name"`}},
		{"/users/" + itoa(int(author.user().ID)), "", 200, []string{"김민수", "어린이 통학로 안전 강화"}},
		{"/healthz", "", 200, []string{"ok"}},
		{"/assets/style.css", "", 200, []string{"--"}},
		{"/proposals/new", "", 303, nil},
	} {
		anon.lang = tc.lang
		r := anon.get(tc.path)
		if r.Status != tc.status {
			t.Errorf("GET %s (%s): status %d, want %d", tc.path, tc.lang, r.Status, tc.status)
		}
		contains(t, "GET "+tc.path, r.Body, tc.want...)
	}
	r := anon.get("/")
	for _, h := range []string{"Content-Security-Policy", "X-Content-Type-Options", "X-Frame-Options", "Referrer-Policy"} {
		if r.Header.Get(h) == "" {
			t.Errorf("missing header %s", h)
		}
	}
	if csp := r.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "object-src 'none'") || strings.Contains(csp, "unsafe-inline") {
		t.Errorf("weak CSP: %s", csp)
	}
}

func TestLanguageSwitch(t *testing.T) {
	e := newEnv(t)
	c := e.client()
	r := c.get("/lang?lang=en&next=/proposals")
	if r.Status != http.StatusSeeOther || r.Header.Get("Location") != "/proposals" {
		t.Fatalf("switch: %d %q", r.Status, r.Header.Get("Location"))
	}
	contains(t, "after switch", c.get("/proposals").Body, `lang="en"`, "Proposals")
	if r := c.get("/lang?lang=ko&next=//evil.example/"); r.Header.Get("Location") != "/" {
		t.Errorf("open redirect: %q", r.Header.Get("Location"))
	}
}

func TestRegister_Validation(t *testing.T) {
	e := newEnv(t)
	good := url.Values{"name": {"이서연"}, "email": {"seoyeon@example.org"}, "password": {"a long enough passphrase"}, "consent": {"1"}}
	with := func(k, v string) url.Values {
		f := url.Values{}
		for kk, vv := range good {
			f[kk] = vv
		}
		f.Set(k, v)
		return f
	}
	for _, tc := range []struct {
		name string
		form url.Values
		want string
	}{
		{"short password", with("password", "short1234"), "비밀번호는 10자 이상이어야 합니다"},
		{"common password", with("password", "1234567890"), "너무 흔히 쓰이는 비밀번호"},
		{"bad e-mail", with("email", "not-an-email"), "올바른 이메일 주소"},
		{"staff name", with("name", "Moderator"), "오인될 수 있는 이름"},
		{"ministry name", with("name", "보건복지부"), "오인될 수 있는 이름"},
		{"homoglyph", with("name", "Аdmin"), "오인될 수 있는 이름"},
		{"one-letter name", with("name", "김"), "표시 이름은 2자 이상"},
		{"no privacy consent", with("consent", ""), "개인정보 수집·이용에 동의해야 가입할 수 있습니다"},
	} {
		c := e.client()
		r := c.post("/register", tc.form)
		if r.Status != http.StatusBadRequest {
			t.Errorf("%s: status %d, want 400", tc.name, r.Status)
		}
		contains(t, tc.name, r.Body, tc.want, `class="error-summary"`, `aria-invalid="true"`)
	}
	if n, _ := e.st.CountUsers(context.Background(), forum.RoleCitizen); n != 0 {
		t.Fatalf("%d users created by refused registrations", n)
	}
	c := e.client()
	if r := c.post("/register", good); r.Status != http.StatusSeeOther {
		t.Fatalf("good registration: %d %.300s", r.Status, r.Body)
	}
	if !strings.Contains(c.get("/").Body, "이서연") {
		t.Error("not signed in after registering")
	}
	dup := e.client().post("/register", with("email", "SEOYEON@example.org"))
	if dup.Status != http.StatusBadRequest || !strings.Contains(dup.Body, "이미 가입된 이메일") {
		t.Errorf("duplicate e-mail: %d", dup.Status)
	}
}

// TestRegister_WeakPassword: without any denylist, the built-in strength
// check refuses guessable passwords at registration and at /setup with advice
// in the reader's language, and accepts a strong one.
func TestRegister_WeakPassword(t *testing.T) {
	e := newEnv(t)
	e.srv.cfg.Passwords = nil // the binary run without -password-denylist
	advice := map[string]string{
		"ko": "단어를 한두 개 더 넣어 주시고, aaa 같은 반복이나 1234 같은 연속된 문자",
		"en": "Add another word or two; avoid repeats like aaa, sequences like 1234, and your name or e-mail.",
	}
	for _, pw := range []string{"aaaaaaaaaa", "0000000000", "qwertyuiop", "seoyeon2024"} {
		for lang, want := range advice {
			c := e.client()
			c.lang = lang
			r := c.post("/register", url.Values{"name": {"Seoyeon Lee"}, "email": {"seoyeon@example.org"}, "password": {pw}, "consent": {"1"}})
			if r.Status != http.StatusBadRequest {
				t.Errorf("%s (%s): status %d, want 400", pw, lang, r.Status)
			}
			contains(t, pw+" "+lang, r.Body, want, `aria-invalid="true"`)
		}
	}
	token := "one-time-setup-token"
	if err := e.st.SetSetupToken(context.Background(), forum.TokenHash(token)); err != nil {
		t.Fatal(err)
	}
	weakAdmin := url.Values{"name": {"이도현"}, "email": {"admin@example.org"}, "password": {"admin12345"}}
	if r := e.client().post("/setup/"+token, weakAdmin); r.Status != http.StatusBadRequest || !strings.Contains(r.Body, advice["ko"]) {
		t.Errorf("setup with a weak password: %d", r.Status)
	}
	for _, role := range []forum.Role{forum.RoleCitizen, forum.RoleAdmin} {
		if n, _ := e.st.CountUsers(context.Background(), role); n != 0 {
			t.Fatalf("%d %s accounts created by refused passwords", n, role)
		}
	}
	c := e.client()
	if r := c.post("/register", url.Values{"name": {"Seoyeon Lee"}, "email": {"seoyeon@example.org"}, "password": {"plum river lantern"}, "consent": {"1"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("strong password refused: %d %.300s", r.Status, r.Body)
	}
}

func TestCommonPasswords_AllRefused(t *testing.T) {
	list := corpusPasswords(t)
	if list == nil {
		t.Skip("password corpus not beside this checkout")
	}
	if len(list) < 100 {
		t.Fatalf("only %d long common passwords loaded", len(list))
	}
	for pw := range list {
		err := forum.Registration{Name: "이서연", Email: "a@example.org", Password: pw}.Validate(list, func(string) bool { return false })
		if err == nil {
			t.Errorf("common password %q accepted", pw)
		}
	}
}

func TestLogin_SessionAndLogout(t *testing.T) {
	e := newEnv(t)
	u := e.register("박지민")
	email := u.user().Email
	c := e.client()
	if r := c.post("/login", url.Values{"email": {email}, "password": {"wrong password!!"}}); r.Status != http.StatusUnauthorized ||
		!strings.Contains(r.Body, "이메일 또는 비밀번호가 맞지 않습니다") {
		t.Fatalf("wrong password: %d", r.Status)
	}
	planted := "planted-session-token"
	c.cookies[SessionCookie] = planted
	r := c.post("/login", url.Values{"email": {email}, "password": {"correct horse battery staple"}, "next": {"/proposals"}})
	if r.Status != http.StatusSeeOther || r.Header.Get("Location") != "/proposals" {
		t.Fatalf("login: %d %q", r.Status, r.Header.Get("Location"))
	}
	if c.cookies[SessionCookie] == planted || c.cookies[SessionCookie] == "" {
		t.Fatal("session id not regenerated at sign-in")
	}
	if !strings.Contains(r.Header.Get("Set-Cookie"), "HttpOnly") || !strings.Contains(r.Header.Get("Set-Cookie"), "SameSite=Lax") {
		t.Errorf("session cookie flags: %s", r.Header.Get("Set-Cookie"))
	}
	tok := c.cookies[SessionCookie]
	if r := c.post("/logout", nil); r.Status != http.StatusSeeOther {
		t.Fatalf("logout: %d", r.Status)
	}
	if _, err := e.st.SessionByToken(context.Background(), forum.TokenHash(tok)); err == nil {
		t.Fatal("session still valid after logout")
	}
}

func TestCSRF(t *testing.T) {
	e := newEnv(t)
	c := e.register("최유진")
	id := e.openProposal(c, "공공 와이파이 확대", "지하철 역사에 공공 와이파이를 설치해 주십시오.")
	path := "/proposals/" + itoa(int(id)) + "/support"
	for _, tc := range []struct {
		name string
		form url.Values
		hdr  []string
		want int
	}{
		{"missing", url.Values{}, nil, 403},
		{"forged", url.Values{"_csrf": {"forged"}}, nil, 403},
		{"header forged", url.Values{}, []string{"X-CSRF-Token", "forged"}, 403},
		{"header", url.Values{}, []string{"X-CSRF-Token", c.csrf()}, 303},
	} {
		if r := c.do("POST", path, tc.form, tc.hdr...); r.Status != tc.want {
			t.Errorf("%s: status %d, want %d", tc.name, r.Status, tc.want)
		}
		if p, _ := e.st.Proposal(context.Background(), id); tc.want == 403 && p.Supports != 0 {
			t.Fatalf("%s: support recorded despite 403", tc.name)
		}
	}
	anon := e.client()
	if r := anon.do("POST", "/login", url.Values{"email": {"x@example.org"}, "password": {"whatever123"}}); r.Status != 403 {
		t.Errorf("login without CSRF: %d", r.Status)
	}
}

func TestProposal_Lifecycle(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	author := e.register("정하늘")
	// Bad input: every problem reported at once, nothing stored.
	r := author.post("/proposals", url.Values{"title": {"짧"}, "body": {"  "}, "category": {"999"}, "ministry": {""}})
	if r.Status != 400 {
		t.Fatalf("bad proposal: %d", r.Status)
	}
	contains(t, "bad proposal", r.Body, "제목은 4자 이상 120자 이하", "내용을 입력해 주십시오", "담당 부처를 선택해 주십시오")
	if page, _ := e.st.UserProposals(ctx, author.user().ID, true); len(page) != 0 {
		t.Fatal("refused proposal was stored")
	}
	id := author.propose("일회용 컵 보증금제 전국 확대", "## 제안\n\n전국으로 확대해 주십시오.")
	p, _ := e.st.Proposal(ctx, id)
	if p.Status != forum.StatusGathering {
		t.Fatalf("status %s", p.Status)
	}
	pid := itoa(int(id))
	anon := e.client()
	if r := anon.get("/proposals/" + pid); r.Status != 404 {
		t.Errorf("gathering proposal visible to the public: %d", r.Status)
	}
	contains(t, "author view", author.get("/proposals/"+pid).Body, "/sponsor/"+p.SponsorToken, "공동 발의자 0명 / 2명")
	if r := anon.get("/proposals/" + pid + "/sponsor/wrong"); r.Status != 404 {
		t.Errorf("wrong sponsor token: %d", r.Status)
	}
	if r := author.post("/proposals/"+pid+"/sponsor/"+p.SponsorToken, nil); r.Status != 403 {
		t.Errorf("author sponsoring own proposal: %d", r.Status)
	}
	s1, s2 := e.register("Sponsor One"), e.register("Sponsor Two")
	s1.post("/proposals/"+pid+"/sponsor/"+p.SponsorToken, nil)
	s1.post("/proposals/"+pid+"/sponsor/"+p.SponsorToken, nil)
	if p, _ = e.st.Proposal(ctx, id); p.Sponsors != 1 || p.Status != forum.StatusGathering {
		t.Fatalf("after one sponsor twice: %d sponsors, %s", p.Sponsors, p.Status)
	}
	s2.post("/proposals/"+pid+"/sponsor/"+p.SponsorToken, nil)
	if p, _ = e.st.Proposal(ctx, id); p.Status != forum.StatusOpen || p.PublishedAt.IsZero() {
		t.Fatalf("threshold reached but %s", p.Status)
	}
	contains(t, "public", anon.get("/proposals/"+pid).Body, "<h3>제안</h3>")

	// Support: double submit makes one row; withdraw.
	s1.post("/proposals/"+pid+"/support", nil)
	s1.post("/proposals/"+pid+"/support", nil)
	if p, _ = e.st.Proposal(ctx, id); p.Supports != 1 {
		t.Fatalf("supports %d after double submit", p.Supports)
	}
	contains(t, "supporter view", s1.get("/proposals/"+pid).Body, "이 제안을 지지하고 있습니다")
	s1.post("/proposals/"+pid+"/unsupport", nil)
	if p, _ = e.st.Proposal(ctx, id); p.Supports != 0 {
		t.Fatalf("supports %d after withdrawing", p.Supports)
	}

	// Edit: only the author, until the proposal closes; history is public.
	other := e.register("다른 시민")
	if r := other.post("/proposals/"+pid+"/edit", url.Values{"title": {"탈취한 제목입니다"}, "body": {"x"}, "category": {itoa(int(e.cats[0].ID))}, "ministry": {itoa(int(e.mins[0].ID))}}); r.Status != 403 {
		t.Errorf("edit by another user: %d", r.Status)
	}
	if r := other.post("/proposals/"+pid+"/withdraw", nil); r.Status != 403 {
		t.Errorf("withdraw by another user: %d", r.Status)
	}
	edit := url.Values{"title": {"일회용 컵 보증금제 전국 확대 (수정)"}, "body": {"수정한 본문"}, "category": {itoa(int(e.cats[0].ID))}, "ministry": {itoa(int(e.mins[0].ID))}}
	if r := author.post("/proposals/"+pid+"/edit", edit); r.Status != 303 {
		t.Fatalf("edit: %d %.300s", r.Status, r.Body)
	}
	contains(t, "history", anon.get("/proposals/"+pid+"/history").Body, "1번째 판", "2번째 판", "전국으로 확대해 주십시오", "수정한 본문")
	// No window of time since issue 18 (supporters are told of each edit,
	// with its diff): an open proposal stays editable until it closes.
	e.clock.Add(31 * time.Minute)
	edit.Set("body", "다시 수정한 본문")
	if r := author.post("/proposals/"+pid+"/edit", edit); r.Status != 303 {
		t.Errorf("edit after 30 minutes: %d", r.Status)
	}
	if p, _ = e.st.Proposal(ctx, id); p.Revisions != 3 || p.Title != "일회용 컵 보증금제 전국 확대 (수정)" {
		t.Errorf("after edits: %d revisions, %q", p.Revisions, p.Title)
	}
	if r := author.post("/proposals/"+pid+"/withdraw", nil); r.Status != 303 {
		t.Fatalf("withdraw: %d", r.Status)
	}
	if r := author.post("/proposals/"+pid+"/edit", edit); r.Status != 409 {
		t.Errorf("edit after withdrawing: %d", r.Status)
	}
	contains(t, "withdrawn", anon.get("/proposals/"+pid).Body, "제안자가 철회한 제안입니다")
	if r := s1.post("/proposals/"+pid+"/support", nil); r.Status != 409 {
		t.Errorf("support on withdrawn: %d", r.Status)
	}
}

func TestDraft_SubmitAndPrivacy(t *testing.T) {
	e := newEnv(t)
	author := e.register("한지우")
	f := url.Values{"title": {"노인 디지털 교육 확대"}, "body": {"초안"}, "category": {itoa(int(e.cats[0].ID))},
		"ministry": {itoa(int(e.mins[0].ID))}, "action": {"draft"}}
	r := author.post("/proposals", f)
	id := strings.TrimPrefix(r.Header.Get("Location"), "/proposals/")
	p, _ := e.st.Proposal(context.Background(), atoi64(id))
	if p.Status != forum.StatusDraft {
		t.Fatalf("status %s", p.Status)
	}
	if r := e.register("엿보는 시민").get("/proposals/" + id); r.Status != 404 {
		t.Errorf("draft visible to another citizen: %d", r.Status)
	}
	if r := author.post("/proposals/"+id+"/submit", nil); r.Status != 303 {
		t.Fatalf("submit: %d", r.Status)
	}
	if p, _ = e.st.Proposal(context.Background(), p.ID); p.Status != forum.StatusGathering {
		t.Fatalf("after submit: %s", p.Status)
	}
	if r := author.post("/proposals/"+id+"/submit", nil); r.Status != 409 {
		t.Errorf("submit twice: %d", r.Status)
	}
}

func TestComments_ThreadVotesEditDelete(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	author := e.register("윤서준")
	id := e.openProposal(author, "주 4.5일제 시범 도입", "공공기관부터 시범 도입합시다.")
	pid := itoa(int(id))
	a, b := e.register("찬성 시민"), e.register("반대 시민")
	comment := func(c *client, stance, body string, parent int64) resp {
		f := url.Values{"stance": {stance}, "body": {body}}
		if parent != 0 {
			f.Set("parent", itoa(int(parent)))
		}
		return c.post("/proposals/"+pid+"/comments", f)
	}
	if r := comment(a, "", "입장 없이", 0); r.Status != 400 || !strings.Contains(r.Body, "찬성, 반대, 중립 중 하나") {
		t.Fatalf("no stance: %d", r.Status)
	}
	if r := comment(a, "for", "   ", 0); r.Status != 400 {
		t.Fatalf("empty body: %d", r.Status)
	}
	r := comment(a, "for", "생산성이 **오릅니다**", 0)
	if r.Status != 303 {
		t.Fatalf("comment: %d %.300s", r.Status, r.Body)
	}
	flat, _ := e.st.Comments(ctx, forum.ProposalSubject(id))
	top := flat[0].ID
	parent := top
	for depth := 2; depth <= 3; depth++ {
		if r := comment(b, "against", "답글 깊이 "+itoa(depth), parent); r.Status != 303 {
			t.Fatalf("reply depth %d: %d", depth, r.Status)
		}
		flat, _ = e.st.Comments(ctx, forum.ProposalSubject(id))
		parent = flat[len(flat)-1].ID
	}
	if r := comment(a, "neutral", "너무 깊은 답글", parent); r.Status != 400 || !strings.Contains(r.Body, "3단계까지만") {
		t.Errorf("depth 4: %d", r.Status)
	}
	comment(b, "against", "재정 부담이 큽니다", 0)
	flat, _ = e.st.Comments(ctx, forum.ProposalSubject(id))
	against := flat[len(flat)-1].ID

	// Votes: one per user, changeable; own comment refused.
	vote := func(c *client, cid int64, v string) int {
		return c.post("/comments/"+itoa(int(cid))+"/vote", url.Values{"value": {v}}).Status
	}
	if s := vote(a, top, "1"); s != 403 {
		t.Errorf("vote on own comment: %d", s)
	}
	vote(b, top, "1")
	vote(b, top, "1")
	vote(author, top, "-1")
	vote(author, top, "1")
	vote(a, against, "1")
	if s := vote(a, against, "7"); s != 400 {
		t.Errorf("vote 7: %d", s)
	}
	c, _ := e.st.Comment(ctx, top)
	if c.Up != 2 || c.Down != 0 {
		t.Errorf("tallies %d/%d, want 2/0", c.Up, c.Down)
	}
	page := e.client().get("/proposals/" + pid).Body
	contains(t, "page", page, "가장 공감받은 찬성 의견", "가장 공감받은 반대 의견", "생산성이 <strong>오릅니다</strong>", "재정 부담이 큽니다",
		`class="replies"`, `data-depth="3"`)

	// Edit within 15 minutes by the author only; delete leaves a placeholder.
	if r := b.post("/comments/"+itoa(int(top))+"/edit", url.Values{"body": {"남의 글"}}); r.Status != 403 {
		t.Errorf("edit someone else's comment: %d", r.Status)
	}
	if r := a.post("/comments/"+itoa(int(top))+"/edit", url.Values{"body": {"생산성이 오릅니다 (근거 추가)"}}); r.Status != 303 {
		t.Errorf("edit: %d", r.Status)
	}
	e.clock.Add(16 * time.Minute)
	if r := a.post("/comments/"+itoa(int(top))+"/edit", url.Values{"body": {"늦은 수정"}}); r.Status != 409 {
		t.Errorf("edit after 15 minutes: %d", r.Status)
	}
	if r := a.post("/comments/"+itoa(int(top))+"/delete", nil); r.Status != 303 {
		t.Fatalf("delete: %d", r.Status)
	}
	page = e.client().get("/proposals/" + pid).Body
	contains(t, "after delete", page, "작성자가 삭제한 의견입니다", "답글 깊이 2", "답글 깊이 3")
	if strings.Contains(page, "근거 추가") {
		t.Error("deleted text still shown")
	}
	if err := e.st.CheckCounters(ctx); err != nil {
		t.Error(err)
	}
}

func TestSupport_ParallelHTTP(t *testing.T) {
	e := newEnv(t)
	author := e.register("동시 지지")
	id := e.openProposal(author, "미세먼지 저감 대책", "본문")
	c := e.register("연타 시민")
	tok := c.csrf()
	var wg sync.WaitGroup
	for range 100 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if r := c.do("POST", "/proposals/"+itoa(int(id))+"/support", url.Values{"_csrf": {tok}}); r.Status != 303 {
				t.Errorf("parallel support: %d", r.Status)
			}
		}()
	}
	wg.Wait()
	if p, _ := e.st.Proposal(context.Background(), id); p.Supports != 1 {
		t.Fatalf("100 parallel submits made %d supports", p.Supports)
	}
	if err := e.st.CheckCounters(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func TestRateLimit_Login(t *testing.T) {
	e := newEnv(t)
	e.srv.cfg.AuthPerMinute = 3
	e.srv = newServer(t, e.st, e.srv.cfg)
	c := e.client()
	var last resp
	for range 4 {
		last = c.post("/login", url.Values{"email": {"nobody@example.org"}, "password": {"wrong password"}})
	}
	if last.Status != http.StatusTooManyRequests {
		t.Fatalf("4th attempt: %d", last.Status)
	}
	if last.Header.Get("Retry-After") == "" {
		t.Error("no Retry-After")
	}
	contains(t, "429 page", last.Body, "요청이 너무 많습니다", `lang="ko"`)
}

func TestInvalidUTF8_Refused(t *testing.T) {
	e := newEnv(t)
	c := e.register("바이트 시민")
	before, _ := e.st.UserProposals(context.Background(), c.user().ID, true)
	body := "_csrf=" + url.QueryEscape(c.csrf()) + "&title=%ff%fe%fd%fc+bad+title&body=ok&category=" + itoa(int(e.cats[0].ID)) + "&ministry=" + itoa(int(e.mins[0].ID))
	r := c.doRaw("POST", "/proposals", body)
	if r.Status != 400 || !strings.Contains(r.Body, "UTF-8") {
		t.Fatalf("invalid UTF-8: %d %.200s", r.Status, r.Body)
	}
	after, _ := e.st.UserProposals(context.Background(), c.user().ID, true)
	if len(after) != len(before) {
		t.Fatal("invalid UTF-8 stored")
	}
	if r := e.client().get("/proposals?status=%ff"); r.Status != 400 {
		t.Errorf("invalid UTF-8 query: %d", r.Status)
	}
}

func TestRoles_StaffBadgeCannotBeImitated(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	hash, _ := forum.HashPassword("moderator password 1")
	mod, err := e.st.CreateUser(ctx, forum.User{Tier: forum.TierEmailVerified, Role: forum.RoleModerator, Name: "김운영", Email: "mod@example.org"}, hash)
	if err != nil {
		t.Fatal(err)
	}
	page := e.client().get("/users/" + itoa(int(mod.ID))).Body
	contains(t, "moderator profile", page, `class="role-badge role-moderator"`, "운영자")
	cit := e.register(`<span class="role-badge">가짜</span>`)
	page = e.client().get("/users/" + itoa(int(cit.user().ID))).Body
	if strings.Contains(page, `<span class="role-badge`) {
		t.Error("a citizen's page shows a role badge")
	}
}

// TestUTF8Corpus posts every line of Markus Kuhn's decoder stress test as a
// comment: lines with invalid UTF-8 or a NUL (which PostgreSQL cannot store)
// get 400 and are never stored; the rest are kept.
func TestUTF8Corpus(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(corpusDir(t), "utf8-kuhn/UTF-8-test.txt"))
	if err != nil {
		t.Fatal(err)
	}
	e := newEnv(t)
	author := e.register("유니코드 작성자")
	id := e.openProposal(author, "유니코드 시험", "본문")
	c := e.register("유니코드 시민")
	tok := url.QueryEscape(c.csrf())
	// The corpus copy is valid UTF-8 throughout (its malformed sequences were
	// already replaced by U+FFFD), so the malformed cases of its sections 3-5
	// are rebuilt here byte for byte.
	lines := bytes.Split(data, []byte("\n"))
	for _, bad := range []string{
		"\x80", "\xbf", "\x80\xbf\x80", // lone continuation bytes (3.1)
		"\xc0 ", "\xe0\x80 ", "\xf0\x80\x80 ", // lonely start characters (3.2)
		"\xc2", "\xe0\xa0", "\xf0\x90\x80", // sequences with the last byte missing (3.3)
		"\xfe", "\xff", "\xfe\xfe\xff\xff", // impossible bytes (3.5)
		"\xc0\xaf", "\xe0\x80\xaf", "\xf0\x80\x80\xaf", "\xc1\xbf", // overlong forms (4)
		"\xed\xa0\x80", "\xed\xbf\xbf", "\xed\xa0\x80\xed\xb0\x80", // UTF-16 surrogates (5)
		"\xf8\x88\x80\x80\x80", "\xfc\x84\x80\x80\x80\x80", // 5- and 6-byte forms (2.1)
	} {
		lines = append(lines, []byte("정상 텍스트 "+bad+" 뒤"))
	}
	valid, invalid := 0, 0
	seen := map[string]bool{}
	for _, line := range lines {
		if seen[string(line)] { // the same text twice within 5 minutes is refused as a duplicate post
			continue
		}
		seen[string(line)] = true
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		r := c.doRaw("POST", "/proposals/"+itoa(int(id))+"/comments", "_csrf="+tok+"&stance=neutral&body="+url.QueryEscape(string(line)))
		if utf8.Valid(line) && bytes.IndexByte(line, 0) < 0 {
			valid++
			if r.Status != http.StatusSeeOther {
				t.Errorf("valid line refused (%d): %q", r.Status, line)
			}
		} else {
			invalid++
			if r.Status != http.StatusBadRequest {
				t.Errorf("invalid line answered %d: %q", r.Status, line)
			}
		}
	}
	flat, err := e.st.Comments(context.Background(), forum.ProposalSubject(id))
	if err != nil {
		t.Fatal(err)
	}
	if len(flat) != valid || invalid < 20 {
		t.Fatalf("%d comments stored for %d valid lines (%d invalid)", len(flat), valid, invalid)
	}
	for _, cm := range flat {
		if !utf8.ValidString(cm.BodySrc) || !utf8.ValidString(cm.Body.String()) {
			t.Fatalf("invalid UTF-8 stored: %q", cm.BodySrc)
		}
	}
}

func TestSetup_FirstAdminOnce(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	token := "one-time-setup-token"
	if err := e.st.SetSetupToken(ctx, forum.TokenHash(token)); err != nil {
		t.Fatal(err)
	}
	if r := e.client().get("/setup/" + token); r.Status != 200 || !strings.Contains(r.Body, "첫 관리자") {
		t.Fatalf("setup page: %d", r.Status)
	}
	form := url.Values{"name": {"이도현"}, "email": {"admin@example.org"}, "password": {"a strong admin passphrase"}}
	if r := e.client().post("/setup/wrong-token", form); r.Status != 410 {
		t.Errorf("wrong token: %d, want 410", r.Status)
	}
	c := e.client()
	if r := c.post("/setup/"+token, form); r.Status != 303 {
		t.Fatalf("setup: %d %.300s", r.Status, r.Body)
	}
	if c.user().Role != forum.RoleAdmin {
		t.Fatalf("setup made a %s", c.user().Role)
	}
	form.Set("email", "second@example.org")
	if r := e.client().post("/setup/"+token, form); r.Status != 410 {
		t.Errorf("second use of the token: %d, want 410", r.Status)
	}
	if n, _ := e.st.CountUsers(ctx, forum.RoleAdmin); n != 1 {
		t.Fatalf("%d admins", n)
	}
}

// TestSimilarProposals: while drafting, existing proposals like the title are
// offered (a form step without script, and a fragment for the script).
func TestSimilarProposals(t *testing.T) {
	e := newEnv(t)
	author := e.register("유사 작성자")
	e.openProposal(author, "어린이 통학로 안전 강화", "학교 앞 보행로")
	e.openProposal(author, "공공 와이파이 확대", "지하철")
	c := e.register("새 제안자")
	r := c.post("/proposals", url.Values{"title": {"통학로 안전"}, "action": {"similar"}})
	if r.Status != 200 {
		t.Fatalf("similar step: %d", r.Status)
	}
	contains(t, "similar step", r.Body, "비슷한 제안이 이미 있습니다", "어린이 통학로 안전 강화")
	if strings.Contains(r.Body, "공공 와이파이 확대") {
		t.Error("an unrelated proposal was offered")
	}
	if ps, _ := e.st.UserProposals(context.Background(), c.user().ID, true); len(ps) != 0 {
		t.Fatal("the similar step created a proposal")
	}
	frag := c.get("/proposals/similar?title=" + url.QueryEscape("와이파이"))
	contains(t, "fragment", frag.Body, "공공 와이파이 확대")
	if strings.Contains(frag.Body, "<html") {
		t.Error("the fragment is a whole page")
	}
	if none := c.get("/proposals/similar?title=" + url.QueryEscape("우주 탐사")); !strings.Contains(none.Body, "비슷한 제안을 찾지 못했습니다") {
		t.Errorf("no-match fragment: %.200s", none.Body)
	}
}
