package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/e-people/e-people/forum"
	"github.com/e-people/e-people/forum/search"
)

// Search kinds: what a search hit is.
const (
	SearchProposal = "proposal"
	SearchComment  = "comment"
	SearchDebate   = "debate"
	SearchAnswer   = "answer" // a ministry's official answer; its ID is the proposal's
)

// searchKinds numbers the kinds for the index rowid: item_id * 4 + number.
var searchKinds = map[string]int64{SearchProposal: 0, SearchComment: 1, SearchDebate: 2, SearchAnswer: 3}

// unindex removes one item from the search index.
func unindex(ctx context.Context, t *tx, kind string, id int64) error {
	_, err := t.ExecContext(ctx, `DELETE FROM search_index WHERE rowid = ?`, id*4+searchKinds[kind])
	return err
}

// putIndex replaces one item's row in the search index.
func putIndex(ctx context.Context, t *tx, kind string, id int64, text, status string, ministry, category any, created int64) error {
	if err := unindex(ctx, t, kind, id); err != nil {
		return err
	}
	_, err := t.ExecContext(ctx, `INSERT INTO search_index (rowid, kind, item_id, tokens, status, ministry_id, category_id, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, id*4+searchKinds[kind], kind, id, search.Document(text), status, ministry, category, created)
	return err
}

// indexProposal brings the search index up to date with a proposal, its
// official answer and its comments: indexed while public, removed otherwise.
func indexProposal(ctx context.Context, t *tx, id int64) error {
	var title, body, status string
	var ministry, category, created int64
	var public bool
	err := t.QueryRowContext(ctx, `SELECT p.title, p.body_src, p.status, p.ministry_id, p.category_id, COALESCE(p.published_at, p.created_at), `+
		publicProposal+` FROM proposals p WHERE p.id = ?`, id).Scan(&title, &body, &status, &ministry, &category, &created, &public)
	if err != nil {
		return fmt.Errorf("index proposal: %w", err)
	}
	if err := unindex(ctx, t, SearchProposal, id); err != nil {
		return fmt.Errorf("index proposal: %w", err)
	}
	if err := unindex(ctx, t, SearchAnswer, id); err != nil {
		return fmt.Errorf("index proposal: %w", err)
	}
	if public {
		if err := putIndex(ctx, t, SearchProposal, id, title+"\n"+body, status, ministry, category, created); err != nil {
			return fmt.Errorf("index proposal: %w", err)
		}
		var summary, answer string
		var rm, at int64
		err := t.QueryRowContext(ctx, `SELECT summary, body_src, ministry_id, created_at FROM responses WHERE proposal_id = ?`, id).
			Scan(&summary, &answer, &rm, &at)
		if err != nil && !isNotFound(err) {
			return fmt.Errorf("index answer: %w", err)
		}
		if err == nil {
			if err := putIndex(ctx, t, SearchAnswer, id, summary+"\n"+answer, status, rm, category, at); err != nil {
				return fmt.Errorf("index answer: %w", err)
			}
		}
	}
	return indexComments(ctx, t, `c.proposal_id = ?`, id)
}

// indexDebate brings the search index up to date with a debate and its comments.
func indexDebate(ctx context.Context, t *tx, id int64) error {
	var question, background, status string
	var ministry, opens int64
	if err := t.QueryRowContext(ctx, `SELECT question, background_src, status, ministry_id, opens_at FROM debates WHERE id = ?`, id).
		Scan(&question, &background, &status, &ministry, &opens); err != nil {
		return fmt.Errorf("index debate: %w", err)
	}
	if err := putIndex(ctx, t, SearchDebate, id, question+"\n"+background, status, ministry, nil, opens); err != nil {
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
	rows, err := t.QueryContext(ctx, `SELECT c.id, c.body_src, COALESCE(p.status, d.status), COALESCE(p.ministry_id, d.ministry_id), p.category_id, c.created_at,
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
		if !r.public {
			err = unindex(ctx, t, SearchComment, r.id)
		} else {
			err = putIndex(ctx, t, SearchComment, r.id, r.body, r.status, r.ministry, r.category, r.created)
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
	Kind       string // SearchProposal, SearchComment, SearchDebate or SearchAnswer
	Status     string // the proposal's or debate's status (for comments and answers, their thread's)
	MinistryID int64
	CategoryID int64
	From, To   time.Time // created (published, opened) at or after From, before To
	Limit      int       // 20 when 0, at most 100
	Offset     int
}

// SearchHit is one public item matching a search, best first.
type SearchHit struct {
	Kind       string
	ID         int64
	ProposalID int64 // the thread: the proposal, or the debate, it belongs to
	DebateID   int64
	Title      string // the proposal's title or the debate's question
	Snippet    []search.Segment
	Score      float64 // bm25 relevance, higher is better
	CreatedAt  time.Time
}

// ErrEmptySearch means a search text had nothing to search for (empty or only punctuation).
var ErrEmptySearch = forum.Invalid("q", "search.empty")

// snippetWidth is the length of a snippet in characters.
const snippetWidth = 180

// Search finds public proposals, comments, debates and official answers
// matching every token of q.Text, ranked by bm25, with the total number of
// matches. A text with no tokens is ErrEmptySearch.
func (s *Store) Search(ctx context.Context, q SearchQuery) ([]SearchHit, int, error) {
	match, ok := search.Query(q.Text)
	if !ok {
		return nil, 0, ErrEmptySearch
	}
	if q.Limit <= 0 || q.Limit > 100 {
		q.Limit = 20
	}
	q.Offset = max(q.Offset, 0)
	where, args := []string{`search_index MATCH ?`}, []any{match}
	if q.Kind != "" {
		if _, ok := searchKinds[q.Kind]; !ok {
			return nil, 0, forum.Invalid("kind", "search.bad_kind")
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
		return nil, 0, fmt.Errorf("search: %w", mapErr(err))
	}
	defer rtx.Rollback() //nolint:errcheck // read-only
	var total int
	if err := rtx.QueryRowContext(ctx, `SELECT count(*) FROM search_index WHERE `+cond, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("search: %w", mapErr(err))
	}
	rows, err := rtx.QueryContext(ctx, `SELECT kind, item_id, -bm25(search_index), created_at FROM search_index WHERE `+cond+
		` ORDER BY bm25(search_index), rowid DESC LIMIT ? OFFSET ?`, append(args, q.Limit, q.Offset)...)
	if err != nil {
		return nil, 0, fmt.Errorf("search: %w", mapErr(err))
	}
	var hits []SearchHit
	for rows.Next() {
		var h SearchHit
		var created int64
		if err := rows.Scan(&h.Kind, &h.ID, &h.Score, &created); err != nil {
			rows.Close()
			return nil, 0, fmt.Errorf("search: %w", err)
		}
		h.CreatedAt = fromUnix(created)
		hits = append(hits, h)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("search: %w", mapErr(err))
	}
	for i := range hits {
		if err := hydrate(ctx, rtx, &hits[i], q.Text); err != nil {
			return nil, 0, fmt.Errorf("search: %w", mapErr(err))
		}
	}
	return hits, total, nil
}

// hydrate fills in a hit's title, thread and snippet from its source row.
func hydrate(ctx context.Context, rtx *sql.Tx, h *SearchHit, query string) error {
	var body string
	var pid, did sql.NullInt64
	var err error
	switch h.Kind {
	case SearchProposal:
		pid.Int64 = h.ID
		err = rtx.QueryRowContext(ctx, `SELECT title, body_src FROM proposals WHERE id = ?`, h.ID).Scan(&h.Title, &body)
	case SearchAnswer:
		pid.Int64 = h.ID
		err = rtx.QueryRowContext(ctx, `SELECT p.title, r.summary || char(10) || r.body_src FROM responses r JOIN proposals p ON p.id = r.proposal_id
			WHERE r.proposal_id = ?`, h.ID).Scan(&h.Title, &body)
	case SearchDebate:
		did.Int64 = h.ID
		err = rtx.QueryRowContext(ctx, `SELECT question, background_src FROM debates WHERE id = ?`, h.ID).Scan(&h.Title, &body)
	case SearchComment:
		err = rtx.QueryRowContext(ctx, `SELECT COALESCE(p.title, d.question), c.body_src, c.proposal_id, c.debate_id FROM comments c
			LEFT JOIN proposals p ON p.id = c.proposal_id LEFT JOIN debates d ON d.id = c.debate_id WHERE c.id = ?`, h.ID).
			Scan(&h.Title, &body, &pid, &did)
	}
	if err != nil {
		return fmt.Errorf("load %s %d: %w", h.Kind, h.ID, err)
	}
	h.ProposalID, h.DebateID = pid.Int64, did.Int64
	h.Snippet = search.Snippet(body, query, snippetWidth)
	if !marked(h.Snippet) && h.Kind != SearchComment {
		h.Snippet = search.Snippet(h.Title+" — "+body, query, snippetWidth)
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
