package web

import (
	"github.com/e-people/e-people/forum"
	"github.com/gofiber/fiber/v2"
)

// shareView is part S's block of the proposal page (issue 18). BASE: part S replaces this file.
type shareView struct{}

// shareData gathers shareView for p. BASE: part S replaces this file.
func (s *Server) shareData(c *fiber.Ctx, p *forum.Proposal) (shareView, error) {
	return shareView{}, nil
}

// shareRoutes are part S's routes (issue 18). BASE: part S replaces this file.
func (s *Server) shareRoutes() []route { return nil }
