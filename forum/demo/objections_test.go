package demo_test

import (
	"context"
	"testing"

	"github.com/e-people/e-people/forum"
	"github.com/e-people/e-people/forum/demo"
	"github.com/e-people/e-people/forum/store"
	"github.com/e-people/e-people/moderation"
)

// TestSeed_Objections: the demo's open proposals with an argument against
// have supporters who read the strongest objection first, so `make run`
// shows the figure and the support step.
func TestSeed_Objections(t *testing.T) {
	ctx := context.Background()
	st := openStore(t)
	if _, err := demo.Seed(ctx, st, moderation.NewRenderer(), demo.Options{BenchmarkComments: 50, Hash: cheapHash}); err != nil {
		t.Fatalf("Seed: %v", err)
	}
	page, err := st.ListProposals(ctx, store.ProposalQuery{Status: forum.StatusOpen, Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	withObjection, marked := 0, 0
	for _, p := range page.Proposals {
		flat, err := st.Comments(ctx, forum.ProposalSubject(p.ID))
		if err != nil {
			t.Fatal(err)
		}
		seen, err := st.SupportsAfterObjection(ctx, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		objection := forum.StrongestArguments(flat).Objection()
		if objection {
			withObjection++
		}
		if seen[p.ID] > 0 {
			marked++
			if !objection {
				t.Errorf("proposal %q has %d supports after an objection it does not have", p.Title, seen[p.ID])
			}
		}
	}
	if withObjection == 0 || marked == 0 {
		t.Errorf("%d open proposals with an objection, %d with supports after it; want some of each", withObjection, marked)
	}
}
