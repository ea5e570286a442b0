package web

import "github.com/gofiber/fiber/v2"

// answerRoutes serves official answers, hand-offs between ministries and following.
func (s *Server) answerRoutes(a *fiber.App) {}
