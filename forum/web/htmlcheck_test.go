package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/e-people/e-people/forum"
	"golang.org/x/net/html"
)

// vnuPath is the Nu Html Checker as `make test-deps` installs it (npm
// vnu-jar, pinned), from forum/web.
const vnuPath = "../../.cache/npm/node_modules/vnu-jar/build/dist/vnu.jar"

// headingSkips returns the headings of page that skip a level: an h<n+2>
// or deeper after an h<n>, or a first heading other than h1.
func headingSkips(page string) []string {
	var skips []string
	prev := 0
	z := html.NewTokenizer(strings.NewReader(page))
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			return skips
		}
		if tt != html.StartTagToken {
			continue
		}
		name, _ := z.TagName()
		if len(name) != 2 || name[0] != 'h' || name[1] < '1' || name[1] > '6' {
			continue
		}
		level := int(name[1] - '0')
		if level > prev+1 {
			z.Next()
			skips = append(skips, fmt.Sprintf("h%d after h%d (%.60q)", level, prev, strings.TrimSpace(string(z.Text()))))
		}
		prev = level
	}
}

// TestHeadingSkips checks the checker of heading levels itself.
func TestHeadingSkips(t *testing.T) {
	for page, want := range map[string]int{
		"<h1>a</h1><h2>b</h2><h3>c</h3><h2>d</h2><h3>e</h3><h4>f</h4><h2>g</h2>": 0,
		"<h1>a</h1><h3>b</h3>":           1,
		"<h2>a</h2>":                     1,
		"<h1>a</h1><h2>b</h2><h5>c</h5>": 1,
	} {
		if got := headingSkips(page); len(got) != want {
			t.Errorf("headingSkips(%q) = %q, want %d", page, got, want)
		}
	}
}

// TestHTMLChecker_EveryPageType renders the main page types through the
// real app (as a visitor, a citizen, an official and a moderator would get
// them), checks that no page skips a heading level, and runs the Nu Html
// Checker over all of them in one JVM, failing on any error it reports.
func TestHTMLChecker_EveryPageType(t *testing.T) {
	if _, err := os.Stat(vnuPath); err != nil {
		t.Skipf("vnu.jar not found at %s: `make test-deps` installs it (npm install vnu-jar into .cache/npm)", vnuPath)
	}
	java, err := exec.LookPath("java")
	if err != nil {
		t.Skip("java not found: `make test-deps` installs default-jre-headless")
	}
	e := newEnv(t)
	bg := context.Background()
	if err := e.st.SetSettings(bg, map[string]string{forum.SettingSupportThreshold: "2"}); err != nil {
		t.Fatal(err)
	}
	author := e.register("제안한 시민")
	// User Markdown with every heading level: shifted below the page's.
	pid := e.openProposal(author, "공공도서관 평일 야간 개방", "# 제안 배경\n\n퇴근 후에도 **밤 10시**까지.\n\n### 세부\n\n| 구분 | 현재 |\n|---|---|\n| 평일 | 18시 |\n\n###### 참고")
	path := "/proposals/" + itoa(int(pid))
	if r := e.register("토론자").post(path+"/comments", url.Values{"stance": {"for"}, "body": {"## 찬성\n\n야간에 공부할 곳이 부족합니다."}}); r.Status != 303 {
		t.Fatalf("comment: %d %.300s", r.Status, r.Body)
	}
	for i := 0; i < 2; i++ {
		if r := e.register("지지자 "+itoa(i)).post(path+"/support", url.Values{}); r.Status != 303 {
			t.Fatalf("support: %d", r.Status)
		}
	}
	official := e.staff(forum.RoleOfficial, e.mins[0].ID, "김복지")
	if r := official.post(path+"/response", ansAnswerForm("partially_accepted", "세 곳에서 먼저 시범 운영합니다")); r.Status != 303 {
		t.Fatalf("answer: %d %.300s", r.Status, r.Body)
	}
	moderator := e.staff(forum.RoleModerator, 0, "류운영")
	local := func(d time.Duration) string { return e.clock.Now().Add(d).In(seoul).Format(datetimeLocal) }
	r := official.post("/debates", url.Values{"ministry": {itoa(int(e.mins[0].ID))}, "question": {"야간 돌봄을 어떻게 늘릴까요?"},
		"background": {"# 배경\n\n현재 제도\n\n## 쟁점\n\n재원"}, "opens_at": {local(-time.Hour)}, "closes_at": {local(72 * time.Hour)}})
	if r.Status != 303 {
		t.Fatalf("open a debate: %d %.300s", r.Status, r.Body)
	}
	debate := r.Header.Get("Location")
	if r := author.post(debate+"/comments", url.Values{"stance": {"neutral"}, "body": {"지역마다 사정이 다릅니다."}}); r.Status != 303 {
		t.Fatalf("debate comment: %d", r.Status)
	}
	cid := regexp.MustCompile(`data-id="(\d+)"`).FindStringSubmatch(e.client().get(path).Body)
	if cid == nil {
		t.Fatal("no comment on the proposal page")
	}
	if r := e.register("신고한 시민").post("/reports", url.Values{"kind": {"comment"}, "id": {cid[1]}, "reason": {"spam"}}); r.Status != 303 {
		t.Fatalf("report: %d %.300s", r.Status, r.Body)
	}

	guest := e.client()
	pages := []struct {
		name string
		c    *client
		path string
	}{
		{"home", guest, "/"},
		{"proposal-list", guest, "/proposals"},
		{"proposal", guest, path},
		{"debate-list", guest, "/debates"},
		{"debate", guest, debate},
		{"ministries", guest, "/ministries"},
		{"ministry", guest, "/ministries/" + e.mins[0].Slug},
		{"search", guest, "/search?q=" + url.QueryEscape("야간")},
		{"search-empty", guest, "/search"},
		{"login", guest, "/login"},
		{"register", guest, "/register"},
		{"notifications", author, "/notifications"},
		{"proposal-signed-in", author, path},
		{"new-proposal", author, "/proposals/new"},
		{"account", author, "/account"},
		{"new-debate", official, "/debates/new"},
		{"inbox", official, "/inbox"},
		{"proposal-official", official, path},
		{"moderation", moderator, "/moderation"},
		{"moderation-log", guest, "/moderation/log"},
	}
	bodies := map[string]string{}
	for _, p := range pages {
		r := p.c.get(p.path)
		if r.Status != 200 {
			t.Errorf("%s: GET %s: %d", p.name, p.path, r.Status)
			continue
		}
		for _, s := range headingSkips(r.Body) {
			t.Errorf("%s (%s): heading skips a level: %s", p.name, p.path, s)
		}
		bodies[p.name] = r.Body
	}
	checkHTML(t, java, bodies)
}

// checkHTML runs the Nu Html Checker (java, vnuPath) over pages, a body
// for each file name, and reports every error it finds.
func checkHTML(t *testing.T, java string, pages map[string]string) {
	t.Helper()
	dir := t.TempDir()
	var files []string
	for name, body := range pages {
		f := filepath.Join(dir, name+".html")
		if err := os.WriteFile(f, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
	}
	out, err := exec.Command(java, append([]string{"-jar", vnuPath, "--errors-only", "--format", "json", "--exit-zero-always"}, files...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("vnu: %v: %s", err, out)
	}
	var res struct {
		Messages []struct {
			Type, URL, Message, Extract string
			LastLine                    int
		}
	}
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatalf("vnu output: %v: %.500s", err, out)
	}
	for _, m := range res.Messages {
		if m.Type == "error" || m.Type == "non-document-error" {
			t.Errorf("%s:%d: %s\n\t%s", filepath.Base(m.URL), m.LastLine, m.Message, m.Extract)
		}
	}
	t.Logf("Nu Html Checker: %d pages, %d messages", len(files), len(res.Messages))
}
