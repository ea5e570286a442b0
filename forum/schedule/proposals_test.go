package schedule

import (
	"context"
	"encoding/json"
	"path/filepath"
	"testing"
	"time"

	"github.com/e-people/e-people/forum"
	"github.com/e-people/e-people/forum/store"
	"github.com/e-people/e-people/moderation"
)

// TestScheduler_ClosesLapsedProposals drives the scheduler with an injected
// clock: it sleeps until the next support deadline, closes the proposal that
// fell short then (and not the one that reached the threshold), and a new
// scheduler on the reopened database catches up after downtime.
func TestScheduler_ClosesLapsedProposals(t *testing.T) {
	const day = 24 * time.Hour
	ctx := context.Background()
	c := &clock{t: time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)}
	path := filepath.Join(t.TempDir(), "s.db")
	st := openStore(t, path, c)
	closeStore := func() {
		if st != nil {
			if err := st.Close(); err != nil {
				t.Error(err)
			}
			st = nil
		}
	}
	t.Cleanup(closeStore)
	if err := st.SetSettings(ctx, map[string]string{forum.SettingSupportThreshold: "2", forum.SettingSupportWindow: "30",
		forum.SettingResponseDays: "30"}); err != nil {
		t.Fatal(err)
	}
	m, err := st.CreateMinistry(ctx, forum.Ministry{Slug: "molit", NameKO: "국토교통부", NameEN: "Ministry of Land"})
	if err != nil {
		t.Fatal(err)
	}
	cat, err := st.CreateCategory(ctx, forum.Category{Slug: "transport", NameKO: "교통", NameEN: "Transport", MinistryID: m.ID})
	if err != nil {
		t.Fatal(err)
	}
	user := func(name string) *forum.User {
		u, err := st.CreateUser(ctx, forum.User{Role: forum.RoleCitizen, Name: name, Email: name + "@example.org", Tier: forum.TierEmailVerified}, "x")
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	author, a, b := user("author"), user("a"), user("b")
	propose := func(title string) *forum.Proposal {
		p, err := st.CreateProposal(ctx, store.NewProposal{AuthorID: author.ID, SponsorToken: "tok-" + title,
			Input: forum.ProposalInput{Title: title, Body: title, CategoryID: cat.ID, MinistryID: m.ID},
			Body:  moderation.TrustedFromStore("<p>" + title + "</p>")}, 0)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	status := func(id int64) forum.ProposalStatus {
		p, err := st.Proposal(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		return p.Status
	}

	short := propose("버스 노선 증편") // deadline in 30 days, one supporter
	if _, err := st.Support(ctx, short.ID, a.ID, nil); err != nil {
		t.Fatal(err)
	}
	reached := propose("횡단보도 신호 연장") // reaches the threshold: no longer waits on its window
	for _, u := range []*forum.User{a, b} {
		if _, err := st.Support(ctx, reached.ID, u.ID, nil); err != nil {
			t.Fatal(err)
		}
	}
	if s := status(reached.ID); s != forum.StatusAwaiting {
		t.Fatalf("two supports: %s, want awaiting_response", s)
	}
	c.add(10 * day)
	later := propose("자전거 도로 확충") // deadline 10 days after the first

	s := New(st, c.now, nil)
	s.MaxSleep = 365 * day
	sleep, err := s.RunOnce(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if want := 20 * day; sleep < want || sleep > want+time.Second {
		t.Fatalf("sleeps %v, want just over the %v until the first support deadline", sleep, want)
	}
	// A second early does nothing; the scheduler then sleeps the rest.
	c.add(sleep - time.Second - 10*time.Millisecond)
	if sleep, err = s.RunOnce(ctx); err != nil {
		t.Fatal(err)
	}
	if got := status(short.ID); got != forum.StatusOpen {
		t.Fatalf("a second before its deadline: %s", got)
	}
	if sleep < time.Second || sleep > 2*time.Second {
		t.Fatalf("a second before the deadline sleeps %v", sleep)
	}
	c.add(sleep)
	if sleep, err = s.RunOnce(ctx); err != nil {
		t.Fatal(err)
	}
	if got := status(short.ID); got != forum.StatusClosed {
		t.Fatalf("after its deadline: %s, want closed", got)
	}
	if got := status(reached.ID); got != forum.StatusAwaiting {
		t.Fatalf("the proposal that reached the threshold: %s", got)
	}
	if got := status(later.ID); got != forum.StatusOpen {
		t.Fatalf("the later proposal: %s", got)
	}
	if want := 10 * day; sleep < want-time.Second || sleep > want+time.Second {
		t.Errorf("then sleeps %v, want about %v until the next deadline", sleep, want)
	}
	notes, err := st.Notifications(ctx, a.ID, 10)
	if err != nil {
		t.Fatal(err)
	}
	changed := 0
	for _, n := range notes {
		if n.Kind == forum.NoteStatusChanged {
			changed++
		}
	}
	if changed != 1 {
		t.Errorf("the supporter of the closed proposal got %d status notifications, want 1", changed)
	}
	closeStore()

	// Down for a month: the later proposal's deadline passes meanwhile.
	c.add(30 * day)
	st = openStore(t, path, c)
	if got := status(later.ID); got != forum.StatusOpen {
		t.Fatalf("before catching up: %s", got)
	}
	s = New(st, c.now, nil)
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { s.Run(runCtx); close(done) }()
	for i := 0; i < 500 && status(later.ID) != forum.StatusClosed; i++ {
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	<-done
	if got := status(later.ID); got != forum.StatusClosed {
		t.Fatalf("after the restart: %s, want closed", got)
	}
	if got := status(reached.ID); got != forum.StatusAwaiting {
		t.Errorf("after the restart the awaiting proposal is %s", got)
	}
	evs, err := st.EventsAfter(ctx, []string{forum.ProposalTopic(later.ID)}, false, 0, 20)
	if err != nil {
		t.Fatal(err)
	}
	var closes int
	for _, e := range evs {
		if e.Type == forum.EventProposalStatus && containsStatus(e.Data, forum.StatusClosed) {
			closes++
		}
	}
	if closes != 1 {
		t.Errorf("%d close events for the later proposal, want exactly 1", closes)
	}
	// Nothing is left to wait for: the scheduler sleeps its longest.
	s.MaxSleep = time.Hour
	if sleep, err := s.RunOnce(ctx); err != nil || sleep != time.Hour {
		t.Errorf("with nothing scheduled: sleeps %v, %v; want MaxSleep", sleep, err)
	}
}

// containsStatus reports whether a proposal.status event moved to status.
func containsStatus(data []byte, status forum.ProposalStatus) bool {
	var d struct {
		Status forum.ProposalStatus `json:"status"`
	}
	return json.Unmarshal(data, &d) == nil && d.Status == status
}
