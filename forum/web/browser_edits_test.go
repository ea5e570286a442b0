package web

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/e-people/e-people/forum"
)

// TestBrowser_EditDiff opens the diff a supporter is sent to at 390 px and
// 1280 px: readable on a phone (nothing wider than the screen), the
// changes marked so they read without colour (underlined, struck through,
// said in words to screen readers), axe-core clean; the one-click
// withdrawal lowers the count. Then a moderator's approval of a
// substantial edit reaches the open proposal page live, and the review
// queue passes axe-core too.
func TestBrowser_EditDiff(t *testing.T) {
	src := axeSource(t)
	e := newEnv(t)
	bg := context.Background()
	if err := e.st.SetSettings(bg, map[string]string{forum.SettingSupportThreshold: "2"}); err != nil {
		t.Fatal(err)
	}
	br := newBrowser(t, e, 4*time.Minute)
	author := e.register("작성자")
	id := e.openProposal(author, "서울 시내버스 요금을 내려 주세요",
		"서울시 시내버스 요금을 내려 주세요. 청년과 어르신의 교통비 부담이 큽니다.\n\n- 환승 할인을 늘려 주세요.\n- Night bus fares should match day fares.")
	path := "/proposals/" + itoa(int(id))
	supporter := e.register("지지하는 시민")
	support(t, supporter, id)
	if r := author.editProposal(id, "서울 시내버스 요금은 내려 주세요",
		"서울시 시내버스와 마을버스 요금을 내려 주세요. 청년과 어르신의 교통비 부담이 매우 큽니다.\n\n- 환승 할인을 늘려 주세요.\n- Night bus fares should equal day fares."); r.Status != 303 {
		t.Fatalf("edit: %d %.300s", r.Status, r.Body)
	}

	s := br.tab("supporter")
	s.signIn(supporter.user().Email, "correct horse battery staple", "지지하는 시민")
	s.open("/notifications")
	s.wantText(".note-text", "지지하신 제안이 수정되었습니다")
	s.wantCount(`form.note-action button`, 1)
	s.axeCheck("notifications with an edit", src)
	s.click(".note-text a", 200)
	if loc := s.location(); !strings.HasSuffix(loc, path+"/history?from=1") {
		t.Fatalf("the notification leads to %q", loc)
	}
	s.wantText(".diff-title", "[삭제된 내용: 을 (끝)][추가된 내용: 은 (끝)]")
	// Insertions and deletions read without colour: struck through and underlined.
	if got := evalIn[string](s, `getComputedStyle(document.querySelector('.diff-text del')).textDecorationLine`); got != "line-through" {
		t.Errorf("del is drawn %q", got)
	}
	if got := evalIn[string](s, `getComputedStyle(document.querySelector('.diff-text ins')).textDecorationLine`); got != "underline" {
		t.Errorf("ins is drawn %q", got)
	}
	// Said in words to screen readers, out of sight.
	if got := evalIn[string](s, `document.querySelector('.diff-text ins .visually-hidden').textContent`); got != "[추가된 내용: " {
		t.Errorf("hidden words = %q", got)
	}
	if w := evalIn[float64](s, `document.querySelector('.diff-text ins .visually-hidden').getBoundingClientRect().width`); w > 1 {
		t.Errorf("the hidden words take %v px", w)
	}
	// Character-level inside Korean: only 마을버스's addition, not the whole phrase.
	if got := evalIn[string](s, `Array.from(document.querySelectorAll('.diff-text ins')).map(n => n.lastChild.previousSibling.textContent).join('|')`); got == "" {
		t.Error("no insertion marked")
	} else {
		t.Logf("insertions: %s", got)
	}
	s.axeCheck("diff page", src)
	s.screenshot("diff-1280", 1280, 900, false)
	s.screenshot("diff-390", 390, 844, true)
	// At 390 px nothing is wider than the screen.
	s.run("390 px layout", func(ctx context.Context) error {
		if err := chromedp.Do(ctx, chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile, chromedp.EmulateScale(2))); err != nil {
			return err
		}
		defer chromedp.Do(ctx, chromedp.EmulateReset())
		w, err := chromedp.Run(ctx, chromedp.Evaluate[float64](`document.documentElement.scrollWidth`))
		if err != nil {
			return err
		}
		if w > 390 {
			t.Errorf("the diff page is %v px wide at 390 px", w)
		}
		bw, err := chromedp.Run(ctx, chromedp.Evaluate[float64](`document.querySelector('#withdraw button').getBoundingClientRect().right`))
		if err == nil && bw > 390 {
			t.Errorf("the withdrawal button ends at %v px", bw)
		}
		return err
	})

	// One click withdraws, and comes back to the diff with a flash.
	s.click("#withdraw button", 200)
	s.wantText(".flash", "이 수정 때문에 지지를 철회했습니다")
	s.wantCount("#withdraw", 0)
	if n := e.supports(id); n != 0 {
		t.Errorf("supports after the click = %d", n)
	}

	// Past the threshold, a substantial edit waits; approved, it reaches the open page live.
	s1, s2 := e.register("지지자 일"), e.register("지지자 이")
	support(t, s1, id)
	support(t, s2, id)
	big := "모든 버스와 지하철 요금을 동결해 주세요"
	if r := author.editProposal(id, big, "버스, 지하철, 광역버스 요금을 3년 동안 동결하고 청소년 요금을 없애 주세요."); r.Header.Get("Location") != path+"/revisions/3" {
		t.Fatalf("substantial edit: %d %q", r.Status, r.Header.Get("Location"))
	}
	v := br.tab("visitor")
	v.open(path)
	v.waitText("#live-status", "실시간")
	v.wantText("#proposal-title", "서울 시내버스 요금은 내려 주세요")

	userSeq++
	email := "staff" + itoa(userSeq) + "@example.org"
	hash, _ := forum.HashPassword("staff passphrase 1")
	u, err := e.st.CreateUser(bg, forum.User{Role: forum.RoleModerator, Name: "류지혜", Email: email, Tier: forum.TierEmailVerified}, hash)
	if err != nil {
		t.Fatal(err)
	}
	e.enrol(u.ID)
	m := br.tab("moderator")
	m.signInStaff(e, email, "staff passphrase 1", "류지혜")
	m.open("/moderation/")
	m.wantText("#edits-title", "수정 승인 대기 (1)")
	m.axeCheck("review queue with an edit", src)
	m.screenshot("queue-1280", 1280, 900, false)
	m.screenshot("queue-390", 390, 844, true)
	m.click(`#edits button[value="approve"]`, 200)
	m.wantText(".flash", "수정을 승인해 공개했습니다")
	took := v.waitText("#proposal-title", big)
	t.Logf("the approved edit reached the open page in %v", took)
	v.wantText("[data-live=proposal-body]", "동결하고")
}
