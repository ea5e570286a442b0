package store

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/e-people/e-people/forum"
	"github.com/e-people/e-people/forum/store/storetest"
)

// sup is one support (on) or withdrawal of a batch under test.
type sup struct {
	id, user int64
	on       bool
	limit    *Cap
}

// supportTogether runs sups as one batch of the committer, as if their
// callers had all been waiting at once, and returns each one's answer. On
// PostgreSQL, which has no committer nor write groups, each runs alone, in
// order, by the path Support takes there: the answers must be the same.
func supportTogether(tb testing.TB, s *Store, sups ...sup) ([]int, []error) {
	tb.Helper()
	counts := make([]int, len(sups))
	if s.pg {
		errs := make([]error, len(sups))
		for i, x := range sups {
			r := &supportReq{id: x.id, userID: x.user, on: x.on, limit: x.limit, count: &counts[i]}
			errs[i] = s.writeGrouped(ctx, s.supportAlone(r), supportGroup, r)
		}
		return counts, errs
	}
	batch := make([]*pending, len(sups))
	for i, x := range sups {
		r := &supportReq{id: x.id, userID: x.user, on: x.on, limit: x.limit, count: &counts[i]}
		batch[i] = &pending{ctx: ctx, fn: s.supportAlone(r), deadline: time.Now().Add(time.Minute), done: make(chan error, 1),
			group: supportGroup, item: r}
	}
	s.commit.runBatch(batch)
	errs := make([]error, len(sups))
	for i, p := range batch {
		errs[i] = <-p.done
	}
	return counts, errs
}

// supportedEvents collects the supports figure of every published
// ProposalSupportedEvent, by proposal, and fails when ids are not increasing.
func supportedEvents(tb testing.TB, s *Store) map[int64][]int {
	tb.Helper()
	got := map[int64][]int{}
	var last int64
	s.SetNotify(func(evs []forum.Event) {
		for _, e := range evs {
			if e.ID <= last {
				tb.Errorf("event %d published after %d", e.ID, last)
			}
			last = e.ID
			if e.Type != forum.EventProposalSupported || strings.HasPrefix(e.Topic, "ministry:") { // the ministry's copies
				continue
			}
			var d forum.ProposalSupportedEvent
			if err := json.Unmarshal(e.Data, &d); err != nil {
				tb.Fatal(err)
			}
			got[d.ProposalID] = append(got[d.ProposalID], d.Supports)
		}
	})
	return got
}

// TestSupportBatch_SameAndOtherProposals: supports of one proposal and of
// another in one batch, an account's second support and a withdrawal in
// the same batch, and an account whose supports do not count: each caller
// gets the count a write on its own would have given, the counters equal
// their rows, and one event per change is published in order.
func TestSupportBatch_SameAndOtherProposals(t *testing.T) {
	w := newWorld(t)
	ansThresholds(t, w.s, 1000, 30, 30)
	if err := w.s.SetSettings(ctx, map[string]string{forum.SettingTierSupport: string(forum.TierRegistered)}); err != nil {
		t.Fatal(err)
	}
	events := supportedEvents(t, w.s)
	p1, p2 := w.openProposal(t, "첫째 제안"), w.openProposal(t, "둘째 제안")
	users := newUsers(t, w.s, 20)
	unverified := w.member(t, forum.RoleCitizen, "unverified")
	if _, err := w.s.SetTier(ctx, unverified.ID, forum.TierRegistered); err != nil {
		t.Fatal(err)
	}
	var batch []sup
	var want []int
	for i, u := range users {
		p, n := p1.ID, i+1
		if i >= 10 {
			p, n = p2.ID, i-9
		}
		batch = append(batch, sup{id: p, user: u, on: true})
		want = append(want, n)
	}
	batch = append(batch, sup{id: p1.ID, user: unverified.ID, on: true}, // counted apart: the answer stays 10
		sup{id: p1.ID, user: users[0], on: true},  // already there: nothing changes
		sup{id: p1.ID, user: users[5], on: false}, // withdrawn
		sup{id: p2.ID, user: users[0], on: true})  // the account's second proposal
	want = append(want, 10, 10, 9, 11)
	got, errs := supportTogether(t, w.s, batch...)
	for i := range batch {
		if errs[i] != nil || got[i] != want[i] {
			t.Errorf("write %d %+v = %d, %v; want %d", i, batch[i], got[i], errs[i], want[i])
		}
	}
	checkCounters(t, w.s)
	if n := count(t, w.s, `SELECT unverified_supports FROM proposals WHERE id = ?`, p1.ID); n != 1 {
		t.Errorf("unverified supports of p1 = %d, want 1", n)
	}
	if n := count(t, w.s, `SELECT count(*) FROM follows WHERE item_kind = 'proposal' AND item_id = ?`, p1.ID); n != 11 {
		t.Errorf("followers of p1 = %d, want 11", n)
	}
	if fmt.Sprint(events[p1.ID]) != "[1 2 3 4 5 6 7 8 9 10 10 9]" || fmt.Sprint(events[p2.ID]) != "[1 2 3 4 5 6 7 8 9 10 11]" {
		t.Errorf("published supports: %v", events)
	}
}

// TestSupportBatch_FailuresStayAlone: in one batch, writes refused for
// their own reasons (no such proposal, a draft, a tier, a cap) get their
// own errors and leave nothing, while the others commit; and when a
// multi-row statement itself fails, the batch's supports run one by one
// so that only the write at fault fails.
func TestSupportBatch_FailuresStayAlone(t *testing.T) {
	w := newWorld(t)
	ansThresholds(t, w.s, 1000, 30, 30)
	if err := w.s.SetSettings(ctx, map[string]string{forum.SettingTierSupport: string(forum.TierEmailVerified)}); err != nil {
		t.Fatal(err)
	}
	p, other := w.openProposal(t, "열린 제안"), w.openProposal(t, "다른 제안")
	draft := w.propose(t, "초안", true, 0)
	users := newUsers(t, w.s, 6)
	low := w.member(t, forum.RoleCitizen, "low")
	if _, err := w.s.SetTier(ctx, low.ID, forum.TierRegistered); err != nil {
		t.Fatal(err)
	}
	day := &Cap{Max: 1, Since: w.clock.now().Add(-time.Hour)}
	if _, err := w.s.Support(ctx, other.ID, users[1], day); err != nil {
		t.Fatal(err)
	}
	got, errs := supportTogether(t, w.s,
		sup{id: p.ID, user: users[0], on: true},
		sup{id: 99999, user: users[2], on: true},
		sup{id: draft.ID, user: users[3], on: true},
		sup{id: p.ID, user: low.ID, on: true},
		sup{id: p.ID, user: users[1], on: true, limit: day},
		sup{id: p.ID, user: users[4], on: true, limit: day})
	if errs[0] != nil || got[0] != 1 || errs[5] != nil || got[5] != 2 {
		t.Errorf("good writes = %d, %v and %d, %v; want 1 and 2", got[0], errs[0], got[5], errs[5])
	}
	wantErr(t, errs[1], forum.ErrNotFound)
	wantErr(t, errs[2], forum.ErrInvalidState)
	var tierErr *forum.TierError
	var capErr *CapError
	if !errors.As(errs[3], &tierErr) || !errors.As(errs[4], &capErr) {
		t.Errorf("tier and cap refusals = %v, %v", errs[3], errs[4])
	}
	if n := count(t, w.s, `SELECT count(*) FROM supports WHERE proposal_id = ?`, p.ID); n != 2 {
		t.Errorf("supports of p = %d, want 2", n)
	}
	checkCounters(t, w.s)

	// A rule of the database refuses one account's support: the batch's
	// multi-row insert fails, and its writes run alone.
	trigger := fmt.Sprintf(`CREATE TRIGGER refuse_one BEFORE INSERT ON supports WHEN NEW.user_id = %d
			BEGIN SELECT RAISE(ABORT, 'refused by the test'); END`, users[5])
	if w.s.pg { // PostgreSQL's triggers call a function
		trigger = fmt.Sprintf(`CREATE FUNCTION refuse_one() RETURNS trigger LANGUAGE plpgsql AS $$
			BEGIN IF NEW.user_id = %d THEN RAISE EXCEPTION 'refused by the test'; END IF; RETURN NEW; END $$;
			CREATE TRIGGER refuse_one BEFORE INSERT ON supports FOR EACH ROW EXECUTE FUNCTION refuse_one()`, users[5])
	}
	if err := w.s.write(ctx, func(t *tx) error {
		_, err := t.ExecContext(ctx, trigger)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	got, errs = supportTogether(t, w.s,
		sup{id: p.ID, user: users[2], on: true},
		sup{id: p.ID, user: users[5], on: true},
		sup{id: p.ID, user: users[3], on: true},
		sup{id: p.ID, user: users[0], on: false})
	if errs[1] == nil {
		t.Error("the refused support succeeded")
	}
	if errs[0] != nil || errs[2] != nil || errs[3] != nil || got[0] != 3 || got[2] != 4 || got[3] != 3 {
		t.Errorf("the others = %v, %v; want 3, 4, 3 without errors", got, errs)
	}
	checkCounters(t, w.s)
}

// TestSupportBatch_Threshold: the support that reaches the threshold in
// the middle of a batch opens the answer period once, in the same
// transaction, and the supports after it see the new status.
func TestSupportBatch_Threshold(t *testing.T) {
	w := newWorld(t)
	ansThresholds(t, w.s, 3, 30, 30)
	p := w.openProposal(t, "문턱을 넘는 제안")
	users := newUsers(t, w.s, 5)
	var batch []sup
	for _, u := range users {
		batch = append(batch, sup{id: p.ID, user: u, on: true})
	}
	from := lastEventID(t, w.s)
	got, errs := supportTogether(t, w.s, batch...)
	for i := range batch {
		if errs[i] != nil || got[i] != i+1 {
			t.Errorf("support %d = %d, %v; want %d", i, got[i], errs[i], i+1)
		}
	}
	if q, _ := w.s.Proposal(ctx, p.ID); q.Status != forum.StatusAwaiting || q.Supports != 5 {
		t.Errorf("proposal after the batch: %s with %d supports", q.Status, q.Supports)
	}
	statuses := 0
	for _, e := range eventsAfter(t, w.s, from) {
		if e.Type == forum.EventProposalStatus {
			statuses++
		}
	}
	if statuses != 1 {
		t.Errorf("%d status events, want 1", statuses)
	}
	checkCounters(t, w.s)
}

// TestSupportBatch_InBulk runs the support group's step directly: it
// applies the first write of each account in bulk, without an error, and
// leaves an account's second write and the write that reaches the
// threshold (and those after it on the same proposal) to run alone.
func TestSupportBatch_InBulk(t *testing.T) {
	if storetest.Postgres() {
		t.Skip("write groups (the bulk step) run only on SQLite; PostgreSQL runs each support alone")
	}
	w := newWorld(t)
	ansThresholds(t, w.s, 2, 30, 30)
	p, q := w.openProposal(t, "첫째"), w.openProposal(t, "둘째")
	users := newUsers(t, w.s, 4)
	counts := make([]int, 6)
	items := []any{
		&supportReq{id: q.ID, userID: users[0], on: true, count: &counts[0]},
		&supportReq{id: p.ID, userID: users[1], on: true, count: &counts[1]},
		&supportReq{id: q.ID, userID: users[0], on: false, count: &counts[2]}, // the account's second write
		&supportReq{id: p.ID, userID: users[2], on: true, count: &counts[3]},  // reaches the threshold
		&supportReq{id: p.ID, userID: users[3], on: true, count: &counts[4]},  // after it
		&supportReq{id: q.ID, userID: users[3] + 1000, on: true, count: &counts[5]},
	}
	var answers []error
	var alone []int
	if err := w.s.write(ctx, func(t *tx) error {
		var err error
		answers, alone, err = runSupports(w.s, t, items)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(alone) != "[2 3 4]" || answers[0] != nil || answers[1] != nil || counts[0] != 1 || counts[1] != 1 {
		t.Errorf("alone %v, answers %v, counts %v", alone, answers, counts)
	}
	wantErr(t, mapErr(answers[5]), forum.ErrNotFound)
	checkCounters(t, w.s)
}

// TestSupportBatch_ThresholdInParallel: many citizens support a proposal at
// once, past its threshold: the answer period opens once, every support
// counts once, and the counters equal their rows — whether the writes meet
// in the committer's batches (SQLite) or in concurrent transactions that
// conflict and run again (PostgreSQL).
func TestSupportBatch_ThresholdInParallel(t *testing.T) {
	w := newWorld(t)
	ansThresholds(t, w.s, 10, 30, 30)
	p := w.openProposal(t, "함께 넘는 문턱")
	users := newUsers(t, w.s, 40)
	from := lastEventID(t, w.s)
	var wg sync.WaitGroup
	for _, u := range users {
		wg.Go(func() {
			if _, err := w.s.Support(ctx, p.ID, u, nil); err != nil {
				t.Errorf("support by %d: %v", u, err)
			}
		})
	}
	wg.Wait()
	if q, err := w.s.Proposal(ctx, p.ID); err != nil || q.Status != forum.StatusAwaiting || q.Supports != len(users) {
		t.Errorf("proposal after the supports: %+v, %v; want %s with %d supports", q, err, forum.StatusAwaiting, len(users))
	}
	statuses := 0
	for _, e := range eventsAfter(t, w.s, from) {
		if e.Type == forum.EventProposalStatus {
			statuses++
		}
	}
	if statuses != 1 {
		t.Errorf("%d status events, want 1", statuses)
	}
	// Events are numbered in commit order: the supports they tell rise one by one.
	rows, err := w.s.DB().Query(`SELECT payload FROM events WHERE id > ? AND type = ? AND topic = ? ORDER BY id`, from, forum.EventProposalSupported, forum.ProposalTopic(p.ID))
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var figures []int
	for rows.Next() {
		var payload string
		var d forum.ProposalSupportedEvent
		if err := rows.Scan(&payload); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal([]byte(payload), &d); err != nil {
			t.Fatal(err)
		}
		figures = append(figures, d.Supports)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	for i, n := range figures {
		if n != i+1 || len(figures) != len(users) {
			t.Fatalf("supports told by the events, in order: %v; want 1 to %d", figures, len(users))
		}
	}
	checkCounters(t, w.s)
}
