package web

import (
	"strconv"
	"time"

	"github.com/e-people/e-people/forum"
	"github.com/e-people/e-people/forum/workday"
	"github.com/gofiber/fiber/v2"
)

// holidayRow is one day off of a year, as the administrators' calendar
// page lists it.
type holidayRow struct {
	Day     string    // "2027-05-01"
	Date    time.Time // its midnight in Seoul
	Name    string    // in the viewer's language
	NameKO  string
	Weekend bool // a Saturday or a Sunday: no working day is lost
	Extra   bool // added by an administrator: it may be removed
}

type adminHolidaysPage struct {
	base
	Year           int
	PrevYear       int // 0 when the calendar has nothing before Year
	NextYear       int // 0 when it has nothing after
	Days           []holidayRow
	Extra          int // of Days, how many administrators added
	CoveredTo      int // the last year of the official data
	CoverageEnding bool
	Form           formState
}

// adminHolidays renders the calendar of the year the page asks for (this
// year in Korea by default) with the form to add a day.
func (s *Server) adminHolidays(c *fiber.Ctx, status int, year int, form formState) error {
	now := s.cfg.Now().In(workday.Seoul())
	first, last := workday.Covered()
	if year == 0 {
		year = now.Year()
	}
	extra, err := s.store.ExtraHolidays(c.UserContext())
	if err != nil {
		return err
	}
	lo, hi := min(first, now.Year()), max(last, now.Year()+1)
	for _, h := range extra {
		if y, err := strconv.Atoi(h.Day[:4]); err == nil {
			lo, hi = min(lo, y), max(hi, y)
		}
	}
	year = min(max(year, lo), hi)
	lang := s.lang(c)
	p := adminHolidaysPage{base: s.base(c, s.t(c, "holidays.title")), Year: year, CoveredTo: last, Form: form,
		// The official data should reach a year past today: warn when its last day is less than a year away.
		CoverageEnding: time.Date(last, 12, 31, 0, 0, 0, 0, workday.Seoul()).Before(now.AddDate(1, 0, 0))}
	if year > lo {
		p.PrevYear = year - 1
	}
	if year < hi {
		p.NextYear = year + 1
	}
	for _, h := range s.store.Calendar().Holidays(year) {
		d, err := time.ParseInLocation(time.DateOnly, h.Day, workday.Seoul())
		if err != nil {
			continue
		}
		wd := d.Weekday()
		p.Days = append(p.Days, holidayRow{Day: h.Day, Date: d, Name: h.Name(lang), NameKO: h.NameKO, Extra: h.Extra,
			Weekend: wd == time.Saturday || wd == time.Sunday})
		if h.Extra {
			p.Extra++
		}
	}
	return s.page(c, status, "admin_holidays", p)
}

func (s *Server) handleAdminHolidays(c *fiber.Ctx) error {
	year, _ := strconv.Atoi(c.Query("year"))
	return s.adminHolidays(c, fiber.StatusOK, year, formState{})
}

func (s *Server) handleAdminHolidayAdd(c *fiber.Ctx) error {
	in := forum.HolidayInput{Day: c.FormValue("day"), NameKO: c.FormValue("name_ko"), NameEN: c.FormValue("name_en"), NameZH: c.FormValue("name_zh")}
	form := formState{Values: map[string]string{"day": in.Day, "name_ko": in.NameKO, "name_en": in.NameEN, "name_zh": in.NameZH}}
	if err := s.store.AddHoliday(c.UserContext(), currentUser(c), in); err != nil {
		if form.Errors, _ = s.formErrors(c, err); form.Errors == nil {
			return err
		}
		year, _ := strconv.Atoi(c.FormValue("year"))
		return s.adminHolidays(c, fiber.StatusBadRequest, year, form)
	}
	day, _ := workday.ParseDay(in.Day)
	s.flash(c, "flash.holiday_added")
	return c.Redirect("/admin/holidays?year="+day[:4]+"#h-"+day, fiber.StatusSeeOther)
}

func (s *Server) handleAdminHolidayRemove(c *fiber.Ctx) error {
	day := c.Params("day")
	if err := s.store.RemoveHoliday(c.UserContext(), currentUser(c), day); err != nil {
		return err
	}
	s.flash(c, "flash.holiday_removed")
	return c.Redirect("/admin/holidays?year="+day[:4], fiber.StatusSeeOther)
}
