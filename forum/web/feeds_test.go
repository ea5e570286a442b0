package web

import (
	"context"
	"encoding/xml"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/e-people/e-people/forum"
	"github.com/e-people/e-people/forum/store"
	"github.com/e-people/e-people/moderation"
)

// feedFixture is a forum with public, hidden and draft proposals in two
// ministries and categories, one answer on a public proposal and one on a hidden one.
type feedFixture struct {
	*ansFixture
	answered, answeredHidden, xss, hidden, draft, edu int64
	eduCat                                            forum.Category
}

const xssTitle = `<script>alert("x")</script> 야간 버스 & 지하철`

func newFeedFixture(t *testing.T) *feedFixture {
	t.Helper()
	f := &feedFixture{ansFixture: newAnsFixture(t)}
	e := f.e
	ctx := context.Background()
	var err error
	if f.eduCat, err = e.st.CreateCategory(ctx, forum.Category{Slug: "education", NameKO: "교육", NameEN: "Education", MinistryID: f.moe}); err != nil {
		t.Fatal(err)
	}
	create := func(title string, ministry int64, cat forum.Category, draft bool) int64 {
		p, err := e.st.CreateProposal(ctx, store.NewProposal{AuthorID: f.author.ID, SponsorToken: "tok-" + title, Draft: draft,
			Input: forum.ProposalInput{Title: title, Body: title, CategoryID: cat.ID, MinistryID: ministry},
			Body:  moderation.RenderMarkdown("**" + title + "** 본문")}, 0)
		if err != nil {
			t.Fatal(err)
		}
		return p.ID
	}
	official := f.lead.user()
	answer := func(id int64) {
		in := forum.ResponseInput{Decision: forum.DecisionAccepted, Summary: "세 곳에서 먼저 시범 운영합니다", Body: "**세 곳**에서 시범 운영"}
		if err := e.st.PublishResponse(ctx, official, id, in, moderation.RenderMarkdown(in.Body)); err != nil {
			t.Fatal(err)
		}
	}
	f.answered = f.awaiting("공공도서관 야간 개방")
	answer(f.answered)
	f.answeredHidden = f.awaiting("숨겨질 답변 제안")
	answer(f.answeredHidden)
	f.xss = create(xssTitle, f.mohw, e.cats[0], false)
	f.hidden = create("광고 글 제안입니다", f.mohw, e.cats[0], false)
	if _, err := e.st.Support(ctx, f.hidden, f.supporters[0].ID, nil); err != nil {
		t.Fatal(err)
	}
	f.draft = create("아직 쓰는 초안 제안", f.mohw, e.cats[0], true)
	f.edu = create("고교 학점제 보완", f.moe, f.eduCat, false)
	mod := f.moderator.user()
	for _, id := range []int64{f.hidden, f.answeredHidden} {
		if err := e.st.Hide(ctx, mod, forum.ItemProposal, id, moderation.HideSpam); err != nil {
			t.Fatal(err)
		}
	}
	return f
}

// atomDoc is what a reader parses out of a feed.
type atomDoc struct {
	XMLName xml.Name `xml:"http://www.w3.org/2005/Atom feed"`
	Title   string   `xml:"title"`
	ID      string   `xml:"id"`
	Updated string   `xml:"updated"`
	Links   []struct {
		Rel  string `xml:"rel,attr"`
		Href string `xml:"href,attr"`
	} `xml:"link"`
	Entries []struct {
		Title   string `xml:"title"`
		ID      string `xml:"id"`
		Updated string `xml:"updated"`
		Author  string `xml:"author>name"`
		Link    struct {
			Href string `xml:"href,attr"`
		} `xml:"link"`
		Content struct {
			Type string `xml:"type,attr"`
			Body string `xml:",chardata"`
		} `xml:"content"`
	} `xml:"entry"`
}

func TestFeeds(t *testing.T) {
	f := newFeedFixture(t)
	e := f.e
	url := func(id int64) string { return "http://127.0.0.1/proposals/" + itoa(int(id)) }
	for _, tc := range []struct {
		path    string
		want    []int64
		notWant []int64
	}{
		{"/feeds/proposals.atom", []int64{f.edu, f.xss, f.answered}, []int64{f.hidden, f.draft, f.answeredHidden}},
		{"/feeds/ministries/mohw.atom", []int64{f.xss, f.answered}, []int64{f.edu, f.hidden, f.draft, f.answeredHidden}},
		{"/feeds/ministries/moe.atom", []int64{f.edu}, []int64{f.xss, f.answered}},
		{"/feeds/categories/education.atom", []int64{f.edu}, []int64{f.xss, f.answered}},
		{"/feeds/categories/welfare.atom", []int64{f.xss, f.answered}, []int64{f.edu, f.hidden, f.draft}},
		{"/feeds/answers.atom", []int64{f.answered}, []int64{f.answeredHidden, f.xss}},
	} {
		r := e.client().get(tc.path)
		if r.Status != 200 || r.Header.Get("Content-Type") != "application/atom+xml; charset=utf-8" {
			t.Fatalf("%s: %d %q", tc.path, r.Status, r.Header.Get("Content-Type"))
		}
		var doc atomDoc
		if err := xml.Unmarshal([]byte(r.Body), &doc); err != nil {
			t.Fatalf("%s does not parse: %v\n%s", tc.path, err, r.Body)
		}
		if doc.ID != "http://127.0.0.1"+tc.path || doc.Title == "" || len(doc.Links) == 0 {
			t.Errorf("%s: feed head %q %q %v", tc.path, doc.ID, doc.Title, doc.Links)
		}
		if _, err := time.Parse(time.RFC3339, doc.Updated); err != nil {
			t.Errorf("%s: updated %q: %v", tc.path, doc.Updated, err)
		}
		got := map[string]bool{}
		for _, en := range doc.Entries {
			got[strings.TrimSuffix(en.Link.Href, "#response")] = true
			if _, err := time.Parse(time.RFC3339, en.Updated); err != nil || en.ID == "" || en.Author == "" || en.Content.Type != "html" {
				t.Errorf("%s: entry %q: updated %q id %q author %q content type %q", tc.path, en.Title, en.Updated, en.ID, en.Author, en.Content.Type)
			}
		}
		if len(doc.Entries) != len(tc.want) {
			t.Errorf("%s: %d entries, want %d", tc.path, len(doc.Entries), len(tc.want))
		}
		for _, id := range tc.want {
			if !got[url(id)] {
				t.Errorf("%s: no entry for proposal %d", tc.path, id)
			}
		}
		for _, id := range tc.notWant {
			if got[url(id)] {
				t.Errorf("%s: has proposal %d", tc.path, id)
			}
		}
		if strings.Contains(r.Body, "<script>") {
			t.Errorf("%s: unescaped markup in the feed", tc.path)
		}
	}

	// The XSS title is text; the body is the sanitized HTML, escaped into the XML.
	var doc atomDoc
	body := e.client().get("/feeds/ministries/mohw.atom").Body
	if err := xml.Unmarshal([]byte(body), &doc); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, en := range doc.Entries {
		if en.Title == xssTitle {
			found = true
			if !strings.Contains(en.Content.Body, "<strong>") {
				t.Errorf("content is not the sanitized HTML: %q", en.Content.Body)
			}
		}
	}
	if !found {
		t.Errorf("no entry titled %q", xssTitle)
	}
	contains(t, "answers feed", e.client().get("/feeds/answers.atom").Body, "&lt;strong&gt;세 곳&lt;/strong&gt;", "세 곳에서 먼저 시범 운영합니다", "보건복지부")

	for _, p := range []string{"/feeds/ministries/nope.atom", "/feeds/categories/nope.atom"} {
		if r := e.client().get(p); r.Status != 404 {
			t.Errorf("%s: %d, want 404", p, r.Status)
		}
	}
	contains(t, "layout", e.client().get("/").Body, `<link rel="alternate" type="application/atom+xml" href="/feeds/proposals.atom"`)
	contains(t, "proposal page", e.client().get("/proposals/"+itoa(int(f.answered))).Body,
		`href="/feeds/ministries/mohw.atom"`, `href="/feeds/categories/welfare.atom"`)
}

func TestStats(t *testing.T) {
	f := newFeedFixture(t)
	r := f.e.client().get("/stats")
	if r.Status != 200 {
		t.Fatalf("stats: %d %.500s", r.Status, r.Body)
	}
	if n := strings.Count(r.Body, `<svg xmlns="http://www.w3.org/2000/svg" role="img"`); n != 4 {
		t.Errorf("%d charts, want 4", n)
	}
	if n := strings.Count(r.Body, "<table"); n != 4 {
		t.Errorf("%d tables, want 4", n)
	}
	if strings.Contains(r.Body, "style=") {
		t.Error("inline style on the stats page")
	}
	contains(t, "stats", r.Body, `<title id="chart-months-title">`, `<desc id="chart-days-desc">`, `<th scope="col">`, "<caption>", "<rect ",
		// Public proposals only: the answered one, the XSS one and the education one.
		`<th scope="row">2026년 11월</th><td>3</td>`, `<th scope="row">2026년 10월</th><td>0</td>`,
		// Two supports on the public answered proposal; the hidden ones' supports do not count.
		`<th scope="row">2026년 11월 27일</th><td>2</td>`, `<th scope="row">2026년 11월 26일</th><td>0</td>`,
		`<th scope="row">복지</th><td>2</td>`, `<th scope="row">교육</th><td>1</td>`,
		`<th scope="row">보건복지부</th><td>2</td><td>0.0일</td>`, `<th scope="row">교육부</th><td>0</td><td>—</td>`)
	if m := regexp.MustCompile(`<th scope="row">[^<]*</th>`).FindAllString(r.Body, -1); len(m) != 12+30+3+2 {
		t.Errorf("%d table rows, want %d", len(m), 12+30+3+2)
	}
	en := f.e.client()
	en.lang = "en"
	contains(t, "stats in English", en.get("/stats").Body, "Proposals per month", `<th scope="row">November 2026</th><td>3</td>`, `<th scope="row">Nov 27, 2026</th>`)
}

func TestOpenGraph(t *testing.T) {
	f := newFeedFixture(t)
	e := f.e
	page := e.client().get("/proposals/" + itoa(int(f.xss))).Body
	esc := `&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; 야간 버스 &amp; 지하철`
	contains(t, "proposal OG", page,
		`<meta property="og:type" content="article">`,
		`<meta property="og:title" content="`+esc+`">`,
		`<meta property="og:description" content="alert(&#34;x&#34;) 야간 버스 &amp; 지하철 본문">`, // a plain-text excerpt of the text as shown (issue 18)
		`<meta property="og:url" content="http://127.0.0.1/proposals/`+itoa(int(f.xss))+`">`,
		`<meta name="twitter:card" content="summary_large_image">`)
	if strings.Contains(page, `<script>alert`) {
		t.Error("the title reached the page as markup")
	}
	contains(t, "supported proposal OG", e.client().get("/proposals/"+itoa(int(f.answered))).Body,
		`<meta property="og:image" content="http://127.0.0.1/proposals/`+itoa(int(f.answered))+`/card.png">`)

	ctx := context.Background()
	now := e.clock.Now()
	d, err := e.st.CreateDebate(ctx, store.NewDebate{HostID: f.lead.user().ID, Input: forum.DebateInput{Question: `"심야" <b>버스</b>가 필요합니까?`,
		OpensAt: now.Add(-time.Minute), ClosesAt: now.Add(time.Hour), MinistryID: f.mohw}})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := e.st.AdvanceDebates(ctx); err != nil {
		t.Fatal(err)
	}
	path := "/debates/" + itoa(int(d.ID))
	if r := f.citizen.post(path+"/comments", map[string][]string{"stance": {"for"}, "body": {"필요합니다"}}); r.Status != 303 {
		t.Fatalf("argument: %d", r.Status)
	}
	q := `&#34;심야&#34; &lt;b&gt;버스&lt;/b&gt;가 필요합니까?`
	contains(t, "debate OG", e.client().get(path).Body,
		`<meta property="og:type" content="article">`,
		`<meta property="og:title" content="`+q+`">`,
		`<meta property="og:description" content="`+q+` — 찬성 1 · 반대 0 · 중립 0">`,
		`<meta property="og:url" content="http://127.0.0.1`+path+`">`,
		`<meta name="twitter:card" content="summary">`)
}
