package web

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/e-people/e-people/forum"
)

// settingsForm is the settings page's form as it comes filled in: every
// setting at its current value, and the version they are.
func settingsForm(st forum.Settings) url.Values {
	form := url.Values{"version": {st.Version()}}
	for k, v := range st.Values() {
		form.Set(k, v)
	}
	return form
}

// fieldValue is the value the settings page shows in the field named key:
// an input's value, a text area's text or a select's chosen option.
func fieldValue(t *testing.T, page, key string) string {
	t.Helper()
	q := regexp.QuoteMeta(key)
	for _, re := range []*regexp.Regexp{
		regexp.MustCompile(`<input id="f-` + q + `" name="` + q + `"[^>]* value="([^"]*)"`),
		regexp.MustCompile(`(?s)<textarea id="f-` + q + `" name="` + q + `"[^>]*>(.*?)</textarea>`),
		regexp.MustCompile(`(?s)<select id="f-` + q + `" name="` + q + `".*?<option value="([^"]*)" selected>.*?</select>`),
	} {
		if m := re.FindStringSubmatch(page); m != nil {
			return m[1]
		}
	}
	t.Fatalf("the settings page has no field %s", key)
	return ""
}

// manyTerms is a list of n different banned terms, one a line.
func manyTerms(n int) string {
	var b strings.Builder
	for i := range n {
		b.WriteString("금칙어" + itoa(i) + "\n")
	}
	return b.String()
}

// storetestCount reads one value from e's database file.
func storetestCount(t *testing.T, e *env, query string) string {
	t.Helper()
	return e.reader().Value(query)
}

// fieldErrorOn is the message beside the field named key, "" when none.
func fieldErrorOn(page, key string) string {
	m := regexp.MustCompile(`<p class="field-error" id="f-` + regexp.QuoteMeta(key) + `-error">([^<]*)</p>`).FindStringSubmatch(page)
	if m == nil {
		return ""
	}
	return m[1]
}

// TestAdminSettings_PageShowsEverySetting: the page has one field for every
// setting, named by its key, with its current value, its bounds and the
// tiers in words, in each language, and nothing left untranslated.
func TestAdminSettings_PageShowsEverySetting(t *testing.T) {
	e := newEnv(t)
	admin := e.staff(forum.RoleAdmin, 0, "관리자")
	if err := e.st.SetSettings(context.Background(), map[string]string{forum.SettingSupportThreshold: "1234",
		forum.SettingTierSponsor: "identity_verified", forum.SettingSessionDays: "1"}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		lang string
		want []string
	}{
		{"ko", []string{"<title>운영 설정", `<h2 id="settings-proposals">제안과 답변 기준</h2>`, `<h2 id="settings-tiers">행동별 필요 계정 등급</h2>`,
			`<h2 id="settings-caps">하루 이용 한도</h2>`, `<h2 id="settings-moderation">신고와 금칙어</h2>`, `<h2 id="settings-privacy">로그인과 개인정보</h2>`,
			"현재 값: 1,234명", "입력 범위: 0~1,000,000,000명.", "입력 범위: 1~365일.", "현재 값: 1일", "현재 값: 본인인증",
			"메일로 받은 확인 링크를 연 계정", `<label for="f-tier_support">지지하기에 필요한 등급</label>`, "최대 100,000바이트."}},
		{"en", []string{"<title>Forum settings", "Proposals and answers", "Now: 1,234 people", "Allowed: 1 to 365 days.", "Now: 1 day",
			"Tier needed to co-sponsor", "An administrator or an identity provider"}},
		{"zh", []string{"<title>論壇設定", "提案與回應門檻", "目前設定：1,234 人", "可輸入範圍：1～365 天。", "共同提案所需等級"}},
	} {
		admin.lang = tc.lang
		r := admin.get("/admin/settings")
		if r.Status != http.StatusOK {
			t.Fatalf("%s: status %d", tc.lang, r.Status)
		}
		contains(t, tc.lang, r.Body, tc.want...)
		if m := regexp.MustCompile(`(settings|admin|tier)\.[a-z_.]+`).FindString(strings.ReplaceAll(r.Body, "/admin/settings", "")); m != "" {
			t.Errorf("%s: untranslated key %s on the page", tc.lang, m)
		}
		for _, k := range forum.SettingKeys() {
			if n := strings.Count(r.Body, `name="`+k.Key+`"`); n != 1 {
				t.Errorf("%s: %d fields named %s, want 1", tc.lang, n, k.Key)
			}
		}
	}
	admin.lang = ""
	page := admin.get("/admin/settings").Body
	for key, want := range map[string]string{forum.SettingSupportThreshold: "1234", forum.SettingTierSponsor: "identity_verified",
		forum.SettingTierSupport: "email_verified", forum.SettingSessionDays: "1", forum.SettingCapComments: "100000"} {
		if got := fieldValue(t, page, key); got != want {
			t.Errorf("field %s shows %q, want %q", key, got, want)
		}
	}
	contains(t, "support threshold bounds", page, `name="support_threshold" type="number" inputmode="numeric" min="0" max="1000000000"`)
	// An empty list of banned terms stands for the defaults, and says so.
	if err := e.st.SetSettings(context.Background(), map[string]string{forum.SettingBannedTerms: ""}); err != nil {
		t.Fatal(err)
	}
	contains(t, "empty terms", admin.get("/admin/settings").Body, "현재 값: 없음(기본 금칙어 목록 적용)")
	// The old moderation settings page sends admins here.
	if r := admin.get("/admin/moderation"); r.Status != http.StatusMovedPermanently || r.Header.Get("Location") != "/admin/settings#settings-moderation" {
		t.Errorf("/admin/moderation: %d to %q", r.Status, r.Header.Get("Location"))
	}
	contains(t, "admin navigation", admin.get("/").Body, `<a href="/admin/settings">운영 설정</a>`)
}

// TestAdminSettings_SavesAndLogs: a save stores the values, is in force at
// once and is logged publicly by role with the keys that changed (the
// banned terms by digest only); saving again unchanged logs nothing.
func TestAdminSettings_SavesAndLogs(t *testing.T) {
	e := newEnv(t)
	admin := e.staff(forum.RoleAdmin, 0, "관리자 홍길동")
	form := settingsForm(e.st.Settings())
	form.Set(forum.SettingSupportThreshold, "100")
	form.Set(forum.SettingTierComment, "email_verified")
	form.Set(forum.SettingInactiveDays, "730")
	form.Set(forum.SettingBannedTerms, "# 도박\n불법도박사이트\n\n먹튀보증")
	r := admin.post("/admin/settings", form)
	if r.Status != http.StatusSeeOther || r.Header.Get("Location") != "/admin/settings" {
		t.Fatalf("save: %d to %q %.300s", r.Status, r.Header.Get("Location"), r.Body)
	}
	contains(t, "after the save", admin.get("/admin/settings").Body, "설정을 저장했습니다.", "현재 값: 100명", "현재 값: 730일", "금칙어 2개")
	st := e.st.Settings()
	if st.Thresholds.Supports != 100 || st.Tiers.Comment != forum.TierEmailVerified || st.InactiveAfter.Hours() != 730*24 ||
		st.BannedTerms != "불법도박사이트\n먹튀보증" {
		t.Errorf("settings after the save: %+v", st)
	}

	var log struct {
		Items []struct {
			Action, Before, After string
			ItemKind              string `json:"item_kind"`
			ActorRole             string `json:"actor_role"`
			ItemID                int64  `json:"item_id"`
		} `json:"items"`
	}
	if err := json.Unmarshal([]byte(e.client().get("/api/v1/moderation-log").Body), &log); err != nil {
		t.Fatal(err)
	}
	if len(log.Items) != 1 {
		t.Fatalf("moderation log %+v, want one row", log.Items)
	}
	row := log.Items[0]
	wantAfter := "banned_terms=" + forum.TermsDigest("불법도박사이트\n먹튀보증") + " support_threshold=100 tier_comment=email_verified inactive_days=730"
	if row.Action != "settings_changed" || row.ItemKind != "settings" || row.ItemID != 0 || row.ActorRole != "admin" || row.After != wantAfter ||
		!strings.HasPrefix(row.Before, "banned_terms=") || !strings.HasSuffix(row.Before, " support_threshold=50000 tier_comment=registered inactive_days=365") {
		t.Errorf("log row %+v\nwant after %q", row, wantAfter)
	}
	for lang, want := range map[string][]string{
		"ko": {"설정 변경", "운영 설정", "부처 답변에 필요한 지지 수: 50,000 → 100", "의견 쓰기에 필요한 등급: 가입 → 이메일 인증", "휴면 기준 기간: 365 → 730", "관리자"},
		"en": {"settings changed", "Supports that oblige a ministry to answer: 50,000 → 100", "Tier needed to comment: "},
		"zh": {"變更設定", "留言所需等級: "},
	} {
		v := e.client()
		v.lang = lang
		page := v.get("/moderation/log").Body
		contains(t, "public log, "+lang, page, want...)
		for _, leak := range []string{"홍길동", "불법도박", "/comments/0"} {
			if strings.Contains(page, leak) {
				t.Errorf("public log (%s) shows %q", lang, leak)
			}
		}
	}

	if csv := e.client().get("/open-data/moderation-log.csv").Body; !strings.Contains(csv, ",settings_changed,settings,0,,admin,") || strings.Contains(csv, "불법도박") {
		t.Errorf("open data moderation log: %.400s", csv)
	}

	// The same form again changes nothing and logs nothing.
	form.Set("version", e.st.Settings().Version())
	form.Set(forum.SettingSupportThreshold, " 100 ")
	if r := admin.post("/admin/settings", form); r.Status != http.StatusSeeOther {
		t.Fatalf("unchanged save: %d", r.Status)
	}
	contains(t, "unchanged save", admin.get("/admin/settings").Body, "바뀐 설정이 없습니다.")
	if n := storetestCount(t, e, `SELECT count(*) FROM moderation_actions`); n != "1" {
		t.Errorf("log rows after an unchanged save: %s, want 1", n)
	}
}

// TestAdminSettings_RefusesBadValues: each bad value answers 400 with the
// form as typed and the message beside that field; all problems show at
// once; nothing is saved or logged.
func TestAdminSettings_RefusesBadValues(t *testing.T) {
	e := newEnv(t)
	admin := e.staff(forum.RoleAdmin, 0, "관리자")
	before := e.st.Settings()
	for _, tc := range []struct {
		field, value, message string
	}{
		{forum.SettingSponsorThreshold, "-1", "0부터 1,000,000,000까지의 정수를 입력해 주십시오."},
		{forum.SettingSupportThreshold, "오만", "0부터 1,000,000,000까지의 정수를 입력해 주십시오."},
		{forum.SettingSupportWindow, "0", "1부터 36,500까지의 정수를 입력해 주십시오."},
		{forum.SettingResponseDays, "2.5", "1부터 36,500까지의 정수를 입력해 주십시오."},
		{forum.SettingTierSupport, "ministry", "가입, 이메일 인증, 본인인증 가운데 하나를 고르십시오."},
		{forum.SettingCapProposals, "", "1부터 1,000,000,000까지의 정수를 입력해 주십시오."},
		{forum.SettingCapCommentsFirstDay, "100001", "가입 첫날 의견 한도(100,001건)는 하루 의견 한도(100,000건)보다 클 수 없습니다."},
		{forum.SettingAutoHide, "0", "1부터 100,000까지의 정수를 입력해 주십시오."},
		{forum.SettingBannedTerms, manyTerms(forum.BannedTermsMax/10 + 1), "금칙어 목록이 너무 깁니다."},
		{forum.SettingSessionDays, "366", "1부터 365까지의 정수를 입력해 주십시오."},
		{forum.SettingInactiveDays, "29", "30부터 36,500까지의 정수를 입력해 주십시오."},
		{forum.SettingInactiveNoticeDays, "365", "사전 안내(365일 전)는 휴면 기준 기간(365일)보다 짧아야 합니다."},
	} {
		form := settingsForm(before)
		form.Set(forum.SettingSponsorThreshold, "7") // a good change, kept as typed and not saved
		form.Set(tc.field, tc.value)
		r := admin.post("/admin/settings", form)
		if r.Status != http.StatusBadRequest {
			t.Errorf("%s=%.20q: status %d, want 400", tc.field, tc.value, r.Status)
			continue
		}
		if got := fieldErrorOn(r.Body, tc.field); got != tc.message {
			t.Errorf("%s=%.20q: message beside the field %q, want %q", tc.field, tc.value, got, tc.message)
		}
		contains(t, tc.field, r.Body, `<a href="#f-`+tc.field+`">`, `aria-describedby="f-`+tc.field+`-hint f-`+tc.field+`-error" aria-invalid="true"`)
		if strings.Count(r.Body, `class="field-error"`) != 1 {
			t.Errorf("%s: %d messages, want only this field's", tc.field, strings.Count(r.Body, `class="field-error"`))
		}
		if tc.field != forum.SettingSponsorThreshold {
			if got := fieldValue(t, r.Body, forum.SettingSponsorThreshold); got != "7" {
				t.Errorf("%s: the other change shows %q, want it kept as typed (7)", tc.field, got)
			}
		}
		if tc.field != forum.SettingTierSupport && tc.field != forum.SettingBannedTerms {
			if got := fieldValue(t, r.Body, tc.field); got != tc.value {
				t.Errorf("%s: the field shows %q, want %q as typed", tc.field, got, tc.value)
			}
		}
	}

	// Every problem at once, each beside its own field, the pair's included.
	form := settingsForm(before)
	form.Set(forum.SettingSupportThreshold, "-5")
	form.Set(forum.SettingSessionDays, "0")
	form.Set(forum.SettingInactiveDays, "60")
	form.Set(forum.SettingInactiveNoticeDays, "90")
	r := admin.post("/admin/settings", form)
	if r.Status != http.StatusBadRequest {
		t.Fatalf("three problems: %d", r.Status)
	}
	for key, want := range map[string]string{forum.SettingSupportThreshold: "0부터", forum.SettingSessionDays: "1부터 365까지",
		forum.SettingInactiveNoticeDays: "사전 안내(90일 전)"} {
		if got := fieldErrorOn(r.Body, key); !strings.HasPrefix(got, want) {
			t.Errorf("%s: message %q, want one starting %q", key, got, want)
		}
	}
	if n := strings.Count(r.Body, `<li><a href="#f-`); n != 3 {
		t.Errorf("the error summary lists %d problems, want 3", n)
	}
	// In English too.
	admin.lang = "en"
	form.Set(forum.SettingCapReports, "many")
	r = admin.post("/admin/settings", form)
	if got := fieldErrorOn(r.Body, forum.SettingCapReports); got != "Enter a whole number from 1 to 1,000,000,000." {
		t.Errorf("English message %q", got)
	}

	if got := e.st.Settings(); got != before {
		t.Errorf("refused saves moved the settings: %+v\nwant %+v", got, before)
	}
	if v, err := e.st.Setting(context.Background(), forum.SettingSponsorThreshold, ""); err != nil || v != "2" {
		t.Errorf("stored sponsor_threshold %q, %v: a refused save wrote", v, err)
	}
	if n := storetestCount(t, e, `SELECT count(*) FROM moderation_actions`); n != "0" {
		t.Errorf("refused saves logged %s rows", n)
	}
}

// TestAdminSettings_ChangedMeanwhile: a form filled in from settings that
// another administrator changed since is refused with 409, kept as typed
// beside the values now in force, and saves once sent again from there.
func TestAdminSettings_ChangedMeanwhile(t *testing.T) {
	e := newEnv(t)
	first, second := e.staff(forum.RoleAdmin, 0, "관리자 하나"), e.staff(forum.RoleAdmin, 0, "관리자 둘")
	stale := settingsForm(e.st.Settings())
	form := settingsForm(e.st.Settings())
	form.Set(forum.SettingCapReports, "5")
	if r := first.post("/admin/settings", form); r.Status != http.StatusSeeOther {
		t.Fatalf("first save: %d", r.Status)
	}
	stale.Set(forum.SettingSupportThreshold, "300")
	r := second.post("/admin/settings", stale)
	if r.Status != http.StatusConflict {
		t.Fatalf("save over a change made meanwhile: %d, want 409", r.Status)
	}
	contains(t, "conflict page", r.Body, "다른 관리자가 먼저 설정을 바꾸었습니다", "현재 값: 5건")
	if got := fieldValue(t, r.Body, forum.SettingSupportThreshold); got != "300" {
		t.Errorf("support threshold shows %q, want 300 as typed", got)
	}
	if st := e.st.Settings(); st.Caps.Reports != 5 || st.Thresholds.Supports != 50000 {
		t.Errorf("after the refused save: reports cap %d, support threshold %d; want 5 and 50000", st.Caps.Reports, st.Thresholds.Supports)
	}
	// Sent again from the page it got back (now at the current version), the form saves.
	again := url.Values{"version": {regexp.MustCompile(`name="version" value="([0-9a-f]+)"`).FindStringSubmatch(r.Body)[1]}}
	for _, k := range forum.SettingKeys() {
		again.Set(k.Key, fieldValue(t, r.Body, k.Key))
	}
	again.Set(forum.SettingBannedTerms, e.st.Settings().BannedTerms)
	if r := second.post("/admin/settings", again); r.Status != http.StatusSeeOther {
		t.Fatalf("save again: %d %.300s", r.Status, r.Body)
	}
	if st := e.st.Settings(); st.Caps.Reports != 100000 || st.Thresholds.Supports != 300 {
		t.Errorf("after saving again: reports cap %d, support threshold %d; want the second admin's 100000 and 300", st.Caps.Reports, st.Thresholds.Supports)
	}
}

// TestAdminSettings_AdminsOnly: citizens, moderators and officials are
// refused the page and the save; a visitor is sent to sign in.
func TestAdminSettings_AdminsOnly(t *testing.T) {
	e := newEnv(t)
	before := e.st.Settings()
	form := settingsForm(before)
	form.Set(forum.SettingSupportThreshold, "1")
	for name, c := range map[string]*client{
		"citizen":   e.register("시민"),
		"moderator": e.staff(forum.RoleModerator, 0, "검토자"),
		"official":  e.staff(forum.RoleOfficial, e.mins[0].ID, "공무원"),
	} {
		if r := c.get("/admin/settings"); r.Status != http.StatusForbidden {
			t.Errorf("%s: GET %d, want 403", name, r.Status)
		}
		if r := c.post("/admin/settings", form); r.Status != http.StatusForbidden {
			t.Errorf("%s: POST %d, want 403", name, r.Status)
		}
	}
	if r := e.client().get("/admin/settings"); r.Status != http.StatusSeeOther || !strings.HasPrefix(r.Header.Get("Location"), "/login") {
		t.Errorf("visitor: %d to %q, want a redirect to sign in", r.Status, r.Header.Get("Location"))
	}
	if got := e.st.Settings(); got != before {
		t.Errorf("refused saves moved the settings: %+v", got)
	}
}

// TestAdminSettings_LiveWithoutRestart: what the page saves is what the very
// next request runs by: the support threshold, the tier an action needs,
// the session lifetime and the daily caps.
func TestAdminSettings_LiveWithoutRestart(t *testing.T) {
	e := newEnv(t)
	admin := e.staff(forum.RoleAdmin, 0, "관리자")
	save := func(key, value string) {
		t.Helper()
		form := settingsForm(e.st.Settings())
		form.Set(key, value)
		if r := admin.post("/admin/settings", form); r.Status != http.StatusSeeOther {
			t.Fatalf("save %s=%s: %d %.300s", key, value, r.Status, r.Body)
		}
	}
	author := e.register("제안한 시민")
	pid := e.openProposal(author, "어린이 보호구역 확대", "초등학교 주변 보호구역을 넓혀 주십시오.")
	path := "/proposals/" + itoa(int(pid))
	status := func() forum.ProposalStatus {
		t.Helper()
		p, err := e.st.Proposal(context.Background(), pid)
		if err != nil {
			t.Fatal(err)
		}
		return p.Status
	}
	if r := e.register("첫 지지자").post(path+"/support", nil); r.Status != http.StatusSeeOther {
		t.Fatalf("first support: %d", r.Status)
	}
	save(forum.SettingSupportThreshold, "2")
	if s := status(); s != forum.StatusOpen {
		t.Fatalf("status %s before the second support, want open", s)
	}
	if r := e.register("둘째 지지자").post(path+"/support", nil); r.Status != http.StatusSeeOther {
		t.Fatalf("second support: %d", r.Status)
	}
	if s := status(); s != forum.StatusAwaiting {
		t.Errorf("status %s after the support that reached the new threshold, want %s", s, forum.StatusAwaiting)
	}

	other := e.openProposal(author, "통학로 보도 설치", "통학로에 보도를 놓아 주십시오.")
	verified := e.register("이메일 인증 시민")
	save(forum.SettingTierSupport, string(forum.TierIdentityVerified))
	if r := verified.post("/proposals/"+itoa(int(other))+"/support", nil); r.Status != http.StatusForbidden {
		t.Errorf("support by an e-mail-verified citizen under tier_support=identity_verified: %d, want 403", r.Status)
	}
	save(forum.SettingTierSupport, string(forum.TierEmailVerified))
	if r := verified.post("/proposals/"+itoa(int(other))+"/support", nil); r.Status != http.StatusSeeOther {
		t.Errorf("support once the tier is back to email_verified: %d, want 303", r.Status)
	}

	maxAge := func() int {
		t.Helper()
		c := e.client()
		r := c.post("/login", url.Values{"email": {verified.user().Email}, "password": {"correct horse battery staple"}})
		if r.Status != http.StatusSeeOther {
			t.Fatalf("sign in: %d", r.Status)
		}
		for _, ck := range (&http.Response{Header: r.Header}).Cookies() {
			if ck.Name == SessionCookie {
				return ck.MaxAge
			}
		}
		t.Fatal("no session cookie")
		return 0
	}
	if got := maxAge(); got != 30*24*3600 {
		t.Errorf("session cookie Max-Age %d before the change, want 30 days", got)
	}
	save(forum.SettingSessionDays, "3")
	if got := maxAge(); got != 3*24*3600 {
		t.Errorf("session cookie Max-Age %d after setting 3 days, want %d", got, 3*24*3600)
	}

	save(forum.SettingCapProposals, "1")
	proposer := e.register("하루 한 건")
	proposer.propose("가로등 교체", "오래된 가로등을 바꿔 주십시오.")
	r := proposer.post("/proposals", url.Values{"title": {"벤치 설치"}, "body": {"공원에 벤치를 놓아 주십시오."},
		"category": {itoa(int(e.cats[0].ID))}, "ministry": {itoa(int(e.mins[0].ID))}})
	if r.Status != http.StatusTooManyRequests {
		t.Errorf("second proposal under a cap of 1: %d, want 429", r.Status)
	}
}
