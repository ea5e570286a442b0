package store

import (
	"encoding/base64"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/e-people/e-people/forum"
)

func contains(s, sub string) bool { return strings.Contains(s, sub) }

// listed is what the list tests know about one public proposal.
type listed struct {
	id                         int64
	published                  int64
	supports, recent, comments int
	status                     forum.ProposalStatus
	category, ministry         int64
}

// listWorld is 45 public proposals with varied keys, plus private ones that must never show.
type listWorld struct {
	*world
	all        []*listed
	categories []int64
	ministries []int64
}

func (lw *listWorld) create(tb testing.TB, title string, category, ministry int64) *forum.Proposal {
	tb.Helper()
	p, err := lw.s.CreateProposal(ctx, NewProposal{AuthorID: lw.author.ID,
		Input: forum.ProposalInput{Title: title, Body: "본문", CategoryID: category, MinistryID: ministry},
		Body:  html("본문"), SponsorToken: "t"}, 0)
	if err != nil {
		tb.Fatal(err)
	}
	return p
}

func newListWorld(tb testing.TB) *listWorld {
	tb.Helper()
	lw := &listWorld{world: newWorld(tb)}
	for _, slug := range []string{"a", "b", "c"} {
		m, c := places(tb, lw.s, slug)
		lw.categories = append(lw.categories, c)
		lw.ministries = append(lw.ministries, m)
	}
	lw.ministries = lw.ministries[:2]
	for i := range 45 {
		if i%3 != 1 { // every third proposal shares its second with the one before
			lw.clock.advance(time.Second)
		}
		p := lw.create(tb, fmt.Sprintf("제안 %02d", i), lw.categories[i%3], lw.ministries[i%2])
		lw.all = append(lw.all, &listed{id: p.ID, published: p.PublishedAt.Unix(), status: forum.StatusOpen,
			category: lw.categories[i%3], ministry: lw.ministries[i%2]})
	}
	old := newUsers(tb, lw.s, 8)
	for i, l := range lw.all {
		l.supports = (i * 7) % 9
		for _, u := range old[:l.supports] {
			if _, err := lw.s.Support(ctx, l.id, u, nil); err != nil {
				tb.Fatal(err)
			}
		}
	}
	lw.clock.advance(8 * 24 * time.Hour) // the old supports fall out of the trending window
	recent := newUsers(tb, lw.s, 3)
	commenter := newUser(tb, lw.s, "commenter")
	for i, l := range lw.all {
		l.recent = (i * 5) % 4
		for _, u := range recent[:l.recent] {
			if _, err := lw.s.Support(ctx, l.id, u, nil); err != nil {
				tb.Fatal(err)
			}
		}
		l.supports += l.recent
		l.comments = (i * 3) % 5
		for range l.comments {
			lw.comment(tb, l.id, commenter.ID, 0, "의견")
		}
	}
	for i, l := range lw.all {
		if i%5 == 0 {
			if _, err := lw.s.DB().Exec(`UPDATE proposals SET status = 'closed', closed_at = ? WHERE id = ?`,
				lw.clock.now().Unix(), l.id); err != nil {
				tb.Fatal(err)
			}
			l.status = forum.StatusClosed
		}
	}
	// Private and withdrawn proposals that must never be listed.
	lw.propose(tb, "초안", true, 5)
	lw.propose(tb, "모집 중", false, 5)
	w := lw.openProposal(tb, "철회됨")
	if err := lw.s.Withdraw(ctx, w.ID, lw.author.ID); err != nil {
		tb.Fatal(err)
	}
	checkCounters(tb, lw.s)
	return lw
}

// expected returns the ids of the proposals kept by keep, in the order of sort.
func (lw *listWorld) expected(sort Sort, keep func(*listed) bool) []int64 {
	var ls []*listed
	for _, l := range lw.all {
		if keep == nil || keep(l) {
			ls = append(ls, l)
		}
	}
	key := func(l *listed) int64 {
		switch sort {
		case SortSupported:
			return int64(l.supports)
		case SortDebated:
			return int64(l.comments)
		case SortTrending:
			return int64(l.recent)
		}
		return l.published
	}
	slices.SortFunc(ls, func(a, b *listed) int {
		if ka, kb := key(a), key(b); ka != kb {
			return int(kb - ka)
		}
		return int(b.id - a.id)
	})
	var ids []int64
	for _, l := range ls {
		ids = append(ids, l.id)
	}
	return ids
}

func ids(ps []*forum.Proposal) []int64 {
	var out []int64
	for _, p := range ps {
		out = append(out, p.ID)
	}
	return out
}

// pageAll follows the cursor from q to the last page and returns every id
// seen, failing on any page longer than the limit.
func pageAll(tb testing.TB, s *Store, q ProposalQuery) []int64 {
	tb.Helper()
	var out []int64
	for range 100 {
		page, err := s.ListProposals(ctx, q)
		if err != nil {
			tb.Fatalf("ListProposals(%+v): %v", q, err)
		}
		if len(page.Proposals) > q.Limit {
			tb.Fatalf("page of %d with limit %d", len(page.Proposals), q.Limit)
		}
		out = append(out, ids(page.Proposals)...)
		if page.Next == "" {
			return out
		}
		if len(page.Proposals) != q.Limit {
			tb.Errorf("a short page of %d has a next cursor", len(page.Proposals))
		}
		q.Cursor = page.Next
	}
	tb.Fatal("pagination does not end")
	return nil
}

func TestStore_ListProposals(t *testing.T) {
	lw := newListWorld(t)
	sorts := []Sort{SortNewest, SortSupported, SortDebated, SortTrending}

	t.Run("filters", func(t *testing.T) {
		for _, tc := range []struct {
			name string
			q    ProposalQuery
			keep func(*listed) bool
		}{
			{"all public", ProposalQuery{}, nil},
			{"open", ProposalQuery{Status: forum.StatusOpen}, func(l *listed) bool { return l.status == forum.StatusOpen }},
			{"closed", ProposalQuery{Status: forum.StatusClosed}, func(l *listed) bool { return l.status == forum.StatusClosed }},
			{"draft asks for nothing", ProposalQuery{Status: forum.StatusDraft}, func(*listed) bool { return false }},
			{"category", ProposalQuery{CategoryID: lw.categories[1]}, func(l *listed) bool { return l.category == lw.categories[1] }},
			{"ministry", ProposalQuery{MinistryID: lw.ministries[0]}, func(l *listed) bool { return l.ministry == lw.ministries[0] }},
			{"open in a category and ministry", ProposalQuery{Status: forum.StatusOpen, CategoryID: lw.categories[2], MinistryID: lw.ministries[1]},
				func(l *listed) bool {
					return l.status == forum.StatusOpen && l.category == lw.categories[2] && l.ministry == lw.ministries[1]
				}},
			{"author", ProposalQuery{AuthorID: lw.author.ID}, nil},
			{"other author", ProposalQuery{AuthorID: 9999}, func(*listed) bool { return false }},
		} {
			for _, sort := range sorts {
				t.Run(tc.name+"/"+string(sort), func(t *testing.T) {
					q := tc.q
					q.Sort, q.Limit = sort, 100
					page, err := lw.s.ListProposals(ctx, q)
					if err != nil {
						t.Fatal(err)
					}
					if got, want := ids(page.Proposals), lw.expected(sort, tc.keep); !slices.Equal(got, want) {
						t.Errorf("ids = %v\nwant %v", got, want)
					}
					if page.Next != "" {
						t.Errorf("single page has a next cursor")
					}
				})
			}
		}
	})

	t.Run("every sort pages through each proposal once", func(t *testing.T) {
		for _, sort := range sorts {
			want := lw.expected(sort, nil)
			if len(want) != 45 {
				t.Fatalf("model holds %d proposals", len(want))
			}
			if got := pageAll(t, lw.s, ProposalQuery{Sort: sort, Limit: 10}); !slices.Equal(got, want) {
				t.Errorf("%s: paged ids = %v\nwant %v", sort, got, want)
			}
		}
		// An unknown sort is newest; a limit out of range is the default 20.
		page, err := lw.s.ListProposals(ctx, ProposalQuery{Sort: "bogus", Limit: 1000})
		if err != nil || len(page.Proposals) != 20 || page.Proposals[0].ID != lw.expected(SortNewest, nil)[0] {
			t.Errorf("defaults: %d proposals, %v", len(page.Proposals), err)
		}
	})

	t.Run("proposals published while paging", func(t *testing.T) {
		for _, sort := range sorts {
			q := ProposalQuery{Sort: sort, Limit: 10}
			first, err := lw.s.ListProposals(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			fresh := map[int64]bool{}
			for i := range 5 {
				if i%2 == 0 {
					lw.clock.advance(time.Second)
				}
				fresh[lw.create(t, fmt.Sprintf("새 제안 %s %d", sort, i), lw.categories[0], lw.ministries[0]).ID] = true
			}
			q.Cursor = first.Next
			rest := pageAll(t, lw.s, q)
			var originals []int64
			for _, id := range rest {
				if fresh[id] {
					if sort == SortNewest {
						t.Errorf("newest: a proposal published after page 1 showed up on a later page")
					}
					continue // it sorts below the cursor under this key: seen once, never displacing
				}
				originals = append(originals, id)
			}
			got := append(ids(first.Proposals), originals...)
			if want := lw.expected(sort, nil); !slices.Equal(got, want) {
				t.Errorf("%s: pages 1.. = %v\nwant %v", sort, got, want)
			}
			for id := range fresh { // keep the model to the 45 originals
				if _, err := lw.s.DB().Exec(`UPDATE proposals SET status = 'withdrawn' WHERE id = ?`, id); err != nil {
					t.Fatal(err)
				}
			}
		}
	})

	t.Run("malformed cursor", func(t *testing.T) {
		enc := base64.RawURLEncoding.EncodeToString
		for _, c := range []string{"!!!", "a b", enc([]byte("12")), enc([]byte("x.1")), enc([]byte("1.x")), enc([]byte("1.")),
			enc([]byte("99999999999999999999.1")), "' OR 1=1 --"} {
			_, err := lw.s.ListProposals(ctx, ProposalQuery{Cursor: c})
			wantInvalid(t, err, "err.bad_cursor")
		}
	})
}
