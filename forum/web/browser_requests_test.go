package web

import (
	"os"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/e-people/e-people/forum"
)

// TestBrowser_FileRequest: in Korean on a 390 px phone, a citizen files a
// civil request with a PNG through the form, lands on the request's page
// with its receipt number, due date and the attachment's download link; a
// web page named .pdf is refused beside the file field with the rest kept.
// The form, the request page and the list fit the phone and a 1280 px
// window, and axe-core finds no WCAG 2.1 AA violation on them.
func TestBrowser_FileRequest(t *testing.T) {
	e := newEnv(t)
	br := newBrowser(t, e, 5*time.Minute)
	var axe string
	if _, err := os.Stat(axePath); err == nil {
		axe = axeSource(t)
	}
	dir := t.TempDir()
	photo := filepath.Join(dir, "현장 사진.png")
	fake := filepath.Join(dir, "근거 서류.pdf")
	if err := os.WriteFile(photo, testPNG(t), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(fake, disguisedHTML.data, 0o600); err != nil {
		t.Fatal(err)
	}

	b := br.tab("filer")
	b.viewport(390, 844, true)
	b.registerInBrowser("민원 시민", "filer17@example.org")
	b.verifyInBrowser(e.st, "filer17@example.org")
	b.wantCount(`header a.requests-link[href="/requests"]`, 1)

	fill := func(file string) {
		b.open("/requests/new")
		b.tap("#f-kind-inquiry")
		b.do("choose the ministry", chromedp.SetValue(chromedp.CSS("#f-ministry"), itoa(int(e.mins[0].ID))))
		b.typeInto("#f-title", "여권 재발급 기간 문의")
		b.typeInto("#f-body", "재발급에 며칠 걸리는지 알려 주십시오.")
		b.do("attach "+filepath.Base(file), chromedp.SetUploadFiles(chromedp.CSS("#f-files"), []string{file}))
	}

	// A web page named .pdf: refused beside the file field, the rest kept.
	fill(fake)
	b.checkLayout("/requests/new", true)
	b.screenshot("request-new-ko-390", 390, 844, true)
	b.click(`form[action="/requests"] button.btn-primary[type=submit]`, 400)
	b.wantText("#f-files-error", "근거 서류.pdf: 받을 수 없는 파일입니다")
	b.wantText(".request-files-again", "첨부할 파일만 다시 골라 주세요")
	if got := b.value("#f-title"); got != "여권 재발급 기간 문의" {
		t.Errorf("title after the refusal: %q", got)
	}
	b.checkLayout("/requests refused", true)
	b.screenshot("request-refused-ko-390", 390, 844, true)
	if axe != "" {
		b.axeCheck("/requests (refused file)", axe)
	}
	if got := e.count(`SELECT count(*) FROM requests`); got != "0" {
		t.Fatalf("%s requests stored after the refusal", got)
	}

	// Six files: the script says so beside the field before anything is sent.
	var six []string
	for i := range 6 {
		f := filepath.Join(dir, "메모"+itoa(i)+".txt")
		if err := os.WriteFile(f, []byte("메모 "+itoa(i)), 0o600); err != nil {
			t.Fatal(err)
		}
		six = append(six, f)
	}
	fill(photo)
	b.do("attach six files", chromedp.SetUploadFiles(chromedp.CSS("#f-files"), six))
	b.tap(`form[action="/requests"] button.btn-primary[type=submit]`)
	b.waitText("#f-files-check", "파일은 5개까지 첨부할 수 있습니다")
	if loc := b.location(); loc != b.base+"/requests/new" {
		t.Errorf("six files were sent: at %s", loc)
	}
	if got := e.count(`SELECT count(*) FROM requests`); got != "0" {
		t.Fatalf("%s requests stored with six files", got)
	}

	// A photo: filed, and the request's page says so at once.
	fill(photo)
	if axe != "" {
		b.axeCheck("/requests/new", axe)
	}
	b.click(`form[action="/requests"] button.btn-primary[type=submit]`, 200)
	receipt := b.text("#receipt")
	if !regexp.MustCompile(`^2611-\d{7}-\d$`).MatchString(receipt) {
		t.Fatalf("receipt number %q", receipt)
	}
	b.wantText(".flash", "접수되었습니다 — 접수번호 "+receipt)
	b.wantText(".request-due", "2026년 12월 7일", "6근무일 남음")
	b.wantText(".request-summary", "접수", "보건복지부")
	b.wantCount(`.request-attachments a[download][href^="/requests/`+receipt+`/files/"]`, 1)
	b.wantText(".request-attachments", "현장 사진.png", "PNG 그림")
	b.wantText(".request-history", "보건복지부에 접수되었습니다")
	b.checkLayout("/requests/"+receipt, true)
	b.screenshot("request-page-ko-390", 390, 844, true)
	if axe != "" {
		b.axeCheck("/requests/"+receipt, axe)
	}

	b.open("/requests")
	b.wantText(".request-table", receipt, "여권 재발급 기간 문의", "질의", "2026년 12월 7일")
	b.checkLayout("/requests", true)
	b.screenshot("requests-list-ko-390", 390, 844, true)
	if axe != "" {
		b.axeCheck("/requests", axe)
	}
	// The lookup box takes the number as a person types it.
	b.typeInto("#f-receipt", regexp.MustCompile(`-`).ReplaceAllString(receipt, " "))
	b.click(`form.request-lookup button[type=submit]`, 200)
	b.wantText("#receipt", receipt)

	// Answered after a transfer and a question: the whole page on a phone.
	official := e.staff(forum.RoleOfficial, e.mins[0].ID, "김담당")
	official.get("/requests/" + receipt) // a read the filer is shown
	e.answerRefusal(official, receipt, forum.RequestPartial)
	b.open("/requests/" + receipt)
	b.wantText(".request-answer", "일부 수용", "이의신청", "행정심판", "행정소송")
	b.wantText(".request-reads", "보건복지부에서")
	b.checkLayout("/requests/"+receipt+" answered", true)
	b.screenshot("request-answered-ko-390", 390, 844, true)
	if axe != "" {
		b.axeCheck("/requests/"+receipt+" (answered)", axe)
	}

	b.viewport(1280, 900, false)
	for _, p := range []string{"/requests/new", "/requests/" + receipt, "/requests"} {
		b.open(p)
		b.fontsReady()
		b.checkLayout(p, false)
	}
	b.open("/requests/new")
	b.screenshot("request-new-ko-1280", 1280, 900, false)
	b.open("/requests/" + receipt)
	b.screenshot("request-answered-ko-1280", 1280, 900, false)
	b.open("/requests")
	b.screenshot("requests-list-ko-1280", 1280, 900, false)
}
