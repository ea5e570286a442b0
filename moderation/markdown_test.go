package moderation

import (
	"bufio"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"
)

var update = flag.Bool("update", false, "rewrite testdata/golden/*.html from the current renderer")

func TestRenderMarkdown_Golden(t *testing.T) {
	sources, err := filepath.Glob(filepath.Join("testdata", "golden", "*.md"))
	if err != nil {
		t.Fatalf("list golden files: %v", err)
	}
	if len(sources) == 0 {
		t.Fatalf("no golden files in testdata/golden")
	}
	for _, src := range sources {
		name := strings.TrimSuffix(filepath.Base(src), ".md")
		t.Run(name, func(t *testing.T) {
			in, err := os.ReadFile(src)
			if err != nil {
				t.Fatalf("read source: %v", err)
			}
			got := RenderMarkdown(string(in)).String()
			if err := checkPublishable(got); err != nil {
				t.Errorf("output not publishable: %v\n%s", err, got)
			}
			golden := strings.TrimSuffix(src, ".md") + ".html"
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatalf("write golden: %v", err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("read golden (run with -update to create it): %v", err)
			}
			if got != string(want) {
				t.Errorf("RenderMarkdown(%s) mismatch (run with -update if intended)\n--- got\n%s\n--- want\n%s", src, got, want)
			}
		})
	}
}

func TestRenderMarkdown(t *testing.T) {
	tests := []struct {
		name    string
		src     string
		want    []string
		notWant []string
	}{
		{"h1 becomes h3", "# 제목", []string{"<h3>제목</h3>"}, []string{"<h1", "<h2"}},
		{"h2 becomes h4", "# 하나\n\n## Sub", []string{"<h4>Sub</h4>"}, []string{"<h2"}},
		{"h3 becomes h5", "# 하나\n\n## 둘\n\n### 셋", []string{"<h5>셋</h5>"}, nil},
		{"a first h2 opens the outline at h3", "## Sub", []string{"<h3>Sub</h3>"}, []string{"<h4"}},
		{"a jump is one level at most", "# 하나\n\n### 셋\n\n# 다시\n\n#### 넷", []string{"<h3>하나</h3>\n<h4>셋</h4>\n<h3>다시</h3>\n<h4>넷</h4>"}, []string{"<h5", "<h6"}},
		{"setext h1 becomes h3", "제목\n===", []string{"<h3>제목</h3>"}, []string{"<h1"}},
		{"h4 capped at h6", "# 1\n\n## 2\n\n### 3\n\n#### 넷", []string{"<h6>넷</h6>"}, nil},
		{"h6 capped at h6", "# 1\n\n## 2\n\n### 3\n\n###### 여섯", []string{"<h6>여섯</h6>"}, nil},
		{"emphasis", "*a* **b** ~~c~~", []string{"<em>a</em>", "<strong>b</strong>", "<del>c</del>"}, nil},
		{"link gets rel, no target", "[x](https://example.com)",
			[]string{`<a href="https://example.com" rel="nofollow ugc noopener">x</a>`}, []string{"target"}},
		{"autolink gets rel", "<https://example.com>", []string{`rel="nofollow ugc noopener"`}, nil},
		{"bare url linkified", "www.example.com", []string{`href="http://www.example.com"`}, nil},
		{"mailto allowed", "[m](mailto:a@example.com)", []string{`href="mailto:a@example.com"`}, nil},
		{"javascript link is text", "[x](javascript:alert(1))", []string{"<p>x</p>"}, []string{"<a", "javascript"}},
		{"data link is text", "[x](data:text/html,hi)", []string{"<p>x</p>"}, []string{"<a", "data:"}},
		{"relative link is text", "[x](/proposals/1)", []string{"<p>x</p>"}, []string{"<a"}},
		{"image becomes alt text", "![대체 글](https://example.com/a.png)", []string{"<p>대체 글</p>"}, []string{"<img", "a.png"}},
		{"raw inline html dropped", "a <b onclick=x>b</b> c", []string{"b"}, []string{"<b", "onclick"}},
		{"script dropped", "<script>alert(1)</script>", nil, []string{"<script", "alert"}},
		{"code class kept", "```go\nx\n```", []string{`<code class="language-go">`}, nil},
		{"code class injection", "```x\" onclick=\"y\nz\n```", []string{"<pre><code>z"}, []string{"onclick"}},
		{"table align", "|a|b|\n|:-|-:|\n|1|2|", []string{`<th align="left">a</th>`, `<td align="right">2</td>`}, []string{"style"}},
		{"ordered list start", "3. x", []string{`<ol start="3">`}, nil},
		{"task list is text", "- [ ] todo", []string{"<li>[ ] todo</li>"}, []string{"<input"}},
		{"entities stay escaped", "&lt;script&gt;", []string{"&lt;script&gt;"}, []string{"<script"}},
		{"invalid utf-8 replaced", "a\xffb", []string{"a\uFFFDb"}, nil},
		{"nul replaced", "a\x00b", []string{"a\uFFFDb"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := RenderMarkdown(tt.src).String()
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("RenderMarkdown(%q) = %q, want it to contain %q", tt.src, got, w)
				}
			}
			for _, nw := range tt.notWant {
				if strings.Contains(got, nw) {
					t.Errorf("RenderMarkdown(%q) = %q, want it not to contain %q", tt.src, got, nw)
				}
			}
			if err := checkPublishable(got); err != nil {
				t.Errorf("RenderMarkdown(%q) not publishable: %v\n%s", tt.src, err, got)
			}
		})
	}
}

// payloadContexts places a payload where Markdown treats it differently.
var payloadContexts = []func(p string) string{
	func(p string) string { return p },
	func(p string) string { return "[링크](" + p + ")" },
	func(p string) string { return "[" + p + "](https://example.com)" },
	func(p string) string { return "![" + p + "](" + p + ")" },
	func(p string) string { return "<" + p + ">" },
	func(p string) string { return "```" + p + "\n" + p + "\n```" },
	func(p string) string { return "| a |\n|---|\n| " + p + " |" },
	func(p string) string { return "> # " + p },
	func(p string) string { return "[r]: " + p + "\n\n[r] " + p },
}

// corpusPayloads returns every payload of the shared XSS corpora and the
// Big List of Naughty Strings, keyed by where each came from.
func corpusPayloads(t *testing.T) map[string][]string {
	t.Helper()
	dir := corporaDir(t)
	out := map[string][]string{}
	readLines := func(path string, skipComments bool) []string {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("read corpus: %v", err)
		}
		var lines []string
		for line := range strings.SplitSeq(string(data), "\n") {
			if strings.TrimSpace(line) == "" || (skipComments && strings.HasPrefix(line, "#")) {
				continue
			}
			lines = append(lines, line)
		}
		// The whole file as one document too: payloads interact across lines.
		return append(lines, string(data))
	}
	xss, err := filepath.Glob(filepath.Join(dir, "payloadsallthethings", "xss", "*.txt"))
	if err != nil || len(xss) == 0 {
		t.Fatalf("find payloadsallthethings/xss/*.txt: %v (found %d)", err, len(xss))
	}
	for _, path := range xss {
		out["payloadsallthethings/"+filepath.Base(path)] = readLines(path, false)
	}
	out["blns.txt"] = readLines(filepath.Join(dir, "blns", "blns.txt"), true)

	f, err := os.Open(filepath.Join(dir, "owasp-xss-filter-evasion", "xss_filter_evasion.jsonl"))
	if err != nil {
		t.Fatalf("open owasp corpus: %v", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 64*1024), 4*1024*1024)
	for sc.Scan() {
		var rec struct {
			Payload string `json:"payload"`
		}
		if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
			t.Fatalf("decode owasp line %q: %v", sc.Text(), err)
		}
		out["owasp"] = append(out["owasp"], rec.Payload)
	}
	if err := sc.Err(); err != nil {
		t.Fatalf("read owasp corpus: %v", err)
	}
	if len(out["owasp"]) == 0 {
		t.Fatalf("owasp corpus is empty")
	}
	return out
}

func TestRenderMarkdown_Corpora(t *testing.T) {
	r := NewRenderer()
	for source, payloads := range corpusPayloads(t) {
		t.Run(source, func(t *testing.T) {
			t.Parallel()
			failures := 0
			for _, p := range payloads {
				for _, place := range payloadContexts {
					src := place(p)
					got := r.Markdown(src).String()
					err := checkPublishable(got)
					if err == nil && !utf8.ValidString(got) {
						err = errInvalidUTF8
					}
					if err != nil {
						t.Errorf("payload %q\nrendered %q\n%v", src, got, err)
						if failures++; failures > 10 {
							t.Fatalf("too many failures")
						}
					}
				}
			}
		})
	}
}

var errInvalidUTF8 = errorString("output is not valid UTF-8")

type errorString string

func (e errorString) Error() string { return string(e) }

func TestRenderer_ConcurrentUse(t *testing.T) {
	r := NewRenderer()
	inputs := []string{koreanPost, "# a\n[x](https://e.com)", "| a |\n|---|\n| b |", "![i](x.png) <script>x</script>"}
	want := make([]string, len(inputs))
	for i, in := range inputs {
		want[i] = r.Markdown(in).String()
	}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 50 {
				k := (g + i) % len(inputs)
				if got := r.Markdown(inputs[k]).String(); got != want[k] {
					t.Errorf("concurrent Markdown(%q) = %q, want %q", inputs[k], got, want[k])
					return
				}
				if got := RenderMarkdown(inputs[k]).String(); got != want[k] {
					t.Errorf("concurrent RenderMarkdown(%q) = %q, want %q", inputs[k], got, want[k])
					return
				}
			}
		})
	}
	wg.Wait()
}

func BenchmarkRenderMarkdown(b *testing.B) {
	r := NewRenderer()
	b.SetBytes(int64(len(koreanPost)))
	b.ReportAllocs()
	for b.Loop() {
		_ = r.Markdown(koreanPost)
	}
}

// koreanPost is a realistic 2 KB proposal as citizens write them.
const koreanPost = `# 지방 중소도시 야간·휴일 공공 진료 확대 제안

## 제안 배경

저는 인구 5만 명 규모의 지방 도시에 살고 있습니다. 밤 9시 이후나 주말에 아이가 열이 나면 **가장 가까운 응급실까지 40분**을 운전해야 합니다. 지역 보건소는 평일 낮에만 문을 열고, 민간 의원은 인력 문제로 야간 진료를 포기했습니다.

통계를 보면 문제는 더 분명합니다. [보건복지부 자료](https://www.mohw.go.kr/)에 따르면 응급실 내원 환자 중 상당수가 *경증*입니다.

## 제안 내용

1. 보건소 야간 진료를 **주 2회 이상** 운영
2. 공공 병원 간 휴일 당직 순번제 도입
3. 소아 경증 환자를 위한 ~~전화 상담~~ 화상 상담 창구 개설
4. 비용은 국비와 지방비를 5:5로 분담

| 구분 | 현재 | 제안 후 |
|:-----|-----:|-------:|
| 야간 진료일 | 0일 | 2일 |
| 휴일 당직 기관 | 1곳 | 3곳 |

## 예상 반론과 답변

**인력이 부족하다**는 반론이 있습니다. 그러나 공중보건의와 은퇴 의료인을 활용하면 주 2회 운영은 충분히 가능합니다. 예산 역시 응급실 경증 진료비 절감분으로 상당 부분 충당됩니다.

또한 야간 진료 기관 목록을 지자체 누리집과 ` + "`" + `120` + "`" + ` 콜센터에서 실시간으로 안내해야 합니다. 시범 사업은 인구 10만 명 이하 시·군 다섯 곳에서 1년간 진행하고, 결과를 공개한 뒤 확대 여부를 정하면 됩니다.

## 기대 효과

> 응급실 과밀이 줄고, 지역 주민이 가까운 곳에서 제때 진료를 받을 수 있습니다.

- 응급실 경증 환자 감소
- 의료진 업무 부담 분산
- 지역 의료에 대한 신뢰 회복
- 구급차 출동 대기 시간 단축

많은 분의 공감과 의견을 부탁드립니다. 토론 기간 동안 제기된 질문은 정리해서 답변하겠습니다.

궁금한 점은 policy@example.kr 로 보내 주시거나 댓글로 남겨 주세요. 참고 자료: https://www.index.go.kr/
`

// TestNewRendererAt: the level a "#" heading gets is a parameter, and the
// outline keeps its steps below it, capped at h6.
func TestNewRendererAt(t *testing.T) {
	src := "# 하나\n\n## 둘\n\n### 셋\n\n#### 넷"
	for _, tt := range []struct {
		top  int
		want string
	}{
		{3, "<h3>하나</h3>\n<h4>둘</h4>\n<h5>셋</h5>\n<h6>넷</h6>\n"},
		{4, "<h4>하나</h4>\n<h5>둘</h5>\n<h6>셋</h6>\n<h6>넷</h6>\n"},
		{3, "<h3>하나</h3>\n<h4>둘</h4>\n<h5>셋</h5>\n<h6>넷</h6>\n"},
		{1, "<h3>하나</h3>\n<h4>둘</h4>\n<h5>셋</h5>\n<h6>넷</h6>\n"}, // the page's h1 and h2 are never the user's
	} {
		if got := NewRendererAt(tt.top).Markdown(src).String(); got != tt.want {
			t.Errorf("NewRendererAt(%d).Markdown(%q) = %q, want %q", tt.top, src, got, tt.want)
		}
	}
}
