package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/e-people/e-people/forum"
	"github.com/e-people/e-people/forum/workday"
)

// AddHoliday adds a day off to the working-day calendar for admin: a day
// the official calendar lacks (a temporary holiday announced late, say),
// logged publicly in the moderation log, and the store's calendar is
// refreshed. Due dates already set do not move. A day already added is a
// forum.ValidationError on "day".
func (s *Store) AddHoliday(ctx context.Context, admin *forum.User, in forum.HolidayInput) error {
	if admin == nil || !admin.CanAdminister() {
		return fmt.Errorf("add holiday: %w", forum.ErrForbidden)
	}
	in, err := in.Validate()
	if err != nil {
		return fmt.Errorf("add holiday: %w", err)
	}
	err = s.write(ctx, func(t *tx) error {
		var added int64
		err := t.QueryRowContext(ctx, `INSERT INTO holidays (day, name_ko, name_en, name_zh, added_by, created_at) VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT (day) DO NOTHING RETURNING 1`, in.Day, in.NameKO, in.NameEN, in.NameZH, admin.ID, t.now.Unix()).Scan(&added)
		if err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return forum.Invalid("day", "err.holiday_exists", in.Day)
			}
			return err
		}
		return audit(ctx, t, admin, forum.ActHolidayAdded, forum.ItemHoliday, holidayItem(in.Day), "", "", in.Day+" "+in.NameKO)
	})
	if err != nil {
		return fmt.Errorf("add holiday %s: %w", in.Day, err)
	}
	if err := s.loadCalendar(ctx); err != nil {
		return fmt.Errorf("add holiday %s: reload calendar: %w", in.Day, err)
	}
	return nil
}

// RemoveHoliday takes a day an administrator added off the calendar, for
// admin, logged like AddHoliday; the calendar is refreshed. A day not
// added (an official holiday included) is forum.ErrNotFound.
func (s *Store) RemoveHoliday(ctx context.Context, admin *forum.User, day string) error {
	if admin == nil || !admin.CanAdminister() {
		return fmt.Errorf("remove holiday: %w", forum.ErrForbidden)
	}
	day, err := workday.ParseDay(day)
	if err != nil {
		return fmt.Errorf("remove holiday: %w", forum.ErrNotFound)
	}
	err = s.write(ctx, func(t *tx) error {
		var name string
		err := t.QueryRowContext(ctx, `DELETE FROM holidays WHERE day = ? RETURNING name_ko`, day).Scan(&name)
		if errors.Is(err, sql.ErrNoRows) {
			return forum.ErrNotFound
		}
		if err != nil {
			return err
		}
		return audit(ctx, t, admin, forum.ActHolidayRemoved, forum.ItemHoliday, holidayItem(day), "", day+" "+name, "")
	})
	if err != nil {
		return fmt.Errorf("remove holiday %q: %w", day, err)
	}
	if err := s.loadCalendar(ctx); err != nil {
		return fmt.Errorf("remove holiday %s: reload calendar: %w", day, err)
	}
	return nil
}

// holidayItem is a day as the moderation log's item id: 2027-05-01 is 20270501.
func holidayItem(day string) int64 {
	n, _ := strconv.ParseInt(strings.ReplaceAll(day, "-", ""), 10, 64)
	return n
}
