package web

import (
	"context"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/e-people/e-people/forum"
	"github.com/e-people/e-people/moderation"
)

// TestBrowser_PersonalDataWarning: in a real Chromium, a comment with a phone
// number gets a warning in the form before anything is stored; pressing the
// button again posts it anyway, held for review, and the author is told why.
func TestBrowser_PersonalDataWarning(t *testing.T) {
	e := newEnv(t)
	br := newBrowser(t, e, 90*time.Second)
	author := e.register("제안하는 시민")
	pid := e.openProposal(author, "공공자전거 대여소를 늘려 주십시오", "대여소가 부족합니다.")
	writer := e.register("연락처 쓰는 시민")
	b := br.tab("writer")
	b.signIn(writer.user().Email, "correct horse battery staple", "연락처 쓰는 시민")
	b.open("/proposals/" + strconv.FormatInt(pid, 10))
	b.waitText("#live-status", "실시간") // the comment then goes by script, and the page stays

	// Every comment, held or not, counts in the proposal's comment counter
	// and in the review queue.
	stored := func() (int, []*forum.ReviewItem) {
		t.Helper()
		p, err := e.st.Proposal(context.Background(), pid)
		if err != nil {
			t.Fatal(err)
		}
		q, err := e.st.Queue(context.Background(), 100)
		if err != nil {
			t.Fatal(err)
		}
		return p.Comments, q
	}
	b.tap(`#comment-form input[name=stance][value=for]`)
	b.typeInto("#f-body", "담당자 연락처를 남깁니다: 010-9876-5432")
	b.tap(`#comment-form button[type=submit]`)
	b.waitText("#comment-form .form-status", "개인정보로 보이는 내용이 있습니다")
	if n, q := stored(); n != 0 || len(q) != 0 {
		t.Fatalf("%d comments and %d reviews stored before the author saw the warning", n, len(q))
	}
	if got := evalIn[string](b, `document.activeElement.id`); got != "f-body" {
		t.Errorf("focus on %q after the warning, want the body", got)
	}
	b.screenshot("personal-data-warning", 390, 844, true)

	b.tap(`#comment-form button[type=submit]`) // post anyway
	b.waitText("#comment-form .form-status", "수정해서 지우실 수 있습니다")
	n, q := stored()
	if n != 1 || len(q) != 1 || q[0].Kind != forum.ItemComment || !slices.Equal(q[0].Rules, []string{moderation.RulePersonalData}) {
		t.Fatalf("after posting anyway: %d comments, queue %+v; want one held for personal data", n, q)
	}
	if cm, err := e.st.Comment(context.Background(), q[0].ItemID); err != nil || cm.ModState != forum.ModHeld {
		t.Fatalf("posted anyway: %v %+v, want held", err, cm)
	}
}
