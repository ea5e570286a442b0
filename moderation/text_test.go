package moderation

import (
	"strings"
	"testing"
)

// TestSanitized_Text: the plain text of a rendered body has no Markdown
// marks, no table pipes, no markup and no text of a script the renderer
// dropped.
func TestSanitized_Text(t *testing.T) {
	src := "## 기대 효과\n\n**야간 버스**를 _늘리면_ 좋겠습니다 &amp; 더.\n\n| 구분 | 현재 |\n|---|---|\n| 노선 | 3 |\n\n<script>alert('x')</script>\n\n- 하나\n- 둘\n\n`code`와 [링크](https://example.com)"
	got := RenderMarkdown(src).Text()
	for _, bad := range []string{"#", "**", "_늘리면_", "|", "---", "<", "alert", "script", "&amp;"} {
		if strings.Contains(got, bad) {
			t.Errorf("Text() = %q: contains %q", got, bad)
		}
	}
	for _, want := range []string{"기대 효과", "야간 버스를 늘리면 좋겠습니다 & 더.", "구분", "노선", "하나\n", "둘", "code와 링크"} {
		if !strings.Contains(got, want) {
			t.Errorf("Text() = %q: lacks %q", got, want)
		}
	}
}
