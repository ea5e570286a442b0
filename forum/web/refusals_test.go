package web

import (
	"context"
	"encoding/json"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/e-people/e-people/forum"
)

// TestRefusals_SayWhy walks the refusals a citizen or an official meets and
// checks that each says why, in the language asked for: the JSON error has
// a message for people, never empty, never a key, never the generic title;
// an HTML refusal says it on the page; and a form refused for a field is the
// same form again, the error beside the field and what was typed kept.
func TestRefusals_SayWhy(t *testing.T) {
	f := newAnsFixture(t)
	e := f.e
	ctx := context.Background()
	author := e.register("의견 쓴 시민")
	other := e.register("다른 시민")
	pid := e.openProposal(author, "거절 사유 시험 제안", "본문입니다.")
	r := author.post("/proposals/"+itoa(int(pid))+"/comments", url.Values{"stance": {"for"}, "body": {"내가 쓴 의견입니다"}})
	_, cid, _ := strings.Cut(r.Header.Get("Location"), "#c")
	if cid == "" {
		t.Fatalf("comment: %d %s", r.Status, r.Header.Get("Location"))
	}
	gathering := author.propose("공동 발의를 모으는 제안", "본문입니다.")
	g, err := e.st.Proposal(ctx, gathering)
	if err != nil {
		t.Fatal(err)
	}
	sponsorPath := "/proposals/" + itoa(int(gathering)) + "/sponsor/" + g.SponsorToken
	awaiting := f.awaiting("이관 사유 시험")
	transfer := "/proposals/" + itoa(int(awaiting)) + "/transfer"

	for _, tc := range []struct {
		name   string
		who    *client
		path   string
		form   url.Values
		status int
		code   string            // of the JSON error
		why    map[string]string // by language: what the message says
	}{
		{"voting on one's own comment", author, "/comments/" + cid + "/vote", url.Values{"value": {"1"}}, 403, "vote_own",
			map[string]string{"ko": "내가 쓴 의견에는 공감하거나 비공감할 수 없습니다.", "en": "You cannot vote on your own comment."}},
		{"editing someone else's comment", other, "/comments/" + cid + "/edit", url.Values{"body": {"남의 의견을 고칩니다"}}, 403, "not_your_comment",
			map[string]string{"ko": "다른 사람이 쓴 의견입니다.", "en": "This is someone else's comment."}},
		{"deleting someone else's comment", other, "/comments/" + cid + "/delete", url.Values{}, 403, "not_your_comment",
			map[string]string{"ko": "자신이 쓴 의견만 고치거나 지울 수 있습니다.", "en": "You can only edit or delete your own."}},
		{"co-sponsoring one's own proposal", author, sponsorPath, url.Values{}, 403, "sponsor_own",
			map[string]string{"ko": "내가 쓴 제안에는 공동 발의할 수 없습니다.", "en": "You cannot co-sponsor your own proposal."}},
		{"reporting one's own comment", author, "/reports", url.Values{"kind": {"comment"}, "id": {cid}, "reason": {"spam"}}, 403, "report_own",
			map[string]string{"ko": "내가 쓴 글이나 내 계정은 신고할 수 없습니다.", "en": "You cannot report your own post or account."}},
		{"a citizen opening the moderation queue's bulk form", other, "/moderation/bulk", url.Values{"decision": {"ignore"}}, 403, "staff_only",
			map[string]string{"ko": "운영자와 관리자만 쓸 수 있는 기능입니다.", "en": "Only moderators and administrators may use this."}},
		{"another ministry's official transferring", f.outsider, transfer, url.Values{"ministry": {itoa(int(f.molit))}, "reason": {"우리 소관이 아닙니다"}}, 403, "not_lead_ministry",
			map[string]string{"ko": "주관 부처의 공무원만", "en": "Only officials of the lead ministry"}},
		{"a transfer without a reason", f.lead, transfer, url.Values{"ministry": {itoa(int(f.moe))}, "reason": {"  "}}, 400, "transfer_reason",
			map[string]string{"ko": "이관 사유를 적어 주십시오.", "en": "transfer"}},
	} {
		for _, lang := range []string{"ko", "en"} {
			t.Run(tc.name+"/"+lang+"/json", func(t *testing.T) {
				tc.who.lang = lang
				defer func() { tc.who.lang = "" }()
				form := url.Values{"_csrf": {tc.who.csrf()}}
				for k, v := range tc.form {
					form[k] = v
				}
				r := tc.who.do("POST", tc.path, form, "Accept", "application/json")
				if r.Status != tc.status {
					t.Fatalf("status %d, want %d: %.300s", r.Status, tc.status, r.Body)
				}
				var body struct {
					Error struct{ Code, Message string }
				}
				if err := json.Unmarshal([]byte(r.Body), &body); err != nil {
					t.Fatalf("not JSON: %v: %.300s", err, r.Body)
				}
				if body.Error.Code != tc.code {
					t.Errorf("code %q, want %q", body.Error.Code, tc.code)
				}
				title := e.srv.views.catalogs[lang].T("error.title." + itoa(tc.status))
				if m := body.Error.Message; m == "" || m == title || strings.Contains(m, "err.") || !strings.Contains(strings.ToLower(m), strings.ToLower(tc.why[lang])) {
					t.Errorf("message %q: want one that says %q", m, tc.why[lang])
				}
			})
			t.Run(tc.name+"/"+lang+"/page", func(t *testing.T) {
				tc.who.lang = lang
				defer func() { tc.who.lang = "" }()
				r := tc.who.post(tc.path, cloneValues(tc.form))
				if r.Status != tc.status {
					t.Fatalf("status %d, want %d: %.300s", r.Status, tc.status, r.Body)
				}
				if !strings.Contains(strings.ToLower(r.Body), strings.ToLower(html.EscapeString(tc.why[lang]))) {
					t.Errorf("the page does not say why (%q)", tc.why[lang])
				}
			})
		}
	}

	// The refused co-sponsoring is the sponsor page itself, with the reason.
	author.lang = "ko"
	r = author.post(sponsorPath, nil)
	contains(t, "refused co-sponsoring", r.Body, `id="sponsor-title"`, "공동 발의자 모집 현황", "내가 쓴 제안에는 공동 발의할 수 없습니다.")
	// The refused transfer is the proposal page with its transfer form: the
	// error beside the reason field, the chosen ministry and the typed text kept.
	r = f.lead.post(transfer, url.Values{"ministry": {itoa(int(f.moe))}, "reason": {"  "}})
	contains(t, "refused transfer", r.Body, `id="f-transfer-reason-error">이관 사유를 적어 주십시오. 사유는 공개됩니다.</p>`,
		`<option value="`+itoa(int(f.moe))+`" selected>`, `aria-invalid="true"`, "이관 사유 시험")
	// A co-answering ministry that does not exist: the error beside that form's own field.
	r = f.lead.post("/proposals/"+itoa(int(awaiting))+"/co-ministries", url.Values{"ministry": {"99999"}})
	if r.Status != http.StatusBadRequest {
		t.Errorf("co-answering ministry that does not exist: %d, want 400", r.Status)
	}
	contains(t, "refused co-answering ministry", r.Body, `id="f-co-error">담당 부처를 선택해 주십시오.</p>`)
	if strings.Contains(r.Body, `id="f-transfer-to-error"`) {
		t.Errorf("the co-answering form's error shows on the transfer form too")
	}
	if p, err := e.st.Proposal(ctx, awaiting); err != nil || p.MinistryID != f.mohw {
		t.Errorf("a refused transfer moved the proposal: %v %v", p.MinistryID, err)
	}
	// A refusal of one's own vote leaves nothing written.
	if cm, err := e.st.Comment(ctx, atoi64(cid)); err != nil || cm.Up != 0 || cm.Down != 0 {
		t.Errorf("a refused vote was counted: %+v %v", cm, err)
	}
}

// TestRefusals_EveryStatusSaysSomething: a refusal that brings no reason of
// its own still gets a sentence for its status in the user's language, in
// JSON and on the page.
func TestRefusals_EveryStatusSaysSomething(t *testing.T) {
	e := newEnv(t)
	guest := e.client()
	for _, lang := range []string{"ko", "en", "zh"} {
		guest.lang = lang
		cat := e.srv.views.catalogs[lang]
		for _, tc := range []struct {
			path, key string
			status    int
		}{
			{"/proposals/99999", "err.not_found", 404},
			{"/no-such-page", "err.not_found", 404},
		} {
			r := guest.do("GET", tc.path, nil, "Accept", "application/json")
			if r.Status != tc.status || !strings.Contains(r.Body, `"message":"`+cat.T(tc.key)+`"`) {
				t.Errorf("%s %s: %d %.300s, want %d with %q", lang, tc.path, r.Status, r.Body, tc.status, cat.T(tc.key))
			}
			if r := guest.get(tc.path); r.Status != tc.status || !strings.Contains(r.Body, cat.T(tc.key)) {
				t.Errorf("%s %s page: %d, want %d saying %q", lang, tc.path, r.Status, tc.status, cat.T(tc.key))
			}
		}
	}
}

// TestSetup_UsedLinkIsGone: the setup link shows the form until it is used;
// afterwards, and for a link a later start replaced, the page says the link
// was used (410) and offers the sign-in page instead of the form, and
// posting the form again changes nothing.
func TestSetup_UsedLinkIsGone(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	if err := e.st.SetSetupToken(ctx, forum.TokenHash("old-token")); err != nil {
		t.Fatal(err)
	}
	if err := e.st.SetSetupToken(ctx, forum.TokenHash("first-token")); err != nil { // a restart replaced the old one
		t.Fatal(err)
	}
	c := e.client()
	if r := c.get("/setup/first-token"); r.Status != http.StatusOK || !strings.Contains(r.Body, `action="/setup/first-token"`) {
		t.Fatalf("a fresh setup link: %d, want the form", r.Status)
	}
	form := url.Values{"name": {"첫 관리자"}, "email": {"admin@example.org"}, "password": {"correct horse battery staple"}, "consent": {"1"}}
	if r := c.post("/setup/first-token", cloneValues(form)); r.Status != http.StatusSeeOther {
		t.Fatalf("setup: %d %.300s", r.Status, r.Body)
	}
	for _, tc := range []struct{ lang, token, want string }{
		{"ko", "first-token", "이미 사용된 설정 주소입니다"},
		{"en", "first-token", "This setup link has already been used"},
		{"zh", "old-token", "此設定網址已被使用"},
	} {
		g := e.client()
		g.lang = tc.lang
		r := g.get("/setup/" + tc.token)
		if r.Status != http.StatusGone {
			t.Errorf("%s %s: status %d, want 410", tc.lang, tc.token, r.Status)
		}
		contains(t, "used setup link", r.Body, tc.want, `href="/login"`)
		if strings.Contains(r.Body, `action="/setup/`) || strings.Contains(r.Body, `name="password"`) {
			t.Errorf("%s %s: the used link still shows the form", tc.lang, tc.token)
		}
		form2 := cloneValues(form)
		form2.Set("email", "second-"+tc.lang+"@example.org")
		if r := g.post("/setup/"+tc.token, form2); r.Status != http.StatusGone || !strings.Contains(r.Body, tc.want) {
			t.Errorf("%s: posting a used link: %d, want 410 with %q", tc.lang, r.Status, tc.want)
		}
	}
	if n, err := e.st.CountUsers(ctx, forum.RoleAdmin); err != nil || n != 1 {
		t.Errorf("administrators: %d %v, want 1", n, err)
	}
}

// cloneValues copies a form, so each request signs its own.
func cloneValues(v url.Values) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}
