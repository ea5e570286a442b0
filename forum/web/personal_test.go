package web

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/e-people/e-people/forum"
	"github.com/e-people/e-people/moderation"
)

// TestPersonalData_HeldWithReason: a comment or proposal exposing a phone
// number, resident registration number, e-mail address or card number is
// stored held with the rule personal_data, kept from guests, logged with the
// public reason, and its author is told why; ordinary numbers are published.
func TestPersonalData_HeldWithReason(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	author := e.register("제안하는 시민")
	pid := e.openProposal(author, "공공자전거 대여소를 늘려 주십시오", "대여소가 부족합니다.")
	ppath := "/proposals/" + itoa(int(pid))
	writer := e.register("의견 쓰는 시민")
	guest := e.client()
	for _, tc := range []struct{ name, secret, body string }{
		{"phone", "010-9876-5432", "담당자에게 직접 전화해 보세요: 010-9876-5432"},
		{"RRN", "850515-2345679", "제 주민번호는 850515-2345679 입니다. 확인해 주세요."},
		{"e-mail", "kim.minsu@naver.com", "자료는 kim.minsu@naver.com 으로 보내 주세요"},
		{"card", "4111 1111 1111 1111", "후원 카드 4111 1111 1111 1111 로 결제했습니다"},
	} {
		n := len(modLog(t, e))
		r := writer.post(ppath+"/comments", url.Values{"stance": {"for"}, "body": {tc.body}})
		contains(t, tc.name+" flash", modFollow(t, writer, r).Body, "개인정보(전화번호, 이메일, 주민등록번호, 카드번호)로 보이는 내용이 있어")
		_, id, _ := strings.Cut(r.Header.Get("Location"), "#c")
		cm, err := e.st.Comment(ctx, atoi64(id))
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if cm.ModState != forum.ModHeld {
			t.Errorf("%s: comment %s, want held", tc.name, cm.ModState)
		}
		if it := modReview(t, e, forum.ItemComment, cm.ID); !slices.Equal(it.Rules, []string{moderation.RulePersonalData}) {
			t.Errorf("%s: rules %v", tc.name, it.Rules)
		}
		if rows := modNewActions(t, e, n); len(rows) != 1 || rows[0].Action != forum.ActHold || rows[0].ReasonCode != "personal_data" {
			t.Errorf("%s: log rows %+v", tc.name, rows)
		}
		if page := guest.get(ppath).Body; strings.Contains(page, tc.secret) {
			t.Errorf("%s: shown to guests", tc.name)
		}
	}
	contains(t, "public log", guest.get("/moderation/log").Body, "개인정보 노출")

	en := e.register("English citizen")
	en.lang = "en"
	r := en.post(ppath+"/comments", url.Values{"stance": {"for"}, "body": {"Call me on +82 10 2345 6789"}})
	contains(t, "English flash", modFollow(t, en, r).Body, "Your post seems to contain personal data")

	ordinary := "예산 1,000,000원을 2024-03-15부터 집행하고, 제10조 제2항과 법률 제12345호를 참고해 주십시오."
	cid := modComment(t, writer, pid, ordinary)
	if cm, _ := e.st.Comment(ctx, cid); cm.ModState != forum.ModVisible {
		t.Errorf("ordinary numbers: comment %s", cm.ModState)
	}

	r = writer.post("/proposals", url.Values{"title": {"연락처를 남깁니다"}, "body": {"제 연락처 02-123-4567로 문의 주세요."},
		"category": {itoa(int(e.cats[0].ID))}, "ministry": {itoa(int(e.mins[0].ID))}})
	contains(t, "proposal flash", modFollow(t, writer, r).Body, "개인정보(전화번호, 이메일, 주민등록번호, 카드번호)로 보이는 내용이 있어")
	held, err := e.st.Proposal(ctx, atoi64(strings.TrimPrefix(r.Header.Get("Location"), "/proposals/")))
	if err != nil || held.ModState != forum.ModHeld {
		t.Fatalf("proposal with a phone number: %v %+v", err, held)
	}
}

// TestScreen_PersonalData: the endpoint the form script asks before posting
// answers with the same rule, in the author's language, for members only.
func TestScreen_PersonalData(t *testing.T) {
	e := newEnv(t)
	c := e.register("미리 보는 시민")
	ask := func(c *client, form url.Values) (int, map[string]any) {
		form.Set("_csrf", c.csrf())
		r := c.do("POST", "/screen", form, "Accept", "application/json")
		var j map[string]any
		_ = json.Unmarshal([]byte(r.Body), &j)
		return r.Status, j
	}
	status, j := ask(c, url.Values{"body": {"번호 010-1234-5678 남깁니다"}})
	if status != http.StatusOK || j["personal_data"] != true || !strings.Contains(j["message"].(string), "개인정보로 보이는 내용이 있습니다") {
		t.Errorf("phone: %d %v", status, j)
	}
	if _, j := ask(c, url.Values{"title": {"주민번호 900101-1234568"}, "body": {"본문"}}); j["personal_data"] != true {
		t.Errorf("RRN in the title: %v", j)
	}
	if _, j := ask(c, url.Values{"body": {"예산 1,000,000원, 2024-03-15 시행"}}); j["personal_data"] != false {
		t.Errorf("ordinary numbers: %v", j)
	}
	if status := e.client().do("POST", "/screen", url.Values{"body": {"010-1234-5678"}}).Status; status < 300 || status == http.StatusOK {
		t.Errorf("guest: %d", status)
	}
}
