package web

import (
	"context"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/e-people/e-people/forum"
)

// A citizen registers (refused once without the privacy consent), is told
// on the proposal page why they cannot support yet, opens the link mailed to
// them, and supports: in Korean, English and Chinese, with axe clean on
// every page on the way.
func TestBrowser_RegisterVerifySupport(t *testing.T) {
	e := newEnv(t)
	src := axeSource(t)
	id := e.openProposal(e.register("제안한 시민"), "도서관 야간 개방", "동네 도서관을 밤 10시까지 열어 주세요.")
	path := "/proposals/" + itoa(int(id))
	br := newBrowser(t, e, 120*time.Second)
	for i, tc := range []struct {
		lang, name, email, consentErr, notice, verified string
	}{
		{"ko", "김하늘", "haneul@example.org", "개인정보 수집·이용에 동의해야", "이메일 인증을 마치면 지지할 수 있습니다", "이메일 인증을 마쳤습니다"},
		{"en", "Jamie Park", "jamie@example.org", "You need to agree", "Verify your e-mail address to support", "Your e-mail address is verified"},
		{"zh", "林雅婷", "yating@example.org", "須同意個人資料", "完成電子郵件驗證後即可附議", "電子郵件已驗證"},
	} {
		b := br.tab(tc.lang)
		b.open("/lang?lang=" + tc.lang + "&next=/register")
		b.axeCheck("register, "+tc.lang, src)
		b.typeInto("#f-name", tc.name)
		b.typeInto("#f-email", tc.email)
		b.typeInto("#f-password", "correct horse battery staple")
		b.click(`form[action="/register"] button[type=submit]`, 400)
		b.wantText("#f-consent-error", tc.consentErr)
		b.wantCount("#f-consent[aria-invalid=true]", 1)
		b.axeCheck("register without consent, "+tc.lang, src)
		b.typeInto("#f-password", "correct horse battery staple")
		b.tap("#f-consent")
		b.click(`form[action="/register"] button[type=submit]`, 200)
		b.wantText("header .user-name", tc.name)
		u, _, err := e.st.UserByEmail(context.Background(), tc.email)
		if err != nil {
			t.Fatal(err)
		}
		if u.Lang != tc.lang || u.Tier != forum.TierRegistered {
			t.Errorf("%s: account stored with language %q, tier %s", tc.lang, u.Lang, u.Tier)
		}

		b.open(path)
		b.wantText("#support .tier-notice", tc.notice)
		b.wantCount(`#support form[action="`+path+`/support"]`, 0)
		b.axeCheck("proposal, unverified, "+tc.lang, src)

		if tc.lang == "ko" { // the pages on the way to verification
			b.open("/account/verify")
			b.axeCheck("e-mail verification", src)
			b.load("open a wrong link", 404, chromedp.Navigate(b.base+"/verify/not-a-token"))
			b.wantCount(`form[action="/account/verify/resend"]`, 1)
			b.axeCheck("a wrong verification link", src)
			b.open("/account/identity")
			b.axeCheck("identity verification", src)
		}
		b.verifyInBrowser(e.st, tc.email)
		b.wantText(".flash", tc.verified)
		b.open(path)
		b.wantCount("#support .tier-notice", 0)
		b.click(`#support form[action="`+path+`/support"] button`, 200)
		b.wantText(`[data-live="supports"]`, itoa(i+1))
		b.axeCheck("proposal, supported, "+tc.lang, src)
	}
	// An administrator's view of a profile, with the identity form and the badge.
	e.staff(forum.RoleAdmin, 0, "관리자")
	admin, _, err := e.st.UserByEmail(context.Background(), "staff"+itoa(userSeq)+"@example.org")
	if err != nil {
		t.Fatal(err)
	}
	a := br.tab("admin")
	a.signInStaff(e, admin.Email, "staff passphrase 1", "관리자")
	citizen, _, _ := e.st.UserByEmail(context.Background(), "haneul@example.org")
	a.open("/users/" + itoa(int(citizen.ID)))
	a.wantText("h1 .tier-badge", "이메일 인증")
	a.wantCount(`form[action="/admin/users/`+itoa(int(citizen.ID))+`/identity"] select#f-identity-reason`, 1)
	a.axeCheck("profile with the identity form", src)

	p, err := e.st.Proposal(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	if p.Supports != 3 || p.UnverifiedSupports != 0 {
		t.Errorf("figures: %d + %d unverified, want 3 + 0", p.Supports, p.UnverifiedSupports)
	}
}

// The unverified figure follows live: it appears when an unverified account
// supports, and moves into the counted figure when that account verifies.
func TestBrowser_UnverifiedFigureLive(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	if err := e.st.SetSettings(ctx, map[string]string{forum.SettingTierSupport: "registered"}); err != nil {
		t.Fatal(err)
	}
	id := e.openProposal(e.register("제안한 시민"), "횡단보도 신호 시간", "어르신을 위해 신호를 늘려 주세요.")
	br := newBrowser(t, e, 60*time.Second)
	w := br.tab("watcher")
	w.open("/proposals/" + itoa(int(id)))
	w.wantCount(`.support-count [data-live="unverified-supports-wrap"][hidden]`, 1)
	u := e.registerUnverified("미인증 시민").user()
	if _, err := e.st.Support(ctx, id, u.ID, nil); err != nil {
		t.Fatal(err)
	}
	w.waitCount(`.support-count [data-live="unverified-supports-wrap"]:not([hidden])`, 1)
	w.wantText(`.support-count [data-live="unverified-supports"]`, "1")
	w.wantText(`[data-live="supports"]`, "0")
	if _, err := e.st.SetTier(ctx, u.ID, forum.TierEmailVerified); err != nil {
		t.Fatal(err)
	}
	w.waitText(`[data-live="supports"]`, "1")
	w.waitCount(`.support-count [data-live="unverified-supports-wrap"][hidden]`, 1)
}
