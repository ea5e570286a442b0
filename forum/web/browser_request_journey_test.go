package web

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/e-people/e-people/forum"
)

// journeyPNG is a small real PNG: a photo of a pothole, say.
func journeyPNG(t *testing.T) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 64, 48))
	for y := range 48 {
		for x := range 64 {
			img.Set(x, y, color.RGBA{uint8(x * 4), uint8(y * 5), 120, 255})
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestBrowser_RequestJourney is a civil request's whole life in Chromium,
// in Korean: a citizen files a request with a photo and gets its receipt
// number; an official finds it in the ministry's inbox, opens it and asks
// for more information; the citizen sees that the ministry opened it,
// replies, and gets a refusal naming its legal basis and remedies; the
// citizen rates the answer and objects; the official answers again, and
// the citizen reads the second answer.
func TestBrowser_RequestJourney(t *testing.T) {
	e := newEnv(t)
	br := newBrowser(t, e, 5*time.Minute)
	photo := filepath.Join(t.TempDir(), "파손된 보도블록.png")
	if err := os.WriteFile(photo, journeyPNG(t), 0o600); err != nil {
		t.Fatal(err)
	}
	official := e.staff(forum.RoleOfficial, e.mins[0].ID, "김담당")
	officialEmail := official.user().Email

	// The citizen files the request with the photo.
	c := br.tab("citizen")
	c.registerInBrowser("박민원", "journey17@example.org")
	c.verifyInBrowser(e.st, "journey17@example.org")
	c.open("/requests/new")
	c.tap("#f-kind-grievance")
	c.do("choose the ministry", chromedp.SetValue(chromedp.CSS("#f-ministry"), itoa(int(e.mins[0].ID))))
	c.typeInto("#f-title", "보도블록 파손 방치에 대한 고충")
	c.typeInto("#f-body", "석 달째 깨진 보도블록을 고쳐 주지 않습니다. 사진을 붙입니다.")
	c.do("attach the photo", chromedp.SetUploadFiles(chromedp.CSS("#f-files"), []string{photo}))
	c.tap("#f-publish_consent")
	c.click(`form[action="/requests"] button.btn-primary[type=submit]`, 200)
	receipt := c.text("#receipt")
	if !regexp.MustCompile(`^\d{4}-\d{7}-\d$`).MatchString(receipt) {
		t.Fatalf("receipt number %q", receipt)
	}
	page := "/requests/" + receipt
	c.wantText(".flash", "접수번호 "+receipt)
	c.wantText(".request-attachments", "파손된 보도블록.png")
	c.wantText(".request-reads", "아직 처리 기관이 열람하지 않았습니다.")
	c.open("/notifications")
	c.wantText("main", "민원이 접수되었습니다: "+receipt+" “보도블록 파손 방치에 대한 고충”")

	// The official finds it in the inbox, opens it and asks for more.
	o := br.tab("official")
	o.signInStaff(e, officialEmail, "staff passphrase 1", "김담당")
	o.click(`header a[href="/inbox"]`, 200)
	o.wantText("#requests", "보도블록 파손 방치에 대한 고충", receipt)
	o.click(`#requests a[href="/requests/`+receipt+`/handle"]`, 200)
	o.wantText("h1", "보도블록 파손 방치에 대한 고충")
	o.click(`a[href="`+page+`"]`, 200)
	o.wantText(".request-attachments", "파손된 보도블록.png")
	o.click(`a[href="`+page+`/handle"]`, 200)
	o.typeInto("#f-question", "파손 위치의 도로명 주소를 알려 주십시오.")
	o.click(`form#info button[type=submit]`, 200)
	o.wantText(".flash", "보완을 요청했습니다. 처리 기간이 멈춥니다.")

	// The citizen sees who opened it and that the ministry asks; replies.
	c.open("/notifications")
	c.wantText("main", "보완 자료를 요청했습니다")
	c.open(page)
	c.wantText(".request-reads", "보건복지부에서", "열람했습니다.")
	if c.count(".request-reads li") < 2 { // the handling page and the request page, each recorded
		t.Errorf("%d reads shown, want the official's two", c.count(".request-reads li"))
	}
	c.wantText(".request-summary", "처리 기간이 멈춰 있습니다")
	c.wantText("#reply", "파손 위치의 도로명 주소를 알려 주십시오.")
	c.typeInto("#f-reply", "서울특별시 종로구 세종대로 209 앞입니다.")
	c.click(`#reply form button[type=submit]`, 200)
	c.wantText(".flash", "처리 기간이 다시 흐릅니다.")
	c.wantText(".request-history", "서울특별시 종로구 세종대로 209 앞입니다.")

	// The official refuses, with the legal basis and the remedies.
	o.open(page + "/handle")
	o.tap(`form#answer input[name=decision][value=not_accepted]`)
	o.typeInto("#f-summary", "예산 편성 전까지 보수가 어렵습니다.")
	o.typeInto("#f-body", "해당 구간은 내년 정비 사업에 들어 있어 그때 함께 보수합니다.")
	o.typeInto("#f-legal_basis", "도로법 제31조")
	o.typeInto("#f-responsible_unit", "도로관리과")
	o.typeInto("#f-contact", "044-000-0000")
	o.tap(`form#answer input[name=remedies][value=objection]`)
	o.tap(`form#answer input[name=remedies][value=administrative_appeal]`)
	o.click(`form#answer button[type=submit]`, 200)
	o.wantText(".flash", "답변을 보냈습니다.")

	// The citizen reads the refusal, rates it and objects.
	c.open("/notifications")
	c.wantText("main", "민원에 대한 답변이 등록되었습니다")
	c.open(page)
	c.wantText("#answer-1", "불수용", "예산 편성 전까지 보수가 어렵습니다.", "도로법 제31조", "도로관리과", "이의신청", "행정심판")
	c.tap(`form.after-rate input[name=rating][value="1"]`)
	c.typeInto("#f-rating-comment", "기다리라는 말뿐입니다.")
	c.click(`form.after-rate button[type=submit]`, 200)
	c.wantText(".flash", "만족도를 저장했습니다.")
	c.open(page)
	c.typeInto(`form.after-object #f-reason`, "보행자 안전이 걸린 일이라 내년까지 기다릴 수 없습니다.")
	c.click(`form.after-object button[type=submit]`, 200)
	c.wantText(".flash", "이의신청을 접수했습니다.")

	// The official answers the objection; the citizen reads it.
	o.open("/notifications")
	o.wantText("main", "민원인이 답변에 이의신청했습니다: "+receipt)
	o.open(page + "/handle")
	o.tap(`form#answer input[name=decision][value=accepted]`)
	o.typeInto("#f-summary", "이번 달 안에 긴급 보수하겠습니다.")
	o.typeInto("#f-body", "현장을 다시 확인했고 보행 안전을 위해 긴급 보수 예산을 쓰기로 했습니다.")
	o.typeInto("#f-responsible_unit", "도로관리과")
	o.typeInto("#f-contact", "044-000-0000")
	o.click(`form#answer button[type=submit]`, 200)

	c.open(page)
	c.wantText("#answer-2", "이번 달 안에 긴급 보수하겠습니다.")
	c.wantText("#answer-1", "불수용")
	c.wantText(".request-summary", "답변 완료")
	c.screenshot("request-journey-end-1280", 1280, 900, false)
	c.screenshot("request-journey-end-390", 390, 844, true)
}
