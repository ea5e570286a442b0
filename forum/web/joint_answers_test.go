package web

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"encoding/xml"
	"net/url"
	"strings"
	"testing"

	"github.com/e-people/e-people/forum"
	"github.com/e-people/e-people/forum/store"
	"github.com/e-people/e-people/moderation"
)

// jointFixture is the issue 16 scenario: a proposal to 국토교통부, whose
// official answers, and 환경부, added as a co-answering ministry, whose
// official answers too.
type jointFixture struct {
	*ansFixture
	me          int64   // 환경부
	molitOff    *client // 국토교통부's official
	meOff       *client // 환경부's official
	id          int64
	title, page string
}

func newJointFixture(t *testing.T) *jointFixture {
	t.Helper()
	f := &jointFixture{ansFixture: newAnsFixture(t)}
	e, ctx := f.e, context.Background()
	me, err := e.st.CreateMinistry(ctx, forum.Ministry{Slug: "me", NameKO: "환경부", NameEN: "Ministry of Environment", NameZH: "環境部"})
	if err != nil {
		t.Fatal(err)
	}
	f.me = me.ID
	f.molitOff = e.staff(forum.RoleOfficial, f.molit, "국토 담당관")
	f.meOff = e.staff(forum.RoleOfficial, f.me, "환경 담당관")
	f.title = "광역버스에 전기버스를 우선 배치해 주세요"
	p, err := e.st.CreateProposal(ctx, store.NewProposal{AuthorID: f.author.ID, SponsorToken: "tok-joint",
		Input: forum.ProposalInput{Title: f.title, Body: "광역버스 본문", CategoryID: e.cats[0].ID, MinistryID: f.molit},
		Body:  moderation.TrustedFromStore("<p>광역버스 본문</p>")}, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range f.supporters {
		if _, err := e.st.Support(ctx, p.ID, u.ID, nil); err != nil {
			t.Fatal(err)
		}
	}
	f.id, f.page = p.ID, ansPath(p.ID, "")
	return f
}

// lead publishes 국토교통부's answer: partially accepted, with a legal basis and a next-step date.
func (f *jointFixture) lead() {
	f.e.t.Helper()
	form := url.Values{"decision": {"partially_accepted"}, "summary": {"수도권 광역버스부터 단계적으로 배치합니다"},
		"body": {"2027년까지 **세 노선**에 먼저 배치합니다."}, "legal_basis": {"대도시권 광역교통 관리에 관한 특별법 제10조"},
		"responsible_unit": {"광역교통정책과"}, "contact": {"044-201-3800"}, "next_step": {"노선별 배치 계획 공개"},
		"next_step_date": {"2027-03-02"}}
	if r := f.molitOff.post(ansPath(f.id, "/response"), form); r.Status != 303 {
		f.e.t.Fatalf("국토교통부's answer: %d %.300s", r.Status, r.Body)
	}
}

// co publishes 환경부's part: accepted, without a legal basis.
func (f *jointFixture) co() {
	f.e.t.Helper()
	form := url.Values{"decision": {"accepted"}, "summary": {"전기버스 충전 설비 보조금을 지원합니다"},
		"body": {"환경부는 차고지 충전 설비를 지원합니다."}, "responsible_unit": {"대기미래전략과"}, "contact": {"044-201-6800"}}
	if r := f.meOff.post(ansPath(f.id, "/response"), form); r.Status != 303 {
		f.e.t.Fatalf("환경부's part: %d %.300s", r.Status, r.Body)
	}
}

// TestJointAnswer_CoMinistryKeepsTheLeadsDecision follows the issue: 국토교통부
// answers "partially accepted" with a legal basis; 환경부, added as a
// co-answering ministry, answers "accepted". The page shows the lead's
// decision, legal basis and unit, then 환경부's part signed by it; the
// answers feed, the API and the CSV carry both with their ministries and
// never call the joint answer 환경부's; the next step's date is a date.
func TestJointAnswer_CoMinistryKeepsTheLeadsDecision(t *testing.T) {
	f := newJointFixture(t)
	f.lead()
	if r := f.molitOff.post(ansPath(f.id, "/co-ministries"), url.Values{"ministry": {itoa(int(f.me))}}); r.Status != 303 {
		t.Fatalf("add 환경부: %d %.300s", r.Status, r.Body)
	}
	contains(t, "환경부's form", f.meOff.get(f.page).Body, "공동 답변 부분 작성", "주관 부처인 국토교통부의 결정·법적 근거·담당 부서는 바뀌지 않습니다")
	// A bad part comes back on the same form with its errors, and nothing is stored.
	bad := f.meOff.post(ansPath(f.id, "/response"), url.Values{"decision": {"maybe"}, "summary": {""}, "body": {"환경부 초안"},
		"next_step_date": {"2027-02-30"}})
	if bad.Status != 400 {
		t.Fatalf("a bad part: %d", bad.Status)
	}
	contains(t, "bad part", bad.Body, "공동 답변 부분 작성", "결정을 선택해 주십시오.", `href="#f-summary"`, `href="#f-next_step_date"`, "환경부 초안")
	if parts, err := f.e.st.ResponseParts(context.Background(), f.id); err != nil || len(parts) != 0 {
		t.Errorf("a refused part was stored: %v, %v", parts, err)
	}
	f.co()
	contains(t, "환경부's form after its part", f.meOff.get(f.page).Body, "공동 답변 부분 수정", "전기버스 충전 설비 보조금을 지원합니다", "대기미래전략과")
	contains(t, "국토교통부's form", f.molitOff.get(f.page).Body, "공식 답변 수정", "대도시권 광역교통 관리에 관한 특별법 제10조", `value="2027-03-02"`)

	// The page: the lead's decision stays the decision, the part follows, each signed.
	guest := f.e.client()
	r := guest.get(f.page)
	contains(t, "joint answer page", r.Body,
		`<span class="role-badge role-official">부처 공식 답변</span> 국토교통부 · 주관 부처`, "국토교통부 공식 답변",
		`<span class="decision-label">공동 답변의 결정</span> <strong class="decision decision-partially_accepted">일부 수용</strong>`,
		"<dt>법적 근거</dt><dd>대도시권 광역교통 관리에 관한 특별법 제10조</dd>", "<dt>담당 부서</dt><dd>광역교통정책과</dd>",
		`(<time datetime="2027-03-02">2027년 3월 2일</time>)`, `<p class="answer-signature">국토교통부 광역교통정책과 · `,
		`id="response-me"`, "환경부 답변 (공동 답변 부분)", "국토교통부가 주관하는 공동 답변 가운데 이 부처 소관 부분입니다.",
		`<span class="decision-label">이 부처의 판단</span> <strong class="decision decision-accepted">수용</strong>`,
		"<dt>담당 부서</dt><dd>대기미래전략과</dd>", "<dt>문의처</dt><dd>044-201-6800</dd>", `<p class="answer-signature">환경부 대기미래전략과 · `,
		"답변이 공개되었습니다: 일부 수용", "환경부가 공동 답변 부분을 공개했습니다.", "제안 내용")
	for _, bad := range []string{"2027년 3월 2일 00:00", "2027-03-01T15:00:00Z", "환경부 공식 답변"} {
		if strings.Contains(r.Body, bad) {
			t.Errorf("the page shows %q", bad)
		}
	}
	if lead, part := strings.Index(r.Body, "국토교통부 공식 답변"), strings.Index(r.Body, "환경부 답변 (공동 답변 부분)"); lead > part {
		t.Error("환경부's part comes before 국토교통부's answer")
	}
	// In English and Chinese, the date is a date too.
	for lang, want := range map[string][]string{
		"en": {"Official answer: Ministry of Land", "Ministry of Environment: its part of the joint answer", "(<time datetime=\"2027-03-02\">Mar 2, 2027</time>)", "The proposal"},
		"zh": {"(<time datetime=\"2027-03-02\">2027年3月2日</time>)", "環境部答覆（共同答覆部分）", "提案內容"},
	} {
		c := f.e.client()
		c.lang = lang
		contains(t, lang+" page", c.get(f.page).Body, want...)
	}

	// The answers feed: the joint answer is 국토교통부's; 환경부's entry is its part of it.
	var feed struct {
		Entries []struct {
			Title   string `xml:"title"`
			ID      string `xml:"id"`
			Author  string `xml:"author>name"`
			Summary string `xml:"summary"`
			Content string `xml:"content"`
			Link    struct {
				Href string `xml:"href,attr"`
			} `xml:"link"`
		} `xml:"entry"`
	}
	fr := guest.get("/feeds/answers.atom")
	if err := xml.Unmarshal([]byte(fr.Body), &feed); err != nil || len(feed.Entries) != 2 {
		t.Fatalf("answers feed: %v, %d entries: %.500s", err, len(feed.Entries), fr.Body)
	}
	byTitle := map[string]int{}
	for i, en := range feed.Entries {
		byTitle[en.Title] = i
	}
	li, ok1 := byTitle["국토교통부 답변: "+f.title]
	pi, ok2 := byTitle["환경부 공동 답변 부분(주관: 국토교통부): "+f.title]
	if !ok1 || !ok2 {
		t.Fatalf("feed titles %v", byTitle)
	}
	if _, bad := byTitle["환경부 답변: "+f.title]; bad {
		t.Error("the feed calls the joint answer 환경부's")
	}
	le, pe := feed.Entries[li], feed.Entries[pi]
	if le.Author != "국토교통부" || !strings.HasPrefix(le.Summary, "일부 수용") || !strings.HasSuffix(le.Link.Href, "#response") ||
		!strings.Contains(le.Content, `<time datetime="2027-03-02">2027-03-02</time>`) || strings.Contains(le.Content, "T15:00:00Z") {
		t.Errorf("lead entry %+v", le)
	}
	if pe.Author != "환경부" || !strings.HasPrefix(pe.Summary, "수용") || !strings.HasSuffix(pe.Link.Href, "#response-me") || pe.ID == le.ID {
		t.Errorf("part entry %+v", pe)
	}

	// The API: response is 국토교통부's, untouched; 환경부's part is in response_parts.
	var api struct {
		Ministry      string           `json:"ministry"`
		Status        string           `json:"status"`
		CoMinistries  []string         `json:"co_ministries"`
		Response      map[string]any   `json:"response"`
		ResponseParts []map[string]any `json:"response_parts"`
	}
	ar := guest.get("/api/v1/proposals/" + itoa(int(f.id)))
	if err := json.Unmarshal([]byte(ar.Body), &api); err != nil {
		t.Fatalf("API: %v %.300s", err, ar.Body)
	}
	if rs := api.Response; api.Ministry != "molit" || api.Status != "answered" || rs["ministry"] != "molit" || rs["role"] != "lead" ||
		rs["decision"] != "partially_accepted" || rs["legal_basis"] != "대도시권 광역교통 관리에 관한 특별법 제10조" ||
		rs["responsible_unit"] != "광역교통정책과" || rs["next_step_date"] != "2027-03-02" || rs["revision"] != 1.0 {
		t.Errorf("API response %v (proposal ministry %s, status %s)", rs, api.Ministry, api.Status)
	}
	if len(api.ResponseParts) != 1 || api.ResponseParts[0]["ministry"] != "me" || api.ResponseParts[0]["role"] != "co_answering" ||
		api.ResponseParts[0]["decision"] != "accepted" || api.ResponseParts[0]["legal_basis"] != "" || api.ResponseParts[0]["next_step_date"] != nil {
		t.Errorf("API response_parts %v", api.ResponseParts)
	}
	if strings.Contains(ar.Body, "044-201") || strings.Contains(ar.Body, "담당관") {
		t.Error("the API publishes an official's name or contact line")
	}

	// The CSV: one row each, signed by its ministry, the lead's first.
	cr := guest.get("/open-data/responses.csv")
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(cr.Body, "\ufeff"))).ReadAll()
	if err != nil || len(rows) != 3 {
		t.Fatalf("responses.csv: %v, %d rows: %.500s", err, len(rows), cr.Body)
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i
	}
	want := []map[string]string{
		{"ministry": "molit", "role": "lead", "decision": "partially_accepted", "legal_basis": "대도시권 광역교통 관리에 관한 특별법 제10조",
			"responsible_unit": "광역교통정책과", "next_step_date": "2027-03-02"},
		{"ministry": "me", "role": "co_answering", "decision": "accepted", "legal_basis": "", "responsible_unit": "대기미래전략과", "next_step_date": ""},
	}
	for i, w := range want {
		for k, v := range w {
			if got := rows[i+1][col[k]]; got != v {
				t.Errorf("CSV row %d %s = %q, want %q", i+1, k, got, v)
			}
		}
	}
	if strings.Contains(cr.Body, "T15:00:00Z") {
		t.Error("the CSV writes the next step's date as a time")
	}

	// The history says whose each version is.
	contains(t, "history", guest.get(ansPath(f.id, "/response/history")).Body,
		`<span class="role-badge role-official">주관 부처 답변</span> <strong class="answer-ministry">국토교통부</strong>`,
		`<span class="role-badge role-official">공동 답변 부분</span> <strong class="answer-ministry">환경부</strong>`, "1번째 판", "2번째 판")
}

// TestJointAnswer_PartBeforeTheLead has 환경부 publish its part before
// 국토교통부 answers: the proposal still awaits the lead's answer, and the
// page says so above the part.
func TestJointAnswer_PartBeforeTheLead(t *testing.T) {
	f := newJointFixture(t)
	if r := f.molitOff.post(ansPath(f.id, "/co-ministries"), url.Values{"ministry": {itoa(int(f.me))}}); r.Status != 303 {
		t.Fatalf("add 환경부: %d %.300s", r.Status, r.Body)
	}
	f.co()
	p, err := f.e.st.Proposal(context.Background(), f.id)
	if err != nil || p.Status != forum.StatusAwaiting || !p.AnsweredAt.IsZero() {
		t.Fatalf("after 환경부's part: %+v, %v", p, err)
	}
	r := f.e.client().get(f.page)
	contains(t, "part first", r.Body, "badge-awaiting_response", "부처 답변 기한까지",
		"아래는 여러 부처가 함께 답하는 공동 답변의 일부입니다. 결정은 주관 부처인 국토교통부의 답변을 따르며, 그 답변을 기다리고 있습니다.",
		"환경부 답변 (공동 답변 부분)", "전기버스 충전 설비 보조금을 지원합니다")
	if strings.Contains(r.Body, "공동 답변의 결정") || strings.Contains(r.Body, "답변이 공개되었습니다") {
		t.Error("a part published first reads as the decision")
	}
	// The API has no answer of record yet, only the part; the feed lists the part as a part.
	ar := f.e.client().get("/api/v1/proposals/" + itoa(int(f.id)))
	contains(t, "API", ar.Body, `"response":null`, `"role":"co_answering"`)
	contains(t, "feed", f.e.client().get("/feeds/answers.atom").Body, "환경부 공동 답변 부분(주관: 국토교통부)")
	// 국토교통부 answers: now the decision shows, and the awaited note is gone.
	f.lead()
	r = f.e.client().get(f.page)
	contains(t, "lead answered", r.Body, "badge-answered", "공동 답변의 결정", "환경부 답변 (공동 답변 부분)")
	if strings.Contains(r.Body, "그 답변을 기다리고 있습니다") {
		t.Error("the awaited note stays after the lead answered")
	}
}
