package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/e-people/e-people/forum"
)

// TestAdminSettings_TakeEffectAtOnce: what an administrator saves is what the
// next request runs by, and a refused change answers 400 and writes nothing.
func TestAdminSettings_TakeEffectAtOnce(t *testing.T) {
	e := newEnv(t)
	admin := e.staff(forum.RoleAdmin, 0, "관리자")
	citizen := e.register("설정 시민")
	propose := func(n string) resp {
		t.Helper()
		return citizen.post("/proposals", url.Values{"title": {"공원 벤치 설치 제안 " + n}, "body": {"산책로에 벤치를 놓아 주십시오."},
			"category": {itoa(int(e.cats[0].ID))}, "ministry": {itoa(int(e.mins[0].ID))}})
	}
	form := url.Values{"terms": {"금칙어"}, "auto_hide": {"4"}, "cap_proposals": {"1"}, "cap_comments": {"60"},
		"cap_supports": {"200"}, "cap_reports": {"20"}, "cap_comments_first_day": {"10"}}
	if r := admin.post("/admin/moderation", form); r.Status != http.StatusSeeOther {
		t.Fatalf("save: %d %.300s", r.Status, r.Body)
	}
	if r := propose("하나"); r.Status != http.StatusSeeOther {
		t.Fatalf("first proposal under a cap of 1: %d %.300s", r.Status, r.Body)
	}
	if r := propose("둘"); r.Status != http.StatusTooManyRequests {
		t.Errorf("second proposal under a cap of 1: %d, want 429", r.Status)
	}
	page := admin.get("/admin/moderation").Body
	for _, want := range []string{`name="cap_proposals" type="number" min="1" value="1"`, `name="auto_hide" type="number" min="1" value="4"`, ">금칙어</textarea>"} {
		if !strings.Contains(page, want) {
			t.Errorf("settings page lacks %s", want)
		}
	}

	before := e.st.Settings()
	for _, bad := range []struct{ field, value, message string }{
		{"auto_hide", "0", "1 이상으로"},
		{"cap_proposals", "", "1 이상으로"},
		{"cap_comments_first_day", "열", "1 이상으로"},
		{"terms", strings.Repeat("금칙어", forum.BannedTermsMax/9+1), "금칙어 목록이 너무"},
	} {
		f := url.Values{}
		for k, v := range form {
			f[k] = v
		}
		f.Set("cap_proposals", "5")
		f.Set(bad.field, bad.value)
		r := admin.post("/admin/moderation", f)
		if r.Status != http.StatusBadRequest {
			t.Errorf("%s=%.20q: status %d, want 400", bad.field, bad.value, r.Status)
		}
		if !strings.Contains(r.Body, bad.message) {
			t.Errorf("%s=%.20q: the page does not say %q", bad.field, bad.value, bad.message)
		}
	}
	if got := e.st.Settings(); got != before {
		t.Errorf("refused changes moved the settings: %+v, want %+v", got, before)
	}
	if v, err := e.st.Setting(context.Background(), forum.SettingCapProposals, ""); err != nil || v != "1" {
		t.Errorf("stored cap_proposals = %q, %v; a refused change wrote", v, err)
	}
	if r := propose("셋"); r.Status != http.StatusTooManyRequests {
		t.Errorf("proposal after refused changes: %d, want 429", r.Status)
	}
}
