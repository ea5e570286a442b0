package web

import (
	"bytes"
	"cmp"
	"encoding/xml"
	"fmt"
	"html"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/e-people/e-people/forum"
	"github.com/e-people/e-people/forum/store"
	"github.com/gofiber/fiber/v2"
)

// feedLimit is how many entries a feed carries.
const feedLimit = 50

// mimeAtom is the media type of an Atom feed.
const mimeAtom = "application/atom+xml; charset=utf-8"

// atomFeed is an Atom 1.0 feed document (RFC 4287).
type atomFeed struct {
	XMLName xml.Name    `xml:"http://www.w3.org/2005/Atom feed"`
	Title   string      `xml:"title"`
	ID      string      `xml:"id"`
	Updated string      `xml:"updated"`
	Links   []atomLink  `xml:"link"`
	Entries []atomEntry `xml:"entry"`
}

// atomLink is an Atom link element.
type atomLink struct {
	Rel  string `xml:"rel,attr,omitempty"`
	Type string `xml:"type,attr,omitempty"`
	Href string `xml:"href,attr"`
}

// atomPerson names an entry's author.
type atomPerson struct {
	Name string `xml:"name"`
}

// atomText is a text construct; encoding/xml escapes Body, so HTML content travels as escaped text.
type atomText struct {
	Type string `xml:"type,attr"`
	Body string `xml:",chardata"`
}

// atomCategory is an entry's category.
type atomCategory struct {
	Term  string `xml:"term,attr"`
	Label string `xml:"label,attr,omitempty"`
}

// atomEntry is one item of a feed.
type atomEntry struct {
	Title      string         `xml:"title"`
	ID         string         `xml:"id"`
	Updated    string         `xml:"updated"`
	Published  string         `xml:"published,omitempty"`
	Links      []atomLink     `xml:"link"`
	Author     atomPerson     `xml:"author"`
	Categories []atomCategory `xml:"category"`
	Summary    *atomText      `xml:"summary"`
	Content    atomText       `xml:"content"`
}

// site is the public origin without a trailing slash.
func (s *Server) site() string { return strings.TrimRight(s.cfg.BaseURL, "/") }

// atomTime writes t in RFC 3339, as Atom requires.
func atomTime(t time.Time) string { return t.UTC().Format(time.RFC3339) }

func (s *Server) handleProposalsFeed(c *fiber.Ctx) error {
	return s.proposalFeed(c, s.t(c, "feed.proposals"), "/proposals", store.ProposalQuery{})
}

func (s *Server) handleMinistryFeed(c *fiber.Ctx) error {
	m, err := s.store.MinistryBySlug(c.UserContext(), c.Params("slug"))
	if err != nil {
		return err
	}
	return s.proposalFeed(c, s.t(c, "feed.ministry", m.Name(s.lang(c))), "/ministries/"+m.Slug, store.ProposalQuery{MinistryID: m.ID})
}

func (s *Server) handleCategoryFeed(c *fiber.Ctx) error {
	cats, err := s.store.Categories(c.UserContext())
	if err != nil {
		return err
	}
	for _, cat := range cats {
		if cat.Slug == c.Params("slug") {
			return s.proposalFeed(c, s.t(c, "feed.category", cat.Name(s.lang(c))), "/proposals?category="+cat.Slug,
				store.ProposalQuery{CategoryID: cat.ID})
		}
	}
	return forum.ErrNotFound
}

// proposalFeed answers with the newest public proposals that q selects; page is the HTML page the feed mirrors.
func (s *Server) proposalFeed(c *fiber.Ctx, title, page string, q store.ProposalQuery) error {
	q.Sort, q.Limit = store.SortNewest, feedLimit
	list, err := s.store.ListProposals(c.UserContext(), q)
	if err != nil {
		return err
	}
	dir, err := s.directory(c)
	if err != nil {
		return err
	}
	lang := s.lang(c)
	f := s.newFeed(c, title, page)
	for _, p := range list.Proposals {
		url := s.site() + "/proposals/" + strconv.FormatInt(p.ID, 10)
		e := atomEntry{
			Title: p.Title, ID: url, Updated: atomTime(p.UpdatedAt), Published: atomTime(p.PublishedAt),
			Links:   []atomLink{{Rel: "alternate", Type: "text/html", Href: url}},
			Author:  atomPerson{Name: cmp.Or(p.AuthorName, s.t(c, "privacy.withdrawn_member"))},
			Content: atomText{Type: "html", Body: p.Body.String()},
		}
		for _, cat := range dir.Categories {
			if cat.ID == p.CategoryID {
				e.Categories = append(e.Categories, atomCategory{Term: cat.Slug, Label: cat.Name(lang)})
			}
		}
		f.add(e, p.UpdatedAt)
	}
	return s.sendFeed(c, f)
}

func (s *Server) handleAnswersFeed(c *fiber.Ctx) error {
	answers, err := s.store.LatestAnswers(c.UserContext(), feedLimit)
	if err != nil {
		return err
	}
	dir, err := s.directory(c)
	if err != nil {
		return err
	}
	lang := s.lang(c)
	f := s.newFeed(c, s.t(c, "feed.answers"), "/ministries")
	for _, a := range answers {
		url := s.site() + "/proposals/" + strconv.FormatInt(a.Proposal.ID, 10)
		signer := dir.Ministry(a.MinistryID)
		// The lead ministry's answer is the joint answer; a co-answering
		// ministry's part is named as its part of the answer the lead gives.
		// Entry ids stay what they were ("#answer"); links go to the anchor on the page.
		title, id, anchor := s.t(c, "feed.answer_title", signer.Name(lang), a.Proposal.Title), "#answer", "#response"
		if a.Part {
			title = s.t(c, "feed.answer_part_title", signer.Name(lang), dir.Ministry(a.Proposal.MinistryID).Name(lang), a.Proposal.Title)
			id, anchor = "#answer-"+signer.Slug, "#response-"+signer.Slug
		}
		content := a.Body.String()
		if a.NextStep != "" || !a.NextDate.IsZero() {
			var b strings.Builder
			b.WriteString("<p><strong>" + html.EscapeString(s.t(c, "response.next_step")) + "</strong>: " + html.EscapeString(a.NextStep))
			if !a.NextDate.IsZero() {
				b.WriteString(` (<time datetime="` + isoDay(a.NextDate) + `">` + isoDay(a.NextDate) + "</time>)")
			}
			content += b.String() + "</p>"
		}
		f.add(atomEntry{
			Title: title, ID: url + id, Updated: atomTime(a.At),
			Links:   []atomLink{{Rel: "alternate", Type: "text/html", Href: url + anchor}},
			Author:  atomPerson{Name: signer.Name(lang)},
			Summary: &atomText{Type: "text", Body: s.t(c, "decision."+string(a.Decision)) + " · " + a.Summary},
			Content: atomText{Type: "html", Body: content},
		}, a.At)
	}
	return s.sendFeed(c, f)
}

// feedDoc is a feed being built, with the time of its newest entry.
type feedDoc struct {
	atomFeed
	newest time.Time
}

func (s *Server) newFeed(c *fiber.Ctx, title, page string) *feedDoc {
	self := s.site() + c.Path()
	return &feedDoc{atomFeed: atomFeed{
		Title: title + " · " + s.t(c, "site.name"),
		ID:    self,
		Links: []atomLink{{Rel: "self", Type: "application/atom+xml", Href: self}, {Rel: "alternate", Type: "text/html", Href: s.site() + page}},
	}}
}

func (f *feedDoc) add(e atomEntry, at time.Time) {
	f.Entries = append(f.Entries, e)
	if at.After(f.newest) {
		f.newest = at
	}
}

// sendFeed writes the feed; an empty feed is dated by the clock.
func (s *Server) sendFeed(c *fiber.Ctx, f *feedDoc) error {
	if f.newest.IsZero() {
		f.newest = s.cfg.Now()
	}
	f.Updated = atomTime(f.newest)
	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	if err := xml.NewEncoder(&buf).Encode(f.atomFeed); err != nil {
		return fmt.Errorf("encode feed: %w", err)
	}
	c.Set(fiber.HeaderContentType, mimeAtom)
	c.Set(fiber.HeaderCacheControl, "public, max-age=300")
	c.Vary(fiber.HeaderCookie, fiber.HeaderAcceptLanguage)
	return c.Send(buf.Bytes())
}

// Chart geometry, in SVG user units.
const (
	chartWidth  = 640
	chartLeft   = 160 // room for the labels of a horizontal chart
	chartRight  = 56  // room for the value after a horizontal bar
	chartHeight = 220 // plot height of a vertical chart
	chartBottom = 28  // room for the labels under a vertical chart
	chartTop    = 12
	chartRow    = 24 // height of one row of a horizontal chart
)

// chartBar is one bar of a chart, placed, with its row of the data table.
type chartBar struct {
	X, Y, W, H int
	LabelX     int
	LabelY     int
	ShowLabel  bool   // the axis label is drawn (every bar of a short series, every fifth of a long one)
	AxisLabel  string // short label under or beside the bar
	Label      string // full label in the data table
	Value      string // the figure, formatted for the reader
	Extra      string // a second figure for the table, if the chart has one
	ValueX     int
}

// chart is a server-drawn bar chart and its data table.
type chart struct {
	ID         string
	Title      string
	Desc       string
	Horizontal bool
	Width      int
	Height     int
	PlotLeft   int
	PlotBottom int
	PlotRight  int
	MaxLabel   string // the figure at the top (or right end) of the value axis
	Headings   []string
	Bars       []chartBar
}

// statsPage is the public statistics page.
type statsPage struct {
	base
	Charts   []chart
	Requests []requestStatRow // civil requests by month, ministry and kind: aggregates only
	// AnswerScores are the ministries whose answers supporters rated, with
	// their average and count (issue 18).
	AnswerScores []scoreRow
}

func (s *Server) handleStats(c *fiber.Ctx) error {
	ctx := c.UserContext()
	lang := s.lang(c)
	st, err := s.store.Stats(ctx, 12, 30, seoul)
	if err != nil {
		return err
	}
	cards, err := s.store.Scorecards(ctx)
	if err != nil {
		return err
	}
	var months, days, answers, cats []chartBar
	var mv, dv, av, cv []int
	for _, b := range st.ProposalsByMonth {
		months, mv = append(months, chartBar{AxisLabel: monthLabel(lang, b.Start, true), Label: monthLabel(lang, b.Start, false), Value: formatNumber(b.N)}), append(mv, b.N)
	}
	for i, b := range st.SupportsByDay {
		days, dv = append(days, chartBar{AxisLabel: b.Start.Format("1/2"), Label: formatDay(lang, b.Start), Value: formatNumber(b.N), ShowLabel: i%5 == 0}), append(dv, b.N)
	}
	for _, sc := range cards {
		median := "—"
		if sc.Answered > 0 {
			median = s.t(c, "stats.days", strconv.FormatFloat(sc.MedianDays, 'f', 1, 64))
		}
		answers, av = append(answers, chartBar{AxisLabel: sc.Ministry.Name(lang), Label: sc.Ministry.Name(lang), Value: formatNumber(sc.Answered), Extra: median}), append(av, sc.Answered)
	}
	for _, cc := range st.ProposalsByCategory {
		cats, cv = append(cats, chartBar{AxisLabel: cc.Category.Name(lang), Label: cc.Category.Name(lang), Value: formatNumber(cc.N)}), append(cv, cc.N)
	}
	data := statsPage{base: s.base(c, s.t(c, "stats.title")), Charts: []chart{
		s.columnChart(c, "months", "stats.by_month", []string{s.t(c, "stats.month"), s.t(c, "stats.proposals")}, months, mv),
		s.columnChart(c, "days", "stats.by_day", []string{s.t(c, "stats.day"), s.t(c, "stats.supports")}, days, dv),
		s.rowChart(c, "answers", "stats.by_ministry", []string{s.t(c, "stats.ministry"), s.t(c, "stats.answers"), s.t(c, "stats.median")}, answers, av),
		s.rowChart(c, "categories", "stats.by_category", []string{s.t(c, "stats.category"), s.t(c, "stats.proposals")}, cats, cv),
	}}
	if ch, ok := s.promiseChart(c, cards); ok { // issue 18: milestones.go
		data.Charts = append(data.Charts, ch)
	}
	if data.Requests, err = s.requestStatRows(c); err != nil {
		return err
	}
	for _, sc := range cards {
		if sc.AnswerRatings > 0 {
			data.AnswerScores = append(data.AnswerScores, s.scoreRow(c, sc, 0))
		}
	}
	return s.page(c, fiber.StatusOK, "stats", data)
}

// chartMax is the top of a value axis: the largest value, at least 1.
func chartMax(values []int) (top, total int) {
	top = 1
	for _, v := range values {
		top, total = max(top, v), total+v
	}
	return top, total
}

// columnChart draws a time series as vertical bars.
func (s *Server) columnChart(c *fiber.Ctx, id, key string, headings []string, bars []chartBar, values []int) chart {
	top, total := chartMax(values)
	ch := chart{ID: id, Title: s.t(c, key), Desc: s.t(c, key+"_desc", formatNumber(total)), Width: chartWidth, Height: chartTop + chartHeight + chartBottom,
		PlotLeft: 48, PlotBottom: chartTop + chartHeight, PlotRight: chartWidth - 8, MaxLabel: formatNumber(top), Headings: headings, Bars: bars}
	if len(bars) == 0 {
		return ch
	}
	band := (ch.PlotRight - ch.PlotLeft) / len(bars)
	for i := range ch.Bars {
		b := &ch.Bars[i]
		b.H = values[i] * chartHeight / top
		b.W = max(1, band*7/10)
		b.X = ch.PlotLeft + i*band + (band-b.W)/2
		b.Y = ch.PlotBottom - b.H
		b.LabelX, b.LabelY = ch.PlotLeft+i*band+band/2, ch.PlotBottom+18
		if len(bars) <= 12 {
			b.ShowLabel = true
		}
	}
	return ch
}

// rowChart draws named figures as horizontal bars.
func (s *Server) rowChart(c *fiber.Ctx, id, key string, headings []string, bars []chartBar, values []int) chart {
	top, total := chartMax(values)
	ch := chart{ID: id, Title: s.t(c, key), Desc: s.t(c, key+"_desc", formatNumber(total)), Horizontal: true, Width: chartWidth,
		Height: chartTop + len(bars)*chartRow + chartBottom, PlotLeft: chartLeft, PlotBottom: chartTop + len(bars)*chartRow,
		PlotRight: chartWidth - chartRight, MaxLabel: formatNumber(top), Headings: headings, Bars: bars}
	for i := range ch.Bars {
		b := &ch.Bars[i]
		b.ShowLabel = true
		b.X, b.Y, b.H = chartLeft, chartTop+i*chartRow+4, chartRow-8
		b.W = values[i] * (ch.PlotRight - chartLeft) / top
		b.LabelX, b.LabelY = chartLeft-8, chartTop+i*chartRow+chartRow/2+4
		b.ValueX = chartLeft + b.W + 6
	}
	return ch
}

// monthLabel names a month the way each language writes it, short for an axis.
func monthLabel(lang string, t time.Time, short bool) string {
	switch {
	case lang == "en" && short:
		return t.Format("Jan")
	case lang == "en":
		return t.Format("January 2006")
	case lang == "zh" && short:
		return t.Format("1月")
	case lang == "zh":
		return t.Format("2006年1月")
	case short:
		return t.Format("1월")
	}
	return t.Format("2006년 1월")
}

// handleProposalItemFeed is one proposal's Atom feed (issue 18): the steps
// of its public timeline, as the page shows them (published, reached,
// transferred, co-answering, answered, closed, and whatever else the
// timeline tells), and every published version of its answer, whole. Only a
// proposal everyone may read has one.
func (s *Server) handleProposalItemFeed(c *fiber.Ctx) error {
	ctx := c.UserContext()
	p, err := s.store.Proposal(ctx, paramID(c))
	if err != nil {
		return err
	}
	if p.VisibilityTo(nil) != forum.Seen {
		return forum.ErrNotFound
	}
	d, err := s.directory(c)
	if err != nil {
		return err
	}
	v, err := s.answerData(c, p, d, s.store.Settings().Thresholds.Supports)
	if err != nil {
		return err
	}
	lang := s.lang(c)
	path := "/proposals/" + strconv.FormatInt(p.ID, 10)
	url := s.site() + path
	site := s.t(c, "site.name")
	var revs []*forum.Response
	if p.Status.Answerable() || p.Status.Answered() {
		if revs, err = s.store.ResponseRevisions(ctx, p.ID); err != nil {
			return err
		}
	}
	// The lead's first version is the timeline's "answered" entry, with its text; every other version is an entry of its own.
	first := -1
	for i, r := range revs {
		if v.Response != nil && !r.Part && r.MinistryID == v.Response.MinistryID {
			first = i
			break
		}
	}
	f := s.newFeed(c, s.t(c, "share.feed_proposal", p.Title), path)
	for _, e := range v.Timeline {
		text := s.t(c, e.Key, e.Args...)
		entry := atomEntry{
			Title: text, ID: url + "#timeline-" + strings.TrimPrefix(e.Key, "timeline.") + "-" + strconv.FormatInt(e.At.Unix(), 10),
			Updated: atomTime(e.At), Published: atomTime(e.At),
			Links:   []atomLink{{Rel: "alternate", Type: "text/html", Href: url + "#timeline"}},
			Author:  atomPerson{Name: site},
			Content: atomText{Type: "text", Body: text},
		}
		if e.Key == "timeline.answered" && first >= 0 {
			r := revs[first]
			entry.Links[0].Href = url + "#response"
			entry.Author.Name = d.Ministry(r.MinistryID).Name(lang)
			entry.Summary = &atomText{Type: "text", Body: r.Summary}
			entry.Content = atomText{Type: "html", Body: r.Body.String()}
		}
		f.add(entry, e.At)
	}
	for i, r := range revs {
		if i == first {
			continue
		}
		m := d.Ministry(r.MinistryID)
		f.add(atomEntry{
			Title: s.t(c, "share.feed_answer_version", m.Name(lang), r.Revision, s.t(c, "decision."+string(r.Decision))),
			ID:    url + "#answer-version-" + strconv.Itoa(r.Revision), Updated: atomTime(r.CreatedAt), Published: atomTime(r.CreatedAt),
			Links:   []atomLink{{Rel: "alternate", Type: "text/html", Href: url + "/response/history"}},
			Author:  atomPerson{Name: m.Name(lang)},
			Summary: &atomText{Type: "text", Body: r.Summary},
			Content: atomText{Type: "html", Body: r.Body.String()},
		}, r.CreatedAt)
	}
	sortEntries(f)
	return s.sendFeed(c, f)
}

// handleDebateItemFeed is one debate's Atom feed (issue 18): its
// announcement, opening, closing and conclusion, as they happen.
func (s *Server) handleDebateItemFeed(c *fiber.Ctx) error {
	d, err := s.store.Debate(c.UserContext(), paramID(c))
	if err != nil {
		return err
	}
	if forum.DebateVisibility(d, nil) != forum.Seen {
		return forum.ErrNotFound
	}
	dir, err := s.directory(c)
	if err != nil {
		return err
	}
	host := dir.Ministry(d.MinistryID).Name(s.lang(c))
	path := "/debates/" + strconv.FormatInt(d.ID, 10)
	url := s.site() + path
	f := s.newFeed(c, s.t(c, "share.feed_debate", d.Question), path)
	add := func(step string, at time.Time, anchor string, content atomText) {
		title := s.t(c, "share.feed_debate_"+step, d.Question)
		if content.Body == "" {
			content = atomText{Type: "text", Body: title}
		}
		f.add(atomEntry{Title: title, ID: url + "#" + step, Updated: atomTime(at), Published: atomTime(at),
			Links:  []atomLink{{Rel: "alternate", Type: "text/html", Href: url + anchor}},
			Author: atomPerson{Name: host}, Content: content}, at)
	}
	now := s.cfg.Now()
	add("announced", d.CreatedAt, "", atomText{Type: "html", Body: d.Background.String()})
	if st := d.StatusAt(now); st != forum.DebateUpcoming {
		add("opened", d.OpensAt, "", atomText{})
		if st == forum.DebateClosed {
			add("closed", d.ClosesAt, "#comments", atomText{})
		}
	}
	if !d.ConcludedAt.IsZero() {
		add("concluded", d.ConcludedAt, "#conclusion", atomText{Type: "html", Body: d.Conclusion.String()})
	}
	sortEntries(f)
	return s.sendFeed(c, f)
}

// sortEntries puts a feed's newest entry first, as the site's feeds do.
func sortEntries(f *feedDoc) {
	slices.SortStableFunc(f.Entries, func(a, b atomEntry) int { return strings.Compare(b.Updated, a.Updated) })
}
