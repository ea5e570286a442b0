package store

import (
	"sync/atomic"
	"testing"

	"github.com/e-people/e-people/forum"
)

// BenchmarkSupportParallel measures supports from many distinct users on one
// open proposal, all arriving at once.
func BenchmarkSupportParallel(b *testing.B) {
	w := newWorld(b)
	p := w.openProposal(b, "벤치마크 제안")
	users := newUsers(b, w.s, b.N)
	// Many requests at once, as when a proposal goes viral: 64 per core.
	b.SetParallelism(64)
	var next atomic.Int64
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := w.s.Support(ctx, p.ID, users[next.Add(1)-1], nil); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.StopTimer()
	st := w.s.WriteStats()
	b.ReportMetric(float64(st.Writes)/float64(max(st.Transactions, 1)), "writes/tx")
	if got, err := w.s.Proposal(ctx, p.ID); err != nil || got.Supports != b.N {
		b.Fatalf("support_count = %d, %v; want %d", got.Supports, err, b.N)
	}
}

// BenchmarkComments1000 measures loading a thread of 1,000 comments.
func BenchmarkComments1000(b *testing.B) {
	w := newWorld(b)
	p := w.openProposal(b, "긴 토론")
	users := newUsers(b, w.s, 50)
	// Comment i (from 1) is top level when i%3 == 1 and otherwise replies to
	// comment i-1, giving threads three deep. The fresh database numbers comments from 1.
	_, err := w.s.DB().Exec(`WITH RECURSIVE seq(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM seq WHERE i < 1000)
		INSERT INTO comments (id, proposal_id, parent_id, depth, author_id, stance, body_src, body_html, created_at, updated_at)
		SELECT i, ?1, CASE WHEN i % 3 = 1 THEN NULL ELSE i - 1 END, CASE i % 3 WHEN 1 THEN 1 WHEN 2 THEN 2 ELSE 3 END,
			?2 + i % 50, 'for', '댓글 본문 ' || i || ' 입니다. 정책에 대한 의견을 충분히 길게 적습니다.',
			'<p>댓글 본문 ' || i || ' 입니다. 정책에 대한 의견을 충분히 길게 적습니다.</p>', 0, 0 FROM seq`, p.ID, users[0])
	if err != nil {
		b.Fatal(err)
	}
	if _, err := w.s.DB().Exec(`UPDATE proposals SET comment_count = 1000 WHERE id = ?`, p.ID); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		cs, err := w.s.Comments(ctx, forum.ProposalSubject(p.ID))
		if err != nil || len(cs) != 1000 {
			b.Fatalf("Comments = %d, %v", len(cs), err)
		}
	}
	b.StopTimer()
	cs, _ := w.s.Comments(ctx, forum.ProposalSubject(p.ID))
	if roots := forum.Thread(cs); len(roots) != 334 {
		b.Fatalf("roots = %d, want 334", len(roots))
	}
}
