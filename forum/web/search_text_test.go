package web

import (
	"context"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/e-people/e-people/forum"
)

// TestSearch_ShowsWhatThePageShows (issue 16, item 10): through the real
// app, a proposal written in Markdown (a heading, bold, a table, a script
// the page strips) is found and snipped as plain text; category names in
// every language find the category's proposals; each result shows its
// status, ministry and date, with lang on the title and the snippet; the
// header's search box keeps the query.
func TestSearch_ShowsWhatThePageShows(t *testing.T) {
	e := newEnv(t)
	transport, err := e.st.CreateCategory(context.Background(), forum.Category{Slug: "transport", NameKO: "교통", NameEN: "Transport",
		NameZH: "交通", MinistryID: e.mins[0].ID})
	if err != nil {
		t.Fatal(err)
	}
	welfare := e.cats[0]
	e.cats[0] = transport
	author := e.register("작성자")
	body := "## 기대 효과\n\n**심야 버스**가 늘어나면 귀가가 안전해집니다.\n\n| 구분 | 현재 | 제안 |\n|---|---|---|\n| 노선 | 3 | 9 |\n\n<script>alert('검색')</script>"
	id := e.openProposal(author, "심야 버스 노선 확대", body)
	e.cats[0] = welfare
	other := e.openProposal(author, "어린이집 야간 보육", "야간 보육 시설을 늘려 주세요.")

	guest := e.client()
	r := guest.get("/search?q=" + url.QueryEscape("기대 효과"))
	if r.Status != 200 {
		t.Fatalf("search: %d", r.Status)
	}
	hit := regexp.MustCompile(`(?s)<li class="card search-hit">.*?</li>`).FindString(r.Body)
	snippet := regexp.MustCompile(`(?s)<p class="search-snippet"[^>]*>(.*?)</p>`).FindStringSubmatch(hit)
	if snippet == nil {
		t.Fatalf("no snippet in %q", hit)
	}
	for _, bad := range []string{"##", "**", "|", "---", "alert", "script"} {
		if strings.Contains(snippet[1], bad) {
			t.Errorf("snippet %q holds %q", snippet[1], bad)
		}
	}
	contains(t, "snippet", snippet[1], "<mark>기대</mark> <mark>효과</mark>", "심야 버스가 늘어나면", "노선")
	contains(t, "hit", hit, `lang="ko"`, `href="/proposals/`+itoa(int(id))+`"`, "보건복지부", "badge-open", `<time datetime="`)
	contains(t, "header", r.Body, `<input id="h-q" type="search" name="q" value="기대 효과">`)
	if got := guest.get("/search?q=" + url.QueryEscape("alert")).Body; strings.Contains(got, "search-hit") {
		t.Error("the text of a script the page strips is searchable")
	}
	// Category names, in Korean, English and Chinese, find the category's
	// proposals and not the others.
	for _, q := range []string{"교통", "transport", "交通"} {
		got := guest.get("/search?kind=proposal&q=" + url.QueryEscape(q)).Body
		contains(t, q, got, `href="/proposals/`+itoa(int(id))+`"`)
		if strings.Contains(got, `href="/proposals/`+itoa(int(other))+`"`) {
			t.Errorf("%s finds the proposal of another category", q)
		}
	}
	// Ministry names too.
	contains(t, "ministry name", guest.get("/search?kind=proposal&q="+url.QueryEscape("보건복지부")).Body,
		`href="/proposals/`+itoa(int(id))+`"`, `href="/proposals/`+itoa(int(other))+`"`)
	// Other pages leave the header's box empty.
	contains(t, "home", guest.get("/").Body, `<input id="h-q" type="search" name="q">`)
}
