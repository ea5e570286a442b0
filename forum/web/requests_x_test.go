package web

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/e-people/e-people/forum"
	"github.com/e-people/e-people/forum/store"
	"github.com/e-people/e-people/moderation"
)

// fileRequestFor files an inquiry for c to e's ministry through the store.
func (e *env) fileRequestFor(c *client, title string) *forum.Request {
	e.t.Helper()
	r, err := e.st.FileRequest(context.Background(), c.user(), store.NewRequest{Input: forum.RequestInput{Kind: forum.RequestInquiry,
		MinistryID: e.mins[0].ID, Title: title, Body: title + " 본문"}, Body: moderation.TrustedFromStore("<p>" + title + " 본문</p>")})
	if err != nil {
		e.t.Fatal(err)
	}
	return r
}

// The filing's notification names the receipt number and title and links
// to the request; the receipt mail says the number, the ministry, the due
// day and the link, whatever the filer's mail frequency.
func TestRequestNotes_FilingPageAndReceiptMail(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	filer := e.register("민원 알림 시민")
	if r := filer.post("/notifications/settings", url.Values{"frequency": {store.EmailNone}}); r.Status != http.StatusSeeOther {
		t.Fatalf("mail settings: %d", r.Status)
	}
	r := e.fileRequestFor(filer, "여권 발급 기간 문의")
	receipt := r.Receipt()
	page := filer.get("/notifications")
	contains(t, "notifications", page.Body, "민원이 접수되었습니다: "+receipt+" “여권 발급 기간 문의”", `href="/requests/`+receipt+`"`)

	ms, err := e.st.Outbox(ctx, 100)
	if err != nil {
		t.Fatal(err)
	}
	var receiptMail *store.Mail
	for i, m := range ms {
		if m.UserID == filer.user().ID && m.Kind == store.MailRequestReceipt {
			receiptMail = &ms[i]
		}
	}
	if receiptMail == nil {
		t.Fatalf("no receipt mail to a filer who wants no mail: %+v", ms)
	}
	subject, body, err := e.srv.ComposeMail(ctx, *receiptMail)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(subject, "민원이 접수되었습니다 (접수번호 "+receipt+")") {
		t.Errorf("subject %q", subject)
	}
	contains(t, "receipt mail", body, "접수번호: "+receipt, "제목: 여권 발급 기간 문의", "처리 기관: 보건복지부",
		"처리 기한: "+formatDay("ko", r.Due)+" (주말과 공휴일을 뺀 근무일 기준)", "http://127.0.0.1/requests/"+receipt+"\n",
		"Handled by: Ministry of Health and Welfare", "Due: "+formatDay("en", r.Due),
		"알림 수신 설정과 관계없이 보내 드립니다.")
	if strings.Contains(body, "mail.") || strings.Contains(subject, "mail.") || strings.Contains(body, "/notifications#mail") {
		t.Errorf("receipt mail shows a key or the notification footer:\n%s", body)
	}
}

// Every kind of request notification is said in each language with the
// receipt number and title and links to the request, in the list, in its
// own mail and in a digest; the title is left out for a reader who may no
// longer read the request.
func TestRequestNotes_EveryKind(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	other, err := e.st.CreateMinistry(ctx, forum.Ministry{Slug: "mois", NameKO: "행정안전부", NameEN: "Ministry of the Interior and Safety", NameZH: "行政安全部"})
	if err != nil {
		t.Fatal(err)
	}
	filer := e.register("알림 종류 시민")
	outsider := e.staff(forum.RoleOfficial, other.ID, "다른 부처 공무원")
	r := e.fileRequestFor(filer, "주민등록 정정 절차")
	receipt := r.Receipt()
	due := time.Date(2026, 12, 24, 14, 59, 59, 0, time.UTC)
	data := `{"request_id":` + strconv.FormatInt(r.ID, 10) + `,"receipt":"` + receipt + `","title":"주민등록 정정 절차"`
	for _, tc := range []struct {
		kind, extra string
		ko, en, zh  string
		link        string
	}{
		{forum.NoteRequestFiled, ``, "민원이 접수되었습니다", "Your civil request was received", "已受理您的陳情", ""},
		{forum.NoteRequestAssigned, ``, "민원의 담당자가 지정되었습니다", "An official was put in charge", "陳情已指定承辦人", ""},
		{forum.NoteRequestTransferred, `,"to":` + strconv.FormatInt(other.ID, 10), "민원이 행정안전부로 이송되어", "transferred to Ministry of the Interior and Safety", "陳情已移送至行政安全部", ""},
		{forum.NoteRequestInfo, ``, "보완 자료를 요청했습니다", "asks for more information", "請您補充陳情資料", "/reply"},
		{forum.NoteRequestInfo, `,"replied":true`, "민원인이 보완 자료를 보냈습니다", "The filer sent the information", "陳情人已補充資料", "/handle"},
		{forum.NoteRequestExtended, `,"due":` + strconv.FormatInt(due.Unix(), 10), "2026년 12월 24일까지 연장되었습니다", "extended to Dec 24, 2026", "延長至2026年12月24日", ""},
		{forum.NoteRequestAnswered, `,"decision":"not_accepted"`, "답변이 등록되었습니다(불수용)", "Your civil request was answered", "您的陳情已有答覆", ""},
		{forum.NoteRequestProgress, `,"due":` + strconv.FormatInt(due.Unix(), 10), "답변 예정일은 2026년 12월 24일입니다", "expected by Dec 24, 2026", "預計於2026年12月24日前答覆", ""},
		{forum.NoteRequestObjection, ``, "민원인이 답변에 이의신청했습니다", "The filer objected", "陳情人對答覆提出異議", "/handle"},
		{forum.NoteRequestPublished, ``, "‘자주 묻는 민원’으로 공개되었습니다", "as a frequently asked request", "公開為「常見陳情」", ""},
		{forum.NoteRequestPublished, `,"faq_id":12`, "‘자주 묻는 민원’으로 공개되었습니다", "as a frequently asked request", "公開為「常見陳情」", "=/faq/12"},
	} {
		n := forum.Notification{Kind: tc.kind, Data: []byte(data + tc.extra + `}`), Count: 1}
		for lang, want := range map[string]string{"ko": tc.ko, "en": tc.en, "zh": tc.zh} {
			got := describeNote(e.srv.views.catalogs[lang], lang, n, directory{Ministries: []forum.Ministry{e.mins[0], other}}.Ministry)
			if !strings.Contains(got.Text, want) || !strings.Contains(got.Text, receipt) || !strings.Contains(got.Text, "주민등록 정정 절차") {
				t.Errorf("%s %s: %q, want %q with the receipt and title", tc.kind, lang, got.Text, want)
			}
			if wantLink := "/requests/" + receipt + tc.link; got.Link != wantLink && "="+got.Link != tc.link {
				t.Errorf("%s: link %q", tc.kind, got.Link)
			}
			if strings.Contains(got.Text, "note.") {
				t.Errorf("%s %s: a key shows: %q", tc.kind, lang, got.Text)
			}
		}
		// Its own mail, to the filer and to an official of another ministry.
		subject, body, err := e.srv.ComposeMail(ctx, store.Mail{UserID: filer.user().ID, Kind: tc.kind, Data: n.Data})
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(subject, "민원 "+receipt+" “주민등록 정정 절차”") {
			t.Errorf("%s: subject %q", tc.kind, subject)
		}
		link := "http://127.0.0.1/requests/" + receipt + tc.link + "\n"
		if strings.HasPrefix(tc.link, "=") {
			link = "http://127.0.0.1" + tc.link[1:] + "\n"
		}
		contains(t, tc.kind+" mail", body, tc.ko, link, "http://127.0.0.1/notifications#mail")
		subject, body, err = e.srv.ComposeMail(ctx, store.Mail{UserID: outsider.user().ID, Kind: tc.kind, Data: n.Data})
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(subject+body, "주민등록 정정 절차") || !strings.Contains(body, receipt) {
			t.Errorf("%s: mail to an official who may not read the request names it:\n%s\n%s", tc.kind, subject, body)
		}
	}
	// In a digest: each entry with its link, the kinds counted by name.
	digest := `{"count":2,"kinds":{"request_answered":1,"request_info":1},"items":[` +
		`{"kind":"request_answered","subject":"request:` + strconv.FormatInt(r.ID, 10) + `","count":1,"data":` + data + `}},` +
		`{"kind":"request_info","subject":"request:` + strconv.FormatInt(r.ID, 10) + `","count":1,"data":` + data + `}}]}`
	_, body, err := e.srv.ComposeMail(ctx, store.Mail{UserID: filer.user().ID, Kind: store.MailDigest, Data: []byte(digest)})
	if err != nil {
		t.Fatal(err)
	}
	contains(t, "digest", body, "· 민원 답변: 1", "· 민원 보완 요청: 1", "· 민원에 대한 답변이 등록되었습니다: "+receipt+" “주민등록 정정 절차”",
		"  http://127.0.0.1/requests/"+receipt+"\n")
	_, body, err = e.srv.ComposeMail(ctx, store.Mail{UserID: outsider.user().ID, Kind: store.MailDigest, Data: []byte(digest)})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(body, "주민등록 정정 절차") {
		t.Errorf("a digest to an official who may not read the request names it:\n%s", body)
	}
}

// A request, its title and its receipt number appear on no public page,
// feed, API or open-data file; the filer's notifications are theirs alone.
func TestRequestNotes_NeverPublic(t *testing.T) {
	e := newEnv(t)
	filer := e.register("비공개 민원인")
	title := "비밀스러운민원제목 연금 환급"
	r := e.fileRequestFor(filer, title)
	e.openProposal(e.register("제안자"), "공개 제안 하나", "본문") // so the public lists are not empty
	guest, citizen := e.client(), e.register("다른 시민")
	for _, path := range []string{"/", "/proposals", "/search?q=" + url.QueryEscape("연금 환급"), "/stats", "/open-data",
		"/feeds/proposals.atom", "/feeds/answers.atom", "/feeds/ministries/mohw.atom", "/ministries/mohw", "/moderation/log",
		"/api/v1/proposals", "/api/v1/search?q=" + url.QueryEscape("연금 환급"), "/api/v1/ministries/mohw", "/api/v1/moderation-log",
		"/open-data/proposals.csv", "/open-data/responses.ndjson", "/open-data/moderation-log.csv",
		"/users/" + strconv.FormatInt(filer.user().ID, 10)} {
		for who, c := range map[string]*client{"guest": guest, "another citizen": citizen} {
			res := c.get(path)
			if res.Status >= 500 {
				t.Errorf("%s %s: %d", who, path, res.Status)
			}
			for _, secret := range []string{"비밀스러운민원제목", r.Receipt()} {
				if strings.Contains(res.Body, secret) {
					t.Errorf("%s sees %q on %s", who, secret, path)
				}
			}
		}
	}
	if strings.Contains(citizen.get("/notifications").Body, "비밀스러운민원제목") {
		t.Error("another citizen's notifications name the request")
	}
	if !strings.Contains(filer.get("/notifications").Body, "비밀스러운민원제목") {
		t.Error("the filer's own notifications do not name it: the check above proves nothing")
	}
}

// The data download carries the filer's requests; deleting the account
// through its page erases them and their files; the privacy policy and the
// terms say so.
func TestPrivacy_RequestsDownloadAndDeletion(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	leaver := e.register("떠나는 민원인")
	att := []byte("%PDF-1.7 Kestrel private %%EOF")
	r, err := e.st.FileRequest(ctx, leaver.user(), store.NewRequest{Input: forum.RequestInput{Kind: forum.RequestGrievance,
		MinistryID: e.mins[0].ID, Title: "Kestrel 고충 민원", Body: "Kestrel 본문"}, Body: moderation.TrustedFromStore("<p>Kestrel 본문</p>"),
		Files: []store.NewAttachment{{Name: "Kestrel.pdf", Kind: "pdf", Data: att, SHA256: "kestrel0sha"}}})
	if err != nil {
		t.Fatal(err)
	}
	res := leaver.get("/account/data.zip")
	if res.Status != http.StatusOK {
		t.Fatalf("download: %d", res.Status)
	}
	files := unzip(t, res.Body)
	contains(t, "requests.json", files["requests.json"], `"title":"Kestrel 고충 민원"`, `"kind":"grievance"`)
	contains(t, "request_steps.json", files["request_steps.json"], `"kind":"filed"`)
	contains(t, "request_attachments.json", files["request_attachments.json"], `"name":"Kestrel.pdf"`)
	contains(t, "privacy policy", e.client().get("/privacy").Body, "민원: 내가 낸 민원의 종류", "민원의 제목과 내용, 첨부파일, 처리 기록과 답변의 글은 회원 탈퇴 또는 익명화 때 지우고")
	contains(t, "terms", e.client().get("/terms").Body, "민원은 공개 게시물이 아닙니다.")
	contains(t, "deletion page", leaver.get("/account/delete").Body, "내가 낸 민원의 제목과 내용, 첨부파일")

	if res := leaver.post("/account/delete", url.Values{"password": {"correct horse battery staple"}}); res.Status != http.StatusSeeOther {
		t.Fatalf("delete: %d %.300s", res.Status, res.Body)
	}
	if got, err := e.st.Request(ctx, r.ID); err != nil || got.Title != "" || got.Status != forum.RequestWithdrawn {
		t.Errorf("the request after its filer left: %+v, %v; want it kept for the figures, emptied and withdrawn", got, err)
	}
	rd := e.reader()
	for _, q := range []string{`SELECT count(*) FROM request_attachments WHERE name = 'Kestrel.pdf'`,
		`SELECT count(*) FROM attachment_blobs WHERE sha256 = 'kestrel0sha'`, `SELECT count(*) FROM requests WHERE title LIKE '%Kestrel%'`} {
		if n := rd.Value(q); n != "0" {
			t.Errorf("%s: %s", q, n)
		}
	}
}
