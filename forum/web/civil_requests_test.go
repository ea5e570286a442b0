package web

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/e-people/e-people/forum"
	"github.com/e-people/e-people/moderation"
)

// upload is a file a test posts with a civil request.
type upload struct {
	name string
	data []byte
}

// testPNG is a small real PNG image.
func testPNG(t testing.TB) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 8, 6))
	for x := range 8 {
		for y := range 6 {
			img.Set(x, y, color.RGBA{uint8(30 * x), uint8(40 * y), 200, 255})
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// disguisedHTML is a web page named as a PDF.
var disguisedHTML = upload{"근거 서류.pdf", []byte("<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>")}

// postMultipart posts fields and files (in the field "files") as
// multipart/form-data, with the client's CSRF token unless fields holds one.
func (c *client) postMultipart(path string, fields map[string]string, files ...upload) resp {
	c.e.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	if _, ok := fields["_csrf"]; !ok {
		_ = mw.WriteField("_csrf", c.csrf())
	}
	for k, v := range fields {
		_ = mw.WriteField(k, v)
	}
	for _, f := range files {
		w, err := mw.CreateFormFile("files", f.name)
		if err != nil {
			c.e.t.Fatal(err)
		}
		_, _ = w.Write(f.data)
	}
	_ = mw.Close()
	req := httptest.NewRequest("POST", path, &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	if c.lang != "" {
		req.Header.Set("Accept-Language", c.lang)
	}
	return c.send(req)
}

// requestFields is a good inquiry to the env's ministry.
func (e *env) requestFields(title string) map[string]string {
	return map[string]string{"kind": "inquiry", "ministry": itoa(int(e.mins[0].ID)), "category": "",
		"title": title, "body": "## 문의\n\n여권 재발급에 **며칠** 걸리는지 알려 주십시오.", "publish_consent": "1"}
}

var receiptPath = regexp.MustCompile(`^/requests/(\d{4}-\d{7}-\d)$`)

// fileRequest files a request through the form and returns its receipt number.
func (c *client) fileRequest(title string, files ...upload) string {
	c.e.t.Helper()
	r := c.postMultipart("/requests", c.e.requestFields(title), files...)
	if r.Status != http.StatusSeeOther {
		c.e.t.Fatalf("file request: status %d: %.800s", r.Status, r.Body)
	}
	m := receiptPath.FindStringSubmatch(r.Header.Get("Location"))
	if m == nil {
		c.e.t.Fatalf("file request: redirected to %q", r.Header.Get("Location"))
	}
	return m[1]
}

// count returns a count query's result on e's database.
func (e *env) count(query string, args ...any) string {
	e.t.Helper()
	return e.reader().Value(query, args...)
}

// requestRows counts what filing writes: requests, their steps and files, and blobs.
func (e *env) requestRows() string {
	e.t.Helper()
	return e.count(`SELECT (SELECT count(*) FROM requests) || '/' || (SELECT count(*) FROM request_steps) || '/' ||
		(SELECT count(*) FROM request_attachments) || '/' || (SELECT count(*) FROM attachment_blobs) || '/' || (SELECT count(*) FROM notifications)`)
}

func TestRequests_FileAndRead(t *testing.T) {
	e := newEnv(t)
	filer := e.register("민원 신청인")
	form := filer.get("/requests/new")
	if form.Status != 200 {
		t.Fatalf("form: %d", form.Status)
	}
	contains(t, "form", form.Body, `enctype="multipart/form-data"`, "질의", "처리 기간 7근무일", "법령 질의", "처리 기간 14근무일",
		"잘 모르겠어요 (분야로 배정)", `type="file"`, "multiple", `accept=".pdf,.png`, "5개까지, 파일 하나에 10MB까지", "이름을 빼고 공개해도 좋습니다")

	pngData := testPNG(t)
	receipt := filer.fileRequest("여권 재발급 기간 문의", upload{"사진.png", pngData}, upload{"메모.txt", []byte("재발급 신청 메모입니다.\n")})
	// The clock is Friday 27 November 2026, 18:00 in Korea: seven working
	// days count the 27th, 30th and 1–4 and 7 December.
	if !strings.HasPrefix(receipt, "2611-") {
		t.Errorf("receipt %s, want the month 2611", receipt)
	}
	page := filer.get("/requests/" + receipt)
	if page.Status != 200 {
		t.Fatalf("request page: %d %.300s", page.Status, page.Body)
	}
	contains(t, "request page", page.Body, "접수되었습니다 — 접수번호 "+receipt, "여권 재발급 기간 문의", "<strong>며칠</strong>",
		"2026년 12월 7일", "6근무일 남음", "처리 기간 7근무일", "보건복지부에 접수되었습니다.", "사진.png", "메모.txt",
		`href="/requests/`+receipt+`/files/`, "아직 처리 기관이 열람하지 않았습니다", "이름을 빼고 공개하는 데 동의함")
	if strings.Contains(page.Body, "/handle") {
		t.Error("the filer is offered the handling page")
	}
	if strings.Contains(filer.get("/requests/"+receipt).Body, "접수되었습니다 — 접수번호") {
		t.Error("the receipt banner shows again on the next visit")
	}
	if page.Header.Get("Cache-Control") != "private, no-store" {
		t.Errorf("request page Cache-Control %q", page.Header.Get("Cache-Control"))
	}
	r, err := e.st.ReadRequestByReceipt(context.Background(), filer.user(), receipt)
	if err != nil {
		t.Fatal(err)
	}
	if r.Lang != "ko" || !r.PublishConsent || r.Body.IsZero() {
		t.Errorf("stored request: lang %q consent %v body %q", r.Lang, r.PublishConsent, r.Body.String())
	}

	list := filer.get("/requests")
	contains(t, "list", list.Body, receipt, "여권 재발급 기간 문의", "질의", "보건복지부", "접수", "2026년 12월 7일")
	// The lookup box: a receipt typed without hyphens, with full-width digits, goes to its page.
	digits := strings.ReplaceAll(receipt, "-", "")
	if r := filer.get("/requests?receipt=" + url.QueryEscape(" "+digits[:4]+" "+digits[4:]+" ")); r.Status != 303 || r.Header.Get("Location") != "/requests/"+receipt {
		t.Errorf("lookup: %d %q", r.Status, r.Header.Get("Location"))
	}
	wide := strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r - '0' + '０'
		}
		return r
	}, receipt)
	if r := filer.get("/requests?receipt=" + url.QueryEscape(wide)); r.Header.Get("Location") != "/requests/"+receipt {
		t.Errorf("full-width lookup: %d %q", r.Status, r.Header.Get("Location"))
	}
	bad := receipt[:len(receipt)-1] + string('0'+(receipt[len(receipt)-1]-'0'+1)%10)
	if r := filer.get("/requests?receipt=" + bad); r.Status != 400 || !strings.Contains(r.Body, "접수번호가 맞지 않습니다") {
		t.Errorf("wrong check digit: %d", r.Status)
	}
	if r := filer.get("/requests/" + digits); r.Status != 301 || r.Header.Get("Location") != "/requests/"+receipt {
		t.Errorf("receipt without hyphens: %d %q", r.Status, r.Header.Get("Location"))
	}
	if r := filer.get("/requests/" + bad); r.Status != 404 {
		t.Errorf("wrong check digit: %d, want 404", r.Status)
	}

	// A file field left empty sends a part without a name: no attachment.
	empty := filer.postMultipart("/requests", e.requestFields("빈 파일 칸"), upload{"", nil})
	if empty.Status != 303 || e.count(`SELECT count(*) FROM request_attachments`) != "2" {
		t.Errorf("an empty file field: %d, %s attachments", empty.Status, e.count(`SELECT count(*) FROM request_attachments`))
	}

	// "Not sure": the category's usual ministry receives it.
	f := e.requestFields("어느 부처인지 모르는 문의")
	f["ministry"], f["category"] = "unsure", itoa(int(e.cats[0].ID))
	delete(f, "publish_consent")
	res := filer.postMultipart("/requests", f)
	if res.Status != 303 {
		t.Fatalf("unsure: %d %.500s", res.Status, res.Body)
	}
	unsure, err := e.st.ReadRequestByReceipt(context.Background(), filer.user(), strings.TrimPrefix(res.Header.Get("Location"), "/requests/"))
	if err != nil || unsure.MinistryID != e.mins[0].ID || unsure.CategoryID != e.cats[0].ID || unsure.PublishConsent {
		t.Errorf("unsure request: %+v %v", unsure, err)
	}
}

// Bad input: every problem at once, beside its field, in the reader's
// language, the rest of the form kept, and nothing stored.
func TestRequests_RefusedInputStoresNothing(t *testing.T) {
	e := newEnv(t)
	filer := e.register("거절 시험 신청인")
	before := e.requestRows()
	for _, tc := range []struct {
		lang  string
		want  []string
		files []upload
	}{
		{"ko", []string{"근거 서류.pdf: 받을 수 없는 파일입니다", "다른 입력은 그대로 두었으니"}, []upload{{"사진.png", testPNG(t)}, disguisedHTML}},
		{"en", []string{"근거 서류.pdf: this file cannot be accepted", "Everything else you typed is kept"}, []upload{disguisedHTML}},
		{"ko", []string{"빈.txt: 빈 파일입니다"}, []upload{{"빈.txt", nil}}},
		{"ko", []string{"손상.png: 파일이 손상되어"}, []upload{{"손상.png", testPNG(t)[:40]}}},
		{"ko", []string{"파일은 5개까지 첨부할 수 있습니다"}, []upload{{"1.txt", []byte("a")}, {"2.txt", []byte("b")}, {"3.txt", []byte("c")},
			{"4.txt", []byte("d")}, {"5.txt", []byte("e")}, {"6.txt", []byte("f")}}},
	} {
		filer.lang = tc.lang
		r := filer.postMultipart("/requests", e.requestFields("거절될 첨부 문의"), tc.files...)
		if r.Status != 400 {
			t.Errorf("%v: status %d, want 400", tc.want, r.Status)
		}
		contains(t, tc.lang, r.Body, tc.want...)
		contains(t, tc.lang, r.Body, `value="거절될 첨부 문의"`, "여권 재발급에 **며칠**", `id="f-files-error"`, `class="error-summary"`)
	}
	filer.lang = ""
	// Every field at fault, reported together with the file.
	r := filer.postMultipart("/requests", map[string]string{"kind": "complaint", "ministry": "999", "title": "", "body": " "}, disguisedHTML)
	if r.Status != 400 {
		t.Fatalf("bad form: %d", r.Status)
	}
	contains(t, "bad form", r.Body, "민원 종류를 골라 주세요", "처리 기관을 고르거나", "제목을 150자 이내로", "내용을 입력해 주십시오", "받을 수 없는 파일입니다")
	f := e.requestFields("분야만 고른 문의")
	f["ministry"] = "unsure"
	contains(t, "unsure without a field", filer.postMultipart("/requests", f).Body, "처리 기관을 고르거나")
	if after := e.requestRows(); after != before {
		t.Errorf("refused requests wrote rows: %s, then %s", before, after)
	}
}

// TestRequests_RoleMatrix: the filer, the holding ministry's official and
// an administrator read a request, its files and its API record; another
// citizen, a moderator and another ministry's official get the normal 404,
// a guest the sign-in; refusals record no read and change nothing.
func TestRequests_RoleMatrix(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	other, err := e.st.CreateMinistry(ctx, forum.Ministry{Slug: "me", NameKO: "환경부", NameEN: "Ministry of Environment", NameZH: "環境部"})
	if err != nil {
		t.Fatal(err)
	}
	filer := e.register("행렬 신청인")
	receipt := filer.fileRequest("행렬 시험 민원", upload{"자료.txt", []byte("자료입니다.")})
	fileID := e.count(`SELECT id FROM request_attachments`)
	official := e.staff(forum.RoleOfficial, e.mins[0].ID, "김담당")
	outsider := e.staff(forum.RoleOfficial, other.ID, "박환경")
	moderator := e.staff(forum.RoleModerator, 0, "류운영")
	admin := e.staff(forum.RoleAdmin, 0, "이관리")
	citizen := e.register("다른 시민")
	unverified := e.registerUnverified("미인증 시민")
	guest := e.client()

	page, file, api := "/requests/"+receipt, "/requests/"+receipt+"/files/"+fileID, "/api/v1/requests/"+receipt
	for _, tc := range []struct {
		name  string
		c     *client
		read  bool // may read the request
		reads int  // reads it records (a staff read per request)
	}{
		{"filer", filer, true, 0},
		{"citizen", citizen, false, 0},
		{"unverified", unverified, false, 0},
		{"moderator", moderator, false, 0},
		{"outsider", outsider, false, 0},
		{"official", official, true, 3},
		{"admin", admin, true, 3},
	} {
		before, rows := e.count(`SELECT count(*) FROM request_reads`), e.requestRows()
		pageWant, fileWant, apiWant := 404, 404, 404
		if tc.read {
			pageWant, fileWant, apiWant = 200, 200, 200
		}
		if r := tc.c.get(page); r.Status != pageWant {
			t.Errorf("%s GET page: %d, want %d", tc.name, r.Status, pageWant)
		} else if !tc.read && (strings.Contains(r.Body, "행렬 시험 민원") || !strings.Contains(r.Body, "페이지를 찾을 수 없습니다")) {
			t.Errorf("%s: the refusal is not the normal not-found page", tc.name)
		}
		if r := tc.c.get(file); r.Status != fileWant {
			t.Errorf("%s GET file: %d, want %d", tc.name, r.Status, fileWant)
		}
		if r := tc.c.do("GET", api, nil, "Accept", "application/json"); r.Status != apiWant {
			t.Errorf("%s GET api: %d, want %d", tc.name, r.Status, apiWant)
		} else if !tc.read && !strings.Contains(r.Body, `"code":"not_found"`) {
			t.Errorf("%s api refusal: %s", tc.name, r.Body)
		}
		if r := tc.c.get("/requests"); r.Status != 200 || strings.Contains(r.Body, "행렬 시험 민원") != (tc.name == "filer") {
			t.Errorf("%s GET /requests: %d, lists the filer's request: %v", tc.name, r.Status, strings.Contains(r.Body, "행렬 시험 민원"))
		}
		after := e.count(`SELECT count(*) FROM request_reads`)
		if atoi64(after)-atoi64(before) != int64(tc.reads) {
			t.Errorf("%s: reads %s → %s, want %d more", tc.name, before, after, tc.reads)
		}
		if got := e.requestRows(); got != rows {
			t.Errorf("%s: rows changed %s → %s", tc.name, rows, got)
		}
	}
	for _, p := range []string{page, file, "/requests", "/requests/new"} {
		if r := guest.get(p); r.Status != 303 || !strings.HasPrefix(r.Header.Get("Location"), "/login?next=") {
			t.Errorf("guest GET %s: %d %q", p, r.Status, r.Header.Get("Location"))
		}
	}
	if r := guest.do("GET", api, nil); r.Status != 401 || !strings.Contains(r.Body, `"code":"signin_required"`) {
		t.Errorf("guest api: %d %s", r.Status, r.Body)
	}
	// Staff see who read it and the handling link; the filer sees the ministry only.
	staffView := official.get(page).Body
	contains(t, "official's view", staffView, "/requests/"+receipt+"/handle", "보건복지부 김담당 님이", "관리자 이관리 님이", "행렬 신청인")
	filerView := filer.get(page).Body
	contains(t, "filer's view", filerView, "보건복지부에서 2026년 11월 27일", "관리자가 2026년 11월 27일")
	for _, name := range []string{"김담당", "이관리", "/handle"} {
		if strings.Contains(filerView, name) {
			t.Errorf("the filer's page shows %q", name)
		}
	}
	// Filing: a guest and an unverified account are refused, and nothing is stored.
	rows := e.requestRows()
	if r := guest.postMultipart("/requests", e.requestFields("손님 민원")); r.Status != 401 {
		t.Errorf("guest POST: %d", r.Status)
	}
	if r := unverified.get("/requests/new"); r.Status != 200 || !strings.Contains(r.Body, "이메일 인증을 마치면 민원을 신청할 수 있습니다") || strings.Contains(r.Body, `name="title"`) {
		t.Errorf("unverified form: %d", r.Status)
	}
	if r := unverified.postMultipart("/requests", e.requestFields("미인증 민원"), upload{"a.txt", []byte("a")}); r.Status != 403 ||
		!strings.Contains(r.Body, "이메일 인증을 마치면 민원을 신청할 수 있습니다") {
		t.Errorf("unverified POST: %d", r.Status)
	}
	if got := e.requestRows(); got != rows {
		t.Errorf("refused filings wrote rows: %s → %s", rows, got)
	}
}

func TestRequests_DownloadHeaders(t *testing.T) {
	e := newEnv(t)
	filer := e.register("내려받기 신청인")
	text := []byte("첨부 본문입니다. " + strings.Repeat("반복되는 글 ", 300))
	receipt := filer.fileRequest("내려받기 시험", upload{"사진.png", testPNG(t)}, upload{"회의 메모 \"최종\".txt", text})
	rows := regexp.MustCompile(`/requests/`+receipt+`/files/(\d+)"[^>]*>([^<]+)</a>`).FindAllStringSubmatch(filer.get("/requests/"+receipt).Body, -1)
	if len(rows) != 2 {
		t.Fatalf("%d download links", len(rows))
	}
	for _, m := range rows {
		r := filer.do("GET", "/requests/"+receipt+"/files/"+m[1], nil, "Accept-Encoding", "gzip, br")
		if r.Status != 200 {
			t.Fatalf("%s: %d", m[2], r.Status)
		}
		h := r.Header
		if h.Get("X-Content-Type-Options") != "nosniff" || h.Get("Cache-Control") != "private, no-store" ||
			h.Get("ETag") != "" || h.Get("Content-Encoding") != "" || !strings.Contains(h.Get("Content-Security-Policy"), "sandbox") {
			t.Errorf("%s: headers %v", m[2], h)
		}
		sum := sha256.Sum256([]byte(r.Body))
		if got := e.count(`SELECT sha256 FROM request_attachments WHERE id = ?`, atoi64(m[1])); got != hex.EncodeToString(sum[:]) {
			t.Errorf("%s: served bytes are not the stored file", m[2])
		}
		cd := h.Get("Content-Disposition")
		switch {
		case strings.HasSuffix(m[2], ".png"):
			if h.Get("Content-Type") != "image/png" || cd != `attachment; filename="attachment-`+m[1]+`.png"; filename*=UTF-8''%EC%82%AC%EC%A7%84.png` {
				t.Errorf("png: %q %q", h.Get("Content-Type"), cd)
			}
		default:
			if h.Get("Content-Type") != "text/plain; charset=utf-8" || !strings.HasPrefix(cd, `attachment; filename="`) ||
				!strings.Contains(cd, `filename*=UTF-8''%ED%9A%8C%EC%9D%98%20%EB%A9%94%EB%AA%A8%20%22%EC%B5%9C%EC%A2%85%22.txt`) ||
				strings.Count(cd, `"`) != 2 {
				t.Errorf("text: %q %q", h.Get("Content-Type"), cd)
			}
		}
	}
	// An attachment of another request under this receipt does not exist.
	other := filer.fileRequest("다른 민원", upload{"다른.txt", []byte("다른 파일")})
	otherID := e.count(`SELECT max(id) FROM request_attachments`)
	if r := filer.get("/requests/" + receipt + "/files/" + otherID); r.Status != 404 {
		t.Errorf("another request's file under this receipt: %d", r.Status)
	}
	if r := filer.get("/requests/" + other + "/files/" + otherID); r.Status != 200 {
		t.Errorf("its own file: %d", r.Status)
	}
}

func TestContentDisposition(t *testing.T) {
	for _, tc := range []struct{ name, want string }{
		{"report 2026.pdf", `attachment; filename="report 2026.pdf"; filename*=UTF-8''report%202026.pdf`},
		{"근거.pdf", `attachment; filename="fallback.pdf"; filename*=UTF-8''%EA%B7%BC%EA%B1%B0.pdf`},
		{`a"b\c;d.txt`, `attachment; filename="a_b_c_d.txt"; filename*=UTF-8''a%22b%5Cc%3Bd.txt`},
		{"평가 v2.hwp", `attachment; filename="__ v2.hwp"; filename*=UTF-8''%ED%8F%89%EA%B0%80%20v2.hwp`},
	} {
		if got := contentDisposition(tc.name, "fallback.pdf"); got != tc.want {
			t.Errorf("%q:\n got %s\nwant %s", tc.name, got, tc.want)
		}
	}
}

func TestRequests_API(t *testing.T) {
	e := newEnv(t)
	filer := e.register("API 신청인")
	token := filer.csrf()
	post := func(c *client, body string, hdr ...string) resp {
		req := httptest.NewRequest("POST", "/api/v1/requests", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		for i := 0; i+1 < len(hdr); i += 2 {
			req.Header.Set(hdr[i], hdr[i+1])
		}
		return c.send(req)
	}
	rows := e.requestRows()
	if r := post(filer, `{"kind":"suggestion","ministry":"mohw","title":"API 건의","body":"본문"}`); r.Status != 403 ||
		r.Header.Get("Access-Control-Allow-Origin") != "*" || !strings.Contains(r.Body, `"code":"csrf"`) {
		t.Errorf("without CSRF: %d %q %s", r.Status, r.Header.Get("Access-Control-Allow-Origin"), r.Body)
	}
	if r := post(filer, `{"kind":"suggestion","ministry":"nowhere","title":"API 건의","body":"본문"}`, "X-CSRF-Token", token); r.Status != 400 ||
		!strings.Contains(r.Body, `"field":"ministry"`) || !strings.Contains(r.Body, `"code":"request_ministry"`) {
		t.Errorf("unknown ministry: %d %s", r.Status, r.Body)
	}
	if got := e.requestRows(); got != rows {
		t.Errorf("refused API filings wrote rows: %s → %s", rows, got)
	}
	r := post(filer, `{"kind":"suggestion","ministry":"mohw","category":"welfare","title":"API 건의","body":"**본문**","publish_consent":true}`, "X-CSRF-Token", token)
	if r.Status != 201 {
		t.Fatalf("API filing: %d %s", r.Status, r.Body)
	}
	var created struct {
		Request struct {
			Receipt, Kind, Ministry, Status, DueDay string
			Category                                *string
			PeriodDays                              int  `json:"period_days"`
			Consent                                 bool `json:"publish_consent"`
		}
		Steps []struct{ Kind, Ministry string }
	}
	if err := json.Unmarshal([]byte(r.Body), &created); err != nil {
		t.Fatal(err)
	}
	rq := created.Request
	if rq.Kind != "suggestion" || rq.Ministry != "mohw" || rq.Category == nil || *rq.Category != "welfare" || rq.PeriodDays != 14 || !rq.Consent ||
		r.Header.Get("Location") != "/api/v1/requests/"+rq.Receipt || len(created.Steps) != 1 || created.Steps[0].Kind != "filed" {
		t.Errorf("created: %s (Location %q)", r.Body, r.Header.Get("Location"))
	}
	// Multipart through the API carries files; the same checks refuse a disguised one.
	mp := filer.postMultipart("/api/v1/requests", map[string]string{"kind": "inquiry", "ministry": "mohw", "title": "파일 민원", "body": "본문"}, disguisedHTML)
	if mp.Status != 400 || !strings.Contains(mp.Body, `"code":"attachment_type"`) || !strings.Contains(mp.Body, `"field":"files"`) {
		t.Errorf("API disguised file: %d %s", mp.Status, mp.Body)
	}
	mp = filer.postMultipart("/api/v1/requests", map[string]string{"kind": "inquiry", "ministry": "mohw", "title": "파일 민원", "body": "본문"},
		upload{"그림.png", testPNG(t)})
	if mp.Status != 201 || !strings.Contains(mp.Body, `"name":"그림.png"`) || !strings.Contains(mp.Body, `"kind":"png"`) {
		t.Errorf("API file: %d %s", mp.Status, mp.Body)
	}
	list := filer.do("GET", "/api/v1/requests", nil)
	if list.Status != 200 || strings.Count(list.Body, `"receipt"`) != 2 || list.Header.Get("Cache-Control") != "private, no-store" {
		t.Errorf("list: %d %s", list.Status, list.Body)
	}
	if r := e.register("남의 API").do("GET", "/api/v1/requests", nil); r.Status != 200 || r.Body != `{"requests":[]}` {
		t.Errorf("another citizen's list: %d %s", r.Status, r.Body)
	}
	official := e.staff(forum.RoleOfficial, e.mins[0].ID, "API 담당")
	staff := official.do("GET", "/api/v1/requests/"+rq.Receipt, nil)
	own := filer.do("GET", "/api/v1/requests/"+rq.Receipt, nil)
	if staff.Status != 200 || !strings.Contains(staff.Body, `"reader":"API 담당"`) {
		t.Errorf("official's record: %d %s", staff.Status, staff.Body)
	}
	if own.Status != 200 || !strings.Contains(own.Body, `"reads":[{"ministry":"mohw","at":`) || strings.Contains(own.Body, "API 담당") {
		t.Errorf("filer's record: %d %s", own.Status, own.Body)
	}
}

// TestRequests_BodyLimits: a civil request's POST may carry five files of
// 10 MiB; every other route keeps the 512 KiB limit, and a request body
// past 52 MiB is refused before it is read.
func TestRequests_BodyLimits(t *testing.T) {
	for _, tc := range []struct {
		path string
		want bool
	}{
		{"/requests", true}, {"/REQUESTS/", true}, {"/api/v1/requests", true}, {"/requests/2611-0000001-3/reply", true},
		{"/api/v1/requests/2611-0000001-3/reply", true},
		{"/requests/2611-0000001-3", false}, {"/requests/a/b/c", false}, {"/requestsx", false}, {"/proposals", false}, {"/", false},
	} {
		if got := uploadRoute(tc.path); got != tc.want {
			t.Errorf("uploadRoute(%q) = %v", tc.path, got)
		}
	}
	e := newEnv(t)
	filer := e.register("큰 파일 신청인")
	big := bytes.Repeat([]byte("abcdefghi\n"), (10<<20)/10+1) // just over 10 MiB of text
	r := filer.postMultipart("/requests", e.requestFields("큰 파일"), upload{"큰.txt", big})
	if r.Status != 400 || !strings.Contains(r.Body, "큰.txt: 파일 하나는 10MB까지") {
		t.Errorf("an 11 MiB file: %d", r.Status)
	}
	// Past the limit, the header alone is answered 413: the body is never read.
	// (app.Test reports the refusal as an error, so this goes over a socket.)
	origin := serveLoopback(t, e)
	for _, tc := range []struct {
		path string
		size int
		want int
	}{
		{"/requests", uploadBodyLimit + 1, 413},
		{"/api/v1/requests", uploadBodyLimit + 1, 413},
		{"/proposals", 1 << 20, 413},
		{"/requests/new", 1 << 20, 413}, // a GET path: not an upload route, whatever the method
	} {
		conn, err := net.Dial("tcp", strings.TrimPrefix(origin, "http://"))
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(conn, "POST %s HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: multipart/form-data; boundary=x\r\nContent-Length: %d\r\n\r\n", tc.path, tc.size)
		res, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil {
			t.Fatalf("POST %s: %v", tc.path, err)
		}
		res.Body.Close()
		conn.Close()
		if res.StatusCode != tc.want {
			t.Errorf("POST %s with %d bytes announced: %d, want %d", tc.path, tc.size, res.StatusCode, tc.want)
		}
	}
	five := make([]upload, 5)
	for i := range five {
		five[i] = upload{"part.txt", append([]byte(itoa(i)), big[:9<<20]...)}
	}
	if r := filer.postMultipart("/requests", e.requestFields("다섯 파일"), five...); r.Status != 303 {
		t.Errorf("five 9 MiB files: %d %.300s", r.Status, r.Body)
	}
}

// markdown renders src as the forum renders what people write.
func markdown(src string) moderation.Sanitized { return moderation.NewRenderer().Markdown(src) }

// answerRefusal has official refuse request receipt, with every remedy,
// through the store as the handling page does.
func (e *env) answerRefusal(official *client, receipt string, decision forum.RequestDecision) {
	e.t.Helper()
	r, err := e.st.ReadRequestByReceipt(context.Background(), official.user(), receipt)
	if err != nil {
		e.t.Fatal(err)
	}
	body := "일반 여권은 제작에 시간이 걸립니다."
	if err := e.st.AnswerRequest(context.Background(), official.user(), r.ID, forum.RequestAnswerInput{Decision: decision,
		Summary: "긴급 여권은 당일, 일반 여권은 8근무일 안에 발급합니다", Body: body, LegalBasis: "여권법 시행령 제6조",
		ResponsibleUnit: "여권정책과", Contact: "044-202-0000",
		Remedies: []forum.Remedy{forum.RemedyObjection, forum.RemedyAppeal, forum.RemedyLitigation}}, markdown(body), "ko"); err != nil {
		e.t.Fatal(err)
	}
}

// TestRequests_PageShowsHistoryAndAnswer: a transfer names both ministries
// and its reason, a question and the reply show in the history, and a
// refusal's answer shows its decision, reasons, legal basis, unit, contact
// and each remedy with how to use it; the filer sees ministries, never
// officials' names, and staff see both.
func TestRequests_PageShowsHistoryAndAnswer(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	other, err := e.st.CreateMinistry(ctx, forum.Ministry{Slug: "me", NameKO: "환경부", NameEN: "Ministry of Environment", NameZH: "環境部"})
	if err != nil {
		t.Fatal(err)
	}
	filer := e.register("이력 신청인")
	receipt := filer.fileRequest("미세먼지 측정소 설치 요청")
	official := e.staff(forum.RoleOfficial, other.ID, "최환경")
	r, err := e.st.ReadRequestByReceipt(ctx, filer.user(), receipt)
	if err != nil {
		t.Fatal(err)
	}
	// The ministry that received it hands it on (the period restarts on
	// Friday 27 November), the new one asks on Monday, the filer replies
	// on Tuesday (a working day stood still), and the answer comes on
	// Wednesday: 4 working days less 1.
	first := e.staff(forum.RoleOfficial, e.mins[0].ID, "김복지")
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(e.st.TransferRequest(ctx, first.user(), r.ID, other.ID, "대기 측정망은 환경부 소관입니다."))
	e.clock.Add(72 * time.Hour)
	must(e.st.AskRequestInfo(ctx, official.user(), r.ID, "설치를 원하는 동네를 알려 주세요.", markdown("설치를 원하는 동네를 알려 주세요.")))
	e.clock.Add(24 * time.Hour)
	must(e.st.GiveRequestInfo(ctx, filer.user(), r.ID, "서울 마포구입니다.", markdown("서울 마포구입니다."), nil))
	e.clock.Add(24 * time.Hour)
	body := "예산이 이미 **배정**되었습니다."
	must(e.st.AnswerRequest(ctx, official.user(), r.ID, forum.RequestAnswerInput{Decision: forum.RequestRejected,
		Summary: "올해는 측정소를 늘리지 않습니다", Body: body, LegalBasis: "대기환경보전법 제3조", ResponsibleUnit: "대기질통합관리센터",
		Contact: "044-201-0000", Remedies: []forum.Remedy{forum.RemedyObjection, forum.RemedyAppeal, forum.RemedyLitigation},
		RemedyNote: "내년 계획에 다시 반영을 검토합니다."}, markdown(body), "ko"))
	want := []string{"보건복지부에서 환경부로 이송했습니다", "대기 측정망은 환경부 소관입니다.", "환경부에서 보완을 요청했습니다",
		"설치를 원하는 동네를 알려 주세요.", "신청인이 보완 내용을 냈습니다", "환경부에서 답변했습니다", "답변 완료",
		"불수용", "올해는 측정소를 늘리지 않습니다", "<strong>배정</strong>", "대기환경보전법 제3조", "대기질통합관리센터", "044-201-0000",
		"3근무일", "기한 안에 답변", "이의신청</strong>:", "답변을 받은 날부터 90일 안에 이 페이지에서 한 번 신청할 수 있습니다. 같은 기관이 다시 검토해 10근무일 안에 답합니다.",
		"행정심판</strong>:", "www.simpan.go.kr", "행정소송</strong>:", "관할 행정법원", "내년 계획에 다시 반영을 검토합니다."}
	page := filer.get("/requests/" + receipt)
	if page.Status != 200 {
		t.Fatalf("filer: %d", page.Status)
	}
	contains(t, "filer's page", page.Body, want...)
	if strings.Contains(page.Body, "최환경") || strings.Contains(page.Body, "처리 기한") {
		t.Error("the filer's page names the official, or shows a due date for an answered request")
	}
	staff := official.get("/requests/" + receipt)
	contains(t, "official's page", staff.Body, append(want, "(최환경)", "환경부 최환경 님이")...)
	// Seven reads: the five newest listed, newest first, the two before folded away.
	for range 6 {
		official.get("/requests/" + receipt)
	}
	reads := filer.get("/requests/" + receipt).Body
	recent, older, ok := strings.Cut(reads[strings.Index(reads, `class="request-read-list"`):], `<details class="request-reads-older">`)
	older, _, _ = strings.Cut(older, "</details>")
	if !ok || strings.Count(recent, "<li>") != 5 || !strings.Contains(older, "이전 열람 기록 2건") || strings.Count(older, "<li>") != 2 {
		t.Errorf("reads: %d listed, older: %v %q", strings.Count(recent, "<li>"), ok, older)
	}
	en := filer
	en.lang = "en"
	contains(t, "filer's page in English", en.get("/requests/"+receipt).Body, "Ministry of Health and Welfare transferred it to Ministry of Environment",
		"Not accepted", "Administrative appeal", "Within 90 days of the answer you may object once")
}

// TestRequests_HTMLValid runs the Nu Html Checker over the civil request
// pages as each viewer gets them, refusals included, and checks that none
// skips a heading level.
func TestRequests_HTMLValid(t *testing.T) {
	if _, err := os.Stat(vnuPath); err != nil {
		t.Skipf("vnu.jar not found at %s: `make test-deps` installs it", vnuPath)
	}
	java, err := exec.LookPath("java")
	if err != nil {
		t.Skip("java not found: `make test-deps` installs default-jre-headless")
	}
	e := newEnv(t)
	filer := e.register("검사 신청인")
	receipt := filer.fileRequest("HTML 검사 민원", upload{"자료.txt", []byte("자료")})
	official := e.staff(forum.RoleOfficial, e.mins[0].ID, "검사 담당")
	e.answerRefusal(official, receipt, forum.RequestRejected)
	pages := map[string]resp{
		"form": filer.get("/requests/new"),
		"refused": filer.postMultipart("/requests", map[string]string{"kind": "inquiry", "ministry": "", "title": "", "body": ""},
			disguisedHTML, upload{"빈.txt", nil}),
		"unverified": e.registerUnverified("미인증").get("/requests/new"),
		"list":       filer.get("/requests"),
		"lookup-bad": filer.get("/requests?receipt=123"),
		"filer-page": filer.get("/requests/" + receipt),
		"staff-page": official.get("/requests/" + receipt),
	}
	bodies := map[string]string{}
	for name, r := range pages {
		if r.Status != 200 && r.Status != 400 {
			t.Errorf("%s: status %d", name, r.Status)
		}
		for _, s := range headingSkips(r.Body) {
			t.Errorf("%s: heading skips a level: %s", name, s)
		}
		bodies[name] = r.Body
	}
	checkHTML(t, java, bodies)
}
