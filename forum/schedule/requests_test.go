package schedule

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/e-people/e-people/forum"
	"github.com/e-people/e-people/forum/store"
	"github.com/e-people/e-people/moderation"
)

// The scheduler sends the 30-day progress notice on a civil request once,
// and the next one 30 days later.
func TestScheduler_RequestProgressNotices(t *testing.T) {
	ctx := context.Background()
	c := &clock{t: time.Date(2026, 3, 3, 1, 0, 0, 0, time.UTC)}
	st := openStore(t, filepath.Join(t.TempDir(), "s.db"), c)
	m, _ := debateHost(t, st)
	filer, err := st.CreateUser(ctx, forum.User{Role: forum.RoleCitizen, Name: "민원인", Email: "f@example.org", Tier: forum.TierEmailVerified}, "x")
	if err != nil {
		t.Fatal(err)
	}
	r, err := st.FileRequest(ctx, filer, store.NewRequest{Input: forum.RequestInput{Kind: forum.RequestSuggestion, MinistryID: m.ID,
		Title: "오래 걸리는 건의", Body: "본문"}, Body: moderation.RenderMarkdown("본문")})
	if err != nil {
		t.Fatal(err)
	}
	s := New(st, c.now, nil)
	notices := func() int {
		t.Helper()
		if _, err := s.RunOnce(ctx); err != nil {
			t.Fatal(err)
		}
		steps, err := st.RequestSteps(ctx, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, step := range steps {
			if step.Kind == "progress_notice" {
				n++
			}
		}
		return n
	}
	for _, step := range []struct {
		days, want int
	}{{29, 0}, {1, 1}, {1, 1}, {29, 2}, {0, 2}} {
		c.add(time.Duration(step.days) * 24 * time.Hour)
		if got := notices(); got != step.want {
			t.Fatalf("at %v: %d notices, want %d", c.now(), got, step.want)
		}
	}
}
