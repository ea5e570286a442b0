package web

import (
	"context"
	"encoding/json"
	"net/url"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// titleBreaks is a script measuring the line boxes of the first text of
// the element sel: where its lines break, and which of those breaks fall
// inside a word (neither side a space), with the element's lang and
// computed word-break and the page's lang.
const titleBreaks = `((sel) => {
  const el = document.querySelector(sel);
  if (!el) return JSON.stringify({missing: true});
  const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
  const text = walker.nextNode();
  const s = text.textContent, r = document.createRange();
  let prev = null, breaks = 0;
  const inside = [];
  for (let i = 0; i < s.length; i++) {
    r.setStart(text, i); r.setEnd(text, i + 1);
    const rects = r.getClientRects();
    if (!rects.length || s[i] === ' ') continue;
    const top = Math.round(rects[0].top);
    if (prev !== null && top > prev + 2) {
      breaks++;
      if (s[i - 1] !== ' ') inside.push(s.slice(Math.max(0, i - 3), i) + '|' + s.slice(i, i + 3));
    }
    prev = top;
  }
  return JSON.stringify({lang: el.closest('[lang]').getAttribute('lang'), page: document.documentElement.lang,
    wordBreak: getComputedStyle(el).wordBreak, breaks, inside});
})`

type lineBreaks struct {
	Missing   bool     `json:"missing"`
	Lang      string   `json:"lang"`
	Page      string   `json:"page"`
	WordBreak string   `json:"wordBreak"`
	Breaks    int      `json:"breaks"`
	Inside    []string `json:"inside"`
}

// TestBrowser_KoreanTitleInOtherInterfaces (issue 16, item 15): user text
// carries the language it is written in, so in the English and Chinese
// interfaces a long Korean title on a 390 px phone breaks between words
// (word-break: keep-all by :lang(ko)), never inside one, on the proposal
// page, in the list and in search results; an English title says lang="en".
func TestBrowser_KoreanTitleInOtherInterfaces(t *testing.T) {
	e := newEnv(t)
	author := e.register("작성자")
	title := "서울 시내버스 심야 노선을 대폭 늘려서 야간 근로자의 귀갓길을 안전하게 바꿔 주세요"
	id := e.openProposal(author, title, "야간 근로자가 늘었습니다. **심야 버스**를 늘려 주세요.")
	enID := e.openProposal(author, "Late-night buses for shift workers", "Please add night routes.")
	br := newBrowser(t, e, 3*time.Minute)
	b := br.tab("visitor")
	measure := func(where, sel string) lineBreaks {
		t.Helper()
		// A 390 px phone (screenshot resets the emulation after it).
		b.run("phone viewport", func(ctx context.Context) error {
			return chromedp.Do(ctx, chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile, chromedp.EmulateTouch, chromedp.EmulatePortrait))
		})
		if w := evalIn[float64](b, `document.documentElement.clientWidth`); w != 390 {
			t.Fatalf("%s: viewport %v px wide, want 390", where, w)
		}
		var lb lineBreaks
		if err := json.Unmarshal([]byte(evalIn[string](b, titleBreaks+"("+jsString(sel)+")")), &lb); err != nil || lb.Missing {
			t.Fatalf("%s: %s: %+v, %v", where, sel, lb, err)
		}
		return lb
	}
	for ui, page := range map[string]string{"en": "en", "zh": "zh-Hant"} {
		b.open("/lang?lang=" + ui + "&next=" + url.QueryEscape("/proposals/"+itoa(int(id))))
		for _, c := range []struct{ page, path, sel string }{
			{"proposal", "/proposals/" + itoa(int(id)), "#proposal-title"},
			{"list", "/proposals", `.proposal-card a[href="/proposals/` + itoa(int(id)) + `"]`},
			{"search", "/search?q=" + url.QueryEscape("심야 노선"), `.search-hit a[href="/proposals/` + itoa(int(id)) + `"]`},
		} {
			b.open(c.path)
			where := ui + " " + c.page
			lb := measure(where, c.sel)
			if lb.Lang != "ko" || lb.Page != page || lb.WordBreak != "keep-all" {
				t.Errorf("%s: %+v: want lang ko in a %s page, word-break keep-all", where, lb, page)
			}
			if lb.Breaks == 0 {
				t.Errorf("%s: the title fits one line at 390 px: this proves nothing about where it breaks", where)
			}
			if len(lb.Inside) > 0 {
				t.Errorf("%s: the title breaks inside words: %q", where, lb.Inside)
			}
			b.screenshot("lang-"+ui+"-"+c.page+"-390", 390, 844, true)
		}
		b.open("/proposals/" + itoa(int(enID)))
		if got := b.attr("#proposal-title", "lang"); got != "en" {
			t.Errorf("%s: English title has lang %q, want en", ui, got)
		}
		if got := b.attr(".proposal-body", "lang"); got != "en" {
			t.Errorf("%s: English body has lang %q, want en", ui, got)
		}
	}
	b.open("/lang?lang=ko&next=/proposals/" + itoa(int(id)))
	if lb := measure("ko proposal", "#proposal-title"); lb.Lang != "ko" || lb.WordBreak != "keep-all" || len(lb.Inside) > 0 {
		t.Errorf("ko proposal: %+v", lb)
	}
	b.screenshot("lang-ko-proposal-390", 390, 844, true)
	b.screenshot("lang-ko-proposal-1280", 1280, 900, false)
}
