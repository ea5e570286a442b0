package web

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/e-people/e-people/forum"
	"github.com/e-people/e-people/forum/store"
)

func TestSearch_PageAndAPI(t *testing.T) {
	e := newEnv(t)
	author := e.register("Author")
	xss := `<script>alert(1)</script><img src=x onerror=alert(2)> 국민 정책`
	id := e.openProposal(author, xss, "대중교통 정책 개선 AI proposal <b>bold</b>")
	guest := e.client()

	tests := []struct {
		path          string
		status        int
		want, notWant []string
	}{
		{"/search", 200, []string{`name="q"`, "두 글자"}, []string{"<mark>"}},
		{"/search?q=" + url.QueryEscape("?!…"), 200, []string{"문장 부호만으로는"}, []string{"<mark>"}},
		{"/search?q=" + url.QueryEscape("국민"), 200,
			[]string{`href="/proposals/` + itoa(int(id)) + `"`, "<mark>국민</mark>", "&lt;script&gt;alert(1)&lt;/script&gt;"},
			[]string{"<script>alert", "<img src=x", "<b>bold"}},
		// The snippet is the text the page shows: the raw <b> the renderer drops is not in it (issue 16).
		{"/search?q=" + url.QueryEscape("정책"), 200, []string{"<mark>정책</mark>", "proposal bold"}, []string{"<b>bold", "&lt;b&gt;"}},
		{"/search?q=" + url.QueryEscape("AI Proposal"), 200, []string{"<mark>AI</mark>", "<mark>proposal</mark>"}, nil},
		{"/search?q=" + url.QueryEscape("없는낱말"), 200, []string{"검색 결과가 없습니다"}, []string{"<mark>"}},
		{"/search?q=" + url.QueryEscape("정책") + "&status=closed", 200, []string{"검색 결과가 없습니다"}, nil},
		{"/search?q=" + url.QueryEscape("정책") + "&kind=proposal&status=open&ministry=" + e.mins[0].Slug +
			"&category=" + e.cats[0].Slug + "&from=2026-11-01&to=2026-11-30", 200, []string{"<mark>정책</mark>", "selected"}, nil},
		{"/search?q=" + url.QueryEscape("정책") + "&from=2026-12-01", 200, []string{"검색 결과가 없습니다"}, nil},
		{"/search?q=x&kind=nope", 400, nil, nil},
		{"/search?q=x&from=yesterday", 400, nil, nil},
	}
	for _, tt := range tests {
		r := guest.get(tt.path)
		if r.Status != tt.status {
			t.Errorf("GET %s: status %d, want %d: %.300s", tt.path, r.Status, tt.status, r.Body)
			continue
		}
		contains(t, tt.path, r.Body, tt.want...)
		for _, nw := range tt.notWant {
			if strings.Contains(r.Body, nw) {
				t.Errorf("GET %s: has %q", tt.path, nw)
			}
		}
	}

	r := guest.get("/api/v1/search?q=" + url.QueryEscape("정책"))
	if r.Status != http.StatusOK {
		t.Fatalf("api: %d %s", r.Status, r.Body)
	}
	var out struct {
		Items []struct {
			Kind, Title, URL, Snippet string
			ID                        int64
			Score                     float64
		}
		Total int
	}
	if err := json.Unmarshal([]byte(r.Body), &out); err != nil {
		t.Fatal(err)
	}
	if out.Total != 1 || len(out.Items) != 1 || out.Items[0].Kind != "proposal" || out.Items[0].ID != id ||
		out.Items[0].Title != xss || out.Items[0].URL != "/proposals/"+itoa(int(id)) || !strings.Contains(out.Items[0].Snippet, "정책") || out.Items[0].Score <= 0 {
		t.Errorf("api = %+v", out)
	}
	for path, code := range map[string]string{
		"/api/v1/search":                "empty_query",
		"/api/v1/search?q=%21%21":       "empty_query",
		"/api/v1/search?q=a&limit=1000": "invalid_parameter",
		"/api/v1/search?q=a&status=bad": "invalid_parameter",
	} {
		r := guest.get(path)
		var e struct {
			Error struct{ Code, Message string }
		}
		if r.Status != http.StatusBadRequest || json.Unmarshal([]byte(r.Body), &e) != nil || e.Error.Code != code || e.Error.Message == "" {
			t.Errorf("GET %s: %d %s, want 400 %s", path, r.Status, r.Body, code)
		}
	}
}

// TestSearch_BoundedCount checks the page and the API at the count's bound:
// past it "21+" in every language, total_exact false and a next page; at it
// the exact number.
func TestSearch_BoundedCount(t *testing.T) {
	old := searchCountBound
	t.Cleanup(func() { searchCountBound = old })
	e := newEnv(t)
	author := e.register("Author").user()
	for i := range searchPerPage + 2 {
		_, err := e.st.CreateProposal(context.Background(), store.NewProposal{AuthorID: author.ID, SponsorToken: "t" + itoa(i),
			Input: forum.ProposalInput{Title: "국민 제안 " + itoa(i), Body: "본문", CategoryID: e.cats[0].ID, MinistryID: e.mins[0].ID}}, 0)
		if err != nil {
			t.Fatal(err)
		}
	}
	guest := e.client()
	for _, tt := range []struct {
		bound      int
		ko, en, zh string
		next       bool
	}{
		{searchPerPage + 1, "검색 결과 21+건", "21+ results", "共 21+ 筆結果", true},
		{searchPerPage + 2, "검색 결과 22건", "22 results", "共 22 筆結果", true},
		{1, "검색 결과 20+건", "20+ results", "共 20+ 筆結果", true}, // counted to the end of the page at least
	} {
		searchCountBound = tt.bound
		for lang, want := range map[string]string{"ko": tt.ko, "en": tt.en, "zh-TW": tt.zh} {
			guest.lang = lang
			r := guest.get("/search?q=" + url.QueryEscape("국민"))
			// html/template writes the plus sign as &#43;, which browsers show as +.
			contains(t, lang, r.Body, `<p class="search-total" role="status">`+strings.ReplaceAll(want, "+", "&#43;")+`</p>`, `rel="next"`)
			if n := strings.Count(r.Body, `class="card search-hit"`); n != searchPerPage {
				t.Errorf("bound %d, %s: %d hits, want %d", tt.bound, lang, n, searchPerPage)
			}
		}
		guest.lang = ""
		// The second page counts to its own end: exact, and the last.
		r := guest.get("/search?page=2&q=" + url.QueryEscape("국민"))
		contains(t, "page 2", r.Body, "검색 결과 22건", `rel="prev"`)
		if n := strings.Count(r.Body, `class="card search-hit"`); n != 2 || strings.Contains(r.Body, `rel="next"`) {
			t.Errorf("bound %d, page 2: %d hits, want 2 and no next page", tt.bound, n)
		}
		var out struct {
			Total      int
			TotalExact bool `json:"total_exact"`
			Items      []struct{ ID int64 }
		}
		r = guest.get("/api/v1/search?limit=1&q=" + url.QueryEscape("국민"))
		wantTotal, wantExact := min(tt.bound, searchPerPage+2), tt.bound >= searchPerPage+2
		if err := json.Unmarshal([]byte(r.Body), &out); err != nil || out.Total != wantTotal || out.TotalExact != wantExact || len(out.Items) != 1 {
			t.Errorf("bound %d: api %+v, %v, want total %d exact %v: %s", tt.bound, out, err, wantTotal, wantExact, r.Body)
		}
	}
}
