package web

import (
	"context"
	"encoding/xml"
	"html"
	"image/png"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/e-people/e-people/forum"
	"github.com/e-people/e-people/forum/store"
	"github.com/e-people/e-people/moderation"
)

var (
	shareLinkRe = regexp.MustCompile(`<a class="share-link" href="([^"]+)"([^>]*)>([^<]*)<span class="visually-hidden">([^<]*)</span></a>`)
	srcRe       = regexp.MustCompile(`<(script|img|iframe|link)\b[^>]*\b(?:src|href)="([^"]*)"`)
	metaRe      = regexp.MustCompile(`<meta (?:property|name)="([^"]+)" content="([^"]*)">`)
)

// metas reads a page's Open Graph and Twitter meta tags.
func metas(body string) map[string]string {
	out := map[string]string{}
	for _, m := range metaRe.FindAllStringSubmatch(body, -1) {
		out[m[1]] = html.UnescapeString(m[2])
	}
	return out
}

// TestShare_ProposalPage: a public proposal's page carries the four plain
// share links, each with the page's address (and X also the title)
// URL-encoded, opening a new window that it names, and not a single
// script, image or frame from another site; its head has the Open Graph
// and Twitter card tags with the card image and a plain-text excerpt, and
// links the proposal's feed. A withheld proposal has none of it.
func TestShare_ProposalPage(t *testing.T) {
	f := newFeedFixture(t)
	e := f.e
	guest := e.client()
	page := "http://127.0.0.1/proposals/" + itoa(int(f.xss))
	r := guest.get("/proposals/" + itoa(int(f.xss)))
	if r.Status != 200 {
		t.Fatalf("proposal page: %d", r.Status)
	}
	links := shareLinkRe.FindAllStringSubmatch(r.Body, -1)
	want := map[string]string{"story.kakao.com": "url", "twitter.com": "url", "www.facebook.com": "u", "social-plugins.line.me": "url"}
	if len(links) != len(want) {
		t.Fatalf("%d share links, want %d:\n%s", len(links), len(want), r.Body)
	}
	for _, l := range links {
		u, err := url.Parse(html.UnescapeString(l[1]))
		if err != nil || u.Scheme != "https" {
			t.Fatalf("share link %q: %v", l[1], err)
		}
		param, ok := want[u.Host]
		if !ok {
			t.Errorf("share link to an unexpected site: %s", u.Host)
			continue
		}
		if got := u.Query().Get(param); got != page {
			t.Errorf("%s carries %s=%q, want %q", u.Host, param, got, page)
		}
		if strings.Contains(l[1], "://127.0.0.1/") {
			t.Errorf("%s: the page's address is not URL-encoded: %s", u.Host, l[1])
		}
		if u.Host == "twitter.com" && u.Query().Get("text") != xssTitle {
			t.Errorf("X's text = %q, want the title %q", u.Query().Get("text"), xssTitle)
		}
		if !strings.Contains(l[2], `target="_blank"`) || !strings.Contains(l[2], `rel="noopener noreferrer"`) {
			t.Errorf("%s link attributes %q", u.Host, l[2])
		}
		if strings.TrimSpace(l[4]) != "(새 창)" {
			t.Errorf("%s link says %q, want (새 창)", u.Host, l[4])
		}
	}
	// Nothing is loaded from another site: every script, image, frame and
	// linked resource is the site's own (share links are <a>, not loaded).
	for _, m := range srcRe.FindAllStringSubmatch(r.Body, -1) {
		if src := m[2]; !strings.HasPrefix(src, "/") || strings.HasPrefix(src, "//") {
			t.Errorf("<%s> from elsewhere: %s", m[1], src)
		}
	}
	contains(t, "share block", r.Body, `data-share-native hidden`, `data-copy="share-proposal-`+itoa(int(f.xss))+`-url"`,
		`<code id="share-proposal-`+itoa(int(f.xss))+`-url">`+page+`</code>`, `href="/feeds/proposals/`+itoa(int(f.xss))+`.atom"`,
		`<script src="/assets/share.js?v=`)
	notContains(t, "share block", r.Body, "<script>alert")

	og := metas(r.Body)
	for k, v := range map[string]string{
		"og:url": page, "og:image": page + "/card.png", "og:image:width": "1200", "og:image:height": "630",
		"og:locale": "ko_KR", "og:title": xssTitle, "twitter:card": "summary_large_image", "twitter:image": page + "/card.png",
	} {
		if og[k] != v {
			t.Errorf("%s = %q, want %q", k, og[k], v)
		}
	}
	if d := og["og:description"]; d != `alert("x") 야간 버스 & 지하철 본문` { // the text as the page shows it, no markup, no Markdown marks
		t.Errorf("og:description = %q, want the text as plain text", d)
	}
	if !strings.Contains(r.Body, `<link rel="alternate" type="application/atom+xml" href="/feeds/proposals/`+itoa(int(f.xss))+`.atom"`) {
		t.Error("the page's head does not link its feed")
	}
	zh := e.client()
	zh.lang = "zh-TW"
	if og := metas(zh.get("/proposals/" + itoa(int(f.xss))).Body); og["og:locale"] != "zh_TW" {
		t.Errorf("Chinese page's og:locale = %q", og["og:locale"])
	}

	// A withheld proposal shows its place only: no share block, no card.
	r = guest.get("/proposals/" + itoa(int(f.hidden)))
	notContains(t, "withheld proposal", r.Body, "story.kakao.com", "card.png", `class="share"`)
	// The share page shows the card; it exists for public proposals only.
	r = guest.get("/proposals/" + itoa(int(f.xss)) + "/share")
	if r.Status != 200 {
		t.Fatalf("share page: %d", r.Status)
	}
	contains(t, "share page", r.Body, `<img src="/proposals/`+itoa(int(f.xss))+`/card.png" width="1200" height="630"`, "story.kakao.com")
	for _, id := range []int64{f.hidden, f.draft, 99999} {
		if r := guest.get("/proposals/" + itoa(int(id)) + "/share"); r.Status != 404 {
			t.Errorf("share page of %d: %d, want 404", id, r.Status)
		}
	}
}

// TestShare_Card: the card is a 1200×630 PNG with an ETag and a public
// cache lifetime; the same card again answers 304 to its ETag; two
// proposals get two cards; the card is drawn again once the supports move
// it; hidden, draft and unknown proposals have none.
func TestShare_Card(t *testing.T) {
	f := newFeedFixture(t)
	e := f.e
	guest := e.client()
	card := func(id int64) resp {
		t.Helper()
		r := guest.get("/proposals/" + itoa(int(id)) + "/card.png")
		if r.Status != 200 || r.Header.Get("Content-Type") != "image/png" {
			t.Fatalf("card of %d: %d %q", id, r.Status, r.Header.Get("Content-Type"))
		}
		img, err := png.Decode(strings.NewReader(r.Body))
		if err != nil {
			t.Fatalf("card of %d is no PNG: %v", id, err)
		}
		if b := img.Bounds(); b.Dx() != 1200 || b.Dy() != 630 {
			t.Fatalf("card of %d is %v, want 1200×630", id, b)
		}
		return r
	}
	a := card(f.edu)
	if dir := os.Getenv("EPEOPLE_SCREENSHOTS"); dir != "" {
		if err := os.MkdirAll(dir, 0o755); err == nil {
			_ = os.WriteFile(filepath.Join(dir, "card-edu.png"), []byte(a.Body), 0o644)
		}
	}
	tag := a.Header.Get("ETag")
	if !strings.HasPrefix(tag, `"card-`) || !strings.Contains(a.Header.Get("Cache-Control"), "public") {
		t.Errorf("card headers: ETag %q, Cache-Control %q", tag, a.Header.Get("Cache-Control"))
	}
	if r := guest.do("GET", "/proposals/"+itoa(int(f.edu))+"/card.png", nil, "If-None-Match", tag); r.Status != 304 || r.Body != "" {
		t.Errorf("card with its ETag: %d, %d bytes; want 304, none", r.Status, len(r.Body))
	}
	if again := card(f.edu); again.Body != a.Body || again.Header.Get("ETag") != tag {
		t.Error("the same card twice differs")
	}
	if b := card(f.xss); b.Body == a.Body || b.Header.Get("ETag") == tag {
		t.Error("two proposals' cards are the same")
	}
	// One support of a goal of two moves the bar: a new card, a new ETag.
	if _, err := e.st.Support(context.Background(), f.edu, f.supporters[0].ID, nil); err != nil {
		t.Fatal(err)
	}
	if b := card(f.edu); b.Body == a.Body || b.Header.Get("ETag") == tag {
		t.Error("the card did not change with the supports")
	}
	for _, id := range []int64{f.hidden, f.answeredHidden, f.draft, 99999} {
		if r := guest.get("/proposals/" + itoa(int(id)) + "/card.png"); r.Status != 404 {
			t.Errorf("card of %d: %d, want 404", id, r.Status)
		}
	}
	// Not even a moderator, who reads hidden proposals, gets a card of one: a card is public.
	if r := f.moderator.get("/proposals/" + itoa(int(f.hidden)) + "/card.png"); r.Status != 404 {
		t.Errorf("moderator's card of a hidden proposal: %d, want 404", r.Status)
	}
}

// TestShare_ProposalFeed: a proposal's feed is valid Atom with its
// timeline (published, reached, answered with the answer's text) and each
// later version of its answer; the page links it; hidden, draft and
// unknown proposals have no feed.
func TestShare_ProposalFeed(t *testing.T) {
	f := newFeedFixture(t)
	e := f.e
	ctx := context.Background()
	// A second version of the answer.
	in := forum.ResponseInput{Decision: forum.DecisionPartial, Summary: "두 곳으로 줄여 시범 운영합니다", Body: "**두 곳**에서 시범 운영"}
	e.clock.Add(time.Hour)
	if err := e.st.PublishResponse(ctx, f.lead.user(), f.answered, in, moderation.RenderMarkdown(in.Body)); err != nil {
		t.Fatal(err)
	}
	path := "/feeds/proposals/" + itoa(int(f.answered)) + ".atom"
	r := e.client().get(path)
	if r.Status != 200 || r.Header.Get("Content-Type") != mimeAtom {
		t.Fatalf("%s: %d %q", path, r.Status, r.Header.Get("Content-Type"))
	}
	var doc atomDoc
	if err := xml.Unmarshal([]byte(r.Body), &doc); err != nil {
		t.Fatalf("feed does not parse: %v\n%s", err, r.Body)
	}
	if doc.ID != "http://127.0.0.1"+path || !strings.Contains(doc.Title, "공공도서관 야간 개방") {
		t.Errorf("feed id %q, title %q", doc.ID, doc.Title)
	}
	var titles []string
	ids := map[string]bool{}
	for i, en := range doc.Entries {
		titles = append(titles, en.Title)
		if ids[en.ID] {
			t.Errorf("entry id %s twice", en.ID)
		}
		ids[en.ID] = true
		if _, err := time.Parse(time.RFC3339, en.Updated); err != nil || en.Author == "" {
			t.Errorf("entry %q: updated %q, author %q", en.Title, en.Updated, en.Author)
		}
		if i > 0 && en.Updated > doc.Entries[i-1].Updated {
			t.Errorf("entries out of order: %s after %s", en.Updated, doc.Entries[i-1].Updated)
		}
	}
	all := strings.Join(titles, "\n")
	contains(t, "proposal feed titles", all, "보건복지부", "답변", "2번째 판")
	var answered, revised bool
	for _, en := range doc.Entries {
		if strings.HasSuffix(en.Link.Href, "#response") && strings.Contains(en.Content.Body, "<strong>세 곳</strong>") && en.Content.Type == "html" {
			answered = true
		}
		if strings.Contains(en.Title, "2번째 판") && strings.Contains(en.Content.Body, "<strong>두 곳</strong>") {
			revised = true
		}
	}
	if !answered || !revised {
		t.Errorf("answer entry %v, revision entry %v:\n%s", answered, revised, r.Body)
	}
	if len(doc.Entries) < 4 { // published, reached, answered, version 2
		t.Errorf("%d entries, want at least 4: %q", len(doc.Entries), titles)
	}
	// The title with markup stays text.
	xr := e.client().get("/feeds/proposals/" + itoa(int(f.xss)) + ".atom")
	var xdoc atomDoc
	if err := xml.Unmarshal([]byte(xr.Body), &xdoc); err != nil || !strings.Contains(xdoc.Title, xssTitle) {
		t.Errorf("feed of the proposal with markup in its title: %v %q", err, xdoc.Title)
	}
	for _, id := range []int64{f.hidden, f.answeredHidden, f.draft, 99999} {
		if r := e.client().get("/feeds/proposals/" + itoa(int(id)) + ".atom"); r.Status != 404 {
			t.Errorf("feed of %d: %d, want 404", id, r.Status)
		}
	}
}

// TestShare_DebateFeed: a debate's page has the share block and links its
// feed; the feed tells its announcement, then its opening, closing and
// conclusion as they happen.
func TestShare_DebateFeed(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	host := e.staff(forum.RoleOfficial, e.mins[0].ID, "김하늘")
	now := e.clock.Now()
	d, err := e.st.CreateDebate(ctx, store.NewDebate{HostID: host.user().ID, Input: forum.DebateInput{Question: "주 4일제를 공공부문에서 시범 도입할까요?",
		OpensAt: now.Add(time.Hour), ClosesAt: now.Add(48 * time.Hour), MinistryID: e.mins[0].ID}, Background: moderation.RenderMarkdown("**배경** 설명")})
	if err != nil {
		t.Fatal(err)
	}
	path := "/feeds/debates/" + itoa(int(d.ID)) + ".atom"
	read := func() atomDoc {
		t.Helper()
		r := e.client().get(path)
		if r.Status != 200 || r.Header.Get("Content-Type") != mimeAtom {
			t.Fatalf("%s: %d", path, r.Status)
		}
		var doc atomDoc
		if err := xml.Unmarshal([]byte(r.Body), &doc); err != nil {
			t.Fatalf("debate feed does not parse: %v\n%s", err, r.Body)
		}
		return doc
	}
	steps := func(doc atomDoc) string {
		var s []string
		for _, en := range doc.Entries {
			s = append(s, en.ID[strings.LastIndex(en.ID, "#")+1:])
		}
		return strings.Join(s, ",")
	}
	if got := steps(read()); got != "announced" {
		t.Errorf("upcoming debate's feed: %s, want announced", got)
	}
	e.clock.Add(2 * time.Hour)
	if got := steps(read()); got != "opened,announced" {
		t.Errorf("open debate's feed: %s", got)
	}
	e.clock.Add(48 * time.Hour)
	if _, _, err := e.st.AdvanceDebates(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := e.st.Conclude(ctx, d.ID, "결론", moderation.RenderMarkdown("**시범 도입**을 권고합니다")); err != nil {
		t.Fatal(err)
	}
	doc := read()
	if got := steps(doc); got != "concluded,closed,opened,announced" {
		t.Errorf("concluded debate's feed: %s", got)
	}
	if c := doc.Entries[0].Content; c.Type != "html" || !strings.Contains(c.Body, "<strong>시범 도입</strong>") {
		t.Errorf("conclusion entry's content: %+v", c)
	}
	r := e.client().get("/debates/" + itoa(int(d.ID)))
	contains(t, "debate page", r.Body, `<link rel="alternate" type="application/atom+xml" href="`+path+`"`,
		`<a href="`+path+`" type="application/atom+xml">`, "https://story.kakao.com/share?url=http%3a%2f%2f127.0.0.1%2fdebates%2f"+itoa(int(d.ID)))
	if r := e.client().get("/feeds/debates/99999.atom"); r.Status != 404 {
		t.Errorf("unknown debate's feed: %d", r.Status)
	}
}

// TestShare_WeeklyDigest: a weekly digest lists, per followed proposal,
// what changed in the week: the status it moved to, and the comments
// others left (not the reader's own); a proposal withheld since keeps its
// place but not its title; the per-notification list no longer repeats
// what the per-item account tells; a daily digest stays as it was.
func TestShare_WeeklyDigest(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	if err := e.st.SetSettings(ctx, map[string]string{forum.SettingSupportWindow: "5"}); err != nil {
		t.Fatal(err)
	}
	start := e.clock.Now()
	author := e.register("최작성")
	closing := e.openProposal(author, "어린이 통학로 안전 강화", "통학로에 보도를 설치해 주세요.")
	e.clock.Add(time.Hour)
	talked := e.openProposal(author, "공공 와이파이 확대", "버스 정류장마다 와이파이를.")
	hidden := e.openProposal(author, "나중에 숨겨질 제안", "본문입니다.")
	weekly := e.register("정주간")
	daily := e.register("한매일")
	quiet := e.register("조용한") // follows one proposal that only draws comments
	for _, u := range []*client{weekly, daily} {
		for _, id := range []int64{closing, talked, hidden} {
			if err := e.st.Follow(ctx, u.user().ID, forum.ItemProposal, id, true); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, u := range []*client{weekly, quiet} {
		if err := e.st.SetEmailFrequency(ctx, u.user().ID, store.EmailWeekly); err != nil {
			t.Fatal(err)
		}
	}
	if err := e.st.SetEmailFrequency(ctx, daily.user().ID, store.EmailDaily); err != nil {
		t.Fatal(err)
	}
	// Two comments by others on one proposal, one by the reader (not news to them).
	for _, c := range []*client{author, e.register("이댓글"), weekly} {
		if r := c.post("/proposals/"+itoa(int(talked))+"/comments", url.Values{"stance": {"for"}, "body": {"좋은 제안입니다, 찬성합니다."}}); r.Status >= 400 {
			t.Fatalf("comment: %d", r.Status)
		}
	}
	// A proposal opened mid-week stays open; the quiet follower hears of its comments only.
	e.clock.Add(3 * 24 * time.Hour)
	young := e.openProposal(author, "마을버스 배차 간격 단축", "출퇴근 시간 배차를 줄여 주세요.")
	if err := e.st.Follow(ctx, quiet.user().ID, forum.ItemProposal, young, true); err != nil {
		t.Fatal(err)
	}
	if r := e.register("댓글러").post("/proposals/"+itoa(int(young))+"/comments", url.Values{"stance": {"against"}, "body": {"예산이 더 필요한 곳이 있습니다."}}); r.Status >= 400 {
		t.Fatalf("comment: %d", r.Status)
	}
	// The support window ends: the followers hear that the proposals closed.
	e.clock.Add(3 * 24 * time.Hour)
	if n, err := e.st.AdvanceProposals(ctx); err != nil || n == 0 {
		t.Fatalf("advance: %d %v", n, err)
	}
	mod := e.staff(forum.RoleModerator, 0, "류지혜")
	if err := e.st.Hide(ctx, mod.user(), forum.ItemProposal, hidden, moderation.HideSpam); err != nil {
		t.Fatal(err)
	}
	e.clock.Add(time.Hour) // the digest runs after the week's news
	if n, err := e.st.QueueWeeklyDigests(ctx, start); err != nil || n != 2 {
		t.Fatalf("weekly digests: %d %v", n, err)
	}
	e.clock.Add(time.Hour)
	if _, err := e.st.QueueDigests(ctx, e.clock.Now().Add(-24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	ms, err := e.st.Outbox(ctx, 100)
	if err != nil {
		t.Fatal(err)
	}
	bodies := map[string]string{}
	for _, m := range ms {
		if m.Kind != store.MailDigest {
			continue
		}
		_, body, err := e.srv.ComposeMail(ctx, m)
		if err != nil {
			t.Fatal(err)
		}
		bodies[m.Address] = body
	}
	w := bodies[weekly.user().Email]
	contains(t, "weekly digest", w, "팔로우하는 항목에서 이번 주에 달라진 것:",
		"· 어린이 통학로 안전 강화: 상태가 '지지 모집 마감'으로 바뀜",
		"· 공공 와이파이 확대: 상태가 '지지 모집 마감'으로 바뀜, 새 의견 2건",
		"· 제안 #"+itoa(int(hidden))+": 상태가 '지지 모집 마감'으로 바뀜",
		"· Proposal status changes: 3",
		"http://127.0.0.1/proposals/"+itoa(int(closing)), "http://127.0.0.1/proposals/"+itoa(int(talked)))
	// The withheld proposal keeps its place but not its title; each change is told once, per item.
	notContains(t, "weekly digest", w, "나중에 숨겨질 제안", "소식을 받는 제안의 상태가 바뀌었습니다")
	contains(t, "quiet follower's weekly digest", bodies[quiet.user().Email], "지난 한 주 동안 새 알림은 없었지만",
		"· 마을버스 배차 간격 단축: 새 의견 1건", "http://127.0.0.1/proposals/"+itoa(int(young)))
	if d := bodies[daily.user().Email]; !strings.Contains(d, "소식을 받는 제안의 상태가 바뀌었습니다") || strings.Contains(d, "팔로우하는 항목에서") {
		t.Errorf("daily digest:\n%s", d)
	}
}

// TestHTMLChecker_SharePage: the share page (and on it the share block the
// proposal and debate pages carry) is valid HTML by the Nu Html Checker.
func TestHTMLChecker_SharePage(t *testing.T) {
	if _, err := os.Stat(vnuPath); err != nil {
		t.Skipf("vnu.jar not found at %s: `make test-deps` installs it", vnuPath)
	}
	java, err := exec.LookPath("java")
	if err != nil {
		t.Skip("java not found: `make test-deps` installs default-jre-headless")
	}
	f := newFeedFixture(t)
	r := f.e.client().get("/proposals/" + itoa(int(f.xss)) + "/share")
	if r.Status != 200 {
		t.Fatalf("share page: %d", r.Status)
	}
	checkHTML(t, java, map[string]string{"share.html": r.Body})
}
