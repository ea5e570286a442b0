package store

import (
	"bytes"
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/e-people/e-people/forum"
	"github.com/e-people/e-people/forum/search"
	"github.com/e-people/e-people/moderation"
)

// Search kinds: what a search hit is.
const (
	SearchProposal = "proposal"
	SearchComment  = "comment"
	SearchDebate   = "debate"
	SearchAnswer   = "answer" // a ministry's official answer; its ID is the proposal's
	SearchFAQ      = "faq"    // a published frequently asked civil request (자주 묻는 민원)
)

// searchKindSlots is the multiplier of an index rowid: item_id *
// searchKindSlots + the kind's number, room for eight kinds (search_format
// "3"; "2" and before had four).
const searchKindSlots = 8

// searchKinds numbers the kinds for the index rowid: item_id * searchKindSlots + number.
var searchKinds = map[string]int64{SearchProposal: 0, SearchComment: 1, SearchDebate: 2, SearchAnswer: 3, SearchFAQ: 4}

// unindex removes one item from the search index.
func unindex(ctx context.Context, t *tx, kind string, id int64) error {
	_, err := t.ExecContext(ctx, `DELETE FROM search_index WHERE rowid = ?`, id*searchKindSlots+searchKinds[kind])
	return err
}

// namesMark separates, in an index row's tokens, the item's own text from
// the names it is also found by (its category's and ministry's): neither
// tokenizer indexes it, and the ranking does not count the names in the
// document's length (searchCandidates), so an item's names do not make its
// own text weigh less.
const namesMark = "|"

// putIndex replaces one item's row in the search index: the tokens of text,
// then those of names (namesMark).
func putIndex(ctx context.Context, t *tx, kind string, id int64, text, names, status string, ministry, category any, created int64) error {
	if err := unindex(ctx, t, kind, id); err != nil {
		return err
	}
	tokens := search.Document(text)
	if names != "" {
		tokens += " " + namesMark + " " + search.Document(names)
	}
	_, err := t.ExecContext(ctx, `INSERT INTO search_index (rowid, kind, item_id, tokens, status, ministry_id, category_id, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, id*searchKindSlots+searchKinds[kind], kind, id, tokens, status, ministry, category, created)
	return err
}

// indexProposal brings the search index up to date with a proposal, its
// official answer (with the co-answering ministries' parts) and its
// comments: indexed while public, removed otherwise. What is indexed is the
// text the page shows (the plain text of the rendered body, indexText), and
// a proposal also under its category's and ministry's names in every
// language, so that 교통 finds the proposals of the 교통 category. The
// language of each text is detected and stored on the way (setLang).
func indexProposal(ctx context.Context, t *tx, id int64) error {
	var title, body, status, lang, authorLang string
	var ministry, created int64
	var category sql.NullInt64
	var public, merged bool
	var names [6]string
	err := t.QueryRowContext(ctx, `SELECT p.title, p.body_html, p.status, p.ministry_id, p.category_id, COALESCE(p.published_at, p.created_at), `+
		publicProposal+`, p.merged_into IS NOT NULL, p.lang, u.lang, m.name_ko, m.name_en, m.name_zh, COALESCE(c.name_ko, ''), COALESCE(c.name_en, ''), COALESCE(c.name_zh, '')
		FROM proposals p JOIN users u ON u.id = p.author_id JOIN ministries m ON m.id = p.ministry_id LEFT JOIN categories c ON c.id = p.category_id
		WHERE p.id = ?`, id).Scan(&title, &body, &status, &ministry, &category, &created, &public, &merged, &lang, &authorLang,
		&names[0], &names[1], &names[2], &names[3], &names[4], &names[5])
	if err != nil {
		return fmt.Errorf("index proposal: %w", err)
	}
	text := title + "\n" + indexText(body)
	if err := setLang(ctx, t, `proposals`, `id = ?`, lang, forum.DetectLang(text, authorLang), id); err != nil {
		return fmt.Errorf("index proposal: %w", err)
	}
	// Issue 18: a proposal merged into another is no result of its own; the
	// one it went into is found by its words too.
	if merged {
		public = false
	} else if text, err = withMergedText(ctx, t, id, text); err != nil {
		return fmt.Errorf("index proposal: %w", err)
	}
	if err := unindex(ctx, t, SearchProposal, id); err != nil {
		return fmt.Errorf("index proposal: %w", err)
	}
	if err := unindex(ctx, t, SearchAnswer, id); err != nil {
		return fmt.Errorf("index proposal: %w", err)
	}
	answer, rm, at, err := answerText(ctx, t, id)
	if err != nil {
		return fmt.Errorf("index answer: %w", err)
	}
	if public {
		if err := putIndex(ctx, t, SearchProposal, id, text, strings.Join(names[:], "\n"), status, ministry, category, created); err != nil {
			return fmt.Errorf("index proposal: %w", err)
		}
		if at != 0 {
			if err := putIndex(ctx, t, SearchAnswer, id, answer, "", status, rm, category, at); err != nil {
				return fmt.Errorf("index answer: %w", err)
			}
		}
	}
	return indexComments(ctx, t, `c.proposal_id = ?`, id)
}

// withMergedText is text followed by the titles and bodies of the
// proposals merged into proposal id (issue 18).
func withMergedText(ctx context.Context, t *tx, id int64, text string) (string, error) {
	rows, err := t.QueryContext(ctx, `SELECT f.title, f.body_html FROM proposal_merges m JOIN proposals f ON f.id = m.from_id
		WHERE m.into_id = ? AND m.undone_at IS NULL ORDER BY m.id`, id)
	if err != nil {
		return "", err
	}
	defer rows.Close()
	for rows.Next() {
		var title, body string
		if err := rows.Scan(&title, &body); err != nil {
			return "", err
		}
		text += "\n" + title + "\n" + indexText(body)
	}
	return text, rows.Err()
}

// indexText is the plain text of stored sanitized HTML, as the page shows it.
func indexText(bodyHTML string) string {
	return moderation.TrustedFromStore(bodyHTML).Text()
}

// commentLang is the language of a comment's sanitized body. The author's
// interface language decides only for Latin text in a Latin-script
// interface, and every Latin-script interface the forum has is English, so
// it is not looked up.
func commentLang(bodyHTML string) string { return forum.DetectLang(indexText(bodyHTML), "") }

// setLang stores the detected language of a text in table's row where
// (lang is what the row holds), unless it holds it already.
func setLang(ctx context.Context, t *tx, table, where, lang, detected string, args ...any) error {
	if lang == detected {
		return nil
	}
	_, err := t.ExecContext(ctx, `UPDATE `+table+` SET lang = ? WHERE `+where, append([]any{detected}, args...)...)
	return err
}

// answerText returns the text of a proposal's official answer as search
// indexes it: the lead ministry's summary and body, then each co-answering
// ministry's part (response_parts), with the lead ministry and the time of
// the answer; at is 0 when there is no answer. It stores the language of
// the answer and of each part on the way.
func answerText(ctx context.Context, t *tx, id int64) (text string, ministry, at int64, err error) {
	var summary, body, lang, authorLang string
	err = t.QueryRowContext(ctx, `SELECT r.summary, r.body_html, r.ministry_id, r.created_at, r.lang, COALESCE(u.lang, '')
		FROM responses r LEFT JOIN users u ON u.id = r.official_id WHERE r.proposal_id = ?`, id).
		Scan(&summary, &body, &ministry, &at, &lang, &authorLang)
	if isNotFound(err) {
		return "", 0, 0, nil
	}
	if err != nil {
		return "", 0, 0, err
	}
	text = summary + "\n" + indexText(body)
	if err := setLang(ctx, t, `responses`, `proposal_id = ?`, lang, forum.DetectLang(text, authorLang), id); err != nil {
		return "", 0, 0, err
	}
	rows, err := t.QueryContext(ctx, `SELECT r.ministry_id, r.summary, r.body_html, r.lang, COALESCE(u.lang, '')
		FROM response_parts r LEFT JOIN users u ON u.id = r.official_id WHERE r.proposal_id = ? ORDER BY r.ministry_id`, id)
	if err != nil {
		return "", 0, 0, err
	}
	type part struct {
		ministry                        int64
		summary, body, lang, authorLang string
	}
	var parts []part
	for rows.Next() {
		var p part
		if err := rows.Scan(&p.ministry, &p.summary, &p.body, &p.lang, &p.authorLang); err != nil {
			rows.Close()
			return "", 0, 0, err
		}
		parts = append(parts, p)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return "", 0, 0, err
	}
	for _, p := range parts {
		pt := p.summary + "\n" + indexText(p.body)
		if err := setLang(ctx, t, `response_parts`, `proposal_id = ? AND ministry_id = ?`, p.lang, forum.DetectLang(pt, p.authorLang), id, p.ministry); err != nil {
			return "", 0, 0, err
		}
		text += "\n" + pt
	}
	return text, ministry, at, nil
}

// indexDebate brings the search index up to date with a debate (its
// question, background and conclusion as the page shows them, and its
// ministry's names) and its comments.
func indexDebate(ctx context.Context, t *tx, id int64) error {
	var question, background, conclusion, status, lang, hostLang string
	var ministry, opens int64
	var names [3]string
	if err := t.QueryRowContext(ctx, `SELECT d.question, d.background_html, d.conclusion_html, d.status, d.ministry_id, d.opens_at, d.lang, u.lang,
		m.name_ko, m.name_en, m.name_zh
		FROM debates d JOIN users u ON u.id = d.host_id JOIN ministries m ON m.id = d.ministry_id WHERE d.id = ?`, id).
		Scan(&question, &background, &conclusion, &status, &ministry, &opens, &lang, &hostLang, &names[0], &names[1], &names[2]); err != nil {
		return fmt.Errorf("index debate: %w", err)
	}
	text := question + "\n" + indexText(background)
	if err := setLang(ctx, t, `debates`, `id = ?`, lang, forum.DetectLang(text, hostLang), id); err != nil {
		return fmt.Errorf("index debate: %w", err)
	}
	if err := putIndex(ctx, t, SearchDebate, id, text+"\n"+indexText(conclusion), strings.Join(names[:], "\n"), status, ministry, nil, opens); err != nil {
		return fmt.Errorf("index debate: %w", err)
	}
	return indexComments(ctx, t, `c.debate_id = ?`, id)
}

// indexComment brings the search index up to date with one comment.
func indexComment(ctx context.Context, t *tx, id int64) error {
	return indexComments(ctx, t, `c.id = ?`, id)
}

// indexComments re-indexes the comments matching where: a comment is public
// while it and its thread are.
func indexComments(ctx context.Context, t *tx, where string, arg any) error {
	rows, err := t.QueryContext(ctx, `SELECT c.id, c.body_html, COALESCE(p.status, d.status), COALESCE(p.ministry_id, d.ministry_id), p.category_id, c.created_at,
		`+shownComment+` AND (d.id IS NOT NULL OR `+publicProposal+`)
		FROM comments c LEFT JOIN proposals p ON p.id = c.proposal_id LEFT JOIN debates d ON d.id = c.debate_id WHERE `+where, arg)
	if err != nil {
		return fmt.Errorf("index comments: %w", err)
	}
	type row struct {
		id, ministry, created int64
		body, status          string
		category              sql.NullInt64
		public                bool
	}
	var all []row
	for rows.Next() {
		var r row
		if err := rows.Scan(&r.id, &r.body, &r.status, &r.ministry, &r.category, &r.created, &r.public); err != nil {
			rows.Close()
			return fmt.Errorf("index comments: %w", err)
		}
		all = append(all, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("index comments: %w", err)
	}
	for _, r := range all {
		text := indexText(r.body)
		// A comment's lang is written with its body (commentLang), never
		// filled in afterwards: the comments_version trigger counts every
		// UPDATE of a comment as a new version of it, which would turn away
		// an edit begun before. A comment from before lang shows the
		// language read from its body (scanComment).
		if !r.public {
			err = unindex(ctx, t, SearchComment, r.id)
		} else {
			err = putIndex(ctx, t, SearchComment, r.id, text, "", r.status, r.ministry, r.category, r.created)
		}
		if err != nil {
			return fmt.Errorf("index comment %d: %w", r.id, err)
		}
	}
	return nil
}

// SearchQuery is a full-text search with its filters. Zero values do not filter.
type SearchQuery struct {
	Text       string
	Kind       string // SearchProposal, SearchComment, SearchDebate, SearchAnswer or SearchFAQ
	Status     string // the proposal's or debate's status (for comments and answers, their thread's)
	MinistryID int64
	CategoryID int64
	From, To   time.Time // created (published, opened) at or after From, before To
	Limit      int       // 20 when 0, at most 100
	Offset     int
	// CountUpTo bounds the count of matches (DefaultSearchCount when 0). It
	// is raised to Offset+Limit, so that SearchTotal always tells whether
	// more matches follow this page.
	CountUpTo int
}

// SearchHit is one public item matching a search.
type SearchHit struct {
	Kind       string
	ID         int64
	ProposalID int64 // the thread: the proposal, or the debate, it belongs to
	DebateID   int64
	Title      string // the proposal's title or the debate's question
	TitleLang  string // the language of Title ("" not known)
	Status     string // the thread's status: the proposal's or the debate's
	MinistryID int64  // the thread's ministry (an answer's: the lead ministry)
	Snippet    []search.Segment
	Lang       string  // the language of the hit's own text, which the snippet shows
	Score      float64 // relevance within the hit's window, higher is better
	CreatedAt  time.Time
}

// SearchTotal is how many items match a search, counted up to a bound: a
// search never counts every match of a common word.
type SearchTotal struct {
	Count int  // the matches counted: all of them, or the bound when More
	More  bool // more than Count items match
}

// ErrEmptySearch means a search text had nothing to search for (empty or only punctuation).
var ErrEmptySearch = forum.Invalid("q", "search.empty")

// snippetWidth is the length of a snippet in characters.
const snippetWidth = 180

// Search ranks only a bounded window of matches and counts only up to a
// bound, so a word found in half a million items costs about what a rare one
// does. These are variables so that tests can make them small.
// searchWindow is how many matches, newest first, are ranked together. At
// 1,000,000 posts a two-character word found in half of them costs about
// 4.5 ms of CPU with 250, 8.5 ms with 1,000 and 15 ms with 2,000
// (BenchmarkSearch, EPEOPLE_SEARCH_WINDOW).
var searchWindow = 250

// DefaultSearchCount is how many matches a search counts, unless asked for
// another bound, before it reports only that there are more.
const DefaultSearchCount = 10000

// BM25's parameters, as FTS5's bm25() uses them.
const (
	bm25K1 = 1.2
	bm25B  = 0.75
)

// searchWalkSQL is the candidate walk: the matches of cond, newest index row
// first (rowid is item_id*searchKindSlots + kind, so within a kind newer items come first),
// read from FTS5's doclists in descending rowid order so that LIMIT stops the
// walk early, with the stored tokens the ranking counts. The rowid names the
// kind and the item (searchKindOf).
func searchWalkSQL(cond string) string {
	return `SELECT rowid, created_at, tokens FROM search_index WHERE ` + cond +
		` ORDER BY rowid DESC LIMIT ? OFFSET ?`
}

// searchCountSQL counts the matches of cond up to its LIMIT argument.
func searchCountSQL(cond string) string {
	return `SELECT count(*) FROM (SELECT 1 FROM search_index WHERE ` + cond + ` LIMIT ?) AS m`
}

// searchMatch returns the condition matching the index rows that hold the
// terms of text (search.Terms) — every one, or with any at least one — and
// its argument, which must be the statement's first: FTS5's MATCH on
// SQLite; on PostgreSQL, which has no FTS5, the same terms as a tsquery
// against the document column (to_tsvector('simple', tokens), served by its
// GIN index), its argument named ?1 so that searchRank can name it again.
// Both read the same stored tokens: a lone CJK character matches as a
// prefix of the bigrams it starts, every other term whole. ok is false when
// text has no terms.
func (s *Store) searchMatch(text string, any bool) (cond, arg string, ok bool) {
	if s.pg {
		if any {
			arg, ok = search.AnyTSQuery(text)
		} else {
			arg, ok = search.TSQuery(text)
		}
		return `document @@ to_tsquery('simple', ?1)`, arg, ok
	}
	if any {
		arg, ok = search.AnyQuery(text)
	} else {
		arg, ok = search.Query(text)
	}
	return `search_index MATCH ?`, arg, ok
}

// searchRank orders the matches of searchMatch best first, by the index's
// own relevance over every match: FTS5's bm25() on SQLite. PostgreSQL has
// no BM25; ts_rank over the same tsquery, with the rank divided by
// 1 + log(the document's length) (normalization 1), is the closest: it
// counts the query's terms in each document, as BM25 does, but weighs a
// rare term no more than a common one (no IDF), and shortens less than
// BM25's length norm does, so where terms of different rarity compete the
// two orders can differ. Ties go to the newest index row.
func (s *Store) searchRank() string {
	if s.pg {
		return `ts_rank(document, to_tsquery('simple', ?1), 1) DESC, rowid DESC`
	}
	return `bm25(search_index), rowid DESC`
}

// Search finds public proposals, comments, debates and official answers
// matching every token of q.Text, and how many match (SearchTotal).
//
// Order: the matches are cut, newest index row first, into windows of
// searchWindow; the windows come newest first, and within a window hits are
// ranked by BM25 (k1 1.2, b 0.75; the length norm over the window's average
// length) with every query term weighted alike, ties newest first. Unlike
// FTS5's bm25() over all matches, a term's rarity (IDF) is not weighed, since
// finding it means counting every item containing the term, and an old item
// ranks only against its own window. A window's order depends on its matches
// alone, so pages fit together. A text with no tokens is ErrEmptySearch.
func (s *Store) Search(ctx context.Context, q SearchQuery) ([]SearchHit, SearchTotal, error) {
	match, arg, ok := s.searchMatch(q.Text, false)
	if !ok {
		return nil, SearchTotal{}, ErrEmptySearch
	}
	if q.Limit <= 0 || q.Limit > 100 {
		q.Limit = 20
	}
	q.Offset = max(q.Offset, 0)
	where, args := []string{match}, []any{arg}
	if q.Kind != "" {
		if _, ok := searchKinds[q.Kind]; !ok {
			return nil, SearchTotal{}, forum.Invalid("kind", "search.bad_kind")
		}
		where, args = append(where, `kind = ?`), append(args, q.Kind)
	}
	if q.Status != "" {
		where, args = append(where, `status = ?`), append(args, q.Status)
	}
	if q.MinistryID != 0 {
		where, args = append(where, `ministry_id = ?`), append(args, q.MinistryID)
	}
	if q.CategoryID != 0 {
		where, args = append(where, `category_id = ?`), append(args, q.CategoryID)
	}
	if !q.From.IsZero() {
		where, args = append(where, `created_at >= ?`), append(args, q.From.Unix())
	}
	if !q.To.IsZero() {
		where, args = append(where, `created_at < ?`), append(args, q.To.Unix())
	}
	cond := strings.Join(where, " AND ")
	rtx, err := s.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, SearchTotal{}, fmt.Errorf("search: %w", mapErr(err))
	}
	defer rtx.Rollback() //nolint:errcheck // read-only
	if s.pg {
		// PostgreSQL's planner prices @@ row by row too cheaply and counts a
		// common word's matches by reading the whole table (16 ms at 20,000
		// proposals, against 5 ms through the GIN index): this transaction
		// rules table scans out. The walk keeps its plans: the primary key
		// backwards for a common word (LIMIT ends it), the GIN index and a
		// sort for a rare one.
		if _, err := rtx.ExecContext(ctx, `SET LOCAL enable_seqscan = off`); err != nil {
			return nil, SearchTotal{}, fmt.Errorf("search: %w", mapErr(err))
		}
	}
	// The windows this page reaches into.
	lo := q.Offset / searchWindow * searchWindow
	hi := (q.Offset + q.Limit + searchWindow - 1) / searchWindow * searchWindow
	cands, err := searchCandidates(ctx, rtx, cond, args, search.Terms(q.Text), hi-lo, lo)
	if err != nil {
		return nil, SearchTotal{}, fmt.Errorf("search: %w", mapErr(err))
	}
	bound := q.CountUpTo
	if bound <= 0 {
		bound = DefaultSearchCount
	}
	bound = max(bound, q.Offset+q.Limit)
	var total SearchTotal
	if len(cands) < hi-lo && (len(cands) > 0 || lo == 0) {
		total.Count = lo + len(cands) // the walk reached the last match
	} else if err := rtx.QueryRowContext(ctx, searchCountSQL(cond), append(args, bound+1)...).Scan(&total.Count); err != nil {
		return nil, SearchTotal{}, fmt.Errorf("search: %w", mapErr(err))
	}
	if total.Count > bound {
		total = SearchTotal{Count: bound, More: true}
	}
	for w := 0; w < len(cands); w += searchWindow {
		rankWindow(cands[w:min(w+searchWindow, len(cands))])
	}
	from := min(q.Offset-lo, len(cands))
	hits := make([]SearchHit, 0, min(q.Limit, len(cands)-from))
	for _, c := range cands[from:min(from+q.Limit, len(cands))] {
		hits = append(hits, c.hit())
	}
	if err := hydrate(ctx, rtx, hits, q.Text); err != nil {
		return nil, SearchTotal{}, fmt.Errorf("search: %w", mapErr(err))
	}
	return hits, total, nil
}

// candidate is a match read by the walk, with what BM25 needs of it.
type candidate struct {
	rowid   int64 // item_id*searchKindSlots + kind
	created int64
	length  int32   // tokens in the document
	tf      []int32 // occurrences of each query term
	score   float64
}

// searchKindOf names the kind numbered k in an index rowid (searchKinds).
var searchKindOf = [searchKindSlots]string{SearchProposal, SearchComment, SearchDebate, SearchAnswer, SearchFAQ}

// hit is the candidate as a search hit, before hydrate.
func (c *candidate) hit() SearchHit {
	return SearchHit{Kind: searchKindOf[c.rowid%searchKindSlots], ID: c.rowid / searchKindSlots, Score: c.score, CreatedAt: fromUnix(c.created)}
}

// searchCandidates reads limit matches of cond, newest first, after skipping
// offset, counting each one's tokens and its occurrences of terms.
func searchCandidates(ctx context.Context, rtx *sql.Tx, cond string, args []any, terms []search.Term, limit, offset int) ([]candidate, error) {
	rows, err := rtx.QueryContext(ctx, searchWalkSQL(cond), append(args, limit, offset)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	type term struct {
		text   []byte
		prefix bool
	}
	ts := make([]term, len(terms))
	for i, t := range terms {
		ts[i] = term{[]byte(t.Text), t.Prefix}
	}
	var out []candidate
	var tfs []int32         // the candidates' tf slices, cut from one allocation
	var tokens sql.RawBytes // valid until the next row: counted, never kept
	mark := []byte(namesMark)
	for rows.Next() {
		if len(tfs) < len(terms) {
			tfs = make([]int32, len(terms)*256)
		}
		c := candidate{tf: tfs[:len(terms):len(terms)]}
		tfs = tfs[len(terms):]
		if err := rows.Scan(&c.rowid, &c.created, &tokens); err != nil {
			return nil, err
		}
		names := false
		for rest := []byte(tokens); len(rest) > 0; {
			var tok []byte
			tok, rest, _ = bytes.Cut(rest, []byte{' '})
			if len(tok) == 0 {
				continue
			}
			if bytes.Equal(tok, mark) {
				names = true
				continue
			}
			if !names {
				c.length++
			}
			for i, t := range ts {
				if bytes.Equal(tok, t.text) || t.prefix && bytes.HasPrefix(tok, t.text) {
					c.tf[i]++
				}
			}
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// rankWindow scores one window of candidates with BM25 and sorts it best
// first, ties newest first.
func rankWindow(win []candidate) {
	var sum int64
	for _, c := range win {
		sum += int64(c.length)
	}
	avg := max(float64(sum)/float64(len(win)), 1)
	for i := range win {
		c := &win[i]
		norm := bm25K1 * (1 - bm25B + bm25B*float64(c.length)/avg)
		c.score = 0
		for _, tf := range c.tf {
			c.score += float64(tf) * (bm25K1 + 1) / (float64(tf) + norm)
		}
	}
	slices.SortFunc(win, func(a, b candidate) int {
		if a.score != b.score {
			return cmp.Compare(b.score, a.score)
		}
		return cmp.Compare(b.rowid, a.rowid)
	})
}

// hydrateSQL reads the source rows of hits of one kind, whose ids fill
// the IN list (%s), as id, title, summary (an answer's; empty otherwise),
// body (sanitized HTML), proposal, debate, the thread's status and ministry,
// the language of the title and of the hit's own text.
var hydrateSQL = map[string]string{
	SearchProposal: `SELECT id, title, '', body_html, id, CAST(NULL AS BIGINT), status, ministry_id, lang, lang FROM proposals WHERE id IN (%s)`,
	SearchAnswer: `SELECT r.proposal_id, p.title, r.summary, r.body_html, r.proposal_id, CAST(NULL AS BIGINT), p.status, r.ministry_id, p.lang, r.lang
		FROM responses r JOIN proposals p ON p.id = r.proposal_id WHERE r.proposal_id IN (%s)`,
	SearchDebate: `SELECT id, question, '', background_html, CAST(NULL AS BIGINT), id, status, ministry_id, lang, lang FROM debates WHERE id IN (%s)`,
	SearchComment: `SELECT c.id, COALESCE(p.title, d.question), '', c.body_html, c.proposal_id, c.debate_id, COALESCE(p.status, d.status),
		COALESCE(p.ministry_id, d.ministry_id), COALESCE(p.lang, d.lang), c.lang FROM comments c
		LEFT JOIN proposals p ON p.id = c.proposal_id LEFT JOIN debates d ON d.id = c.debate_id WHERE c.id IN (%s)`,
	SearchFAQ: `SELECT id, title, summary, question_html || answer_html, CAST(NULL AS BIGINT), CAST(NULL AS BIGINT), 'published', ministry_id, lang, lang
		FROM faqs WHERE id IN (%s)`,
}

// hydrate fills in the hits' titles, threads and snippets from their
// source rows: one query per kind among them, not one per hit (on
// PostgreSQL every query is a round trip to the server).
func hydrate(ctx context.Context, rtx *sql.Tx, hits []SearchHit, query string) error {
	byKind := map[string]map[int64]*SearchHit{}
	for i := range hits {
		h := &hits[i]
		if byKind[h.Kind] == nil {
			byKind[h.Kind] = map[int64]*SearchHit{}
		}
		byKind[h.Kind][h.ID] = h
	}
	for kind, byID := range byKind {
		ids := make([]any, 0, len(byID))
		for id := range byID {
			ids = append(ids, id)
		}
		if err := hydrateKind(ctx, rtx, kind, byID, ids, query); err != nil {
			return err
		}
	}
	return nil
}

// hydrateKind is hydrate for the hits of one kind, by id.
func hydrateKind(ctx context.Context, rtx *sql.Tx, kind string, byID map[int64]*SearchHit, ids []any, query string) error {
	rows, err := rtx.QueryContext(ctx, fmt.Sprintf(hydrateSQL[kind], placeholders("?", len(ids))), ids...)
	if err != nil {
		return fmt.Errorf("load %ss: %w", kind, err)
	}
	defer rows.Close()
	found := map[int64]bool{}
	for rows.Next() {
		var id int64
		var title, summary, body, status, titleLang, lang string
		var pid, did sql.NullInt64
		var ministry int64
		if err := rows.Scan(&id, &title, &summary, &body, &pid, &did, &status, &ministry, &titleLang, &lang); err != nil {
			return fmt.Errorf("load %ss: %w", kind, err)
		}
		h := byID[id]
		if h == nil {
			continue
		}
		found[id] = true
		body = indexText(body)
		if kind == SearchAnswer || kind == SearchFAQ {
			body = summary + "\n" + body // as answerText (indexFAQ) indexes it
		}
		h.Title, h.ProposalID, h.DebateID = title, pid.Int64, did.Int64
		h.Status, h.MinistryID, h.TitleLang, h.Lang = status, ministry, titleLang, lang
		h.Snippet = search.Snippet(body, query, snippetWidth)
		if !marked(h.Snippet) && kind != SearchComment {
			h.Snippet = search.Snippet(title+" — "+body, query, snippetWidth)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("load %ss: %w", kind, err)
	}
	for id := range byID {
		if !found[id] {
			return fmt.Errorf("load %s %d: %w", kind, id, sql.ErrNoRows)
		}
	}
	return nil
}

func marked(segs []search.Segment) bool {
	for _, s := range segs {
		if s.Mark {
			return true
		}
	}
	return false
}
