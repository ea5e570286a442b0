package web

import (
	"github.com/e-people/e-people/forum"
	"github.com/gofiber/fiber/v2"
)

// ratingView is part A's block of the proposal page (issue 18). BASE: part A replaces this file.
type ratingView struct{}

// ratingData gathers ratingView for p. BASE: part A replaces this file.
func (s *Server) ratingData(c *fiber.Ctx, p *forum.Proposal) (ratingView, error) {
	return ratingView{}, nil
}

// ratingRoutes are part A's routes (issue 18). BASE: part A replaces this file.
func (s *Server) ratingRoutes() []route { return nil }
