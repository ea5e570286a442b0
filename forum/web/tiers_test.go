package web

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/e-people/e-people/forum"
	"github.com/e-people/e-people/forum/identity"
)

// jsonCode is the code of a JSON error body, "" for any other body.
func jsonCode(body string) string {
	var e struct {
		Error struct {
			Code, Message, Field string
		}
	}
	_ = json.Unmarshal([]byte(body), &e)
	return e.Error.Code
}

// An unverified citizen is told before clicking why they cannot support,
// is refused 403 with the reason and the way out (page and JSON), and
// after opening the mailed link supports, counted with the verified.
func TestTiers_VerifyThenSupport(t *testing.T) {
	e := newEnv(t)
	author := e.register("제안한 시민")
	id := e.openProposal(author, "도서관 야간 개방", "동네 도서관을 밤 10시까지 열어 주세요.")
	path := "/proposals/" + itoa(int(id))
	c := e.registerUnverified("새 시민")
	me := c.user()
	// A client that asked for no language of ours keeps none (mail comes in
	// Korean and English); a browser's Accept-Language is the account's.
	if me.Tier != forum.TierRegistered || me.Lang != "" {
		t.Fatalf("a new account: %s %q", me.Tier, me.Lang)
	}
	en := e.client()
	en.lang = "en-GB,en;q=0.9,ko;q=0.5"
	if r := en.post("/register", url.Values{"name": {"Jane Roe"}, "email": {"jane@example.org"}, "password": {"correct horse battery staple"}, "consent": {"1"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("register in English: %d", r.Status)
	}
	if got := en.user().Lang; got != "en" {
		t.Errorf("an account registered from an English browser has language %q, want en", got)
	}

	page := c.get(path)
	contains(t, "proposal page", page.Body, "이메일 인증을 마치면 지지할 수 있습니다", `action="/account/verify/resend"`)
	if strings.Contains(page.Body, `action="`+path+`/support"`) {
		t.Error("the support button is offered to an unverified account")
	}
	r := c.post(path+"/support", nil)
	if r.Status != http.StatusForbidden {
		t.Fatalf("support unverified: %d", r.Status)
	}
	contains(t, "refusal page", r.Body, "이메일 인증을 마치면 지지할 수 있습니다", `href="/account/verify"`)
	form := url.Values{"_csrf": {c.csrf()}}
	r = c.do("POST", path+"/support", form, "Accept", "application/json")
	if r.Status != http.StatusForbidden || jsonCode(r.Body) != "tier_required" || strings.Contains(r.Body, `"field"`) {
		t.Fatalf("JSON refusal: %d %s", r.Status, r.Body)
	}
	if !strings.Contains(c.get("/proposals/new").Body, "이메일 인증을 마치면 제안할 수 있습니다") {
		t.Error("the new-proposal page does not say why")
	}
	if r := c.post(path+"/comments", url.Values{"stance": {"for"}, "body": {"좋은 생각입니다."}}); r.Status != http.StatusSeeOther {
		t.Errorf("an unverified account's comment: %d", r.Status)
	}
	if !strings.Contains(page.Body, `id="comment-form"`) {
		t.Error("the comment form is not offered to an unverified account")
	}
	if err := e.st.SetSettings(context.Background(), map[string]string{forum.SettingTierComment: "email_verified"}); err != nil {
		t.Fatal(err)
	}
	contains(t, "comments closed to the unverified", c.get(path).Body, "이메일 인증을 마치면 댓글을 쓸 수 있습니다")
	if strings.Contains(c.get(path).Body, `id="comment-form"`) {
		t.Error("the comment form is offered though comments need a verified address")
	}
	if err := e.st.SetSettings(context.Background(), map[string]string{forum.SettingTierComment: "registered"}); err != nil {
		t.Fatal(err)
	}

	// Resend: not within the minute of the first mail; then once more.
	if r := c.post("/account/verify/resend", nil); r.Status != http.StatusTooManyRequests || !strings.Contains(r.Body, "1분에 한 번") {
		t.Errorf("resend at once: %d", r.Status)
	}
	e.clock.Add(61 * time.Second)
	if r := c.post("/account/verify/resend", nil); r.Status != http.StatusSeeOther {
		t.Errorf("resend after a minute: %d", r.Status)
	}

	// Someone else signed in opens the link: the token's account is verified, and named.
	link := verifyLink(t, e.st, me.Email)
	other := e.register("다른 시민")
	r = other.get(link)
	if r.Status != http.StatusOK {
		t.Fatalf("verify while another is signed in: %d", r.Status)
	}
	contains(t, "verify page", r.Body, "“새 시민” 계정의 이메일 인증을 마쳤습니다", "“다른 시민” 계정으로 로그인")
	if r := c.get(link); r.Status != http.StatusNotFound || !strings.Contains(r.Body, "이미 사용했거나") {
		t.Errorf("a used link: %d", r.Status)
	}
	if r := c.post(path+"/support", nil); r.Status != http.StatusSeeOther {
		t.Fatalf("support after verifying: %d %.300s", r.Status, r.Body)
	}
	p, _ := e.st.Proposal(context.Background(), id)
	if p.Supports != 1 || p.UnverifiedSupports != 0 {
		t.Errorf("figures: %d + %d unverified", p.Supports, p.UnverifiedSupports)
	}
	if r := c.post("/account/verify/resend", nil); r.Status != http.StatusConflict {
		t.Errorf("resend once verified: %d", r.Status)
	}
}

// A link that expired gets a page that explains and offers a new one.
func TestTiers_ExpiredLink(t *testing.T) {
	e := newEnv(t)
	c := e.registerUnverified("늦은 시민")
	link := verifyLink(t, e.st, c.user().Email)
	e.clock.Add(24*time.Hour + time.Second)
	r := c.get(link)
	if r.Status != http.StatusNotFound {
		t.Fatalf("expired link: %d", r.Status)
	}
	contains(t, "expired link", r.Body, "기한(24시간)이 지났거나", `action="/account/verify/resend"`)
	if r := e.client().get(link); !strings.Contains(r.Body, `/login?next=/account/verify`) {
		t.Error("a visitor is not offered to sign in for a new link")
	}
	if u := c.user(); u.Tier != forum.TierRegistered {
		t.Errorf("tier after an expired link: %s", u.Tier)
	}
	// Nobody need be signed in: the link is the proof.
	d := e.registerUnverified("다른 기기의 시민")
	r = e.client().get(verifyLink(t, e.st, d.user().Email))
	if r.Status != http.StatusSeeOther || r.Header.Get("Location") != "/login" {
		t.Errorf("a link opened signed out: %d %q", r.Status, r.Header.Get("Location"))
	}
	if u := d.user(); u.Tier != forum.TierEmailVerified {
		t.Errorf("tier after a link opened signed out: %s", u.Tier)
	}
}

// Unverified supports are published apart: page, API and open data.
func TestTiers_UnverifiedFiguresPublishedApart(t *testing.T) {
	e := newEnv(t)
	if err := e.st.SetSettings(context.Background(), map[string]string{forum.SettingTierSupport: "registered"}); err != nil {
		t.Fatal(err)
	}
	id := e.openProposal(e.register("제안한 시민"), "공원 벤치 늘리기", "공원에 벤치를 더 놓아 주세요.")
	path := "/proposals/" + itoa(int(id))
	for _, c := range []*client{e.register("인증 시민"), e.registerUnverified("미인증 시민")} {
		if r := c.post(path+"/support", nil); r.Status != http.StatusSeeOther {
			t.Fatalf("support: %d", r.Status)
		}
	}
	contains(t, "page", e.client().get(path).Body, `<strong data-live="supports">1</strong>`, `(+<span data-live="unverified-supports">1</span> 미인증)`)
	contains(t, "API", e.client().get("/api/v1/proposals/"+itoa(int(id))).Body, `"supports":1`, `"unverified_supports":1`, `"unverified_sponsors":0`)
	csv := e.client().get("/open-data/proposals.csv").Body
	header, _, _ := strings.Cut(csv, "\n")
	if !strings.Contains(header, ",unverified_sponsors,unverified_supports") {
		t.Errorf("CSV header: %s", header)
	}
	contains(t, "open data page", e.client().get("/open-data").Body, "unverified_supports")
}

// Who may do what, by role and tier, with the default tiers and with
// supports raised to identity_verified. Staff are never held to tiers.
func TestTiers_RoleTierActionMatrix(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	author := e.register("제안한 시민")
	open := e.openProposal(author, "버스 배차 간격", "출퇴근 시간 버스를 늘려 주세요.")
	// The proposal to co-sponsor keeps gathering whoever signs.
	if err := e.st.SetSettings(ctx, map[string]string{forum.SettingSponsorThreshold: "1000"}); err != nil {
		t.Fatal(err)
	}
	gathering := author.propose("가로등 밝기 개선", "어두운 골목에 가로등을 더 밝게 해 주세요.")
	g, _ := e.st.Proposal(ctx, gathering)
	type actor struct {
		name string
		c    *client
	}
	var actors []actor
	for _, tier := range forum.Tiers() {
		c := e.registerUnverified("시민 " + string(tier))
		if _, err := e.st.SetTier(ctx, c.user().ID, tier); err != nil {
			t.Fatal(err)
		}
		actors = append(actors, actor{"citizen/" + string(tier), c})
	}
	for _, role := range []forum.Role{forum.RoleModerator, forum.RoleOfficial, forum.RoleAdmin} {
		ministry := int64(0)
		if role == forum.RoleOfficial {
			ministry = e.mins[0].ID
		}
		c := e.staff(role, ministry, "직원 "+string(role))
		if _, err := e.st.SetTier(ctx, c.user().ID, forum.TierRegistered); err != nil {
			t.Fatal(err)
		}
		actors = append(actors, actor{string(role) + "/registered", c})
	}
	act := func(c *client, action string, n int) resp {
		form := url.Values{}
		p := ""
		switch action {
		case forum.ActionPropose:
			p, form = "/proposals", url.Values{"title": {"행렬 시험 제안 " + itoa(n)}, "body": {"행렬 시험 본문입니다."},
				"category": {itoa(int(e.cats[0].ID))}, "ministry": {itoa(int(e.mins[0].ID))}}
		case forum.ActionSupport:
			p = "/proposals/" + itoa(int(open)) + "/support"
		case forum.ActionSponsor:
			p = "/proposals/" + itoa(int(gathering)) + "/sponsor/" + g.SponsorToken
		case forum.ActionComment:
			p, form = "/proposals/"+itoa(int(open))+"/comments", url.Values{"stance": {"neutral"}, "body": {"행렬 시험 의견 " + itoa(n)}}
		}
		form.Set("_csrf", c.csrf())
		return c.do("POST", p, form, "Accept", "application/json")
	}
	n := 0
	for _, setting := range []string{"default", "identity_verified"} {
		tiers := forum.DefaultActionTiers
		if setting != "default" {
			tiers.Support = forum.TierIdentityVerified
			if err := e.st.SetSettings(ctx, map[string]string{forum.SettingTierSupport: "identity_verified"}); err != nil {
				t.Fatal(err)
			}
			for _, a := range actors { // take back the supports of the first round
				a.c.post("/proposals/"+itoa(int(open))+"/unsupport", nil)
			}
		}
		for _, a := range actors {
			u := a.c.user()
			for _, action := range []string{forum.ActionPropose, forum.ActionSupport, forum.ActionSponsor, forum.ActionComment} {
				n++
				r := act(a.c, action, n)
				refused := r.Status == http.StatusForbidden && jsonCode(r.Body) == "tier_required"
				want := forum.CheckTier(u, tiers, action) != nil
				if refused != want {
					t.Errorf("%s, tier_support %s, %s: status %d %.200s; want refused %v", a.name, setting, action, r.Status, r.Body, want)
				}
				if !want && !u.Role.IsStaff() && r.Status >= 400 {
					t.Errorf("%s, tier_support %s, %s: allowed, yet status %d %.200s", a.name, setting, action, r.Status, r.Body)
				}
			}
		}
	}
}

// The identity check through the test provider, bound to the session that
// started it; one person, one identity-verified account.
func TestTiers_IdentityProvider(t *testing.T) {
	e := newEnv(t)
	provider := &identity.Test{Key: []byte("test key")}
	e.srv.cfg.Identity = provider
	check := func(c *client, subject string) resp {
		t.Helper()
		r := c.post("/account/identity", nil)
		loc := r.Header.Get("Location")
		if r.Status != http.StatusSeeOther || !strings.HasPrefix(loc, identity.TestPath+"?") {
			t.Fatalf("start: %d %q", r.Status, loc)
		}
		if r := c.get(loc); r.Status != http.StatusOK || !strings.Contains(r.Body, "Not for production") {
			t.Fatalf("provider page: %d", r.Status)
		}
		u, _ := url.Parse(loc)
		q := u.Query()
		q.Set("subject", subject)
		r = c.get(identity.TestPath + "?" + q.Encode())
		if r.Status != http.StatusSeeOther || !strings.HasPrefix(r.Header.Get("Location"), identityReturn+"?") {
			t.Fatalf("provider answer: %d %q", r.Status, r.Header.Get("Location"))
		}
		return c.get(r.Header.Get("Location"))
	}
	a := e.register("본인 시민")
	contains(t, "identity page", a.get("/account/identity").Body, "실제 본인인증 기관", "시험용 인증 기관")
	if r := check(a, "CI-0001"); r.Status != http.StatusSeeOther {
		t.Fatalf("callback: %d %.300s", r.Status, r.Body)
	}
	if u := a.user(); u.Tier != forum.TierIdentityVerified {
		t.Fatalf("tier after the check: %s", u.Tier)
	}
	contains(t, "profile", a.get("/users/"+itoa(int(a.user().ID))).Body, `class="tier-badge tier-identity_verified"`, "본인 인증")

	b := e.register("다른 계정")
	if r := check(b, "CI-0001"); r.Status != http.StatusConflict || !strings.Contains(r.Body, "이미 다른 계정에 연결") {
		t.Errorf("the same person's second account: %d", r.Status)
	}
	// An answer replayed without the session's state, or altered, is refused.
	r := b.post("/account/identity", nil)
	u, _ := url.Parse(r.Header.Get("Location"))
	state := u.Query().Get("state")
	forged := provider.Answer(state, "CI-0002")
	forged.Set("subject", "CI-0003")
	if r := b.get(identityReturn + "?" + forged.Encode()); r.Status != http.StatusBadRequest {
		t.Errorf("altered answer: %d", r.Status)
	}
	if r := b.get(identityReturn + "?" + provider.Answer(state, "CI-0002").Encode()); r.Status != http.StatusBadRequest {
		t.Errorf("answer after the state was spent: %d", r.Status)
	}
	stranger := e.register("남의 세션")
	if r := stranger.get(identityReturn + "?" + provider.Answer(state, "CI-0004").Encode()); r.Status != http.StatusBadRequest {
		t.Errorf("another session's state: %d", r.Status)
	}
	if u := b.user(); u.Tier != forum.TierEmailVerified {
		t.Errorf("refused account's tier: %s", u.Tier)
	}
}

// An administrator marks an account identity verified and takes it back,
// with a reason; the public log shows the role, never the name.
func TestTiers_AdminIdentityAudited(t *testing.T) {
	e := newEnv(t)
	citizen := e.register("확인받을 시민")
	id := itoa(int(citizen.user().ID))
	admin := e.staff(forum.RoleAdmin, 0, "관리하는 사람")
	moderator := e.staff(forum.RoleModerator, 0, "운영하는 사람")
	contains(t, "profile for the admin", admin.get("/users/"+id).Body, `action="/admin/users/`+id+`/identity"`, "대면 확인")
	if r := moderator.post("/admin/users/"+id+"/identity", url.Values{"verified": {"1"}, "reason": {"identity_in_person"}}); r.Status != http.StatusForbidden {
		t.Errorf("a moderator: %d", r.Status)
	}
	if r := admin.post("/admin/users/"+id+"/identity", url.Values{"verified": {"1"}}); r.Status != http.StatusBadRequest {
		t.Errorf("no reason: %d", r.Status)
	}
	if r := admin.post("/admin/users/"+id+"/identity", url.Values{"verified": {"1"}, "reason": {"identity_in_person"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("grant: %d %.300s", r.Status, r.Body)
	}
	if citizen.user().Tier != forum.TierIdentityVerified {
		t.Fatal("not identity verified")
	}
	if r := admin.post("/admin/users/"+id+"/identity", url.Values{"verified": {"0"}, "reason": {"identity_mistake"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("revoke: %d", r.Status)
	}
	if citizen.user().Tier != forum.TierEmailVerified {
		t.Fatal("revoked, still identity verified")
	}
	log := e.client().get("/moderation/log").Body
	contains(t, "public log", log, "본인 인증 표시", "본인 인증 취소", "대면 확인", "잘못 표시함")
	if strings.Contains(log, "관리하는 사람") {
		t.Error("the public log names the administrator")
	}
}

// The verification mail carries its link and expiry; once sent, the token
// is gone from the outbox and the mail points to the page for a fresh link.
func TestTiers_VerificationMail(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	c := e.registerUnverified("메일 받을 시민")
	link := verifyLink(t, e.st, c.user().Email)
	ms, err := e.st.Outbox(ctx, 1)
	if err != nil || len(ms) != 1 {
		t.Fatalf("outbox: %v %v", ms, err)
	}
	subject, body, err := e.srv.ComposeMail(ctx, ms[0])
	if err != nil {
		t.Fatal(err)
	}
	contains(t, "verification mail", subject+body, "이메일 주소를 인증해 주세요", "Please verify your e-mail address",
		"http://127.0.0.1"+link, "2026년 11월 28일 18:00", "Nov 28, 2026 18:00")
	if err := e.st.MarkMailSent(ctx, ms[0].ID); err != nil {
		t.Fatal(err)
	}
	ms, _ = e.st.Outbox(ctx, 1)
	_, body, _ = e.srv.ComposeMail(ctx, ms[0])
	if strings.Contains(string(ms[0].Data), strings.TrimPrefix(link, "/verify/")) || strings.Contains(body, link) {
		t.Error("the raw token outlives the sending")
	}
	contains(t, "sent mail", body, "http://127.0.0.1/account/verify")
}
