package web

import (
	"context"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/e-people/e-people/forum"
	"github.com/e-people/e-people/forum/store"
	"github.com/e-people/e-people/moderation"
)

// notContains fails the test for each of unwanted found in body.
func notContains(t testing.TB, what, body string, unwanted ...string) {
	t.Helper()
	for _, u := range unwanted {
		if strings.Contains(body, u) {
			t.Errorf("%s: unexpected %q", what, u)
		}
	}
}

func TestDaysBetween(t *testing.T) {
	kst := func(day, hour, minute int) time.Time { return time.Date(2026, 12, day, hour, minute, 0, 0, seoul) }
	for _, tc := range []struct {
		name string
		a, b time.Time
		want int
	}{
		{"exactly two days", kst(1, 10, 0), kst(3, 10, 0), 2},
		{"two days and a minute (rounded up to 3 before)", kst(1, 10, 0), kst(3, 10, 1), 2},
		{"the last minute of the second day", kst(1, 10, 0), kst(3, 23, 59), 2},
		{"the third day's first minute", kst(1, 10, 0), kst(4, 0, 0), 3},
		{"a day and 23 hours, across two midnights", kst(1, 0, 30), kst(2, 23, 30), 1},
		{"a few minutes across midnight", kst(1, 23, 55), kst(2, 0, 5), 1},
		{"the same day", kst(1, 0, 0), kst(1, 23, 59), 0},
		{"before", kst(3, 10, 0), kst(1, 10, 0), 0},
		{"UTC times count by the Seoul day", time.Date(2026, 12, 1, 14, 59, 0, 0, time.UTC), time.Date(2026, 12, 1, 15, 0, 0, 0, time.UTC), 1},
	} {
		if got := daysBetween(tc.a, tc.b); got != tc.want {
			t.Errorf("%s: daysBetween(%v, %v) = %d, want %d", tc.name, tc.a, tc.b, got, tc.want)
		}
	}
}

// TestProposalPages_Dates: overdue days are whole KST calendar days on the
// proposal page, the admin's overdue list and the ministry's page; the
// forecast is given by the day; the co-ministry line of the timeline has its date.
func TestProposalPages_Dates(t *testing.T) {
	f := newAnsFixture(t)
	e := f.e
	ctx := context.Background()
	guest := e.client()
	id := f.awaiting("하천 산책로 가로등 설치")
	p, err := e.st.Proposal(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	page := ansPath(id, "")
	// The clock is at 18:00 KST: the answer is due at 18:00 KST in 30 days.
	due := p.ResponseDue.In(seoul)
	if due.Hour() != 18 {
		t.Fatalf("due %v: the fixture's clock moved", due)
	}
	dueDay := formatDay("ko", due)
	contains(t, "awaiting", guest.get(page).Body, "부처 답변 기한까지 30일 남았습니다 (기한: "+dueDay+").")
	overdue := func(what, want string) {
		t.Helper()
		contains(t, what+": proposal page", guest.get(page).Body, want)
		contains(t, what+": the ministry's page", guest.get("/ministries/mohw").Body, want)
	}
	e.clock.Add(30*24*time.Hour - time.Hour) // 17:00 on the due day
	contains(t, "due today", guest.get(page).Body, "오늘("+dueDay+")이 부처 답변 기한입니다.")
	e.clock.Add(2 * time.Hour) // 19:00: an hour late
	overdue("an hour late", "답변 기한이 오늘 지났습니다.")
	e.clock.Add(2*24*time.Hour - time.Hour) // exactly two days after the due time
	overdue("exactly two days late", "답변 기한이 2일 지났습니다.")
	admin := e.staff(forum.RoleAdmin, 0, "한관리") // the fixture's sessions have expired by now
	r := admin.get("/admin/overdue")
	contains(t, "admin overdue, two days", r.Body, "<strong class=\"field-error\">2일</strong>", dueDay)
	e.clock.Add(5*time.Hour + 59*time.Minute) // 23:59 on the second day
	overdue("the second day's last minute", "답변 기한이 2일 지났습니다.")
	e.clock.Add(time.Minute) // midnight
	overdue("the third day", "답변 기한이 3일 지났습니다.")
	contains(t, "admin overdue, three days", admin.get("/admin/overdue").Body, "<strong class=\"field-error\">3일</strong>")

	// The co-answering ministry's line has the date it was added.
	if r := e.staff(forum.RoleOfficial, f.mohw, "최복지").post(ansPath(id, "/co-ministries"), url.Values{"ministry": {itoa(int(f.molit))}}); r.Status != 303 {
		t.Fatalf("add co-ministry: %d %.300s", r.Status, r.Body)
	}
	added := e.clock.Now()
	line := regexp.MustCompile(`<li><time datetime="([^"]+)">([^<]+)</time> 공동 답변 부처: 국토교통부</li>`).FindStringSubmatch(guest.get(page).Body)
	if line == nil {
		t.Fatalf("no dated co-ministry line in the timeline")
	}
	if line[1] != added.UTC().Format(time.RFC3339) || line[2] != formatDate("ko", added) {
		t.Errorf("co-ministry line dated %q / %q, want %v", line[1], line[2], added)
	}

	// A forecast is a day, not a minute: 5 to reach, 2 supporters this week.
	if err := e.st.SetSettings(ctx, map[string]string{forum.SettingSupportThreshold: "5"}); err != nil {
		t.Fatal(err)
	}
	open := e.openProposal(e.register("예보 제안자"), "버스 정류장 온열 의자", "겨울에 정류장 의자를 데워 주십시오.")
	for _, u := range f.supporters {
		if _, err := e.st.Support(ctx, open, u.ID, nil); err != nil {
			t.Fatal(err)
		}
	}
	body := guest.get(ansPath(open, "")).Body
	m := regexp.MustCompile(`최근 7일 추세라면 ([^<]*)에 목표에 도달합니다`).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no forecast on the open proposal")
	}
	if !regexp.MustCompile(`^\d{4}년 \d{1,2}월 \d{1,2}일$`).MatchString(m[1]) {
		t.Errorf("forecast %q: want a day, no time", m[1])
	}
	en := e.client()
	en.lang = "en"
	if m := regexp.MustCompile(`reaches the goal on ([^<.]*)\.`).FindStringSubmatch(en.get(ansPath(open, "")).Body); m == nil || strings.Contains(m[1], ":") {
		t.Errorf("English forecast %q: want a day, no time", m)
	}
}

// TestProposalList_Slugs: the list, the debates and search filter by slug;
// an old numeric link moves for good to its slug; an unknown slug is a 400
// with the reason on the list page, in the viewer's language.
func TestProposalList_Slugs(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	molit, err := e.st.CreateMinistry(ctx, forum.Ministry{Slug: "molit", NameKO: "국토교통부", NameEN: "Ministry of Land", NameZH: "國土交通部"})
	if err != nil {
		t.Fatal(err)
	}
	transport, err := e.st.CreateCategory(ctx, forum.Category{Slug: "transport", NameKO: "교통", NameEN: "Transport", NameZH: "交通", MinistryID: molit.ID})
	if err != nil {
		t.Fatal(err)
	}
	author := e.register("슬러그 제안자")
	e.openProposal(author, "보건소 야간 진료", "야간 진료를 늘려 주십시오.")
	r := author.post("/proposals", url.Values{"title": {"버스 노선 개편"}, "body": {"배차 간격을 줄여 주십시오."},
		"category": {itoa(int(transport.ID))}, "ministry": {itoa(int(molit.ID))}})
	if r.Status != 303 {
		t.Fatalf("propose: %d", r.Status)
	}
	busID := atoi64(strings.TrimPrefix(r.Header.Get("Location"), "/proposals/"))
	for i := 0; i < 2; i++ {
		p, _ := e.st.Proposal(ctx, busID)
		if r := e.register("버스 공동발의 "+itoa(i)).post(ansPath(busID, "/sponsor/"+p.SponsorToken), nil); r.Status != 303 {
			t.Fatalf("sponsor: %d", r.Status)
		}
	}
	guest := e.client()
	for _, q := range []string{"ministry=molit", "category=transport", "ministry=molit&category=transport"} {
		body := guest.get("/proposals?" + q).Body
		contains(t, q, body, "버스 노선 개편")
		notContains(t, q, body, "보건소 야간 진료")
	}
	body := guest.get("/proposals").Body
	contains(t, "the filter form", body, `<option value="molit">국토교통부</option>`, `<option value="transport">교통</option>`, "보건소 야간 진료", "버스 노선 개편")
	contains(t, "the selected filter", guest.get("/proposals?ministry=molit").Body, `<option value="molit" selected>국토교통부</option>`)

	// Old numeric links move for good to their slugs, the rest of the query kept.
	for _, tc := range []struct{ path, want string }{
		{"/proposals?ministry=" + itoa(int(molit.ID)) + "&sort=supported", "/proposals?ministry=molit&sort=supported"},
		{"/proposals?category=" + itoa(int(transport.ID)), "/proposals?category=transport"},
		{"/debates?ministry=" + itoa(int(molit.ID)), "/debates?ministry=molit"},
	} {
		r := guest.get(tc.path)
		if r.Status != 301 || r.Header.Get("Location") != tc.want {
			t.Errorf("%s: %d to %q, want 301 to %q", tc.path, r.Status, r.Header.Get("Location"), tc.want)
		}
	}

	// Unknown slugs: 400 on the list page itself, in the viewer's language.
	en, zh := e.client(), e.client()
	en.lang, zh.lang = "en", "zh"
	for _, tc := range []struct {
		c          *client
		path, want string
	}{
		{guest, "/proposals?ministry=nope", "알 수 없는 부처입니다"},
		{guest, "/proposals?category=nope", "알 수 없는 분야입니다"},
		{guest, "/proposals?ministry=9999", "알 수 없는 부처입니다"},
		{guest, "/proposals?status=bogus", "알 수 없는 상태입니다"},
		{en, "/proposals?ministry=nope", "There is no such ministry"},
		{zh, "/proposals?category=nope", "沒有這個類別"},
		{guest, "/debates?ministry=nope", "알 수 없는 부처입니다"},
		{en, "/debates?ministry=nope", "There is no such ministry"},
	} {
		r := tc.c.get(tc.path)
		if r.Status != 400 {
			t.Errorf("%s (%s): %d, want 400", tc.path, tc.c.lang, r.Status)
			continue
		}
		contains(t, tc.path, r.Body, `class="alert alert-error" role="alert"`, tc.want, `<form class="filters"`)
		notContains(t, tc.path, r.Body, "버스 노선 개편", "보건소 야간 진료")
	}
	// Search: the same slugs, the same moves, the same refusals; the API takes slugs only.
	q := "q=" + url.QueryEscape("노선")
	body = guest.get("/search?" + q + "&ministry=molit&category=transport").Body
	contains(t, "search by slug", body, `<option value="molit" selected>`, `<option value="transport" selected>`, "<mark>노선</mark>")
	if r := guest.get("/search?" + q + "&ministry=" + itoa(int(molit.ID))); r.Status != 301 || r.Header.Get("Location") != "/search?ministry=molit&"+q {
		t.Errorf("old search link: %d to %q", r.Status, r.Header.Get("Location"))
	}
	r = en.get("/search?" + q + "&category=nope")
	if r.Status != 400 {
		t.Errorf("search, unknown category: %d, want 400", r.Status)
	}
	contains(t, "search, unknown category", r.Body, "There is no such category", `name="q"`)
	for _, path := range []string{"/api/v1/search?" + q + "&ministry=nope", "/api/v1/search?" + q + "&ministry=" + itoa(int(molit.ID)),
		"/api/v1/search?" + q + "&ministry=molit&category=" + itoa(int(transport.ID)), "/api/v1/proposals?ministry=nope"} {
		r := guest.get(path)
		if r.Status != 400 || !strings.Contains(r.Body, `"invalid_parameter"`) {
			t.Errorf("%s: %d %.200s, want 400 invalid_parameter", path, r.Status, r.Body)
		}
	}
	if r := guest.get("/api/v1/search?" + q + "&ministry=molit&category=" + itoa(int(transport.ID))); !strings.Contains(r.Body, "category must be") {
		t.Errorf("API names the wrong parameter: %s", r.Body)
	}
	if r := guest.get("/api/v1/search?" + q + "&ministry=molit&category=transport"); r.Status != 200 || !strings.Contains(r.Body, "버스 노선 개편") {
		t.Errorf("API search by slug: %d %.200s", r.Status, r.Body)
	}

	// The category feed's page link uses the slug too.
	contains(t, "category feed", guest.get("/feeds/categories/transport.atom").Body, "/proposals?category=transport")
}

// TestDebatePage_States: each state of a debate says only what is true of it.
func TestDebatePage_States(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	official := e.staff(forum.RoleOfficial, e.mins[0].ID, "김하늘")
	host := official.user()
	citizen := e.register("토론 시민")
	now := e.clock.Now()
	mk := func(q string, opens, closes time.Duration) string {
		t.Helper()
		d, err := e.st.CreateDebate(ctx, store.NewDebate{HostID: host.ID, Input: forum.DebateInput{Question: q,
			OpensAt: now.Add(opens), ClosesAt: now.Add(closes), MinistryID: e.mins[0].ID}})
		if err != nil {
			t.Fatal(err)
		}
		return "/debates/" + itoa(int(d.ID))
	}
	upcoming := mk("공공 와이파이를 늘려야 합니까?", 4*time.Hour, 7*24*time.Hour)
	open := mk("도서관 야간 개방이 필요합니까?", -time.Hour, 3*24*time.Hour+time.Hour)
	soon := mk("놀이터 그늘막이 필요합니까?", -time.Hour, 2*time.Hour+30*time.Minute)
	closing := mk("공원 음주를 금지해야 합니까?", -time.Hour, time.Hour)

	// Upcoming: when it opens, and that arguments are taken from then; nothing of a closed or empty debate.
	r := citizen.get(upcoming)
	contains(t, "upcoming", r.Body, "예정된 토론", formatDate("ko", now.Add(4*time.Hour))+"에 토론이 시작됩니다. 그때부터 의견을 남길 수 있습니다.")
	notContains(t, "upcoming", r.Body, "이 토론은 마감되어", "첫 의견을 남겨 주십시오", `id="comment-form"`, "남음", "마감 ", `class="tally"`, `class="comment-order"`)

	// Open: the time left and the form.
	r = citizen.get(open)
	contains(t, "open", r.Body, "진행 중인 토론", "<strong>3일 남음</strong>", `id="comment-form"`, "첫 의견을 남겨 주십시오",
		`<p class="alert" data-live="closed-note" hidden>`) // shown by live.js when it closes
	notContains(t, "open", r.Body, "토론이 시작됩니다")
	en := e.client()
	en.lang = "en"
	contains(t, "open, en", en.get(open).Body, "<strong>3 days left</strong>")
	contains(t, "closing in hours", citizen.get(soon).Body, "<strong>마감 2시간 전</strong>")
	e.clock.Add(2*time.Hour + 20*time.Minute)
	contains(t, "closing in minutes", citizen.get(soon).Body, "<strong>마감 10분 전</strong>")

	// Closed: closed, no form, no invitation; then the conclusion.
	if _, _, err := e.st.AdvanceDebates(ctx); err != nil {
		t.Fatal(err)
	}
	r = citizen.get(closing)
	contains(t, "closed", r.Body, "종료된 토론", "이 토론은 마감되어 더 이상 의견을 받지 않습니다", "에 마감되었습니다.", "부처가 결론을 정리하고 있습니다.")
	notContains(t, "closed", r.Body, `id="comment-form"`, "첫 의견을 남겨 주십시오", "남음", "토론이 시작됩니다")
	if r := official.post(closing+"/conclusion", url.Values{"conclusion": {"공원 음주는 **시간대별로** 제한합니다."}}); r.Status != 303 {
		t.Fatalf("conclude: %d %.300s", r.Status, r.Body)
	}
	r = citizen.get(closing)
	contains(t, "concluded", r.Body, `<a href="#conclusion">토론 결론 보기</a>`, "<strong>시간대별로</strong>")
	notContains(t, "concluded", r.Body, "부처가 결론을 정리하고 있습니다.")

	// The new-debate form starts at the next full hour, in the future, and ends after it.
	form := official.get("/debates/new").Body
	value := func(name string) time.Time {
		t.Helper()
		m := regexp.MustCompile(`name="` + name + `" type="datetime-local" value="([^"]+)"`).FindStringSubmatch(form)
		if m == nil {
			t.Fatalf("no %s in the form", name)
		}
		return parseLocal(m[1])
	}
	opens, closes := value("opens_at"), value("closes_at")
	if n := e.clock.Now(); !opens.After(n) || opens.Sub(n) > time.Hour || opens.Minute() != 0 || !closes.After(opens) {
		t.Errorf("form pre-fills %v – %v at %v: want the next full hour, and an end after it", opens, closes, n)
	}
}

// TestProposalCards_States: badges name what the citizen can do; cards show
// the support deadline, or the answer's due date, or the decision, and a bar
// only while support is gathered.
func TestProposalCards_States(t *testing.T) {
	f := newAnsFixture(t)
	e := f.e
	ctx := context.Background()
	guest := e.client()
	open := e.openProposal(e.register("카드 제안자"), "동네 체육관 주말 개방", "주말에도 체육관을 열어 주십시오.")
	awaiting := f.awaiting("마을버스 막차 연장")
	answered := f.awaiting("공영 주차장 요금 인하")
	if r := f.lead.post(ansPath(answered, "/response"), ansAnswerForm("partially_accepted", "시간대별 요금을 도입합니다")); r.Status != 303 {
		t.Fatalf("answer: %d %.300s", r.Status, r.Body)
	}
	po, err := e.st.Proposal(ctx, open)
	if err != nil {
		t.Fatal(err)
	}
	pa, err := e.st.Proposal(ctx, awaiting)
	if err != nil {
		t.Fatal(err)
	}
	card := func(body string, id int64) string {
		t.Helper()
		at := strings.Index(body, `<a href="/proposals/`+itoa(int(id))+`"`)
		if at < 0 {
			t.Fatalf("no card for %d", id)
		}
		start := strings.LastIndex(body[:at], `<li class="card proposal-card">`)
		end := strings.Index(body[at:], "</li>")
		return body[start : at+end]
	}
	for _, tc := range []struct {
		lang                      string
		open, awaiting, answered  []string
		openStatus, closedStatus  string
		supportDeadline, answerBy string
	}{
		{"ko", []string{"지지 모으는 중"}, []string{"답변 기다리는 중"}, []string{"답변 완료", "부처 답변: 일부 수용"}, "지지 모으는 중", "지지 모집 마감", "지지 마감 ", "답변 기한 "},
		{"en", []string{"Collecting support"}, []string{"Awaiting the answer"}, []string{"Answered", "Ministry&#39;s answer: Partially accepted"}, "Collecting support", "Support closed", "Support closes ", "Answer due "},
		{"zh", []string{"連署中"}, []string{"等待答覆"}, []string{"已答覆", "部會答覆：部分採納"}, "連署中", "連署已截止", "連署截止 ", "答覆期限 "},
	} {
		c := e.client()
		c.lang = tc.lang
		body := c.get("/proposals").Body
		co, ca, cd := card(body, open), card(body, awaiting), card(body, answered)
		contains(t, tc.lang+" open card", co, append(tc.open, tc.supportDeadline+formatDay(tc.lang, po.SupportDeadline), `<progress`)...)
		contains(t, tc.lang+" awaiting card", ca, append(tc.awaiting, tc.answerBy+formatDay(tc.lang, pa.ResponseDue))...)
		contains(t, tc.lang+" answered card", cd, tc.answered...)
		for name, card := range map[string]string{"awaiting": ca, "answered": cd} {
			notContains(t, tc.lang+" "+name+" card", card, "<progress")
		}
		notContains(t, tc.lang+" list", body, "토론 진행 중", "Open for debate", "討論進行中")
		contains(t, tc.lang+" filter", body, `<option value="open">`+tc.openStatus+`</option>`, `<option value="closed">`+tc.closedStatus+`</option>`)
		contains(t, tc.lang+" proposal page", c.get(ansPath(open, "")).Body, `class="badge badge-open">`+tc.openStatus+`</span>`)
	}
	contains(t, "home cards", guest.get("/").Body, "지지 모으는 중", "지지 마감 "+formatDay("ko", po.SupportDeadline))
	contains(t, "open data labels", guest.get("/open-data").Body, "open(지지 모으는 중)", "closed(지지 모집 마감)")
}

// TestProposalState_Fragment: the fragment live.js redraws a proposal's state
// from follows the proposal's visibility and carries the badge, clock and timeline.
func TestProposalState_Fragment(t *testing.T) {
	f := newAnsFixture(t)
	e := f.e
	ctx := context.Background()
	id := f.awaiting("주민센터 토요일 민원실 운영")
	r := e.client().get(ansPath(id, "/state"))
	if r.Status != 200 {
		t.Fatalf("state: %d", r.Status)
	}
	contains(t, "state", r.Body, `<div data-live="status"><span class="badge badge-awaiting_response">답변 기다리는 중</span></div>`,
		`<div data-live="clock"><p class="clock">부처 답변 기한까지 30일 남았습니다`, `<ol data-live="timeline">`, "지지 목표에 도달했습니다")
	if r.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("state Cache-Control %q", r.Header.Get("Cache-Control"))
	}
	draft, err := e.st.CreateProposal(ctx, store.NewProposal{AuthorID: f.author.ID, SponsorToken: "draft-state", Draft: true,
		Input: forum.ProposalInput{Title: "아직 쓰는 중인 제안", Body: "초안", CategoryID: e.cats[0].ID, MinistryID: f.mohw},
		Body:  moderation.TrustedFromStore("<p>초안</p>")}, 2)
	if err != nil {
		t.Fatal(err)
	}
	if r := e.client().get(ansPath(draft.ID, "/state")); r.Status != 404 {
		t.Errorf("a draft's state to a guest: %d, want 404", r.Status)
	}
}
