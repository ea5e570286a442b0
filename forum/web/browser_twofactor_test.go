package web

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/e-people/e-people/forum"
)

// TestBrowser_TwoFactorEnrolAndSignIn: a citizen enrols in Chromium (the
// QR code loads under the page's CSP, the key reads by hand, the page fits
// 390 px), keeps the recovery codes, signs out, and signs in again with a
// code the test computes from the key the page showed. Where axe-core is
// installed, each page of the flow is checked too.
func TestBrowser_TwoFactorEnrolAndSignIn(t *testing.T) {
	e := newEnv(t)
	br := newBrowser(t, e, 3*time.Minute)
	axe, _ := os.ReadFile(axePath)
	check := func(b *tab, page string) {
		if len(axe) > 0 {
			b.axeCheck(page, string(axe))
		}
	}
	b := br.tab("citizen")
	b.registerInBrowser("이중인증 시민", "twofactor@example.org")
	b.open("/account/2fa")
	b.wantText("h1", "2단계 인증")
	if !evalIn[bool](b, `(() => { const i = document.querySelector('img[src^="/account/2fa/qr.png"]'); return i.complete && i.naturalWidth >= 200; })()`) {
		t.Fatal("the QR code did not load")
	}
	b.run("390 px wide", func(ctx context.Context) error {
		return chromedp.Do(ctx, chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile))
	})
	if w := evalIn[int](b, `document.documentElement.scrollWidth`); w > 390 {
		t.Errorf("the enrolment page is %d px wide at 390", w)
	}
	// Back to the desktop window: a reset keeps the emulated width in a tab.
	b.run("1280 px wide", func(ctx context.Context) error { return chromedp.Do(ctx, chromedp.EmulateViewport(1280, 900)) })
	check(b, "two-factor enrolment")

	key := strings.ReplaceAll(b.text("#totp-key"), " ", "")
	b.typeInto("#f-code", "000000")
	b.click(`form[action="/account/2fa"] button[type=submit]`, 400)
	b.wantText(".error-summary", "인증 코드가 맞지 않습니다")
	if got := strings.ReplaceAll(b.text("#totp-key"), " ", ""); got != key {
		t.Fatalf("a mistyped code changed the key: %s, then %s", key, got)
	}
	check(b, "two-factor enrolment with an error")
	code, err := forum.TOTPCode(key, e.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	b.typeInto("#f-code", code)
	b.click(`form[action="/account/2fa"] button[type=submit]`, 200)
	b.wantText("h1", "복구 코드")
	b.wantCount("ol.recovery-codes li code", forum.RecoveryCodeCount)
	check(b, "recovery codes")

	b.click(`header form[action="/logout"] button[type=submit]`, 200)
	b.open("/login")
	b.typeInto("#f-email", "twofactor@example.org")
	b.typeInto("#f-password", "correct horse battery staple")
	b.click(`form[action="/login"] button[type=submit]`, 200)
	b.wantText("h1", "2단계 인증")
	if n := b.count("header .user-name"); n != 0 {
		t.Fatal("the header shows a name before the second factor")
	}
	check(b, "sign-in code")
	next, err := forum.TOTPCode(key, e.clock.Now().Add(30*time.Second)) // the enrolment spent now's
	if err != nil {
		t.Fatal(err)
	}
	b.typeInto("#f-code", next)
	b.click(`form[action="/login/2fa"] button[type=submit]`, 200)
	b.wantText("header .user-name", "이중인증 시민")
	b.open("/account/2fa")
	b.wantText("main", "남은 복구 코드: 10개")
	check(b, "two-factor settings")
}
