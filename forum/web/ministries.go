package web

import "github.com/gofiber/fiber/v2"

// ministryRoutes serves the ministries' public pages, the officials' inbox and the admins' ministry tools.
func (s *Server) ministryRoutes(a *fiber.App) {}
