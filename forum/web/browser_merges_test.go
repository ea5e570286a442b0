package web

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/e-people/e-people/forum"
)

// TestBrowser_MergeSignpost: a moderator merges a duplicate from its page
// (the form, a similar proposal picked, the confirmation with the reason);
// the page of B a citizen has open turns into the signpost by itself, and
// A's page counts the supporters who came over.
func TestBrowser_MergeSignpost(t *testing.T) {
	e := newEnv(t)
	bg := context.Background()
	br := newBrowser(t, e, 150*time.Second)
	m := newMergePair(t, e)
	a, b := "/proposals/"+strconv.FormatInt(m.a, 10), "/proposals/"+strconv.FormatInt(m.b, 10)

	const modPass = "moderator passphrase 1"
	hash, err := forum.HashPassword(modPass)
	if err != nil {
		t.Fatal(err)
	}
	mod, err := e.st.CreateUser(bg, forum.User{Tier: forum.TierEmailVerified, Role: forum.RoleModerator, Name: "류지혜", Email: "jihye@example.org"}, hash)
	if err != nil {
		t.Fatal(err)
	}
	e.enrol(mod.ID)

	// A citizen reads B, and another tab A, with the live channel up.
	c := br.tab("citizen")
	c.open(b)
	c.waitText("#live-status", "실시간")
	c.wantCount(".merge-signpost", 0)
	ca := br.tab("reader of A")
	ca.open(a)
	ca.waitText("#live-status", "실시간")
	ca.wantText(`[data-live="supports"]`, "1")

	// The moderator opens the form on B, picks A among the similar proposals, and confirms.
	mt := br.tab("moderator")
	mt.signInStaff(e, "jihye@example.org", modPass, "류지혜")
	mt.open(b)
	mt.tap("#merge-form > summary")
	mt.tap(`#merge-form input[type=radio][value="` + strconv.FormatInt(m.a, 10) + `"]`)
	mt.click(`#merge-form button[type=submit]`, 200)
	mt.wantText("main", "병합되는 제안", "남는 제안", "공공도서관 야간 개방", "도서관 심야 운영 청원")
	mt.screenshot("merge-confirm-1280", 1280, 900, false)
	mt.screenshot("merge-confirm-390", 390, 844, true)
	// Without a reason: the same page again, saying what is missing.
	mt.click("#merge-confirm", 400)
	mt.wantText(".error-summary, main", "병합의 공개 사유를 적어 주세요.")
	mt.typeInto("#f-reason", "같은 요청이어서 하나로 모읍니다")
	merged := time.Now()
	mt.click("#merge-confirm", 200)
	mt.wantText(".flash", "제안을 병합했습니다")
	mt.wantText(".merge-signpost", "공공도서관 야간 개방", "같은 요청이어서 하나로 모읍니다")
	mt.wantCount(`.merge-signpost form[action^="/merges/"]`, 1)

	// The citizen's page of B became the signpost, and its link leads to A.
	c.waitText(".merge-signpost", "이 제안은 “공공도서관 야간 개방”에 병합되었습니다")
	t.Logf("the citizen's page showed the signpost %v after the moderator pressed merge (the moderator's own page load included)", time.Since(merged))
	c.wantCount(`form[action="`+b+`/support"]`, 0)
	c.screenshot("merge-signpost-1280", 1280, 900, false)
	c.screenshot("merge-signpost-390", 390, 844, true)
	c.click(`.merge-signpost a.btn`, 200)
	if got := c.location(); !strings.HasSuffix(got, a) {
		t.Errorf("the signpost led to %s, want %s", got, a)
	}
	c.wantText("#merged-from", "도서관 심야 운영 청원", "지지 2건이 옮겨졌고, 그중 1건이 새로 더해졌습니다.")
	c.screenshot("merge-from-390", 390, 844, true)

	// A's open page counts B's supporter who came over (the shared one counts once).
	ca.waitText(`[data-live="supports"]`, "2")
	if got, err := e.st.Proposal(bg, m.a); err != nil || got.Supports != 2 {
		t.Errorf("A in the store: %v supports, %v", got.Supports, err)
	}
}
