package web

import (
	"time"

	"github.com/gofiber/fiber/v2"
)

// daysBetween counts the calendar days in Seoul from a's date to b's date:
// 0 on the same KST day, 2 from any time on 1 December to any time on
// 3 December; 0 when b's day is not after a's. Clocks that count days
// ("30일 남았습니다", "답변 기한이 2일 지났습니다") count them this way, so they
// agree with the due date the page shows next to them, which is a day: a
// proposal due on 1 December and read on 3 December is 2 days overdue,
// whatever the hour.
func daysBetween(a, b time.Time) int {
	ay, am, ad := a.In(seoul).Date()
	by, bm, bd := b.In(seoul).Date()
	n := int(time.Date(by, bm, bd, 0, 0, 0, 0, time.UTC).Sub(time.Date(ay, am, ad, 0, 0, 0, 0, time.UTC)) / (24 * time.Hour))
	return max(n, 0)
}

// timeLeft says how long is left until end, for a clock that runs out at an
// hour: "3일 남음" while a day or more is left (in calendar days, as
// daysBetween counts them), then "마감 2시간 전", then "마감 5분 전"; ""
// once end has passed.
func (s *Server) timeLeft(c *fiber.Ctx, now, end time.Time) string {
	left := end.Sub(now)
	switch {
	case left <= 0:
		return ""
	case left >= 24*time.Hour:
		return s.t(c, "left.days", daysBetween(now, end))
	case left >= time.Hour:
		return s.t(c, "left.hours", int(left/time.Hour))
	}
	return s.t(c, "left.minutes", max(int(left/time.Minute), 1))
}
