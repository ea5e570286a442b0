package web

import (
	"bytes"
	"math/rand/v2"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/e-people/e-people/forum"
)

// requestPDFSize is the size of the attachment each benchmarked request is
// filed with.
const requestPDFSize = 5 << 20

// requestPDF returns a well-formed PDF of requestPDFSize bytes whose
// content (and so whose hash) is n's own: random, incompressible bytes in a
// stream, as a scanned document is.
func requestPDF(base []byte, n int) []byte {
	head := "%PDF-1.7\n%\xe2\xe3\xcf\xd3\n% request " + strconv.Itoa(n) + "\n1 0 obj\n<< /Length " + strconv.Itoa(len(base)) + " >>\nstream\n"
	tail := "\nendstream\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
	out := make([]byte, 0, requestPDFSize)
	out = append(out, head...)
	out = append(out, base[:requestPDFSize-len(head)-len(tail)]...)
	return append(out, tail...)
}

// requestFlow is one forum with a citizen and an official of the ministry,
// signed in, and each one's CSRF token, for the benchmark's steps.
type requestFlow struct {
	e                 *env
	filer, official   *client
	filerTok, offiTok string
	pdf               []byte
	filed             int
}

// multipartPost sends fields (and one file, if data is not nil) as a form
// to path, as a browser does, with c's token.
func (f *requestFlow) multipartPost(c *client, tok, path string, fields url.Values, file string, data []byte) resp {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	_ = mw.WriteField("_csrf", tok)
	for k, vs := range fields {
		for _, v := range vs {
			_ = mw.WriteField(k, v)
		}
	}
	if data != nil {
		w, _ := mw.CreateFormFile("files", file)
		_, _ = w.Write(data)
	}
	mw.Close()
	req := httptest.NewRequest("POST", path, &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return c.send(req)
}

// post sends a url-encoded form with c's token.
func (f *requestFlow) post(c *client, tok, path string, form url.Values) resp {
	form.Set("_csrf", tok)
	return c.do("POST", path, form)
}

// landed checks a POST answered 303 and follows it, as a browser would.
func (f *requestFlow) landed(c *client, what string, r resp) string {
	f.e.t.Helper()
	if r.Status != http.StatusSeeOther {
		f.e.t.Fatalf("%s: %d %.500s", what, r.Status, r.Body)
	}
	loc := r.Header.Get("Location")
	if g := c.get(loc); g.Status != http.StatusOK {
		f.e.t.Fatalf("%s: %s answered %d", what, loc, g.Status)
	}
	return loc
}

// The steps of a request's life, each one page a person submits or opens,
// with the page it lands on. Each takes the receipt number ("" to file).
func (f *requestFlow) file(string) string {
	f.filed++
	loc := f.landed(f.filer, "file", f.multipartPost(f.filer, f.filerTok, "/requests", url.Values{"kind": {"grievance"},
		"ministry": {strconv.FormatInt(f.e.mins[0].ID, 10)}, "title": {"보도블록 파손 방치에 대한 고충 " + strconv.Itoa(f.filed)},
		"body": {"석 달째 깨진 보도블록을 고쳐 주지 않습니다. 스캔한 민원 서류를 붙입니다."}},
		"민원서류.pdf", requestPDF(f.pdf, f.filed)))
	return strings.TrimPrefix(loc, "/requests/")
}

func (f *requestFlow) open(receipt string) string {
	if r := f.official.get("/requests/" + receipt); r.Status != http.StatusOK {
		f.e.t.Fatalf("staff open: %d", r.Status)
	}
	return receipt
}

func (f *requestFlow) ask(receipt string) string {
	f.landed(f.official, "ask", f.post(f.official, f.offiTok, "/requests/"+receipt+"/info",
		url.Values{"question": {"파손 위치의 도로명 주소를 알려 주십시오."}}))
	return receipt
}

func (f *requestFlow) reply(receipt string) string {
	f.landed(f.filer, "reply", f.multipartPost(f.filer, f.filerTok, "/requests/"+receipt+"/reply",
		url.Values{"reply": {"서울특별시 종로구 세종대로 209 앞입니다."}}, "", nil))
	return receipt
}

func (f *requestFlow) answer(receipt string) string {
	f.landed(f.official, "answer", f.post(f.official, f.offiTok, "/requests/"+receipt+"/answer", url.Values{
		"decision": {"not_accepted"}, "summary": {"예산 편성 전까지 보수가 어렵습니다."},
		"body":        {"해당 구간은 내년 정비 사업에 들어 있어 그때 함께 보수합니다."},
		"legal_basis": {"도로법 제31조"}, "responsible_unit": {"도로관리과"}, "contact": {"044-000-0000"},
		"remedies": {"objection", "administrative_appeal"}}))
	return receipt
}

func (f *requestFlow) rate(receipt string) string {
	f.landed(f.filer, "rate", f.post(f.filer, f.filerTok, "/requests/"+receipt+"/rate",
		url.Values{"rating": {"2"}, "comment": {"기다리라는 말뿐입니다."}}))
	return receipt
}

// BenchmarkRequestFlow times each step of a civil request's life through
// the real app and a real SQLite file (or PostgreSQL with
// EPEOPLE_TEST_DB=postgres): filing with a 5 MiB PDF, the official opening
// it, asking for information, the filer's reply, the official's answer (a
// refusal with remedies) and the filer's rating. A step's time includes
// the page its redirect lands on. Each sub-benchmark brings b.N requests
// to the state before its step with the timer stopped, then times the step:
//
//	go test -tags sqlite_fts5 -run XXX -bench BenchmarkRequestFlow -benchtime 20x ./forum/web/
func BenchmarkRequestFlow(b *testing.B) {
	e := newEnv(b)
	f := &requestFlow{e: e, filer: e.register("벤치 민원인"), official: e.staff(forum.RoleOfficial, e.mins[0].ID, "벤치 담당자")}
	f.filerTok, f.offiTok = f.filer.csrf(), f.official.csrf()
	rng := rand.New(rand.NewPCG(17, 17))
	f.pdf = make([]byte, requestPDFSize)
	for i := range f.pdf {
		f.pdf[i] = byte(rng.Uint32())
	}
	steps := []struct {
		name string
		do   func(string) string
	}{{"file_5MiB_pdf", f.file}, {"staff_open", f.open}, {"ask_info", f.ask}, {"reply", f.reply}, {"answer_refusal", f.answer}, {"rate", f.rate}}
	for k, st := range steps {
		b.Run(st.name, func(b *testing.B) {
			e.t = b
			b.StopTimer()
			receipts := make([]string, b.N)
			for i := range receipts {
				for _, prev := range steps[:k] {
					receipts[i] = prev.do(receipts[i])
				}
			}
			if k == 0 {
				b.SetBytes(requestPDFSize)
			}
			b.ReportAllocs()
			b.StartTimer()
			for i := range b.N {
				st.do(receipts[i])
			}
		})
	}
}
