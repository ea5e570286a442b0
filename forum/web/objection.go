package web

import (
	"github.com/e-people/e-people/forum"
	"github.com/gofiber/fiber/v2"
)

// objectionView is part O's block of the proposal page (issue 18). BASE: part O replaces this file.
type objectionView struct{}

// objectionData gathers objectionView for p. BASE: part O replaces this file.
func (s *Server) objectionData(c *fiber.Ctx, p *forum.Proposal) (objectionView, error) {
	return objectionView{}, nil
}

// objectionRoutes are part O's routes (issue 18). BASE: part O replaces this file.
func (s *Server) objectionRoutes() []route { return nil }
