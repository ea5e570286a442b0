package web

import (
	"github.com/e-people/e-people/forum"
	"github.com/gofiber/fiber/v2"
)

// mergeView is part M's block of the proposal page (issue 18). BASE: part M replaces this file.
type mergeView struct{}

// mergeData gathers mergeView for p. BASE: part M replaces this file.
func (s *Server) mergeData(c *fiber.Ctx, p *forum.Proposal) (mergeView, error) {
	return mergeView{}, nil
}

// mergeRoutes are part M's routes (issue 18). BASE: part M replaces this file.
func (s *Server) mergeRoutes() []route { return nil }
