package web

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/e-people/e-people/forum"
)

// mergePair is two open proposals of the same ministry, B a duplicate of A,
// with a supporter of both and a supporter of B alone.
type mergePair struct {
	a, b            int64
	both, onlyB     *client
	author, author2 *client
}

func newMergePair(t *testing.T, e *env) mergePair {
	t.Helper()
	var m mergePair
	m.author, m.author2 = e.register("가 작성자"), e.register("나 작성자")
	m.a = e.openProposal(m.author, "공공도서관 야간 개방", "퇴근 뒤에도 도서관을 쓸 수 있게 해 주세요.")
	m.b = e.openProposal(m.author2, "도서관 심야 운영 청원", "심야에도 열람실을 열어 주세요.")
	m.both, m.onlyB = e.register("둘 다 지지"), e.register("나만 지지")
	for _, s := range []struct {
		c  *client
		id int64
	}{{m.both, m.a}, {m.both, m.b}, {m.onlyB, m.b}} {
		if r := s.c.post("/proposals/"+itoa(int(s.id))+"/support", nil); r.Status != http.StatusSeeOther {
			t.Fatalf("support: %d %.300s", r.Status, r.Body)
		}
	}
	return m
}

// TestMerges_RoleMatrix: who sees the merge form and may merge or undo —
// guest, citizen, moderator, official of the ministry, of another ministry,
// admin — and what a refused or a bad request gets.
func TestMerges_RoleMatrix(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	other, err := e.st.CreateMinistry(ctx, forum.Ministry{Slug: "moe", NameKO: "교육부", NameEN: "Ministry of Education"})
	if err != nil {
		t.Fatal(err)
	}
	m := newMergePair(t, e)
	b := "/proposals/" + itoa(int(m.b))
	guest, citizen := e.client(), e.register("시민")
	moderator := e.staff(forum.RoleModerator, 0, "류지혜")
	official := e.staff(forum.RoleOfficial, e.mins[0].ID, "김하늘")
	outsider := e.staff(forum.RoleOfficial, other.ID, "박교육")
	admin := e.staff(forum.RoleAdmin, 0, "이도현")
	for _, tc := range []struct {
		name    string
		c       *client
		mayForm bool
		confirm int // the status of the confirmation page
	}{
		{"guest", guest, false, http.StatusSeeOther},
		{"citizen", citizen, false, http.StatusForbidden},
		{"moderator", moderator, true, http.StatusOK},
		{"official", official, true, http.StatusOK},
		{"other ministry's official", outsider, false, http.StatusForbidden},
		{"admin", admin, true, http.StatusOK},
	} {
		t.Run(tc.name, func(t *testing.T) {
			page := tc.c.get(b)
			if got := strings.Contains(page.Body, `id="merge-form"`); got != tc.mayForm {
				t.Errorf("merge form shown: %v, want %v", got, tc.mayForm)
			}
			r := tc.c.get(b + "/merge?into=" + itoa(int(m.a)))
			if r.Status != tc.confirm {
				t.Errorf("confirmation page: %d, want %d", r.Status, tc.confirm)
			}
			if tc.confirm == http.StatusOK {
				contains(t, "confirmation", r.Body, `id="merge-confirm"`, "공공도서관 야간 개방", "도서관 심야 운영 청원")
			}
			if tc.confirm == http.StatusForbidden {
				contains(t, "refusal", r.Body, "두 제안을 모두 맡은 부처의 공무원만")
				if r := tc.c.post(b+"/merge", url.Values{"into": {itoa(int(m.a))}, "reason": {"중복"}}); r.Status != http.StatusForbidden {
					t.Errorf("merge: %d, want 403", r.Status)
				}
			}
		})
	}
	// Bad requests: 400 with the words, nothing written.
	for _, tc := range []struct {
		form url.Values
		want string
	}{
		{url.Values{"into": {itoa(int(m.a))}, "reason": {" "}}, "병합의 공개 사유를 적어 주세요."},
		{url.Values{"into": {itoa(int(m.b))}, "reason": {"중복"}}, "자기 자신에 병합할 수 없습니다"},
		{url.Values{"number": {"abc"}, "reason": {"중복"}}, "제안 번호는 123 같은 정수입니다."},
		{url.Values{"number": {"#99999"}, "reason": {"중복"}}, "그 번호의 제안이 없습니다."},
		{url.Values{"reason": {"중복"}}, "병합할 대상 제안의 번호를 입력하거나 고르세요."},
	} {
		r := moderator.post(b+"/merge", tc.form)
		if r.Status != http.StatusBadRequest {
			t.Errorf("merge %v: %d, want 400", tc.form, r.Status)
		}
		contains(t, "bad merge", r.Body, tc.want)
	}
	if n := e.reader().Value(`SELECT count(*) FROM proposal_merges`); n != "0" {
		t.Fatalf("%s merges after refusals", n)
	}
	// The ministry's official merges B into A.
	r := official.post(b+"/merge", url.Values{"into": {itoa(int(m.a))}, "reason": {"같은 요청이어서 합칩니다"}})
	if r.Status != http.StatusSeeOther || r.Header.Get("Location") != b+"#merge" {
		t.Fatalf("merge: %d %q %.300s", r.Status, r.Header.Get("Location"), r.Body)
	}
	mid := e.reader().Value(`SELECT id FROM proposal_merges`)
	for _, c := range []*client{guest, citizen, moderator, official, outsider, admin} {
		page := c.get(b)
		contains(t, "signpost", page.Body, "이 제안은 “공공도서관 야간 개방”에 병합되었습니다", "같은 요청이어서 합칩니다",
			`href="/proposals/`+itoa(int(m.a))+`"`)
		if strings.Contains(page.Body, `action="/proposals/`+itoa(int(m.b))+`/support"`) {
			t.Error("the signpost offers a support button")
		}
		undo := strings.Contains(page.Body, `action="/merges/`+mid+`/undo"`)
		if want := c == moderator || c == official || c == admin; undo != want {
			t.Errorf("undo button shown: %v, want %v", undo, want)
		}
	}
	contains(t, "A's note", guest.get("/proposals/"+itoa(int(m.a))).Body, "이 제안으로 병합된 제안", "도서관 심야 운영 청원",
		"지지 2건이 옮겨졌고, 그중 1건이 새로 더해졌습니다.")
	// B refuses supports, and says where to go: a form (a page opened
	// before the merge) is sent on to A's support section with a notice,
	// recording nothing; the API gets the refusal.
	r = citizen.post(b+"/support", nil)
	if want := "/proposals/" + itoa(int(m.a)) + "#support"; r.Status != http.StatusSeeOther || r.Header.Get("Location") != want {
		t.Errorf("support of the signpost: %d %q, want 303 to %s", r.Status, r.Header.Get("Location"), want)
	}
	contains(t, "support sent on", citizen.get("/proposals/"+itoa(int(m.a))).Body, "지지하려던 제안은 이 제안에 병합되었습니다")
	r = citizen.do("POST", b+"/support", url.Values{"_csrf": {citizen.csrf()}}, "Accept", "application/json")
	if r.Status != http.StatusConflict {
		t.Errorf("API support of the signpost: %d, want 409", r.Status)
	}
	contains(t, "support refusal", r.Body, "이 제안은 제"+itoa(int(m.a))+"호 제안에 병합되었습니다")
	// The others are told, in their language.
	m.onlyB.lang = "en"
	contains(t, "notification", m.onlyB.get("/notifications").Body, "“도서관 심야 운영 청원” was merged into “공공도서관 야간 개방”")
	contains(t, "A's author", m.author.get("/notifications").Body, "병합되었습니다")
	// The log, the API and open data have it.
	contains(t, "log", guest.get("/moderation/log").Body, "다른 제안에 병합", "같은 요청이어서 합칩니다")
	var api struct {
		MergedInto *int64  `json:"merged_into"`
		MergedFrom []int64 `json:"merged_from"`
	}
	if err := json.Unmarshal([]byte(guest.get("/api/v1/proposals/"+itoa(int(m.b))).Body), &api); err != nil || api.MergedInto == nil || *api.MergedInto != m.a {
		t.Errorf("API of B: merged_into %v (%v)", api.MergedInto, err)
	}
	api.MergedInto = nil
	if err := json.Unmarshal([]byte(guest.get("/api/v1/proposals/"+itoa(int(m.a))).Body), &api); err != nil || api.MergedInto != nil ||
		len(api.MergedFrom) != 1 || api.MergedFrom[0] != m.b {
		t.Errorf("API of A: merged_into %v, merged_from %v (%v)", api.MergedInto, api.MergedFrom, err)
	}
	csv := guest.get("/open-data/merges.csv")
	contains(t, "merges.csv", csv.Body, "id,from_id,into_id,actor_role,ministry,reason,moved,added,created_at,undone_at,undo_reason",
		mid+","+itoa(int(m.b))+","+itoa(int(m.a))+",official,mohw,같은 요청이어서 합칩니다,2,1,")
	nd := guest.get("/open-data/merges.ndjson")
	contains(t, "merges.ndjson", nd.Body, `"from_id":`+itoa(int(m.b)), `"reason":"같은 요청이어서 합칩니다"`)
	contains(t, "open data page", guest.get("/open-data").Body, "/open-data/merges.csv", "중복 제안 병합")
	// Undo: refused to a citizen and an outsider, done by the admin.
	for _, c := range []*client{citizen, outsider} {
		if r := c.post("/merges/"+mid+"/undo", url.Values{"reason": {"실수"}}); r.Status != http.StatusForbidden {
			t.Errorf("undo by a stranger: %d", r.Status)
		}
	}
	if r := admin.post("/merges/"+mid+"/undo", url.Values{"reason": {""}}); r.Status != http.StatusBadRequest {
		t.Errorf("undo without a reason: %d", r.Status)
	}
	if r := admin.post("/merges/"+mid+"/undo", url.Values{"reason": {"서로 다른 요청"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("undo: %d %.300s", r.Status, r.Body)
	}
	page := guest.get(b)
	if strings.Contains(page.Body, "merge-signpost") {
		t.Error("the signpost stays after the undo")
	}
	if got := e.reader().Value(`SELECT support_count FROM proposals WHERE id = ?`, m.b); got != "2" {
		t.Errorf("B's supports after the undo: %s", got)
	}
}

// TestMerges_Languages: the signpost and the confirmation page in Korean, English and Chinese.
func TestMerges_Languages(t *testing.T) {
	e := newEnv(t)
	m := newMergePair(t, e)
	moderator := e.staff(forum.RoleModerator, 0, "류지혜")
	b := "/proposals/" + itoa(int(m.b))
	want := map[string][2]string{
		"ko": {"중복 제안 병합", "병합되었습니다"},
		"en": {"Merge a duplicate proposal", "This proposal was merged into"},
		"zh": {"合併重複提案", "本提案已合併至"},
	}
	for lang, w := range want {
		moderator.lang = lang
		contains(t, lang+" confirmation", moderator.get(b+"/merge?into="+itoa(int(m.a))).Body, w[0])
	}
	if r := moderator.post(b+"/merge", url.Values{"into": {itoa(int(m.a))}, "reason": {"duplicate"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("merge: %d", r.Status)
	}
	for lang, w := range want {
		c := e.client()
		c.lang = lang
		contains(t, lang+" signpost", c.get(b).Body, w[1])
	}
}

// TestMerges_ValidHTML runs the Nu Html Checker over the merge's pages:
// the proposal page with the merge form, the confirmation (and its refusal),
// the signpost with the undo button, and the merged-from note; none skips a
// heading level.
func TestMerges_ValidHTML(t *testing.T) {
	if _, err := os.Stat(vnuPath); err != nil {
		t.Skipf("vnu.jar not found at %s: `make test-deps` installs it", vnuPath)
	}
	java, err := exec.LookPath("java")
	if err != nil {
		t.Skip("java not found: `make test-deps` installs default-jre-headless")
	}
	e := newEnv(t)
	m := newMergePair(t, e)
	moderator := e.staff(forum.RoleModerator, 0, "류지혜")
	a, b := "/proposals/"+itoa(int(m.a)), "/proposals/"+itoa(int(m.b))
	bodies := map[string]string{}
	keep := func(name string, r resp, status int) {
		t.Helper()
		if r.Status != status {
			t.Fatalf("%s: %d, want %d", name, r.Status, status)
		}
		for _, s := range headingSkips(r.Body) {
			t.Errorf("%s: heading skips a level: %s", name, s)
		}
		bodies[name] = r.Body
	}
	keep("form", moderator.get(b), http.StatusOK)
	keep("confirm", moderator.get(b+"/merge?into="+itoa(int(m.a))), http.StatusOK)
	keep("refused", moderator.post(b+"/merge", url.Values{"into": {itoa(int(m.a))}}), http.StatusBadRequest)
	if r := moderator.post(b+"/merge", url.Values{"into": {itoa(int(m.a))}, "reason": {"중복"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("merge: %d", r.Status)
	}
	keep("signpost", moderator.get(b), http.StatusOK)
	keep("merged-from", moderator.get(a), http.StatusOK)
	checkHTML(t, java, bodies)
}
