package web

import (
	"errors"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/e-people/e-people/forum"
	"github.com/e-people/e-people/forum/search"
	"github.com/e-people/e-people/forum/store"
	"github.com/gofiber/fiber/v2"
)

// searchPerPage is how many hits a search page shows; searchMaxPage is the
// last page a search offers.
const (
	searchPerPage = 20
	searchMaxPage = 500
)

// searchCountBound is how many matches the search page and API count before
// they say only "10,000+" (a variable so that a test can make it small).
var searchCountBound = store.DefaultSearchCount

// searchKinds and searchStatuses are the values the kind and status filters accept.
var (
	searchKinds    = []string{store.SearchProposal, store.SearchAnswer, store.SearchComment, store.SearchDebate, store.SearchFAQ}
	searchStatuses = searchStatusList()
)

// searchStatusList is the states of what search finds, in the order the
// status filter lists them: the public proposal states, withdrawn (a
// proposal withdrawn after it opened stays searchable), then the debate
// states the proposal states do not already name (upcoming).
func searchStatusList() []string {
	var out []string
	for _, st := range append(forum.PublicStatuses(), forum.StatusWithdrawn) {
		out = append(out, string(st))
	}
	for _, st := range forum.DebateStatuses() {
		if !slices.Contains(out, string(st)) {
			out = append(out, string(st))
		}
	}
	return out
}

// searchForm is a search as the query string states it.
type searchForm struct {
	Q, Kind, Status, From, To string
	MinistryID, CategoryID    int64
	Ministry, Category        string // the slugs of MinistryID and CategoryID, as the query gives them
	Page                      int
	moved                     string // where an old link with a numeric ministry or category id moves to
}

// searchParamError names the search parameter that was refused.
type searchParamError string

func (e searchParamError) Error() string { return "bad search parameter " + string(e) }

// message is what the search API tells a client of the refused parameter.
func (e searchParamError) message() string {
	switch e {
	case "kind":
		return "kind must be one of " + strings.Join(searchKinds, ", ")
	case "status":
		return "status must be one of " + strings.Join(searchStatuses, ", ")
	case "ministry", "category":
		return string(e) + " must be the slug of a " + string(e) + ", as /api/v1/ministries and the proposals list them"
	case "from", "to":
		return string(e) + " must be a date, YYYY-MM-DD"
	case "page":
		return "page must be between 1 and 500"
	}
	return "a parameter is invalid"
}

// parseSearch reads and checks the search parameters; the error is a
// searchParamError naming the bad one. Ministry and category are slugs
// (slugFilter), found in d.
func parseSearch(c *fiber.Ctx, d directory) (searchForm, store.SearchQuery, error) {
	f := searchForm{Q: strings.TrimSpace(c.Query("q")), Kind: c.Query("kind"), Status: c.Query("status"),
		From: strings.TrimSpace(c.Query("from")), To: strings.TrimSpace(c.Query("to"))}
	q := store.SearchQuery{Text: f.Q, Kind: f.Kind, Status: f.Status}
	bad := func(name string) error { return searchParamError(name) }
	if f.Kind != "" && !slices.Contains(searchKinds, f.Kind) {
		return f, q, bad("kind")
	}
	if f.Status != "" && !slices.Contains(searchStatuses, f.Status) {
		return f, q, bad("status")
	}
	var err error
	filter, moved, problem := slugFilter(c, d, true)
	if problem != "" {
		return f, q, bad(strings.TrimPrefix(problem, "list.err."))
	}
	f.MinistryID, f.Ministry, f.CategoryID, f.Category, f.moved = filter.Ministry.ID, filter.Ministry.Slug, filter.Category.ID, filter.Category.Slug, moved
	q.MinistryID, q.CategoryID = f.MinistryID, f.CategoryID
	if f.From != "" {
		if q.From, err = time.ParseInLocation(time.DateOnly, f.From, seoul); err != nil {
			return f, q, bad("from")
		}
	}
	if f.To != "" {
		if q.To, err = time.ParseInLocation(time.DateOnly, f.To, seoul); err != nil {
			return f, q, bad("to")
		}
		q.To = q.To.AddDate(0, 0, 1) // the whole last day
	}
	f.Page = 1
	if v := c.Query("page"); v != "" {
		if f.Page, err = strconv.Atoi(v); err != nil || f.Page < 1 || f.Page > searchMaxPage {
			return f, q, bad("page")
		}
	}
	q.Limit, q.Offset, q.CountUpTo = searchPerPage, (f.Page-1)*searchPerPage, searchCountBound
	return f, q, nil
}

// searchURL links to a hit: its proposal, debate, comment, the official answer or the published civil request.
func searchURL(h store.SearchHit) string {
	id := strconv.FormatInt(h.ID, 10)
	switch h.Kind {
	case store.SearchAnswer:
		return "/proposals/" + id + "#response"
	case store.SearchComment:
		return "/comments/" + id
	case store.SearchDebate:
		return "/debates/" + id
	case store.SearchFAQ:
		return "/faq/" + id
	}
	return "/proposals/" + id
}

// searchResult is one hit on the search page, with its thread's ministry.
type searchResult struct {
	store.SearchHit
	URL      string
	Ministry forum.Ministry
}

// ProposalStatus is the hit's thread status as a proposal's, for the
// status badge (a debate's thread shows the debate's badge instead).
func (r searchResult) ProposalStatus() forum.ProposalStatus { return forum.ProposalStatus(r.Status) }

type searchPage struct {
	base
	Dir              directory
	Form             searchForm
	Kinds, Statuses  []string
	Results          []searchResult
	Total            int
	TotalMore        bool   // more than Total match: shown as "10,000+"
	Searched         bool   // the query had something to search for
	Notice           string // catalog key of a message instead of results
	PrevURL, NextURL string
}

func (s *Server) handleSearch(c *fiber.Ctx) error {
	d, err := s.directory(c)
	if err != nil {
		return err
	}
	f, q, err := parseSearch(c, d)
	var bad searchParamError
	if errors.As(err, &bad) && (bad == "ministry" || bad == "category") { // the page says which, with the form to choose again
		p := searchPage{base: s.base(c, s.t(c, "search.title")), Dir: d, Form: f, Kinds: searchKinds, Statuses: searchStatuses, Notice: "list.err." + string(bad)}
		return s.page(c, fiber.StatusBadRequest, "search", p)
	}
	if err != nil {
		return fiber.NewError(fiber.StatusBadRequest, "err.bad_filter")
	}
	if f.moved != "" {
		return c.Redirect(f.moved, fiber.StatusMovedPermanently)
	}
	p := searchPage{base: s.base(c, s.t(c, "search.title")), Dir: d, Form: f, Kinds: searchKinds, Statuses: searchStatuses}
	if f.Q != "" {
		p.Title = s.t(c, "search.title_for", f.Q)
	}
	p.SearchQ = f.Q
	hits, total, err := s.store.Search(c.UserContext(), q)
	switch {
	case f.Q == "":
		p.Notice = "search.prompt"
	case errors.Is(err, store.ErrEmptySearch):
		p.Notice = "search.no_terms"
	case err != nil:
		return err
	default:
		p.Searched, p.Total, p.TotalMore = true, total.Count, total.More
		for _, h := range hits {
			p.Results = append(p.Results, searchResult{SearchHit: h, URL: searchURL(h), Ministry: d.Ministry(h.MinistryID)})
		}
		if total.Count == 0 {
			p.Notice = "search.empty"
		}
		page := func(n int) string {
			v := url.Values{}
			for k, val := range map[string]string{"q": f.Q, "kind": f.Kind, "status": f.Status, "from": f.From, "to": f.To} {
				if val != "" {
					v.Set(k, val)
				}
			}
			if f.Ministry != "" {
				v.Set("ministry", f.Ministry)
			}
			if f.Category != "" {
				v.Set("category", f.Category)
			}
			if n > 1 {
				v.Set("page", strconv.Itoa(n))
			}
			return "/search?" + v.Encode()
		}
		if f.Page > 1 {
			p.PrevURL = page(f.Page - 1)
		}
		// The count reaches past this page (CountUpTo is at least its end),
		// so More also means a next page.
		if (f.Page*searchPerPage < total.Count || total.More) && f.Page < searchMaxPage {
			p.NextURL = page(f.Page + 1)
		}
	}
	return s.page(c, fiber.StatusOK, "search", p)
}

// searchItem is one hit in the search API.
type searchItem struct {
	Kind     string           `json:"kind"`
	ID       int64            `json:"id"`
	Title    string           `json:"title"`
	URL      string           `json:"url"`
	Snippet  string           `json:"snippet"`
	Segments []search.Segment `json:"snippet_segments"`
	Score    float64          `json:"score"`
	Created  *string          `json:"created_at"`
	Status   string           `json:"status"`
	Ministry int64            `json:"ministry_id"`
	Lang     string           `json:"lang"`
}

func (s *Server) handleSearchAPI(c *fiber.Ctx) error {
	d, err := s.directory(c)
	if err != nil {
		return err
	}
	f, q, err := parseSearch(c, d)
	if err == nil && f.moved != "" { // the API takes slugs only
		err = searchParamError("ministry")
		if c.Query("ministry") == f.Ministry {
			err = searchParamError("category")
		}
	}
	var bad searchParamError
	if errors.As(err, &bad) {
		return apiError(c, fiber.StatusBadRequest, "invalid_parameter", bad.message())
	}
	if err != nil {
		return err
	}
	if v := c.Query("limit"); v != "" {
		if q.Limit, err = strconv.Atoi(v); err != nil || q.Limit < 1 || q.Limit > 100 {
			return apiError(c, fiber.StatusBadRequest, "invalid_parameter", "limit must be between 1 and 100")
		}
		q.Offset = 0
	}
	if v := c.Query("offset"); v != "" {
		if q.Offset, err = strconv.Atoi(v); err != nil || q.Offset < 0 || q.Offset > 10000 {
			return apiError(c, fiber.StatusBadRequest, "invalid_parameter", "offset must be between 0 and 10000")
		}
	}
	hits, total, err := s.store.Search(c.UserContext(), q)
	if errors.Is(err, store.ErrEmptySearch) {
		return apiError(c, fiber.StatusBadRequest, "empty_query", "q must contain at least one letter, digit or CJK character")
	}
	if err != nil {
		return err
	}
	items := make([]searchItem, 0, len(hits))
	for _, h := range hits {
		var b strings.Builder
		for _, seg := range h.Snippet {
			b.WriteString(seg.Text)
		}
		items = append(items, searchItem{Kind: h.Kind, ID: h.ID, Title: h.Title, URL: searchURL(h), Snippet: b.String(),
			Segments: h.Snippet, Score: h.Score, Created: rfc3339(h.CreatedAt),
			Status: h.Status, Ministry: h.MinistryID, Lang: h.Lang})
	}
	// total counts up to searchCountBound (or offset+limit when that is
	// more); total_exact is false when more match than total.
	return c.JSON(fiber.Map{"items": items, "total": total.Count, "total_exact": !total.More, "limit": q.Limit, "offset": q.Offset})
}
