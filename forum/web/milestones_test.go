package web

import (
	"context"
	"encoding/json"
	"fmt"
	"html/template"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/e-people/e-people/forum"
	"github.com/e-people/e-people/moderation"
)

// msFixture is ansFixture with a proposal its lead ministry (보건복지부) answered.
type msFixture struct {
	*ansFixture
}

func newMsFixture(t *testing.T) *msFixture {
	t.Helper()
	return &msFixture{newAnsFixture(t)}
}

// answered takes a new proposal to the lead ministry's answer with decision d, through the store.
func (f *msFixture) answered(title string, d forum.Decision) int64 {
	f.e.t.Helper()
	id := f.awaiting(title)
	in := forum.ResponseInput{Decision: d, Summary: title + " 답변", Body: "검토했습니다.", ResponsibleUnit: "도서관정책과"}
	if err := f.e.st.PublishResponse(context.Background(), f.lead.user(), id, in, f.e.srv.md.Markdown(in.Body)); err != nil {
		f.e.t.Fatal(err)
	}
	return id
}

// msRows is what a proposal's milestones and their updates are, to compare before and after.
func (f *msFixture) msRows(id int64) string {
	f.e.t.Helper()
	ms, err := f.e.st.ProposalMilestones(context.Background(), id)
	if err != nil {
		f.e.t.Fatal(err)
	}
	var b strings.Builder
	for _, m := range ms {
		fmt.Fprintf(&b, "%s|%s|%s|%d|%d|%q|%d updates;", m.Title, m.Unit, m.State, m.Due.Unix(), m.PlannedDue.Unix(), m.EvidenceURL, len(m.Updates))
	}
	return b.String()
}

// msDay is the date field's value d days after the fixture's clock, in KST.
func msDay(e *env, d int) string {
	return e.clock.Now().In(seoul).AddDate(0, 0, d).Format("2006-01-02")
}

// msText is what a catalog message reads like in a page (html/template escapes quotes).
func msText(e *env, lang, key string, args ...any) string {
	return template.HTMLEscapeString(e.srv.views.catalogs[lang].T(key, args...))
}

func msPlanForm(e *env) url.Values {
	return url.Values{"title_0": {"조례 개정안 입법예고"}, "due_0": {msDay(e, 30)}, "unit_0": {"도서관정책과"},
		"title_1": {"야간 개방 시범 운영"}, "due_1": {msDay(e, 90)}, "unit_1": {"지역도서관팀"}}
}

// TestMilestones_RoleMatrix plans, completes and delays milestones as every
// kind of visitor: only an official of the ministry that accepted the
// proposal gets through; everyone else changes nothing.
func TestMilestones_RoleMatrix(t *testing.T) {
	f := newMsFixture(t)
	e := f.e
	id := f.answered("권한 확인 제안", forum.DecisionAccepted)
	others := []struct {
		who    string
		c      *client
		status int
	}{
		{"anonymous", e.client(), 401},
		{"citizen", f.citizen, 403},
		{"moderator", f.moderator, 403},
		{"admin", f.admin, 403},
		{"official of another ministry", f.outsider, 403},
	}
	for _, tc := range others {
		before := f.msRows(id)
		if r := tc.c.post(ansPath(id, "/milestones"), msPlanForm(e)); r.Status != tc.status {
			t.Errorf("plan by %s: status %d, want %d", tc.who, r.Status, tc.status)
		}
		if after := f.msRows(id); after != before {
			t.Errorf("plan by %s changed %s → %s", tc.who, before, after)
		}
	}
	r := f.lead.post(ansPath(id, "/milestones"), msPlanForm(e))
	if r.Status != 303 || r.Header.Get("Location") != ansPath(id, "#milestones") {
		t.Fatalf("plan by the lead official: %d → %q: %.300s", r.Status, r.Header.Get("Location"), r.Body)
	}
	contains(t, "the page after planning", f.lead.get(ansPath(id, "")).Body, `class="flash"`, msText(e, "ko", "flash.milestone_planned"))
	ms, err := e.st.ProposalMilestones(context.Background(), id)
	if err != nil || len(ms) != 2 {
		t.Fatalf("planned %d milestones, %v", len(ms), err)
	}
	mid := itoa(int(ms[0].ID))
	done := url.Values{"evidence": {"입법예고를 마쳤습니다."}, "url": {"https://www.moleg.go.kr/notice/1"}}
	delay := url.Values{"reason": {"의견 수렴 연장"}, "new_due": {msDay(e, 60)}}
	for _, tc := range others {
		for path, form := range map[string]url.Values{"/milestones/" + mid + "/done": done, "/milestones/" + mid + "/delay": delay} {
			before := f.msRows(id)
			if r := tc.c.post(path, form); r.Status != tc.status {
				t.Errorf("%s by %s: status %d, want %d", path, tc.who, r.Status, tc.status)
			}
			if after := f.msRows(id); after != before {
				t.Errorf("%s by %s changed %s → %s", path, tc.who, before, after)
			}
		}
	}
	if r := f.lead.post("/milestones/"+mid+"/delay", delay); r.Status != 303 || r.Header.Get("Location") != ansPath(id, "#milestone-"+mid) {
		t.Errorf("delay by the lead official: %d → %q", r.Status, r.Header.Get("Location"))
	}
	if r := f.lead.post("/milestones/"+mid+"/done", done); r.Status != 303 {
		t.Errorf("done by the lead official: %d", r.Status)
	}
	// Done is done: neither again nor a delay.
	before := f.msRows(id)
	if r := f.lead.post("/milestones/"+mid+"/done", done); r.Status != 409 {
		t.Errorf("done twice: %d, want 409", r.Status)
	}
	if r := f.lead.post("/milestones/"+mid+"/delay", url.Values{"reason": {"다시"}, "new_due": {msDay(e, 99)}}); r.Status != 409 {
		t.Errorf("delay after done: %d, want 409", r.Status)
	}
	if after := f.msRows(id); after != before {
		t.Errorf("refused changes changed %s → %s", before, after)
	}
	if r := f.lead.post("/milestones/99999/done", done); r.Status != 404 {
		t.Errorf("done on no milestone: %d, want 404", r.Status)
	}

	// Not accepted, or not answered yet: no plan, and no form to make one.
	for _, other := range []int64{f.answered("불수용 제안", forum.DecisionRejected), f.awaiting("답변 전 제안")} {
		if r := f.lead.post(ansPath(other, "/milestones"), msPlanForm(e)); r.Status != 409 {
			t.Errorf("plan for proposal %d: %d, want 409", other, r.Status)
		}
		page := f.lead.get(ansPath(other, ""))
		notContains(t, "a proposal not accepted", page.Body, `id="milestone-plan"`, `id="milestones"`)
		if f.msRows(other) != "" {
			t.Errorf("proposal %d got milestones", other)
		}
	}
	// Partly accepted is enough.
	partial := f.answered("일부 수용 제안", forum.DecisionPartial)
	if r := f.lead.post(ansPath(partial, "/milestones"), msPlanForm(e)); r.Status != 303 {
		t.Errorf("plan for a partly accepted proposal: %d", r.Status)
	}
}

// TestMilestones_FormsInThreeLanguages draws the forms in Korean, English and
// Chinese, and sends bad dates, links and empty plans back with the message
// in the viewer's language beside the field, nothing written.
func TestMilestones_FormsInThreeLanguages(t *testing.T) {
	f := newMsFixture(t)
	e := f.e
	id := f.answered("세 언어 제안", forum.DecisionAccepted)
	if r := f.lead.post(ansPath(id, "/milestones"), url.Values{"title_0": {"첫 이행"}, "due_0": {msDay(e, 10)}, "unit_0": {"정책과"}}); r.Status != 303 {
		t.Fatalf("plan: %d", r.Status)
	}
	ms, _ := e.st.ProposalMilestones(context.Background(), id)
	mid := itoa(int(ms[0].ID))
	for _, lang := range Languages {
		t.Run(lang, func(t *testing.T) {
			f.lead.lang = lang
			f.citizen.lang = lang
			defer func() { f.lead.lang, f.citizen.lang = "", "" }()
			page := f.lead.get(ansPath(id, ""))
			contains(t, "official's page", page.Body, msText(e, lang, "milestone.title"), msText(e, lang, "milestone.plan_title"),
				msText(e, lang, "milestone.row", 3), msText(e, lang, "milestone.what"), msText(e, lang, "milestone.by_when"),
				msText(e, lang, "milestone.report_on", "첫 이행"), msText(e, lang, "milestone.evidence"), msText(e, lang, "milestone.new_due"),
				msText(e, lang, "milestone.state_planned"), `name="due_2" type="date"`)
			guest := f.citizen.get(ansPath(id, ""))
			contains(t, "citizen's page", guest.Body, msText(e, lang, "milestone.title"), "첫 이행")
			notContains(t, "citizen's page", guest.Body, `id="milestone-plan"`, `action="/milestones/`)

			before := f.msRows(id)
			for _, tc := range []struct {
				name string
				path string
				form url.Values
				errs map[string]string // field → message key
			}{
				{"empty plan", ansPath(id, "/milestones"), url.Values{"title_0": {""}}, map[string]string{"title_0": "milestone.err.none"}},
				{"past date and no unit", ansPath(id, "/milestones"), url.Values{"title_0": {"좋은 일"}, "due_0": {msDay(e, 20)}, "unit_0": {"과"},
					"title_1": {"지난 일"}, "due_1": {msDay(e, -2)}}, map[string]string{"due_1": "milestone.err.date_past", "unit_1": "milestone.err.unit_required"}},
				{"unreadable date", ansPath(id, "/milestones"), url.Values{"title_0": {"일"}, "due_0": {"31/12/2027"}, "unit_0": {"과"}},
					map[string]string{"due_0": "milestone.err.date_invalid"}},
				{"bad link", "/milestones/" + mid + "/done", url.Values{"evidence": {"했습니다"}, "url": {"javascript:alert(1)"}},
					map[string]string{"url-" + mid: "milestone.err.url"}},
				{"no evidence", "/milestones/" + mid + "/done", url.Values{"evidence": {" "}, "url": {""}},
					map[string]string{"evidence-" + mid: "milestone.err.evidence_required"}},
				{"earlier date", "/milestones/" + mid + "/delay", url.Values{"reason": {"사정"}, "new_due": {msDay(e, 5)}},
					map[string]string{"new_due-" + mid: "milestone.err.date_not_later"}},
				{"no reason", "/milestones/" + mid + "/delay", url.Values{"reason": {""}, "new_due": {msDay(e, 50)}},
					map[string]string{"reason-" + mid: "milestone.err.reason_required"}},
			} {
				r := f.lead.post(tc.path, tc.form)
				if r.Status != 400 {
					t.Errorf("%s: status %d, want 400", tc.name, r.Status)
					continue
				}
				for field, key := range tc.errs {
					contains(t, tc.name, r.Body, `href="#f-`+field+`"`, msText(e, lang, key), `id="f-`+field+`"`)
				}
				if after := f.msRows(id); after != before {
					t.Errorf("%s wrote %s → %s", tc.name, before, after)
				}
			}
			// What was typed comes back.
			r := f.lead.post(ansPath(id, "/milestones"), url.Values{"title_0": {"되돌아올 제목"}, "due_0": {msDay(e, -1)}, "unit_0": {"되돌아올 부서"}})
			contains(t, "the form as typed", r.Body, `value="되돌아올 제목"`, `value="되돌아올 부서"`, `value="`+msDay(e, -1)+`"`)
		})
	}
}

// TestMilestones_Publicly follows milestones from the plan to the public
// record: the proposal page and its timeline, the follower's notifications,
// the ministry's page and scorecard, /milestones, the API and open data.
func TestMilestones_Publicly(t *testing.T) {
	f := newMsFixture(t)
	e := f.e
	id := f.answered("도서관 야간 개방", forum.DecisionAccepted)
	follower := e.register("팔로워")
	if r := follower.post("/follow", url.Values{"kind": {"proposal"}, "id": {itoa(int(id))}, "on": {"1"}}); r.Status != 303 {
		t.Fatalf("follow: %d", r.Status)
	}
	if r := f.lead.post(ansPath(id, "/milestones"), url.Values{
		"title_0": {"제때 할 일"}, "due_0": {msDay(e, 3)}, "unit_0": {"정책과"},
		"title_1": {"미룰 일"}, "due_1": {msDay(e, 3)}, "unit_1": {"예산팀"},
		"title_2": {"잊을 일"}, "due_2": {msDay(e, 3)}, "unit_2": {"시설팀"}}); r.Status != 303 {
		t.Fatalf("plan: %d", r.Status)
	}
	ms, _ := e.st.ProposalMilestones(context.Background(), id)
	byTitle := map[string]string{}
	for _, m := range ms {
		byTitle[m.Title] = itoa(int(m.ID))
	}
	e.clock.Add(24 * time.Hour)
	if r := f.lead.post("/milestones/"+byTitle["제때 할 일"]+"/done", url.Values{"evidence": {"**조례**를 공포했습니다."}, "url": {"https://www.law.go.kr/ordin/1"}}); r.Status != 303 {
		t.Fatalf("done: %d", r.Status)
	}
	if r := f.lead.post("/milestones/"+byTitle["미룰 일"]+"/delay", url.Values{"reason": {"예산 심의가 늦어졌습니다."}, "new_due": {msDay(e, 40)}}); r.Status != 303 {
		t.Fatalf("delay: %d", r.Status)
	}
	e.clock.Add(5 * 24 * time.Hour) // 잊을 일 is overdue now

	page := e.client().get(ansPath(id, ""))
	contains(t, "proposal page", page.Body, `id="milestone-`+byTitle["제때 할 일"]+`"`, "<strong>조례</strong>를 공포했습니다.",
		`href="https://www.law.go.kr/ordin/1"`, "약속한 날짜 안에 완료", "예산 심의가 늦어졌습니다.", "milestone-badge-overdue",
		"milestone-badge-delayed", "처음 약속: ",
		// the timeline, in order after the answer
		"이행 계획: 제때 할 일(기한 ", "이행 완료: 제때 할 일", "이행 연기: 미룰 일, 새 기한 ")
	tl := page.Body[strings.Index(page.Body, `id="timeline"`):]
	if a, p, d := strings.Index(tl, "답변"), strings.Index(tl, "이행 계획: 잊을 일"), strings.Index(tl, "이행 완료: 제때 할 일"); !(a >= 0 && a < p && p < d) {
		t.Errorf("timeline order: answer %d, plan %d, done %d", a, p, d)
	}
	// The state fragment the live refresh reads carries the milestones too.
	state := e.client().get(ansPath(id, "/state"))
	contains(t, "state fragment", state.Body, `data-live="milestones"`, "잊을 일", `data-live="timeline"`, "이행 완료: 제때 할 일")

	notes := follower.get("/notifications")
	contains(t, "follower's notifications", notes.Body, "보건복지부가 이행 계획 3개를 세웠습니다: 도서관 야간 개방",
		"이행 완료: 제때 할 일 (도서관 야간 개방)", "이행 연기: 미룰 일, 새 기한 ", `href="/proposals/`+itoa(int(id))+`#milestone-`+byTitle["제때 할 일"]+`"`)

	// Immediate mails say the same as the notifications page.
	for kind, want := range map[string]string{forum.NoteMilestonePlanned: "보건복지부가 이행 계획 3개를 세웠습니다",
		forum.NoteMilestoneDone: "이행 완료: 제때 할 일", forum.NoteMilestoneDelayed: "이행 연기: 미룰 일, 새 기한 "} {
		mails := e.acctMails(follower.user().Email, kind)
		if len(mails) != 1 {
			t.Errorf("%s mails to the follower: %d, want 1", kind, len(mails))
			continue
		}
		_, body, err := e.srv.ComposeMail(context.Background(), mails[0])
		if err != nil {
			t.Fatal(err)
		}
		// The mail's link is the proposal (mail.go's noteLink; the page's link has the milestone's anchor).
		contains(t, kind+" mail", body, want, "/proposals/"+itoa(int(id)))
	}

	// Due: all three (first date passed). Kept: one. Overdue: the forgotten one.
	min := e.client().get("/ministries/mohw")
	contains(t, "ministry page", min.Body, `id="promises"`, "<strong>33%</strong>", "<strong>1/3</strong>", "잊을 일", "도서관 야간 개방")
	notContains(t, "ministry page's overdue list", min.Body[strings.Index(min.Body, `id="promises"`):], `#milestone-`+byTitle["미룰 일"]+`"`)
	list := e.client().get("/ministries")
	contains(t, "scorecard", list.Body, msText(e, "ko", "milestone.col_kept_share"), "33%", "기한 초과 1")
	all := e.client().get("/milestones")
	if all.Status != 200 {
		t.Fatalf("/milestones: %d", all.Status)
	}
	contains(t, "/milestones", all.Body, "보건복지부", "33%", "잊을 일", `href="/proposals/`+itoa(int(id))+`#milestone-`+byTitle["잊을 일"]+`"`)

	stats := e.client().get("/stats")
	contains(t, "/stats", stats.Body, `id="chart-promises-heading"`, msText(e, "ko", "milestone.stats_chart"), "33% · 기한 초과 1")
	api := e.client().get("/api/v1/proposals/" + itoa(int(id)))
	var got struct {
		Milestones []map[string]any `json:"milestones"`
	}
	if err := json.Unmarshal([]byte(api.Body), &got); err != nil || len(got.Milestones) != 3 {
		t.Fatalf("API milestones: %v, %.300s", err, api.Body)
	}
	for _, m := range got.Milestones {
		switch m["title"] {
		case "제때 할 일":
			if m["state"] != "done" || m["kept_on_time"] != true || m["evidence_url"] != "https://www.law.go.kr/ordin/1" || m["ministry"] != "mohw" {
				t.Errorf("done milestone in the API: %v", m)
			}
		case "미룰 일":
			if m["state"] != "delayed" || m["moved"] != true || m["due"] != msDayAt(e, 35) || m["planned_due"] == m["due"] {
				t.Errorf("delayed milestone in the API: %v", m)
			}
		}
	}
	other := f.awaiting("이행 계획 없는 제안")
	if body := e.client().get("/api/v1/proposals/" + itoa(int(other))).Body; !strings.Contains(body, `"milestones":[]`) {
		t.Errorf("a proposal without milestones: %.300s", body)
	}

	csv := e.client().get("/open-data/milestones.csv")
	header := "\ufeffid,proposal_id,ministry,title,responsible_unit,state,planned_due,due,moved,done_at,kept_on_time,evidence,evidence_url,created_at,updated_at"
	if csv.Status != 200 || !strings.HasPrefix(csv.Body, header+"\r\n") && !strings.HasPrefix(csv.Body, header+"\n") {
		t.Fatalf("milestones.csv: %d %.300q", csv.Status, csv.Body)
	}
	if n := strings.Count(strings.TrimSpace(csv.Body), "\n"); n != 3 {
		t.Errorf("milestones.csv has %d rows, want 3", n)
	}
	contains(t, "milestones.csv", csv.Body, "제때 할 일", "https://www.law.go.kr/ordin/1", "mohw")
	nd := e.client().get("/open-data/milestones.ndjson")
	lines := strings.Split(strings.TrimSpace(nd.Body), "\n")
	var first map[string]any
	if len(lines) != 3 || json.Unmarshal([]byte(lines[0]), &first) != nil || first["title"] == nil || first["planned_due"] == nil {
		t.Errorf("milestones.ndjson: %.300q", nd.Body)
	}
	od := e.client().get("/open-data")
	contains(t, "/open-data", od.Body, `id="od-milestones"`, "/open-data/milestones.csv", "/open-data/milestones.ndjson", "kept_on_time")

	// A hidden proposal's milestones leave the public record.
	if err := e.st.Hide(context.Background(), f.moderator.user(), forum.ItemProposal, id, moderation.HideSpam); err != nil {
		t.Fatal(err)
	}
	if body := e.client().get("/open-data/milestones.csv").Body; strings.Contains(body, "제때 할 일") {
		t.Error("a hidden proposal's milestones are in the open data")
	}
	notContains(t, "/milestones with the proposal hidden", e.client().get("/milestones").Body, "잊을 일")
}

// msDayAt is the API's date d days after the fixture's clock started (YYYY-MM-DD, KST).
func msDayAt(e *env, d int) string {
	return e.clock.Now().In(seoul).AddDate(0, 0, d).Format("2006-01-02")
}

// TestMilestones_ValidHTML runs the Nu Html Checker, and the heading-level
// check, over the pages milestones appear on: the proposal as a visitor and
// as the official with every form (one come back with errors), the
// ministry's page, /milestones and /stats.
func TestMilestones_ValidHTML(t *testing.T) {
	if _, err := os.Stat(vnuPath); err != nil {
		t.Skipf("vnu.jar not found at %s: `make test-deps` installs it", vnuPath)
	}
	java, err := exec.LookPath("java")
	if err != nil {
		t.Skip("java not found: `make test-deps` installs default-jre-headless")
	}
	f := newMsFixture(t)
	e := f.e
	id := f.answered("검사할 제안", forum.DecisionAccepted)
	if r := f.lead.post(ansPath(id, "/milestones"), msPlanForm(e)); r.Status != 303 {
		t.Fatalf("plan: %d", r.Status)
	}
	ms, _ := e.st.ProposalMilestones(context.Background(), id)
	mid := itoa(int(ms[0].ID))
	if r := f.lead.post("/milestones/"+mid+"/done", url.Values{"evidence": {"- 공포\n- 시행"}, "url": {"https://example.kr/a?b=1&c=2"}}); r.Status != 303 {
		t.Fatalf("done: %d", r.Status)
	}
	if r := f.lead.post("/milestones/"+itoa(int(ms[1].ID))+"/delay", url.Values{"reason": {"사정"}, "new_due": {msDay(e, 200)}}); r.Status != 303 {
		t.Fatalf("delay: %d", r.Status)
	}
	// The official's pages first: the session would not outlive the clock's jump.
	pages := map[string]resp{
		"proposal-official":      f.lead.get(ansPath(id, "")),
		"proposal-plan-errors":   f.lead.post(ansPath(id, "/milestones"), url.Values{"title_0": {"제목만"}, "due_0": {"bad"}}),
		"proposal-report-errors": f.lead.post("/milestones/"+itoa(int(ms[1].ID))+"/delay", url.Values{"reason": {""}}),
	}
	contains(t, "the official's page", pages["proposal-official"].Body, `id="milestone-plan"`, `action="/milestones/`+itoa(int(ms[1].ID))+`/delay"`)
	e.clock.Add(400 * 24 * time.Hour) // the delayed one is overdue
	pages["proposal"] = e.client().get(ansPath(id, ""))
	pages["ministry"] = e.client().get("/ministries/mohw")
	pages["milestones"] = e.client().get("/milestones")
	pages["stats"] = e.client().get("/stats")
	contains(t, "the overdue milestone", pages["milestones"].Body, "milestone-badge-overdue", "야간 개방 시범 운영")
	bodies := map[string]string{}
	for name, r := range pages {
		if want := 200; strings.Contains(name, "errors") && r.Status != 400 || !strings.Contains(name, "errors") && r.Status != want {
			t.Errorf("%s: %d", name, r.Status)
			continue
		}
		for _, s := range headingSkips(r.Body) {
			t.Errorf("%s: heading skips a level: %s", name, s)
		}
		bodies[name] = r.Body
	}
	contains(t, "proposal-report-errors", bodies["proposal-report-errors"], `<details class="milestone-report" id="report-`+itoa(int(ms[1].ID))+`" open>`)
	checkHTML(t, java, bodies)
}
