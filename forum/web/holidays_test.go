package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/e-people/e-people/forum"
	"github.com/e-people/e-people/forum/workday"
)

// Only administrators open the calendar page or change it; a refused
// change writes nothing.
func TestAdminHolidays_Roles(t *testing.T) {
	e := newEnv(t)
	admin := e.staff(forum.RoleAdmin, 0, "공휴일 관리자")
	add := url.Values{"day": {"2027-03-15"}, "name_ko": {"임시공휴일"}}
	for _, c := range []struct {
		name   string
		c      *client
		status int
	}{
		{"guest", e.client(), http.StatusSeeOther},
		{"citizen", e.register("달력 시민"), http.StatusForbidden},
		{"moderator", e.staff(forum.RoleModerator, 0, "달력 운영자"), http.StatusForbidden},
		{"official", e.staff(forum.RoleOfficial, e.mins[0].ID, "달력 공무원"), http.StatusForbidden},
	} {
		if r := c.c.get("/admin/holidays"); r.Status != c.status {
			t.Errorf("%s: GET %d, want %d", c.name, r.Status, c.status)
		}
		want := c.status
		if c.name == "guest" {
			want = http.StatusUnauthorized // a guest's POST has no session to carry a CSRF token
		}
		if r := c.c.post("/admin/holidays", add); r.Status != want && r.Status != http.StatusForbidden {
			t.Errorf("%s: add %d, want %d", c.name, r.Status, c.status)
		}
	}
	if hs, _ := e.st.ExtraHolidays(context.Background()); len(hs) != 0 {
		t.Fatalf("refused adds wrote %v", hs)
	}
	if r := admin.post("/admin/holidays", add); r.Status != http.StatusSeeOther {
		t.Fatalf("admin add: %d %.300s", r.Status, r.Body)
	}
	for _, c := range []*client{e.register("지우려는 시민"), e.staff(forum.RoleOfficial, e.mins[0].ID, "지우려는 공무원")} {
		if r := c.post("/admin/holidays/2027-03-15/remove", nil); r.Status != http.StatusForbidden {
			t.Errorf("remove by a non-admin: %d", r.Status)
		}
	}
	if hs, _ := e.st.ExtraHolidays(context.Background()); len(hs) != 1 {
		t.Errorf("after refused removals: %v", hs)
	}
}

// An administrator adds a day off: the calendar counts it at once, due
// dates already set stay, the public moderation log says so; bad input is
// refused with the field's message and writes nothing; the day is removed.
func TestAdminHolidays_AddAndRemove(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	admin := e.staff(forum.RoleAdmin, 0, "공휴일 관리자")
	filer := e.register("기한 시민")
	// Friday 27 November 2026: an inquiry's 7 working days end on Monday 7 December.
	before := e.fileRequestFor(filer, "달력 바뀌기 전 민원")
	page := admin.get("/admin/holidays")
	contains(t, "page", page.Body, "2026년 공휴일", "기독탄신일", "공식 공휴일", "이미 정해진 처리 기한은 바뀌지 않습니다", `href="/admin/holidays?year=2027"`,
		`action="/admin/holidays"`)
	if strings.Contains(page.Body, "공식 공휴일 자료가") {
		t.Error("a coverage warning with data to 2030")
	}
	monday := time.Date(2026, 11, 30, 12, 0, 0, 0, workday.Seoul())
	if !e.st.Calendar().IsWorkingDay(monday) {
		t.Fatal("30 November 2026 is already off")
	}

	for _, bad := range []struct {
		form  url.Values
		field string
		msg   string
	}{
		{url.Values{"day": {"2026-12-25"}, "name_ko": {"두 번째 성탄절"}}, "day", "2026-12-25는 이미 공식 공휴일입니다."},
		{url.Values{"day": {"2026-11-31"}, "name_ko": {"없는 날"}}, "day", "실제 있는 날로 적어 주세요."},
		{url.Values{"day": {""}, "name_ko": {"날짜 없음"}}, "day", "날짜를 골라 주세요."},
		{url.Values{"day": {"2026-11-30"}, "name_ko": {"  "}}, "name_ko", "한국어 이름을 적어 주세요."},
		{url.Values{"day": {"2026-11-30"}, "name_ko": {"휴일"}, "name_en": {strings.Repeat("x", 61)}}, "name_en", "이름은 60자 이내로 적어 주세요."},
	} {
		r := admin.post("/admin/holidays", bad.form)
		if r.Status != http.StatusBadRequest {
			t.Errorf("%v: %d, want 400", bad.form, r.Status)
			continue
		}
		contains(t, bad.msg, r.Body, bad.msg, `href="#f-`+bad.field+`"`, `id="f-`+bad.field+`-error"`)
	}
	if hs, _ := e.st.ExtraHolidays(ctx); len(hs) != 0 {
		t.Fatalf("refused adds wrote %v", hs)
	}

	r := admin.post("/admin/holidays", url.Values{"day": {"2026-11-30"}, "name_ko": {"대체 휴무일"}, "name_en": {"Substitute day off"}, "year": {"2026"}})
	if r.Status != http.StatusSeeOther || r.Header.Get("Location") != "/admin/holidays?year=2026#h-2026-11-30" {
		t.Fatalf("add: %d %q %.300s", r.Status, r.Header.Get("Location"), r.Body)
	}
	if e.st.Calendar().IsWorkingDay(monday) {
		t.Error("the calendar still counts the added day")
	}
	if got, _ := e.st.Request(ctx, before.ID); !got.Due.Equal(before.Due) {
		t.Errorf("a due date moved: %v → %v", before.Due, got.Due)
	}
	after := e.fileRequestFor(filer, "달력 바뀐 뒤 민원")
	if !after.Due.Equal(before.Due.AddDate(0, 0, 1)) {
		t.Errorf("a request filed after the change is due %v, want a day after %v", after.Due, before.Due)
	}
	page = admin.get("/admin/holidays?year=2026")
	contains(t, "page with the day", page.Body, `id="h-2026-11-30"`, "대체 휴무일", "관리자가 더한 날", `action="/admin/holidays/2026-11-30/remove"`,
		"쉬는 날을 더했습니다.")
	if en := admin.get("/lang?lang=en&next=/admin/holidays"); en.Status >= 400 {
		t.Fatalf("lang: %d", en.Status)
	}
	contains(t, "English page", admin.get("/admin/holidays?year=2026").Body, "Substitute day off", "Christmas Day", "Added by an administrator")
	admin.get("/lang?lang=ko&next=/")
	if r := admin.post("/admin/holidays", url.Values{"day": {"2026-11-30"}, "name_ko": {"또"}}); r.Status != http.StatusBadRequest ||
		!strings.Contains(r.Body, "2026-11-30은 이미 더한 날입니다.") {
		t.Errorf("the same day twice: %d", r.Status)
	}
	log := e.client().get("/moderation/log").Body
	contains(t, "moderation log", log, "공휴일 추가", "2026-11-30 대체 휴무일")

	if r := admin.post("/admin/holidays/2026-11-30/remove", nil); r.Status != http.StatusSeeOther {
		t.Fatalf("remove: %d", r.Status)
	}
	if !e.st.Calendar().IsWorkingDay(monday) {
		t.Error("the removed day is still off")
	}
	if r := admin.post("/admin/holidays/2026-12-25/remove", nil); r.Status != http.StatusNotFound {
		t.Errorf("removing an official holiday: %d, want 404", r.Status)
	}
	if r := admin.post("/admin/holidays/not-a-day/remove", nil); r.Status != http.StatusNotFound {
		t.Errorf("removing a malformed day: %d, want 404", r.Status)
	}
	contains(t, "moderation log", e.client().get("/moderation/log").Body, "공휴일 삭제")
}

// The page warns when the official data ends within a year.
func TestAdminHolidays_CoverageWarning(t *testing.T) {
	e := newEnv(t)
	_, last := workday.Covered()
	e.clock.Add(time.Date(last, 3, 1, 0, 0, 0, 0, time.UTC).Sub(e.clock.Now()))
	admin := e.staff(forum.RoleAdmin, 0, "공휴일 관리자")
	contains(t, "warning", admin.get("/admin/holidays").Body, "공식 공휴일 자료가 "+itoa(last)+"년까지만 있습니다.")
}

// The settings page groups the civil requests' periods with their labels,
// hints and working-day units; a change is refused out of range and
// logged in words when saved.
func TestAdminSettings_RequestPeriods(t *testing.T) {
	e := newEnv(t)
	admin := e.staff(forum.RoleAdmin, 0, "설정 관리자")
	page := admin.get("/admin/settings").Body
	contains(t, "settings page", page, `href="#settings-requests"`, `id="settings-requests"`, "민원 처리기간",
		"질의 민원의 처리기간", "법령 질의 민원의 처리기간", "건의 민원의 처리기간", "고충 민원의 처리기간", "기타 민원의 처리기간",
		"이의신청할 수 있는 기간", "이의신청의 처리기간", "법정 기간은 14근무일입니다.", "현재 값: 7근무일", "입력 범위: 6~250근무일.", "6근무일부터 정할 수 있습니다",
		"현재 값: 90일", "현재 값: 10근무일")
	if strings.Contains(page, "settings.") {
		t.Error("a settings key shows on the page")
	}
	form := settingsForm(e.st.Settings())
	form.Set(forum.SettingRequestDaysPrefix+"inquiry", "251")
	if r := admin.post("/admin/settings", form); r.Status != http.StatusBadRequest || !strings.Contains(r.Body, "6부터 250까지") {
		t.Errorf("251 working days: %d", r.Status)
	}
	form.Set(forum.SettingRequestDaysPrefix+"inquiry", "5") // counted in hours under the Act: not offered
	if r := admin.post("/admin/settings", form); r.Status != http.StatusBadRequest || !strings.Contains(r.Body, "6부터 250까지") {
		t.Errorf("5 working days: %d", r.Status)
	}
	form.Set(forum.SettingRequestDaysPrefix+"inquiry", "10")
	if r := admin.post("/admin/settings", form); r.Status != http.StatusSeeOther {
		t.Fatalf("save: %d %.300s", r.Status, r.Body)
	}
	if got := e.st.Settings().RequestDays.Of(forum.RequestInquiry); got != 10 {
		t.Errorf("inquiry period %d, want 10", got)
	}
	contains(t, "log", e.client().get("/moderation/log").Body, "질의 민원의 처리기간: 7 → 10")
}
