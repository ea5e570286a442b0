package store

import (
	"strings"
	"testing"
	"time"

	"github.com/e-people/e-people/forum"
	"github.com/e-people/e-people/forum/store/storetest"
)

// seenSupport is one new support of a batch under test, given after the
// strongest objection (seen) or not.
type seenSupport struct {
	id, user int64
	seen     bool
}

// supportSeenTogether runs sups as one batch of the committer (on
// PostgreSQL, which has no committer, each alone, in order) and fails on
// any error.
func supportSeenTogether(tb testing.TB, s *Store, sups ...seenSupport) {
	tb.Helper()
	counts := make([]int, len(sups))
	reqs := make([]*supportReq, len(sups))
	for i, x := range sups {
		reqs[i] = &supportReq{id: x.id, userID: x.user, on: true, seen: x.seen, count: &counts[i]}
	}
	if s.pg {
		for _, r := range reqs {
			if err := s.writeGrouped(ctx, s.supportAlone(r), supportGroup, r); err != nil {
				tb.Fatalf("support %d by %d: %v", r.id, r.userID, err)
			}
		}
		return
	}
	batch := make([]*pending, len(reqs))
	for i, r := range reqs {
		batch[i] = &pending{ctx: ctx, fn: s.supportAlone(r), deadline: time.Now().Add(time.Minute), done: make(chan error, 1),
			group: supportGroup, item: r}
	}
	s.commit.runBatch(batch)
	for i, p := range batch {
		if err := <-p.done; err != nil {
			tb.Fatalf("support %d: %v", i, err)
		}
	}
}

// sawFlag reads the saw_objection flag of userID's support of id.
func sawFlag(tb testing.TB, s *Store, id, userID int64) int {
	tb.Helper()
	return count(tb, s, `SELECT saw_objection FROM supports WHERE proposal_id = ? AND user_id = ?`, id, userID)
}

// TestStore_SupportAfterObjection_Alone: a support given on its own after
// the objection is marked, a plain one is not, a second support keeps the
// first one's mark, a withdrawal takes the mark with it, and the count
// leaves out accounts whose supports do not count, as support_count does.
func TestStore_SupportAfterObjection_Alone(t *testing.T) {
	w := newWorld(t)
	p := w.openProposal(t, "반대 의견을 읽고 지지하는 제안")
	other := w.openProposal(t, "다른 제안")
	seen, plain, unverified := newUser(t, w.s, "seen"), newUser(t, w.s, "plain"), newUser(t, w.s, "unverified")
	if err := w.s.SetSettings(ctx, map[string]string{forum.SettingTierSupport: string(forum.TierRegistered)}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.s.SetTier(ctx, unverified.ID, forum.TierRegistered); err != nil {
		t.Fatal(err)
	}
	if n, err := w.s.SupportAfterObjection(ctx, p.ID, seen.ID, nil); err != nil || n != 1 {
		t.Fatalf("SupportAfterObjection = %d, %v; want 1", n, err)
	}
	if _, err := w.s.Support(ctx, p.ID, plain.ID, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := w.s.SupportAfterObjection(ctx, p.ID, unverified.ID, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := w.s.Support(ctx, other.ID, seen.ID, nil); err != nil {
		t.Fatal(err)
	}
	if got := sawFlag(t, w.s, p.ID, seen.ID); got != 1 {
		t.Errorf("saw_objection after SupportAfterObjection = %d, want 1", got)
	}
	if got := sawFlag(t, w.s, p.ID, plain.ID); got != 0 {
		t.Errorf("saw_objection after Support = %d, want 0", got)
	}
	// Supporting again after an objection changes nothing: not the count, not the mark.
	if n, err := w.s.SupportAfterObjection(ctx, p.ID, plain.ID, nil); err != nil || n != 2 {
		t.Errorf("second support = %d, %v; want 2 unchanged", n, err)
	}
	if got := sawFlag(t, w.s, p.ID, plain.ID); got != 0 {
		t.Errorf("saw_objection after a second support = %d, want 0 kept", got)
	}
	got, err := w.s.SupportsAfterObjection(ctx, p.ID, other.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got[p.ID] != 1 || got[other.ID] != 0 || len(got) != 1 {
		t.Errorf("SupportsAfterObjection = %v, want {%d: 1} (the unverified one left out)", got, p.ID)
	}
	all, err := w.s.AllSupportsAfterObjection(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 1 || all[p.ID] != 1 {
		t.Errorf("AllSupportsAfterObjection = %v, want {%d: 1}", all, p.ID)
	}
	if _, err := w.s.Unsupport(ctx, p.ID, seen.ID); err != nil {
		t.Fatal(err)
	}
	if got, _ := w.s.SupportsAfterObjection(ctx, p.ID); got[p.ID] != 0 {
		t.Errorf("after the withdrawal SupportsAfterObjection = %v, want none", got)
	}
	if none, err := w.s.SupportsAfterObjection(ctx); err != nil || len(none) != 0 {
		t.Errorf("SupportsAfterObjection() = %v, %v; want empty", none, err)
	}
	checkCounters(t, w.s)
}

// TestStore_SupportAfterObjection_Grouped: supports the committer runs
// together (on SQLite) keep each one's mark, on two proposals at once, and
// so do the writes the group hands back to run alone: an account's second
// write and the support that reaches the threshold, and those after it.
func TestStore_SupportAfterObjection_Grouped(t *testing.T) {
	w := newWorld(t)
	ansThresholds(t, w.s, 4, 30, 30)
	p := w.openProposal(t, "묶어서 지지받는 제안")
	q := w.openProposal(t, "함께 지지받는 제안")
	users := newUsers(t, w.s, 6)
	batch := []seenSupport{
		{p.ID, users[0], true}, {p.ID, users[1], false}, {q.ID, users[0], false}, // users[0]'s second write runs alone
		{q.ID, users[1], true}, {p.ID, users[2], true}, {p.ID, users[3], true}, // users[3] reaches p's threshold of 4: alone
		{p.ID, users[4], false}, {p.ID, users[5], true}, // after the threshold, alone too
	}
	supportSeenTogether(t, w.s, batch...)
	for _, x := range batch {
		want := 0
		if x.seen {
			want = 1
		}
		if got := sawFlag(t, w.s, x.id, x.user); got != want {
			t.Errorf("saw_objection of %d's support of %d = %d, want %d", x.user, x.id, got, want)
		}
	}
	got, err := w.s.SupportsAfterObjection(ctx, p.ID, q.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got[p.ID] != 4 || got[q.ID] != 1 {
		t.Errorf("SupportsAfterObjection = %v, want %d: 4, %d: 1", got, p.ID, q.ID)
	}
	if pp, _ := w.s.Proposal(ctx, p.ID); pp.Status != forum.StatusAwaiting || pp.Supports != 6 {
		t.Errorf("proposal after the batch: %s with %d supports, want awaiting with 6", pp.Status, pp.Supports)
	}
	checkCounters(t, w.s)
}

// TestStore_SupportsAfterObjectionPlan: the count reads only the marked
// supports of the proposals asked for, through the partial index, never
// every support of a proposal.
func TestStore_SupportsAfterObjectionPlan(t *testing.T) {
	if storetest.Postgres() {
		t.Skip("SQLite's plan")
	}
	s := openTest(t, nil)
	q := sawObjectionSQL + countedTier("u") + ` AND x.proposal_id IN (?, ?) GROUP BY x.proposal_id`
	got := strings.Join(queryPlan(t, s, q, 1, 2), "; ")
	t.Logf("plan: %s", got)
	if !strings.Contains(got, "supports_saw_objection") || strings.Contains(got, "SCAN x") {
		t.Errorf("plan = %q, want a search of the partial index supports_saw_objection", got)
	}
}
