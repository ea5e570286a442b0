package forum

import (
	"strings"
	"unicode/utf8"

	"github.com/e-people/e-people/forum/workday"
)

// Actions and item of the public moderation log for the days off
// administrators add to the official calendar (store.AddHoliday).
const (
	ActHolidayAdded   = "holiday_added"
	ActHolidayRemoved = "holiday_removed"
	// ItemHoliday is a day off an administrator added; its log row's item
	// id is the day as a number (20270501) and its after (or before)
	// state is "2027-05-01 name".
	ItemHoliday ItemKind = "holiday"
)

// HolidayNameMax is the longest name of an added day off, in characters.
const HolidayNameMax = 60

// HolidayInput is a day off an administrator adds: the day (YYYY-MM-DD)
// and its name, in Korean (required) and, when given, English and Chinese.
type HolidayInput struct {
	Day                    string
	NameKO, NameEN, NameZH string
}

// Validate checks the day is a calendar day not already a public holiday
// and the names fit, reporting every problem at once; it returns the
// input with the day in canonical form and the names trimmed.
func (in HolidayInput) Validate() (HolidayInput, error) {
	var errs ValidationErrors
	in.NameKO, in.NameEN, in.NameZH = strings.TrimSpace(in.NameKO), strings.TrimSpace(in.NameEN), strings.TrimSpace(in.NameZH)
	day, err := workday.ParseDay(strings.TrimSpace(in.Day))
	switch {
	case strings.TrimSpace(in.Day) == "":
		errs = append(errs, Invalid("day", "err.holiday_day_required"))
	case err != nil:
		errs = append(errs, Invalid("day", "err.holiday_day"))
	default:
		in.Day = day
		for _, h := range workday.Official() {
			if h.Day == day {
				errs = append(errs, Invalid("day", "err.holiday_official", day))
				break
			}
		}
	}
	if in.NameKO == "" {
		errs = append(errs, Invalid("name_ko", "err.holiday_name_required"))
	}
	for _, f := range []struct{ field, v string }{{"name_ko", in.NameKO}, {"name_en", in.NameEN}, {"name_zh", in.NameZH}} {
		if utf8.RuneCountInString(f.v) > HolidayNameMax {
			errs = append(errs, Invalid(f.field, "err.holiday_name_long", HolidayNameMax))
		}
	}
	if errs != nil {
		return in, errs
	}
	return in, nil
}
