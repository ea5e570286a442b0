package web

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/e-people/e-people/assets"
	"github.com/e-people/e-people/forum"
	"github.com/e-people/e-people/forum/store"
	"github.com/e-people/e-people/moderation"
	"github.com/e-people/e-people/views"
)

// odFixture is a forum with something of everything the open data must and must not show.
type odFixture struct {
	*ansFixture
	answered, transferred, plain int64 // public proposals
	hidden, draft, gathering     int64 // never published
	debate                       int64
	secrets                      []string // text that must appear in no output
}

func newODFixture(t *testing.T) *odFixture {
	t.Helper()
	f := &odFixture{ansFixture: newAnsFixture(t)}
	e, ctx := f.e, context.Background()
	f.answered = f.awaiting("국립도서관 야간 개방 제안")
	if r := f.lead.post(ansPath(f.answered, "/co-ministries"), url.Values{"ministry": {itoa(int(f.molit))}}); r.Status != 303 {
		t.Fatalf("co-ministry: %d %.300s", r.Status, r.Body)
	}
	if r := f.lead.post(ansPath(f.answered, "/response"), ansAnswerForm("accepted", "세 곳에서 시범 운영")); r.Status != 303 {
		t.Fatalf("answer: %d %.300s", r.Status, r.Body)
	}
	f.transferred = f.awaiting("학교 급식 개선 제안")
	if r := f.lead.post(ansPath(f.transferred, "/transfer"), url.Values{"ministry": {itoa(int(f.moe))}, "reason": {"교육부 소관 업무"}}); r.Status != 303 {
		t.Fatalf("transfer: %d %.300s", r.Status, r.Body)
	}
	f.plain = f.awaiting("평범한 공개 제안")
	f.hidden = f.awaiting("숨겨진 비밀 제안 제목")
	if err := e.st.Hide(ctx, f.moderator.user(), forum.ItemProposal, f.hidden, moderation.HideSpam); err != nil {
		t.Fatal(err)
	}
	mk := func(title string, draft bool) int64 {
		p, err := e.st.CreateProposal(ctx, store.NewProposal{AuthorID: f.author.ID, SponsorToken: "tok-" + title, Draft: draft,
			Input: forum.ProposalInput{Title: title, Body: title + " 본문", CategoryID: e.cats[0].ID, MinistryID: f.mohw},
			Body:  moderation.TrustedFromStore("<p>" + title + "</p>")}, 5)
		if err != nil {
			t.Fatal(err)
		}
		return p.ID
	}
	f.draft, f.gathering = mk("작성중인 비밀 초안", true), mk("공동발의 모으는 비밀 제안", false)
	now := e.clock.Now()
	d, err := e.st.CreateDebate(ctx, store.NewDebate{HostID: f.lead.user().ID, Input: forum.DebateInput{Question: "도서관 운영 시간 토론",
		Background: "배경", OpensAt: now.Add(-time.Hour), ClosesAt: now.Add(48 * time.Hour), MinistryID: f.mohw}})
	if err != nil {
		t.Fatal(err)
	}
	f.debate = d.ID
	for i, in := range []forum.CommentInput{{Stance: forum.StanceFor, Body: "찬성합니다 공개 의견"}, {Stance: forum.StanceAgainst, Body: "숨겨진 비밀 반대 의견"}} {
		c, err := e.st.CreateComment(ctx, store.NewComment{Subject: forum.DebateSubject(d.ID), AuthorID: f.supporters[i].ID, Input: in,
			Body: e.srv.md.Markdown(in.Body)})
		if err != nil {
			t.Fatal(err)
		}
		if i == 1 {
			if err := e.st.Hide(ctx, f.moderator.user(), forum.ItemComment, c.ID, moderation.HideSpam); err != nil {
				t.Fatal(err)
			}
		}
	}
	f.secrets = []string{"example.org", "숨겨진 비밀", "작성중인 비밀", "모으는 비밀", "044-203-2612", "tok-"}
	return f
}

// noSecrets fails when body shows an e-mail address, a contact line, a sponsor token or an unpublished item.
func (f *odFixture) noSecrets(t *testing.T, what, body string) {
	t.Helper()
	for _, s := range f.secrets {
		if strings.Contains(body, s) {
			t.Errorf("%s shows %q", what, s)
		}
	}
}

func decodeJSON(t *testing.T, what, body string, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(body), v); err != nil {
		t.Fatalf("%s: %v: %.300s", what, err, body)
	}
}

func TestOpenData_API(t *testing.T) {
	f := newODFixture(t)
	c := f.e.client()
	get := func(path string, status int) resp {
		t.Helper()
		r := c.get(path)
		if r.Status != status {
			t.Fatalf("GET %s: %d, want %d: %.300s", path, r.Status, status, r.Body)
		}
		if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
			t.Errorf("GET %s: content type %q", path, ct)
		}
		if r.Header.Get("Access-Control-Allow-Origin") != "*" {
			t.Errorf("GET %s: no CORS header", path)
		}
		f.noSecrets(t, path, r.Body)
		return r
	}
	type list struct {
		Items []map[string]any `json:"items"`
		Next  *string          `json:"next"`
	}
	ids := func(l list) []int64 {
		var out []int64
		for _, it := range l.Items {
			out = append(out, int64(it["id"].(float64)))
		}
		slices.Sort(out)
		return out
	}
	public := []int64{f.answered, f.transferred, f.plain}

	var all list
	decodeJSON(t, "list", get("/api/v1/proposals", 200).Body, &all)
	if got := ids(all); !slices.Equal(got, public) || all.Next != nil {
		t.Errorf("list: ids %v next %v, want %v and no next", got, all.Next, public)
	}
	proposalFields := []string{"id", "url", "title", "body", "status", "category", "ministry", "sponsors", "supports", "comments", "locked",
		"created_at", "published_at", "support_deadline", "reached_at", "response_due", "answered_at", "closed_at", "updated_at",
		"unverified_sponsors", "unverified_supports", "supports_after_objection"}
	for _, k := range proposalFields {
		if _, ok := all.Items[0][k]; !ok {
			t.Errorf("list item lacks %q", k)
		}
	}
	if got := slices.Collect(func(yield func(string) bool) {
		for _, fd := range openDataSet("proposals").Fields {
			if !yield(fd.Name) {
				return
			}
		}
	}); !slices.Equal(got, proposalFields) {
		t.Errorf("documented proposal fields %v", got)
	}

	// Pages of one, followed by cursor, give every public proposal once.
	var seen []int64
	next := "/api/v1/proposals?limit=1&sort=supported"
	for i := 0; next != ""; i++ {
		var page list
		decodeJSON(t, "page", get(next, 200).Body, &page)
		if len(page.Items) != 1 || i > 5 {
			t.Fatalf("page %d: %d items", i, len(page.Items))
		}
		seen = append(seen, ids(page)...)
		next = ""
		if page.Next != nil {
			next = "/api/v1/proposals?limit=1&sort=supported&cursor=" + url.QueryEscape(*page.Next)
		}
	}
	if slices.Sort(seen); !slices.Equal(seen, public) {
		t.Errorf("paged ids %v, want %v", seen, public)
	}

	for path, want := range map[string][]int64{
		"/api/v1/proposals?ministry=moe":              {f.transferred},
		"/api/v1/proposals?status=answered":           {f.answered},
		"/api/v1/proposals?category=welfare":          public,
		"/api/v1/proposals?ministry=mohw&sort=newest": {f.answered, f.plain},
	} {
		var l list
		decodeJSON(t, path, get(path, 200).Body, &l)
		if got := ids(l); !slices.Equal(got, want) {
			t.Errorf("%s: %v, want %v", path, got, want)
		}
	}

	for path, code := range map[string]string{
		"/api/v1/proposals?cursor=%21%21":           "invalid_cursor",
		"/api/v1/proposals?cursor=bm90LWEtY3Vyc29y": "invalid_cursor",
		"/api/v1/proposals?status=draft":            "invalid_parameter",
		"/api/v1/proposals?ministry=nope":           "invalid_parameter",
		"/api/v1/proposals?category=nope":           "invalid_parameter",
		"/api/v1/proposals?sort=random":             "invalid_parameter",
		"/api/v1/proposals?limit=1000":              "invalid_parameter",
		"/api/v1/debates?status=later":              "invalid_parameter",
	} {
		var e struct {
			Error struct{ Code, Message string }
		}
		decodeJSON(t, path, get(path, 400).Body, &e)
		if e.Error.Code != code || e.Error.Message == "" {
			t.Errorf("%s: error %+v, want code %s", path, e.Error, code)
		}
	}
	for _, path := range []string{ansPath(f.hidden, ""), ansPath(f.draft, ""), ansPath(f.gathering, ""), "/proposals/99999",
		"/debates/99999", "/ministries/nope"} {
		path = "/api/v1" + path
		var e struct {
			Error struct{ Code, Message string }
		}
		decodeJSON(t, path, get(path, 404).Body, &e)
		if e.Error.Code != "not_found" {
			t.Errorf("%s: error %+v", path, e.Error)
		}
	}

	var p map[string]any
	decodeJSON(t, "answered", get("/api/v1/proposals/"+itoa(int(f.answered)), 200).Body, &p)
	for _, k := range append(proposalFields, "co_ministries", "transfers", "response") {
		if _, ok := p[k]; !ok {
			t.Errorf("detail lacks %q", k)
		}
	}
	if p["reached_at"] == nil || p["answered_at"] == nil || p["response_due"] == nil || p["closed_at"] != nil {
		t.Errorf("lifecycle times: %v", p)
	}
	if _, err := time.Parse(time.RFC3339, p["published_at"].(string)); err != nil || !strings.HasSuffix(p["published_at"].(string), "Z") {
		t.Errorf("published_at %v is not RFC 3339 UTC", p["published_at"])
	}
	if co := fmt.Sprint(p["co_ministries"]); co != "[molit]" {
		t.Errorf("co_ministries %s", co)
	}
	ans, _ := p["response"].(map[string]any)
	if ans["decision"] != "accepted" || ans["revision"] != 1.0 || ans["summary"] != "세 곳에서 시범 운영" || ans["legal_basis"] != "도서관법 제28조" ||
		ans["next_step_date"] == nil || ans["ministry"] != "mohw" {
		t.Errorf("response %v", ans)
	}
	for _, fd := range openDataSet("responses").Fields {
		if _, ok := ans[fd.Name]; !ok {
			t.Errorf("response lacks %q", fd.Name)
		}
	}
	decodeJSON(t, "transferred", get("/api/v1/proposals/"+itoa(int(f.transferred)), 200).Body, &p)
	if tr := fmt.Sprint(p["transfers"]); p["ministry"] != "moe" || !strings.Contains(tr, "from_ministry:mohw") ||
		!strings.Contains(tr, "to_ministry:moe") || !strings.Contains(tr, "reason:교육부 소관 업무") || p["response"] != nil {
		t.Errorf("transferred: ministry %v transfers %s response %v", p["ministry"], tr, p["response"])
	}

	var debates list
	decodeJSON(t, "debates", get("/api/v1/debates", 200).Body, &debates)
	if len(debates.Items) != 1 {
		t.Fatalf("debates: %v", debates.Items)
	}
	var d map[string]any
	decodeJSON(t, "debate", get("/api/v1/debates/"+itoa(int(f.debate)), 200).Body, &d)
	for _, fd := range openDataSet("debates").Fields {
		if _, ok := d[strings.Split(fd.Name, ".")[0]]; !ok {
			t.Errorf("debate lacks %q", fd.Name)
		}
	}
	if tally := fmt.Sprint(d["tally"]); tally != "map[against:0 for:1 neutral:0]" || d["status"] != "open" || d["ministry"] != "mohw" {
		t.Errorf("debate: tally %s status %v", tally, d["status"])
	}
	var ms list
	decodeJSON(t, "ministries", get("/api/v1/ministries", 200).Body, &ms)
	if len(ms.Items) != 3 {
		t.Errorf("ministries: %d", len(ms.Items))
	}
	var m map[string]any
	decodeJSON(t, "ministry", get("/api/v1/ministries/mohw", 200).Body, &m)
	sc, _ := m["scorecard"].(map[string]any)
	if m["name_en"] != "Ministry of Health and Welfare" || sc["answered"] != 1.0 || sc["received"] == nil || sc["on_time_percent"] != 100.0 {
		t.Errorf("ministry: %v", m)
	}
	for _, fd := range openDataSet("ministries").Fields {
		if _, ok := m[strings.Split(fd.Name, ".")[0]]; !ok {
			t.Errorf("ministry lacks %q", fd.Name)
		}
	}

	r := c.do("OPTIONS", "/api/v1/proposals", nil, "Origin", "https://example.net", "Access-Control-Request-Method", "GET")
	if r.Status != 204 || r.Header.Get("Access-Control-Allow-Origin") != "*" || !strings.Contains(r.Header.Get("Access-Control-Allow-Methods"), "GET") {
		t.Errorf("preflight: %d %v", r.Status, r.Header)
	}
}

func TestOpenData_Downloads(t *testing.T) {
	f := newODFixture(t)
	c := f.e.client()
	for _, ds := range []string{"proposals", "responses", "moderation-log"} {
		fields := openDataSet(ds).Fields
		var names []string
		for _, fd := range fields {
			names = append(names, fd.Name)
		}
		for _, ext := range []string{"csv", "ndjson"} {
			path := "/open-data/" + ds + "." + ext
			r := c.get(path)
			if r.Status != 200 {
				t.Fatalf("%s: %d %.300s", path, r.Status, r.Body)
			}
			wantType := map[string]string{"csv": "text/csv; charset=utf-8", "ndjson": "application/x-ndjson; charset=utf-8"}[ext]
			if ct := r.Header.Get("Content-Type"); ct != wantType {
				t.Errorf("%s: content type %q", path, ct)
			}
			if cd := r.Header.Get("Content-Disposition"); cd != `attachment; filename="e-people-`+ds+`.`+ext+`"` {
				t.Errorf("%s: disposition %q", path, cd)
			}
			if r.Header.Get("Access-Control-Allow-Origin") != "*" {
				t.Errorf("%s: no CORS header", path)
			}
			f.noSecrets(t, path, r.Body)
			var rows [][]string
			if ext == "csv" {
				body, ok := strings.CutPrefix(r.Body, "\ufeff")
				if !ok {
					t.Errorf("%s: no byte order mark", path)
				}
				all, err := csv.NewReader(strings.NewReader(body)).ReadAll()
				if err != nil {
					t.Fatalf("%s: %v", path, err)
				}
				if !slices.Equal(all[0], names) {
					t.Errorf("%s: header %v, want %v", path, all[0], names)
				}
				rows = all[1:]
			} else {
				for i, line := range strings.Split(strings.TrimSuffix(r.Body, "\n"), "\n") {
					var obj map[string]any
					if err := json.Unmarshal([]byte(line), &obj); err != nil {
						t.Fatalf("%s line %d: %v: %s", path, i+1, err, line)
					}
					if len(obj) != len(names) {
						t.Errorf("%s line %d: %d keys, want %d", path, i+1, len(obj), len(names))
					}
					var row []string
					for _, n := range names {
						if _, ok := obj[n]; !ok {
							t.Errorf("%s line %d lacks %q", path, i+1, n)
						}
						row = append(row, fmt.Sprint(obj[n]))
					}
					rows = append(rows, row)
				}
			}
			var first []string
			for _, row := range rows {
				first = append(first, row[0])
			}
			switch ds {
			case "proposals":
				want := []string{itoa(int(f.answered)), itoa(int(f.transferred)), itoa(int(f.plain))}
				if !slices.Equal(first, want) {
					t.Errorf("%s: ids %v, want %v", path, first, want)
				}
			case "responses":
				if !slices.Equal(first, []string{itoa(int(f.answered))}) || rows[0][2] != "accepted" {
					t.Errorf("%s: rows %v", path, rows)
				}
			case "moderation-log":
				if !strings.Contains(fmt.Sprint(rows), "proposal "+itoa(int(f.hidden))+" spam") {
					t.Errorf("%s: no hide of the hidden proposal in %v", path, rows)
				}
			}
		}
	}
}

func TestOpenData_Page(t *testing.T) {
	f := newODFixture(t)
	for lang, want := range map[string]string{"ko": "공공누리 제1유형", "en": "Korea Open Government License Type 1", "zh": "第一類型"} {
		c := f.e.client()
		c.lang = lang
		r := c.get("/open-data")
		if r.Status != 200 || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/html") {
			t.Fatalf("%s: %d %.300s", lang, r.Status, r.Body)
		}
		contains(t, lang, r.Body, want, "CC BY 4.0", `href="/open-data/proposals.csv"`, `href="/open-data/moderation-log.ndjson"`, "GET /api/v1/proposals")
		for _, ds := range openDataSets {
			for _, fd := range ds.Fields {
				contains(t, lang, r.Body, "<code>"+fd.Name+"</code>")
			}
		}
		if strings.Contains(r.Body, "opendata.") {
			t.Errorf("%s: untranslated key in page", lang)
		}
		f.noSecrets(t, "page", r.Body)
	}
	cats, err := loadCatalogs(views.FS)
	if err != nil {
		t.Fatal(err)
	}
	for _, ds := range openDataSets {
		keys := []string{"opendata.set." + ds.Name, "opendata.set." + ds.Name + "_lead"}
		for _, fd := range ds.Fields {
			keys = append(keys, fd.key(ds.Name))
		}
		for _, lang := range Languages {
			for _, k := range keys {
				if _, ok := cats[lang][k]; !ok {
					t.Errorf("%s: missing %q", lang, k)
				}
			}
		}
	}
}

func TestOpenData_RateLimit(t *testing.T) {
	e := newEnv(t)
	srv, err := New(e.st, Config{BaseURL: "http://127.0.0.1", Views: views.FS, Assets: assets.FS, Now: e.clock.Now, APIPerMinute: 3})
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= 4; i++ {
		req := httptest.NewRequest("GET", "/api/v1/ministries", nil)
		req.Host = "127.0.0.1" // the site's host: an absolute request line carries no Host header, which fasthttp refuses
		res, err := srv.App().Test(req, -1)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if i <= 3 && res.StatusCode != 200 {
			t.Fatalf("request %d: %d", i, res.StatusCode)
		}
		if i == 4 {
			var body struct{ Error struct{ Code string } }
			if res.StatusCode != 429 || res.Header.Get("Retry-After") == "" || json.Unmarshal(b, &body) != nil || body.Error.Code != "rate_limited" ||
				!strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") {
				t.Errorf("over the limit: %d %v %s", res.StatusCode, res.Header, b)
			}
		}
	}
}

// TestOpenData_Streams downloads 5,000 proposals from a real listener: the
// body must come chunked, with no Content-Length, which the server can only do
// when it writes rows as it reads them instead of building the body first.
func TestOpenData_Streams(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	u, err := e.st.CreateUser(ctx, forum.User{Tier: forum.TierEmailVerified, Role: forum.RoleCitizen, Name: "대량 작성자", Email: "bulk@example.org"}, "x")
	if err != nil {
		t.Fatal(err)
	}
	const n = 5000
	for i := range n {
		title := fmt.Sprintf("대량 제안 %d번", i)
		if _, err := e.st.CreateProposal(ctx, store.NewProposal{AuthorID: u.ID, SponsorToken: "t" + itoa(i),
			Input: forum.ProposalInput{Title: title, Body: strings.Repeat("본문 ", 50), CategoryID: e.cats[0].ID, MinistryID: e.mins[0].ID},
			Body:  moderation.TrustedFromStore("<p>본문</p>")}, 0); err != nil {
			t.Fatal(err)
		}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go e.srv.Serve(ln)
	defer e.srv.Shutdown(ctx)
	for _, ext := range []string{"csv", "ndjson"} {
		res, err := http.Get("http://" + ln.Addr().String() + "/open-data/proposals." + ext)
		if err != nil {
			t.Fatal(err)
		}
		if res.StatusCode != 200 || res.ContentLength != -1 || !slices.Equal(res.TransferEncoding, []string{"chunked"}) {
			t.Errorf("%s: status %d, length %d, transfer encoding %v; want a chunked stream", ext, res.StatusCode, res.ContentLength, res.TransferEncoding)
		}
		rows := 0
		br := bufio.NewReaderSize(res.Body, 16)
		if ext == "csv" {
			r := csv.NewReader(br)
			for {
				rec, err := r.Read()
				if err == io.EOF {
					break
				}
				if err != nil {
					t.Fatal(err)
				}
				if bytes.Contains([]byte(strings.Join(rec, ",")), []byte("example.org")) {
					t.Fatal("e-mail address in download")
				}
				rows++
			}
			rows-- // header
		} else {
			dec := json.NewDecoder(br)
			for dec.More() {
				var obj map[string]any
				if err := dec.Decode(&obj); err != nil {
					t.Fatal(err)
				}
				rows++
			}
		}
		res.Body.Close()
		if rows != n {
			t.Errorf("%s: %d rows, want %d", ext, rows, n)
		}
	}
}
