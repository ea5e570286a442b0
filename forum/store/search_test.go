package store

import (
	"errors"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/e-people/e-people/forum"
	"github.com/e-people/e-people/forum/search"
	"github.com/e-people/e-people/forum/store/storetest"
	"github.com/e-people/e-people/moderation"
)

// hitKeys runs a search and returns its hits as "kind:id" in rank order.
func hitKeys(tb testing.TB, s *Store, q SearchQuery) []string {
	tb.Helper()
	hits, total, err := s.Search(ctx, q)
	if err != nil {
		tb.Fatalf("search %+v: %v", q, err)
	}
	if total.Count < len(hits) {
		tb.Fatalf("search %+v: total %d < %d hits", q, total.Count, len(hits))
	}
	var out []string
	for _, h := range hits {
		out = append(out, h.Kind+":"+itoa(h.ID))
	}
	return out
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func wantHits(tb testing.TB, s *Store, q SearchQuery, want ...string) {
	tb.Helper()
	got := hitKeys(tb, s, q)
	if strings.Join(got, " ") != strings.Join(want, " ") {
		tb.Errorf("search %q (kind %q status %q ministry %d category %d) = %v, want %v", q.Text, q.Kind, q.Status, q.MinistryID, q.CategoryID, got, want)
	}
}

func TestStore_SearchLifecycle(t *testing.T) {
	w := newWorld(t)
	mod := w.member(t, forum.RoleModerator, "moderator")
	p := w.openProposal(t, "국민 교통 정책 개선")
	pid := "proposal:" + itoa(p.ID)
	wantHits(t, w.s, SearchQuery{Text: "국민"}, pid)
	wantHits(t, w.s, SearchQuery{Text: "정책"}, pid)
	wantHits(t, w.s, SearchQuery{Text: "교통정책"})   // 통정 is not in "교통 정책"
	wantHits(t, w.s, SearchQuery{Text: "국"}, pid) // a lone character matches the bigrams it starts

	// A draft and a proposal still gathering sponsors are private.
	w.propose(t, "국민 비공개 초안", true, 0)
	w.propose(t, "국민 서명 모집", false, 3)
	wantHits(t, w.s, SearchQuery{Text: "국민"}, pid)

	// Edit updates the index.
	err := w.s.EditProposal(ctx, p.ID, w.author.ID, forum.ProposalInput{Title: "Public transit policy", Body: "버스 노선",
		CategoryID: w.category, MinistryID: w.ministry}, html("버스 노선"), forum.DefaultRules, nil)
	if err != nil {
		t.Fatal(err)
	}
	wantHits(t, w.s, SearchQuery{Text: "국민"})
	wantHits(t, w.s, SearchQuery{Text: "TRANSIT policy"}, pid)
	wantHits(t, w.s, SearchQuery{Text: "버스"}, pid)

	c := w.comment(t, p.ID, w.author.ID, 0, "버스 요금이 비쌉니다")
	cid := "comment:" + itoa(c.ID)
	wantHits(t, w.s, SearchQuery{Text: "요금"}, cid)

	// Hide removes, restore re-adds; hiding a proposal takes its comments with it.
	if err := w.s.Hide(ctx, mod, forum.ItemComment, c.ID, moderation.HideSpam); err != nil {
		t.Fatal(err)
	}
	wantHits(t, w.s, SearchQuery{Text: "요금"})
	if err := w.s.Restore(ctx, mod, forum.ItemComment, c.ID); err != nil {
		t.Fatal(err)
	}
	wantHits(t, w.s, SearchQuery{Text: "요금"}, cid)
	if err := w.s.Hide(ctx, mod, forum.ItemProposal, p.ID, moderation.HideOfftopic); err != nil {
		t.Fatal(err)
	}
	wantHits(t, w.s, SearchQuery{Text: "버스"})
	if err := w.s.Restore(ctx, mod, forum.ItemProposal, p.ID); err != nil {
		t.Fatal(err)
	}
	wantHits(t, w.s, SearchQuery{Text: "버스", Kind: SearchComment}, cid)

	// Deleting a comment removes it.
	if _, err := w.s.DeleteComment(ctx, c.ID, w.author.ID); err != nil {
		t.Fatal(err)
	}
	wantHits(t, w.s, SearchQuery{Text: "요금"})

	// Withdrawn before publication: gone; withdrawn after: stays (it was public).
	g := w.propose(t, "철회 예정 제안", false, 3)
	if err := w.s.Withdraw(ctx, g.ID, w.author.ID); err != nil {
		t.Fatal(err)
	}
	wantHits(t, w.s, SearchQuery{Text: "철회"})
	if n := count(t, w.s, `SELECT count(*) FROM search_index WHERE item_id = ? AND kind = 'proposal'`, g.ID); n != 0 {
		t.Errorf("withdrawn draft still indexed: %d rows", n)
	}

	// Debates are indexed with their question and background.
	d := w.debate(t, "政府 예산 토론", time.Hour, 2*time.Hour)
	wantHits(t, w.s, SearchQuery{Text: "政府"}, "debate:"+itoa(d.ID))
	wantHits(t, w.s, SearchQuery{Text: "예산", Status: "upcoming"}, "debate:"+itoa(d.ID))
	wantHits(t, w.s, SearchQuery{Text: "예산", Status: "open"})
}

func TestStore_SearchHeldProposal(t *testing.T) {
	w := newWorld(t)
	_, err := w.s.CreateProposal(ctx, NewProposal{AuthorID: w.author.ID, SponsorToken: "t",
		Input: forum.ProposalInput{Title: "보류 제안", Body: "본문", CategoryID: w.category, MinistryID: w.ministry},
		Body:  html("x"), Hold: []string{"links"}}, 0)
	if err != nil {
		t.Fatal(err)
	}
	wantHits(t, w.s, SearchQuery{Text: "보류"})
}

func TestStore_SearchFiltersAndRanking(t *testing.T) {
	w := newWorld(t)
	m2, cat2 := places(t, w.s, "second")
	a := w.openProposal(t, "AI 정책 proposal")
	b, err := w.s.CreateProposal(ctx, NewProposal{AuthorID: w.author.ID, SponsorToken: "b",
		Input: forum.ProposalInput{Title: "정책 정책 정책 AI", Body: "정책 proposal 정책", CategoryID: cat2, MinistryID: m2},
		Body:  html("정책 proposal 정책")}, 0)
	if err != nil {
		t.Fatal(err)
	}
	pa, pb := "proposal:"+itoa(a.ID), "proposal:"+itoa(b.ID)
	// Ranking: the proposal saying 정책 more often comes first.
	wantHits(t, w.s, SearchQuery{Text: "정책"}, pb, pa)
	wantHits(t, w.s, SearchQuery{Text: "ai 정책 PROPOSAL"}, pa, pb) // a names all three, twice, in fewer words
	wantHits(t, w.s, SearchQuery{Text: "정책", MinistryID: w.ministry}, pa)
	wantHits(t, w.s, SearchQuery{Text: "정책", CategoryID: cat2}, pb)
	wantHits(t, w.s, SearchQuery{Text: "정책", Status: "open"}, pb, pa)
	wantHits(t, w.s, SearchQuery{Text: "정책", Status: "closed"})
	wantHits(t, w.s, SearchQuery{Text: "정책", Kind: SearchDebate})
	wantHits(t, w.s, SearchQuery{Text: "정책", From: w.clock.now().Add(time.Hour)})
	wantHits(t, w.s, SearchQuery{Text: "정책", To: w.clock.now().Add(time.Hour)}, pb, pa)
	wantHits(t, w.s, SearchQuery{Text: "정책", Limit: 1, Offset: 1}, pa)

	hits, total, err := w.s.Search(ctx, SearchQuery{Text: "proposal", Limit: 1})
	if err != nil || total != (SearchTotal{Count: 2}) || len(hits) != 1 {
		t.Fatalf("search: %d hits of %+v, %v", len(hits), total, err)
	}
	if hits[0].Title == "" || hits[0].Score <= 0 || !marked(hits[0].Snippet) {
		t.Errorf("hit = %+v: want a title, a positive score and a marked snippet", hits[0])
	}
	for _, q := range []string{"", "  ", "?!…", "\"*"} {
		if _, _, err := w.s.Search(ctx, SearchQuery{Text: q}); !errors.Is(err, ErrEmptySearch) {
			t.Errorf("search %q: err %v, want ErrEmptySearch", q, err)
		}
	}
	if _, _, err := w.s.Search(ctx, SearchQuery{Text: "정책", Kind: "nope"}); err == nil {
		t.Error("bad kind: no error")
	}
}

// smallWindow makes search rank n matches at a time for one test.
func smallWindow(t *testing.T, n int) {
	old := searchWindow
	searchWindow = n
	t.Cleanup(func() { searchWindow = old })
}

func TestStore_SearchWindowOrder(t *testing.T) {
	w := newWorld(t)
	var ids []string
	for _, title := range []string{"정책 하나", "정책 정책 정책 둘", "정책 셋", "정책 정책 정책 넷", "정책 다섯"} {
		ids = append(ids, "proposal:"+itoa(w.openProposal(t, title).ID))
	}
	// One window holding every match: BM25 order, ties newest first.
	wantHits(t, w.s, SearchQuery{Text: "정책"}, ids[3], ids[1], ids[4], ids[2], ids[0])

	// Windows of two, newest first, each in BM25 order: the newest match
	// (다섯) comes before an older, better one (둘).
	smallWindow(t, 2)
	all := []string{ids[3], ids[4], ids[1], ids[2], ids[0]}
	wantHits(t, w.s, SearchQuery{Text: "정책"}, all...)
	for off := range all {
		wantHits(t, w.s, SearchQuery{Text: "정책", Limit: 1, Offset: off}, all[off])
	}
	wantHits(t, w.s, SearchQuery{Text: "정책", Limit: 3, Offset: 1}, all[1:4]...)
	wantHits(t, w.s, SearchQuery{Text: "정책", Limit: 2, Offset: 3}, all[3:]...)
	wantHits(t, w.s, SearchQuery{Text: "정책", Limit: 2, Offset: 5})
}

func TestStore_SearchFiltersAcrossWindows(t *testing.T) {
	w := newWorld(t)
	m2, cat2 := places(t, w.s, "second")
	var second []string // newest first
	for i := range 6 {
		m, c := w.ministry, w.category
		if i%2 == 1 {
			m, c = m2, cat2
		}
		p, err := w.s.CreateProposal(ctx, NewProposal{AuthorID: w.author.ID, SponsorToken: "f" + itoa(int64(i)),
			Input: forum.ProposalInput{Title: "교통 정책 " + itoa(int64(i)), Body: "본문", CategoryID: c, MinistryID: m},
			Body:  html("x")}, 0)
		if err != nil {
			t.Fatal(err)
		}
		if m == m2 {
			second = append([]string{"proposal:" + itoa(p.ID)}, second...)
		}
	}
	// The window holds two matches of the filter, not two matches of the
	// text of which the filter keeps some: no page comes up short.
	smallWindow(t, 2)
	for _, q := range []SearchQuery{{Text: "정책", MinistryID: m2}, {Text: "정책", CategoryID: cat2}, {Text: "교통", MinistryID: m2, CategoryID: cat2, Status: "open"}} {
		q.Limit = 2
		wantHits(t, w.s, q, second[:2]...)
		q.Offset = 2
		wantHits(t, w.s, q, second[2])
		for off := range second {
			q.Limit, q.Offset = 1, off
			wantHits(t, w.s, q, second[off])
			_, total, err := w.s.Search(ctx, q)
			if err != nil || total != (SearchTotal{Count: 3}) {
				t.Errorf("search %+v: total %+v, %v; want exactly 3", q, total, err)
			}
		}
	}
	wantHits(t, w.s, SearchQuery{Text: "정책", MinistryID: m2, Status: "closed"})
}

func TestStore_SearchBoundedCount(t *testing.T) {
	w := newWorld(t)
	for i := range 5 {
		w.openProposal(t, "국민 제안 "+itoa(int64(i)))
	}
	for _, window := range []int{1000, 2} { // the walk reaching the end, and the count query
		smallWindow(t, window)
		for _, tt := range []struct {
			q    SearchQuery
			want SearchTotal
		}{
			{SearchQuery{Limit: 1, CountUpTo: 3}, SearchTotal{Count: 3, More: true}},
			{SearchQuery{Limit: 1, CountUpTo: 4}, SearchTotal{Count: 4, More: true}},
			{SearchQuery{Limit: 1, CountUpTo: 5}, SearchTotal{Count: 5}},
			{SearchQuery{Limit: 1, CountUpTo: 6}, SearchTotal{Count: 5}},
			{SearchQuery{Limit: 1}, SearchTotal{Count: 5}}, // DefaultSearchCount
			// The bound reaches at least the end of the page: More means a next page.
			{SearchQuery{Limit: 2, Offset: 2, CountUpTo: 1}, SearchTotal{Count: 4, More: true}},
			{SearchQuery{Limit: 2, Offset: 3, CountUpTo: 1}, SearchTotal{Count: 5}},
			{SearchQuery{Limit: 2, Offset: 9, CountUpTo: 1}, SearchTotal{Count: 5}},
		} {
			tt.q.Text = "국민"
			hits, total, err := w.s.Search(ctx, tt.q)
			if err != nil || total != tt.want {
				t.Errorf("window %d, search %+v: total %+v, %v; want %+v", window, tt.q, total, err, tt.want)
			}
			if want := min(tt.q.Limit, max(5-tt.q.Offset, 0)); len(hits) != want {
				t.Errorf("window %d, search %+v: %d hits, want %d", window, tt.q, len(hits), want)
			}
		}
	}
}

// TestStore_SearchWalkPlan checks that the candidate walk reads the index in
// rowid order, so that LIMIT ends it, rather than sorting every match the way
// a rank order does.
func TestStore_SearchWalkPlan(t *testing.T) {
	for kind, n := range searchKinds {
		if searchKindOf[n] != kind {
			t.Errorf("rowid kind %d is %q, want %q", n, searchKindOf[n], kind)
		}
	}
	w := newWorld(t)
	w.openProposal(t, "국민 정책")
	match, arg, _ := w.s.searchMatch("정책", false)
	cond := match + ` AND ministry_id = ?`
	if storetest.Postgres() {
		searchPlanPostgres(t, w, cond, arg)
		return
	}
	const sortAll = "USE TEMP B-TREE FOR ORDER BY"
	walk := strings.Join(queryPlan(t, w.s, searchWalkSQL(cond), arg, w.ministry, 20, 0), "\n")
	if strings.Contains(walk, sortAll) || !strings.Contains(walk, "VIRTUAL TABLE") {
		t.Errorf("walk plan:\n%s\nwant the FTS5 index in rowid order, no sort", walk)
	}
	count := strings.Join(queryPlan(t, w.s, searchCountSQL(cond), arg, w.ministry, 10001), "\n")
	if strings.Contains(count, sortAll) {
		t.Errorf("count plan:\n%s\nwant no sort", count)
	}
	// The check sees a sort where there is one: ranking every match by bm25.
	rank := strings.Join(queryPlan(t, w.s, `SELECT rowid FROM search_index WHERE `+cond+` ORDER BY bm25(search_index) LIMIT 20`, arg, w.ministry), "\n")
	if !strings.Contains(rank, sortAll) {
		t.Errorf("bm25 plan:\n%s\nwant %q", rank, sortAll)
	}
}

// searchPlanPostgres is TestStore_SearchWalkPlan on PostgreSQL, whose
// planner picks by its statistics (a table this small is read whole): with
// sequential scans ruled out, the match must be served by the document's
// GIN index, and the walk must not read the table whole.
func searchPlanPostgres(t *testing.T, w *world, cond, arg string) {
	count := pgPlan(t, w.s, searchCountSQL(cond), arg, w.ministry, 10001)
	if !strings.Contains(count, "search_index_document") {
		t.Errorf("count plan:\n%s\nwant the GIN index search_index_document", count)
	}
	walk := pgPlan(t, w.s, searchWalkSQL(cond), arg, w.ministry, 20, 0)
	if strings.Contains(walk, "Seq Scan") {
		t.Errorf("walk plan:\n%s\nwant an index, not the whole table", walk)
	}
	// The check sees a match the index cannot serve: the tsvector computed row by row.
	bad := pgPlan(t, w.s, `SELECT count(*) FROM search_index WHERE to_tsvector('simple', tokens) @@ to_tsquery('simple', ?1)`, arg)
	if strings.Contains(bad, "search_index_document") || !strings.Contains(bad, "Seq Scan") {
		t.Errorf("plan of a per-row tsvector:\n%s\nwant a sequential scan", bad)
	}
}

// TestStore_SimilarProposals: the proposals sharing the most words with a
// draft's title come first, a proposal sharing none and other kinds of
// item are left out, and a title of punctuation finds nothing.
func TestStore_SimilarProposals(t *testing.T) {
	w := newWorld(t)
	most := w.openProposal(t, "어린이 통학로 안전 강화")
	some := w.openProposal(t, "통학로 개선")
	other := w.openProposal(t, "공공 와이파이 확대")
	w.comment(t, other.ID, w.author.ID, 0, "통학로 안전 통학로 안전") // a comment is not a proposal to support
	w.propose(t, "통학로 안전 초안", true, 0)                      // a draft is not public
	got, err := w.s.SimilarProposals(ctx, "통학로 안전!", 5)
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for _, p := range got {
		ids = append(ids, p.ID)
	}
	if len(ids) != 2 || ids[0] != most.ID || ids[1] != some.ID {
		t.Errorf("similar to 통학로 안전 = %v, want [%d %d]", ids, most.ID, some.ID)
	}
	if got, err := w.s.SimilarProposals(ctx, "?!", 5); err != nil || len(got) != 0 {
		t.Errorf("similar to punctuation = %d proposals, %v; want none", len(got), err)
	}
}

// TestStore_SearchFindsItsOwnWords: a text in any script, stored as a
// proposal, is found by each of its tokens and by all of them at once, so
// the database's reading of the stored tokens (FTS5's, or PostgreSQL's
// to_tsvector) agrees with the query's: digits and letters mixed, scripts
// PostgreSQL's parser knows nothing of, compatibility forms, quotes.
func TestStore_SearchFindsItsOwnWords(t *testing.T) {
	w := newWorld(t)
	for _, text := range []string{"국민청원 AI 정책", "政府の すし 改革", "İstanbul ǅ straße ﬀ", "ＡＢＣ 123abc 1e5 007",
		`"); DROP TABLE x; -- it's a\b`, "ᄀ\u1161 ㄱㅏ 한", "Ελλάδα Россия عربي हिन्दी ไทย", "x1 y_2 3.5 v2.0-rc"} {
		p := w.openProposal(t, text)
		want := "proposal:" + itoa(p.ID)
		wantHits(t, w.s, SearchQuery{Text: text}, want)
		for _, word := range search.Tokens(text) {
			if got := hitKeys(t, w.s, SearchQuery{Text: word, Kind: SearchProposal}); !slices.Contains(got, want) {
				t.Errorf("search %q = %v, want %s (%q) among them", word, got, want, text)
			}
		}
	}
}

// TestStore_SearchHitsNameTheirThread: each hit, in one page mixing kinds,
// carries its thread's title and id and a snippet marking the match, in
// rank order.
func TestStore_SearchHitsNameTheirThread(t *testing.T) {
	w := newWorld(t)
	p := w.openProposal(t, "예산 제안")
	c := w.comment(t, p.ID, w.author.ID, 0, "예산 예산 의견")
	d := w.debate(t, "예산 토론", time.Hour, 2*time.Hour)
	hits, _, err := w.s.Search(ctx, SearchQuery{Text: "예산"})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]struct {
		title    string
		pid, did int64
	}{
		"proposal:" + itoa(p.ID): {"예산 제안", p.ID, 0},
		"comment:" + itoa(c.ID):  {"예산 제안", p.ID, 0},
		"debate:" + itoa(d.ID):   {"예산 토론", 0, d.ID},
	}
	if len(hits) != len(want) {
		t.Fatalf("%d hits, want %d: %+v", len(hits), len(want), hits)
	}
	for i, h := range hits {
		wh, ok := want[h.Kind+":"+itoa(h.ID)]
		if !ok || h.Title != wh.title || h.ProposalID != wh.pid || h.DebateID != wh.did || !marked(h.Snippet) {
			t.Errorf("hit %d = %+v; want %+v with a marked snippet", i, h, wh)
		}
		if i > 0 && h.Score > hits[i-1].Score {
			t.Errorf("hit %d scores %v above hit %d's %v", i, h.Score, i-1, hits[i-1].Score)
		}
	}
}
