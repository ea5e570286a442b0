package web

import (
	"context"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/e-people/e-people/forum/store"
)

// acctOverflowing returns the elements of the page that reach past the right
// edge of a phone's screen width px wide (and the page's own scroll width,
// if it scrolls sideways), as tag#id.class, after reloading it in that
// viewport. The viewport is reset afterwards.
func (b *tab) acctOverflowing(width int64) []string {
	b.t.Helper()
	var out []string
	b.run("measure at width", func(ctx context.Context) error {
		if err := chromedp.Do(ctx, chromedp.EmulateViewport(width, 844, chromedp.EmulateMobile, chromedp.EmulateTouch, chromedp.EmulatePortrait)); err != nil {
			return err
		}
		if _, err := chromedp.RunResponse(ctx, chromedp.Reload()); err != nil {
			return err
		}
		var err error
		out, err = chromedp.Run(ctx, chromedp.Evaluate[[]string](`(() => {
			const w = document.documentElement.clientWidth, out = [];
			if (document.documentElement.scrollWidth > w) out.push("page scrolls sideways: " + document.documentElement.scrollWidth + " > " + w);
			for (const el of document.querySelectorAll("body *")) {
				const r = el.getBoundingClientRect();
				if (r.width > 0 && r.right > w + 1 && !el.closest(".visually-hidden, .skip-link")) {
					out.push(el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + (el.className ? "." + String(el.className).split(" ").join(".") : "") + " right=" + Math.round(r.right));
				}
			}
			return out;
		})()`))
		return err
	})
	return out
}

// TestBrowser_PasswordResetAndAccount: in a real Chromium, a citizen who
// forgot the password follows "Forgot your password?" from the sign-in
// page, opens the link the outbox holds, chooses a new password and signs
// in with it, while the browser signed in with the old one is signed out;
// then the account page fits a 390 px phone screen.
func TestBrowser_PasswordResetAndAccount(t *testing.T) {
	e := newEnv(t)
	br := newBrowser(t, e, 2*time.Minute)
	old := e.register("비밀번호 잊은 시민")
	email := old.user().Email

	b := br.tab("citizen")
	b.open("/login")
	b.click(`a[href="/password/forgot"]`, 200)
	b.typeInto("#f-email", email)
	b.click(`form[action="/password/forgot"] button[type=submit]`, 200)
	b.wantText("main [role=status]", "가입한 계정이 있으면")

	tok := e.acctToken(email, store.MailResetPassword)
	b.open("/password/reset/" + tok)
	b.typeInto("#f-password", "short")
	b.click(`main form button[type=submit]`, 400)
	b.wantCount(".error-summary", 1)
	b.typeInto("#f-password", "short but now a long passphrase") // a refused password is not typed back
	b.click(`main form button[type=submit]`, 200)
	if loc := b.location(); loc != b.base+"/login" {
		t.Fatalf("after the reset the browser is at %s, want the sign-in page", loc)
	}
	b.wantText(".flash", "새 비밀번호로 로그인해 주세요")
	b.signIn(email, "short but now a long passphrase", "비밀번호 잊은 시민")
	if old.acctSignedIn() {
		t.Error("the browser signed in with the old password is still signed in")
	}

	b.click(`header a[href="/account"]`, 200)
	b.wantCount(`#sessions .badge`, 1)
	b.wantText("#sessions", "Chrome · Linux")
	if bad := b.acctOverflowing(390); len(bad) > 0 {
		t.Errorf("at 390 px the account page overflows: %v", bad)
	}
	b.screenshot("account-mobile", 390, 844, true)
}
