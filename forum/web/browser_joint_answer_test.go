package web

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// shootElement saves a PNG of the element sel at width px into
// $EPEOPLE_SCREENSHOTS when it is set, for people to look at closely.
func (b *tab) shootElement(name, sel string, width int64) {
	b.t.Helper()
	dir := os.Getenv("EPEOPLE_SCREENSHOTS")
	if dir == "" {
		return
	}
	var png []byte
	b.run("screenshot "+name, func(ctx context.Context) error {
		if err := chromedp.Do(ctx, chromedp.EmulateViewport(width, 844, chromedp.EmulateScale(2))); err != nil {
			return err
		}
		defer chromedp.Do(ctx, chromedp.EmulateReset())
		var err error
		png, err = chromedp.Run(ctx, chromedp.Screenshot(chromedp.CSS(sel)))
		return err
	})
	if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
		b.t.Fatal(err)
	}
}

// TestBrowser_JointAnswer keeps a citizen's page of a proposal open while
// 환경부, a co-answering ministry, publishes its part after 국토교통부's
// answer: the part appears in place under the lead's answer, whose decision
// stays. The decision reads as a labelled status (text, icon and colour, the
// text at AA contrast on its tint), and the proposal's own text has a heading.
// Screenshots of the page in ko, en and zh at 1280 and 390 px when
// EPEOPLE_SCREENSHOTS is set.
func TestBrowser_JointAnswer(t *testing.T) {
	f := newJointFixture(t)
	br := newBrowser(t, f.e, 180*time.Second)
	f.lead()
	if r := f.molitOff.post(ansPath(f.id, "/co-ministries"), url.Values{"ministry": {itoa(int(f.me))}}); r.Status != 303 {
		t.Fatalf("add 환경부: %d %.300s", r.Status, r.Body)
	}

	c := br.tab("citizen")
	c.open(f.page)
	c.settle()
	c.waitText("#live-status", "실시간")
	c.wantCount("[data-live=response] .answer-part", 0)
	c.noReload()
	f.co()
	c.waitText("[data-live=response]", "환경부 답변 (공동 답변 부분)")
	c.stillSame()
	c.wantText("[data-live=response] .official-response h2", "국토교통부 공식 답변")
	c.wantText("[data-live=response] .official-response .decision-status", "공동 답변의 결정", "일부 수용")
	c.wantText("[data-live=response] .official-response .facts", "대도시권 광역교통 관리에 관한 특별법 제10조", "광역교통정책과", "2027년 3월 2일")
	c.wantText("[data-live=response] .answer-part .decision-status", "이 부처의 판단", "수용")
	c.wantText("[data-live=response] .answer-part .answer-signature", "환경부 대기미래전략과")
	c.wantText("#proposal-body-title", "제안 내용")

	// The decision is more than colour: an icon, a label, and text at AA contrast on a tint.
	for _, sel := range []string{".official-response .decision-status", ".answer-part .decision-status"} {
		got := evalIn[string](c, `(() => {
			const el = document.querySelector(`+jsString(sel)+`);
			const cs = getComputedStyle(el), icon = getComputedStyle(el.querySelector(".decision-icon"), "::before");
			const rgb = s => s.match(/[\d.]+/g).slice(0, 3).map(Number);
			const lum = c => { const [r, g, b] = c.map(v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); }); return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
			const a = lum(rgb(cs.color)), b = lum(rgb(cs.backgroundColor));
			const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
			return [cs.backgroundColor !== "rgba(0, 0, 0, 0)", parseFloat(cs.borderLeftWidth) >= 4, icon.content !== "none" && icon.content !== '""', ratio >= 4.5, ratio.toFixed(1)].join(" ");
		})()`)
		var bg, border, icon, aa bool
		var ratio string
		if _, err := fmt.Sscan(got, &bg, &border, &icon, &aa, &ratio); err != nil || !bg || !border || !icon || !aa {
			t.Errorf("%s: tinted %v, border %v, icon %v, AA %v (%s:1)", sel, bg, border, icon, aa, ratio)
		}
	}

	for _, lang := range []string{"ko", "en", "zh"} {
		c.open("/lang?lang=" + lang + "&next=" + url.QueryEscape(f.page))
		c.settle()
		c.wantCount("[data-live=response] .answer-part", 1)
		c.screenshot("joint-answer-"+lang+"-1280", 1280, 900, false)
		c.screenshot("joint-answer-"+lang+"-390", 390, 844, true)
		c.shootElement("joint-answer-"+lang+"-390-answer", "[data-live=response]", 390)
	}
	c.wantText("[data-live=response] .official-response .facts", "2027年3月2日")
}
