package store

import (
	"strings"
	"testing"

	"github.com/e-people/e-people/forum"
	"github.com/e-people/e-people/moderation"
)

// TestStore_TextUpgrade: search indexes and snips the text the page shows
// (no Markdown marks, no table pipes, no script text), finds proposals by
// their category's and ministry's names, stores each text's language, and a
// database from before (old headings, old index, no lang) is brought up to
// date by upgradeTexts, which records its formats.
func TestStore_TextUpgrade(t *testing.T) {
	w := newWorld(t)
	src := "# 제안\n\n## 기대 효과\n\n**야간 버스**를 늘리면 좋겠습니다.\n\n| 구분 | 현재 |\n|---|---|\n| 노선 | 3 |\n\n<script>alert('xss')</script>"
	p, err := w.s.CreateProposal(ctx, NewProposal{AuthorID: w.author.ID, SponsorToken: "md",
		Input: forum.ProposalInput{Title: "심야 버스 확대", Body: src, CategoryID: w.category, MinistryID: w.ministry},
		Body:  moderation.RenderMarkdown(src)}, 0)
	if err != nil {
		t.Fatal(err)
	}
	check := func(when string) {
		t.Helper()
		for _, q := range []string{"기대 효과", "야간", "노선"} {
			hits, _, err := w.s.Search(ctx, SearchQuery{Text: q, Kind: SearchProposal})
			if err != nil || len(hits) != 1 {
				t.Fatalf("%s: search %q: %+v, %v; want the proposal", when, q, hits, err)
			}
			var snip strings.Builder
			for _, s := range hits[0].Snippet {
				snip.WriteString(s.Text)
			}
			for _, bad := range []string{"##", "**", "|", "---", "alert", "script"} {
				if strings.Contains(snip.String(), bad) {
					t.Errorf("%s: search %q: snippet %q holds %q", when, q, snip.String(), bad)
				}
			}
			if h := hits[0]; h.Status != string(forum.StatusOpen) || h.MinistryID != w.ministry || h.Lang != "ko" || h.TitleLang != "ko" || h.CreatedAt.IsZero() {
				t.Errorf("%s: hit %+v: want status open, the ministry, lang ko and a date", when, h)
			}
		}
		for _, q := range []string{"alert", "xss", "script"} {
			wantHits(t, w.s, SearchQuery{Text: q}) // the page never shows the script
		}
		// The category's and ministry's names (places: "분야 main", "Ministry main").
		wantHits(t, w.s, SearchQuery{Text: "분야", Kind: SearchProposal}, "proposal:"+itoa(p.ID))
		wantHits(t, w.s, SearchQuery{Text: "ministry main", Kind: SearchProposal}, "proposal:"+itoa(p.ID))
		var lang, html string
		if err := w.s.DB().QueryRow(`SELECT lang, body_html FROM proposals WHERE id = ?`, p.ID).Scan(&lang, &html); err != nil {
			t.Fatal(err)
		}
		if lang != "ko" || !strings.Contains(html, "<h4>기대 효과</h4>") {
			t.Errorf("%s: proposal lang %q, html %q: want ko and the user's h2 as h4", when, lang, html)
		}
	}
	check("written")

	// A database from before: headings stored as h3, the index of the
	// Markdown source, no lang, no format rows.
	for _, q := range []string{
		`UPDATE proposals SET lang = '', body_html = '<h3>기대 효과</h3><p><strong>야간 버스</strong>를 늘리면 좋겠습니다.</p><table><tr><td>노선</td></tr></table>'`,
		`DELETE FROM search_index`,
		`DELETE FROM settings WHERE key IN ('html_format', 'search_format')`,
	} {
		if _, err := w.s.DB().Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	wantHits(t, w.s, SearchQuery{Text: "야간"})
	if err := w.s.upgradeTexts(ctx); err != nil {
		t.Fatal(err)
	}
	check("upgraded")
	for key, want := range map[string]string{settingHTMLFormat: htmlFormat, settingSearchFormat: searchFormat} {
		var got string
		if err := w.s.DB().QueryRow(`SELECT value FROM settings WHERE key = ?`, key).Scan(&got); err != nil || got != want {
			t.Errorf("settings %s = %q, %v; want %q", key, got, err, want)
		}
	}
}
