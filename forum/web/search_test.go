package web

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
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
		{"/search?q=" + url.QueryEscape("정책"), 200, []string{"<mark>정책</mark>", "&lt;b&gt;bold&lt;/b&gt;"}, []string{"<b>bold"}},
		{"/search?q=" + url.QueryEscape("AI Proposal"), 200, []string{"<mark>AI</mark>", "<mark>proposal</mark>"}, nil},
		{"/search?q=" + url.QueryEscape("없는낱말"), 200, []string{"검색 결과가 없습니다"}, []string{"<mark>"}},
		{"/search?q=" + url.QueryEscape("정책") + "&status=closed", 200, []string{"검색 결과가 없습니다"}, nil},
		{"/search?q=" + url.QueryEscape("정책") + "&kind=proposal&status=open&ministry=" + itoa(int(e.mins[0].ID)) +
			"&category=" + itoa(int(e.cats[0].ID)) + "&from=2026-11-01&to=2026-11-30", 200, []string{"<mark>정책</mark>", "selected"}, nil},
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
