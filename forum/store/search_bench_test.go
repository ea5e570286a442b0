package store

import (
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/e-people/e-people/forum/search"
	"github.com/e-people/e-people/forum/store/storetest"
)

// BenchmarkSearch measures searches over N generated public proposals
// (EPEOPLE_SEARCH_N, 20,000 by default): a two-character Korean query and a
// three-word English one, reporting p50 and p99 latency. EPEOPLE_SEARCH_DB
// keeps the generated database at that path for later runs;
// EPEOPLE_SEARCH_WINDOW ranks that many matches at a time instead of
// searchWindow.
func BenchmarkSearch(b *testing.B) {
	if v := os.Getenv("EPEOPLE_SEARCH_WINDOW"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			b.Fatalf("EPEOPLE_SEARCH_WINDOW=%q: want a positive number", v)
		}
		old := searchWindow
		searchWindow = n
		b.Cleanup(func() { searchWindow = old })
	}
	n := 20000
	if v := os.Getenv("EPEOPLE_SEARCH_N"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil || n < 1 {
			b.Fatalf("EPEOPLE_SEARCH_N=%q: want a positive number", v)
		}
	}
	path := os.Getenv("EPEOPLE_SEARCH_DB") // on PostgreSQL, a database's URL
	switch {
	case path != "":
	case storetest.Postgres():
		path = storetest.Database(b)
	default:
		path = filepath.Join(b.TempDir(), "search.db")
	}
	_, statErr := os.Stat(path)
	w := &world{s: openTestAt(b, path, time.Now)}
	if w.s.pg {
		statErr = nil
		if count(b, w.s, `SELECT count(*) FROM proposals`) == 0 {
			statErr = os.ErrNotExist
		}
	}
	if statErr != nil {
		w.ministry, w.category = places(b, w.s, "bench")
		w.author = newUser(b, w.s, "bench")
		start := time.Now()
		generateProposals(b, w, n)
		b.Logf("generated %d proposals in %s", n, time.Since(start).Round(time.Second))
	}
	for _, q := range []struct{ name, text string }{{"korean2", "정책"}, {"english3", "public transit policy"}} {
		b.Run(q.name, func(b *testing.B) {
			var times []time.Duration
			total := 0
			for b.Loop() {
				t0 := time.Now()
				hits, tot, err := w.s.Search(ctx, SearchQuery{Text: q.text})
				if err != nil || len(hits) == 0 {
					b.Fatalf("search %q: %d hits, %v", q.text, len(hits), err)
				}
				times, total = append(times, time.Since(t0)), tot.Count
			}
			slices.Sort(times)
			b.ReportMetric(float64(times[len(times)/2].Microseconds())/1000, "p50-ms")
			b.ReportMetric(float64(times[len(times)*99/100].Microseconds())/1000, "p99-ms")
			b.ReportMetric(float64(total), "matches-counted")
		})
	}
}

// benchWords are the generated texts' vocabulary, most frequent first (Zipf).
func benchWords() []string {
	words := strings.Fields(`국민 지원 확대 개선 제도 청년 주거 교통 복지 교육 정책 환경 안전 의료 세금 예산 지역 문화 농업 에너지
		the of and to policy public housing support school health transit energy tax budget safety city rural youth care`)
	r := rand.New(rand.NewPCG(1, 2))
	for range 3000 {
		words = append(words, string([]rune{rune(0xAC00 + r.IntN(11172)), rune(0xAC00 + r.IntN(11172))}))
		b := make([]byte, 4+r.IntN(5))
		for i := range b {
			b[i] = byte('a' + r.IntN(26))
		}
		words = append(words, string(b))
	}
	return words
}

// generateProposals bulk-inserts n open proposals and their index rows in big transactions.
func generateProposals(b *testing.B, w *world, n int) {
	words := benchWords()
	r := rand.New(rand.NewPCG(3, 4))
	zipf := rand.NewZipf(rand.New(rand.NewPCG(5, 6)), 1.07, 2, uint64(len(words)-1))
	text := func(k int) string {
		parts := make([]string, k)
		for i := range parts {
			parts[i] = words[zipf.Uint64()]
		}
		return strings.Join(parts, " ")
	}
	now := time.Now().Unix()
	const batch = 50000
	// Each batch is one write through the group commit, which owns the writer connection.
	for done := 0; done < n; {
		err := w.s.write(ctx, func(t *tx) error {
			ins, err := t.PrepareContext(ctx, `INSERT INTO proposals (author_id, title, body_src, body_html, category_id, ministry_id, status,
				sponsor_token, created_at, updated_at, published_at) VALUES (?, ?, ?, '', ?, ?, 'open', '', ?, ?, ?) RETURNING id`)
			if err != nil {
				return err
			}
			defer ins.Close()
			idx, err := t.PrepareContext(ctx, `INSERT INTO search_index (rowid, kind, item_id, tokens, status, ministry_id, category_id, created_at)
				VALUES (?, 'proposal', ?, ?, 'open', ?, ?, ?)`)
			if err != nil {
				return err
			}
			defer idx.Close()
			for i := 0; i < batch && done < n; i, done = i+1, done+1 {
				title, body := text(4+r.IntN(5)), text(30+r.IntN(60))
				at := now - int64(r.IntN(3*365*86400))
				var id int64
				if err := ins.QueryRowContext(ctx, w.author.ID, title, body, w.category, w.ministry, at, at, at).Scan(&id); err != nil {
					return err
				}
				if _, err := idx.ExecContext(ctx, id*searchKindSlots, id, search.Document(title+"\n"+body), w.ministry, w.category, at); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	optimize := `INSERT INTO search_index (search_index) VALUES ('optimize')`
	if w.s.pg { // PostgreSQL's planner needs the new rows' statistics
		optimize = `ANALYZE`
	}
	err := w.s.write(ctx, func(t *tx) error {
		_, err := t.ExecContext(ctx, optimize)
		return err
	})
	if err != nil {
		b.Fatal(err)
	}
}
