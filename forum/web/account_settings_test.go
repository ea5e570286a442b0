package web

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/e-people/e-people/forum"
	"github.com/e-people/e-people/forum/store"
)

const acctPassword = "correct horse battery staple"

// acctMails returns the outbox rows of kind sent to address, oldest first.
func (e *env) acctMails(address, kind string) []store.Mail {
	e.t.Helper()
	all, err := e.st.Outbox(context.Background(), 1000)
	if err != nil {
		e.t.Fatal(err)
	}
	var out []store.Mail
	for i := len(all) - 1; i >= 0; i-- {
		if all[i].Address == address && all[i].Kind == kind {
			out = append(out, all[i])
		}
	}
	return out
}

// acctToken returns the one-time token of the newest mail of kind to address.
func (e *env) acctToken(address, kind string) string {
	e.t.Helper()
	ms := e.acctMails(address, kind)
	if len(ms) == 0 {
		e.t.Fatalf("no %s mail to %s", kind, address)
	}
	var d struct{ Token string }
	if err := json.Unmarshal(ms[len(ms)-1].Data, &d); err != nil || d.Token == "" {
		e.t.Fatalf("%s mail data %s: no token (%v)", kind, ms[len(ms)-1].Data, err)
	}
	return d.Token
}

// acctCount reads one number from the test database.
func (e *env) acctCount(query string, args ...any) string {
	e.t.Helper()
	return e.reader().Value(query, args...)
}

// acctSignIn signs a new client in with email and password and returns it.
func (e *env) acctSignIn(email, password string) *client {
	e.t.Helper()
	c := e.client()
	if r := c.post("/login", url.Values{"email": {email}, "password": {password}}); r.Status != http.StatusSeeOther {
		e.t.Fatalf("sign in as %s: %d", email, r.Status)
	}
	return c
}

// acctSignedIn reports whether c's session still signs it in.
func (c *client) acctSignedIn() bool {
	c.e.t.Helper()
	r := c.get("/account")
	return r.Status == http.StatusOK
}

func TestPasswordReset_SameAnswerForUnknownAddress(t *testing.T) {
	e := newEnv(t)
	known := e.register("재설정 시민").user().Email
	c := e.client()
	tokens := func() string {
		return e.acctCount(`SELECT count(*) FROM account_tokens WHERE purpose = 'reset_password'`)
	}
	mails := func() string { return e.acctCount(`SELECT count(*) FROM outbox WHERE kind = 'reset_password'`) }

	unknown := c.post("/password/forgot", url.Values{"email": {"nobody@example.org"}})
	if tokens() != "0" || mails() != "0" {
		t.Fatalf("an unknown address made %s tokens and %s mails", tokens(), mails())
	}
	found := c.post("/password/forgot", url.Values{"email": {strings.ToUpper(known)}})
	if tokens() != "1" || mails() != "1" {
		t.Fatalf("a known address made %s tokens and %s mails, want 1 and 1", tokens(), mails())
	}
	if unknown.Status != http.StatusOK || found.Status != unknown.Status {
		t.Errorf("status %d for an unknown address, %d for a known one; want 200 for both", unknown.Status, found.Status)
	}
	if unknown.Body != found.Body {
		t.Error("the page for an unknown address differs from the page for a known one")
	}
	contains(t, "reset requested", found.Body, "가입한 계정이 있으면")

	if r := c.post("/password/forgot", url.Values{"email": {"not an address"}}); r.Status != http.StatusBadRequest {
		t.Errorf("a malformed address: %d, want 400", r.Status)
	}
	contains(t, "login page", c.get("/login").Body, `href="/password/forgot"`)
}

func TestPasswordReset_EndsEverySessionAndWorksOnce(t *testing.T) {
	e := newEnv(t)
	first := e.register("잊어버린 시민")
	email := first.user().Email
	second := e.acctSignIn(email, acctPassword)
	if r := e.client().post("/password/forgot", url.Values{"email": {email}}); r.Status != http.StatusOK {
		t.Fatalf("forgot: %d", r.Status)
	}
	mails := e.acctMails(email, store.MailResetPassword)
	if len(mails) != 1 {
		t.Fatalf("%d reset mails, want 1", len(mails))
	}
	tok := e.acctToken(email, store.MailResetPassword)
	_, body, err := e.srv.ComposeMail(context.Background(), mails[0])
	if err != nil {
		t.Fatal(err)
	}
	contains(t, "reset mail", body, "http://127.0.0.1/password/reset/"+tok, "1시간", "one hour")

	c := e.client()
	path := "/password/reset/" + tok
	r := c.get(path)
	if r.Status != http.StatusOK || r.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("reset form: %d, Cache-Control %q", r.Status, r.Header.Get("Cache-Control"))
	}
	if r := c.post(path, url.Values{"password": {"1234567890"}}); r.Status != http.StatusBadRequest {
		t.Fatalf("a common password: %d, want 400", r.Status)
	}
	if !first.acctSignedIn() {
		t.Fatal("a refused new password ended the sessions")
	}
	r = c.post(path, url.Values{"password": {"a fresh long passphrase 42"}})
	if r.Status != http.StatusSeeOther || r.Header.Get("Location") != "/login" {
		t.Fatalf("reset: %d to %q", r.Status, r.Header.Get("Location"))
	}
	if first.acctSignedIn() || second.acctSignedIn() {
		t.Error("a session signed in with the old password survived the reset")
	}
	if n := e.acctCount(`SELECT count(*) FROM sessions WHERE user_id = (SELECT id FROM users WHERE email = ?)`, email); n != "0" {
		t.Errorf("%s sessions left, want 0", n)
	}
	if r := c.get(path); r.Status != http.StatusNotFound || !strings.Contains(r.Body, `href="/password/forgot"`) {
		t.Errorf("used link: %d, want 404 with a way to ask again", r.Status)
	}
	if r := c.post(path, url.Values{"password": {"another passphrase 77"}}); r.Status != http.StatusNotFound {
		t.Errorf("used link posted again: %d, want 404", r.Status)
	}
	if r := e.client().post("/login", url.Values{"email": {email}, "password": {acctPassword}}); r.Status != http.StatusUnauthorized {
		t.Errorf("old password: %d, want 401", r.Status)
	}
	e.acctSignIn(email, "a fresh long passphrase 42")
}

func TestPasswordReset_LinkExpiresAfterAnHour(t *testing.T) {
	e := newEnv(t)
	email := e.register("늦은 시민").user().Email
	e.client().post("/password/forgot", url.Values{"email": {email}})
	tok := e.acctToken(email, store.MailResetPassword)
	e.clock.Add(61 * time.Minute)
	c := e.client()
	if r := c.get("/password/reset/" + tok); r.Status != http.StatusNotFound {
		t.Errorf("expired link: %d, want 404", r.Status)
	}
	if r := c.post("/password/reset/"+tok, url.Values{"password": {"a fresh long passphrase 42"}}); r.Status != http.StatusNotFound {
		t.Errorf("expired link posted: %d, want 404", r.Status)
	}
	e.acctSignIn(email, acctPassword) // unchanged
}

func TestPasswordReset_PerAddressLimit(t *testing.T) {
	e := newEnv(t)
	email := e.register("자주 잊는 시민").user().Email
	c := e.client()
	var bodies []string
	for i := 0; i < store.ResetsPerHour+2; i++ {
		r := c.post("/password/forgot", url.Values{"email": {email}})
		if r.Status != http.StatusOK {
			t.Fatalf("request %d: %d, want 200 past the limit too", i+1, r.Status)
		}
		bodies = append(bodies, r.Body)
	}
	if got := len(e.acctMails(email, store.MailResetPassword)); got != store.ResetsPerHour {
		t.Errorf("%d reset mails, want %d", got, store.ResetsPerHour)
	}
	if bodies[0] != bodies[len(bodies)-1] {
		t.Error("the page past the limit differs from the first")
	}
	e.clock.Add(61 * time.Minute)
	c.post("/password/forgot", url.Values{"email": {email}})
	if got := len(e.acctMails(email, store.MailResetPassword)); got != store.ResetsPerHour+1 {
		t.Errorf("an hour later: %d reset mails, want %d", got, store.ResetsPerHour+1)
	}
}

func TestPasswordReset_PerIPLimit(t *testing.T) {
	e := newEnv(t)
	c := e.client()
	for i := 0; i < resetsPerIPPerHour; i++ {
		if r := c.post("/password/forgot", url.Values{"email": {"someone" + itoa(i) + "@example.org"}}); r.Status != http.StatusOK {
			t.Fatalf("request %d: %d", i+1, r.Status)
		}
	}
	if r := c.post("/password/forgot", url.Values{"email": {"one-more@example.org"}}); r.Status != http.StatusTooManyRequests {
		t.Errorf("request past the per-address limit: %d, want 429", r.Status)
	}
}

func TestAccount_EmailChange(t *testing.T) {
	e := newEnv(t)
	c := e.registerUnverified("이사 간 시민")
	old := c.user().Email
	other := e.register("다른 시민").user().Email
	post := func(email, password string) resp {
		return c.post("/account/email", url.Values{"email": {email}, "password": {password}})
	}
	if r := post("new@example.org", "wrong password here"); r.Status != http.StatusBadRequest || !strings.Contains(r.Body, "현재 비밀번호가 맞지 않습니다") {
		t.Errorf("wrong password: %d", r.Status)
	}
	if r := post(other, acctPassword); r.Status != http.StatusBadRequest || !strings.Contains(r.Body, "다른 계정이 쓰고 있는 주소") {
		t.Errorf("taken address: %d", r.Status)
	}
	if r := post(old, acctPassword); r.Status != http.StatusBadRequest {
		t.Errorf("same address: %d", r.Status)
	}
	if r := post("not an address", acctPassword); r.Status != http.StatusBadRequest {
		t.Errorf("malformed address: %d", r.Status)
	}
	if n := e.acctCount(`SELECT count(*) FROM account_tokens WHERE purpose = 'change_email'`); n != "0" {
		t.Fatalf("refused requests left %s tokens", n)
	}
	if r := post("New@Example.org", acctPassword); r.Status != http.StatusSeeOther {
		t.Fatalf("change: %d %.300s", r.Status, r.Body)
	}
	if c.user().Email != old {
		t.Fatal("the address changed before the link was opened")
	}
	tok := e.acctToken("new@example.org", store.MailChangeEmail)
	r := e.client().get("/account/email/" + tok) // opened in the mail reader's browser, signed out
	if r.Status != http.StatusSeeOther {
		t.Fatalf("confirm: %d %.300s", r.Status, r.Body)
	}
	u := c.user()
	if u.Email != "new@example.org" || u.Tier != forum.TierEmailVerified {
		t.Errorf("after the link: %s, %s; want new@example.org, email_verified", u.Email, u.Tier)
	}
	told := e.acctMails(old, store.MailEmailChanged)
	if len(told) != 1 {
		t.Fatalf("%d mails to the old address, want 1", len(told))
	}
	_, body, err := e.srv.ComposeMail(context.Background(), told[0])
	if err != nil {
		t.Fatal(err)
	}
	contains(t, "mail to the old address", body, "new@example.org")
	if r := e.client().get("/account/email/" + tok); r.Status != http.StatusNotFound {
		t.Errorf("used link: %d, want 404", r.Status)
	}

	// An address another account takes between the request and the link.
	if r := post("contested@example.org", acctPassword); r.Status != http.StatusSeeOther {
		t.Fatalf("second change: %d", r.Status)
	}
	tok = e.acctToken("contested@example.org", store.MailChangeEmail)
	e.client().post("/register", url.Values{"name": {"빠른 시민"}, "email": {"contested@example.org"}, "password": {acctPassword}, "consent": {"1"}})
	if r := e.client().get("/account/email/" + tok); r.Status != http.StatusConflict || !strings.Contains(r.Body, "이미 사용 중인 주소") {
		t.Errorf("taken since: %d, want 409 with a message", r.Status)
	}
	if got := c.user().Email; got != "new@example.org" {
		t.Errorf("address %s after a refused change", got)
	}
}

func TestAccount_PasswordChange(t *testing.T) {
	e := newEnv(t)
	here := e.register("비번 바꾸는 시민")
	email := here.user().Email
	there := e.acctSignIn(email, acctPassword)
	if r := here.post("/account/password", url.Values{"current_password": {"not my password"}, "new_password": {"a fresh long passphrase 42"}}); r.Status != http.StatusBadRequest {
		t.Errorf("wrong current password: %d, want 400", r.Status)
	}
	if r := here.post("/account/password", url.Values{"current_password": {acctPassword}, "new_password": {"short"}}); r.Status != http.StatusBadRequest || !strings.Contains(r.Body, `href="#f-new-password"`) {
		t.Errorf("weak new password: %d, want 400 pointing at the new password", r.Status)
	}
	if !there.acctSignedIn() {
		t.Fatal("a refused change ended a session")
	}
	if r := here.post("/account/password", url.Values{"current_password": {acctPassword}, "new_password": {"a fresh long passphrase 42"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("change: %d %.300s", r.Status, r.Body)
	}
	if !here.acctSignedIn() {
		t.Error("the browser that changed the password was signed out")
	}
	if there.acctSignedIn() {
		t.Error("another browser stayed signed in after the change")
	}
	e.acctSignIn(email, "a fresh long passphrase 42")
}

func TestAccount_NameChange(t *testing.T) {
	e := newEnv(t)
	c := e.register("원래 이름")
	if r := c.post("/account/name", url.Values{"name": {"관리자"}}); r.Status != http.StatusBadRequest {
		t.Errorf("impersonating name: %d, want 400", r.Status)
	}
	if r := c.post("/account/name", url.Values{"name": {"가"}}); r.Status != http.StatusBadRequest {
		t.Errorf("one-letter name: %d, want 400", r.Status)
	}
	if got := c.user().Name; got != "원래 이름" {
		t.Fatalf("a refused name was stored: %q", got)
	}
	if r := c.post("/account/name", url.Values{"name": {"  새 이름  "}}); r.Status != http.StatusSeeOther {
		t.Fatalf("rename: %d", r.Status)
	}
	if got := c.user().Name; got != "새 이름" {
		t.Errorf("name %q, want 새 이름", got)
	}
	mod := e.staff(forum.RoleModerator, 0, "류운영")
	if r := mod.post("/account/name", url.Values{"name": {"운영자 류지혜"}}); r.Status != http.StatusSeeOther {
		t.Errorf("a moderator naming their role: %d, want 303", r.Status)
	}
}

var hasHangul = func(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool { return unicode.Is(unicode.Hangul, r) }) >= 0
}

func TestAccount_LanguageFollowsSignInAndMail(t *testing.T) {
	e := newEnv(t)
	c := e.register("영어 쓰는 시민")
	email := c.user().Email
	r := c.post("/account/lang", url.Values{"lang": {"en"}})
	if r.Status != http.StatusSeeOther || c.cookies[langCookie] != "en" {
		t.Fatalf("set language: %d, cookie %q", r.Status, c.cookies[langCookie])
	}
	if got := c.user().Lang; got != "en" {
		t.Fatalf("lang %q, want en", got)
	}
	if r := c.post("/account/lang", url.Values{"lang": {"fr"}}); r.Status != http.StatusBadRequest {
		t.Errorf("unknown language: %d, want 400", r.Status)
	}
	fresh := e.client()
	fresh.lang = "ko"
	fresh.post("/login", url.Values{"email": {email}, "password": {acctPassword}})
	if fresh.cookies[langCookie] != "en" {
		t.Errorf("after signing in elsewhere the language cookie is %q, want en", fresh.cookies[langCookie])
	}
	contains(t, "account page after sign-in", fresh.get("/account").Body, `lang="en"`, "Account settings")

	e.client().post("/password/forgot", url.Values{"email": {email}})
	m := e.acctMails(email, store.MailResetPassword)[0]
	subject, body, err := e.srv.ComposeMail(context.Background(), m)
	if err != nil {
		t.Fatal(err)
	}
	if hasHangul(subject) || hasHangul(body) || !strings.Contains(body, "one hour") {
		t.Errorf("mail to an English reader:\n%s\n%s", subject, body)
	}
	if err := e.st.SetUserLang(context.Background(), c.user().ID, ""); err != nil {
		t.Fatal(err)
	}
	_, body, _ = e.srv.ComposeMail(context.Background(), m)
	if !hasHangul(body) || !strings.Contains(body, "one hour") {
		t.Errorf("mail to a reader with no language: want Korean and English:\n%s", body)
	}
}

var sessionFormRe = regexp.MustCompile(`action="/account/sessions/(\d+)/end"`)

func TestAccount_Sessions(t *testing.T) {
	e := newEnv(t)
	here := e.register("기기 많은 시민")
	email := here.user().Email
	phone := e.client()
	phone.do("POST", "/login", url.Values{"email": {email}, "password": {acctPassword}, "_csrf": {phone.csrf()}}, "User-Agent",
		"Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1")
	r := here.get("/account")
	if r.Status != http.StatusOK {
		t.Fatalf("account: %d", r.Status)
	}
	contains(t, "sessions", r.Body, "Safari · iOS", "지금 쓰는 기기")
	if n := strings.Count(r.Body, `<span class="badge">지금 쓰는 기기</span>`); n != 1 {
		t.Errorf("%d sessions marked as this device, want 1", n)
	}
	ids := sessionFormRe.FindAllStringSubmatch(r.Body, -1)
	if len(ids) != 2 {
		t.Fatalf("%d sessions listed, want 2", len(ids))
	}
	phoneID := ids[0][1] // the most recently seen first: the phone signed in last
	if r := e.register("남의 계정").post("/account/sessions/"+phoneID+"/end", nil); r.Status != http.StatusNotFound {
		t.Errorf("ending another account's session: %d, want 404", r.Status)
	}
	if !phone.acctSignedIn() {
		t.Fatal("another account ended the phone's session")
	}
	if r := here.post("/account/sessions/"+phoneID+"/end", nil); r.Status != http.StatusSeeOther {
		t.Fatalf("end one: %d", r.Status)
	}
	if phone.acctSignedIn() || !here.acctSignedIn() {
		t.Errorf("after ending the phone's session: phone %v, here %v; want false, true", phone.acctSignedIn(), here.acctSignedIn())
	}

	laptop := e.acctSignIn(email, acctPassword)
	if r := here.post("/account/sessions/end", url.Values{"everywhere": {"others"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("end others: %d", r.Status)
	}
	if laptop.acctSignedIn() || !here.acctSignedIn() {
		t.Errorf("after everywhere else: laptop %v, here %v; want false, true", laptop.acctSignedIn(), here.acctSignedIn())
	}
	laptop = e.acctSignIn(email, acctPassword)
	if r := here.post("/account/sessions/end", url.Values{"everywhere": {"all"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("end all: %d", r.Status)
	}
	if laptop.acctSignedIn() || here.acctSignedIn() {
		t.Error("a session survived signing out everywhere")
	}
}

func TestAccount_MailFrequency(t *testing.T) {
	e := newEnv(t)
	c := e.register("메일 싫은 시민")
	if r := c.post("/account/mail", url.Values{"frequency": {"hourly"}}); r.Status != http.StatusBadRequest {
		t.Errorf("unknown frequency: %d, want 400", r.Status)
	}
	if r := c.post("/account/mail", url.Values{"frequency": {"daily"}}); r.Status != http.StatusSeeOther || c.user().EmailFrequency != "daily" {
		t.Errorf("daily: %d, %s", r.Status, c.user().EmailFrequency)
	}
	// Weekly (issue 16): the account form offers it and saves it.
	if r := c.get("/account"); r.Status != http.StatusOK || !strings.Contains(r.Body, `id="f-frequency-weekly" name="frequency" value="weekly"`) {
		t.Errorf("account page: %d, no weekly choice", r.Status)
	}
	if r := c.post("/account/mail", url.Values{"frequency": {"weekly"}}); r.Status != http.StatusSeeOther || c.user().EmailFrequency != "weekly" {
		t.Errorf("weekly: %d, %s", r.Status, c.user().EmailFrequency)
	}
	if r := c.get("/account"); r.Status != http.StatusOK || !strings.Contains(r.Body, `value="weekly" checked`) || !strings.Contains(r.Body, "일주일에 한 번 모아 받기") {
		t.Errorf("account page after saving weekly: %d, weekly not checked", r.Status)
	}
	if r := c.post("/notifications/settings", url.Values{"frequency": {"none"}}); r.Status != http.StatusSeeOther || c.user().EmailFrequency != "none" {
		t.Errorf("the notifications page's form: %d, %s", r.Status, c.user().EmailFrequency)
	}
	if r := e.client().get("/account"); r.Status != http.StatusSeeOther || !strings.HasPrefix(r.Header.Get("Location"), "/login") {
		t.Errorf("a visitor on /account: %d to %q", r.Status, r.Header.Get("Location"))
	}
}

func TestDeviceName(t *testing.T) {
	for ua, want := range map[string]string{
		"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36":                        "Chrome · Windows",
		"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0":          "Edge · Windows",
		"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Safari/605.1.15":                  "Safari · macOS",
		"Mozilla/5.0 (Linux; Android 14; SM-S918N) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/25.0 Chrome/121.0.0.0 Mobile Safari":    "Samsung Internet · Android",
		"Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0":                                                                 "Firefox · Linux",
		"Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/131.0 Mobile/15E148 Safari/604.1": "Chrome · iOS",
		"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/128.0.0.0 Whale/3.28.266.14 Safari/537.36":      "Whale · Windows",
		"curl/8.5.0": "",
		"":           "",
	} {
		if got := deviceName(ua); got != want {
			t.Errorf("deviceName(%q) = %q, want %q", ua, got, want)
		}
	}
}
