package demo_test

import (
	"context"
	"testing"
	"time"

	"github.com/e-people/e-people/forum"
	"github.com/e-people/e-people/forum/demo"
	"github.com/e-people/e-people/forum/store"
	"github.com/e-people/e-people/moderation"
)

// The demo's accepted proposal carries milestones in each state, so `make
// run` shows a done one with evidence, a delayed one and one ahead.
func TestSeed_Milestones(t *testing.T) {
	ctx := context.Background()
	st := openStore(t)
	if _, err := demo.Seed(ctx, st, moderation.NewRenderer(), demo.Options{Now: time.Now, BenchmarkComments: 50, Hash: cheapHash}); err != nil {
		t.Fatalf("Seed: %v", err)
	}
	page, err := st.ListProposals(ctx, store.ProposalQuery{Status: forum.StatusAnswered, Limit: 50})
	if err != nil {
		t.Fatal(err)
	}
	states := map[forum.MilestoneState]int{}
	for _, p := range page.Proposals {
		ms, err := st.ProposalMilestones(ctx, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range ms {
			states[m.State]++
			if m.Done() && (m.EvidenceURL == "" || m.Evidence.String() == "") {
				t.Errorf("done demo milestone without evidence: %+v", m)
			}
		}
	}
	if states[forum.MilestoneDone] != 1 || states[forum.MilestoneDelayed] != 1 || states[forum.MilestonePlanned] != 1 {
		t.Errorf("demo milestones by state = %v; want one done, one delayed, one planned", states)
	}
}
