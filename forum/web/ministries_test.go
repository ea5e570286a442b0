package web

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/e-people/e-people/forum"
	"github.com/e-people/e-people/forum/store"
)

// ministryFixture is two ministries, one with a record: three proposals
// reached the threshold; one was answered on time, one late, one is overdue.
// Its clients sign in after the clock moved past the due date.
type ministryFixture struct {
	e                          *env
	moe                        forum.Ministry
	answerer                   *forum.User
	official, other            *client // officials of mohw and moe
	citizen, moderator, admin  *client
	onTime, late, overdue, gap int64 // proposal ids; gap is open, short of the threshold
}

// newMinistryFixture builds the record; before, when set, looks at the site
// while every answer is still within its due date.
func newMinistryFixture(t *testing.T, before func(*env)) *ministryFixture {
	e := newEnv(t)
	ctx := context.Background()
	if err := e.st.SetSettings(ctx, map[string]string{forum.SettingSupportThreshold: "1"}); err != nil {
		t.Fatal(err)
	}
	moe, err := e.st.CreateMinistry(ctx, forum.Ministry{Slug: "moe", NameKO: "교육부", NameEN: "Ministry of Education", NameZH: "教育部",
		Description: "학교 교육과 평생 교육을 맡습니다.\n\n두 번째 문단입니다."})
	if err != nil {
		t.Fatal(err)
	}
	f := &ministryFixture{e: e, moe: moe, answerer: e.staff(forum.RoleOfficial, e.mins[0].ID, "최답변").user()}
	author, supporter := e.register("제안 작성자"), e.register("지지하는 시민")
	reach := func(title string) int64 {
		id := e.openProposal(author, title, "본문입니다.")
		if r := supporter.post("/proposals/"+itoa(int(id))+"/support", nil); r.Status != 303 {
			t.Fatalf("support: %d %.300s", r.Status, r.Body)
		}
		p, err := e.st.Proposal(ctx, id)
		if err != nil || p.Status != forum.StatusAwaiting {
			t.Fatalf("proposal %d did not reach the threshold: %v %v", id, p.Status, err)
		}
		return id
	}
	f.onTime, f.overdue, f.late = reach("제때 답한 제안"), reach("기한을 넘긴 제안"), reach("늦게 답한 제안")
	f.gap = e.openProposal(author, "지지를 모으는 제안", "본문입니다.")
	f.answer(f.onTime, forum.DecisionAccepted, "받아들입니다")
	if before != nil {
		before(e)
	}
	e.clock.Add(31 * 24 * time.Hour) // past the 30-day due date, and past every session so far
	f.answer(f.late, forum.DecisionPartial, "일부 받아들입니다")
	f.official = e.staff(forum.RoleOfficial, e.mins[0].ID, "김공무")
	f.other = e.staff(forum.RoleOfficial, moe.ID, "박교육")
	f.moderator = e.staff(forum.RoleModerator, 0, "류운영")
	f.admin = e.staff(forum.RoleAdmin, 0, "이관리")
	f.citizen = e.register("평범한 시민")
	return f
}

// answer publishes the mohw official's answer to proposal id.
func (f *ministryFixture) answer(id int64, d forum.Decision, summary string) {
	f.e.t.Helper()
	err := f.e.st.PublishResponse(context.Background(), f.answerer, id,
		forum.ResponseInput{Decision: d, Summary: summary, Body: "답변 본문"}, f.e.srv.md.Markdown("답변 본문"))
	if err != nil {
		f.e.t.Fatal(err)
	}
}

func TestMinistries_ScorecardAndPages(t *testing.T) {
	f := newMinistryFixture(t, func(e *env) {
		// Before the due date: the clock counts down.
		page := e.client().get("/ministries/mohw")
		if page.Status != 200 {
			t.Fatalf("ministry page: %d", page.Status)
		}
		contains(t, "ministry page before the due date", page.Body, "보건복지부", "부처 답변 기한까지 30일 남았습니다",
			"지지를 모으는 제안", "받아들입니다", "수용", "기한 내 답변")
	})
	e := f.e
	anon := e.client()

	cards, err := e.st.Scorecards(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cards {
		if c.Ministry.Slug == "mohw" && (c.Received != 3 || c.Answered != 2 || c.OnTime != 1 || c.MedianDays != 15.5 || c.Overdue != 1) {
			t.Errorf("mohw scorecard: %+v", c)
		}
	}

	list := anon.get("/ministries")
	if list.Status != 200 {
		t.Fatalf("/ministries: %d", list.Status)
	}
	contains(t, "scorecard", list.Body, "<caption>", `<th scope="col">`, `<th scope="row"><a href="/ministries/mohw">보건복지부</a></th>`,
		`<td data-label="접수">3</td>`, `<td data-label="답변">2</td>`, `<td data-label="기한 내 답변(비율)">1 (50%)</td>`,
		`<td data-label="답변까지 걸린 기간(중앙값)">15.5일</td>`, `<strong class="field-error">1</strong>`,
		`<a href="/ministries/moe">교육부</a>`, `<td data-label="기한 내 답변(비율)">—</td>`)
	if strings.Index(list.Body, "/ministries/mohw") > strings.Index(list.Body, "/ministries/moe\"") {
		t.Error("a ministry that answered ranks below one that answered nothing")
	}
	en := e.client()
	en.lang = "en-US,en;q=0.9"
	contains(t, "scorecard in English", en.get("/ministries").Body, "Ministry scorecards", "Ministry of Health and Welfare", "15.5 days", "Median time to answer")

	page := anon.get("/ministries/mohw")
	contains(t, "ministry page", page.Body, "답변 기한이 1일 지났습니다", `class="field-error"`, "기한을 넘긴 제안",
		"일부 받아들입니다", "기한 후 답변", "50%", "15.5일", "alert-danger")
	if strings.Index(page.Body, "기한을 넘긴 제안") > strings.Index(page.Body, "지지를 모으는 제안") {
		t.Error("the overdue item should come before the open one")
	}
	contains(t, "ministry page in English", en.get("/ministries/mohw").Body, "The answer is 1 days overdue.", "Recent answers", "Answered late")

	// A ministry with a description, a debate and nothing to answer.
	_, err = e.st.CreateDebate(context.Background(), store.NewDebate{HostID: f.other.user().ID, Background: e.srv.md.Markdown("배경"),
		Input: forum.DebateInput{MinistryID: f.moe.ID, Question: "방과후 학교를 늘려야 합니까?", Background: "배경",
			OpensAt: e.clock.Now(), ClosesAt: e.clock.Now().Add(time.Hour)}})
	if err != nil {
		t.Fatal(err)
	}
	moe := anon.get("/ministries/moe")
	contains(t, "moe page", moe.Body, "교육부", "<p>학교 교육과 평생 교육을 맡습니다.</p>", "<p>두 번째 문단입니다.</p>", "방과후 학교를 늘려야 합니까?",
		"진행 중인 제안이 없습니다", "아직 공개된 답변이 없습니다")
	if strings.Contains(moe.Body, "기한을 넘긴 제안") {
		t.Error("moe's page lists mohw's proposal")
	}
	contains(t, "moe page in Chinese", anon.do("GET", "/ministries/moe", nil, "Accept-Language", "zh-TW").Body, "教育部", "部會答覆成績單")

	if r := anon.get("/ministries/no-such"); r.Status != 404 {
		t.Errorf("unknown slug: %d", r.Status)
	}
}

func TestMinistries_InboxAndOverdueRoles(t *testing.T) {
	f := newMinistryFixture(t, nil)
	e := f.e
	for _, path := range []string{"/inbox", "/admin/overdue", "/admin/ministries", "/admin/ministries/moe/edit"} {
		r := e.client().get(path)
		if r.Status != 303 || !strings.HasPrefix(r.Header.Get("Location"), "/login") {
			t.Errorf("anonymous %s: %d %s", path, r.Status, r.Header.Get("Location"))
		}
	}
	for _, tc := range []struct {
		name string
		c    *client
		want map[string]int
	}{
		{"citizen", f.citizen, map[string]int{"/inbox": 403, "/admin/overdue": 403, "/admin/ministries": 403, "/admin/ministries/moe/edit": 403}},
		{"moderator", f.moderator, map[string]int{"/inbox": 403, "/admin/overdue": 403, "/admin/ministries": 403, "/admin/ministries/moe/edit": 403}},
		{"official", f.official, map[string]int{"/inbox": 200, "/admin/overdue": 403, "/admin/ministries": 403, "/admin/ministries/moe/edit": 403}},
		{"admin", f.admin, map[string]int{"/inbox": 403, "/admin/overdue": 200, "/admin/ministries": 200, "/admin/ministries/moe/edit": 200}},
	} {
		for path, want := range tc.want {
			if r := tc.c.get(path); r.Status != want {
				t.Errorf("%s GET %s: %d, want %d", tc.name, path, r.Status, want)
			}
		}
	}

	inbox := f.official.get("/inbox").Body
	contains(t, "inbox", inbox, "보건복지부", "기한을 넘긴 제안", "답변 기한이 1일 지났습니다", "/proposals/"+itoa(int(f.overdue))+"#respond",
		"지지를 모으는 제안")
	if strings.Contains(inbox, "제때 답한 제안") || strings.Contains(inbox, "늦게 답한 제안") {
		t.Error("inbox lists an answered proposal")
	}
	if strings.Index(inbox, "기한을 넘긴 제안") > strings.Index(inbox, "지지를 모으는 제안") {
		t.Error("awaiting items should come before open ones")
	}
	if other := f.other.get("/inbox").Body; strings.Contains(other, "기한을 넘긴 제안") || !strings.Contains(other, "답변을 기다리는 제안이 없습니다") {
		t.Error("another ministry's official sees mohw's items")
	}

	overdue := f.admin.get("/admin/overdue").Body
	contains(t, "overdue", overdue, "<caption>", "기한을 넘긴 제안", `<a href="/ministries/mohw">보건복지부</a>`, `<strong class="field-error">1일</strong>`)
	for _, s := range []string{"늦게 답한 제안", "제때 답한 제안", "지지를 모으는 제안"} {
		if strings.Contains(overdue, s) {
			t.Errorf("overdue list shows %q", s)
		}
	}
}

func TestMinistries_AdminCreateEdit(t *testing.T) {
	f := newMinistryFixture(t, nil)
	e := f.e
	ctx := context.Background()
	count := func() int {
		ms, err := e.st.Ministries(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return len(ms)
	}
	before := count()
	good := func() url.Values {
		return url.Values{"slug": {"molit"}, "name_ko": {"국토교통부"}, "name_en": {"Ministry of Land, Infrastructure and Transport"},
			"name_zh": {""}, "description": {"국토와 교통을 맡습니다."}}
	}
	if r := e.client().post("/admin/ministries", good()); r.Status != 401 {
		t.Errorf("anonymous create: %d", r.Status)
	}
	for name, c := range map[string]*client{"citizen": f.citizen, "moderator": f.moderator, "official": f.official} {
		if r := c.post("/admin/ministries", good()); r.Status != 403 {
			t.Errorf("%s create: %d", name, r.Status)
		}
		if r := c.post("/admin/ministries/moe/edit", url.Values{"name_ko": {"가로챈 이름"}, "name_en": {"Taken"}}); r.Status != 403 {
			t.Errorf("%s edit: %d", name, r.Status)
		}
	}
	if count() != before {
		t.Fatal("a refused create stored a ministry")
	}

	for _, tc := range []struct {
		name string
		set  map[string]string
		want []string
	}{
		{"bad slug", map[string]string{"slug": "Bad Slug!"}, []string{"주소 이름은 영문 소문자"}},
		{"short slug", map[string]string{"slug": "m"}, []string{"주소 이름은 영문 소문자"}},
		{"no names", map[string]string{"name_ko": " ", "name_en": ""}, []string{"한국어 이름을 100자 이내로", "영어 이름을 100자 이내로"}},
		{"long zh", map[string]string{"name_zh": strings.Repeat("部", 101)}, []string{"중국어(번체) 이름은 100자 이내로"}},
		{"long description", map[string]string{"description": strings.Repeat("가", 1001)}, []string{"소개는 1000자 이내로"}},
		{"taken slug", map[string]string{"slug": "moe"}, []string{"이미 다른 부처가 쓰는 주소 이름입니다"}},
	} {
		form := good()
		for k, v := range tc.set {
			form.Set(k, v)
		}
		r := f.admin.post("/admin/ministries", form)
		if r.Status != 400 {
			t.Errorf("%s: %d", tc.name, r.Status)
			continue
		}
		contains(t, tc.name, r.Body, append(tc.want, `class="error-summary"`)...)
	}
	if count() != before {
		t.Fatal("an invalid create stored a ministry")
	}

	r := f.admin.post("/admin/ministries", good())
	if r.Status != 303 {
		t.Fatalf("create: %d %.300s", r.Status, r.Body)
	}
	if count() != before+1 {
		t.Fatal("create stored nothing")
	}
	m, err := e.st.MinistryBySlug(ctx, "molit")
	if err != nil || m.NameEN != "Ministry of Land, Infrastructure and Transport" || m.Description != "국토와 교통을 맡습니다." {
		t.Fatalf("created ministry: %+v %v", m, err)
	}
	contains(t, "list after create", e.client().get("/ministries").Body, "국토교통부")
	contains(t, "admin list", f.admin.get("/admin/ministries").Body, "부처를 추가했습니다", "<code>molit</code>", "/admin/ministries/molit/edit")

	edit := url.Values{"slug": {"hijack"}, "name_ko": {"국토교통부(개편)"}, "name_en": {"MOLIT"}, "name_zh": {"國土交通部"}, "description": {"새 소개\r\n\r\n둘째 문단"}}
	if r := f.admin.post("/admin/ministries/molit/edit", url.Values{"name_ko": {""}, "name_en": {"MOLIT"}}); r.Status != 400 {
		t.Errorf("invalid edit: %d", r.Status)
	}
	if m2, _ := e.st.MinistryBySlug(ctx, "molit"); m2 != m {
		t.Errorf("an invalid edit changed the ministry: %+v", m2)
	}
	if r := f.admin.post("/admin/ministries/molit/edit", edit); r.Status != 303 || r.Header.Get("Location") != "/ministries/molit" {
		t.Fatalf("edit: %d %s", r.Status, r.Header.Get("Location"))
	}
	m, err = e.st.MinistryBySlug(ctx, "molit")
	if err != nil || m.NameKO != "국토교통부(개편)" || m.NameZH != "國土交通部" || m.Description != "새 소개\n\n둘째 문단" {
		t.Errorf("edited ministry: %+v %v", m, err)
	}
	if _, err := e.st.MinistryBySlug(ctx, "hijack"); err == nil {
		t.Error("the edit changed the slug")
	}
	if r := f.admin.get("/admin/ministries/nope/edit"); r.Status != 404 {
		t.Errorf("edit unknown: %d", r.Status)
	}
}

func TestMinistries_AppointOfficial(t *testing.T) {
	f := newMinistryFixture(t, nil)
	e := f.e
	ctx := context.Background()
	target := e.register("새로 뽑힌 시민")
	id := target.user().ID
	path := "/admin/users/" + itoa(int(id)) + "/official"
	form := func() url.Values { return url.Values{"ministry": {itoa(int(f.moe.ID))}} }
	role := func() (forum.Role, int64) {
		u, err := e.st.User(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		return u.Role, u.MinistryID
	}
	if r := e.client().post(path, form()); r.Status != 401 {
		t.Errorf("anonymous appoint: %d", r.Status)
	}
	for name, c := range map[string]*client{"citizen": f.citizen, "moderator": f.moderator, "official": f.official, "self": target} {
		if r := c.post(path, form()); r.Status != 403 {
			t.Errorf("%s appoints: %d", name, r.Status)
		}
	}
	if r, m := role(); r != forum.RoleCitizen || m != 0 {
		t.Fatalf("a refused appointment changed the user: %s %d", r, m)
	}
	if err := e.st.SetOfficial(ctx, f.moderator.user(), id, f.moe.ID); err == nil {
		t.Error("store: a moderator appointed an official")
	}
	if r := f.admin.post(path, url.Values{"ministry": {"99999"}}); r.Status != 400 {
		t.Errorf("unknown ministry: %d", r.Status)
	}
	if r, _ := role(); r != forum.RoleCitizen {
		t.Fatal("an appointment to an unknown ministry changed the user")
	}
	if r := target.get("/inbox"); r.Status != 403 {
		t.Errorf("citizen inbox: %d", r.Status)
	}

	r := f.admin.post(path, form())
	if r.Status != 303 || r.Header.Get("Location") != "/users/"+itoa(int(id)) {
		t.Fatalf("appoint: %d %s", r.Status, r.Header.Get("Location"))
	}
	contains(t, "flash", f.admin.get("/users/"+itoa(int(id))).Body, "해당 부처의 공무원으로 지정했습니다")
	if r, m := role(); r != forum.RoleOfficial || m != f.moe.ID {
		t.Fatalf("after appointment: %s %d", r, m)
	}
	log, err := e.st.ModerationLog(ctx, 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(log) == 0 || log[0].Action != "appoint_official" || log[0].ItemID != id || log[0].ActorRole != "admin" {
		t.Errorf("audit row: %+v", log)
	}
	contains(t, "public log", e.client().get("/moderation/log").Body, "부처 공무원 지정")
	// The new official's powers wait for a second factor.
	if r := target.get("/inbox"); r.Status != 303 || r.Header.Get("Location") != "/account/2fa" {
		t.Errorf("new official's inbox before a second factor: %d %q", r.Status, r.Header.Get("Location"))
	}
	enrolThroughWeb(t, e, target)
	if r := target.get("/inbox"); r.Status != 200 || !strings.Contains(r.Body, "교육부") {
		t.Errorf("new official's inbox: %d", r.Status)
	}
	if r := f.admin.post(path, form()); r.Status != 409 {
		t.Errorf("appointing an official again: %d", r.Status)
	}
	if r := f.admin.post("/admin/users/"+itoa(int(f.moderator.user().ID))+"/official", form()); r.Status != 409 {
		t.Errorf("appointing a moderator: %d", r.Status)
	}
}

func TestRankScorecards(t *testing.T) {
	card := func(slug string, answered, onTime int, median float64, overdue int) forum.Scorecard {
		return forum.Scorecard{Ministry: forum.Ministry{Slug: slug}, Received: answered + overdue, Answered: answered, OnTime: onTime, MedianDays: median, Overdue: overdue}
	}
	cards := []forum.Scorecard{
		card("silent-late", 0, 0, 0, 3),
		card("two-thirds", 3, 2, 5, 0),
		card("all-slow", 2, 2, 20, 0),
		card("silent", 0, 0, 0, 0),
		{Ministry: forum.Ministry{Slug: "waiting"}, Received: 2},
		card("all-fast", 4, 4, 3, 1),
		card("none", 0, 0, 0, 0),
		card("two-thirds-fast", 6, 4, 2, 0), // 4/6 ties 2/3: the faster median wins
	}
	rankScorecards(cards)
	var got []string
	for _, c := range cards {
		got = append(got, c.Ministry.Slug)
	}
	want := "all-fast all-slow two-thirds-fast two-thirds waiting silent-late silent none"
	if strings.Join(got, " ") != want {
		t.Errorf("ranking:\n got %s\nwant %s", strings.Join(got, " "), want)
	}
}
