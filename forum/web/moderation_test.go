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

// modUser creates an account through the store, for actors that never sign in.
func modUser(t *testing.T, e *env, role forum.Role, name string) *forum.User {
	t.Helper()
	userSeq++
	u, err := e.st.CreateUser(context.Background(), forum.User{Role: role, Name: name, Email: "mod" + itoa(userSeq) + "@example.org"}, "not a password hash")
	if err != nil {
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
		{name: "admin settings page", admin: true, page: "운영 설정", fixture: func() (string, url.Values) { return "/admin/moderation", nil }},
		{name: "admin settings save", admin: true, fixture: func() (string, url.Values) {
			seq++
			return "/admin/moderation", url.Values{"terms": {"토토사이트\n새 금칙어 " + itoa(seq)}, "auto_hide": {"4"},
				"cap_proposals": {"100000"}, "cap_comments": {"100000"}, "cap_supports": {"100000"}, "cap_reports": {"100000"},
				"cap_comments_first_day": {"100000"}}
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

// TestModeration_Flows walks through reports, the content rules, daily caps,
// the review queue, appeals, locks, suspensions and the public log through
// the real forms.
func TestModeration_Flows(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	proposer := e.register("제안 시민")
	pid := e.openProposal(proposer, "공공 자전거 대여소 확충", "지하철역마다 대여소를 두어 주십시오.")
	ppath := "/proposals/" + modID(pid)
	writer := e.register("의견 시민")
	mod1 := e.staff(forum.RoleModerator, 0, "류지혜")
	mod2 := e.staff(forum.RoleModerator, 0, "박정우")
	admin := e.staff(forum.RoleAdmin, 0, "이도현")
	guest := e.client()
	reporters := []*client{e.register("신고 하나"), e.register("신고 둘"), e.register("신고 셋")}
	const secret = "신고자만 아는 비밀 사유 문장입니다"
	report := func(c *client, cid int64, reason, text string) resp {
		return c.post("/reports", url.Values{"kind": {"comment"}, "id": {modID(cid)}, "reason": {reason}, "text": {text}})
	}
	comment := func(id int64) *forum.Comment {
		t.Helper()
		c, err := e.st.Comment(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	hiddenNote := func(reason string) string {
		return "운영 원칙에 따라 숨겨진 의견입니다. 사유: " + reason
	}
	const heldNote = "운영자 검토를 기다리는 의견입니다."
	// oneAction checks that exactly one row joined the log since it had n rows, and returns it.
	oneAction := func(what string, n int, action string, kind forum.ItemKind, id int64, reason string) {
		t.Helper()
		rows := modNewActions(t, e, n)
		if len(rows) != 1 {
			t.Errorf("%s: %d new log rows, want 1: %+v", what, len(rows), rows)
			return
		}
		if a := rows[0]; a.Action != action || a.Kind != kind || a.ItemID != id || a.ReasonCode != reason {
			t.Errorf("%s: log row %+v, want %s of %s %d for %q", what, a, action, kind, id, reason)
		}
	}

	var autoHidden int64
	t.Run("reports and auto-hide", func(t *testing.T) {
		const text = "자전거 도로부터 먼저 정비해야 합니다"
		cid := modComment(t, writer, pid, text)
		autoHidden = cid
		r1 := reporters[0]
		form := r1.get("/reports/new?kind=comment&id=" + modID(cid))
		if form.Status != 200 {
			t.Fatalf("report form: %d", form.Status)
		}
		contains(t, "report form", form.Body, text, "신고 사유", "기타", "스팸·광고")
		before := modWorld(t, e)
		r := report(r1, cid, "other", "  ")
		if r.Status != 400 {
			t.Fatalf("other without text: %d", r.Status)
		}
		contains(t, "other without text", r.Body, "‘기타’를 고르셨다면 사유를 적어 주십시오.", `aria-invalid="true"`)
		if r := report(r1, cid, "boring", ""); r.Status != 400 || !strings.Contains(r.Body, "사유를 선택해 주십시오.") {
			t.Errorf("unknown reason: %d", r.Status)
		}
		if r := report(writer, cid, "spam", ""); r.Status != 403 {
			t.Errorf("reporting one's own comment: %d", r.Status)
		}
		if after := modWorld(t, e); after != before {
			t.Errorf("refused reports changed the state:\n%s", modDiff(before, after))
		}

		r = report(r1, cid, "other", secret)
		if loc := r.Header.Get("Location"); loc != ppath+"#c"+modID(cid) {
			t.Errorf("report redirected to %q", loc)
		}
		contains(t, "after the report", modFollow(t, r1, r).Body, "신고를 접수했습니다")
		n := len(modLog(t, e))
		contains(t, "second report", modFollow(t, r1, report(r1, cid, "spam", "")).Body, "이미 신고하신 항목입니다.")
		it := modReview(t, e, forum.ItemComment, cid)
		if len(it.Reports) != 1 || it.Reports[0].Reason != "other" || it.Reports[0].Text != secret {
			t.Errorf("reports in the queue: %+v", it.Reports)
		}
		if r := report(reporters[1], cid, "spam", ""); r.Status != 303 {
			t.Fatalf("second reporter: %d", r.Status)
		}
		if page := guest.get(ppath).Body; !strings.Contains(page, text) {
			t.Error("two reports hid the comment; the threshold is three")
		}
		if r := report(reporters[2], cid, "abuse", ""); r.Status != 303 {
			t.Fatalf("third reporter: %d", r.Status)
		}
		oneAction("third report", n, forum.ActAutoHide, forum.ItemComment, cid, forum.ReasonAutoHidden)
		if c := comment(cid); c.ModState != forum.ModHidden || c.ModReason != forum.ReasonAutoHidden {
			t.Errorf("comment after three reports: %s %q", c.ModState, c.ModReason)
		}
		for who, c := range map[string]*client{"guest": guest, "a reporter": reporters[0], "the proposer": proposer} {
			page := c.get(ppath).Body
			contains(t, who+"'s page", page, hiddenNote("신고 누적 (검토 대기)"))
			if strings.Contains(page, text) {
				t.Errorf("%s still sees the hidden text", who)
			}
			if strings.Contains(page, "/appeals/new?kind=comment&amp;id="+modID(cid)) {
				t.Errorf("%s is offered an appeal", who)
			}
		}
		page := writer.get(ppath).Body
		contains(t, "author's page", page, hiddenNote("신고 누적 (검토 대기)"), text, "작성자인 나와 운영자만 볼 수 있는 원문입니다",
			`href="/appeals/new?kind=comment&amp;id=`+modID(cid)+`"`, "이의 신청")
		contains(t, "author's notifications", writer.get("/notifications").Body, "작성하신 의견이(가) 숨겨졌습니다. 사유: 신고 누적 (검토 대기)")
		contains(t, "moderator's page", mod1.get(ppath).Body, text, "운영자에게만 보이는 원문입니다", "/moderation/act?kind=comment&amp;id="+modID(cid))
	})

	var bannedID, linksID, throwawayID int64
	t.Run("content rules", func(t *testing.T) {
		// A banned term holds the comment for review.
		spammer := e.register("금칙어 시민")
		n := len(modLog(t, e))
		r := spammer.post(ppath+"/comments", url.Values{"stance": {"neutral"}, "body": {"싸게 파는 토토사이트 주소 알려 드립니다"}})
		contains(t, "held comment", modFollow(t, spammer, r).Body, "게시 전에 운영자 검토가 필요한 내용이 있어")
		_, id, _ := strings.Cut(r.Header.Get("Location"), "#c")
		bannedID = atoi64(id)
		oneAction("banned term", n, forum.ActHold, forum.ItemComment, bannedID, moderation.RuleBannedTerm)
		page := guest.get(ppath).Body
		contains(t, "guest page", page, heldNote)
		if strings.Contains(page, "토토사이트") {
			t.Error("a held comment is shown to the public")
		}
		if it := modReview(t, e, forum.ItemComment, bannedID); !slices.Equal(it.Rules, []string{moderation.RuleBannedTerm}) {
			t.Errorf("banned term: rules %v", it.Rules)
		}
		queue := mod1.get("/moderation").Body
		contains(t, "queue", queue, "금칙어", "의견 #"+modID(bannedID), "토토사이트")

		// The same text twice within five minutes is refused.
		const twice = "대여소 위치를 공개해 주십시오"
		modComment(t, writer, pid, twice)
		before := modWorld(t, e)
		r = writer.post(ppath+"/comments", url.Values{"stance": {"for"}, "body": {twice}})
		if r.Status != 400 {
			t.Errorf("duplicate: status %d", r.Status)
		}
		contains(t, "duplicate", r.Body, "방금 같은 내용을 올리셨습니다. 5분 안에는 같은 글을 다시 올릴 수 없습니다.")
		if after := modWorld(t, e); after != before {
			t.Errorf("a refused duplicate changed the state:\n%s", modDiff(before, after))
		}
		e.clock.Add(6 * time.Minute)
		modComment(t, writer, pid, twice)

		// Three links from a brand-new account are held; two are not.
		newbie := e.register("새내기 시민")
		modComment(t, newbie, pid, "자료: https://a.example.org/1 https://b.example.org/2")
		linksID = modComment(t, newbie, pid, "참고 자료: https://a.example.org/x https://b.example.org/y https://c.example.org/z")
		if c := comment(linksID); c.ModState != forum.ModHeld {
			t.Errorf("three links from a new account: %s", c.ModState)
		}
		if it := modReview(t, e, forum.ItemComment, linksID); !slices.Equal(it.Rules, []string{moderation.RuleTooManyLinks}) {
			t.Errorf("links: rules %v", it.Rules)
		}
		contains(t, "queue", mod1.get("/moderation").Body, "새 계정의 링크 과다", "의견 #"+modID(linksID))

		// An account from a throw-away e-mail domain has its posts held.
		dd, err := moderation.LoadDisposableDomains(strings.NewReader("mailinator.com"))
		if err != nil {
			t.Fatal(err)
		}
		e.srv.cfg.Disposable = dd
		defer func() { e.srv.cfg.Disposable = nil }()
		throwaway := e.client()
		r = throwaway.post("/register", url.Values{"name": {"일회용 시민"}, "email": {"someone@mailinator.com"}, "password": {"correct horse battery staple"}})
		contains(t, "held welcome", modFollow(t, throwaway, r).Body, "일회용 이메일 주소라서")
		if u := throwaway.user(); !u.Held {
			t.Error("a throw-away account is not held")
		}
		throwawayID = modComment(t, throwaway, pid, "첫 의견을 남깁니다")
		if c := comment(throwawayID); c.ModState != forum.ModHeld {
			t.Errorf("first comment of a throw-away account: %s", c.ModState)
		}
		if it := modReview(t, e, forum.ItemComment, throwawayID); !slices.Equal(it.Rules, []string{moderation.RuleHeldAccount}) {
			t.Errorf("throw-away: rules %v", it.Rules)
		}
		modReview(t, e, forum.ItemUser, throwaway.user().ID)
		contains(t, "queue", mod1.get("/moderation").Body, "검토 중인 계정", "의견 #"+modID(throwawayID))
		if strings.Contains(guest.get(ppath).Body, "첫 의견을 남깁니다") {
			t.Error("a throw-away account's comment is public")
		}
	})

	t.Run("daily caps", func(t *testing.T) {
		capper := e.register("한도 시민")
		other := e.openProposal(proposer, "공공 자전거 헬멧 대여", "대여소에서 헬멧도 빌려 주십시오.")
		targets := []int64{modComment(t, writer, pid, "한도 시험용 의견 하나"), modComment(t, writer, pid, "한도 시험용 의견 둘")}
		set := func(k, v string) {
			t.Helper()
			if err := e.st.SetSettings(ctx, map[string]string{k: v}); err != nil {
				t.Fatal(err)
			}
		}
		now := e.clock.Now().In(seoul)
		resets := time.Date(now.Year(), now.Month(), now.Day()+1, 0, 0, 0, 0, seoul)
		wantRetry := strconv.Itoa(int(resets.Sub(e.clock.Now()).Seconds()))
		capped := func(what string, r resp) {
			t.Helper()
			if r.Status != 429 {
				t.Errorf("%s: status %d, want 429", what, r.Status)
				return
			}
			if got := r.Header.Get("Retry-After"); got != wantRetry {
				t.Errorf("%s: Retry-After %q, want %s (seconds to midnight in Seoul by the server's clock)", what, got, wantRetry)
			}
			contains(t, what, r.Body, "오늘 할 수 있는 횟수를 모두 사용했습니다. 2026년 11월 28일 00:00에 다시 이용할 수 있습니다.")
		}
		expect := func(what string, r resp, status int) {
			t.Helper()
			if r.Status != status {
				t.Errorf("%s: status %d, want %d: %.300s", what, r.Status, status, r.Body)
			}
		}
		unchanged := func(what string, req func() resp) {
			t.Helper()
			before := modWorld(t, e)
			capped(what, req())
			if after := modWorld(t, e); after != before {
				t.Errorf("%s changed the state:\n%s", what, modDiff(before, after))
			}
		}

		set("cap_comments", "2")
		modComment(t, capper, pid, "오늘 첫 의견")
		modComment(t, capper, pid, "오늘 둘째 의견")
		unchanged("third comment", func() resp {
			return capper.post(ppath+"/comments", url.Values{"stance": {"for"}, "body": {"오늘 셋째 의견"}})
		})
		modComment(t, mod1, pid, "운영자 공지 하나") // staff are not capped
		modComment(t, mod1, pid, "운영자 공지 둘")
		modComment(t, mod1, pid, "운영자 공지 셋")
		set("cap_comments", "100000")

		set("cap_supports", "1")
		expect("first support", capper.post(ppath+"/support", nil), 303)
		unchanged("second support", func() resp { return capper.post("/proposals/"+modID(other)+"/support", nil) })
		set("cap_supports", "100000")

		set("cap_reports", "1")
		expect("first report", report(capper, targets[0], "spam", ""), 303)
		unchanged("second report", func() resp { return report(capper, targets[1], "spam", "") })
		set("cap_reports", "100000")

		set("cap_proposals", "1")
		form := func(title string) url.Values {
			return url.Values{"title": {title}, "body": {title + " 본문입니다"}, "category": {modID(e.cats[0].ID)}, "ministry": {modID(e.mins[0].ID)}}
		}
		expect("first proposal", capper.post("/proposals", form("자전거 보관대 확충")), 303)
		unchanged("second proposal", func() resp { return capper.post("/proposals", form("자전거 수리소 운영")) })
		set("cap_proposals", "100000")

		// The next day, in Seoul, the caps start again.
		set("cap_reports", "1")
		e.clock.Add(resets.Sub(e.clock.Now()) + time.Minute)
		expect("report the next day", report(capper, targets[1], "spam", ""), 303)
		set("cap_reports", "100000")
	})

	t.Run("review decisions", func(t *testing.T) {
		reportedComment := func(body string) int64 {
			cid := modComment(t, writer, pid, body)
			if r := report(reporters[0], cid, "offtopic", ""); r.Status != 303 {
				t.Fatalf("report: %d", r.Status)
			}
			return cid
		}
		decide := func(c *client, cid int64, form url.Values) resp {
			return c.post("/moderation/items/"+modID(modReview(t, e, forum.ItemComment, cid).ID)+"/decide", form)
		}

		// Approve: the held comment with a banned term is published.
		n := len(modLog(t, e))
		if r := decide(mod1, bannedID, url.Values{"decision": {"approve"}}); r.Status != 303 {
			t.Fatalf("approve: %d %.300s", r.Status, r.Body)
		}
		oneAction("approve", n, forum.ActApprove, forum.ItemComment, bannedID, "")
		if c := comment(bannedID); c.ModState != forum.ModVisible {
			t.Errorf("approved comment: %s", c.ModState)
		}
		contains(t, "approved comment", guest.get(ppath).Body, "토토사이트")

		// Reject needs a reason, and then hides with it.
		n = len(modLog(t, e))
		before := modWorld(t, e)
		if r := decide(mod1, linksID, url.Values{"decision": {"reject"}}); r.Status != 400 || !strings.Contains(r.Body, "사유를 선택해 주십시오.") {
			t.Errorf("reject without a reason: %d", r.Status)
		}
		if r := decide(mod1, linksID, url.Values{"decision": {"shrug"}}); r.Status != 400 || !strings.Contains(r.Body, "처리 방법이 올바르지 않습니다.") {
			t.Errorf("unknown decision: %d", r.Status)
		}
		if after := modWorld(t, e); after != before {
			t.Errorf("refused decisions changed the state:\n%s", modDiff(before, after))
		}
		review := modReview(t, e, forum.ItemComment, linksID).ID
		if r := decide(mod1, linksID, url.Values{"decision": {"reject"}, "reason": {"spam"}}); r.Status != 303 {
			t.Fatalf("reject: %d %.300s", r.Status, r.Body)
		}
		oneAction("reject", n, forum.ActReject, forum.ItemComment, linksID, "spam")
		if c := comment(linksID); c.ModState != forum.ModHidden || c.ModReason != "spam" {
			t.Errorf("rejected comment: %s %q", c.ModState, c.ModReason)
		}
		contains(t, "rejected comment", guest.get(ppath).Body, hiddenNote("광고·스팸"))
		if r := mod2.post("/moderation/items/"+modID(review)+"/decide", url.Values{"decision": {"approve"}}); r.Status != 409 {
			t.Errorf("deciding a decided entry: %d", r.Status)
		}

		// Ignore dismisses the reports and shows what they hid.
		n = len(modLog(t, e))
		if r := decide(mod2, autoHidden, url.Values{"decision": {"ignore"}}); r.Status != 303 {
			t.Fatalf("ignore: %d %.300s", r.Status, r.Body)
		}
		oneAction("ignore", n, forum.ActIgnore, forum.ItemComment, autoHidden, "")
		if c := comment(autoHidden); c.ModState != forum.ModVisible {
			t.Errorf("comment after its reports were dismissed: %s", c.ModState)
		}

		// A claim keeps a second moderator off the entry and writes no log row.
		cid := reportedComment("청구 시험 의견입니다")
		review = modReview(t, e, forum.ItemComment, cid).ID
		n = len(modLog(t, e))
		contains(t, "claim", modFollow(t, mod1, mod1.post("/moderation/items/"+modID(review)+"/claim", nil)).Body, "이 항목을 맡았습니다.")
		if it := modReview(t, e, forum.ItemComment, cid); it.ClaimedBy != mod1.user().ID {
			t.Errorf("claimed by %d", it.ClaimedBy)
		}
		if r := mod2.post("/moderation/items/"+modID(review)+"/claim", nil); r.Status != 409 || !strings.Contains(r.Body, "다른 운영자가 처리 중인 항목입니다.") {
			t.Errorf("second claim: %d", r.Status)
		}
		if rows := modNewActions(t, e, n); len(rows) != 0 {
			t.Errorf("claims wrote log rows: %+v", rows)
		}
		contains(t, "queue", mod2.get("/moderation").Body, "류지혜 님이 처리 중")

		// Bulk: one decision on two entries, one log row each.
		a, b := reportedComment("일괄 처리 의견 하나"), reportedComment("일괄 처리 의견 둘")
		ids := []string{modID(modReview(t, e, forum.ItemComment, a).ID), modID(modReview(t, e, forum.ItemComment, b).ID)}
		before = modWorld(t, e)
		if r := mod1.post("/moderation/bulk", url.Values{"decision": {"reject"}, "ids": ids}); r.Status != 400 {
			t.Errorf("bulk reject without a reason: %d", r.Status)
		}
		if r := mod1.post("/moderation/bulk", url.Values{"decision": {"ignore"}}); r.Status != 400 || !strings.Contains(r.Body, "선택한 항목이 없습니다.") {
			t.Errorf("bulk without entries: %d", r.Status)
		}
		if after := modWorld(t, e); after != before {
			t.Errorf("refused bulk decisions changed the state:\n%s", modDiff(before, after))
		}
		n = len(modLog(t, e))
		if r := mod1.post("/moderation/bulk", url.Values{"decision": {"reject"}, "reason": {"offtopic"}, "ids": ids}); r.Status != 303 {
			t.Fatalf("bulk: %d %.300s", r.Status, r.Body)
		}
		rows := modNewActions(t, e, n)
		if len(rows) != 2 {
			t.Fatalf("bulk over two entries wrote %d log rows: %+v", len(rows), rows)
		}
		for i, want := range []int64{a, b} {
			if r := rows[i]; r.Action != forum.ActReject || r.ReasonCode != "offtopic" || r.Kind != forum.ItemComment || r.ItemID != want || r.ActorRole != "moderator" {
				t.Errorf("bulk row %d: %+v", i, r)
			}
			if c := comment(want); c.ModState != forum.ModHidden || c.ModReason != "offtopic" {
				t.Errorf("bulk-rejected comment %d: %s %q", want, c.ModState, c.ModReason)
			}
		}
	})

	var appealedID int64
	t.Run("appeals", func(t *testing.T) {
		const text = "공원 관리 예산을 늘려야 합니다"
		cid := modComment(t, writer, pid, text)
		appealedID = cid
		n := len(modLog(t, e))
		r := mod1.post("/moderation/hide", url.Values{"kind": {"comment"}, "id": {modID(cid)}, "reason": {"offensive"}, "next": {ppath}})
		contains(t, "after hiding", modFollow(t, mod1, r).Body, "숨겼습니다. 기록이 공개됩니다.")
		oneAction("hide", n, forum.ActHide, forum.ItemComment, cid, "offensive")
		contains(t, "guest page", guest.get(ppath).Body, hiddenNote("욕설·비방"))
		unread := modUnread(t, writer.get(ppath).Body)

		if r := reporters[0].get("/appeals/new?kind=comment&id=" + modID(cid)); r.Status != 403 {
			t.Errorf("appeal form for someone else's comment: %d", r.Status)
		}
		r = writer.get("/appeals/new?kind=comment&id=" + modID(cid))
		if r.Status != 200 {
			t.Fatalf("appeal form: %d", r.Status)
		}
		contains(t, "appeal form", r.Body, text, "이의 신청 사유")
		if r := writer.post("/appeals", url.Values{"kind": {"comment"}, "id": {modID(cid)}, "text": {" "}}); r.Status != 400 || !strings.Contains(r.Body, "이의 신청 사유를 2000자 이내로 적어 주십시오.") {
			t.Errorf("empty appeal: %d", r.Status)
		}
		r = writer.post("/appeals", url.Values{"kind": {"comment"}, "id": {modID(cid)}, "text": {"정책 비판일 뿐 욕설이 아닙니다"}})
		contains(t, "after appealing", modFollow(t, writer, r).Body, "이의 신청을 접수했습니다.")
		if r := writer.post("/appeals", url.Values{"kind": {"comment"}, "id": {modID(cid)}, "text": {"한 번 더 신청합니다"}}); r.Status != 409 {
			t.Errorf("second appeal: %d", r.Status)
		}
		aid := modAppealID(t, e, forum.ItemComment, cid)
		decide := "/moderation/appeals/" + modID(aid) + "/decide"

		// The moderator who hid it may not decide the appeal.
		list := mod1.get("/moderation/appeals").Body
		contains(t, "hider's appeal list", list, "정책 비판일 뿐 욕설이 아닙니다", "직접 숨긴 항목이므로 다른 운영자가 판단해야 합니다.")
		if strings.Contains(list, `action="`+decide+`"`) {
			t.Error("the hider is offered the decision form")
		}
		before := modWorld(t, e)
		if r := mod1.post(decide, url.Values{"grant": {"1"}, "reason": {"제가 숨겼지만 풀겠습니다"}}); r.Status != 403 {
			t.Errorf("the hider decides the appeal: %d", r.Status)
		}
		if after := modWorld(t, e); after != before {
			t.Errorf("the hider's refused decision changed the state:\n%s", modDiff(before, after))
		}
		contains(t, "other moderator's appeal list", mod2.get("/moderation/appeals").Body, `action="`+decide+`"`)
		n = len(modLog(t, e))
		if r := mod2.post(decide, url.Values{"grant": {"1"}, "reason": {"비판 의견으로 봅니다"}}); r.Status != 303 {
			t.Fatalf("grant: %d %.300s", r.Status, r.Body)
		}
		oneAction("granted appeal", n, forum.ActAppealOK, forum.ItemComment, cid, "")
		if c := comment(cid); c.ModState != forum.ModVisible {
			t.Errorf("comment after a granted appeal: %s", c.ModState)
		}
		contains(t, "guest page", guest.get(ppath).Body, text)
		if r := mod2.post(decide, url.Values{"grant": {"0"}}); r.Status != 409 {
			t.Errorf("deciding a decided appeal: %d", r.Status)
		}

		notes := writer.get("/notifications")
		contains(t, "author's notifications", notes.Body, "작성하신 의견이(가) 숨겨졌습니다. 사유: 욕설·비방",
			"의견에 대한 이의 신청이 받아들여져 다시 공개되었습니다.", "새 알림")
		if got := modUnread(t, notes.Body); got <= unread {
			t.Errorf("unread badge %d after the appeal was decided, was %d", got, unread)
		}
		if r := writer.post("/notifications/read", nil); r.Status != 303 {
			t.Errorf("mark read: %d", r.Status)
		}
		if got := modUnread(t, writer.get("/notifications").Body); got != 0 {
			t.Errorf("unread badge %d after marking all read", got)
		}

		// A denied appeal leaves the comment hidden and says so.
		cid = modComment(t, writer, pid, "관리 예산 이야기를 다시 합니다")
		if r := mod1.post("/moderation/hide", url.Values{"kind": {"comment"}, "id": {modID(cid)}, "reason": {"offtopic"}}); r.Status != 303 {
			t.Fatalf("hide: %d", r.Status)
		}
		if r := writer.post("/appeals", url.Values{"kind": {"comment"}, "id": {modID(cid)}, "text": {"주제와 관련 있습니다"}}); r.Status != 303 {
			t.Fatalf("appeal: %d", r.Status)
		}
		n = len(modLog(t, e))
		if r := mod2.post("/moderation/appeals/"+modID(modAppealID(t, e, forum.ItemComment, cid))+"/decide", url.Values{"grant": {"0"}, "reason": {"주제와 무관합니다"}}); r.Status != 303 {
			t.Fatalf("deny: %d", r.Status)
		}
		oneAction("denied appeal", n, forum.ActAppealDeny, forum.ItemComment, cid, "")
		if c := comment(cid); c.ModState != forum.ModHidden {
			t.Errorf("comment after a denied appeal: %s", c.ModState)
		}
		contains(t, "author's notifications", writer.get("/notifications").Body, "의견에 대한 이의 신청이 기각되었습니다.")
	})

	t.Run("lock", func(t *testing.T) {
		lock := func(c *client, locked string) resp {
			return c.post("/moderation/lock", url.Values{"kind": {"proposal"}, "id": {modID(pid)}, "locked": {locked}})
		}
		n := len(modLog(t, e))
		contains(t, "after locking", modFollow(t, mod1, lock(mod1, "1")).Body, "토론을 잠갔습니다.")
		oneAction("lock", n, forum.ActLock, forum.ItemProposal, pid, "")
		if p, _ := e.st.Proposal(ctx, pid); !p.Locked {
			t.Error("proposal not locked")
		}
		before := modWorld(t, e)
		r := writer.post(ppath+"/comments", url.Values{"stance": {"for"}, "body": {"잠긴 토론에 남기는 의견"}})
		if r.Status != 409 || !strings.Contains(r.Body, "현재 상태에서는 할 수 없는 작업입니다.") {
			t.Errorf("comment on a locked proposal: %d", r.Status)
		}
		if r := lock(admin, "1"); r.Status != 409 {
			t.Errorf("locking twice: %d", r.Status)
		}
		if after := modWorld(t, e); after != before {
			t.Errorf("refused requests on a locked thread changed the state:\n%s", modDiff(before, after))
		}
		if strings.Contains(guest.get(ppath).Body, `id="comment-form"`) {
			t.Error("a locked proposal still shows the comment form")
		}
		contains(t, "after unlocking", modFollow(t, mod1, lock(mod1, "0")).Body, "토론 잠금을 풀었습니다.")
		modComment(t, writer, pid, "잠금이 풀린 뒤의 의견")
	})

	var suspendedID int64
	t.Run("suspension", func(t *testing.T) {
		target := e.register("정지 시민")
		suspendedID = target.user().ID
		path := "/moderation/users/" + modID(suspendedID)
		contains(t, "act form for a user", mod1.get("/moderation/act?kind=user&id="+modID(suspendedID)).Body, "정지 시민", path+"/suspend")
		before := modWorld(t, e)
		if r := mod1.post(path+"/suspend", url.Values{"days": {"2"}, "reason": {"spam"}}); r.Status != 400 || !strings.Contains(r.Body, "정지 기간이 올바르지 않습니다.") {
			t.Errorf("suspend for 2 days: %d", r.Status)
		}
		if r := mod1.post("/moderation/users/"+modID(admin.user().ID)+"/suspend", url.Values{"days": {"1"}, "reason": {"spam"}}); r.Status != 403 {
			t.Errorf("a moderator suspends an admin: %d", r.Status)
		}
		if r := mod1.post("/moderation/users/"+modID(mod1.user().ID)+"/suspend", url.Values{"days": {"1"}, "reason": {"spam"}}); r.Status != 403 {
			t.Errorf("a moderator suspends themselves: %d", r.Status)
		}
		if after := modWorld(t, e); after != before {
			t.Errorf("refused suspensions changed the state:\n%s", modDiff(before, after))
		}
		n := len(modLog(t, e))
		contains(t, "after suspending", modFollow(t, mod1, mod1.post(path+"/suspend", url.Values{"days": {"1"}, "reason": {"offensive"}, "next": {"/users/" + modID(suspendedID)}})).Body, "이용을 제한했습니다.")
		oneAction("suspend", n, forum.ActSuspend, forum.ItemUser, suspendedID, "offensive")
		before = modWorld(t, e)
		for what, r := range map[string]resp{
			"comment": target.post(ppath+"/comments", url.Values{"stance": {"for"}, "body": {"정지 중에 쓰는 의견"}}),
			"support": target.post(ppath+"/support", nil),
			"report":  report(target, appealedID, "spam", ""),
		} {
			if r.Status != 403 || !strings.Contains(r.Body, "이용이 정지된 계정입니다.") {
				t.Errorf("suspended %s: %d", what, r.Status)
			}
		}
		if after := modWorld(t, e); after != before {
			t.Errorf("a suspended account changed the state:\n%s", modDiff(before, after))
		}
		if r := target.get(ppath); r.Status != 200 {
			t.Errorf("a suspended account reads: %d", r.Status)
		}
		contains(t, "suspended user's notifications", target.get("/notifications").Body, "까지 글쓰기가 정지되었습니다. 사유: 욕설·비방")
		n = len(modLog(t, e))
		contains(t, "after lifting", modFollow(t, mod1, mod1.post(path+"/lift", nil)).Body, "이용 제한을 풀었습니다.")
		oneAction("lift", n, forum.ActLift, forum.ItemUser, suspendedID, "")
		modComment(t, target, pid, "정지가 풀린 뒤의 의견")
		if r := mod1.post(path+"/lift", nil); r.Status != 409 {
			t.Errorf("lifting an active account: %d", r.Status)
		}
	})

	t.Run("public log", func(t *testing.T) {
		all := modLog(t, e)
		page := guest.get("/moderation/log")
		if page.Status != 200 {
			t.Fatalf("log page: %d", page.Status)
		}
		api := guest.get("/api/v1/moderation-log")
		if api.Status != 200 || !strings.HasPrefix(api.Header.Get("Content-Type"), "application/json") {
			t.Fatalf("log API: %d %s", api.Status, api.Header.Get("Content-Type"))
		}
		if api.Header.Get("Access-Control-Allow-Origin") != "*" {
			t.Error("the open-data log is not open to other origins")
		}
		for what, body := range map[string]string{"log page": page.Body, "log API": api.Body} {
			for _, private := range []string{secret, "광고로 보입니다", "reporter", "신고 하나", "신고 둘", "신고 셋", "정책 비판일 뿐 욕설이 아닙니다", "비판 의견으로 봅니다"} {
				if strings.Contains(body, private) {
					t.Errorf("%s shows %q", what, private)
				}
			}
		}
		var feed struct {
			Items []map[string]any `json:"items"`
			Next  string           `json:"next"`
		}
		if err := json.Unmarshal([]byte(api.Body), &feed); err != nil {
			t.Fatal(err)
		}
		if len(feed.Items) != min(len(all), 100) {
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
			action, kind string
			id           int64
			reason, role string
		}{
			{forum.ActAutoHide, "comment", autoHidden, "reports", "system"},
			{forum.ActHold, "comment", bannedID, "banned_term", "system"},
			{forum.ActReject, "comment", linksID, "spam", "moderator"},
			{forum.ActHide, "comment", appealedID, "offensive", "moderator"},
			{forum.ActAppealOK, "comment", appealedID, "", "moderator"},
			{forum.ActLock, "proposal", pid, "", "moderator"},
			{forum.ActSuspend, "user", suspendedID, "offensive", "moderator"},
		} {
			row := rows[key{want.action, want.kind, want.id}]
			if row == nil {
				t.Errorf("API lacks %s of %s %d", want.action, want.kind, want.id)
				continue
			}
			if row["reason_code"] != want.reason || row["actor_role"] != want.role {
				t.Errorf("API row %v: want reason %q by %s", row, want.reason, want.role)
			}
		}
		contains(t, "log page", page.Body, "신고 누적 자동 숨김", "검토 보류", "검토 후 숨김", "숨김", "이의 신청 인용", "토론 잠금", "이용 정지",
			"의견 #"+modID(autoHidden), "의견 #"+modID(appealedID), `<a href="/proposals/`+modID(pid)+`">제안 #`+modID(pid)+`</a>`, "사용자 #"+modID(suspendedID),
			"신고 누적 (검토 대기)", "금칙어", "욕설·비방", "광고·스팸", "자동 규칙", "운영자", "2026년 11월 27일", `datetime="2026-11-27T`)
	})
	if err := e.st.CheckCounters(ctx); err != nil {
		t.Error(err)
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
	form := url.Values{"terms": {"금칙어"}, "auto_hide": {"3"}, "cap_proposals": {"4"}, "cap_comments": {"50"},
		"cap_supports": {"150"}, "cap_reports": {"15"}, "cap_comments_first_day": {"7"}}
	if r := admin.post("/admin/moderation", form); r.Status != 303 {
		t.Fatalf("save: %d %.300s", r.Status, r.Body)
	}
	for _, k := range []string{"cap_proposals", "cap_comments", "cap_supports", "cap_reports", "cap_comments_first_day"} {
		if v, err := e.st.Setting(context.Background(), k, ""); err != nil || v != form.Get(k) {
			t.Errorf("setting %s = %q, %v; want %q", k, v, err, form.Get(k))
		}
	}
	form.Del("cap_comments_first_day")
	if r := admin.post("/admin/moderation", form); r.Status != 400 {
		t.Errorf("save without the first-day cap: %d, want 400", r.Status)
	}
}
