package store

import (
	"errors"
	"fmt"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/e-people/e-people/forum"
)

// mergeStaff is an active moderator (past the second factor) of w, for merges.
func mergeStaff(tb testing.TB, w *world, role forum.Role, ministry int64) *forum.User {
	tb.Helper()
	u := newUser(tb, w.s, string(role))
	u.Role, u.MinistryID, u.Status, u.TwoFactor = role, ministry, forum.UserActive, true
	return u
}

// supportAll supports proposal id by every user, failing on an error.
func supportAll(tb testing.TB, s *Store, id int64, users ...int64) {
	tb.Helper()
	for _, u := range users {
		if _, err := s.Support(ctx, id, u, nil); err != nil {
			tb.Fatalf("support %d by %d: %v", id, u, err)
		}
	}
}

// mergeSnapshot is every row of supports, follows and proposals of ids, as
// text, but for proposals.updated_at (which a merge's threshold step moves).
func mergeSnapshot(tb testing.TB, s *Store, ids ...int64) []string {
	tb.Helper()
	var out []string
	for _, id := range ids {
		for _, q := range []string{
			`SELECT 'support ' || proposal_id || ' ' || user_id || ' ' || created_at || ' ' || saw_objection FROM supports WHERE proposal_id = ? ORDER BY user_id`,
			`SELECT 'follow ' || item_id || ' ' || user_id || ' ' || created_at FROM follows WHERE item_kind = 'proposal' AND item_id = ? ORDER BY user_id`,
			`SELECT 'proposal ' || id || ' ' || status || ' ' || support_count || ' ' || unverified_supports || ' ' || sponsor_count || ' ' ||
				COALESCE(reached_at, -1) || ' ' || COALESCE(response_due, -1) || ' ' || COALESCE(closed_at, -1) || ' ' ||
				COALESCE(support_deadline, -1) || ' ' || COALESCE(merged_into, -1) || ' ' || mod_state FROM proposals WHERE id = ?`,
		} {
			rows, err := s.DB().Query(q, id)
			if err != nil {
				tb.Fatal(err)
			}
			for rows.Next() {
				var line string
				if err := rows.Scan(&line); err != nil {
					tb.Fatal(err)
				}
				out = append(out, line)
			}
			rows.Close()
		}
	}
	return out
}

// TestMerge_OverlapCountedOnce: B's supporters become A's, a person who
// supported both counts once and keeps A's own support; the moved rows keep
// their times and flags; B's co-sponsors and followers follow A; B is a
// signpost that refuses supports; everyone concerned is told once; the log
// has it; search and similar proposals point to A.
func TestMerge_OverlapCountedOnce(t *testing.T) {
	w := newWorld(t)
	ansThresholds(t, w.s, 100, 30, 30)
	a := w.openProposal(t, "도서관 야간 개방")
	b := w.openProposal(t, "공공도서관 심야 운영 청원")
	us := newUsers(t, w.s, 6) // 0,1: A only; 2: both; 3,4: B only; 5: follows B
	supportAll(t, w.s, a.ID, us[0], us[1], us[2])
	w.clock.advance(time.Hour)
	supportAll(t, w.s, b.ID, us[2], us[3])
	w.clock.advance(time.Hour)
	unverified := newUser(t, w.s, "unverified")
	supportAll(t, w.s, b.ID, us[4], unverified.ID)
	if _, err := w.s.SetTier(ctx, unverified.ID, forum.TierRegistered); err != nil { // its support stays, uncounted
		t.Fatal(err)
	}
	if _, err := w.s.DB().Exec(`UPDATE supports SET saw_objection = 1 WHERE proposal_id = ? AND user_id = ?`, b.ID, us[3]); err != nil {
		t.Fatal(err)
	}
	if err := w.s.Follow(ctx, us[5], forum.ItemProposal, b.ID, true); err != nil {
		t.Fatal(err)
	}
	sponsor := newUser(t, w.s, "sponsor")
	if _, err := w.s.DB().Exec(`INSERT INTO sponsors (proposal_id, user_id, created_at) VALUES (?, ?, 1)`, b.ID, sponsor.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := w.s.DB().Exec(`UPDATE proposals SET sponsor_count = sponsor_count + 1 WHERE id = ?`, b.ID); err != nil {
		t.Fatal(err)
	}
	// us[4] unfollowed B: still moved as a supporter, not made to follow A.
	if err := w.s.Follow(ctx, us[4], forum.ItemProposal, b.ID, false); err != nil {
		t.Fatal(err)
	}
	bTimes := map[int64]int{}
	for _, u := range []int64{us[3], us[4]} {
		bTimes[u] = count(t, w.s, `SELECT created_at FROM supports WHERE proposal_id = ? AND user_id = ?`, b.ID, u)
	}
	aTime := count(t, w.s, `SELECT created_at FROM supports WHERE proposal_id = ? AND user_id = ?`, a.ID, us[2])
	w.clock.advance(time.Hour)
	mod := mergeStaff(t, w, forum.RoleModerator, 0)

	_, err := w.s.MergeProposal(ctx, mod, b.ID, a.ID, "  ")
	wantInvalid(t, err, "err.merge_reason_required")
	before := lastEventID(t, w.s)
	m, err := w.s.MergeProposal(ctx, mod, b.ID, a.ID, "같은 요청입니다")
	if err != nil {
		t.Fatal(err)
	}
	if m.Moved != 4 || m.Added != 3 || m.FromID != b.ID || m.IntoID != a.ID || m.Reason != "같은 요청입니다" {
		t.Errorf("merge = %+v", m)
	}
	ga, _ := w.s.Proposal(ctx, a.ID)
	gb, _ := w.s.Proposal(ctx, b.ID)
	if ga.Supports != 5 || ga.UnverifiedSupports != 1 {
		t.Errorf("A: %d supports, %d unverified; want 5 and 1", ga.Supports, ga.UnverifiedSupports)
	}
	if gb.MergedInto != a.ID || gb.Status != forum.StatusClosed || gb.Supports != 0 || gb.UnverifiedSupports != 0 {
		t.Errorf("B: merged into %d, %s, %d supports", gb.MergedInto, gb.Status, gb.Supports)
	}
	if n := count(t, w.s, `SELECT count(*) FROM supports WHERE proposal_id = ?`, b.ID); n != 0 {
		t.Errorf("B keeps %d supports", n)
	}
	if got := count(t, w.s, `SELECT created_at FROM supports WHERE proposal_id = ? AND user_id = ?`, a.ID, us[2]); got != aTime {
		t.Errorf("the shared supporter's time on A = %d, want A's own %d", got, aTime)
	}
	for u, at := range bTimes {
		if got := count(t, w.s, `SELECT created_at FROM supports WHERE proposal_id = ? AND user_id = ?`, a.ID, u); got != at {
			t.Errorf("moved support of %d: time %d, want %d", u, got, at)
		}
	}
	if n := count(t, w.s, `SELECT saw_objection FROM supports WHERE proposal_id = ? AND user_id = ?`, a.ID, us[3]); n != 1 {
		t.Error("the moved support lost its saw_objection flag")
	}
	for _, u := range []int64{us[3], us[5], sponsor.ID, unverified.ID} {
		if n := count(t, w.s, `SELECT count(*) FROM follows WHERE user_id = ? AND item_kind = 'proposal' AND item_id = ?`, u, a.ID); n != 1 {
			t.Errorf("user %d does not follow A", u)
		}
	}
	if n := count(t, w.s, `SELECT count(*) FROM follows WHERE user_id = ? AND item_kind = 'proposal' AND item_id = ?`, us[4], a.ID); n != 0 {
		t.Error("a supporter who had unfollowed B was made to follow A")
	}
	checkCounters(t, w.s)
	// Everyone concerned, once: B's supporters, co-sponsor and followers, A's author.
	for _, u := range []int64{us[2], us[3], us[4], us[5], unverified.ID, sponsor.ID, w.author.ID} {
		if n := count(t, w.s, `SELECT count(*) FROM notifications WHERE user_id = ? AND kind = ?`, u, forum.NoteMerged); n != 1 {
			t.Errorf("user %d got %d merge notifications, want 1", u, n)
		}
	}
	for _, u := range []int64{us[0], us[1]} {
		if n := count(t, w.s, `SELECT count(*) FROM notifications WHERE user_id = ? AND kind = ?`, u, forum.NoteMerged); n != 0 {
			t.Errorf("A's own supporter %d was told of the merge", u)
		}
	}
	if n := count(t, w.s, `SELECT count(*) FROM moderation_actions WHERE action = ? AND item_kind = 'proposal' AND item_id = ? AND reason_code = ?`,
		forum.ActMerged, b.ID, "같은 요청입니다"); n != 1 {
		t.Errorf("%d log rows of the merge", n)
	}
	merged := map[string]int{}
	for _, e := range eventsAfter(t, w.s, before) {
		if e.Type == forum.EventProposalMerged {
			merged[e.Topic]++
		}
	}
	if merged[forum.ProposalTopic(a.ID)] != 1 || merged[forum.ProposalTopic(b.ID)] != 1 {
		t.Errorf("merge events = %v", merged)
	}
	// B takes no supports, alone or in a batch, and says where to go.
	_, err = w.s.Support(ctx, b.ID, us[0], nil)
	wantRefusal(t, err, nil, "err.proposal_merged")
	_, errs := supportTogether(t, w.s, sup{id: b.ID, user: us[1], on: true}, sup{id: a.ID, user: us[5], on: true})
	wantRefusal(t, errs[0], nil, "err.proposal_merged")
	if errs[1] != nil {
		t.Error(errs[1])
	}
	// A merged proposal cannot be merged again.
	_, err = w.s.MergeProposal(ctx, mod, b.ID, a.ID, "again")
	wantRefusal(t, err, nil, "err.proposal_merged")
	// Search: B's own words find A, and B is no result.
	hits, _, err := w.s.Search(ctx, SearchQuery{Text: "심야", Kind: SearchProposal})
	if err != nil {
		t.Fatal(err)
	}
	if len(hits) != 1 || hits[0].ID != a.ID {
		t.Errorf("search for B's word: %+v, want A (%d) alone", hits, a.ID)
	}
	similar, err := w.s.SimilarProposals(ctx, "공공도서관 심야 운영", 5)
	if err != nil {
		t.Fatal(err)
	}
	if len(similar) != 1 || similar[0].ID != a.ID {
		t.Errorf("similar to B's title: %d proposals, want A alone", len(similar))
	}
}

// TestMerge_ThresholdAndUndo: a merge that lifts A to the threshold opens
// its answer period at once, as a support would; the undo puts back every
// row of supports, follows and proposals of A and B as it was, and then
// search finds B again.
func TestMerge_ThresholdAndUndo(t *testing.T) {
	w := newWorld(t)
	ansThresholds(t, w.s, 4, 30, 30)
	a := w.openProposal(t, "버스 노선 증설")
	b := w.openProposal(t, "마을버스 배차 간격")
	us := newUsers(t, w.s, 5)
	supportAll(t, w.s, a.ID, us[0], us[1])
	w.clock.advance(time.Minute)
	supportAll(t, w.s, b.ID, us[1], us[2], us[3])
	if _, err := w.s.DB().Exec(`UPDATE supports SET saw_objection = 1 WHERE proposal_id = ? AND user_id = ?`, b.ID, us[2]); err != nil {
		t.Fatal(err)
	}
	if err := w.s.Follow(ctx, us[4], forum.ItemProposal, b.ID, true); err != nil {
		t.Fatal(err)
	}
	snap := mergeSnapshot(t, w.s, a.ID, b.ID)
	w.clock.advance(time.Hour)
	official := mergeStaff(t, w, forum.RoleOfficial, w.ministry)
	m, err := w.s.MergeProposal(ctx, official, b.ID, a.ID, "중복")
	if err != nil {
		t.Fatal(err)
	}
	ga, _ := w.s.Proposal(ctx, a.ID)
	if ga.Supports != 4 || ga.Status != forum.StatusAwaiting || ga.ReachedAt.IsZero() || ga.ResponseDue.IsZero() {
		t.Errorf("A after the merge: %s with %d supports, reached %v", ga.Status, ga.Supports, ga.ReachedAt)
	}
	if n := count(t, w.s, `SELECT count(*) FROM notifications WHERE kind = ? AND user_id = ?`, forum.NoteThresholdReached, us[0]); n != 1 {
		t.Errorf("A's supporter got %d threshold notices", n)
	}
	checkCounters(t, w.s)

	other := mergeStaff(t, w, forum.RoleCitizen, 0)
	_, err = w.s.UndoMerge(ctx, other, m.ID, "실수")
	wantRefusal(t, err, nil, "err.merge_forbidden")
	_, err = w.s.UndoMerge(ctx, official, m.ID, "")
	wantInvalid(t, err, "err.merge_reason_required")
	w.clock.advance(24 * time.Hour)
	u, err := w.s.UndoMerge(ctx, official, m.ID, "다른 요청이었습니다")
	if err != nil {
		t.Fatal(err)
	}
	if !u.Undone() || u.UndoReason != "다른 요청이었습니다" || u.UndoneBy != official.ID {
		t.Errorf("undone merge = %+v", u)
	}
	if got := mergeSnapshot(t, w.s, a.ID, b.ID); !reflect.DeepEqual(got, snap) {
		t.Errorf("after the undo:\n%v\nwant as before the merge:\n%v", got, snap)
	}
	checkCounters(t, w.s)
	_, err = w.s.UndoMerge(ctx, official, m.ID, "again")
	wantRefusal(t, err, nil, "err.merge_undone_already")
	if n := count(t, w.s, `SELECT count(*) FROM moderation_actions WHERE action = ? AND item_id = ?`, forum.ActMergeUndone, b.ID); n != 1 {
		t.Errorf("%d log rows of the undo", n)
	}
	if n := count(t, w.s, `SELECT count(*) FROM notifications WHERE kind = ? AND user_id = ?`, forum.NoteMergeUndone, us[2]); n != 1 {
		t.Errorf("B's supporter got %d undo notices", n)
	}
	hits, _, err := w.s.Search(ctx, SearchQuery{Text: "배차", Kind: SearchProposal})
	if err != nil {
		t.Fatal(err)
	}
	if len(hits) != 1 || hits[0].ID != b.ID {
		t.Errorf("search for B's word after the undo: %+v, want B", hits)
	}
	if _, err := w.s.Support(ctx, b.ID, us[0], nil); err != nil {
		t.Errorf("B takes supports again: %v", err)
	}
}

// TestMerge_UndoRefused: after 7 days; after A was answered since the merge
// opened its answer period; by an official of another ministry.
func TestMerge_UndoRefused(t *testing.T) {
	w := newWorld(t)
	ansThresholds(t, w.s, 2, 30, 30)
	mod := mergeStaff(t, w, forum.RoleModerator, 0)
	us := newUsers(t, w.s, 2)

	a, b := w.openProposal(t, "가"), w.openProposal(t, "나")
	m, err := w.s.MergeProposal(ctx, mod, b.ID, a.ID, "중복")
	if err != nil {
		t.Fatal(err)
	}
	otherMinistry, _ := places(t, w.s, "other")
	_, err = w.s.UndoMerge(ctx, mergeStaff(t, w, forum.RoleOfficial, otherMinistry), m.ID, "실수")
	wantRefusal(t, err, nil, "err.merge_forbidden")
	w.clock.advance(forum.MergeUndoWindow)
	_, err = w.s.UndoMerge(ctx, mod, m.ID, "늦은 취소")
	wantRefusal(t, err, nil, "err.merge_undo_expired")

	c, d := w.openProposal(t, "다"), w.openProposal(t, "라")
	supportAll(t, w.s, c.ID, us[0])
	supportAll(t, w.s, d.ID, us[1])
	m2, err := w.s.MergeProposal(ctx, mod, d.ID, c.ID, "중복")
	if err != nil {
		t.Fatal(err)
	}
	if g, _ := w.s.Proposal(ctx, c.ID); g.Status != forum.StatusAwaiting {
		t.Fatalf("C is %s, want awaiting", g.Status)
	}
	official := mergeStaff(t, w, forum.RoleOfficial, w.ministry)
	ansPublish(t, w.s, official, c.ID, ansAnswer(forum.DecisionAccepted, "수용"))
	_, err = w.s.UndoMerge(ctx, mod, m2.ID, "취소")
	wantRefusal(t, err, nil, "err.merge_undo_answered")
	checkCounters(t, w.s)
}

// TestMerge_ConcurrentSupports: supports to A and to B keep coming while B
// is merged into A. Afterwards A has exactly one support per person who
// supported A or B (a support of B that came after the merge was refused,
// and its person asked to support A), and the counters equal the rows.
func TestMerge_ConcurrentSupports(t *testing.T) {
	w := newWorld(t)
	ansThresholds(t, w.s, 100000, 30, 30)
	a, b := w.openProposal(t, "동시 A"), w.openProposal(t, "동시 B")
	before := newUsers(t, w.s, 60)
	supportAll(t, w.s, a.ID, before[:40]...)
	supportAll(t, w.s, b.ID, before[20:]...) // 20 shared
	during := newUsers(t, w.s, 400)
	mod := mergeStaff(t, w, forum.RoleModerator, 0)
	var mu sync.Mutex
	okA, okB := map[int64]bool{}, map[int64]bool{}
	var wg sync.WaitGroup
	start := make(chan struct{})
	// The merge starts once a quarter of the supports are answered, while the others are on their way.
	quarter, answered := make(chan struct{}), 0
	// 20 streams of supports, each one after the other, half to A and half to B.
	const streams = 20
	for k := 0; k < streams; k++ {
		wg.Add(1)
		go func(k int) {
			defer wg.Done()
			<-start
			for j := k; j < len(during); j += streams {
				u, target := during[j], a.ID
				if (j/streams)%2 == 1 {
					target = b.ID
				}
				_, err := w.s.Support(ctx, target, u, nil)
				mu.Lock()
				if answered++; answered == len(during)/4 {
					close(quarter)
				}
				switch {
				case err == nil && target == a.ID:
					okA[u] = true
				case err == nil:
					okB[u] = true
				default:
					var r *forum.Refusal
					if target != b.ID || !errors.As(err, &r) || r.Key != "err.proposal_merged" {
						t.Errorf("support of %d by %d: %v", target, u, err)
					}
				}
				mu.Unlock()
			}
		}(k)
	}
	var merr error
	wg.Add(1)
	go func() {
		defer wg.Done()
		<-quarter
		_, merr = w.s.MergeProposal(ctx, mod, b.ID, a.ID, "동시 병합")
	}()
	close(start)
	wg.Wait()
	if merr != nil {
		t.Fatal(merr)
	}
	want := map[int64]bool{}
	for _, u := range before {
		want[u] = true
	}
	for u := range okA {
		want[u] = true
	}
	for u := range okB {
		want[u] = true
	}
	rows, err := w.s.DB().Query(`SELECT user_id FROM supports WHERE proposal_id = ?`, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	got := map[int64]bool{}
	for rows.Next() {
		var u int64
		if err := rows.Scan(&u); err != nil {
			t.Fatal(err)
		}
		got[u] = true
	}
	rows.Close()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("A has %d supporters, want the %d distinct supporters of A and B", len(got), len(want))
	}
	if g, _ := w.s.Proposal(ctx, a.ID); g.Supports != len(want) {
		t.Errorf("A's count = %d, want %d", g.Supports, len(want))
	}
	if n := count(t, w.s, `SELECT count(*) FROM supports WHERE proposal_id = ?`, b.ID); n != 0 {
		t.Errorf("B has %d supports after the merge", n)
	}
	t.Logf("during the merge: %d supports of A, %d of B before it", len(okA), len(okB))
	checkCounters(t, w.s)
}

// BenchmarkMerge10k merges a proposal with 10,000 supporters into one with
// 10,000 (5,000 of them shared): one merge per op, a fresh pair of
// proposals set up outside the timer.
func BenchmarkMerge10k(b *testing.B) {
	w := newWorld(b)
	ansThresholds(b, w.s, 1000000, 30, 30)
	users := newUsers(b, w.s, 15000)
	mod := mergeStaff(b, w, forum.RoleModerator, 0)
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		pa, pb := w.openProposal(b, fmt.Sprintf("벤치 A %d", i)), w.openProposal(b, fmt.Sprintf("벤치 B %d", i))
		bulkSupports(b, w.s, pa.ID, users[:10000])
		bulkSupports(b, w.s, pb.ID, users[5000:])
		b.StartTimer()
		m, err := w.s.MergeProposal(ctx, mod, pb.ID, pa.ID, "벤치마크")
		if err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		if m.Moved != 10000 || m.Added != 5000 {
			b.Fatalf("merge moved %d, added %d", m.Moved, m.Added)
		}
		if g, _ := w.s.Proposal(ctx, pa.ID); g.Supports != 15000 {
			b.Fatalf("A has %d supports", g.Supports)
		}
		b.StartTimer()
	}
}

// bulkSupports inserts supports (and the follows that come with them) of
// users on proposal id directly, and sets its counter, for a benchmark's set-up.
func bulkSupports(tb testing.TB, s *Store, id int64, users []int64) {
	tb.Helper()
	const chunk = 500
	for i := 0; i < len(users); i += chunk {
		part := users[i:min(i+chunk, len(users))]
		args := make([]any, 0, 2*len(part))
		for k, u := range part {
			args = append(args, u, int64(1700000000+k))
		}
		if _, err := s.DB().Exec(`INSERT INTO supports (proposal_id, user_id, created_at) SELECT `+fmt.Sprint(id)+`, column1, column2 FROM (VALUES `+
			placeholders("(?, ?)", len(part))+`) v`, args...); err != nil {
			tb.Fatal(err)
		}
		if _, err := s.DB().Exec(`INSERT INTO follows (user_id, item_kind, item_id, created_at) SELECT column1, 'proposal', `+fmt.Sprint(id)+`, column2 FROM (VALUES `+
			placeholders("(?, ?)", len(part))+`) v`, args...); err != nil {
			tb.Fatal(err)
		}
	}
	if _, err := s.DB().Exec(`UPDATE proposals SET support_count = ? WHERE id = ?`, len(users), id); err != nil {
		tb.Fatal(err)
	}
}
