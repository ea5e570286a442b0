package web

import (
	"context"
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/e-people/e-people/forum"
	"github.com/e-people/e-people/forum/store"
)

// signIn signs in through the /login form and checks that the header shows the name.
func (b *tab) signIn(email, password, name string) {
	b.t.Helper()
	b.open("/login")
	b.typeInto("#f-email", email)
	b.typeInto("#f-password", password)
	b.click(`form[action="/login"] button[type=submit]`, 200)
	b.wantText("header .user-name", name)
}

// waitJS waits until the page expression expr is true.
func (b *tab) waitJS(what, expr string) {
	b.t.Helper()
	b.run("wait for "+what, func(ctx context.Context) error {
		_, err := chromedp.Run(ctx, chromedp.Poll[bool](expr, chromedp.WithPollingMutation()))
		return err
	})
}

// watch makes the page note, by its own clock, the moment expr first holds,
// so that a test can tell how long a live change took without timing its
// own polling. expr must not hold yet.
func (b *tab) watch(name, expr string) {
	b.t.Helper()
	held := evalIn[bool](b, `(() => {
		const seen = window.__seen = window.__seen || {};
		const test = () => { try { return !!(`+expr+`); } catch (e) { return false; } };
		if (test()) return true;
		delete seen[`+jsString(name)+`];
		const mo = new MutationObserver(() => {
			if (test()) { seen[`+jsString(name)+`] = Date.now(); mo.disconnect(); }
		});
		mo.observe(document, {subtree: true, childList: true, attributes: true, characterData: true});
		return false;
	})()`)
	if held {
		b.t.Fatalf("%s: %s already holds before the change: %s", b.who, name, expr)
	}
}

// seen returns how long after since the page saw what watch(name) waited for.
func (b *tab) seen(name string, since time.Time) time.Duration {
	b.t.Helper()
	ms := evalIn[float64](b, `(window.__seen || {})[`+jsString(name)+`] || 0`)
	if ms == 0 {
		b.t.Fatalf("%s: the page never noted %s", b.who, name)
	}
	return time.UnixMilli(int64(ms)).Sub(since)
}

// noReload marks the page; stillSame checks the mark survived, so no reload or navigation happened.
func (b *tab) noReload() { b.t.Helper(); evalIn[bool](b, `(window.__noReload = 1) === 1`) }

func (b *tab) stillSame() {
	b.t.Helper()
	if !evalIn[bool](b, `window.__noReload === 1`) {
		b.t.Errorf("%s: the page was reloaded or left (at %s)", b.who, b.location())
	}
}

// hostileMarkup counts, inside the first match of sel, elements with an
// on* attribute, script elements and javascript: links, and tells whether
// any injected handler ran.
func (b *tab) hostileMarkup(sel string) string {
	b.t.Helper()
	return evalIn[string](b, `(() => {
		const root = document.querySelector(`+jsString(sel)+`);
		if (!root) return "no " + `+jsString(sel)+`;
		const bad = [];
		for (const el of [root, ...root.querySelectorAll("*")]) {
			for (const a of el.attributes) {
				if (/^on/i.test(a.name)) bad.push(el.tagName + "[" + a.name + "]");
				if (/^\s*javascript:/i.test(a.value)) bad.push(el.tagName + "[" + a.name + "=" + a.value + "]");
			}
		}
		root.querySelectorAll("script, iframe, object, embed").forEach(el => bad.push(el.tagName));
		if (window.__pwned) bad.push("window.__pwned set");
		return bad.join(", ");
	})()`)
}

// TestBrowser_LiveTwoContexts has citizen A comment and support while
// citizen B and a guest, in their own browser contexts, watch the proposal
// page change without a reload.
func TestBrowser_LiveTwoContexts(t *testing.T) {
	e := newEnv(t)
	br := newBrowser(t, e, 120*time.Second)

	author := e.register("제안자")
	pid := e.openProposal(author, "주민센터 주말 민원 창구 운영", "평일에 시간을 낼 수 없는 주민을 위해 토요일 오전에 창구를 열어 주십시오.")
	path := "/proposals/" + strconv.FormatInt(pid, 10)

	a := br.tab("citizen A")
	a.registerInBrowser("박지훈", "jihoon@example.org")
	a.verifyInBrowser(e.st, "jihoon@example.org")
	bc := e.register("이서연")
	b := br.tab("citizen B")
	b.open("/")
	b.wantCount("header .user-name", 0) // A's session cookie is not in B's context
	b.signIn(bc.user().Email, "correct horse battery staple", "이서연")
	g := br.tab("guest")

	for _, x := range []*tab{a, b, g} {
		x.open(path)
		x.waitText("#live-status", "실시간")
	}
	g.wantCount("header .user-name", 0)
	g.wantText("header .user-menu", "로그인")
	b.wantText("header .user-name", "이서연")
	b.noReload()
	g.noReload()
	b.wantText(".tally [data-tally=for]", "0")
	b.wantText("[data-live=comments]", "0")
	b.wantText("#support [data-live=supports]", "0")

	// A comments through the page form, by script over the live channel.
	const text = "주말 창구에 찬성합니다"
	body := "**" + text + "**. 맞벌이 가구에 꼭 필요합니다. " +
		`<img src=x onerror="window.__pwned=1"> <script>window.__pwned=1</script> [링크](javascript:window.__pwned=1)`
	b.watch("comment", `document.querySelector("ol.comments > li.comment .comment-body")?.textContent.includes(`+jsString(text)+`)`)
	b.watch("tally", `document.querySelector(".tally [data-tally=for]").textContent.trim() === "1"`)
	b.watch("count", `document.querySelector("[data-live=comments]").textContent.trim() === "1"`)
	a.do("choose stance", chromedp.Click(chromedp.CSS(`#comment-form fieldset.stance-choice input[value=for]`), chromedp.NodeVisible))
	a.typeInto("textarea#f-body", body)
	posted := time.Now()
	a.tap(`#comment-form button[type=submit]`)

	b.waitCount("ol.comments > li.comment", 1)
	b.waitText("ol.comments > li.comment .comment-body", text)
	b.waitText(".tally [data-tally=for]", "1")
	b.waitText("[data-live=comments]", "1")
	t.Logf("B saw A's comment %v, the tally %v, the comment count %v after A pressed submit",
		b.seen("comment", posted), b.seen("tally", posted), b.seen("count", posted))
	id := b.attr("ol.comments > li.comment", "data-id")
	if id == "" {
		t.Fatal("no comment id on B's page")
	}
	c := "#c" + id
	b.wantText(c+" .stance", "찬성")
	b.wantText(c+" .author", "박지훈")
	b.wantText(c+" .comment-body strong", text)
	b.wantText(".tally [data-tally=against]", "0")
	b.wantText(".tally [data-tally=neutral]", "0")
	if got := b.text("[data-live=comments]"); got != "1" {
		t.Errorf("B: comment count %q, want 1", got)
	}

	// Controls fit each viewer: B votes on A's comment, the guest only reads,
	// A may reply to its own comment but not vote on it.
	b.wantCount(c+" form.vote", 2)
	b.wantCount(c+" [data-reply]", 1)
	b.wantCount(c+" .vote-tally", 0)
	g.waitCount(c, 1)
	g.wantText(c+" .comment-body", text)
	g.wantCount(c+" form.vote", 0)
	g.wantCount(c+" [data-reply]", 0)
	g.wantCount(c+` a[href*="reply="]`, 0)
	g.wantCount(c+" .member-only", 0)
	g.wantText(c+" .vote-tally", "공감")
	a.waitCount(c, 1)
	a.wantCount(c+" form.vote", 0)
	a.wantCount(c+" [data-reply]", 1)
	for _, x := range []*tab{a, b, g} {
		if bad := x.hostileMarkup(c); bad != "" {
			t.Errorf("%s: live-inserted comment carries %s", x.who, bad)
		}
	}

	// A supports the proposal with the plain form.
	b.watch("supports", `document.querySelector("#support [data-live=supports]").textContent.trim() === "1"`)
	b.watch("bar", `document.querySelector("progress[data-live=support-bar]").value === 1`)
	supported := time.Now()
	a.click(fmt.Sprintf(`#support form[action="%s/support"] button`, path), 200)
	a.wantText(".flash", "이 제안을 지지했습니다")
	b.waitText("#support [data-live=supports]", "1")
	b.waitJS("the support bar at 1", `document.querySelector("progress[data-live=support-bar]").value === 1`)
	t.Logf("B saw the support count %v and the bar %v after A pressed support (A's own page load included)",
		b.seen("supports", supported), b.seen("bar", supported))
	if got := b.text("#support [data-live=supports]"); got != "1" {
		t.Errorf("B: supports %q, want 1", got)
	}
	g.waitText("#support [data-live=supports]", "1")
	b.stillSame()
	g.stillSame()

	if p, err := e.st.Proposal(context.Background(), pid); err != nil || p.Supports != 1 || p.Comments != 1 {
		t.Errorf("proposal in the store: %+v, %v; want 1 support, 1 comment", p, err)
	}
	if err := e.st.CheckCounters(context.Background()); err != nil {
		t.Errorf("counters: %v", err)
	}
}

// TestBrowser_DebateClosesLive has a debate close and then get its official
// conclusion while a citizen's page stays open.
func TestBrowser_DebateClosesLive(t *testing.T) {
	e := newEnv(t)
	bg := context.Background()
	br := newBrowser(t, e, 120*time.Second)

	const officialPass = "official passphrase 1"
	hash, err := forum.HashPassword(officialPass)
	if err != nil {
		t.Fatal(err)
	}
	official, err := e.st.CreateUser(bg, forum.User{Tier: forum.TierEmailVerified, Role: forum.RoleOfficial, MinistryID: e.mins[0].ID, Name: "김하늘", Email: "haneul@example.go.kr"}, hash)
	if err != nil {
		t.Fatal(err)
	}
	e.enrol(official.ID)
	const question = "공공 도서관 야간 개방이 필요합니까?"
	d, err := e.st.CreateDebate(bg, store.NewDebate{HostID: official.ID, Input: forum.DebateInput{Question: question,
		OpensAt: e.clock.Now(), ClosesAt: e.clock.Now().Add(time.Hour), MinistryID: e.mins[0].ID}})
	if err != nil {
		t.Fatal(err)
	}
	path := "/debates/" + strconv.FormatInt(d.ID, 10)

	// B argues in the open debate.
	b := br.tab("citizen B")
	b.registerInBrowser("정유나", "yuna@example.org")
	b.verifyInBrowser(e.st, "yuna@example.org")
	b.open(path)
	b.wantText("#debate-title", question)
	b.wantText("[data-live=debate-status]", "진행 중인 토론")
	b.waitText("#live-status", "실시간")
	b.noReload()
	const argument = "야간에도 공부할 곳이 필요합니다"
	b.do("choose stance", chromedp.Click(chromedp.CSS(`#comment-form fieldset.stance-choice input[value=for]`), chromedp.NodeVisible))
	b.typeInto("textarea#f-body", argument+". 독서실 비용이 부담됩니다.")
	b.tap(`#comment-form button[type=submit]`)
	b.waitCount("ol.comments > li.comment", 1)
	b.wantText("ol.comments > li.comment .comment-body", argument)
	b.wantText("[data-live=comments]", "1")
	b.wantText(".tally [data-tally=for]", "1")

	// The debate's time is up.
	b.watch("closed", `document.querySelector("[data-live=debate-status]").textContent.includes("종료된 토론")`)
	b.watch("no form", `document.querySelectorAll("form.comment-form").length === 0`)
	e.clock.Add(time.Hour)
	closedAt := time.Now()
	if _, closed, err := e.st.AdvanceDebates(bg); err != nil || closed != 1 {
		t.Fatalf("advance debates: %d closed, %v", closed, err)
	}
	b.waitText("[data-live=debate-status] .badge", "종료된 토론")
	b.waitCount("form.comment-form", 0)
	b.waitCount(`[data-live="closed-note"]:not([hidden])`, 1)
	b.wantText(`[data-live="closed-note"]`, "이 토론은 마감되어")
	t.Logf("B saw the badge %v and the form go %v after AdvanceDebates was called",
		b.seen("closed", closedAt), b.seen("no form", closedAt))
	b.wantText("ol.comments > li.comment .comment-body", argument)
	b.stillSame()

	// A reader who came after the close waits for the conclusion.
	w := br.tab("reader")
	w.open(path)
	w.waitText("#live-status", "실시간")
	w.wantText("[data-live=conclusion-pending]", "부처가 결론을 정리하고 있습니다.")
	w.noReload()

	// The official publishes the conclusion from a second context.
	o := br.tab("official")
	o.signInStaff(e, "haneul@example.go.kr", officialPass, "김하늘")
	o.wantText("header .role-badge", "담당 공무원")
	o.open(path)
	o.wantText("[data-live=debate-status]", "종료된 토론")
	o.wantCount("form.comment-form", 0)
	const conclusion = "시범 운영"
	o.typeInto("textarea#f-conclusion", "야간 개방을 **"+conclusion+"**합니다. 석 달 뒤 이용 실적을 공개하겠습니다.")
	b.watch("conclusion", `document.querySelector("[data-live=conclusion]").textContent.includes(`+jsString(conclusion)+`)`)
	published := time.Now()
	o.click(fmt.Sprintf(`form[action="%s/conclusion"] button[type=submit]`, path), 200)
	o.wantText(".flash", "결론을 공개했습니다")
	o.wantText("#conclusion .prose", "석 달 뒤 이용 실적을 공개하겠습니다")

	b.waitText("[data-live=conclusion]", conclusion)
	w.waitText("[data-live=conclusion]", conclusion)
	w.waitCount("[data-live=conclusion-pending]", 0) // no longer pending, without a reload
	w.stillSame()
	t.Logf("B saw the conclusion %v after the official pressed publish (the official's own page load included)",
		b.seen("conclusion", published))
	b.wantText("[data-live=conclusion] #conclusion-title", "결론")
	b.wantText("[data-live=conclusion] .prose strong", conclusion)
	b.wantText("[data-live=conclusion] .meta", "김하늘")
	b.wantText("[data-live=conclusion] .role-badge.role-official", "담당 공무원")
	if bad := b.hostileMarkup("[data-live=conclusion]"); bad != "" {
		t.Errorf("live conclusion carries %s", bad)
	}
	b.stillSame()
	b.screenshot("debate-concluded-live", 1280, 900, false)

	got, err := e.st.Debate(bg, d.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != forum.DebateClosed || got.ConcludedAt.IsZero() || got.Comments != 1 {
		t.Errorf("debate in the store: status %s, concluded %v, %d comments; want closed, concluded, 1", got.Status, got.ConcludedAt, got.Comments)
	}
}
