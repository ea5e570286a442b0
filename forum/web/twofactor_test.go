package web

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/e-people/e-people/forum"
)

var (
	enrolKeyRe  = regexp.MustCompile(`<code id="totp-key">([A-Z2-7 ]+)</code>`)
	enrolTimeRe = regexp.MustCompile(`name="t" value="(\d+)"`)
	recoveryRe  = regexp.MustCompile(`<li><code>([a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4})</code></li>`)
)

// enrolPage reads the key and its issue time off /account/2fa.
func enrolPage(t *testing.T, c *client) (key, issued string) {
	t.Helper()
	r := c.get("/account/2fa")
	k, at := enrolKeyRe.FindStringSubmatch(r.Body), enrolTimeRe.FindStringSubmatch(r.Body)
	if r.Status != 200 || k == nil || at == nil {
		t.Fatalf("enrolment page: %d %.600s", r.Status, r.Body)
	}
	return strings.ReplaceAll(k[1], " ", ""), at[1]
}

// codeAt is the code of key for the test clock's time moved by d.
func codeAt(t *testing.T, e *env, key string, d time.Duration) string {
	t.Helper()
	code, err := forum.TOTPCode(key, e.clock.Now().Add(d))
	if err != nil {
		t.Fatal(err)
	}
	return code
}

// enrolThroughWeb enrols c's account at /account/2fa and returns the key
// and the recovery codes the page showed.
func enrolThroughWeb(t *testing.T, e *env, c *client) (key string, codes []string) {
	t.Helper()
	key, issued := enrolPage(t, c)
	r := c.post("/account/2fa", url.Values{"t": {issued}, "code": {codeAt(t, e, key, 0)}})
	if r.Status != 200 {
		t.Fatalf("confirm: %d %.500s", r.Status, r.Body)
	}
	for _, m := range recoveryRe.FindAllStringSubmatch(r.Body, -1) {
		codes = append(codes, m[1])
	}
	if len(codes) != forum.RecoveryCodeCount || r.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("recovery codes: %d shown, Cache-Control %q", len(codes), r.Header.Get("Cache-Control"))
	}
	return key, codes
}

// passwordLogin posts the password form and returns the response.
func passwordLogin(c *client, email string) resp {
	return c.post("/login", url.Values{"email": {email}, "password": {"correct horse battery staple"}, "next": {"/notifications"}})
}

func TestTwoFactor_EnrolAndSignIn(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	c := e.register("이중 인증 시민")
	u := c.user()

	key, issued := enrolPage(t, c)
	page := c.get("/account/2fa")
	contains(t, "enrolment page", page.Body, `src="/account/2fa/qr.png?t=`, `autocomplete="one-time-code"`, "인증 앱")
	qr := c.get("/account/2fa/qr.png?t=" + issued)
	if qr.Status != 200 || qr.Header.Get("Content-Type") != "image/png" || qr.Header.Get("Cache-Control") != "no-store" ||
		!strings.HasPrefix(qr.Body, "\x89PNG") {
		t.Fatalf("QR code: %d %q %q", qr.Status, qr.Header.Get("Content-Type"), qr.Header.Get("Cache-Control"))
	}
	if r := e.client().get("/account/2fa/qr.png?t=" + issued); r.Status != http.StatusSeeOther {
		t.Errorf("QR code for a visitor: %d", r.Status)
	}
	// Another account's page offers another key: the key belongs to the session.
	if other, _ := enrolPage(t, e.register("다른 시민")); other == key {
		t.Error("two accounts were offered the same key")
	}

	// A wrong code, or a key older than the enrolment window, stores nothing.
	if r := c.post("/account/2fa", url.Values{"t": {issued}, "code": {"000000"}}); r.Status != 400 ||
		!strings.Contains(r.Body, "인증 코드가 맞지 않습니다") || !strings.Contains(r.Body, groupKey(key)) {
		t.Fatalf("wrong enrolment code: %d, same key kept: %v", r.Status, strings.Contains(r.Body, groupKey(key)))
	}
	later := e.clock.Now().Add(enrolWindow + time.Minute)
	stale, _ := forum.TOTPCode(key, later)
	e.clock.Add(enrolWindow + time.Minute)
	if r := c.post("/account/2fa", url.Values{"t": {issued}, "code": {stale}}); r.Status != 400 || !strings.Contains(r.Body, "설정 키가 만료되었습니다") {
		t.Fatalf("expired key: %d", r.Status)
	}
	if sf, _ := e.st.SecondFactorOf(ctx, u.ID); !sf.EnabledAt.IsZero() || c.user().TwoFactor {
		t.Fatal("a refused confirmation enabled the second factor")
	}

	// Another browser of the account, signed in with the password alone, is signed out by the enrolment.
	other := e.client()
	if r := passwordLogin(other, u.Email); r.Status != 303 || r.Header.Get("Location") != "/notifications" {
		t.Fatalf("second browser: %d %s", r.Status, r.Header.Get("Location"))
	}
	key, codes := enrolThroughWeb(t, e, c)
	if !c.user().TwoFactor {
		t.Fatal("confirmed, yet the account has no second factor")
	}
	if r := other.get("/notifications"); r.Status != http.StatusSeeOther {
		t.Errorf("a password-only session outlived the enrolment: %d", r.Status)
	}
	if sf, _ := e.st.SecondFactorOf(ctx, u.ID); sf.EnabledAt.IsZero() || sf.RecoveryCodes != 10 {
		t.Fatalf("stored: %+v", sf)
	}
	if len(uniq(codes)) != 10 {
		t.Errorf("recovery codes repeat: %v", codes)
	}
	contains(t, "enrolled page", c.get("/account/2fa").Body, "남은 복구 코드: 10개")
	if r := c.get("/account/2fa/qr.png?t=" + itoa(int(e.clock.Now().Unix()))); r.Status != http.StatusNotFound {
		t.Errorf("a QR code for an enrolled account: %d", r.Status)
	}

	// Sign out, sign in: the password gives a pending session only.
	c.post("/logout", nil)
	r := passwordLogin(c, u.Email)
	if r.Status != 303 || r.Header.Get("Location") != "/login/2fa?next=%2Fnotifications" {
		t.Fatalf("password of an enrolled account: %d %q", r.Status, r.Header.Get("Location"))
	}
	pending := c.cookies[SessionCookie]
	for _, path := range []string{"/notifications", "/account/2fa", "/proposals/new", "/inbox"} {
		if r := c.get(path); r.Status != http.StatusSeeOther || !strings.HasPrefix(r.Header.Get("Location"), "/login") {
			t.Errorf("pending session GET %s: %d %s", path, r.Status, r.Header.Get("Location"))
		}
	}
	if r := c.post("/follow", url.Values{"kind": {"ministry"}, "id": {itoa(int(e.mins[0].ID))}}); r.Status != http.StatusUnauthorized {
		t.Errorf("pending session POST /follow: %d", r.Status)
	}
	if strings.Contains(c.get("/").Body, "이중 인증 시민") {
		t.Error("a pending session shows the account as signed in")
	}
	contains(t, "code page", c.get("/login/2fa?next=%2Fnotifications").Body, `action="/login/2fa"`, `name="code"`, `value="/notifications"`)

	// The code that confirmed the enrolment is spent; the next step's is good once.
	if r := c.post("/login/2fa", url.Values{"code": {codeAt(t, e, key, 0)}, "next": {"/notifications"}}); r.Status != http.StatusUnauthorized ||
		!strings.Contains(r.Body, "이미 사용한 코드") {
		t.Fatalf("reused code: %d", r.Status)
	}
	next := codeAt(t, e, key, 30*time.Second)
	r = c.post("/login/2fa", url.Values{"code": {next[:3] + " " + next[3:]}, "next": {"/notifications"}})
	if r.Status != 303 || r.Header.Get("Location") != "/notifications" {
		t.Fatalf("right code: %d %q %.300s", r.Status, r.Header.Get("Location"), r.Body)
	}
	if c.cookies[SessionCookie] == pending || c.get("/notifications").Status != 200 {
		t.Fatal("the session was not rotated into a full one")
	}
	if _, err := e.st.SessionByToken(ctx, forum.TokenHash(pending)); !errors.Is(err, forum.ErrNotFound) {
		t.Errorf("the pending token still opens a session: %v", err)
	}

	// The same code again, in another sign-in, is refused.
	again := e.client()
	passwordLogin(again, u.Email)
	if r := again.post("/login/2fa", url.Values{"code": {next}}); r.Status != http.StatusUnauthorized {
		t.Errorf("code replayed in another sign-in: %d", r.Status)
	}
	// The code page without a pending session sends to /login.
	if r := e.client().get("/login/2fa"); r.Status != http.StatusSeeOther || r.Header.Get("Location") != "/login" {
		t.Errorf("code page without a pending session: %d", r.Status)
	}
}

func uniq(v []string) map[string]bool {
	m := map[string]bool{}
	for _, s := range v {
		m[s] = true
	}
	return m
}

func TestTwoFactor_RecoveryCodeWorksOnce(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	c := e.register("복구 코드 시민")
	email := c.user().Email
	_, codes := enrolThroughWeb(t, e, c)
	typed := strings.ToUpper(strings.ReplaceAll(codes[3], "-", " ")) // as someone might type it from paper
	for i, want := range []int{303, 401} {
		b := e.client()
		passwordLogin(b, email)
		if r := b.post("/login/2fa", url.Values{"code": {typed}}); r.Status != want {
			t.Fatalf("recovery code, use %d: %d, want %d", i+1, r.Status, want)
		}
	}
	if sf, _ := e.st.SecondFactorOf(ctx, c.user().ID); sf.RecoveryCodes != 9 {
		t.Errorf("recovery codes left: %d, want 9", sf.RecoveryCodes)
	}
	b := e.client()
	passwordLogin(b, email)
	if r := b.post("/login/2fa", url.Values{"code": {"abcd-efgh-jkmn"}}); r.Status != http.StatusUnauthorized {
		t.Errorf("made-up recovery code: %d", r.Status)
	}
}

func TestTwoFactor_FailureLimit(t *testing.T) {
	e := newEnv(t)
	c := e.register("잠금 시민")
	email := c.user().Email
	key, _ := enrolThroughWeb(t, e, c)
	b := e.client()
	passwordLogin(b, email)
	for i := range secondFactorFailures {
		if r := b.post("/login/2fa", url.Values{"code": {"123456"}}); r.Status != http.StatusUnauthorized {
			t.Fatalf("wrong code %d: %d", i+1, r.Status)
		}
	}
	r := b.post("/login/2fa", url.Values{"code": {codeAt(t, e, key, 30*time.Second)}})
	if r.Status != http.StatusTooManyRequests || !strings.Contains(r.Body, "15분 뒤에 다시 시도하십시오") {
		t.Fatalf("after %d wrong codes, the right one: %d %.300s", secondFactorFailures, r.Status, r.Body)
	}
	// The limit is the account's: a fresh browser does not reset it.
	fresh := e.client()
	passwordLogin(fresh, email)
	if r := fresh.post("/login/2fa", url.Values{"code": {codeAt(t, e, key, 30*time.Second)}}); r.Status != http.StatusTooManyRequests {
		t.Errorf("another browser of the locked account: %d", r.Status)
	}
}

func TestTwoFactor_MatchSkewAndOrder(t *testing.T) {
	now := time.Date(2026, 11, 27, 9, 0, 10, 0, time.UTC)
	cur := now.Unix() / forum.TOTPPeriod
	for _, tc := range []struct {
		steps int64 // the code's step, from now's
		after int64 // the last step accepted, from now's
		ok    bool
	}{
		{0, -10, true}, {-1, -10, true}, {1, -10, true}, {-2, -10, false}, {2, -10, false},
		{0, 0, false}, {1, 0, true}, {-1, -1, false}, {0, -1, true},
	} {
		code, _ := forum.TOTPCode(testTOTPSecret, timeOfStep(cur+tc.steps))
		step, ok := forum.MatchTOTP(testTOTPSecret, code, now, cur+tc.after)
		if ok != tc.ok || (ok && step != cur+tc.steps) {
			t.Errorf("code of step %+d after %+d: %v (step %d), want %v", tc.steps, tc.after, ok, step-cur, tc.ok)
		}
	}
}

func TestTwoFactor_RenewAndDisable(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	c := e.register("관리 시민")
	u := c.user()
	key, old := enrolThroughWeb(t, e, c)
	e.clock.Add(time.Minute)
	form := func(pw, code string) url.Values { return url.Values{"password": {pw}, "code": {code}} }
	if r := c.post("/account/2fa/recovery-codes", form("wrong password here", codeAt(t, e, key, 0))); r.Status != 401 ||
		!strings.Contains(r.Body, "비밀번호가 맞지 않습니다") {
		t.Fatalf("renew with a wrong password: %d", r.Status)
	}
	if r := c.post("/account/2fa/recovery-codes", form("correct horse battery staple", "999999")); r.Status != 401 {
		t.Fatalf("renew with a wrong code: %d", r.Status)
	}
	r := c.post("/account/2fa/recovery-codes", form("correct horse battery staple", codeAt(t, e, key, 0)))
	fresh := recoveryRe.FindAllStringSubmatch(r.Body, -1)
	if r.Status != 200 || len(fresh) != 10 {
		t.Fatalf("renew: %d, %d codes", r.Status, len(fresh))
	}
	b := e.client()
	passwordLogin(b, u.Email)
	if r := b.post("/login/2fa", url.Values{"code": {old[0]}}); r.Status != 401 {
		t.Errorf("an old recovery code after renewal: %d", r.Status)
	}
	if r := b.post("/login/2fa", url.Values{"code": {fresh[0][1]}}); r.Status != 303 {
		t.Errorf("a new recovery code: %d", r.Status)
	}

	// A citizen may turn it off; afterwards the password alone signs in.
	if r := c.post("/account/2fa/disable", form("correct horse battery staple", fresh[1][1])); r.Status != 303 {
		t.Fatalf("disable: %d %.300s", r.Status, r.Body)
	}
	if sf, _ := e.st.SecondFactorOf(ctx, u.ID); !sf.EnabledAt.IsZero() || sf.RecoveryCodes != 0 || c.user().TwoFactor {
		t.Fatalf("after disabling: %+v", sf)
	}
	if r := passwordLogin(e.client(), u.Email); r.Header.Get("Location") != "/notifications" {
		t.Errorf("sign-in after disabling: %q", r.Header.Get("Location"))
	}

	// Staff cannot turn theirs off.
	mod := e.staff(forum.RoleModerator, 0, "끄려는 운영자")
	contains(t, "staff page", mod.get("/account/2fa").Body, "2단계 인증을 끌 수 없습니다")
	e.clock.Add(time.Minute)
	if r := mod.post("/account/2fa/disable", form("staff passphrase 1", e.nextCode(mod.user().Email))); r.Status != 403 {
		t.Errorf("staff disabling: %d", r.Status)
	}
	if !mod.user().TwoFactor {
		t.Error("a moderator's second factor was turned off")
	}
}

// TestTwoFactor_StaffWithoutSecondFactorRefused: every staff power refuses
// a staff account that signed in with a password alone: pages go to
// /account/2fa, scripts get 403 second_factor_required; once enrolled, the
// same account is let through.
func TestTwoFactor_StaffWithoutSecondFactorRefused(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	author := e.register("제안 시민")
	pid := e.openProposal(author, "야간 버스 노선 확대", "심야 시간대 노선을 늘려 주십시오.")
	hash, _ := forum.HashPassword("staff passphrase 1")
	mk := func(role forum.Role, ministry int64, email string) *client {
		if _, err := e.st.CreateUser(ctx, forum.User{Role: role, MinistryID: ministry, Name: "미등록 " + string(role), Email: email, Tier: forum.TierEmailVerified}, hash); err != nil {
			t.Fatal(err)
		}
		c := e.client()
		if r := c.post("/login", url.Values{"email": {email}, "password": {"staff passphrase 1"}}); r.Status != 303 || r.Header.Get("Location") != "/" {
			t.Fatalf("password sign-in of a staff account without a second factor: %d %q", r.Status, r.Header.Get("Location"))
		}
		return c
	}
	mod := mk(forum.RoleModerator, 0, "m@example.org")
	off := mk(forum.RoleOfficial, e.mins[0].ID, "o@example.org")
	adm := mk(forum.RoleAdmin, 0, "a@example.org")
	p := "/proposals/" + itoa(int(pid))
	for _, tc := range []struct {
		who    *client
		method string
		path   string
	}{
		{mod, "GET", "/moderation/"},
		{mod, "GET", "/moderation/appeals"},
		{mod, "GET", "/moderation/act?kind=proposal&id=" + itoa(int(pid))},
		{mod, "POST", "/moderation/hide"},
		{mod, "POST", "/moderation/lock"},
		{mod, "POST", "/moderation/users/" + itoa(int(author.user().ID)) + "/suspend"},
		{adm, "GET", "/moderation/"},
		{adm, "GET", "/admin/outbox"},
		{adm, "GET", "/admin/ministries"},
		{adm, "GET", "/admin/moderation"},
		{adm, "POST", "/admin/users/" + itoa(int(author.user().ID)) + "/appoint"},
		{adm, "POST", "/admin/users/" + itoa(int(author.user().ID)) + "/revoke"},
		{adm, "POST", p + "/transfer"},
		{off, "POST", p + "/response"},
		{off, "POST", p + "/transfer"},
		{off, "POST", p + "/co-ministries"},
		{off, "GET", "/debates/new"},
		{off, "POST", "/debates"},
		{off, "POST", "/debates/1/conclusion"},
		{off, "GET", "/inbox"},
	} {
		var form url.Values
		if tc.method == "POST" {
			form = url.Values{"_csrf": {tc.who.csrf()}}
		}
		if r := tc.who.do(tc.method, tc.path, form); r.Status != http.StatusSeeOther || r.Header.Get("Location") != "/account/2fa" {
			t.Errorf("%s %s page: %d %q", tc.method, tc.path, r.Status, r.Header.Get("Location"))
		}
		if r := tc.who.do(tc.method, tc.path, form, "Accept", "application/json"); r.Status != http.StatusForbidden ||
			!strings.Contains(r.Body, `"code":"second_factor_required"`) || !strings.Contains(r.Body, "/account/2fa") {
			t.Errorf("%s %s JSON: %d %.200s", tc.method, tc.path, r.Status, r.Body)
		}
	}
	contains(t, "flash", mod.get("/account/2fa").Body, "먼저 2단계 인증을 설정하십시오", "운영자, 담당 공무원, 관리자는 2단계 인증을 설정해야")
	if author.user().Status != forum.UserActive {
		t.Fatal("a refused suspension suspended the citizen")
	}
	// Enrolled and signed in with a code, the same moderator works the queue.
	key, _ := enrolThroughWeb(t, e, mod)
	mod.post("/logout", nil)
	if r := mod.post("/login", url.Values{"email": {"m@example.org"}, "password": {"staff passphrase 1"}}); r.Header.Get("Location") != "/login/2fa?next=%2F" {
		t.Fatalf("enrolled moderator's sign-in: %q", r.Header.Get("Location"))
	}
	mod.post("/login/2fa", url.Values{"code": {codeAt(t, e, key, 30*time.Second)}})
	if r := mod.get("/moderation/"); r.Status != 200 {
		t.Errorf("enrolled moderator's queue: %d", r.Status)
	}
}

func TestTwoFactor_AdminReset(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	admin := e.staff(forum.RoleAdmin, 0, "초기화 관리자")
	mod := e.staff(forum.RoleModerator, 0, "휴대폰 잃은 운영자")
	m := mod.user()
	path := "/admin/users/" + itoa(int(m.ID)) + "/second-factor/reset"
	contains(t, "profile, admin", admin.get("/users/"+itoa(int(m.ID))).Body, `action="`+path+`"`, `action="/admin/users/`+itoa(int(m.ID))+`/revoke"`)
	if strings.Contains(e.register("구경 시민").get("/users/"+itoa(int(m.ID))).Body, path) {
		t.Error("a citizen is offered the reset")
	}
	other := e.staff(forum.RoleModerator, 0, "다른 운영자")
	if r := other.post(path, nil); r.Status != http.StatusForbidden {
		t.Errorf("a moderator resetting: %d", r.Status)
	}
	if r := admin.post(path, url.Values{"next": {"/users/" + itoa(int(m.ID))}}); r.Status != http.StatusSeeOther {
		t.Fatalf("reset: %d %.300s", r.Status, r.Body)
	}
	u, err := e.st.User(ctx, m.ID)
	if err != nil || u.TwoFactor {
		t.Fatalf("after the reset: %+v %v", u, err)
	}
	if sf, _ := e.st.SecondFactorOf(ctx, m.ID); !sf.EnabledAt.IsZero() || sf.RecoveryCodes != 0 {
		t.Errorf("after the reset: %+v", sf)
	}
	if sessions, _ := e.st.Sessions(ctx, m.ID); len(sessions) != 0 {
		t.Errorf("%d sessions outlived the reset", len(sessions))
	}
	if r := mod.get("/moderation/"); r.Status != http.StatusSeeOther {
		t.Errorf("the reset moderator's old session: %d", r.Status)
	}
	if r := admin.post(path, nil); r.Status != http.StatusConflict {
		t.Errorf("resetting an account without a second factor: %d", r.Status)
	}
	log, err := e.st.ModerationLog(ctx, 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(log) == 0 || log[0].Action != forum.ActSecondFactorReset || log[0].ItemID != m.ID || log[0].ActorRole != "admin" {
		t.Fatalf("audit row: %+v", log)
	}
	page := e.client().get("/moderation/log").Body
	contains(t, "public log", page, "2단계 인증 초기화", "관리자")
	for _, name := range []string{"초기화 관리자", "휴대폰 잃은 운영자"} {
		if strings.Contains(page, name) {
			t.Errorf("the public log names %q", name)
		}
	}
	// Signed in again with the password, the moderator must enrol anew.
	back := e.client()
	if r := back.post("/login", url.Values{"email": {m.Email}, "password": {"staff passphrase 1"}}); r.Header.Get("Location") != "/" {
		t.Fatalf("sign-in after the reset: %q", r.Header.Get("Location"))
	}
	if r := back.get("/moderation/"); r.Header.Get("Location") != "/account/2fa" {
		t.Errorf("moderator after the reset: %d %q", r.Status, r.Header.Get("Location"))
	}
}

func TestRoles_Revoke(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	admin := e.staff(forum.RoleAdmin, 0, "해제 관리자")
	official := e.staff(forum.RoleOfficial, e.mins[0].ID, "전보된 공무원")
	o := official.user()
	author := e.register("답변 기다리는 시민")
	pid := e.openProposal(author, "공공 도서관 야간 개방", "퇴근 후에도 도서관을 쓸 수 있게 해 주십시오.")
	path := "/admin/users/" + itoa(int(o.ID)) + "/revoke"

	if r := official.post(path, url.Values{"reason": {"reassigned"}}); r.Status != http.StatusForbidden {
		t.Errorf("an official revoking: %d", r.Status)
	}
	if r := admin.post(path, url.Values{"reason": {"because"}}); r.Status != http.StatusBadRequest || !strings.Contains(r.Body, "사유를 고르십시오") {
		t.Errorf("unknown reason: %d", r.Status)
	}
	if r := admin.post(path, url.Values{"reason": {"reassigned"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("revoke: %d %.300s", r.Status, r.Body)
	}
	u, _ := e.st.User(ctx, o.ID)
	if u.Role != forum.RoleCitizen || u.MinistryID != 0 {
		t.Fatalf("after revocation: %s %d", u.Role, u.MinistryID)
	}
	// The session goes on, as a citizen's.
	if r := official.get("/notifications"); r.Status != 200 {
		t.Errorf("the revoked official's session: %d", r.Status)
	}
	if r := official.post(ansPath(pid, "/response"), ansAnswerForm("accepted", "전면 수용합니다")); r.Status != http.StatusForbidden {
		t.Errorf("a revoked official answering: %d", r.Status)
	}
	if r := admin.post(path, url.Values{"reason": {"reassigned"}}); r.Status != http.StatusConflict {
		t.Errorf("revoking a citizen: %d", r.Status)
	}
	log, _ := e.st.ModerationLog(ctx, 0, 10)
	if len(log) == 0 || log[0].Action != forum.ActRoleRevoked || log[0].ActorRole != "admin" || log[0].Before != "official:mohw" ||
		log[0].After != "citizen" || log[0].ReasonCode != "reassigned" {
		t.Fatalf("audit row: %+v", log)
	}
	for _, p := range []string{"/moderation/log", "/api/v1/moderation-log", "/open-data/moderation-log.csv", "/open-data/moderation-log.ndjson"} {
		body := e.client().get(p).Body
		if !strings.Contains(body, "role_revoked") && !strings.Contains(body, "직무 해제") {
			t.Errorf("%s does not show the revocation", p)
		}
		for _, name := range []string{"해제 관리자", "전보된 공무원", o.Email} {
			if strings.Contains(body, name) {
				t.Errorf("%s names %q", p, name)
			}
		}
	}
	contains(t, "public log", e.client().get("/moderation/log").Body, "업무 변경")

	// The last active administrator keeps the role; with a second one, either may go.
	self := "/admin/users/" + itoa(int(admin.user().ID)) + "/revoke"
	if r := admin.post(self, url.Values{"reason": {"left_post"}}); r.Status != http.StatusConflict || !strings.Contains(r.Body, "마지막 관리자") {
		t.Fatalf("last admin revoking themself: %d", r.Status)
	}
	if admin.user().Role != forum.RoleAdmin {
		t.Fatal("the last admin lost the role")
	}
	second := e.staff(forum.RoleAdmin, 0, "두 번째 관리자")
	if r := admin.post(self, url.Values{"reason": {"left_post"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("an admin leaving with another in place: %d", r.Status)
	}
	if admin.user().Role != forum.RoleCitizen || admin.get("/admin/outbox").Status != http.StatusForbidden {
		t.Error("the former admin still administers")
	}
	if r := second.post("/admin/users/"+itoa(int(second.user().ID))+"/revoke", url.Values{"reason": {"left_post"}}); r.Status != http.StatusConflict {
		t.Errorf("the now last admin revoking themself: %d", r.Status)
	}
}
