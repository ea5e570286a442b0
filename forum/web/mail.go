package web

import "github.com/gofiber/fiber/v2"

// mailRoutes serves the mail preferences and the admins' outbox.
func (s *Server) mailRoutes(a *fiber.App) {}
