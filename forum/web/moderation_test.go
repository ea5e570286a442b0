package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/e-people/e-people/forum"
	"github.com/e-people/e-people/moderation"
)

// modLog returns the whole public moderation log, newest first.
func modLog(t *testing.T, e *env) []forum.ModAction {
	t.Helper()
	var all []forum.ModAction
	var before int64
	for {
		page, err := e.st.ModerationLog(context.Background(), before, 500)
		if err != nil {
			t.Fatalf("moderation log: %v", err)
		}
		all = append(all, page...)
		if len(page) < 500 {
			return all
		}
		before = page[len(page)-1].ID
	}
}

// modNewActions returns the log rows written after a log of n rows, oldest first.
func modNewActions(t *testing.T, e *env, n int) []forum.ModAction {
	t.Helper()
	all := modLog(t, e)
	if len(all) < n {
		t.Fatalf("the moderation log shrank from %d to %d rows", n, len(all))
	}
	out := slices.Clone(all[:len(all)-n])
	slices.Reverse(out)
	return out
}

// modWorld describes, through the store, everything a moderation request
// could change: the public log, the pending review entries with their
// claims and reports, the dashboard, pending appeals, every account with its
// notifications, every proposal and comment, and the moderation settings.
// Two equal descriptions mean nothing changed.
func modWorld(t *testing.T, e *env) string {
	t.Helper()
	ctx := context.Background()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("read state: %v", err)
		}
	}
	var b strings.Builder
	actions := modLog(t, e)
	fmt.Fprintf(&b, "moderation_actions: %d\n", len(actions))
	for _, a := range actions {
		fmt.Fprintf(&b, "action %d: %s %s %s:%d reason=%q %s->%s at %d\n", a.ID, a.ActorRole, a.Action, a.Kind, a.ItemID, a.ReasonCode, a.Before, a.After, a.CreatedAt.Unix())
	}
	queue, err := e.st.Queue(ctx, 1<<20)
	must(err)
	reports := 0
	fmt.Fprintf(&b, "review_items pending: %d\n", len(queue))
	for _, it := range queue {
		fmt.Fprintf(&b, "review %d: %s %s:%d rules=%v claimed_by=%d claimed_at=%d mod_state=%s\n", it.ID, it.State, it.Kind, it.ItemID, it.Rules, it.ClaimedBy, it.ClaimedAt.Unix(), it.ModState)
		for _, r := range it.Reports {
			reports++
			fmt.Fprintf(&b, "report %d on review %d: by %d %s %q\n", r.ID, it.ID, r.ReporterID, r.Reason, r.Text)
		}
	}
	fmt.Fprintf(&b, "reports of pending items: %d\n", reports)
	stats, err := e.st.ModerationStats(ctx)
	must(err)
	fmt.Fprintf(&b, "stats: pending=%d oldest=%v appeals=%d median=%v per_day=%v\n", stats.Pending, stats.OldestPending, stats.PendingAppeals, stats.MedianFirstTime, stats.ActionsPerDay)
	appeals, err := e.st.PendingAppeals(ctx)
	must(err)
	fmt.Fprintf(&b, "appeals pending: %d\n", len(appeals))
	for _, a := range appeals {
		fmt.Fprintf(&b, "appeal %d: %s:%d by %d state=%s hidden_by=%d\n", a.ID, a.Kind, a.ItemID, a.AuthorID, a.State, a.HiddenBy)
	}
	for id := int64(1); ; id++ { // ids are handed out in order and never reused
		u, err := e.st.User(ctx, id)
		if errors.Is(err, forum.ErrNotFound) {
			break
		}
		must(err)
		notes, err := e.st.Notifications(ctx, id, 1<<20)
		must(err)
		unread, err := e.st.UnreadNotifications(ctx, id)
		must(err)
		fmt.Fprintf(&b, "user %d: role=%s status=%s until=%d held=%t notifications=%d unread=%d\n", u.ID, u.Role, u.Status, u.SuspendedUntil.Unix(), u.Held, len(notes), unread)
	}
	for id := int64(1); ; id++ {
		p, err := e.st.Proposal(ctx, id)
		if errors.Is(err, forum.ErrNotFound) {
			break
		}
		must(err)
		fmt.Fprintf(&b, "proposal %d: status=%s mod_state=%s reason=%q locked=%t comments=%d\n", p.ID, p.Status, p.ModState, p.ModReason, p.Locked, p.Comments)
	}
	for id := int64(1); ; id++ {
		c, err := e.st.Comment(ctx, id)
		if errors.Is(err, forum.ErrNotFound) {
			break
		}
		must(err)
		fmt.Fprintf(&b, "comment %d: status=%s mod_state=%s reason=%q\n", c.ID, c.Status, c.ModState, c.ModReason)
	}
	for _, k := range []string{forum.SettingBannedTerms, forum.SettingAutoHide, "cap_proposals", "cap_comments", "cap_supports", "cap_reports", "cap_comments_first_day"} {
		v, err := e.st.Setting(ctx, k, "(unset)")
		must(err)
		fmt.Fprintf(&b, "setting %s=%q\n", k, v)
	}
	return b.String()
}

// modDiff lists the lines of two modWorld descriptions that differ.
func modDiff(before, after string) string {
	was, now := strings.Split(before, "\n"), strings.Split(after, "\n")
	var out []string
	for _, l := range was {
		if !slices.Contains(now, l) {
			out = append(out, "- "+l)
		}
	}
	for _, l := range now {
		if !slices.Contains(was, l) {
			out = append(out, "+ "+l)
		}
	}
	return strings.Join(out, "\n")
}

// modUser creates an account through the store, for actors that never sign
// in; staff are enrolled in a second factor, as their powers need.
func modUser(t *testing.T, e *env, role forum.Role, name string) *forum.User {
	t.Helper()
	userSeq++
	u, err := e.st.CreateUser(context.Background(), forum.User{Tier: forum.TierEmailVerified, Role: role, Name: name, Email: "mod" + itoa(userSeq) + "@example.org"}, "not a password hash")
	if err != nil {
		t.Fatal(err)
	}
	if !role.IsStaff() {
		return u
	}
	e.enrol(u.ID) // staff powers need a confirmed second factor
	if u, err = e.st.User(context.Background(), u.ID); err != nil {
		t.Fatal(err)
	}
	return u
}

// modComment posts a comment on a proposal through the form and returns its id.
func modComment(t *testing.T, c *client, pid int64, body string) int64 {
	t.Helper()
	r := c.post("/proposals/"+itoa(int(pid))+"/comments", url.Values{"stance": {"for"}, "body": {body}})
	if r.Status != 303 {
		t.Fatalf("comment %q: status %d: %.500s", body, r.Status, r.Body)
	}
	_, id, ok := strings.Cut(r.Header.Get("Location"), "#c")
	if !ok || atoi64(id) == 0 {
		t.Fatalf("comment %q: redirected to %q", body, r.Header.Get("Location"))
	}
	return atoi64(id)
}

// modReview returns the pending review entry of an item.
func modReview(t *testing.T, e *env, kind forum.ItemKind, id int64) *forum.ReviewItem {
	t.Helper()
	q, err := e.st.Queue(context.Background(), 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range q {
		if it.Kind == kind && it.ItemID == id {
			return it
		}
	}
	t.Fatalf("no pending review of %s %d", kind, id)
	return nil
}

// modAppealID returns the pending appeal of an item.
func modAppealID(t *testing.T, e *env, kind forum.ItemKind, id int64) int64 {
	t.Helper()
	list, err := e.st.PendingAppeals(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range list {
		if a.Kind == kind && a.ItemID == id {
			return a.ID
		}
	}
	t.Fatalf("no pending appeal of %s %d", kind, id)
	return 0
}

// modFollow loads the page a redirect leads to (without its #fragment), where its flash shows.
func modFollow(t *testing.T, c *client, r resp) resp {
	t.Helper()
	if r.Status != 303 {
		t.Fatalf("want a redirect, got %d: %.300s", r.Status, r.Body)
	}
	loc, _, _ := strings.Cut(r.Header.Get("Location"), "#")
	return c.get(loc)
}

func modClone(v url.Values) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = slices.Clone(vs)
	}
	return out
}

var unreadRe = regexp.MustCompile(`data-live="unread"[^>]*>([0-9]+)<`)

// modUnread reads the unread-notification badge in the page header.
func modUnread(t *testing.T, page string) int {
	t.Helper()
	m := unreadRe.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no notification badge in page: %.300s", page)
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

func modID(n int64) string { return strconv.FormatInt(n, 10) }

// TestModeration_RoleMatrix sends every request of the moderation and admin
// pages as each role: only staff get through, only admins into /admin, and
// a refused request (a wrong role or a bad CSRF token) changes nothing.
func TestModeration_RoleMatrix(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	writer := e.register("글쓴 시민")
	pid := e.openProposal(writer, "심야 버스 노선 확대", "심야에 귀가하는 시민을 위해 노선을 늘려 주십시오.")
	writerID := writer.user().ID
	anon := e.client()
	citizen := e.register("일반 시민")
	official := e.staff(forum.RoleOfficial, e.mins[0].ID, "김공무")
	moderator := e.staff(forum.RoleModerator, 0, "류지혜")
	admin := e.staff(forum.RoleAdmin, 0, "이도현")
	// Actors behind the fixtures, through the store; they never sign in.
	hider := modUser(t, e, forum.RoleModerator, "숨긴 운영자")
	root := modUser(t, e, forum.RoleAdmin, "설정 관리자")
	reporter := modUser(t, e, forum.RoleCitizen, "신고 시민")

	seq := 0
	comment := func() int64 {
		seq++
		return modComment(t, writer, pid, fmt.Sprintf("심야 버스 의견 %d번입니다", seq))
	}
	reported := func() int64 { // a visible comment with a pending review entry
		cid := comment()
		if _, err := e.st.Report(ctx, forum.Report{Kind: forum.ItemComment, ItemID: cid, ReporterID: reporter.ID, Reason: "spam", Text: "광고로 보입니다"}, 0, nil); err != nil {
			t.Fatal(err)
		}
		return modReview(t, e, forum.ItemComment, cid).ID
	}
	hidden := func() int64 { // a comment another moderator hid
		cid := comment()
		if err := e.st.Hide(ctx, hider, forum.ItemComment, cid, moderation.HideSpam); err != nil {
			t.Fatal(err)
		}
		return cid
	}
	target := func() int64 { return modUser(t, e, forum.RoleCitizen, "대상 시민").ID }

	type who struct {
		name string
		c    *client
	}
	type route struct {
		name    string
		admin   bool   // under /admin: moderators are refused too
		page    string // a GET page: the text an allowed viewer sees
		fixture func() (path string, form url.Values)
	}
	routes := []route{
		{name: "queue", page: "운영 검토", fixture: func() (string, url.Values) { return "/moderation", nil }},
		{name: "queue with slash", page: "운영 검토", fixture: func() (string, url.Values) { return "/moderation/", nil }},
		{name: "act form", page: "운영 조치", fixture: func() (string, url.Values) { return "/moderation/act?kind=comment&id=" + modID(comment()), nil }},
		{name: "act form for a user", page: "이용 정지", fixture: func() (string, url.Values) { return "/moderation/act?kind=user&id=" + modID(target()), nil }},
		{name: "appeals", page: "이의 신청", fixture: func() (string, url.Values) { return "/moderation/appeals", nil }},
		{name: "claim", fixture: func() (string, url.Values) {
			return "/moderation/items/" + modID(reported()) + "/claim", url.Values{}
		}},
		{name: "decide", fixture: func() (string, url.Values) {
			return "/moderation/items/" + modID(reported()) + "/decide", url.Values{"decision": {"reject"}, "reason": {"spam"}}
		}},
		{name: "bulk", fixture: func() (string, url.Values) {
			return "/moderation/bulk", url.Values{"decision": {"ignore"}, "ids": {modID(reported()), modID(reported())}}
		}},
		{name: "hide", fixture: func() (string, url.Values) {
			return "/moderation/hide", url.Values{"kind": {"comment"}, "id": {modID(comment())}, "reason": {"offensive"}}
		}},
		{name: "restore", fixture: func() (string, url.Values) {
			return "/moderation/restore", url.Values{"kind": {"comment"}, "id": {modID(hidden())}}
		}},
		{name: "lock", fixture: func() (string, url.Values) {
			seq++
			p := writer.propose(fmt.Sprintf("잠금 시험 제안 %d번", seq), fmt.Sprintf("잠금 시험 본문 %d번", seq))
			return "/moderation/lock", url.Values{"kind": {"proposal"}, "id": {modID(p)}, "locked": {"1"}}
		}},
		{name: "suspend", fixture: func() (string, url.Values) {
			return "/moderation/users/" + modID(target()) + "/suspend", url.Values{"days": {"1"}, "reason": {"spam"}}
		}},
		{name: "lift", fixture: func() (string, url.Values) {
			id := target()
			if err := e.st.Suspend(ctx, root, id, e.clock.Now().Add(7*24*time.Hour), moderation.HideSpam); err != nil {
				t.Fatal(err)
			}
			return "/moderation/users/" + modID(id) + "/lift", url.Values{}
		}},
		{name: "appeal decision", fixture: func() (string, url.Values) {
			cid := hidden()
			if err := e.st.FileAppeal(ctx, writerID, forum.ItemComment, cid, "광고가 아니라 경험담입니다"); err != nil {
				t.Fatal(err)
			}
			return "/moderation/appeals/" + modID(modAppealID(t, e, forum.ItemComment, cid)) + "/decide", url.Values{"grant": {"1"}, "reason": {"경험담으로 봅니다"}}
		}},
		{name: "admin settings page", admin: true, page: "운영 설정", fixture: func() (string, url.Values) { return "/admin/settings", nil }},
		{name: "admin settings save", admin: true, fixture: func() (string, url.Values) {
			seq++
			form := settingsForm(e.st.Settings())
			form.Set(forum.SettingBannedTerms, "토토사이트\n새 금칙어 "+itoa(seq))
			form.Set(forum.SettingAutoHide, "4")
			return "/admin/settings", form
		}},
		{name: "appoint", admin: true, fixture: func() (string, url.Values) {
			return "/admin/users/" + modID(target()) + "/appoint", url.Values{}
		}},
	}

	send := func(c *client, path string, form url.Values) resp {
		if form == nil {
			return c.get(path)
		}
		return c.post(path, modClone(form))
	}
	// unchanged runs req and fails unless the world is as it was.
	unchanged := func(what string, req func() resp, check func(resp)) {
		t.Helper()
		before := modWorld(t, e)
		r := req()
		check(r)
		if after := modWorld(t, e); after != before {
			t.Errorf("%s changed the state:\n%s", what, modDiff(before, after))
		}
	}

	for _, rt := range routes {
		path, form := rt.fixture()
		get := form == nil
		refused := []who{{"anonymous", anon}, {"citizen", citizen}, {"official", official}}
		if rt.admin {
			refused = append(refused, who{"moderator", moderator})
		}
		for _, who := range refused {
			what := fmt.Sprintf("%s (%s) as %s", rt.name, path, who.name)
			unchanged(what, func() resp { return send(who.c, path, form) }, func(r resp) {
				want := 403
				switch {
				case who.name == "anonymous" && get:
					want = 303
					if loc := r.Header.Get("Location"); !strings.HasPrefix(loc, "/login?next=") {
						t.Errorf("%s: redirected to %q, want the sign-in page", what, loc)
					}
				case who.name == "anonymous":
					want = 401
				}
				if r.Status != want {
					t.Errorf("%s: status %d, want %d", what, r.Status, want)
				}
				if rt.page != "" && strings.Contains(r.Body, "<h1 class=\"page-title\">"+rt.page) {
					t.Errorf("%s: the staff page was shown", what)
				}
			})
		}
		if !get {
			for _, f := range []struct{ name, token string }{
				{"no", ""},
				{"a forged", strings.Repeat("A", 43)},
				{"another session's", citizen.csrf()},
			} {
				what := fmt.Sprintf("%s (%s) as admin with %s CSRF token", rt.name, path, f.name)
				unchanged(what, func() resp {
					body := modClone(form)
					if f.token != "" {
						body.Set("_csrf", f.token)
					}
					return admin.do("POST", path, body)
				}, func(r resp) {
					if r.Status != 403 || !strings.Contains(r.Body, "보안 확인에 실패했습니다") {
						t.Errorf("%s: status %d: %.200s", what, r.Status, r.Body)
					}
				})
			}
		}
		allowed := []who{{"moderator", moderator}, {"admin", admin}}
		if rt.admin {
			allowed = allowed[1:]
		}
		for i, who := range allowed {
			if i > 0 { // the first one used up the fixture
				path, form = rt.fixture()
			}
			what := fmt.Sprintf("%s (%s) as %s", rt.name, path, who.name)
			before := modWorld(t, e)
			r := send(who.c, path, form)
			after := modWorld(t, e)
			switch {
			case get && r.Status != 200:
				t.Errorf("%s: status %d: %.300s", what, r.Status, r.Body)
			case get && !strings.Contains(r.Body, rt.page):
				t.Errorf("%s: page lacks %q", what, rt.page)
			case !get && r.Status != 303:
				t.Errorf("%s: status %d: %.300s", what, r.Status, r.Body)
			case !get && after == before:
				t.Errorf("%s: allowed, but nothing changed", what)
			}
		}
	}

	// Pages for any signed-in user send visitors to sign in and take nothing from them.
	cid := hidden()
	for _, tc := range []struct {
		path string
		form url.Values
	}{
		{"/reports/new?kind=comment&id=" + modID(cid), nil},
		{"/reports", url.Values{"kind": {"comment"}, "id": {modID(cid)}, "reason": {"spam"}}},
		{"/appeals/new?kind=comment&id=" + modID(cid), nil},
		{"/appeals", url.Values{"kind": {"comment"}, "id": {modID(cid)}, "text": {"다시 봐 주십시오"}}},
		{"/notifications", nil},
		{"/notifications/read", url.Values{}},
	} {
		what := tc.path + " as anonymous"
		unchanged(what, func() resp { return send(anon, tc.path, tc.form) }, func(r resp) {
			want := 401
			if tc.form == nil {
				want = 303
			}
			if r.Status != want {
				t.Errorf("%s: status %d, want %d", what, r.Status, want)
			}
		})
	}
	// A citizen may not appeal someone else's hidden comment.
	unchanged("appeal by a citizen who did not write the comment", func() resp {
		return citizen.post("/appeals", url.Values{"kind": {"comment"}, "id": {modID(cid)}, "text": {"제 글이 아닙니다"}})
	}, func(r resp) {
		if r.Status != 403 {
			t.Errorf("appeal by another citizen: status %d", r.Status)
		}
	})
	if err := e.st.CheckCounters(ctx); err != nil {
		t.Error(err)
	}
}

// Texts the moderation scenarios post and look for.
const (
	roadText     = "자전거 도로부터 먼저 정비해야 합니다" // the comment three citizens report
	bannedText   = "싸게 파는 토토사이트 주소 알려 드립니다"
	twoLinks     = "자료: https://a.example.org/1 https://b.example.org/2"
	threeLinks   = "참고 자료: https://a.example.org/x https://b.example.org/y https://c.example.org/z"
	parkText     = "공원 관리 예산을 늘려야 합니다" // the comment a moderator hides and its author appeals
	appealText   = "정책 비판일 뿐 욕설이 아닙니다"
	grantText    = "비판 의견으로 봅니다"
	reportSecret = "신고자만 아는 비밀 사유 문장입니다" // a report's text: only staff may read it
	heldNote     = "운영자 검토를 기다리는 의견입니다."
	claimNote    = "류지혜 님이 2026년 11월 27일 18:30까지 맡아 처리 중인 항목입니다."
	capNote      = "오늘 할 수 있는 횟수를 모두 사용했습니다. 2026년 11월 28일 00:00에 다시 이용할 수 있습니다."
	// toMidnight is Retry-After for a daily cap: the seed's clock reads 18:00 in Seoul.
	toMidnight = "21600"
)

// hiddenNote is what others see in place of a hidden comment.
func hiddenNote(reason string) string {
	return "운영 원칙에 따라 숨겨진 의견입니다. 사유: " + reason
}

// logRows is the moderation log the request wrote, oldest first: "role action kind id reason" per row.
func logRows(want string) row {
	return row{`SELECT COALESCE(` + stringAgg() + `(rtrim(actor_role || ' ' || action || ' ' || item_kind || ' ' || item_id || ' ' || reason_code), '; ' ORDER BY id), '')
		FROM moderation_actions WHERE id > {log}`, want}
}

// commentState is a comment's moderation state and reason.
func commentState(id, want string) row {
	return row{`SELECT rtrim(mod_state || ' ' || mod_reason) FROM comments WHERE id = ` + id, want}
}

// reviewRules is the content rules that put an item in the review queue.
func reviewRules(kind, id, want string) row {
	return row{`SELECT rules FROM review_items WHERE state = 'pending' AND item_kind = '` + kind + `' AND item_id = ` + id, want}
}

// newModSeed builds the forum every moderation scenario starts from: two
// open proposals ({pid} and {other}) with their author, a citizen who
// comments, three who report, two moderators and an admin, all signed in.
func newModSeed(t *testing.T) *seed {
	return newSeed(t, func(f *fixture) {
		f.register("proposer", "제안 시민")
		f.set("pid", f.e.openProposal(f.as("proposer"), "공공 자전거 대여소 확충", "지하철역마다 대여소를 두어 주십시오."))
		f.set("other", f.e.openProposal(f.as("proposer"), "공공 자전거 헬멧 대여", "대여소에서 헬멧도 빌려 주십시오."))
		f.register("writer", "의견 시민")
		f.staff("mod1", forum.RoleModerator, "류지혜")
		f.staff("mod2", forum.RoleModerator, "박정우")
		f.staff("admin", forum.RoleAdmin, "이도현")
		f.register("reporter1", "신고 하나")
		f.register("reporter2", "신고 둘")
		f.register("reporter3", "신고 셋")
	})
}

// staff signs in a new staff member as the client called name.
func (f *fixture) staff(name string, role forum.Role, display string) {
	f.t.Helper()
	c := f.e.staff(role, 0, display)
	f.clients[name] = c
	f.set(name, c.user().ID)
}

// comment posts a comment as who on the seed's proposal and returns its id.
func (f *fixture) comment(who, body string) int64 {
	f.t.Helper()
	return modComment(f.t, f.as(who), f.id("pid"), body)
}

// report reports a comment as who.
func (f *fixture) report(who string, cid int64, reason, text string) {
	f.t.Helper()
	f.post(who, "/reports", url.Values{"kind": {"comment"}, "id": {modID(cid)}, "reason": {reason}, "text": {text}})
}

// reportedByThree is the writer's comment, hidden by three reports (the first with a secret text).
func (f *fixture) reportedByThree() int64 {
	f.t.Helper()
	cid := f.comment("writer", roadText)
	f.report("reporter1", cid, "other", reportSecret)
	f.report("reporter2", cid, "spam", "")
	f.report("reporter3", cid, "abuse", "")
	return cid
}

// reported is a comment of the writer with one report, so it has a pending review entry.
func (f *fixture) reported(body string) int64 {
	f.t.Helper()
	cid := f.comment("writer", body)
	f.report("reporter1", cid, "offtopic", "")
	return cid
}

// heldForBannedTerm is a new citizen's comment with a banned term, held for review.
func (f *fixture) heldForBannedTerm() int64 {
	f.t.Helper()
	f.register("spammer", "금칙어 시민")
	r := f.post("spammer", "/proposals/{pid}/comments", url.Values{"stance": {"neutral"}, "body": {bannedText}})
	_, id, _ := strings.Cut(r.Header.Get("Location"), "#c")
	return atoi64(id)
}

// heldForLinks is a brand-new account's comment with three links, held for
// review, after one with two links.
func (f *fixture) heldForLinks() int64 {
	f.t.Helper()
	f.register("newbie", "새내기 시민")
	f.comment("newbie", twoLinks)
	return f.comment("newbie", threeLinks)
}

// review returns the pending review entry of a comment.
func (f *fixture) review(cid int64) int64 {
	f.t.Helper()
	return modReview(f.t, f.e, forum.ItemComment, cid).ID
}

// decide decides a comment's review entry as mod.
func (f *fixture) decide(mod string, cid int64, decision, reason string) {
	f.t.Helper()
	f.post(mod, "/moderation/items/"+modID(f.review(cid))+"/decide", url.Values{"decision": {decision}, "reason": {reason}})
}

// hide hides a comment as mod.
func (f *fixture) hide(mod string, cid int64, reason string) {
	f.t.Helper()
	f.post(mod, "/moderation/hide", url.Values{"kind": {"comment"}, "id": {modID(cid)}, "reason": {reason}})
}

// appeal appeals the hiding of the writer's comment.
func (f *fixture) appeal(cid int64, text string) {
	f.t.Helper()
	f.post("writer", "/appeals", url.Values{"kind": {"comment"}, "id": {modID(cid)}, "text": {text}})
}

// decideAppeal grants ("1") or denies ("0") the appeal of a comment as mod.
func (f *fixture) decideAppeal(mod string, cid int64, grant, reason string) {
	f.t.Helper()
	aid := modAppealID(f.t, f.e, forum.ItemComment, cid)
	f.post(mod, "/moderation/appeals/"+modID(aid)+"/decide", url.Values{"grant": {grant}, "reason": {reason}})
}

// hiddenAndAppealed is the writer's comment parkText, hidden by mod1 as
// offensive and appealed by the writer; {unread} is the writer's
// notification badge between the two.
func (f *fixture) hiddenAndAppealed() int64 {
	f.t.Helper()
	cid := f.comment("writer", parkText)
	f.hide("mod1", cid, "offensive")
	f.set("unread", int64(modUnread(f.t, f.as("writer").get(f.expand("/proposals/{pid}")).Body)))
	f.appeal(cid, appealText)
	return cid
}

// lock locks ("1") or unlocks ("0") the seed's proposal as mod.
func (f *fixture) lock(mod, locked string) {
	f.t.Helper()
	f.post(mod, "/moderation/lock", url.Values{"kind": {"proposal"}, "id": {"{pid}"}, "locked": {locked}})
}

// suspended is a new citizen, the client "target", suspended by mod1 for a day as offensive.
func (f *fixture) suspended() int64 {
	f.t.Helper()
	id := f.register("target", "정지 시민")
	f.post("mod1", "/moderation/users/"+modID(id)+"/suspend", url.Values{"days": {"1"}, "reason": {"offensive"}})
	return id
}

// setting sets one setting through the store.
func (f *fixture) setting(key, value string) {
	f.t.Helper()
	if err := f.e.st.SetSettings(context.Background(), map[string]string{key: value}); err != nil {
		f.t.Fatal(err)
	}
}

// disposable makes the server treat a domain as a throw-away e-mail provider.
func (f *fixture) disposable(domain string) {
	f.t.Helper()
	dd, err := moderation.LoadDisposableDomains(strings.NewReader(domain))
	if err != nil {
		f.t.Fatal(err)
	}
	f.e.srv.cfg.Disposable = dd
}

// throwaway signs up the client "throwaway" with an address at a throw-away domain, so its account is held.
func (f *fixture) throwaway() {
	f.t.Helper()
	f.disposable("mailinator.com")
	f.clients["throwaway"] = f.e.client()
	f.post("throwaway", "/register", url.Values{"name": {"일회용 시민"}, "email": {"someone@mailinator.com"}, "password": {"correct horse battery staple"}, "consent": {"1"}})
	f.set("throwaway", f.as("throwaway").user().ID)
}

// nextDayInSeoul moves the clock to a minute past the coming midnight in Seoul.
func (f *fixture) nextDayInSeoul() {
	now := f.e.clock.Now().In(seoul)
	midnight := time.Date(now.Year(), now.Month(), now.Day()+1, 0, 0, 0, 0, seoul)
	f.e.clock.Add(midnight.Sub(f.e.clock.Now()) + time.Minute)
}

// everyAction writes one log row of each kind the public log must show:
// an auto-hide, a hold, a rejection, a hiding with its granted appeal, a
// lock and a suspension.
func (f *fixture) everyAction() {
	f.t.Helper()
	f.set("autoHidden", f.reportedByThree())
	f.set("banned", f.heldForBannedTerm())
	links := f.set("links", f.heldForLinks())
	f.decide("mod1", links, "reject", "spam")
	appealed := f.set("appealed", f.hiddenAndAppealed())
	f.decideAppeal("mod2", appealed, "1", grantText)
	f.lock("mod1", "1")
	f.set("suspended", f.suspended())
}

// usedReportCap leaves the citizen "capper" with a daily report cap of one,
// spent on one of the writer's comments, and another comment ({cid}) to
// report next.
func usedReportCap(f *fixture) {
	f.register("capper", "한도 시민")
	first := f.comment("writer", "한도 시험용 의견 하나")
	f.set("cid", f.comment("writer", "한도 시험용 의견 둘"))
	f.setting(forum.SettingCapReports, "1")
	f.report("capper", first, "spam", "")
}

// TestModeration_Flows sends each step of reports, the content rules, daily
// caps, the review queue, appeals, locks, suspensions and the public log
// through the real forms, each on its own copy of one seed forum.
func TestModeration_Flows(t *testing.T) {
	s := newModSeed(t)
	ppath := "/proposals/{pid}"
	reportForm := func(id, reason, text string) url.Values {
		return url.Values{"kind": {"comment"}, "id": {id}, "reason": {reason}, "text": {text}}
	}
	commentForm := func(body string) url.Values { return url.Values{"stance": {"for"}, "body": {body}} }
	appealForm := func(text string) url.Values { return url.Values{"kind": {"comment"}, "id": {"{cid}"}, "text": {text}} }
	suspendForm := func(days, reason string) url.Values { return url.Values{"days": {days}, "reason": {reason}} }
	lockForm := func(locked string) url.Values {
		return url.Values{"kind": {"proposal"}, "id": {"{pid}"}, "locked": {locked}}
	}
	decideForm := func(decision, reason string) url.Values {
		return url.Values{"decision": {decision}, "reason": {reason}}
	}
	proposalForm := func(title string) url.Values {
		return url.Values{"title": {title}, "body": {title + " 본문입니다"}, "category": {modID(s.e.cats[0].ID)}, "ministry": {modID(s.e.mins[0].ID)}}
	}
	// The states the scenarios start from, each naming the ids its requests use.
	comment := func(f *fixture) { f.set("cid", f.comment("writer", roadText)) }
	byThree := func(f *fixture) { f.set("review", f.review(f.set("cid", f.reportedByThree()))) }
	banned := func(f *fixture) { f.set("review", f.review(f.set("cid", f.heldForBannedTerm()))) }
	links := func(f *fixture) { f.set("review", f.review(f.set("cid", f.heldForLinks()))) }
	rejected := func(f *fixture) { links(f); f.decide("mod1", f.id("cid"), "reject", "spam") }
	claimed := func(f *fixture) {
		f.set("review", f.review(f.set("cid", f.reported("청구 시험 의견입니다"))))
		f.post("mod1", "/moderation/items/{review}/claim", nil)
	}
	twoReported := func(f *fixture) {
		f.set("a", f.reported("일괄 처리 의견 하나"))
		f.set("b", f.reported("일괄 처리 의견 둘"))
		f.set("ra", f.review(f.id("a")))
		f.set("rb", f.review(f.id("b")))
	}
	hidden := func(f *fixture) {
		cid := f.set("cid", f.comment("writer", parkText))
		f.hide("mod1", cid, "offensive")
	}
	appealed := func(f *fixture) {
		cid := f.set("cid", f.hiddenAndAppealed())
		f.set("appeal", modAppealID(f.t, f.e, forum.ItemComment, cid))
	}
	granted := func(f *fixture) { appealed(f); f.decideAppeal("mod2", f.id("cid"), "1", grantText) }
	denied := func(f *fixture) {
		cid := f.set("cid", f.comment("writer", "관리 예산 이야기를 다시 합니다"))
		f.hide("mod1", cid, "offtopic")
		f.appeal(cid, "주제와 관련 있습니다")
		f.set("appeal", modAppealID(f.t, f.e, forum.ItemComment, cid))
	}
	locked := func(f *fixture) { f.lock("mod1", "1") }
	target := func(f *fixture) { f.register("target", "정지 시민") }
	suspended := func(f *fixture) { f.suspended() }
	lifted := func(f *fixture) { f.suspended(); f.post("mod1", "/moderation/users/{target}/lift", nil) }
	private := []string{reportSecret, "광고로 보입니다", "reporter", "신고 하나", "신고 둘", "신고 셋", appealText, grantText}

	cases := []scenario{
		// Reports, and three of them hide a comment until a moderator looks.
		{name: "the report form names the comment and the reasons", setup: comment,
			as: "reporter1", method: "GET", path: "/reports/new?kind=comment&id={cid}",
			status: 200, want: []string{roadText, "신고 사유", "기타", "스팸·광고"}},
		{name: "a report for another reason needs its text", setup: comment,
			as: "reporter1", method: "POST", path: "/reports", form: reportForm("{cid}", "other", "  "),
			status: 400, want: []string{"‘기타’를 고르셨다면 사유를 적어 주십시오.", `aria-invalid="true"`}, unchanged: true},
		{name: "a report with an unknown reason is refused", setup: comment,
			as: "reporter1", method: "POST", path: "/reports", form: reportForm("{cid}", "boring", ""),
			status: 400, want: []string{"사유를 선택해 주십시오."}, unchanged: true},
		{name: "reporting one's own comment is refused", setup: comment,
			as: "writer", method: "POST", path: "/reports", form: reportForm("{cid}", "spam", ""),
			status: 403, unchanged: true},
		{name: "a report is received", setup: comment,
			as: "reporter1", method: "POST", path: "/reports", form: reportForm("{cid}", "other", reportSecret),
			status: 303, location: ppath + "?comment={cid}#c{cid}", follow: []string{"신고를 접수했습니다"}},
		{name: "a second report by the same citizen counts once",
			setup: func(f *fixture) { comment(f); f.report("reporter1", f.id("cid"), "other", reportSecret) },
			as:    "reporter1", method: "POST", path: "/reports", form: reportForm("{cid}", "spam", ""),
			status: 303, follow: []string{"이미 신고하신 항목입니다."},
			rows: []row{
				{`SELECT ` + stringAgg() + `(reason || ' ' || text, '; ') FROM reports r JOIN review_items i ON i.item_kind = r.item_kind AND i.item_id = r.item_id
					WHERE i.state = 'pending' AND r.item_kind = 'comment' AND r.item_id = {cid}`, "other " + reportSecret},
				logRows(""),
			}},
		{name: "a second citizen's report hides nothing",
			setup: func(f *fixture) { comment(f); f.report("reporter1", f.id("cid"), "other", reportSecret) },
			as:    "reporter2", method: "POST", path: "/reports", form: reportForm("{cid}", "spam", ""),
			status: 303, rows: []row{logRows(""), commentState("{cid}", "visible")}},
		{name: "two reports leave the comment up: the threshold is three",
			setup: func(f *fixture) {
				comment(f)
				f.report("reporter1", f.id("cid"), "other", reportSecret)
				f.report("reporter2", f.id("cid"), "spam", "")
			},
			as: "guest", method: "GET", path: ppath, status: 200, want: []string{roadText}},
		{name: "a third report hides the comment pending review",
			setup: func(f *fixture) {
				comment(f)
				f.report("reporter1", f.id("cid"), "other", reportSecret)
				f.report("reporter2", f.id("cid"), "spam", "")
			},
			as: "reporter3", method: "POST", path: "/reports", form: reportForm("{cid}", "abuse", ""),
			status: 303, rows: []row{logRows("system auto_hide comment {cid} reports"), commentState("{cid}", "hidden reports")}},
	}
	for _, who := range []string{"guest", "reporter1", "proposer"} {
		cases = append(cases, scenario{name: "a comment hidden by reports shows " + who + " only its placeholder", setup: byThree,
			as: who, method: "GET", path: ppath,
			status: 200, want: []string{hiddenNote("신고 누적 (검토 대기)")}, notWant: []string{roadText, "/appeals/new?kind=comment&amp;id={cid}"}})
	}
	cases = append(cases, []scenario{
		{name: "the author of a comment hidden by reports sees its text and may appeal", setup: byThree,
			as: "writer", method: "GET", path: ppath,
			status: 200, want: []string{hiddenNote("신고 누적 (검토 대기)"), roadText, "작성자인 나와 운영자만 볼 수 있는 원문입니다",
				`href="/appeals/new?kind=comment&amp;id={cid}"`, "이의 신청"}},
		{name: "the author of a comment hidden by reports is told why", setup: byThree,
			as: "writer", method: "GET", path: "/notifications",
			status: 200, want: []string{"작성하신 의견이 숨겨졌습니다(사유: 신고 누적 (검토 대기)): “"}},
		{name: "a moderator sees the text of a comment hidden by reports", setup: byThree,
			as: "mod1", method: "GET", path: ppath,
			status: 200, want: []string{roadText, "운영자에게만 보이는 원문입니다", "/moderation/act?kind=comment&amp;id={cid}"}},

		// Content rules hold a post for review, or refuse it.
		{name: "a banned term holds the comment for review", setup: func(f *fixture) { f.register("spammer", "금칙어 시민") },
			as: "spammer", method: "POST", path: ppath + "/comments", form: url.Values{"stance": {"neutral"}, "body": {bannedText}},
			status: 303, follow: []string{"게시 전에 운영자 검토가 필요한 내용이 있어"},
			rows: []row{logRows("system hold comment {new} banned_term"), commentState("{new}", "held"), reviewRules("comment", "{new}", "banned_term")}},
		{name: "a held comment is not shown to the public", setup: banned,
			as: "guest", method: "GET", path: ppath, status: 200, want: []string{heldNote}, notWant: []string{"토토사이트"}},
		{name: "the queue shows a comment held for a banned term", setup: banned,
			as: "mod1", method: "GET", path: "/moderation", status: 200, want: []string{"금칙어", "의견 #{cid}", "토토사이트"}},
		{name: "the same text twice within five minutes is refused",
			setup: func(f *fixture) { f.comment("writer", "대여소 위치를 공개해 주십시오") },
			as:    "writer", method: "POST", path: ppath + "/comments", form: commentForm("대여소 위치를 공개해 주십시오"),
			status: 400, want: []string{"방금 같은 내용을 올리셨습니다. 5분 안에는 같은 글을 다시 올릴 수 없습니다."}, unchanged: true},
		{name: "the same text after five minutes is taken",
			setup: func(f *fixture) {
				f.comment("writer", "대여소 위치를 공개해 주십시오")
				f.e.clock.Add(6 * time.Minute)
			},
			as: "writer", method: "POST", path: ppath + "/comments", form: commentForm("대여소 위치를 공개해 주십시오"),
			status: 303, rows: []row{commentState("{new}", "visible")}},
		{name: "two links from a brand-new account are taken", setup: func(f *fixture) { f.register("newbie", "새내기 시민") },
			as: "newbie", method: "POST", path: ppath + "/comments", form: commentForm(twoLinks),
			status: 303, rows: []row{commentState("{new}", "visible")}},
		{name: "three links from a brand-new account are held",
			setup: func(f *fixture) { f.register("newbie", "새내기 시민"); f.comment("newbie", twoLinks) },
			as:    "newbie", method: "POST", path: ppath + "/comments", form: commentForm(threeLinks),
			status: 303, rows: []row{commentState("{new}", "held"), reviewRules("comment", "{new}", "too_many_links")}},
		{name: "the queue shows a comment held for its links", setup: links,
			as: "mod1", method: "GET", path: "/moderation", status: 200, want: []string{"새 계정의 링크 과다", "의견 #{cid}"}},
		{name: "an account from a throw-away e-mail domain is held",
			setup: func(f *fixture) { f.disposable("mailinator.com") },
			as:    "guest", method: "POST", path: "/register",
			form:   url.Values{"name": {"일회용 시민"}, "email": {"someone@mailinator.com"}, "password": {"correct horse battery staple"}, "consent": {"1"}},
			status: 303, follow: []string{"일회용 이메일 주소라서"},
			rows: []row{{`SELECT held FROM users WHERE email = 'someone@mailinator.com'`, "1"}}},
		{name: "a held account's comment waits for review", setup: func(f *fixture) { f.throwaway() },
			as: "throwaway", method: "POST", path: ppath + "/comments", form: commentForm("첫 의견을 남깁니다"),
			status: 303, rows: []row{commentState("{new}", "held"), reviewRules("comment", "{new}", "held_account"),
				{`SELECT count(*) FROM review_items WHERE state = 'pending' AND item_kind = 'user' AND item_id = {throwaway}`, "1"}}},
		{name: "the queue shows a held account's comment",
			setup: func(f *fixture) { f.throwaway(); f.set("cid", f.comment("throwaway", "첫 의견을 남깁니다")) },
			as:    "mod1", method: "GET", path: "/moderation", status: 200, want: []string{"검토 중인 계정", "의견 #{cid}"}},
		{name: "a held account's comment is not public",
			setup: func(f *fixture) { f.throwaway(); f.comment("throwaway", "첫 의견을 남깁니다") },
			as:    "guest", method: "GET", path: ppath, status: 200, notWant: []string{"첫 의견을 남깁니다"}},

		// Daily caps: a citizen's quota ends at midnight in Seoul; staff have none.
		{name: "a citizen over the daily comment cap is refused until midnight in Seoul",
			setup: func(f *fixture) {
				f.register("capper", "한도 시민")
				f.setting("cap_comments_first_day", "2") // within the daily cap, which it may not exceed
				f.setting("cap_comments", "2")
				f.comment("capper", "오늘 첫 의견")
				f.comment("capper", "오늘 둘째 의견")
			},
			as: "capper", method: "POST", path: ppath + "/comments", form: commentForm("오늘 셋째 의견"),
			status: 429, header: map[string]string{"Retry-After": toMidnight}, want: []string{capNote}, unchanged: true},
		{name: "staff are not capped",
			setup: func(f *fixture) {
				f.setting("cap_comments_first_day", "2")
				f.setting("cap_comments", "2")
				f.comment("mod1", "운영자 공지 하나")
				f.comment("mod1", "운영자 공지 둘")
			},
			as: "mod1", method: "POST", path: ppath + "/comments", form: commentForm("운영자 공지 셋"), status: 303},
		{name: "a citizen over the daily support cap is refused",
			setup: func(f *fixture) {
				f.register("capper", "한도 시민")
				f.setting("cap_supports", "1")
				f.post("capper", ppath+"/support", nil)
			},
			as: "capper", method: "POST", path: "/proposals/{other}/support",
			status: 429, header: map[string]string{"Retry-After": toMidnight}, want: []string{capNote}, unchanged: true},
		{name: "a citizen over the daily report cap is refused", setup: usedReportCap,
			as: "capper", method: "POST", path: "/reports", form: reportForm("{cid}", "spam", ""),
			status: 429, header: map[string]string{"Retry-After": toMidnight}, want: []string{capNote}, unchanged: true},
		{name: "a citizen over the daily proposal cap is refused",
			setup: func(f *fixture) {
				f.register("capper", "한도 시민")
				f.setting("cap_proposals", "1")
				f.post("capper", "/proposals", proposalForm("자전거 보관대 확충"))
			},
			as: "capper", method: "POST", path: "/proposals", form: proposalForm("자전거 수리소 운영"),
			status: 429, header: map[string]string{"Retry-After": toMidnight}, want: []string{capNote}, unchanged: true},
		{name: "the caps start again the next day in Seoul",
			setup: func(f *fixture) {
				usedReportCap(f)
				f.nextDayInSeoul()
			},
			as: "capper", method: "POST", path: "/reports", form: reportForm("{cid}", "spam", ""), status: 303},

		// The review queue: approve, reject, ignore, claim, bulk.
		{name: "approving a held comment publishes it", setup: banned,
			as: "mod1", method: "POST", path: "/moderation/items/{review}/decide", form: decideForm("approve", ""),
			status: 303, rows: []row{logRows("moderator approve comment {cid}"), commentState("{cid}", "visible")}},
		{name: "an approved comment is public",
			setup: func(f *fixture) { banned(f); f.decide("mod1", f.id("cid"), "approve", "") },
			as:    "guest", method: "GET", path: ppath, status: 200, want: []string{"토토사이트"}},
		{name: "rejecting without a reason is refused", setup: links,
			as: "mod1", method: "POST", path: "/moderation/items/{review}/decide", form: decideForm("reject", ""),
			status: 400, want: []string{"사유를 선택해 주십시오."}, unchanged: true},
		{name: "an unknown decision is refused", setup: links,
			as: "mod1", method: "POST", path: "/moderation/items/{review}/decide", form: decideForm("shrug", ""),
			status: 400, want: []string{"처리 방법이 올바르지 않습니다."}, unchanged: true},
		{name: "rejecting with a reason hides the comment", setup: links,
			as: "mod1", method: "POST", path: "/moderation/items/{review}/decide", form: decideForm("reject", "spam"),
			status: 303, rows: []row{logRows("moderator reject comment {cid} spam"), commentState("{cid}", "hidden spam")}},
		{name: "a rejected comment shows the public its reason", setup: rejected,
			as: "guest", method: "GET", path: ppath, status: 200, want: []string{hiddenNote("광고·스팸")}},
		{name: "a decided entry cannot be decided again", setup: rejected,
			as: "mod2", method: "POST", path: "/moderation/items/{review}/decide", form: decideForm("approve", ""),
			status: 409, unchanged: true},
		{name: "ignoring the reports shows what they hid", setup: byThree,
			as: "mod2", method: "POST", path: "/moderation/items/{review}/decide", form: decideForm("ignore", ""),
			status: 303, rows: []row{logRows("moderator ignore comment {cid}"), commentState("{cid}", "visible")}},
		{name: "a claim is taken and writes no log row",
			setup: func(f *fixture) { f.set("review", f.review(f.set("cid", f.reported("청구 시험 의견입니다")))) },
			as:    "mod1", method: "POST", path: "/moderation/items/{review}/claim",
			status: 303, follow: []string{"이 항목을 맡았습니다."},
			rows: []row{{`SELECT claimed_by FROM review_items WHERE id = {review}`, "{mod1}"}, logRows("")}},
		{name: "a claimed entry keeps a second moderator off", setup: claimed,
			as: "mod2", method: "POST", path: "/moderation/items/{review}/claim",
			status: 409, want: []string{claimNote}, unchanged: true},
		{name: "the queue shows who holds a claim and until when", setup: claimed,
			as: "mod2", method: "GET", path: "/moderation", status: 200, want: []string{"류지혜 님이 2026년 11월 27일 18:30까지 처리 중"}},
		{name: "a claimed entry cannot be decided by another moderator", setup: claimed,
			as: "mod2", method: "POST", path: "/moderation/items/{review}/decide", form: decideForm("reject", "spam"),
			status: 409, want: []string{claimNote}, unchanged: true},
		{name: "the moderator holding the claim decides the entry", setup: claimed,
			as: "mod1", method: "POST", path: "/moderation/items/{review}/decide", form: decideForm("reject", "spam"),
			status: 303, rows: []row{logRows("moderator reject comment {cid} spam"), commentState("{cid}", "hidden spam")}},
		{name: "an administrator decides an entry a moderator holds", setup: claimed,
			as: "admin", method: "POST", path: "/moderation/items/{review}/decide", form: decideForm("reject", "spam"),
			status: 303, rows: []row{logRows("admin reject comment {cid} spam")}},
		{name: "a claim that has lapsed is taken over",
			setup: func(f *fixture) { claimed(f); f.e.clock.Add(forum.ClaimTTL + time.Minute) },
			as:    "mod2", method: "POST", path: "/moderation/items/{review}/claim",
			status: 303, rows: []row{{`SELECT claimed_by FROM review_items WHERE id = {review}`, "{mod2}"}}},
		{name: "an entry whose claim has lapsed may be decided by another moderator",
			setup: func(f *fixture) { claimed(f); f.e.clock.Add(forum.ClaimTTL + time.Minute) },
			as:    "mod2", method: "POST", path: "/moderation/items/{review}/decide", form: decideForm("ignore", ""),
			status: 303, rows: []row{logRows("moderator ignore comment {cid}")}},
		{name: "a bulk decision skips the entries another moderator holds and says which",
			setup: func(f *fixture) { twoReported(f); f.post("mod1", "/moderation/items/{ra}/claim", nil) },
			as:    "mod2", method: "POST", path: "/moderation/bulk", form: url.Values{"decision": {"reject"}, "reason": {"offtopic"}, "ids": {"{ra}", "{rb}"}},
			status: 200, want: []string{"1건을 처리했습니다.", "#{ra}: 류지혜 님이 2026년 11월 27일 18:30까지 맡아 처리 중입니다."},
			rows: []row{logRows("moderator reject comment {b} offtopic"), commentState("{a}", "visible"), commentState("{b}", "hidden offtopic")}},
		{name: "a bulk decision of entries all held by another is a conflict",
			setup: func(f *fixture) { twoReported(f); f.post("mod1", "/moderation/items/{ra}/claim", nil) },
			as:    "mod2", method: "POST", path: "/moderation/bulk", form: url.Values{"decision": {"ignore"}, "ids": {"{ra}"}},
			status: 409, want: []string{"0건을 처리했습니다."}, unchanged: true},
		{name: "a bulk rejection without a reason is refused", setup: twoReported,
			as: "mod1", method: "POST", path: "/moderation/bulk", form: url.Values{"decision": {"reject"}, "ids": {"{ra}", "{rb}"}},
			status: 400, unchanged: true},
		{name: "a bulk decision without entries is refused", setup: twoReported,
			as: "mod1", method: "POST", path: "/moderation/bulk", form: url.Values{"decision": {"ignore"}},
			status: 400, want: []string{"선택한 항목이 없습니다."}, unchanged: true},
		{name: "a bulk decision writes one log row per entry", setup: twoReported,
			as: "mod1", method: "POST", path: "/moderation/bulk", form: url.Values{"decision": {"reject"}, "reason": {"offtopic"}, "ids": {"{ra}", "{rb}"}},
			status: 303, rows: []row{logRows("moderator reject comment {a} offtopic; moderator reject comment {b} offtopic"),
				commentState("{a}", "hidden offtopic"), commentState("{b}", "hidden offtopic")}},

		// Appeals: the author asks, a moderator who did not hide it decides.
		{name: "a moderator hides a comment on the record",
			setup: func(f *fixture) { f.set("cid", f.comment("writer", parkText)) },
			as:    "mod1", method: "POST", path: "/moderation/hide",
			form:   url.Values{"kind": {"comment"}, "id": {"{cid}"}, "reason": {"offensive"}, "next": {ppath}},
			status: 303, follow: []string{"숨겼습니다. 기록이 공개됩니다."}, rows: []row{logRows("moderator hide comment {cid} offensive")}},
		{name: "a hidden comment shows the public its reason", setup: hidden,
			as: "guest", method: "GET", path: ppath, status: 200, want: []string{hiddenNote("욕설·비방")}},
		{name: "only the author may open the appeal form", setup: hidden,
			as: "reporter1", method: "GET", path: "/appeals/new?kind=comment&id={cid}", status: 403},
		{name: "the appeal form shows the author the hidden text", setup: hidden,
			as: "writer", method: "GET", path: "/appeals/new?kind=comment&id={cid}", status: 200, want: []string{parkText, "이의 신청 사유"}},
		{name: "an empty appeal is refused", setup: hidden,
			as: "writer", method: "POST", path: "/appeals", form: appealForm(" "),
			status: 400, want: []string{"이의 신청 사유를 2000자 이내로 적어 주십시오."}, unchanged: true},
		{name: "an appeal is received", setup: hidden,
			as: "writer", method: "POST", path: "/appeals", form: appealForm(appealText),
			status: 303, follow: []string{"이의 신청을 접수했습니다."},
			rows: []row{{`SELECT state || ' ' || text FROM appeals WHERE item_kind = 'comment' AND item_id = {cid}`, "pending " + appealText}}},
		{name: "a second appeal is refused", setup: appealed,
			as: "writer", method: "POST", path: "/appeals", form: appealForm("한 번 더 신청합니다"), status: 409, unchanged: true},
		{name: "the moderator who hid a comment is not offered its appeal", setup: appealed,
			as: "mod1", method: "GET", path: "/moderation/appeals",
			status: 200, want: []string{appealText, "직접 숨긴 항목이므로 다른 운영자가 판단해야 합니다."},
			notWant: []string{`action="/moderation/appeals/{appeal}/decide"`}},
		{name: "the moderator who hid a comment may not decide its appeal", setup: appealed,
			as: "mod1", method: "POST", path: "/moderation/appeals/{appeal}/decide", form: url.Values{"grant": {"1"}, "reason": {"제가 숨겼지만 풀겠습니다"}},
			status: 403, unchanged: true},
		{name: "another moderator is offered the appeal", setup: appealed,
			as: "mod2", method: "GET", path: "/moderation/appeals", status: 200, want: []string{`action="/moderation/appeals/{appeal}/decide"`}},
		{name: "a granted appeal shows the comment again", setup: appealed,
			as: "mod2", method: "POST", path: "/moderation/appeals/{appeal}/decide", form: url.Values{"grant": {"1"}, "reason": {grantText}},
			status: 303, rows: []row{logRows("moderator appeal_grant comment {cid}"), commentState("{cid}", "visible")}},
		{name: "a comment whose appeal was granted is public", setup: granted,
			as: "guest", method: "GET", path: ppath, status: 200, want: []string{parkText}},
		{name: "a decided appeal cannot be decided again", setup: granted,
			as: "mod2", method: "POST", path: "/moderation/appeals/{appeal}/decide", form: url.Values{"grant": {"0"}},
			status: 409, unchanged: true},
		{name: "the author is told of the hiding and of the granted appeal", setup: granted,
			as: "writer", method: "GET", path: "/notifications",
			status: 200, want: []string{"작성하신 의견이 숨겨졌습니다(사유: 욕설·비방): “", "이의 신청이 받아들여져 의견이 다시 공개되었습니다: “", "새 알림"},
			check: func(t *testing.T, f *fixture, r resp) {
				if got, was := modUnread(t, r.Body), f.id("unread"); int64(got) <= was {
					t.Errorf("unread badge %d after the appeal was decided, was %d", got, was)
				}
			}},
		{name: "marking all notifications read clears the badge", setup: granted,
			as: "writer", method: "POST", path: "/notifications/read", status: 303,
			check: func(t *testing.T, f *fixture, r resp) {
				if got := modUnread(t, f.as("writer").get("/notifications").Body); got != 0 {
					t.Errorf("unread badge %d after marking all read", got)
				}
			}},
		{name: "a denied appeal leaves the comment hidden", setup: denied,
			as: "mod2", method: "POST", path: "/moderation/appeals/{appeal}/decide", form: url.Values{"grant": {"0"}, "reason": {"주제와 무관합니다"}},
			status: 303, rows: []row{logRows("moderator appeal_deny comment {cid}"), commentState("{cid}", "hidden offtopic")}},
		{name: "the author is told the appeal was denied",
			setup: func(f *fixture) { denied(f); f.decideAppeal("mod2", f.id("cid"), "0", "주제와 무관합니다") },
			as:    "writer", method: "GET", path: "/notifications", status: 200, want: []string{"의견에 대한 이의 신청이 기각되었습니다: “"}},

		// Locks: a locked discussion takes no comments.
		{name: "a moderator locks a discussion",
			as: "mod1", method: "POST", path: "/moderation/lock", form: lockForm("1"),
			status: 303, follow: []string{"토론을 잠갔습니다."},
			rows: []row{logRows("moderator lock proposal {pid}"), {`SELECT locked FROM proposals WHERE id = {pid}`, "1"}}},
		{name: "a locked discussion refuses comments", setup: locked,
			as: "writer", method: "POST", path: ppath + "/comments", form: commentForm("잠긴 토론에 남기는 의견"),
			status: 409, want: []string{"이 글에는 지금 의견을 남길 수 없습니다. 마감되었거나 잠겼거나"}, unchanged: true},
		{name: "locking a locked discussion is refused", setup: locked,
			as: "admin", method: "POST", path: "/moderation/lock", form: lockForm("1"), status: 409, unchanged: true},
		{name: "a locked discussion shows no comment form", setup: locked,
			as: "guest", method: "GET", path: ppath, status: 200, notWant: []string{`id="comment-form"`}},
		{name: "a moderator unlocks a discussion", setup: locked,
			as: "mod1", method: "POST", path: "/moderation/lock", form: lockForm("0"),
			status: 303, follow: []string{"토론 잠금을 풀었습니다."}},
		{name: "an unlocked discussion takes comments again", setup: func(f *fixture) { f.lock("mod1", "1"); f.lock("mod1", "0") },
			as: "writer", method: "POST", path: ppath + "/comments", form: commentForm("잠금이 풀린 뒤의 의견"), status: 303},

		// Suspensions: a suspended citizen reads but may not post until it ends.
		{name: "the act form for a user offers a suspension", setup: target,
			as: "mod1", method: "GET", path: "/moderation/act?kind=user&id={target}",
			status: 200, want: []string{"정지 시민", "/moderation/users/{target}/suspend"}},
		{name: "a suspension of two days is refused", setup: target,
			as: "mod1", method: "POST", path: "/moderation/users/{target}/suspend", form: suspendForm("2", "spam"),
			status: 400, want: []string{"정지 기간이 올바르지 않습니다."}, unchanged: true},
		{name: "a moderator may not suspend an admin",
			as: "mod1", method: "POST", path: "/moderation/users/{admin}/suspend", form: suspendForm("1", "spam"), status: 403, unchanged: true},
		{name: "a moderator may not suspend themselves",
			as: "mod1", method: "POST", path: "/moderation/users/{mod1}/suspend", form: suspendForm("1", "spam"), status: 403, unchanged: true},
		{name: "a moderator suspends a citizen for a day", setup: target,
			as: "mod1", method: "POST", path: "/moderation/users/{target}/suspend",
			form:   url.Values{"days": {"1"}, "reason": {"offensive"}, "next": {"/users/{target}"}},
			status: 303, follow: []string{"이용을 제한했습니다."}, rows: []row{logRows("moderator suspend user {target} offensive")}},
		{name: "a suspended account may not comment", setup: suspended,
			as: "target", method: "POST", path: ppath + "/comments", form: commentForm("정지 중에 쓰는 의견"),
			status: 403, want: []string{"이용이 정지된 계정입니다."}, unchanged: true},
		{name: "a suspended account may not support", setup: suspended,
			as: "target", method: "POST", path: ppath + "/support",
			status: 403, want: []string{"이용이 정지된 계정입니다."}, unchanged: true},
		{name: "a suspended account may not report",
			setup: func(f *fixture) { f.set("cid", f.comment("writer", parkText)); f.suspended() },
			as:    "target", method: "POST", path: "/reports", form: reportForm("{cid}", "spam", ""),
			status: 403, want: []string{"이용이 정지된 계정입니다."}, unchanged: true},
		{name: "a suspended account still reads", setup: suspended,
			as: "target", method: "GET", path: ppath, status: 200},
		{name: "a suspended account is told until when and why", setup: suspended,
			as: "target", method: "GET", path: "/notifications", status: 200, want: []string{"까지 글쓰기가 정지되었습니다. 사유: 욕설·비방"}},
		{name: "a moderator lifts a suspension", setup: suspended,
			as: "mod1", method: "POST", path: "/moderation/users/{target}/lift",
			status: 303, follow: []string{"이용 제한을 풀었습니다."}, rows: []row{logRows("moderator lift user {target}")}},
		{name: "a lifted account comments again", setup: lifted,
			as: "target", method: "POST", path: ppath + "/comments", form: commentForm("정지가 풀린 뒤의 의견"), status: 303},
		{name: "lifting an active account is refused", setup: lifted,
			as: "mod1", method: "POST", path: "/moderation/users/{target}/lift", status: 409, unchanged: true},

		// The public log shows every action and nothing private.
		{name: "the public log page names each action and no reporter", setup: (*fixture).everyAction,
			as: "guest", method: "GET", path: "/moderation/log",
			status: 200, notWant: private,
			want: []string{"신고 누적 자동 숨김", "검토 보류", "검토 후 숨김", "숨김", "이의 신청 인용", "토론 잠금", "이용 정지",
				"의견 #{autoHidden}", "의견 #{appealed}", `<a href="/proposals/{pid}">제안 #{pid}</a>`, "사용자 #{suspended}",
				"신고 누적 (검토 대기)", "금칙어", "욕설·비방", "광고·스팸", "자동 규칙", "운영자", "2026년 11월 27일", `datetime="2026-11-27T`}},
		{name: "the open-data log lists each action and no reporter", setup: (*fixture).everyAction,
			as: "guest", method: "GET", path: "/api/v1/moderation-log",
			status: 200, header: map[string]string{"Content-Type": "application/json", "Access-Control-Allow-Origin": "*"},
			notWant: private, check: checkLogAPI},
	}...)
	s.run(t, cases)
}

// checkLogAPI checks the open-data log after everyAction: every row has
// exactly the documented fields, and each action is there with its reason and role.
func checkLogAPI(t *testing.T, f *fixture, r resp) {
	var feed struct {
		Items []map[string]any `json:"items"`
		Next  string           `json:"next"`
	}
	if err := json.Unmarshal([]byte(r.Body), &feed); err != nil {
		t.Fatal(err)
	}
	if all := modLog(t, f.e); len(feed.Items) != min(len(all), 100) {
		t.Errorf("API lists %d rows, the log has %d", len(feed.Items), len(all))
	}
	fields := []string{"action", "actor_role", "after", "before", "id", "item_id", "item_kind", "reason_code", "time"}
	type key struct {
		action, kind string
		id           int64
	}
	rows := map[key]map[string]any{}
	for _, it := range feed.Items {
		var got []string
		for k := range it {
			got = append(got, k)
		}
		slices.Sort(got)
		if !slices.Equal(got, fields) {
			t.Fatalf("API row fields %v, want %v", got, fields)
		}
		if _, err := time.Parse(time.RFC3339, it["time"].(string)); err != nil {
			t.Errorf("API time %v: %v", it["time"], err)
		}
		rows[key{it["action"].(string), it["item_kind"].(string), int64(it["item_id"].(float64))}] = it
	}
	for _, want := range []struct {
		action, kind, id string
		reason, role     string
	}{
		{forum.ActAutoHide, "comment", "autoHidden", "reports", "system"},
		{forum.ActHold, "comment", "banned", "banned_term", "system"},
		{forum.ActReject, "comment", "links", "spam", "moderator"},
		{forum.ActHide, "comment", "appealed", "offensive", "moderator"},
		{forum.ActAppealOK, "comment", "appealed", "", "moderator"},
		{forum.ActLock, "proposal", "pid", "", "moderator"},
		{forum.ActSuspend, "user", "suspended", "offensive", "moderator"},
	} {
		row := rows[key{want.action, want.kind, f.id(want.id)}]
		if row == nil {
			t.Errorf("API lacks %s of %s %d", want.action, want.kind, f.id(want.id))
			continue
		}
		if row["reason_code"] != want.reason || row["actor_role"] != want.role {
			t.Errorf("API row %v: want reason %q by %s", row, want.reason, want.role)
		}
	}
}

// TestModeration_HideRemovesCommentLive has a moderator hide a comment while
// a socket watches the proposal: the socket gets the placeholder, never the text.
func TestModeration_HideRemovesCommentLive(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	base := serveLoopback(t, e)
	writer := e.register("실시간 글쓴이")
	pid := e.openProposal(writer, "실시간 숨김 시험 제안", "본문입니다")
	const text = "값싼 대출 상품을 소개합니다"
	cid := modComment(t, writer, pid, text)
	mod := e.staff(forum.RoleModerator, 0, "실시간 운영자")
	since, err := e.st.LastEventID(ctx)
	if err != nil {
		t.Fatal(err)
	}
	ws, _, err := dialLive(t, base, "topics=proposal:"+modID(pid)+"&since="+modID(since), "", nil)
	if err != nil {
		t.Fatal(err)
	}
	if r := mod.post("/moderation/hide", url.Values{"kind": {"comment"}, "id": {modID(cid)}, "reason": {"spam"}, "next": {"/proposals/" + modID(pid)}}); r.Status != 303 {
		t.Fatalf("hide: %d %.300s", r.Status, r.Body)
	}
	m := next(t, ws)
	if m.Type != forum.EventCommentHidden || m.Topic != forum.ProposalTopic(pid) || m.ID <= since {
		t.Fatalf("got %+v, want %s on %s", m, forum.EventCommentHidden, forum.ProposalTopic(pid))
	}
	var d struct {
		CommentID int64  `json:"comment_id"`
		Stance    string `json:"stance"`
		Reason    string `json:"reason"`
	}
	if err := json.Unmarshal(m.Data, &d); err != nil || d.CommentID != cid || d.Stance != "for" || d.Reason != "spam" {
		t.Errorf("data %s: %v", m.Data, err)
	}
	contains(t, "live html", m.HTML, `id="c`+modID(cid)+`"`, "운영 원칙에 따라 숨겨진 의견입니다. 사유: 광고·스팸")
	for _, leak := range []string{text, "대출", "moderated-original", "/appeals/new", "/moderation/act"} {
		if strings.Contains(m.HTML, leak) {
			t.Errorf("live html carries %q: %s", leak, m.HTML)
		}
	}
	if bad := liveMarkup(m.HTML); len(bad) > 0 {
		t.Errorf("live html carries markup: %v", bad)
	}
}

// TestModeration_ReportFormKeepsHeldTextPrivate: the report form names what is
// reported, but never shows held or hidden text to anyone but its author and staff.
func TestModeration_ReportFormKeepsHeldTextPrivate(t *testing.T) {
	e := newEnv(t)
	author := e.register("보류 작성자")
	id := e.openProposal(author, "보류 시험 제안", "본문")
	if r := author.post("/proposals/"+itoa(int(id))+"/comments", url.Values{"stance": {"for"}, "body": {"토토사이트 홍보 문구입니다"}}); r.Status != 303 {
		t.Fatalf("comment: %d", r.Status)
	}
	flat, _ := e.st.Comments(context.Background(), forum.ProposalSubject(id))
	held := flat[len(flat)-1]
	if held.ModState != forum.ModHeld {
		t.Fatalf("comment is %s, want held", held.ModState)
	}
	path := "/reports/new?kind=comment&id=" + itoa(int(held.ID))
	if r := e.register("다른 시민").get(path); r.Status != 200 || strings.Contains(r.Body, "토토사이트") {
		t.Errorf("another citizen's report form shows the held text (status %d)", r.Status)
	}
	if r := author.get(path); !strings.Contains(r.Body, "토토사이트") {
		t.Error("the author's own report form lost the text")
	}
}

// TestAdminModeration_SavesEveryCap saves each cap the settings form shows,
// the first-day comment cap included.
func TestAdminModeration_SavesEveryCap(t *testing.T) {
	e := newEnv(t)
	admin := e.staff(forum.RoleAdmin, 0, "관리자")
	form := settingsForm(e.st.Settings())
	for k, v := range map[string]string{"cap_proposals": "4", "cap_comments": "50", "cap_supports": "150", "cap_reports": "15", "cap_comments_first_day": "7"} {
		form.Set(k, v)
	}
	if r := admin.post("/admin/settings", form); r.Status != 303 {
		t.Fatalf("save: %d %.300s", r.Status, r.Body)
	}
	for _, k := range []string{"cap_proposals", "cap_comments", "cap_supports", "cap_reports", "cap_comments_first_day"} {
		if v, err := e.st.Setting(context.Background(), k, ""); err != nil || v != form.Get(k) {
			t.Errorf("setting %s = %q, %v; want %q", k, v, err, form.Get(k))
		}
	}
	form.Set("version", e.st.Settings().Version())
	form.Del("cap_comments_first_day")
	if r := admin.post("/admin/settings", form); r.Status != 400 {
		t.Errorf("save without the first-day cap: %d, want 400", r.Status)
	}
}
