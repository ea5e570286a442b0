package web

import (
	"os"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/e-people/e-people/forum"
)

// TestBrowser_AdminHolidays has an administrator find the holidays page
// from the header, add a day off through the form (a refused day first),
// see it in the year's list, and remove it; the page is photographed on a
// phone and on a desktop.
func TestBrowser_AdminHolidays(t *testing.T) {
	e := newEnv(t)
	br := newBrowser(t, e, 120*time.Second)
	admin := e.staff(forum.RoleAdmin, 0, "한관리")
	a := br.tab("admin")
	a.signInStaff(e, admin.user().Email, "staff passphrase 1", "한관리")
	// The calendar is reached from the settings' request periods.
	a.open("/admin/settings")
	a.click(`#settings-requests ~ p a[href="/admin/holidays"]`, 200)
	a.wantText("h1", "공휴일 관리")
	a.wantText("main", "2026년 공휴일", "기독탄신일", "이미 정해진 처리 기한은 바뀌지 않습니다")

	// An official holiday is refused, with the message at the field.
	a.do("type the day", chromedp.SetValue(chromedp.CSS("#f-day"), "2026-12-25"))
	a.typeInto("#f-name_ko", "성탄절 또")
	a.click(`form[action="/admin/holidays"] button[type=submit]`, 400)
	a.wantText(".error-summary", "2026-12-25는 이미 공식 공휴일입니다.")
	a.wantText("#f-day-error", "이미 공식 공휴일입니다")

	a.do("type the day", chromedp.SetValue(chromedp.CSS("#f-day"), "2026-12-31"))
	a.do("name the day", chromedp.SetValue(chromedp.CSS("#f-name_ko"), "연말 임시공휴일"))
	a.typeInto("#f-name_en", "Year-end temporary holiday")
	a.click(`form[action="/admin/holidays"] button[type=submit]`, 200)
	a.wantText(".flash", "쉬는 날을 더했습니다.")
	a.wantText("#h-2026-12-31", "연말 임시공휴일", "관리자가 더한 날", "(목)")
	a.screenshot("admin-holidays-1280", 1280, 900, false)
	a.screenshot("admin-holidays-390", 390, 844, true)
	if _, err := os.Stat(axePath); err == nil {
		a.axeCheck("/admin/holidays", axeSource(t))
	}
	a.viewport(390, 844, true)
	a.open("/admin/holidays")
	a.fontsReady()
	a.checkLayout("/admin/holidays", true)
	a.viewport(1280, 900, false)
	a.open("/admin/holidays")
	if !e.st.Calendar().IsWorkingDay(time.Date(2026, 12, 30, 12, 0, 0, 0, time.UTC)) ||
		e.st.Calendar().IsWorkingDay(time.Date(2026, 12, 31, 3, 0, 0, 0, time.UTC)) {
		t.Error("the calendar does not have the added day")
	}
	a.click(`#h-2026-12-31 form button[type=submit]`, 200)
	a.wantText(".flash", "쉬는 날을 지웠습니다.")
	a.wantCount("#h-2026-12-31", 0)
}
