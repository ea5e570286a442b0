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

// staff creates a staff account through the store, enrols its second
// factor (testTOTPSecret) and returns it signed in with a code.
func (e *env) staff(role forum.Role, ministry int64, name string) *client {
	e.t.Helper()
	userSeq++
	email := "staff" + itoa(userSeq) + "@example.org"
	hash, _ := forum.HashPassword("staff passphrase 1")
	u, err := e.st.CreateUser(context.Background(), forum.User{Role: role, MinistryID: ministry, Name: name, Email: email, Tier: forum.TierEmailVerified}, hash)
	if err != nil {
		e.t.Fatal(err)
	}
	e.enrol(u.ID)
	return e.signInStaff(email, "staff passphrase 1")
}

func TestDebates_RolesAndLifecycle(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	other, err := e.st.CreateMinistry(ctx, forum.Ministry{Slug: "moe", NameKO: "교육부", NameEN: "Ministry of Education"})
	if err != nil {
		t.Fatal(err)
	}
	mohw := e.mins[0].ID
	official := e.staff(forum.RoleOfficial, mohw, "김하늘")
	outsider := e.staff(forum.RoleOfficial, other.ID, "박교육")
	moderator := e.staff(forum.RoleModerator, 0, "류지혜")
	admin := e.staff(forum.RoleAdmin, 0, "이도현")
	citizen := e.register("토론 시민")
	local := func(d time.Duration) string { return e.clock.Now().Add(d).In(seoul).Format(datetimeLocal) }
	form := func(ministry int64, q string, opens, closes time.Duration) url.Values {
		return url.Values{"ministry": {itoa(int(ministry))}, "question": {q}, "background": {"## 배경\n\n현재 제도"},
			"opens_at": {local(opens)}, "closes_at": {local(closes)}}
	}
	count := func() int {
		list, err := e.st.Debates(ctx, store.DebateQuery{})
		if err != nil {
			t.Fatal(err)
		}
		return len(list)
	}
	for _, tc := range []struct {
		name string
		c    *client
	}{{"citizen", citizen}, {"moderator", moderator}} {
		if r := tc.c.get("/debates/new"); r.Status != 403 {
			t.Errorf("%s opens the form: %d", tc.name, r.Status)
		}
		if r := tc.c.post("/debates", form(mohw, "권한 없는 토론입니까?", 0, time.Hour)); r.Status != 403 {
			t.Errorf("%s creates a debate: %d", tc.name, r.Status)
		}
	}
	if r := e.client().post("/debates", form(mohw, "로그인 없는 토론입니까?", 0, time.Hour)); r.Status != 401 {
		t.Errorf("anonymous create: %d", r.Status)
	}
	if r := outsider.post("/debates", form(mohw, "다른 부처 토론입니까?", 0, time.Hour)); r.Status != 400 {
		t.Errorf("official for another ministry: %d", r.Status)
	}
	r := official.post("/debates", form(mohw, "짧", time.Hour, 0))
	if r.Status != 400 {
		t.Fatalf("bad debate: %d", r.Status)
	}
	contains(t, "bad debate", r.Body, "질문은 4자 이상", "마감 일시는 시작 일시보다 뒤여야 합니다")
	if count() != 0 {
		t.Fatal("a refused debate was stored")
	}
	if r := official.get("/debates/new"); r.Status != 200 || !strings.Contains(r.Body, "보건복지부") || strings.Contains(r.Body, "교육부") {
		t.Errorf("official's form should offer only their ministry: %d", r.Status)
	}
	r = official.post("/debates", form(mohw, "야간 도서관 개방이 필요합니까?", 0, time.Hour))
	if r.Status != 303 {
		t.Fatalf("create: %d %.300s", r.Status, r.Body)
	}
	path := r.Header.Get("Location")
	if r := admin.post("/debates", form(other.ID, "내일 여는 교육 토론입니까?", 24*time.Hour, 48*time.Hour)); r.Status != 303 {
		t.Fatalf("admin creates for any ministry: %d", r.Status)
	}
	list := e.client().get("/debates").Body
	contains(t, "list", list, "야간 도서관 개방이 필요합니까?", "내일 여는 교육 토론입니까?", "진행 중인 토론", "예정된 토론")
	contains(t, "per ministry", e.client().get("/debates?ministry=moe").Body, "내일 여는 교육 토론입니까?")
	if strings.Contains(e.client().get("/debates?ministry=moe").Body, "야간 도서관") {
		t.Error("ministry filter shows another ministry's debate")
	}

	// Arguments and votes, then the close.
	if r := citizen.post(path+"/comments", url.Values{"stance": {"for"}, "body": {"필요합니다"}}); r.Status != 303 {
		t.Fatalf("argument: %d", r.Status)
	}
	citizen2 := e.register("두번째 시민")
	citizen2.post(path+"/comments", url.Values{"stance": {"against"}, "body": {"예산이 부족합니다"}})
	page := e.client().get(path).Body
	contains(t, "debate page", page, "야간 도서관 개방이 필요합니까?", "<h3>배경</h3>", "필요합니다", "예산이 부족합니다", `data-tally="for">1<`, `data-tally="against">1<`, `name="live-topics" content="debate:`)
	if r := official.post(path+"/conclusion", url.Values{"conclusion": {"너무 이른 결론"}}); r.Status != 409 {
		t.Errorf("conclusion while open: %d", r.Status)
	}
	e.clock.Add(time.Hour)
	if _, _, err := e.st.AdvanceDebates(ctx); err != nil {
		t.Fatal(err)
	}
	if r := citizen.post(path+"/comments", url.Values{"stance": {"for"}, "body": {"늦은 의견"}}); r.Status != 409 {
		t.Errorf("argument after close: %d", r.Status)
	}
	for _, tc := range []struct {
		name string
		c    *client
	}{{"citizen", citizen}, {"moderator", moderator}, {"official of another ministry", outsider}} {
		if r := tc.c.post(path+"/conclusion", url.Values{"conclusion": {"가로챈 결론"}}); r.Status != 403 {
			t.Errorf("%s concludes: %d", tc.name, r.Status)
		}
	}
	if r := official.post(path+"/conclusion", url.Values{"conclusion": {"  "}}); r.Status != 400 {
		t.Errorf("empty conclusion: %d", r.Status)
	}
	if r := official.post(path+"/conclusion", url.Values{"conclusion": {"시범 운영을 **결정**했습니다."}}); r.Status != 303 {
		t.Fatalf("conclude: %d", r.Status)
	}
	page = e.client().get(path).Body
	contains(t, "concluded", page, "토론 결론", "<strong>결정</strong>", "종료된 토론", "role-official")
	if strings.Contains(page, `class="comment-form`) {
		t.Error("closed debate still shows the comment form")
	}
	if err := e.st.CheckCounters(ctx); err != nil {
		t.Error(err)
	}
}
