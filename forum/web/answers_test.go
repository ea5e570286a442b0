package web

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/e-people/e-people/forum"
	"github.com/e-people/e-people/forum/store"
	"github.com/e-people/e-people/moderation"
)

// ansFixture is a forum whose ministries answer: three ministries, their
// officials, staff, and citizens who support proposals until they oblige an answer.
type ansFixture struct {
	e                *env
	mohw, moe, molit int64
	lead             *client // official of the ministry proposals go to (보건복지부)
	outsider         *client // official of another ministry (교육부)
	moderator, admin *client
	citizen          *client
	author           *forum.User
	supporters       []*forum.User
}

func newAnsFixture(t *testing.T) *ansFixture {
	t.Helper()
	e := newEnv(t)
	ctx := context.Background()
	if err := e.st.SetSettings(ctx, map[string]string{forum.SettingSupportThreshold: "2", forum.SettingSupportWindow: "30",
		forum.SettingResponseDays: "30"}); err != nil {
		t.Fatal(err)
	}
	moe, err := e.st.CreateMinistry(ctx, forum.Ministry{Slug: "moe", NameKO: "교육부", NameEN: "Ministry of Education"})
	if err != nil {
		t.Fatal(err)
	}
	molit, err := e.st.CreateMinistry(ctx, forum.Ministry{Slug: "molit", NameKO: "국토교통부", NameEN: "Ministry of Land"})
	if err != nil {
		t.Fatal(err)
	}
	f := &ansFixture{e: e, mohw: e.mins[0].ID, moe: moe.ID, molit: molit.ID}
	f.lead = e.staff(forum.RoleOfficial, f.mohw, "김복지")
	f.outsider = e.staff(forum.RoleOfficial, f.moe, "박교육")
	f.moderator = e.staff(forum.RoleModerator, 0, "류지혜")
	f.admin = e.staff(forum.RoleAdmin, 0, "이도현")
	f.citizen = e.register("지나가는 시민")
	mk := func(name string) *forum.User {
		userSeq++
		u, err := e.st.CreateUser(ctx, forum.User{Tier: forum.TierEmailVerified, Role: forum.RoleCitizen, Name: name, Email: "ans" + itoa(userSeq) + "@example.org"}, "not-a-login")
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	f.author = mk("제안한 시민")
	f.supporters = []*forum.User{mk("지지자 하나"), mk("지지자 둘")}
	return f
}

// awaiting creates a proposal to 보건복지부 through the store and has it reach the threshold.
func (f *ansFixture) awaiting(title string) int64 {
	f.e.t.Helper()
	ctx := context.Background()
	p, err := f.e.st.CreateProposal(ctx, store.NewProposal{AuthorID: f.author.ID, SponsorToken: "tok-" + title,
		Input: forum.ProposalInput{Title: title, Body: title + " 본문", CategoryID: f.e.cats[0].ID, MinistryID: f.mohw},
		Body:  moderation.TrustedFromStore("<p>" + title + " 본문</p>")}, 0)
	if err != nil {
		f.e.t.Fatal(err)
	}
	for _, u := range f.supporters {
		if _, err := f.e.st.Support(ctx, p.ID, u.ID, nil); err != nil {
			f.e.t.Fatal(err)
		}
	}
	if p, err = f.e.st.Proposal(ctx, p.ID); err != nil || p.Status != forum.StatusAwaiting {
		f.e.t.Fatalf("proposal %q: %+v, %v; want awaiting_response", title, p, err)
	}
	return p.ID
}

// snap is what answering and routing could change on a proposal.
func (f *ansFixture) snap(id int64) string {
	f.e.t.Helper()
	ctx := context.Background()
	p, err := f.e.st.Proposal(ctx, id)
	if err != nil {
		f.e.t.Fatal(err)
	}
	rt, err := f.e.st.ProposalRouting(ctx, id)
	if err != nil {
		f.e.t.Fatal(err)
	}
	revs, err := f.e.st.ResponseRevisions(ctx, id)
	if err != nil {
		f.e.t.Fatal(err)
	}
	return fmt.Sprintf("status=%s lead=%d co=%v transfers=%d revisions=%d answered=%v", p.Status, p.MinistryID, rt.CoMinistries,
		len(rt.Transfers), len(revs), !p.AnsweredAt.IsZero())
}

func ansPath(id int64, suffix string) string { return "/proposals/" + itoa(int(id)) + suffix }

// ansAnswerForm is a complete answer form.
func ansAnswerForm(decision, summary string) url.Values {
	return url.Values{"decision": {decision}, "summary": {summary},
		"body": {"## 검토 결과\n\n**세 곳**에서 먼저 시범 운영합니다."}, "legal_basis": {"도서관법 제28조"},
		"responsible_unit": {"도서관정책기획단"}, "contact": {"044-203-2612"}, "next_step": {"시범 운영 결과 공개"},
		"next_step_date": {"2027-03-02"}}
}

// TestAnswers_RoleMatrix posts an answer, a transfer and a co-answering
// ministry as every kind of visitor: only the lead ministry's official (and,
// for routing, an admin) gets through; everyone else changes nothing.
func TestAnswers_RoleMatrix(t *testing.T) {
	f := newAnsFixture(t)
	routes := []struct {
		name  string
		path  string
		form  func() url.Values
		admin int // what an admin gets
	}{
		{"response", "/response", func() url.Values { return ansAnswerForm("accepted", "수용합니다") }, 403},
		{"transfer", "/transfer", func() url.Values {
			return url.Values{"ministry": {itoa(int(f.moe))}, "reason": {"교육부 소관입니다"}}
		}, 303},
		{"co-ministries", "/co-ministries", func() url.Values { return url.Values{"ministry": {itoa(int(f.molit))}} }, 303},
	}
	for _, rt := range routes {
		t.Run(rt.name, func(t *testing.T) {
			id := f.awaiting("권한 확인 " + rt.name)
			path := ansPath(id, rt.path)
			for _, tc := range []struct {
				who    string
				c      *client
				status int
			}{
				{"anonymous", f.e.client(), 401},
				{"citizen", f.citizen, 403},
				{"moderator", f.moderator, 403},
				{"official of another ministry", f.outsider, 403},
			} {
				before := f.snap(id)
				if r := tc.c.post(path, rt.form()); r.Status != tc.status {
					t.Errorf("%s: status %d, want %d", tc.who, r.Status, tc.status)
				}
				if after := f.snap(id); after != before {
					t.Errorf("%s changed the proposal:\n %s\n→%s", tc.who, before, after)
				}
			}
			before := f.snap(id)
			r := f.lead.post(path, rt.form())
			if r.Status != 303 {
				t.Fatalf("lead official: status %d: %.300s", r.Status, r.Body)
			}
			if after := f.snap(id); after == before {
				t.Errorf("the lead official's %s changed nothing: %s", rt.name, after)
			}
			if loc := r.Header.Get("Location"); !strings.HasPrefix(loc, ansPath(id, "#")) {
				t.Errorf("redirected to %q", loc)
			}

			admID := f.awaiting("관리자 확인 " + rt.name)
			before = f.snap(admID)
			if r := f.admin.post(ansPath(admID, rt.path), rt.form()); r.Status != rt.admin {
				t.Errorf("admin: status %d, want %d", r.Status, rt.admin)
			}
			if after := f.snap(admID); (after != before) != (rt.admin == 303) {
				t.Errorf("admin (%d):\n %s\n→%s", rt.admin, before, after)
			}
		})
	}

	// A transfer must say why, in public.
	id := f.awaiting("사유 없는 이관")
	for _, reason := range []string{"", "   "} {
		before := f.snap(id)
		r := f.lead.post(ansPath(id, "/transfer"), url.Values{"ministry": {itoa(int(f.moe))}, "reason": {reason}})
		if r.Status != 400 {
			t.Errorf("transfer with reason %q: status %d, want 400", reason, r.Status)
		}
		contains(t, "transfer without a reason", r.Body, "이관 사유를 적어 주십시오. 사유는 공개됩니다.")
		if after := f.snap(id); after != before {
			t.Errorf("a transfer without a reason changed:\n %s\n→%s", before, after)
		}
	}
	// Bad targets are the official's mistake, not the server's.
	if r := f.lead.post(ansPath(id, "/transfer"), url.Values{"ministry": {"9999"}, "reason": {"없는 부처"}}); r.Status != 400 {
		t.Errorf("transfer to no ministry: %d", r.Status)
	}
	if r := f.lead.post(ansPath(id, "/co-ministries"), url.Values{"ministry": {itoa(int(f.mohw))}}); r.Status != 409 {
		t.Errorf("the lead as its own co-answering ministry: %d", r.Status)
	}
	if r := f.lead.post(ansPath(9999, "/response"), ansAnswerForm("accepted", "없는 제안")); r.Status != 404 {
		t.Errorf("answer to a missing proposal: %d", r.Status)
	}
}

// TestAnswers_ProposalPage follows one proposal on its page: the ministry's
// clock, a transfer and co-answering ministries on the timeline, a refused
// answer, the pinned official answer, its revision history, following, and
// the clock running late on another proposal.
func TestAnswers_ProposalPage(t *testing.T) {
	f := newAnsFixture(t)
	e := f.e
	ctx := context.Background()
	author := e.register("도서관 제안자")
	id := e.openProposal(author, "공공도서관 평일 야간 개방", "퇴근 후에도 이용할 수 있도록 밤 10시까지 열어 주십시오.")
	page := ansPath(id, "")
	guest := e.client()
	r := guest.get(page)
	contains(t, "open proposal", r.Body, "지지 모집 마감까지 30일 남았습니다.", "공개되어 보건복지부에 접수되었습니다.")

	// Two supporters through the web reach the threshold: the ministry's clock starts.
	var supporters []*client
	for _, name := range []string{"지지 시민 1", "지지 시민 2"} {
		s := e.register(name)
		if r := s.post(ansPath(id, "/support"), nil); r.Status != 303 {
			t.Fatalf("support: %d %.300s", r.Status, r.Body)
		}
		supporters = append(supporters, s)
	}
	p, err := e.st.Proposal(ctx, id)
	if err != nil || p.Status != forum.StatusAwaiting || !p.ResponseDue.Equal(p.ReachedAt.Add(30*24*time.Hour)) {
		t.Fatalf("after two supports: %+v, %v", p, err)
	}
	r = guest.get(page)
	contains(t, "awaiting proposal", r.Body, "badge-awaiting_response", "답변 기다리는 중", "부처 답변 기한까지 30일 남았습니다", "지지 목표에 도달했습니다. 답변 기한:")
	e.clock.Add(10*24*time.Hour + time.Hour)
	r = guest.get(page)
	contains(t, "ten days later", r.Body, "부처 답변 기한까지 20일 남았습니다")
	if strings.Contains(r.Body, `id="respond"`) || strings.Contains(r.Body, `action="`+ansPath(id, "/transfer")) {
		t.Error("a guest sees the answer or routing forms")
	}
	if r := f.citizen.get(page); strings.Contains(r.Body, `id="respond"`) || strings.Contains(r.Body, `/transfer"`) {
		t.Error("a citizen sees the answer or routing forms")
	}
	if r := f.outsider.get(page); strings.Contains(r.Body, `id="respond"`) || strings.Contains(r.Body, `/transfer"`) {
		t.Error("an official of another ministry sees the answer or routing forms")
	}
	r = f.lead.get(page)
	contains(t, "lead official's page", r.Body, `id="respond"`, "공식 답변 작성", `action="`+ansPath(id, "/transfer")+`"`, `action="`+ansPath(id, "/co-ministries")+`"`)

	// 보건복지부 hands it to 교육부, which asks 보건복지부 and 국토교통부 to answer jointly.
	const reason = "교과 과정과 학교 도서관은 교육부 소관입니다"
	if r := f.lead.post(ansPath(id, "/transfer"), url.Values{"ministry": {itoa(int(f.moe))}, "reason": {reason}}); r.Status != 303 {
		t.Fatalf("transfer: %d %.300s", r.Status, r.Body)
	}
	if r := f.lead.post(ansPath(id, "/co-ministries"), url.Values{"ministry": {itoa(int(f.molit))}}); r.Status != 403 {
		t.Errorf("the former lead adds a co-answering ministry: %d, want 403", r.Status)
	}
	for _, m := range []int64{f.mohw, f.molit} {
		e.clock.Add(time.Second)
		if r := f.outsider.post(ansPath(id, "/co-ministries"), url.Values{"ministry": {itoa(int(m))}}); r.Status != 303 {
			t.Fatalf("add co-answering ministry %d: %d %.300s", m, r.Status, r.Body)
		}
	}
	r = guest.get(page)
	contains(t, "routed proposal", r.Body, "담당: 교육부", "공동: 보건복지부, 국토교통부",
		"공개되어 보건복지부에 접수되었습니다.", "보건복지부에서 교육부로 이관되었습니다. 사유: "+reason,
		"공동 답변 부처: 보건복지부", "공동 답변 부처: 국토교통부")

	// A bad answer from 보건복지부, now co-answering: every problem at once, nothing stored.
	before := f.snap(id)
	bad := ansAnswerForm("", strings.Repeat("가", 301))
	r = f.lead.post(ansPath(id, "/response"), bad)
	if r.Status != 400 {
		t.Fatalf("bad answer: status %d, want 400", r.Status)
	}
	contains(t, "bad answer", r.Body, `class="error-summary"`, "입력 내용을 확인해 주십시오", "결정을 선택해 주십시오.",
		"요약은 1자 이상 300자 이하로 적어 주십시오.", `href="#f-decision"`, `href="#f-summary"`, `id="f-decision" name="decision" required aria-invalid="true"`,
		"도서관법 제28조", "**세 곳**에서")
	if after := f.snap(id); after != before {
		t.Errorf("a refused answer changed:\n %s\n→%s", before, after)
	}
	if _, err := e.st.Response(ctx, id); err == nil {
		t.Error("a refused answer was stored")
	}

	// 보건복지부, co-answering, publishes its own part first: it is signed by
	// it, the proposal still awaits the lead's answer, and says so.
	const part = "복지 시설 연계는 보건복지부가 맡습니다"
	r = f.lead.post(ansPath(id, "/response"), ansAnswerForm("accepted", part))
	if r.Status != 303 || r.Header.Get("Location") != ansPath(id, "#response") {
		t.Fatalf("co-ministry part: status %d to %q: %.300s", r.Status, r.Header.Get("Location"), r.Body)
	}
	if p, _ := e.st.Proposal(ctx, id); p.Status != forum.StatusAwaiting || !p.AnsweredAt.IsZero() {
		t.Errorf("a co-answering ministry's part answered the proposal: %s, %v", p.Status, p.AnsweredAt)
	}
	r = guest.get(page)
	contains(t, "part published first", r.Body, "공동 답변", "결정은 주관 부처인 교육부의 답변을 따르며, 그 답변을 기다리고 있습니다.",
		`id="response-mohw"`, "보건복지부 답변 (공동 답변 부분)", "교육부가 주관하는 공동 답변 가운데", part,
		"부처 답변 기한까지", "보건복지부가 공동 답변 부분을 공개했습니다.")
	if strings.Contains(r.Body, "badge-answered") || strings.Contains(r.Body, `class="official-response card"`) {
		t.Error("the page shows a co-answering ministry's part as the answer")
	}
	contains(t, "co official's form", f.lead.get(page).Body, "공동 답변 부분 수정", "주관 부처인 교육부의 결정·법적 근거·담당 부서는 바뀌지 않습니다", part)

	// The lead, 교육부, answers: its decision is the decision, pinned above the
	// proposal with its structured fields, then 보건복지부's part.
	const summary = "세 곳에서 야간 개방을 시범 운영합니다"
	r = f.outsider.post(ansPath(id, "/response"), ansAnswerForm("partially_accepted", summary))
	if r.Status != 303 || r.Header.Get("Location") != ansPath(id, "#response") {
		t.Fatalf("answer: status %d to %q: %.300s", r.Status, r.Header.Get("Location"), r.Body)
	}
	r = guest.get(page)
	if r.Status != 200 {
		t.Fatalf("answered page: %d", r.Status)
	}
	contains(t, "answered page", r.Body, `<span class="role-badge role-official">부처 공식 답변</span> 교육부 · 주관 부처`,
		"교육부 공식 답변", `<span class="decision-label">공동 답변의 결정</span> <strong class="decision decision-partially_accepted">일부 수용</strong>`,
		`<p class="lead">`+summary+`</p>`, "<strong>세 곳</strong>",
		"<dt>법적 근거</dt><dd>도서관법 제28조</dd>", "<dt>담당 부서</dt><dd>도서관정책기획단</dd>", "<dt>문의처</dt><dd>044-203-2612</dd>",
		`<dt>향후 조치</dt><dd>시범 운영 결과 공개 (<time datetime="2027-03-02">2027년 3월 2일</time>)</dd>`,
		`<dt>작성</dt><dd>박교육 <span class="tier-badge tier-email_verified">이메일 인증</span></dd>`,
		"badge-answered", "답변이 공개되었습니다: 일부 수용", "이관되었습니다. 사유: "+reason,
		`<h2 class="proposal-body-title" id="proposal-body-title">제안 내용</h2>`, part, "보건복지부 답변 (공동 답변 부분)")
	if strings.Contains(r.Body, "2027년 3월 2일 00:00") || strings.Contains(r.Body, "2027-03-01T15:00:00Z") {
		t.Error("the next step's date is shown as a time")
	}
	lead, co, heading, body := strings.Index(r.Body, `id="response"`), strings.Index(r.Body, `id="response-mohw"`),
		strings.Index(r.Body, `id="proposal-body-title"`), strings.Index(r.Body, `class="proposal-body prose"`)
	if lead < 0 || co < lead || heading < co || body < heading {
		t.Errorf("want the lead's answer, the co-ministry's part, the heading, the proposal body in that order: %d %d %d %d", lead, co, heading, body)
	}
	if strings.Contains(r.Body, "부처 답변 기한까지") {
		t.Error("an answered proposal still shows the answer clock")
	}
	if strings.Contains(r.Body, "그 답변을 기다리고 있습니다") {
		t.Error("the answered page still says the lead's answer is awaited")
	}

	// A revision by the lead: every version stays public, whose it is said.
	e.clock.Add(24 * time.Hour)
	if r := f.outsider.post(ansPath(id, "/response"), ansAnswerForm("accepted", "전국으로 확대해 수용합니다")); r.Status != 303 {
		t.Fatalf("revision: %d %.300s", r.Status, r.Body)
	}
	r = guest.get(page)
	contains(t, "revised page", r.Body, "전국으로 확대해 수용합니다", `class="decision decision-accepted">수용`,
		`href="`+ansPath(id, "/response/history")+`">수정 이력 3건`)
	if strings.Contains(r.Body, summary) {
		t.Error("the page still shows the first version's summary")
	}
	r = guest.get(ansPath(id, "/response/history"))
	if r.Status != 200 {
		t.Fatalf("history: %d", r.Status)
	}
	contains(t, "response history", r.Body, "답변 수정 이력: 공공도서관 평일 야간 개방", "1번째 판", "2번째 판", "3번째 판", summary, part,
		"전국으로 확대해 수용합니다", "일부 수용", "김복지", "박교육", "보건복지부 답변 (공동 답변 부분)", "교육부 공식 답변",
		`<span class="role-badge role-official">공동 답변 부분</span> <strong class="answer-ministry">보건복지부</strong>`,
		`<span class="role-badge role-official">주관 부처 답변</span> <strong class="answer-ministry">교육부</strong>`)
	if i1, i2, i3 := strings.Index(r.Body, "1번째 판"), strings.Index(r.Body, "2번째 판"), strings.Index(r.Body, "3번째 판"); i1 > i2 || i2 > i3 {
		t.Error("history lists a newer version first")
	}
	if r := guest.get(ansPath(9999, "/response/history")); r.Status != 404 {
		t.Errorf("history of a missing proposal: %d", r.Status)
	}

	// The supporters were told: of the lead's answer, 보건복지부's part and
	// the lead's revision, grouped under the newest (one subject, one kind).
	for _, s := range supporters {
		contains(t, "supporter's notifications", s.get("/notifications").Body,
			"지지하신 제안이 목표에 도달해 부처 답변을 기다립니다: “공공도서관 평일 야간 개방”", "부처의 공식 답변이 수정되었습니다(", "(같은 소식 3건)",
			"제안이 이관되었습니다(", "): “공공도서관 평일 야간 개방”")
	}

	// Following: supporters follow what they support; anyone signed in may start and stop.
	if on, _ := e.st.Following(ctx, supporters[0].user().ID, forum.ItemProposal, id); !on {
		t.Error("a supporter does not follow the proposal")
	}
	cu := f.citizen.user()
	contains(t, "not following", f.citizen.get(page).Body, `aria-pressed="false">소식 받기`)
	follow := func(on string) resp {
		return f.citizen.post("/follow", url.Values{"kind": {"proposal"}, "id": {itoa(int(id))}, "on": {on}, "next": {page}})
	}
	if r := follow("1"); r.Status != 303 || r.Header.Get("Location") != page {
		t.Fatalf("follow: %d to %q", r.Status, r.Header.Get("Location"))
	}
	if on, err := e.st.Following(ctx, cu.ID, forum.ItemProposal, id); err != nil || !on {
		t.Errorf("after follow: %v, %v", on, err)
	}
	contains(t, "following", f.citizen.get(page).Body, "이제 소식을 받습니다.", `aria-pressed="true">소식 그만 받기`)
	if r := follow("1"); r.Status != 303 {
		t.Errorf("following twice: %d", r.Status)
	}
	if r := follow("0"); r.Status != 303 {
		t.Fatalf("unfollow: %d", r.Status)
	}
	if on, err := e.st.Following(ctx, cu.ID, forum.ItemProposal, id); err != nil || on {
		t.Errorf("after unfollow: %v, %v", on, err)
	}
	contains(t, "unfollowed", f.citizen.get(page).Body, "더 이상 소식을 받지 않습니다.", `aria-pressed="false">소식 받기`)
	if r := e.client().post("/follow", url.Values{"kind": {"proposal"}, "id": {itoa(int(id))}, "on": {"1"}}); r.Status != 401 {
		t.Errorf("anonymous follow: %d, want 401", r.Status)
	}
	if r := f.citizen.post("/follow", url.Values{"kind": {"bogus"}, "id": {itoa(int(id))}, "on": {"1"}}); r.Status != 400 {
		t.Errorf("follow of an unknown kind: %d, want 400", r.Status)
	}
	if r := f.citizen.post("/follow", url.Values{"kind": {"proposal"}, "id": {"9999"}, "on": {"1"}}); r.Status != 404 {
		t.Errorf("follow of a missing proposal: %d, want 404", r.Status)
	}

	// Another proposal left unanswered past its due date shows it is late.
	late := f.awaiting("답변이 늦어지는 제안")
	e.clock.Add(32 * 24 * time.Hour) // exactly two days late: whole days, not rounded up
	contains(t, "overdue proposal", e.client().get(ansPath(late, "")).Body, "is-overdue", "답변 기한이 2일 지났습니다.")
}
