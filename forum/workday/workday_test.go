package workday

import (
	"errors"
	"os"
	"strings"
	"testing"
	"time"
)

// kst returns the instant of a wall-clock time in Korea.
func kst(y int, m time.Month, d, hh, mm int) time.Time {
	return time.Date(y, m, d, hh, mm, 0, 0, Seoul())
}

// dueDay formats a result of Due/After as its day in Korea, after checking
// it is the day's last instant (23:59:59 KST).
func dueDay(t *testing.T, got time.Time) string {
	t.Helper()
	k := got.In(Seoul())
	if h, m, s := k.Clock(); h != 23 || m != 59 || s != 59 {
		t.Errorf("due %v is not 23:59:59 KST", k)
	}
	return k.Format(time.DateOnly)
}

func TestDue(t *testing.T) {
	c := New(nil)
	cases := []struct {
		name  string
		start time.Time
		n     int
		want  string
	}{
		// Filed Friday 2026-02-13; 설날 2/16-2/18 (Mon-Wed): 13(1), 19(2), 20(3), 23(4), 24(5), 25(6), 26(7).
		{"across 설날 2026", kst(2026, 2, 13, 10, 0), 7, "2026-02-26"},
		// Filed on 설날 itself: the first working day is 2/19.
		{"filed on a holiday (설날 2026)", kst(2026, 2, 17, 9, 0), 1, "2026-02-19"},
		// Filed Tuesday 2026-09-22: 22(1), 23(2), 추석 24-26, Sat 26, Sun 27, 28(3), 29(4), 30(5),
		// 10/1(6), 10/2(7), 10/3 Sat 개천절, Sun, 10/5 substitute, 10/6(8), 10/7(9).
		{"across 추석 2026 and 개천절's substitute", kst(2026, 9, 22, 15, 0), 9, "2026-10-07"},
		// 14 days: ... 10/7(9), 10/8(10), 10/9 한글날 off, 10/12(11), 13(12), 14(13), 15(14).
		{"14 days across 추석 and 한글날 2026", kst(2026, 9, 22, 15, 0), 14, "2026-10-15"},
		// 삼일절 2026 is a Sunday; its substitute 3/2 (Mon) is off: Fri 2/27(1), 3/3(2).
		{"substitute 2026-03-02", kst(2026, 2, 27, 11, 0), 2, "2026-03-03"},
		// 설날 2027 is 2/6-2/8 (Sat-Mon) with the substitute 2/9: Fri 2/5(1), 2/10(2).
		{"substitute 2027-02-09", kst(2027, 2, 5, 11, 0), 2, "2027-02-10"},
		// Filed on Saturday 2026-03-07: the first day does not count; Mon 3/9(1) .. Tue 3/17(7).
		{"filed on a Saturday", kst(2026, 3, 7, 14, 0), 7, "2026-03-17"},
		// 23:59 KST on Friday 2026-03-06 is that Friday in Korea: it counts.
		{"23:59 KST counts the day", kst(2026, 3, 6, 23, 59), 1, "2026-03-06"},
		// 00:01 KST on Saturday 2026-03-07 is 15:01 UTC on Friday: Korea's day is Saturday.
		{"00:01 KST is the next Korean day", time.Date(2026, 3, 6, 15, 1, 0, 0, time.UTC), 1, "2026-03-09"},
		{"n below 1 counts as 1", kst(2026, 3, 6, 9, 0), 0, "2026-03-06"},
		// 2025-06-03 presidential election (Tue) and 6/6 현충일 (Fri): Mon 6/2(1), 6/4(2), 6/5(3), 6/9(4).
		{"election day 2025", kst(2025, 6, 2, 9, 0), 4, "2025-06-09"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := dueDay(t, c.Due(tc.start, tc.n)); got != tc.want {
				t.Errorf("Due(%v, %d) = %s, want %s", tc.start, tc.n, got, tc.want)
			}
		})
	}
}

func TestAfter(t *testing.T) {
	c := New(nil)
	cases := []struct {
		name string
		at   time.Time
		n    int
		want string
	}{
		// Working day itself never counts: Mon 2026-02-09 + 1 = Tue 2/10.
		{"next working day", kst(2026, 2, 9, 10, 0), 1, "2026-02-10"},
		// From Friday 2026-02-13 the next working day is after 설날: Thu 2/19.
		{"over 설날", kst(2026, 2, 13, 10, 0), 1, "2026-02-19"},
		// Extension of 10 days from Fri 2026-09-18: 21, 22, 23, 28, 29, 30, 10/1, 10/2, 10/6, 10/7.
		{"over 추석 and 10/5", kst(2026, 9, 18, 18, 0), 10, "2026-10-07"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := dueDay(t, c.After(tc.at, tc.n)); got != tc.want {
				t.Errorf("After(%v, %d) = %s, want %s", tc.at, tc.n, got, tc.want)
			}
		})
	}
}

func TestIsWorkingDayAndHoliday(t *testing.T) {
	c := New(nil)
	cases := []struct {
		at      time.Time
		working bool
		name    string // Korean holiday name, "" when none
	}{
		{kst(2026, 2, 16, 12, 0), false, "설날 전날"},
		{kst(2026, 2, 19, 12, 0), true, ""},
		{kst(2026, 3, 1, 12, 0), false, "삼일절"},
		{kst(2026, 3, 2, 12, 0), false, "대체공휴일(삼일절)"},
		{kst(2026, 3, 7, 12, 0), false, ""}, // Saturday
		{kst(2026, 6, 3, 12, 0), false, "제9회 전국동시지방선거일"},
		{kst(2026, 7, 17, 12, 0), false, "제헌절"},
		{kst(2026, 10, 5, 12, 0), false, "대체공휴일(개천절)"},
		{kst(2027, 2, 9, 12, 0), false, "대체공휴일(설날)"},
		{kst(2025, 1, 27, 12, 0), false, "임시공휴일"},
		{kst(2028, 1, 29, 12, 0), false, ""}, // Saturday after 설날 2028: no substitute for a Saturday
		{kst(2028, 1, 31, 12, 0), true, ""},
		// 2026-10-04 20:00 UTC is Monday 10/5 05:00 in Korea: the substitute holiday.
		{time.Date(2026, 10, 4, 20, 0, 0, 0, time.UTC), false, "대체공휴일(개천절)"},
	}
	for _, tc := range cases {
		if got := c.IsWorkingDay(tc.at); got != tc.working {
			t.Errorf("IsWorkingDay(%v) = %v, want %v", tc.at, got, tc.working)
		}
		h, ok := c.Holiday(tc.at)
		if ok != (tc.name != "") || h.NameKO != tc.name {
			t.Errorf("Holiday(%v) = %q, %v; want %q", tc.at, h.NameKO, ok, tc.name)
		}
	}
}

func TestHolidayName(t *testing.T) {
	c := New(nil)
	h, ok := c.Holiday(kst(2026, 9, 25, 12, 0))
	if !ok {
		t.Fatal("2026-09-25 is not a holiday")
	}
	for lang, want := range map[string]string{"ko": "추석", "en": "Chuseok", "zh": "中秋節", "fr": "추석", "": "추석"} {
		if got := h.Name(lang); got != want {
			t.Errorf("Name(%q) = %q, want %q", lang, got, want)
		}
	}
	if got := (Holiday{Day: "2026-12-31", NameKO: "임시공휴일"}).Name("en"); got != "임시공휴일" {
		t.Errorf("an extra day without an English name: Name(en) = %q, want the Korean name", got)
	}
}

func TestExtraDays(t *testing.T) {
	base := New(nil)
	extra := []Holiday{
		{Day: "2026-03-04", NameKO: "임시공휴일", NameEN: "Temporary holiday", NameZH: "臨時公休日"},
		{Day: "2026-09-25", NameKO: "중복", NameEN: "Duplicate"}, // already 추석: the official name stays
		{Day: "2026-13-01", NameKO: "잘못된 날"},                   // not a day: skipped
	}
	c := New(extra)
	start := kst(2026, 3, 3, 9, 0) // Tuesday
	if got := dueDay(t, base.Due(start, 2)); got != "2026-03-04" {
		t.Errorf("without the extra day Due = %s, want 2026-03-04", got)
	}
	if got := dueDay(t, c.Due(start, 2)); got != "2026-03-05" {
		t.Errorf("with the extra day Due = %s, want 2026-03-05", got)
	}
	h, ok := c.Holiday(kst(2026, 3, 4, 9, 0))
	if !ok || !h.Extra || h.Name("zh") != "臨時公休日" {
		t.Errorf("Holiday(2026-03-04) = %+v, %v; want the extra day", h, ok)
	}
	h, _ = c.Holiday(kst(2026, 9, 25, 9, 0))
	if h.Extra || h.NameKO != "추석" {
		t.Errorf("an extra day on an official holiday replaced it: %+v", h)
	}
	if got, want := len(c.Holidays(2026)), len(base.Holidays(2026))+1; got != want {
		t.Errorf("Holidays(2026) has %d days, want %d", got, want)
	}
	if base.Between(kst(2026, 3, 1, 0, 0), kst(2026, 3, 31, 0, 0))-c.Between(kst(2026, 3, 1, 0, 0), kst(2026, 3, 31, 0, 0)) != 1 {
		t.Error("Between does not take the extra day off")
	}
}

func TestHolidays(t *testing.T) {
	c := New(nil)
	hs := c.Holidays(2026)
	var days []string
	for _, h := range hs {
		days = append(days, h.Day)
	}
	want := "2026-01-01 2026-02-16 2026-02-17 2026-02-18 2026-03-01 2026-03-02 2026-05-05 2026-05-24 2026-05-25 " +
		"2026-06-03 2026-06-06 2026-07-17 2026-08-15 2026-08-17 2026-09-24 2026-09-25 2026-09-26 2026-10-03 " +
		"2026-10-05 2026-10-09 2026-12-25"
	if got := strings.Join(days, " "); got != want {
		t.Errorf("Holidays(2026) =\n%s\nwant\n%s", got, want)
	}
	if len(c.Holidays(1999)) != 0 {
		t.Error("Holidays(1999) is not empty")
	}
}

func TestBetweenRemaining(t *testing.T) {
	c := New(nil)
	cases := []struct {
		a, b time.Time
		want int
	}{
		{kst(2026, 2, 13, 9, 0), kst(2026, 2, 26, 9, 0), 6}, // 19, 20, 23, 24, 25, 26
		{kst(2026, 2, 26, 9, 0), kst(2026, 2, 13, 9, 0), 0}, // reversed
		{kst(2026, 2, 13, 9, 0), kst(2026, 2, 13, 23, 0), 0},
		{kst(2026, 9, 23, 9, 0), kst(2026, 10, 6, 9, 0), 6}, // 28, 29, 30, 10/1, 10/2, 10/6
		{kst(2026, 3, 6, 9, 0), kst(2026, 3, 9, 0, 30), 1},  // Fri -> Mon
		// 2026 has 261 weekdays; 15 holidays fall on weekdays: 246 working days.
		{kst(2025, 12, 31, 12, 0), kst(2026, 12, 31, 12, 0), 246},
	}
	for _, tc := range cases {
		if got := c.Between(tc.a, tc.b); got != tc.want {
			t.Errorf("Between(%v, %v) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
	}
	due := c.Due(kst(2026, 9, 22, 10, 0), 9) // 2026-10-07
	for _, r := range []struct {
		now  time.Time
		want int
	}{
		{kst(2026, 9, 22, 10, 0), 8},
		{kst(2026, 10, 2, 10, 0), 2}, // 10/6, 10/7
		{kst(2026, 10, 7, 8, 0), 0},  // due today
		{kst(2026, 10, 8, 8, 0), 0},  // past
	} {
		if got := c.Remaining(r.now, due); got != r.want {
			t.Errorf("Remaining(%v, due 10/7) = %d, want %d", r.now, got, r.want)
		}
	}
}

// TestBetweenMatchesCounting compares the constant-time Between with a
// day-by-day count over every pair of days in 2025-2030 at a stride.
func TestBetweenMatchesCounting(t *testing.T) {
	c := New([]Holiday{{Day: "2027-04-07", NameKO: "추가"}})
	first := kst(2024, 12, 20, 12, 0)
	for i := 0; i < 2300; i += 13 {
		a := first.AddDate(0, 0, i)
		for j := -20; j < 400; j += 7 {
			b := a.AddDate(0, 0, j)
			want := 0
			for d := a.AddDate(0, 0, 1); !d.After(b); d = d.AddDate(0, 0, 1) {
				if c.IsWorkingDay(d) {
					want++
				}
			}
			if got := c.Between(a, b); got != want {
				t.Fatalf("Between(%s, %s) = %d, counted %d", a.Format(time.DateOnly), b.Format(time.DateOnly), got, want)
			}
		}
	}
}

// checkDue asserts the properties of Due and After for one start and n.
func checkDue(t *testing.T, c *Calendar, start time.Time, n int) {
	t.Helper()
	due := c.Due(start, n)
	if !c.IsWorkingDay(due) {
		t.Fatalf("Due(%v, %d) = %v is not a working day", start, n, due)
	}
	// Exactly n working days in [start's day, due's day]: Between counts
	// (start's day, due's day], so add start's day when it works.
	got := c.Between(start, due)
	if c.IsWorkingDay(start) {
		got++
	}
	if got != n {
		t.Fatalf("Due(%v, %d) = %v spans %d working days", start, n, due, got)
	}
	after := c.After(start, n)
	if c.Between(start, after) != n || !c.IsWorkingDay(after) {
		t.Fatalf("After(%v, %d) = %v: %d working days after start", start, n, after, c.Between(start, after))
	}
	if c.Remaining(start, after) != n {
		t.Fatalf("Remaining(%v, After(start, %d)) = %d", start, n, c.Remaining(start, after))
	}
	if !due.After(start) {
		t.Fatalf("Due(%v, %d) = %v is not after the start", start, n, due)
	}
}

func TestDueProperties(t *testing.T) {
	c := New(nil)
	origin := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	for h := 0; h < 6*365*24; h += 37 { // every 37 hours through 2025-2030, all times of day
		for _, n := range []int{1, 2, 7, 14, 30} {
			checkDue(t, c, origin.Add(time.Duration(h)*time.Hour), n)
		}
	}
	// Absurd n are clamped, and the loop ends past the data's last year.
	monday := kst(2030, 12, 2, 9, 0)
	far := c.Due(monday, 1<<40)
	if c.Between(monday, far)+1 != MaxDays {
		t.Errorf("Due with a huge n did not stop at MaxDays: %v", far)
	}
}

func FuzzDue(f *testing.F) {
	f.Add(int64(1771200000), 7) // 2026-02-16
	f.Add(int64(1790000000), 14)
	f.Add(int64(0), 1)
	c := New(nil)
	f.Fuzz(func(t *testing.T, unix int64, n int) {
		// Keep to years time.Time handles and periods the law uses.
		unix = unix % (200 * 365 * 86400)
		if n < 1 || n > 400 {
			n = 1 + (n%400+400)%400
		}
		checkDue(t, c, time.Unix(unix, 0), n)
	})
}

func TestCovered(t *testing.T) {
	first, last := Covered()
	if first != 2025 || last < 2030 {
		t.Errorf("Covered() = %d, %d; want 2025 through at least 2030", first, last)
	}
	for y := first; y <= last; y++ {
		if n := len(New(nil).Holidays(y)); n < 15 {
			t.Errorf("year %d has only %d holidays", y, n)
		}
	}
}

// TestOfficialFile checks every line of the data file on its own terms.
func TestOfficialFile(t *testing.T) {
	raw, err := os.ReadFile("holidays_kr.tsv")
	if err != nil {
		t.Fatal(err)
	}
	if string(raw) != officialTSV {
		t.Fatal("the embedded data differs from holidays_kr.tsv")
	}
	prev := ""
	lines := 0
	for i, line := range strings.Split(string(raw), "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		lines++
		f := strings.Split(line, "\t")
		if len(f) != 5 {
			t.Errorf("line %d: %d fields, want 5: %q", i+1, len(f), line)
			continue
		}
		d, err := time.Parse(time.DateOnly, f[0])
		if err != nil || d.Format(time.DateOnly) != f[0] {
			t.Errorf("line %d: bad day %q", i+1, f[0])
			continue
		}
		if f[0] <= prev {
			t.Errorf("line %d: %s is not after %s (sorted, no duplicates)", i+1, f[0], prev)
		}
		prev = f[0]
		for j, lang := range []string{"ko", "en", "zh", "basis"} {
			if strings.TrimSpace(f[j+1]) == "" {
				t.Errorf("line %d: empty %s field", i+1, lang)
			}
		}
		if strings.ContainsAny(f[2], "가나다라마바사아자차카타파하") {
			t.Errorf("line %d: English name %q has Hangul", i+1, f[2])
		}
		if strings.HasPrefix(f[1], "대체공휴일") {
			if wd := d.Weekday(); wd == time.Saturday || wd == time.Sunday {
				t.Errorf("line %d: substitute holiday %s is a %s", i+1, f[0], wd)
			}
			if !strings.Contains(f[2], "Substitute") || !strings.Contains(f[3], "補假") {
				t.Errorf("line %d: substitute day named %q / %q", i+1, f[2], f[3])
			}
			// A substitute day follows its holiday within the week.
			found := false
			for k := 1; k <= 4; k++ {
				if _, ok := New(nil).byDay[dayOf(kst(d.Year(), d.Month(), d.Day()-k, 12, 0))]; ok {
					found = true
				}
			}
			if !found {
				t.Errorf("line %d: substitute %s has no holiday in the four days before it", i+1, f[0])
			}
		}
	}
	if lines != len(Official()) {
		t.Errorf("Official() has %d days, the file %d lines", len(Official()), lines)
	}
	// Every fixed-date holiday of each covered year is present.
	first, last := Covered()
	c := New(nil)
	for y := first; y <= last; y++ {
		for _, md := range [][2]int{{1, 1}, {3, 1}, {5, 5}, {6, 6}, {8, 15}, {10, 3}, {10, 9}, {12, 25}} {
			if _, ok := c.Holiday(kst(y, time.Month(md[0]), md[1], 12, 0)); !ok {
				t.Errorf("%d-%02d-%02d is missing", y, md[0], md[1])
			}
		}
		if y >= 2026 {
			if _, ok := c.Holiday(kst(y, 7, 17, 12, 0)); !ok {
				t.Errorf("제헌절 %d is missing", y)
			}
		}
	}
}

func TestSeoul(t *testing.T) {
	noData := func(string) (*time.Location, error) { return nil, errors.New("unknown time zone Asia/Seoul") }
	for name, loc := range map[string]*time.Location{"Seoul()": Seoul(), "without tzdata": loadSeoul(noData)} {
		if _, off := time.Date(2026, 7, 1, 0, 0, 0, 0, loc).Zone(); off != 9*3600 {
			t.Errorf("%s: offset %d, want 32400", name, off)
		}
	}
	if got := loadSeoul(noData).String(); got != "KST" {
		t.Errorf("fallback zone is named %q, want KST", got)
	}
}

func TestParseDay(t *testing.T) {
	if d, err := ParseDay("2026-09-24"); err != nil || d != "2026-09-24" {
		t.Errorf("ParseDay(2026-09-24) = %q, %v", d, err)
	}
	for _, bad := range []string{"", "2026-02-30", "24/09/2026", "2026-9-24"} {
		if _, err := ParseDay(bad); err == nil {
			t.Errorf("ParseDay(%q) accepted", bad)
		}
	}
}
