package web

import (
	"github.com/e-people/e-people/forum"
	"github.com/gofiber/fiber/v2"
)

// editView is part E's block of the proposal page (issue 18). BASE: part E replaces this file.
type editView struct{}

// editData gathers editView for p. BASE: part E replaces this file.
func (s *Server) editData(c *fiber.Ctx, p *forum.Proposal) (editView, error) { return editView{}, nil }

// editRoutes are part E's routes (issue 18). BASE: part E replaces this file.
func (s *Server) editRoutes() []route { return nil }
