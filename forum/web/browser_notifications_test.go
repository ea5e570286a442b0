package web

import (
	"context"
	"net/url"
	"testing"
	"time"

	"github.com/e-people/e-people/forum"
	"github.com/e-people/e-people/forum/store"
	"github.com/e-people/e-people/moderation"
)

// TestBrowser_NotificationsPage (issue 16, item 3): in Korean, English and
// Chinese, on a phone and a desktop, the notifications page names each
// item and links to it, shows three replies as one entry, and its own
// mark-read button marks that entry read; axe stays clean.
func TestBrowser_NotificationsPage(t *testing.T) {
	e := newEnv(t)
	src := axeSource(t)
	ctx := context.Background()
	br := newBrowser(t, e, 180*time.Second)
	b := br.tab("reader")
	b.registerInBrowser("알림 읽는 시민", "reader@example.org")
	u, _, err := e.st.UserByEmail(ctx, "reader@example.org")
	if err != nil {
		t.Fatal(err)
	}
	id := e.openProposal(e.register("제안한 시민"), "어린이 보호구역 과속 단속 카메라 설치", "본문")
	path := "/proposals/" + itoa(int(id))
	comment := func(body string) int64 {
		cm, err := e.st.CreateComment(ctx, store.NewComment{Subject: forum.ProposalSubject(id), AuthorID: u.ID,
			Input: forum.CommentInput{Stance: forum.StanceFor, Body: body}, Body: e.srv.md.Markdown(body)})
		if err != nil {
			t.Fatal(err)
		}
		return cm.ID
	}
	first, second := comment("등하굣길 **과속 차량**이 많습니다"), comment("야간에도 단속이 필요합니다")
	for i, body := range []string{"동의합니다", "저희 학교 앞도 그렇습니다", "카메라보다 과속방지턱이 먼저입니다"} {
		if r := e.register("답글 단 시민 "+itoa(i)).post(path+"/comments", url.Values{"stance": {"for"}, "parent": {itoa(int(first))}, "body": {body}}); r.Status != 303 {
			t.Fatalf("reply: %d", r.Status)
		}
	}
	if r := e.register("다른 시민").post(path+"/comments", url.Values{"stance": {"against"}, "parent": {itoa(int(second))}, "body": {"밤에는 통행이 적어요"}}); r.Status != 303 {
		t.Fatalf("reply: %d", r.Status)
	}
	mod := e.staff(forum.RoleModerator, 0, "류지혜").user()
	if err := e.st.Hide(ctx, mod, forum.ItemComment, second, moderation.HideOfftopic); err != nil {
		t.Fatal(err)
	}

	for _, tc := range []struct{ lang, group, hidden string }{
		{"ko", "새 답글 3개: “어린이 보호구역 과속 단속 카메라 설치”", "작성하신 의견이 숨겨졌습니다"},
		{"en", "3 new replies on “어린이 보호구역 과속 단속 카메라 설치”", "Your comment was hidden"},
		{"zh", "3 則新回覆：「어린이 보호구역 과속 단속 카메라 설치」", "您的留言已被隱藏"},
	} {
		b.open("/lang?lang=" + tc.lang + "&next=/notifications")
		b.wantText("main", tc.group, tc.hidden, "카메라보다 과속방지턱이 먼저입니다")
		b.axeCheck("notifications, "+tc.lang, src)
		b.screenshot("notifications-"+tc.lang+"-390", 390, 844, true)
		b.screenshot("notifications-"+tc.lang+"-1280", 1280, 900, false)
	}
	// The hidden comment's entry leads to its appeal form.
	b.open("/lang?lang=ko&next=/notifications")
	if href := b.attr(`.note-text a[href^="/appeals/new"]`, "href"); href != "/appeals/new?kind=comment&id="+itoa(int(second)) {
		t.Errorf("appeal link %q", href)
	}
	// Marking the replies read leaves the others unread.
	b.click(`form.note-read:has(input[value="comment:`+itoa(int(first))+`"]) button`, 200)
	b.wantCount(`input[name="subject"][value="comment:`+itoa(int(first))+`"]`, 0)
	b.wantCount(`.note.is-unread`, 2) // the other reply, the hidden comment
	// The group's link opens the newest reply in its thread.
	b.click(`.note-text a[href^="/comments/"]`, 200)
	b.wantText("main", "카메라보다 과속방지턱이 먼저입니다")
}
