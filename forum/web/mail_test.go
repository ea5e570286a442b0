package web

import (
	"context"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/e-people/e-people/forum"
	"github.com/e-people/e-people/forum/store"
	"github.com/e-people/e-people/moderation"
)

func TestMail_RoleChecks(t *testing.T) {
	e := newEnv(t)
	anon := e.client()
	citizen := e.register("김시민")
	moderator := e.staff(forum.RoleModerator, 0, "류지혜")
	official := e.staff(forum.RoleOfficial, e.mins[0].ID, "김공무")
	admin := e.staff(forum.RoleAdmin, 0, "이도현")

	r := anon.get("/admin/outbox")
	if r.Status != 303 || !strings.HasPrefix(r.Header.Get("Location"), "/login?next=") {
		t.Errorf("anonymous outbox: %d to %q, want 303 to the sign-in page", r.Status, r.Header.Get("Location"))
	}
	if r := anon.post("/notifications/settings", url.Values{"frequency": {"daily"}}); r.Status != 401 {
		t.Errorf("anonymous settings: %d, want 401", r.Status)
	}
	for _, who := range []struct {
		name string
		c    *client
	}{{"citizen", citizen}, {"official", official}, {"moderator", moderator}} {
		if r := who.c.get("/admin/outbox"); r.Status != 403 || strings.Contains(r.Body, "발송 메일함") {
			t.Errorf("%s outbox: %d, want 403", who.name, r.Status)
		}
	}
	r = admin.get("/admin/outbox")
	if r.Status != 200 {
		t.Fatalf("admin outbox: %d %.300s", r.Status, r.Body)
	}
	// Without SMTP the admins read the mail, the citizen's verification link included.
	contains(t, "outbox", r.Body, "발송 메일함", "이메일 주소를 인증해 주세요", "http://127.0.0.1/verify/")
}

func TestMail_PreferenceRoundTrip(t *testing.T) {
	e := newEnv(t)
	c := e.register("박지민")
	checked := func(want string) {
		t.Helper()
		r := c.get("/notifications")
		if r.Status != 200 {
			t.Fatalf("notifications: %d", r.Status)
		}
		for _, f := range store.EmailFrequencies() {
			on := strings.Contains(r.Body, `value="`+f+`" checked`)
			if on != (f == want) {
				t.Errorf("radio %q checked = %v, want only %q", f, on, want)
			}
		}
	}
	checked(store.EmailImmediate)
	contains(t, "notifications page", c.get("/notifications").Body, `action="/notifications/settings"`, "이메일 알림", c.user().Email)

	r := c.post("/notifications/settings", url.Values{"frequency": {"daily"}})
	if r.Status != 303 || r.Header.Get("Location") != "/notifications#mail" {
		t.Fatalf("save: %d to %q", r.Status, r.Header.Get("Location"))
	}
	contains(t, "after saving", c.get("/notifications").Body, "이메일 알림 설정을 저장했습니다.")
	checked(store.EmailDaily)
	if u := c.user(); u.EmailFrequency != store.EmailDaily {
		t.Errorf("stored frequency %q", u.EmailFrequency)
	}

	for _, bad := range []string{"", "monthly", "daily'--", "NONE", "WEEKLY"} {
		r := c.post("/notifications/settings", url.Values{"frequency": {bad}})
		if r.Status != 400 {
			t.Errorf("frequency %q: %d, want 400", bad, r.Status)
		}
		contains(t, "bad frequency", r.Body, "이메일 알림 방식을 목록에서 고르세요.")
	}
	checked(store.EmailDaily)
	// Without the CSRF token nothing changes.
	if r := c.do("POST", "/notifications/settings", url.Values{"frequency": {"none"}}); r.Status < 400 {
		t.Errorf("no CSRF token: %d", r.Status)
	}
	checked(store.EmailDaily)

	c.lang = "en"
	if r := c.post("/notifications/settings", url.Values{"frequency": {"none"}}); r.Status != 303 {
		t.Fatalf("save none: %d", r.Status)
	}
	contains(t, "English page", c.get("/notifications").Body, "E-mail notifications", "Never")
	checked(store.EmailNone)

	// Weekly (issue 16): offered, saved, shown checked.
	contains(t, "English page", c.get("/notifications").Body, `value="weekly"`, "Once a week, as a digest (Mondays, 8 a.m. Korea time)")
	if r := c.post("/notifications/settings", url.Values{"frequency": {"weekly"}}); r.Status != 303 {
		t.Fatalf("save weekly: %d", r.Status)
	}
	checked(store.EmailWeekly)
	if u := c.user(); u.EmailFrequency != store.EmailWeekly {
		t.Errorf("stored frequency %q, want weekly", u.EmailFrequency)
	}
}

func TestMail_OutboxShowsComposedMail(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	author := e.register("최작성")
	id := e.openProposal(author, "어린이 통학로 안전 강화", "통학로에 보도를 설치해 주세요.")
	follower := e.register("정팔로").user()
	if err := e.st.Follow(ctx, follower.ID, forum.ItemProposal, id, true); err != nil {
		t.Fatal(err)
	}
	e.clock.Add(forum.DefaultThresholds.Window + time.Hour)
	if n, err := e.st.AdvanceProposals(ctx); err != nil || n != 1 {
		t.Fatalf("advance: %d %v", n, err)
	}
	admin := e.staff(forum.RoleAdmin, 0, "이도현") // signed in after the month passed
	r := admin.get("/admin/outbox")
	if r.Status != 200 {
		t.Fatalf("outbox: %d %.300s", r.Status, r.Body)
	}
	contains(t, "outbox", r.Body, follower.Email, "[e-people] 팔로우한 제안의 상태가 바뀌었습니다 / A proposal you follow changed status",
		"제안: 어린이 통학로 안전 강화", "http://127.0.0.1/proposals/"+strconv.FormatInt(id, 10), "보내기 전")

	ms, err := e.st.Outbox(ctx, 10)
	if err != nil || len(ms) == 0 {
		t.Fatalf("outbox: %v %v", ms, err)
	}
	_, body, err := e.srv.ComposeMail(ctx, ms[0])
	if err != nil {
		t.Fatal(err)
	}
	contains(t, "status mail", body, "Proposal: 어린이 통학로 안전 강화", "/notifications#mail")

	// Once the proposal is hidden, its title leaves the mail.
	if err := e.st.Hide(ctx, admin.user(), forum.ItemProposal, id, moderation.HideSpam); err != nil {
		t.Fatal(err)
	}
	if _, body, err := e.srv.ComposeMail(ctx, ms[0]); err != nil || strings.Contains(body, "통학로") {
		t.Errorf("mail about a hidden proposal: %v\n%s", err, body)
	}

	// A failed send is shown with its error.
	if err := e.st.MarkMailFailed(ctx, ms[0].ID, "421 mail server busy"); err != nil {
		t.Fatal(err)
	}
	contains(t, "failed mail", admin.get("/admin/outbox").Body, "다시 보낼 예정 (1회 실패): 421 mail server busy")
}

func TestMail_Compose(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	other, err := e.st.CreateMinistry(ctx, forum.Ministry{Slug: "moe", NameKO: "교육부", NameEN: "Ministry of Education"})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, kind, data string
		subject          string
		want, notWant    []string
	}{
		{name: "digest", kind: store.MailDigest, data: `{"count":3,"kinds":{"official_response":2,"weird":1}}`,
			subject: "[e-people] 지난 하루의 알림 3건 / Your notifications from the last day (3)",
			want:    []string{"지난 하루 동안 새 알림이 3건 있습니다.", "· 공식 답변: 2", "· 기타 알림: 1", "· Official answers: 2", "http://127.0.0.1/notifications\n"}},
		{name: "revised answer", kind: forum.NoteResponse, data: `{"proposal_id":999,"decision":"accepted","revision":2}`,
			subject: "[e-people] 팔로우한 제안에 공식 답변이 게시되었습니다 / An official answer to a proposal you follow",
			want:    []string{"(version 2)", "http://127.0.0.1/proposals/999#response\n"}, notWant: []string{"Proposal:"}},
		// Issue 16: a notification mail names its item and links to the exact place; a digest lists its entries.
		{name: "debate opened", kind: forum.NoteDebateOpened, data: `{"debate_id":3,"title":"주4일제 도입"}`,
			subject: "[e-people] 알림: 주4일제 도입 / Notification: 주4일제 도입",
			want:    []string{"정책토론이 시작되었습니다: “주4일제 도입”", "A policy debate opened: “주4일제 도입”", "http://127.0.0.1/debates/3\n"}},
		{name: "digest entries", kind: store.MailDigest, data: `{"count":3,"kinds":{"debate_concluded":1,"reply":2},"frequency":"weekly","items":[` +
			`{"kind":"debate_concluded","subject":"debate:3","count":1,"data":{"debate_id":3,"title":"주4일제 도입"}},` +
			`{"kind":"reply","subject":"comment:5","count":2,"data":{"kind":"comment","id":9,"proposal_id":999,"title":"사라진 제안","excerpt":"좋아요"}}]}`,
			subject: "[e-people] 이번 주 알림 3건 / 3 notifications this week",
			want: []string{"· 정책토론의 결론이 발표되었습니다: “주4일제 도입”", "  http://127.0.0.1/debates/3#conclusion", "지난 한 주 동안 알림 3건이 있었습니다.",
				"  http://127.0.0.1/comments/9"},
			notWant: []string{"사라진 제안", "좋아요"}}, // a proposal its reader may not read (here: gone) is not named
		{name: "transfer", kind: forum.NoteTransferred, data: `{"proposal_id":1,"from":` + strconv.FormatInt(e.mins[0].ID, 10) + `,"to":` + strconv.FormatInt(other.ID, 10) + `}`,
			subject: "[e-people] 팔로우한 제안의 담당 부처가 바뀌었습니다 / A proposal you follow moved to another ministry",
			want:    []string{"보건복지부에서 교육부로", "from Ministry of Health and Welfare to Ministry of Education"}},
		{name: "moderation note", kind: forum.NoteContentRestored, data: `{"kind":"comment","id":5}`,
			subject: "[e-people] 새 알림이 있습니다 / You have a new notification"},
		{name: "unreadable data", kind: "something_new", data: `not json`,
			subject: "[e-people] 새 알림이 있습니다 / You have a new notification", want: []string{"You have a new notification."}},
	} {
		subject, body, err := e.srv.ComposeMail(ctx, store.Mail{Kind: tc.kind, Data: []byte(tc.data)})
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if subject != tc.subject {
			t.Errorf("%s: subject %q, want %q", tc.name, subject, tc.subject)
		}
		contains(t, tc.name, body, append(tc.want, "e-people 알림 메일입니다.", "http://127.0.0.1/notifications#mail")...)
		for _, nw := range tc.notWant {
			if strings.Contains(body, nw) {
				t.Errorf("%s: body has %q", tc.name, nw)
			}
		}
		if strings.Contains(body, "mail.") || strings.Contains(subject, "mail.") {
			t.Errorf("%s: a catalog key shows: %s\n%s", tc.name, subject, body)
		}
	}
}
