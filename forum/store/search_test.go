package store

import (
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/e-people/e-people/forum"
	"github.com/e-people/e-people/moderation"
)

// hitKeys runs a search and returns its hits as "kind:id" in rank order.
func hitKeys(tb testing.TB, s *Store, q SearchQuery) []string {
	tb.Helper()
	hits, total, err := s.Search(ctx, q)
	if err != nil {
		tb.Fatalf("search %+v: %v", q, err)
	}
	if total < len(hits) {
		tb.Fatalf("search %+v: total %d < %d hits", q, total, len(hits))
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
		CategoryID: w.category, MinistryID: w.ministry}, html("x"), forum.DefaultRules, nil)
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
		Body:  html("x")}, 0)
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
	if err != nil || total != 2 || len(hits) != 1 {
		t.Fatalf("search: %d hits of %d, %v", len(hits), total, err)
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
