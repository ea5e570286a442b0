package demo

import (
	"context"

	"github.com/e-people/e-people/forum"
	"github.com/e-people/e-people/forum/store"
)

// objectionSupporters is how many more citizens support each open demo
// proposal with an argument against it after reading the strongest one,
// so that its page says how many did ("이 중 N명은 …").
const objectionSupporters = 3

// seedObjections gives the open proposals that have an argument against
// them supporters who read the strongest objection first (issue 18). A
// demo citizen who has not supported such a proposal yet meets the support
// step on its page. The supports stay under the demo's support goal, so
// no proposal changes state here.
func (s *seeder) seedObjections(ctx context.Context) error {
	q := store.ProposalQuery{Status: forum.StatusOpen, Limit: 100}
	for {
		page, err := s.st.ListProposals(ctx, q)
		if err != nil {
			return err
		}
		for _, p := range page.Proposals {
			if err := s.supportAfterObjection(ctx, p); err != nil {
				return err
			}
		}
		if page.Next == "" {
			return nil
		}
		q.Cursor = page.Next
	}
}

// supportAfterObjection has up to objectionSupporters citizens who do not
// support p yet support it as confirmed after its strongest objection.
func (s *seeder) supportAfterObjection(ctx context.Context, p *forum.Proposal) error {
	if !p.Status.TakesSupport() || !p.Status.InSupportWindow() {
		return nil
	}
	flat, err := s.st.Comments(ctx, forum.ProposalSubject(p.ID))
	if err != nil {
		return err
	}
	if !forum.StrongestArguments(flat).Objection() {
		return nil
	}
	added := 0
	for _, u := range s.pickCitizens(len(s.citizens), p.AuthorID) {
		if added == objectionSupporters || p.Supports+added+1 >= DemoSupportThreshold {
			break
		}
		v, err := s.st.ViewerState(ctx, p.ID, u.ID)
		if err != nil {
			return err
		}
		if v.Supported {
			continue
		}
		if _, err := s.st.SupportAfterObjection(ctx, p.ID, u.ID, nil); err != nil {
			return err
		}
		added++
		s.res.Supports++
	}
	return nil
}
