package web

import (
	"context"
	"net/url"
	"strconv"
	"testing"
	"time"
)

// TestBrowser_DeleteAccount deletes an account through the pages in
// Chromium: the footer's privacy policy leads to "my data", a wrong
// password is refused in place, the right one signs the browser out, and
// the comment left behind is a withdrawn member's.
func TestBrowser_DeleteAccount(t *testing.T) {
	e := newEnv(t)
	br := newBrowser(t, e, 90*time.Second)
	author := e.register("제안하는 시민")
	pid := e.openProposal(author, "마을 도서관 개관 시간을 늘려 주세요", "저녁에도 열어 주세요.")
	leaver := e.register("떠나는 시민")
	email := leaver.user().Email
	path := "/proposals/" + strconv.FormatInt(pid, 10)
	if r := leaver.post(path+"/comments", url.Values{"stance": {"for"}, "body": {"저녁 아홉 시까지면 좋겠습니다."}}); r.Status != 303 {
		t.Fatalf("comment: %d", r.Status)
	}
	b := br.tab("leaver")
	b.signIn(email, "correct horse battery staple", "떠나는 시민")
	b.open("/")
	b.click(`footer a[href="/privacy"]`, 200)
	b.click(`main a[href="/account/privacy"]`, 200)
	b.click(`main a[href="/account/delete"]`, 200)
	b.typeInto("#f-password", "wrong password here")
	b.click(`form[action="/account/delete"] button[type=submit]`, 400)
	b.wantCount(".error-summary", 1)
	b.wantText("#f-password-error", "비밀번호가 맞지 않습니다")
	b.typeInto("#f-password", "correct horse battery staple")
	b.click(`form[action="/account/delete"] button[type=submit]`, 200)
	b.wantText(".flash", "탈퇴했습니다")
	b.wantCount("header .user-name", 0)
	b.open(path)
	b.wantText(".comment .author", "탈퇴한 사용자")
	if u, _, err := e.st.UserByEmail(context.Background(), email); err == nil {
		t.Errorf("the account is still found by its address: %v", u)
	}
}
