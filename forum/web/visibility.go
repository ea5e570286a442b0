package web

import (
	"github.com/e-people/e-people/forum"
	"github.com/gofiber/fiber/v2"
)

// Every handler that reads one proposal or comment loads it through these
// (the co-sponsor link, which first checks its token, asks the same rule
// itself), so the one visibility rule (forum.Visibility) answers for every
// page: an
// item the viewer may not know of is a 404, one the viewer may only know of
// is drawn as the withheld notice, and only a Seen item reaches a template.

// proposalFor loads proposal id with how much of it the viewer may see; an
// Unseen proposal is forum.ErrNotFound.
func (s *Server) proposalFor(c *fiber.Ctx, id int64) (*forum.Proposal, forum.Visibility, error) {
	p, err := s.store.Proposal(c.UserContext(), id)
	if err != nil {
		return nil, forum.Unseen, err
	}
	v := p.VisibilityTo(currentUser(c))
	if v == forum.Unseen {
		return nil, v, forum.ErrNotFound
	}
	return p, v, nil
}

// commentFor loads comment id with how much of it the viewer may see, its
// thread's visibility included; an Unseen comment is forum.ErrNotFound.
func (s *Server) commentFor(c *fiber.Ctx, id int64) (*forum.Comment, forum.Visibility, error) {
	cm, err := s.store.Comment(c.UserContext(), id)
	if err != nil {
		return nil, forum.Unseen, err
	}
	u := currentUser(c)
	thread := forum.Seen
	if cm.ProposalID != 0 {
		p, err := s.store.Proposal(c.UserContext(), cm.ProposalID)
		if err != nil {
			return nil, forum.Unseen, err
		}
		thread = p.VisibilityTo(u)
	} else {
		d, err := s.store.Debate(c.UserContext(), cm.DebateID)
		if err != nil {
			return nil, forum.Unseen, err
		}
		thread = forum.DebateVisibility(d, u)
	}
	v := cm.VisibilityTo(u, thread)
	if v == forum.Unseen {
		return nil, v, forum.ErrNotFound
	}
	return cm, v, nil
}

type hiddenPage struct {
	base
	State  forum.ModState
	Reason string
}

// withheldPage draws the notice of a proposal the viewer may know of but not
// read: its moderation state and public reason, never its title or text.
func (s *Server) withheldPage(c *fiber.Ctx, p *forum.Proposal) error {
	return s.page(c, fiber.StatusOK, "hidden", hiddenPage{base: s.base(c, s.t(c, "hidden.proposal_title")), State: p.ModState, Reason: p.ModReason})
}
