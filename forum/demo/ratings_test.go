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

// TestSeed_Ratings checks what the demo shows of supporters' ratings of
// answers: the answered proposal rated, with objections short of the
// setting, and one proposal sent back for a second answer.
func TestSeed_Ratings(t *testing.T) {
	ctx := context.Background()
	st := openStore(t)
	if _, err := demo.Seed(ctx, st, moderation.NewRenderer(), demo.Options{Now: time.Now, BenchmarkComments: 50, Hash: cheapHash}); err != nil {
		t.Fatal(err)
	}
	answered, err := st.ListProposals(ctx, store.ProposalQuery{Status: forum.StatusAnswered, Sort: store.SortSupported, Limit: 1})
	if err != nil || len(answered.Proposals) != 1 {
		t.Fatalf("answered proposals: %v", err)
	}
	scores, err := st.AnswerScores(ctx, answered.Proposals[0].ID)
	if err != nil || len(scores) != 1 || scores[0].Ratings < 5 || scores[0].Objections != demo.DemoAnswerObjections-1 {
		t.Errorf("the answered proposal's scores = %+v, %v", scores, err)
	}
	awaiting, err := st.ListProposals(ctx, store.ProposalQuery{Status: forum.StatusAwaiting, Limit: 20})
	if err != nil {
		t.Fatal(err)
	}
	returned := 0
	for _, p := range awaiting.Proposals {
		if p.AnswerRound == 2 && !p.ReopenedAt.IsZero() {
			returned++
		}
	}
	if returned != 1 {
		t.Errorf("%d proposals sent back for a second answer, want 1", returned)
	}
}
