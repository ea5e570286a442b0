// Package workday counts working days in Korea for the legal periods of civil requests.
//
// A working day is a day in Korea (Asia/Seoul) that is neither a Saturday, a
// Sunday nor a public holiday. The public holidays come from the embedded
// holidays_kr.tsv, written from the official announcements (see the comments
// at its top for the sources and what is still uncertain); administrators add
// extra days off through New.
package workday

import (
	_ "embed"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// MaxDays is the longest period, in working days, Due and After count; a
// larger n is treated as MaxDays. Legal periods are a few dozen days at most.
const MaxDays = 1000

//go:embed holidays_kr.tsv
var officialTSV string

// official parses the embedded file once; the result is never modified.
var official = sync.OnceValue(func() []Holiday {
	hs, err := parseTSV(officialTSV)
	if err != nil {
		// The file is embedded and checked by TestOfficialFile: a bad
		// line is a build defect, not a runtime condition.
		panic(fmt.Errorf("workday: reading holidays_kr.tsv: %w", err))
	}
	return hs
})

var seoul = sync.OnceValue(func() *time.Location { return loadSeoul(time.LoadLocation) })

// loadSeoul loads Asia/Seoul with load, or returns UTC+9 named KST when load
// fails (no time zone data on the system).
func loadSeoul(load func(string) (*time.Location, error)) *time.Location {
	loc, err := load("Asia/Seoul")
	if err != nil {
		return time.FixedZone("KST", 9*3600)
	}
	return loc
}

// Seoul returns the Asia/Seoul time zone, or a fixed UTC+9 zone named KST
// when the system has no time zone data (Korea has kept UTC+9 without
// daylight saving time since 1988).
func Seoul() *time.Location { return seoul() }

// Holiday is one day off: a public holiday of the official calendar or a day
// an administrator added.
type Holiday struct {
	Day    string // "2026-09-24", the day in Korea
	NameKO string
	NameEN string
	NameZH string
	Extra  bool // added by an administrator, not from the official calendar
}

// Name returns the holiday's name in lang ("ko", "en", "zh"), falling back
// to Korean when that name is empty or the language unknown.
func (h Holiday) Name(lang string) string {
	switch lang {
	case "en":
		if h.NameEN != "" {
			return h.NameEN
		}
	case "zh":
		if h.NameZH != "" {
			return h.NameZH
		}
	}
	return h.NameKO
}

// Official returns the public holidays of the embedded data file, oldest
// first. The slice is a copy the caller may change.
func Official() []Holiday { return slices.Clone(official()) }

// Covered returns the first and last year the official data covers.
func Covered() (first, last int) {
	hs := official()
	first, _ = strconv.Atoi(hs[0].Day[:4])
	last, _ = strconv.Atoi(hs[len(hs)-1].Day[:4])
	return first, last
}

// ParseDay parses a day written "YYYY-MM-DD" and returns it in canonical
// form, or an error naming the text when it is not a real calendar day.
func ParseDay(s string) (string, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return "", fmt.Errorf("parsing day %q: %w", s, err)
	}
	return t.Format(time.DateOnly), nil
}

// parseTSV reads the data file's lines (day, three names, basis); it keeps
// the order of the file.
func parseTSV(text string) ([]Holiday, error) {
	var hs []Holiday
	for i, line := range strings.Split(text, "\n") {
		line = strings.TrimRight(line, "\r")
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Split(line, "\t")
		if len(f) != 5 {
			return nil, fmt.Errorf("reading line %d: want 5 tab-separated fields, have %d", i+1, len(f))
		}
		day, err := ParseDay(f[0])
		if err != nil || day != f[0] {
			return nil, fmt.Errorf("reading line %d: day %q is not YYYY-MM-DD", i+1, f[0])
		}
		for j, v := range f[1:] {
			if strings.TrimSpace(v) == "" {
				return nil, fmt.Errorf("reading line %d: field %d is empty", i+1, j+2)
			}
		}
		hs = append(hs, Holiday{Day: day, NameKO: f[1], NameEN: f[2], NameZH: f[3]})
	}
	if len(hs) == 0 {
		return nil, fmt.Errorf("reading holidays: no holiday lines")
	}
	return hs, nil
}

// day is a civil day in Korea, counted from 1970-01-01.
type day int64

// dayOf returns t's day in Korea.
func dayOf(t time.Time) day {
	y, m, d := t.In(Seoul()).Date()
	return civil(y, m, d)
}

func civil(y int, m time.Month, d int) day {
	return day(time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400)
}

func (d day) date() time.Time { return time.Unix(int64(d)*86400, 0).UTC() }

func (d day) String() string { return d.date().Format(time.DateOnly) }

func (d day) weekend() bool {
	wd := d.date().Weekday()
	return wd == time.Saturday || wd == time.Sunday
}

// end returns the last instant of the day in Korea, 23:59:59 KST.
func (d day) end() time.Time {
	y, m, dd := d.date().Date()
	return time.Date(y, m, dd, 23, 59, 59, 0, Seoul())
}

// Calendar is the official holidays plus extra days. Safe for concurrent
// use; immutable after New.
type Calendar struct {
	byDay map[day]Holiday
	// offWeekdays holds, sorted, the holidays that fall on a weekday: the
	// days Between takes away from the count of weekdays.
	offWeekdays []day
}

// New returns the calendar of the official holidays and extra. An extra day
// on a day the official calendar already has is ignored (the official name
// stays); extra days whose Day does not parse are skipped, so the store
// validates them with ParseDay before saving.
func New(extra []Holiday) *Calendar {
	c := &Calendar{byDay: make(map[day]Holiday)}
	add := func(h Holiday, isExtra bool) {
		t, err := time.Parse(time.DateOnly, strings.TrimSpace(h.Day))
		if err != nil {
			return
		}
		d, s := civil(t.Date()), t.Format(time.DateOnly)
		if _, ok := c.byDay[d]; ok {
			return
		}
		h.Day, h.Extra = s, isExtra
		c.byDay[d] = h
		if !d.weekend() {
			c.offWeekdays = append(c.offWeekdays, d)
		}
	}
	for _, h := range official() {
		add(h, false)
	}
	for _, h := range extra {
		add(h, true)
	}
	slices.Sort(c.offWeekdays)
	return c
}

func (c *Calendar) working(d day) bool {
	if d.weekend() {
		return false
	}
	_, off := c.byDay[d]
	return !off
}

// IsWorkingDay reports whether t's day in Korea is neither a Saturday, a
// Sunday nor a holiday.
func (c *Calendar) IsWorkingDay(t time.Time) bool { return c.working(dayOf(t)) }

// Holiday returns the holiday on t's day in Korea, if there is one.
func (c *Calendar) Holiday(t time.Time) (Holiday, bool) {
	h, ok := c.byDay[dayOf(t)]
	return h, ok
}

// Holidays returns the official and extra holidays in year, by day.
func (c *Calendar) Holidays(year int) []Holiday {
	var hs []Holiday
	prefix := fmt.Sprintf("%04d-", year)
	for _, h := range c.byDay {
		if strings.HasPrefix(h.Day, prefix) {
			hs = append(hs, h)
		}
	}
	slices.SortFunc(hs, func(a, b Holiday) int { return strings.Compare(a.Day, b.Day) })
	return hs
}

// nth returns the n-th working day counting from d itself (d counts when it
// is a working day). n is clamped to [1, MaxDays]; the loop ends because
// beyond the last holiday every weekday is a working day.
func (c *Calendar) nth(d day, n int) day {
	n = min(max(n, 1), MaxDays)
	for {
		if c.working(d) {
			n--
			if n == 0 {
				return d
			}
		}
		d++
	}
}

// Due returns the end of the period of n working days that starts on
// start's day, as the Civil Petitions Act art. 19(2) counts it: the first
// day counts when it is a working day, Saturdays, Sundays and holidays do
// not; the result is the last instant of the n-th working day in Korea
// (23:59:59 KST). n below 1 counts as 1, above MaxDays as MaxDays.
//
// Art. 19(2) is the rule for periods of 6 days or more. Periods of 5 days or
// less run in working hours from the time of filing (art. 19(1), 8 hours a
// day); Due does not count hours, so such a period comes out as whole days.
func (c *Calendar) Due(start time.Time, n int) time.Time {
	return c.nth(dayOf(start), n).end()
}

// After returns the last instant of the n-th working day strictly after t's
// day (n >= 1, clamped like Due); used when a stopped clock restarts or a
// period is extended.
func (c *Calendar) After(t time.Time, n int) time.Time {
	return c.nth(dayOf(t)+1, n).end()
}

// Between returns the working days in (a's day, b's day]: 0 when b's day is
// not after a's day. It counts weekdays arithmetically and takes off the
// holidays on weekdays by binary search, so any span costs the same.
func (c *Calendar) Between(a, b time.Time) int {
	from, to := dayOf(a), dayOf(b)
	if to <= from {
		return 0
	}
	n := weekdaysUpTo(to) - weekdaysUpTo(from)
	lo, _ := slices.BinarySearch(c.offWeekdays, from+1)
	hi, _ := slices.BinarySearch(c.offWeekdays, to+1)
	return int(n) - (hi - lo)
}

// weekdaysUpTo counts the Mondays to Fridays from Monday 1970-01-05 (day 4)
// through d, negative before it: only differences of it are meaningful.
func weekdaysUpTo(d day) int64 {
	x := int64(d) - 4 // days since a Monday; may be negative
	weeks := floorDiv(x, 7)
	rest := x - weeks*7 // 0 (Monday) .. 6 (Sunday)
	return weeks*5 + min(rest+1, 5)
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

// Remaining returns the working days left from now's day (not counted) to
// due's day (counted); 0 when due's day is today or past.
func (c *Calendar) Remaining(now, due time.Time) int { return c.Between(now, due) }
