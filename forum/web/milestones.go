package web

import (
	"github.com/e-people/e-people/forum"
	"github.com/gofiber/fiber/v2"
)

// milestoneView is part P's block of the proposal page (issue 18). BASE: part P replaces this file.
type milestoneView struct{}

// milestoneData gathers milestoneView for p. BASE: part P replaces this file.
func (s *Server) milestoneData(c *fiber.Ctx, p *forum.Proposal) (milestoneView, error) {
	return milestoneView{}, nil
}

// milestoneRoutes are part P's routes (issue 18). BASE: part P replaces this file.
func (s *Server) milestoneRoutes() []route { return nil }
