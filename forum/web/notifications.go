package web

import (
	"github.com/e-people/e-people/forum"
	"github.com/gofiber/fiber/v2"
)

type notificationsPage struct {
	base
	Notes []forum.Notification
}

func (s *Server) handleNotifications(c *fiber.Ctx) error {
	notes, err := s.store.Notifications(c.UserContext(), currentUser(c).ID, 100)
	if err != nil {
		return err
	}
	return s.page(c, fiber.StatusOK, "notifications", notificationsPage{base: s.base(c, s.t(c, "notes.title")), Notes: notes})
}

func (s *Server) handleNotificationsRead(c *fiber.Ctx) error {
	if err := s.store.MarkNotificationsRead(c.UserContext(), currentUser(c).ID); err != nil {
		return err
	}
	return c.Redirect("/notifications", fiber.StatusSeeOther)
}
