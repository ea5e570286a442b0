package demo_test

import (
	"context"
	"testing"

	"github.com/e-people/e-people/forum"
	"github.com/e-people/e-people/forum/demo"
	"github.com/e-people/e-people/moderation"
)

// TestSeed_Edits checks that the demo shows issue 18's edits: an edit
// waiting for a moderator, and supporters told of a shown edit.
func TestSeed_Edits(t *testing.T) {
	ctx := context.Background()
	st := openStore(t)
	if _, err := demo.Seed(ctx, st, moderation.NewRenderer(), demo.Options{BenchmarkComments: 20, Hash: cheapHash}); err != nil {
		t.Fatalf("Seed: %v", err)
	}
	pending, err := st.PendingEdits(ctx, 10)
	if err != nil || len(pending) != 1 || pending[0].Title != "심야버스와 새벽 첫차를 함께 늘려 주세요" || pending[0].Proposal.Title != "심야버스 노선을 늘려 주세요" {
		t.Fatalf("PendingEdits = %+v, %v", pending, err)
	}
	told := 0
	for n := 1; n <= 31; n++ { // every demo citizen
		u, _, err := st.UserByEmail(ctx, "citizen"+itoa(n)+"@e-people.example")
		if err != nil {
			t.Fatal(err)
		}
		ns, err := st.Notifications(ctx, u.ID, 200)
		if err != nil {
			t.Fatal(err)
		}
		for _, x := range ns {
			if x.Kind == forum.NoteProposalEdited {
				told++
			}
		}
	}
	if told != 9 {
		t.Errorf("supporters told of the park proposal's edit = %d, want its 9", told)
	}
}

func itoa(n int) string {
	if n < 10 {
		return string(rune('0' + n))
	}
	return itoa(n/10) + string(rune('0'+n%10))
}
