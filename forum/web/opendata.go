package web

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/limiter"

	"github.com/e-people/e-people/forum"
	"github.com/e-people/e-people/forum/store"
)

// The open data API (/api/v1) and bulk downloads (/open-data/*) publish what
// anyone may already read on the site, anonymised: no author or official
// names, no e-mail addresses or contact lines, no reporters, never drafts,
// proposals gathering co-sponsors, or held or hidden items. Every field is
// documented in openDataSets and on the /open-data page.

// apiLimit is the open data API's own per-client-address rate limit, which
// every /api/v1 request passes (see routeTable).
func (s *Server) apiLimit() fiber.Handler {
	perMinute := s.cfg.APIPerMinute
	if perMinute <= 0 {
		perMinute = 300
	}
	return s.limit("api", limiter.Config{
		Max:          perMinute,
		Expiration:   time.Minute,
		KeyGenerator: s.clientIP,
		LimitReached: func(c *fiber.Ctx) error {
			return apiError(c, fiber.StatusTooManyRequests, "rate_limited", "too many requests; retry after the number of seconds in Retry-After")
		},
	})
}

// isDownload reports whether a request is for a streamed bulk download.
func isDownload(c *fiber.Ctx) bool {
	return strings.HasPrefix(c.Path(), "/open-data/") || c.Path() == "/account/data.zip"
}

// allowAnyOrigin lets any site read open data, and answers CORS preflight for GET.
func allowAnyOrigin(c *fiber.Ctx) error {
	c.Set(fiber.HeaderAccessControlAllowOrigin, "*")
	if c.Method() == fiber.MethodOptions {
		c.Set(fiber.HeaderAccessControlAllowMethods, "GET, HEAD, OPTIONS")
		c.Set(fiber.HeaderAccessControlAllowHeaders, "Accept, Accept-Language, If-None-Match")
		c.Set(fiber.HeaderAccessControlMaxAge, "86400")
		return c.SendStatus(fiber.StatusNoContent)
	}
	return c.Next()
}

// apiError answers an API request with the one JSON error shape (jsonError).
func apiError(c *fiber.Ctx, status int, code, message string) error {
	return jsonError(c, status, code, message, "")
}

// rfc3339 formats t in UTC, or returns nil for the zero time (JSON null).
func rfc3339(t time.Time) *string {
	if t.IsZero() {
		return nil
	}
	v := t.UTC().Format(time.RFC3339)
	return &v
}

// names is the directory, for the slugs the open data uses in place of ids.
type names = directory

func (s *Server) names(ctx context.Context) (names, error) { return s.loadDirectory(ctx) }

func (n names) ministry(id int64) string { return n.Ministry(id).Slug }

// apiProposal is a proposal as published; documented in openDataSets.
type apiProposal struct {
	ID              int64          `json:"id"`
	URL             string         `json:"url"`
	Title           string         `json:"title"`
	Body            string         `json:"body"`
	Status          string         `json:"status"`
	Category        string         `json:"category"`
	Ministry        string         `json:"ministry"`
	Sponsors        int            `json:"sponsors"`
	Supports        int            `json:"supports"`
	Comments        int            `json:"comments"`
	Locked          bool           `json:"locked"`
	CreatedAt       *string        `json:"created_at"`
	PublishedAt     *string        `json:"published_at"`
	SupportDeadline *string        `json:"support_deadline"`
	ReachedAt       *string        `json:"reached_at"`
	ResponseDue     *string        `json:"response_due"`
	AnsweredAt      *string        `json:"answered_at"`
	ClosedAt        *string        `json:"closed_at"`
	UpdatedAt       *string        `json:"updated_at"`
	CoMinistries    *[]string      `json:"co_ministries,omitempty"`
	Transfers       *[]apiTransfer `json:"transfers,omitempty"`
	Response        **apiResponse  `json:"response,omitempty"`
	ResponseParts   *[]apiResponse `json:"response_parts,omitempty"`
	MergedInto      **int64        `json:"merged_into,omitempty"` // issue 18: the proposal it was merged into (null for none); detail only
	MergedFrom      *[]int64       `json:"merged_from,omitempty"` // the proposals merged into it; detail only
	Milestones      *apiMilestones `json:"milestones,omitempty"`  // issue 18: what the ministry promised after accepting it

	// UnverifiedSponsors and UnverifiedSupports are those of accounts that
	// never verified their e-mail: published apart, never in the figures above.
	UnverifiedSponsors int `json:"unverified_sponsors"`
	UnverifiedSupports int `json:"unverified_supports"`

	// SupportsAfterObjection is how many of Supports read the strongest
	// argument against before they supported (objection.go).
	SupportsAfterObjection int `json:"supports_after_objection"`
}

// apiTransfer is one hand-off of a proposal between lead ministries.
type apiTransfer struct {
	FromMinistry string  `json:"from_ministry"`
	ToMinistry   string  `json:"to_ministry"`
	Reason       string  `json:"reason"`
	CreatedAt    *string `json:"created_at"`
}

// apiResponse is a ministry's structured official answer, or a co-answering
// ministry's part of a joint answer (Role), without the official's name or contact line.
type apiResponse struct {
	ProposalID      int64   `json:"proposal_id"`
	Ministry        string  `json:"ministry"` // the ministry that signs it
	Role            string  `json:"role"`     // "lead" (the decision of record) or "co_answering"
	Decision        string  `json:"decision"`
	Summary         string  `json:"summary"`
	Body            string  `json:"body"`
	LegalBasis      string  `json:"legal_basis"`
	ResponsibleUnit string  `json:"responsible_unit"`
	NextStep        string  `json:"next_step"`
	NextStepDate    *string `json:"next_step_date"` // a date, YYYY-MM-DD
	Revision        int     `json:"revision"`
	CreatedAt       *string `json:"created_at"`
	UpdatedAt       *string `json:"updated_at"`
}

func (s *Server) apiProposal(p *forum.Proposal, n names) apiProposal {
	return apiProposal{ID: p.ID, URL: s.cfg.BaseURL + "/proposals/" + strconv.FormatInt(p.ID, 10), Title: p.Title, Body: p.BodySrc,
		Status: string(p.Status), Category: n.Category(p.CategoryID).Slug, Ministry: n.ministry(p.MinistryID),
		Sponsors: p.Sponsors, Supports: p.Supports, Comments: p.Comments, Locked: p.Locked,
		CreatedAt: rfc3339(p.CreatedAt), PublishedAt: rfc3339(p.PublishedAt), SupportDeadline: rfc3339(p.SupportDeadline),
		ReachedAt: rfc3339(p.ReachedAt), ResponseDue: rfc3339(p.ResponseDue), AnsweredAt: rfc3339(p.AnsweredAt),
		ClosedAt: rfc3339(p.ClosedAt), UpdatedAt: rfc3339(p.UpdatedAt),
		UnverifiedSponsors: p.UnverifiedSponsors, UnverifiedSupports: p.UnverifiedSupports}
}

func apiResponseOf(r *forum.Response, n names) *apiResponse {
	role := "lead"
	if r.Part {
		role = "co_answering"
	}
	return &apiResponse{ProposalID: r.ProposalID, Ministry: n.ministry(r.MinistryID), Role: role, Decision: string(r.Decision), Summary: r.Summary,
		Body: r.BodySrc, LegalBasis: r.LegalBasis, ResponsibleUnit: r.ResponsibleUnit, NextStep: r.NextStep,
		NextStepDate: apiDay(r.NextStepDate), Revision: r.Revision, CreatedAt: rfc3339(r.CreatedAt), UpdatedAt: rfc3339(r.UpdatedAt)}
}

// apiDay writes a calendar day as YYYY-MM-DD (the day in Seoul), or returns nil for the zero time (JSON null).
func apiDay(t time.Time) *string {
	if t.IsZero() {
		return nil
	}
	v := isoDay(t)
	return &v
}

// publicProposal returns proposal id when everyone may read it (the open
// API reads as a guest), else forum.ErrNotFound.
func (s *Server) publicProposal(ctx context.Context, id int64) (*forum.Proposal, error) {
	p, err := s.store.Proposal(ctx, id)
	if err != nil {
		return nil, err
	}
	if !p.Public() {
		return nil, forum.ErrNotFound
	}
	return p, nil
}

// handleAPIProposals lists public proposals, a page at a time.
func (s *Server) handleAPIProposals(c *fiber.Ctx) error {
	ctx := c.UserContext()
	n, err := s.names(ctx)
	if err != nil {
		return err
	}
	q := store.ProposalQuery{Cursor: c.Query("cursor"), Sort: store.Sort(c.Query("sort", string(store.SortNewest)))}
	switch q.Sort {
	case store.SortNewest, store.SortSupported, store.SortDebated, store.SortTrending:
	default:
		return apiError(c, fiber.StatusBadRequest, "invalid_parameter", "sort must be newest, supported, debated or trending")
	}
	if st := forum.ProposalStatus(c.Query("status")); st != "" {
		if !st.Public() {
			return apiError(c, fiber.StatusBadRequest, "invalid_parameter", "status must be open, awaiting_response, answered, referred or closed")
		}
		q.Status = st
	}
	if slug := c.Query("ministry"); slug != "" {
		if q.MinistryID = n.MinistryBySlug(slug).ID; q.MinistryID == 0 {
			return apiError(c, fiber.StatusBadRequest, "invalid_parameter", "unknown ministry")
		}
	}
	if slug := c.Query("category"); slug != "" {
		if q.CategoryID = n.CategoryBySlug(slug).ID; q.CategoryID == 0 {
			return apiError(c, fiber.StatusBadRequest, "invalid_parameter", "unknown category")
		}
	}
	if l := c.Query("limit"); l != "" {
		v, err := strconv.Atoi(l)
		if err != nil || v < 1 || v > 100 {
			return apiError(c, fiber.StatusBadRequest, "invalid_parameter", "limit must be between 1 and 100")
		}
		q.Limit = v
	}
	page, err := s.store.ListProposals(ctx, q)
	var verr *forum.ValidationError
	if errors.As(err, &verr) {
		return apiError(c, fiber.StatusBadRequest, "invalid_cursor", "cursor is not one this API returned")
	}
	if err != nil {
		return err
	}
	out := struct {
		Items []apiProposal `json:"items"`
		Next  *string       `json:"next"`
	}{Items: []apiProposal{}}
	for _, p := range page.Proposals {
		out.Items = append(out.Items, s.apiProposal(p, n))
	}
	if err := s.addSupportsAfterObjection(ctx, out.Items); err != nil {
		return err
	}
	if page.Next != "" {
		out.Next = &page.Next
	}
	return c.JSON(out)
}

// handleAPIProposal shows one public proposal with its routing and official answer.
func (s *Server) handleAPIProposal(c *fiber.Ctx) error {
	ctx := c.UserContext()
	id, _ := strconv.ParseInt(c.Params("id"), 10, 64)
	p, err := s.publicProposal(ctx, id)
	if errors.Is(err, forum.ErrNotFound) {
		return apiError(c, fiber.StatusNotFound, "not_found", "no such proposal")
	}
	if err != nil {
		return err
	}
	n, err := s.names(ctx)
	if err != nil {
		return err
	}
	rt, err := s.store.ProposalRouting(ctx, id)
	if err != nil {
		return err
	}
	out := s.apiProposal(p, n)
	afterObjection, err := s.store.SupportsAfterObjection(ctx, id)
	if err != nil {
		return err
	}
	out.SupportsAfterObjection = afterObjection[id]
	co, transfers := []string{}, []apiTransfer{}
	for _, m := range rt.CoMinistries {
		co = append(co, n.ministry(m))
	}
	for _, t := range rt.Transfers {
		transfers = append(transfers, apiTransfer{n.ministry(t.From), n.ministry(t.To), t.Reason, rfc3339(t.CreatedAt)})
	}
	var resp *apiResponse
	r, err := s.store.Response(ctx, id)
	switch {
	case err == nil:
		resp = apiResponseOf(r, n)
	case !errors.Is(err, forum.ErrNotFound):
		return err
	}
	parts, err := s.store.ResponseParts(ctx, id)
	if err != nil {
		return err
	}
	apiParts := []apiResponse{}
	for _, r := range parts {
		apiParts = append(apiParts, *apiResponseOf(r, n))
	}
	out.CoMinistries, out.Transfers, out.Response, out.ResponseParts = &co, &transfers, &resp, &apiParts
	into, from, err := s.apiMerges(ctx, p)
	if err != nil {
		return err
	}
	out.MergedInto, out.MergedFrom = &into, &from
	ms, err := s.apiMilestonesOf(ctx, id, n)
	if err != nil {
		return err
	}
	out.Milestones = &ms
	return c.JSON(out)
}

// apiDebate is a debate as published; documented in openDataSets.
type apiDebate struct {
	ID          int64   `json:"id"`
	URL         string  `json:"url"`
	Ministry    string  `json:"ministry"`
	Question    string  `json:"question"`
	Background  string  `json:"background"`
	Status      string  `json:"status"`
	OpensAt     *string `json:"opens_at"`
	ClosesAt    *string `json:"closes_at"`
	Conclusion  string  `json:"conclusion"`
	ConcludedAt *string `json:"concluded_at"`
	Comments    int     `json:"comments"`
	Locked      bool    `json:"locked"`
	CreatedAt   *string `json:"created_at"`
	Tally       struct {
		For     int `json:"for"`
		Against int `json:"against"`
		Neutral int `json:"neutral"`
	} `json:"tally"`
}

func (s *Server) apiDebate(ctx context.Context, d *forum.Debate, n names) (apiDebate, error) {
	t, err := s.store.DebateTally(ctx, d.ID)
	if err != nil {
		return apiDebate{}, err
	}
	out := apiDebate{ID: d.ID, URL: s.cfg.BaseURL + "/debates/" + strconv.FormatInt(d.ID, 10), Ministry: n.ministry(d.MinistryID),
		Question: d.Question, Background: d.BackgroundSrc, Status: string(d.Status), OpensAt: rfc3339(d.OpensAt), ClosesAt: rfc3339(d.ClosesAt),
		Conclusion: d.ConclusionSrc, ConcludedAt: rfc3339(d.ConcludedAt), Comments: d.Comments, Locked: d.Locked, CreatedAt: rfc3339(d.CreatedAt)}
	out.Tally.For, out.Tally.Against, out.Tally.Neutral = t.For, t.Against, t.Neutral
	return out, nil
}

// handleAPIDebates lists debates, optionally by status and ministry.
func (s *Server) handleAPIDebates(c *fiber.Ctx) error {
	ctx := c.UserContext()
	n, err := s.names(ctx)
	if err != nil {
		return err
	}
	var q store.DebateQuery
	switch st := forum.DebateStatus(c.Query("status")); st {
	case "", forum.DebateUpcoming, forum.DebateOpen, forum.DebateClosed:
		q.Status = st
	default:
		return apiError(c, fiber.StatusBadRequest, "invalid_parameter", "status must be upcoming, open or closed")
	}
	if slug := c.Query("ministry"); slug != "" {
		if q.MinistryID = n.MinistryBySlug(slug).ID; q.MinistryID == 0 {
			return apiError(c, fiber.StatusBadRequest, "invalid_parameter", "unknown ministry")
		}
	}
	list, err := s.store.Debates(ctx, q)
	if err != nil {
		return err
	}
	out := struct {
		Items []apiDebate `json:"items"`
	}{Items: []apiDebate{}}
	for _, d := range list {
		a, err := s.apiDebate(ctx, d, n)
		if err != nil {
			return err
		}
		out.Items = append(out.Items, a)
	}
	return c.JSON(out)
}

// handleAPIDebate shows one debate with its tally.
func (s *Server) handleAPIDebate(c *fiber.Ctx) error {
	ctx := c.UserContext()
	id, _ := strconv.ParseInt(c.Params("id"), 10, 64)
	d, err := s.store.Debate(ctx, id)
	if errors.Is(err, forum.ErrNotFound) {
		return apiError(c, fiber.StatusNotFound, "not_found", "no such debate")
	}
	if err != nil {
		return err
	}
	n, err := s.names(ctx)
	if err != nil {
		return err
	}
	out, err := s.apiDebate(ctx, d, n)
	if err != nil {
		return err
	}
	return c.JSON(out)
}

// apiMinistry is a ministry and its answering record; documented in openDataSets.
type apiMinistry struct {
	Slug        string `json:"slug"`
	URL         string `json:"url"`
	NameKO      string `json:"name_ko"`
	NameEN      string `json:"name_en"`
	NameZH      string `json:"name_zh"`
	Description string `json:"description"`
	Scorecard   struct {
		Received      int     `json:"received"`
		Answered      int     `json:"answered"`
		OnTime        int     `json:"on_time"`
		OnTimePercent int     `json:"on_time_percent"`
		MedianDays    float64 `json:"median_days"`
		Overdue       int     `json:"overdue"`
		// AnswerRatings and AnswerSatisfaction are its answers' ratings by
		// the proposals' supporters (issue 18): how many, and their average.
		AnswerRatings      int      `json:"answer_ratings"`
		AnswerSatisfaction *float64 `json:"answer_satisfaction"`
	} `json:"scorecard"`
	// Requests is how it answered civil requests: aggregates only.
	Requests struct {
		Received          int      `json:"received"`
		Answered          int      `json:"answered"`
		OnTime            int      `json:"on_time"`
		OnTimePercent     int      `json:"on_time_percent"`
		MedianWorkingDays float64  `json:"median_working_days"`
		Ratings           int      `json:"ratings"`
		Satisfaction      *float64 `json:"satisfaction"`
	} `json:"requests"`
}

func (s *Server) apiMinistries(ctx context.Context) ([]apiMinistry, error) {
	cards, err := s.store.Scorecards(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]apiMinistry, 0, len(cards))
	for _, sc := range cards {
		m := sc.Ministry
		a := apiMinistry{Slug: m.Slug, URL: s.cfg.BaseURL + "/ministries/" + m.Slug, NameKO: m.NameKO, NameEN: m.NameEN, NameZH: m.NameZH, Description: m.Description}
		a.Scorecard.Received, a.Scorecard.Answered, a.Scorecard.OnTime = sc.Received, sc.Answered, sc.OnTime
		a.Scorecard.OnTimePercent, a.Scorecard.MedianDays, a.Scorecard.Overdue = sc.OnTimePercent(), sc.MedianDays, sc.Overdue
		a.Scorecard.AnswerRatings, a.Scorecard.AnswerSatisfaction = sc.AnswerRatings, roundedAverage(sc.AnswerRatings, sc.AnswerRatingSum)
		rq := sc.Requests
		a.Requests.Received, a.Requests.Answered, a.Requests.OnTime = rq.Received, rq.Answered, rq.OnTime
		a.Requests.OnTimePercent, a.Requests.MedianWorkingDays, a.Requests.Ratings = rq.OnTimePercent(), rq.MedianDays, rq.Ratings
		if rq.Ratings > 0 {
			sat := float64(int(rq.Satisfaction()*100+0.5)) / 100
			a.Requests.Satisfaction = &sat
		}
		out = append(out, a)
	}
	return out, nil
}

// handleAPIMinistries lists every ministry with its scorecard.
func (s *Server) handleAPIMinistries(c *fiber.Ctx) error {
	list, err := s.apiMinistries(c.UserContext())
	if err != nil {
		return err
	}
	return c.JSON(struct {
		Items []apiMinistry `json:"items"`
	}{list})
}

// handleAPIMinistry shows one ministry, by slug, with its scorecard.
func (s *Server) handleAPIMinistry(c *fiber.Ctx) error {
	list, err := s.apiMinistries(c.UserContext())
	if err != nil {
		return err
	}
	for _, m := range list {
		if m.Slug == c.Params("slug") {
			return c.JSON(m)
		}
	}
	return apiError(c, fiber.StatusNotFound, "not_found", "no such ministry")
}

// record is one row of a download: values in the order of the dataset's fields.
type record []any

// eachRecord feeds a download's rows to emit, one at a time.
type eachRecord func(ctx context.Context, n names, emit func(record) error) error

func (s *Server) eachProposalRecord(ctx context.Context, n names, emit func(record) error) error {
	afterObjection, err := s.store.AllSupportsAfterObjection(ctx)
	if err != nil {
		return err
	}
	return s.store.EachPublicProposal(ctx, func(p *forum.Proposal) error {
		a := s.apiProposal(p, n)
		return emit(record{a.ID, a.URL, a.Title, a.Body, a.Status, a.Category, a.Ministry, a.Sponsors, a.Supports, a.Comments, a.Locked,
			a.CreatedAt, a.PublishedAt, a.SupportDeadline, a.ReachedAt, a.ResponseDue, a.AnsweredAt, a.ClosedAt, a.UpdatedAt,
			a.UnverifiedSponsors, a.UnverifiedSupports, afterObjection[p.ID]})
	})
}

func (s *Server) eachResponseRecord(ctx context.Context, n names, emit func(record) error) error {
	return s.store.EachPublicResponse(ctx, func(r *forum.Response) error {
		a := apiResponseOf(r, n)
		return emit(record{a.ProposalID, a.Ministry, a.Decision, a.Summary, a.Body, a.LegalBasis, a.ResponsibleUnit, a.NextStep,
			a.NextStepDate, a.Revision, a.CreatedAt, a.UpdatedAt, a.Role})
	})
}

func (s *Server) eachModActionRecord(ctx context.Context, _ names, emit func(record) error) error {
	return s.store.EachModAction(ctx, func(a forum.ModAction) error {
		return emit(record{a.ID, rfc3339(a.CreatedAt), a.Action, string(a.Kind), a.ItemID, a.ReasonCode, a.ActorRole, a.Before, a.After})
	})
}

// downloadTimeout bounds how long one bulk download may hold a database reader.
const downloadTimeout = 10 * time.Minute

// download streams a dataset as CSV (UTF-8 with a byte order mark, so that
// spreadsheet programs read Hangul right, and a header row) or as NDJSON (one
// JSON object a line), whichever the path's extension names. Rows go out as
// they are read: the body is never held whole in memory.
func (s *Server) download(dataset string, each eachRecord) fiber.Handler {
	fields := openDataSet(dataset).Fields
	return func(c *fiber.Ctx) error {
		n, err := s.names(c.UserContext())
		if err != nil {
			return err
		}
		asCSV := strings.HasSuffix(c.Path(), ".csv")
		if asCSV {
			c.Set(fiber.HeaderContentType, "text/csv; charset=utf-8")
			c.Set(fiber.HeaderContentDisposition, `attachment; filename="e-people-`+dataset+`.csv"`)
		} else {
			c.Set(fiber.HeaderContentType, "application/x-ndjson; charset=utf-8")
			c.Set(fiber.HeaderContentDisposition, `attachment; filename="e-people-`+dataset+`.ndjson"`)
		}
		c.Set(fiber.HeaderCacheControl, "public, max-age=300")
		log := s.log
		c.Context().SetBodyStreamWriter(func(w *bufio.Writer) {
			ctx, cancel := context.WithTimeout(context.Background(), downloadTimeout)
			defer cancel()
			var emit func(record) error
			rows := 0
			flush := func() error {
				if rows++; rows%100 == 0 {
					return w.Flush()
				}
				return nil
			}
			if asCSV {
				cw := newCSVWriter(w)
				w.WriteString("\ufeff")
				header := make([]any, len(fields))
				for i, f := range fields {
					header[i] = f.Name
				}
				cw.Write(header)
				emit = func(r record) error {
					if err := cw.Write(r); err != nil {
						return err
					}
					if err := cw.Flush(); err != nil {
						return err
					}
					return flush()
				}
			} else {
				enc := json.NewEncoder(w)
				enc.SetEscapeHTML(false)
				emit = func(r record) error {
					obj := make(orderedObject, len(fields))
					for i, f := range fields {
						obj[i] = field{f.Name, r[i]}
					}
					if err := enc.Encode(obj); err != nil {
						return err
					}
					return flush()
				}
			}
			if err := each(ctx, n, emit); err != nil {
				log.Warn("open data download stopped", "dataset", dataset, "err", err)
			}
			w.Flush()
		})
		return nil
	}
}

// field is one name and value of an orderedObject.
type field struct {
	name  string
	value any
}

// orderedObject marshals as a JSON object with its fields in order.
type orderedObject []field

// MarshalJSON writes the fields in their documented order.
func (o orderedObject) MarshalJSON() ([]byte, error) {
	b := []byte{'{'}
	for i, f := range o {
		if i > 0 {
			b = append(b, ',')
		}
		k, _ := json.Marshal(f.name)
		v, err := json.Marshal(f.value)
		if err != nil {
			return nil, err
		}
		b = append(append(append(b, k...), ':'), v...)
	}
	return append(b, '}'), nil
}

// fieldDoc documents one field of a dataset: its name, its type, and the
// catalog key of its meaning.
type fieldDoc struct {
	Name, Type string
}

// key is the catalog key of the field's meaning within dataset.
func (f fieldDoc) key(dataset string) string { return "opendata.f." + dataset + "." + f.Name }

// dataSet documents one published dataset; Fields of the downloadable ones
// are also the CSV columns and NDJSON keys, in order.
type dataSet struct {
	Name      string
	Fields    []fieldDoc
	Downloads []string // paths of the bulk downloads
	API       []string // API paths that return it
}

// openDataSets is every published dataset and field, in the order the /open-data page shows them.
var openDataSets = []dataSet{
	{Name: "proposals", Downloads: []string{"/open-data/proposals.csv", "/open-data/proposals.ndjson"},
		API: []string{"/api/v1/proposals", "/api/v1/proposals/{id}"}, Fields: []fieldDoc{
			{"id", "integer"}, {"url", "string"}, {"title", "string"}, {"body", "string"}, {"status", "string"},
			{"category", "string"}, {"ministry", "string"}, {"sponsors", "integer"}, {"supports", "integer"}, {"comments", "integer"},
			{"locked", "boolean"}, {"created_at", "time"}, {"published_at", "time"}, {"support_deadline", "time"}, {"reached_at", "time"},
			{"response_due", "time"}, {"answered_at", "time"}, {"closed_at", "time"}, {"updated_at", "time"},
			{"unverified_sponsors", "integer"}, {"unverified_supports", "integer"}, {"supports_after_objection", "integer"}}},
	{Name: "proposal_detail", API: []string{"/api/v1/proposals/{id}"}, Fields: []fieldDoc{
		{"co_ministries", "array of string"}, {"transfers", "array of object"}, {"transfers.from_ministry", "string"},
		{"transfers.to_ministry", "string"}, {"transfers.reason", "string"}, {"transfers.created_at", "time"}, {"response", "object"},
		{"response_parts", "array of object"}, {"merged_into", "integer"}, {"merged_from", "array of integer"},
		{"milestones", "array of object"}}},
	{Name: "merges", Downloads: []string{"/open-data/merges.csv", "/open-data/merges.ndjson"}, Fields: []fieldDoc{
		{"id", "integer"}, {"from_id", "integer"}, {"into_id", "integer"}, {"actor_role", "string"}, {"ministry", "string"},
		{"reason", "string"}, {"moved", "integer"}, {"added", "integer"}, {"created_at", "time"}, {"undone_at", "time"},
		{"undo_reason", "string"}}},
	{Name: "responses", Downloads: []string{"/open-data/responses.csv", "/open-data/responses.ndjson"},
		API: []string{"/api/v1/proposals/{id}"}, Fields: []fieldDoc{
			{"proposal_id", "integer"}, {"ministry", "string"}, {"decision", "string"}, {"summary", "string"}, {"body", "string"},
			{"legal_basis", "string"}, {"responsible_unit", "string"}, {"next_step", "string"}, {"next_step_date", "date"},
			{"revision", "integer"}, {"created_at", "time"}, {"updated_at", "time"}, {"role", "string"}}},
	{Name: "moderation-log", Downloads: []string{"/open-data/moderation-log.csv", "/open-data/moderation-log.ndjson"},
		API: []string{"/api/v1/moderation-log"}, Fields: []fieldDoc{
			{"id", "integer"}, {"time", "time"}, {"action", "string"}, {"item_kind", "string"}, {"item_id", "integer"},
			{"reason_code", "string"}, {"actor_role", "string"}, {"before", "string"}, {"after", "string"}}},
	{Name: "debates", API: []string{"/api/v1/debates", "/api/v1/debates/{id}"}, Fields: []fieldDoc{
		{"id", "integer"}, {"url", "string"}, {"ministry", "string"}, {"question", "string"}, {"background", "string"},
		{"status", "string"}, {"opens_at", "time"}, {"closes_at", "time"}, {"conclusion", "string"}, {"concluded_at", "time"},
		{"comments", "integer"}, {"locked", "boolean"}, {"created_at", "time"}, {"tally.for", "integer"}, {"tally.against", "integer"},
		{"tally.neutral", "integer"}}},
	{Name: "ministries", API: []string{"/api/v1/ministries", "/api/v1/ministries/{slug}"}, Fields: []fieldDoc{
		{"slug", "string"}, {"url", "string"}, {"name_ko", "string"}, {"name_en", "string"}, {"name_zh", "string"},
		{"description", "string"}, {"scorecard.received", "integer"}, {"scorecard.answered", "integer"}, {"scorecard.on_time", "integer"},
		{"scorecard.on_time_percent", "integer"}, {"scorecard.median_days", "number"}, {"scorecard.overdue", "integer"},
		{"scorecard.answer_ratings", "integer"}, {"scorecard.answer_satisfaction", "number"},
		{"requests.received", "integer"}, {"requests.answered", "integer"}, {"requests.on_time", "integer"},
		{"requests.on_time_percent", "integer"}, {"requests.median_working_days", "number"}, {"requests.ratings", "integer"},
		{"requests.satisfaction", "number"}}},
	{Name: "faqs", Downloads: []string{"/open-data/faqs.csv", "/open-data/faqs.ndjson"},
		API: []string{"/api/v1/faqs", "/api/v1/faqs/{id}"}, Fields: []fieldDoc{
			{"id", "integer"}, {"url", "string"}, {"ministry", "string"}, {"kind", "string"}, {"title", "string"}, {"question", "string"},
			{"decision", "string"}, {"summary", "string"}, {"answer", "string"}, {"legal_basis", "string"}, {"responsible_unit", "string"},
			{"published_at", "time"}}},
	{Name: "request-stats", Downloads: []string{"/open-data/request-stats.csv", "/open-data/request-stats.ndjson"},
		API: []string{"/api/v1/request-stats"}, Fields: []fieldDoc{
			{"month", "string"}, {"ministry", "string"}, {"kind", "string"}, {"received", "integer"}, {"answered", "integer"},
			{"on_time", "integer"}, {"median_working_days", "number"}, {"ratings", "integer"}, {"satisfaction", "number"},
			{"on_time_percent", "integer"}}},
	{Name: "milestones", Downloads: []string{"/open-data/milestones.csv", "/open-data/milestones.ndjson"},
		API: []string{"/api/v1/proposals/{id}"}, Fields: []fieldDoc{
			{"id", "integer"}, {"proposal_id", "integer"}, {"ministry", "string"}, {"title", "string"}, {"responsible_unit", "string"},
			{"state", "string"}, {"planned_due", "date"}, {"due", "date"}, {"moved", "boolean"}, {"done_at", "time"},
			{"kept_on_time", "boolean"}, {"evidence", "string"}, {"evidence_url", "string"}, {"created_at", "time"}, {"updated_at", "time"}}},
	{Name: "answer-ratings", Downloads: []string{"/open-data/answer-ratings.csv", "/open-data/answer-ratings.ndjson"},
		API: []string{"/api/v1/proposals/{id}/answer-ratings"}, Fields: []fieldDoc{
			{"proposal_id", "integer"}, {"url", "string"}, {"ministry", "string"}, {"round", "integer"}, {"ratings", "integer"},
			{"average", "number"}, {"objections", "integer"}}},
}

// openDataSet returns the dataset called name; it panics on a name not in openDataSets, a programming error.
func openDataSet(name string) dataSet {
	for _, d := range openDataSets {
		if d.Name == name {
			return d
		}
	}
	panic("open data: no dataset " + name)
}

// openDataField is one row of a field table on the /open-data page.
type openDataField struct {
	Name, Type, Key string
}

// openDataSection is one dataset on the /open-data page.
type openDataSection struct {
	Name, TitleKey, LeadKey string
	Downloads, API          []string
	Fields                  []openDataField
}

type openDataPage struct {
	base
	Sets []openDataSection
}

// handleOpenData explains what is published, under which licence, and every field.
func (s *Server) handleOpenData(c *fiber.Ctx) error {
	p := openDataPage{base: s.base(c, s.t(c, "opendata.title"))}
	for _, d := range openDataSets {
		sec := openDataSection{Name: d.Name, TitleKey: "opendata.set." + d.Name, LeadKey: "opendata.set." + d.Name + "_lead",
			Downloads: d.Downloads, API: d.API}
		for _, f := range d.Fields {
			sec.Fields = append(sec.Fields, openDataField{f.Name, f.Type, f.key(d.Name)})
		}
		p.Sets = append(p.Sets, sec)
	}
	return s.page(c, fiber.StatusOK, "open_data", p)
}
