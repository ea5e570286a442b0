package web

import (
	"context"
	"encoding/json"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/e-people/e-people/forum"
	"github.com/e-people/e-people/forum/store"
	"github.com/e-people/e-people/moderation"
)

// ratedFixture is an answered proposal whose two supporters are signed in,
// with its author (who did not support it), a citizen who did not either,
// and the official who answered: two objections send the answer back.
type ratedFixture struct {
	*ansFixture
	id     int64
	s1, s2 *client
	author *client
	// unverified supports too, from an account whose e-mail is not
	// verified: its support does not count, nor may it rate.
	unverified *client
	proposal   string // its page's path
}

func newRatedFixture(t *testing.T) *ratedFixture {
	t.Helper()
	f := &ratedFixture{ansFixture: newAnsFixture(t)}
	ctx := context.Background()
	// Registered accounts may support (the administrators' choice), but their supports do not count.
	if err := f.e.st.SetSettings(ctx, map[string]string{forum.SettingAnswerObjections: "2", forum.SettingTierSupport: string(forum.TierRegistered)}); err != nil {
		t.Fatal(err)
	}
	f.s1, f.s2, f.author = f.e.register("평가하는 지지자"), f.e.register("이의하는 지지자"), f.e.register("제안자")
	p, err := f.e.st.CreateProposal(ctx, store.NewProposal{AuthorID: f.author.user().ID, SponsorToken: "tok-rating",
		Input: forum.ProposalInput{Title: "공공도서관 야간 개방", Body: "야간 개방 본문", CategoryID: f.e.cats[0].ID, MinistryID: f.mohw},
		Body:  moderation.TrustedFromStore("<p>야간 개방 본문</p>")}, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.unverified = f.e.registerUnverified("미인증 지지자")
	for _, c := range []*client{f.s1, f.s2, f.unverified} {
		if _, err := f.e.st.Support(ctx, p.ID, c.user().ID, nil); err != nil {
			t.Fatal(err)
		}
	}
	f.id, f.proposal = p.ID, ansPath(p.ID, "")
	if r := f.lead.post(ansPath(p.ID, "/response"), ansAnswerForm("not_accepted", "현재로서는 어렵습니다")); r.Status != 303 {
		t.Fatalf("answer: %d %.300s", r.Status, r.Body)
	}
	return f
}

// ratings is what the store holds of the proposal's ratings, as one string.
func (f *ratedFixture) ratings() string {
	f.e.t.Helper()
	return f.e.count(`SELECT count(*) || '/' || COALESCE(sum(rating), 0) || '/' || COALESCE(sum(objects), 0) FROM answer_ratings WHERE proposal_id = ?`, f.id)
}

// TestAnswerRatings_RoleMatrix rates and objects as every kind of visitor:
// only a supporter gets through; everyone else gets a 4xx that says why, in
// their language, and changes nothing.
func TestAnswerRatings_RoleMatrix(t *testing.T) {
	f := newRatedFixture(t)
	rate := ansPath(f.id, "/answer-rating")
	object := ansPath(f.id, "/answer-objection")
	unverified := f.unverified
	guest := f.e.client()
	page := guest.get(f.proposal)
	contains(t, "guest's page", page.Body, `id="answer-rating"`, "아직 지지자 평가가 없습니다.", "이의 0명 / 기준 2명", "로그인하여 답변을 평가")
	notContains(t, "guest's page", page.Body, `action="`+rate+`"`)
	for _, tc := range []struct {
		who    string
		c      *client
		status int
		lang   string
		want   string
	}{
		{"guest", guest, 401, "", ""},
		{"citizen who did not support", f.citizen, 403, "ko", "이 제안을 지지한 사람만 답변을 평가하거나 이의를 제기할 수 있습니다."},
		{"author who did not support", f.author, 403, "en", "Only the proposal&#39;s supporters may rate its answer or object to it."},
		{"answering official", f.lead, 403, "zh", "答覆部會的公務員不得評價自己部會的答覆。"},
		{"moderator", f.moderator, 403, "ko", "이 제안을 지지한 사람만"},
		{"supporter whose e-mail is not verified", unverified, 403, "ko", "이메일 인증을 마친 지지자만"},
	} {
		tc.c.lang = tc.lang
		for _, path := range []string{rate, object} {
			r := tc.c.post(path, url.Values{"rating": {"1"}, "reason": {"이의"}})
			if r.Status != tc.status {
				t.Errorf("%s POST %s: %d, want %d", tc.who, path, r.Status, tc.status)
			}
			if tc.want != "" {
				contains(t, tc.who, r.Body, tc.want)
			}
		}
		if got := f.ratings(); got != "0/0/0" {
			t.Fatalf("%s left ratings %s", tc.who, got)
		}
		tc.c.lang = ""
	}
	contains(t, "a non-supporter's page", f.citizen.get(f.proposal).Body, "이 제안을 지지한 사람만 답변을 평가할 수 있습니다.")
	contains(t, "the official's page", f.lead.get(f.proposal).Body, "답변한 부처의 공무원은 이 답변을 평가하지 않습니다.")
	contains(t, "an unverified supporter's page", unverified.get(f.proposal).Body, "이메일을 인증하면 답변을 평가할 수 있습니다.")

	// A supporter: the forms, then bad input in each language, then a rating.
	own := f.s1.get(f.proposal)
	contains(t, "supporter's page", own.Body, `action="`+rate+`"`, "이 답변에 얼마나 만족하십니까?", "답변을 평가하면 이의도 제기할 수 있습니다.")
	notContains(t, "supporter's page before rating", own.Body, `action="`+object+`"`)
	for lang, want := range map[string]string{"ko": "만족도를 다섯 가지 중 하나로 골라 주세요.", "en": "Choose one of the five ratings.", "zh": "請從五個選項中選擇滿意度。"} {
		f.s1.lang = lang
		r := f.s1.post(rate, url.Values{"rating": {"6"}, "comment": {"남긴 말"}})
		if r.Status != 422 {
			t.Errorf("rating 6 in %s: %d", lang, r.Status)
		}
		contains(t, "rating 6 in "+lang, r.Body, want, "남긴 말")
	}
	f.s1.lang = "ko"
	r := f.s1.post(object, url.Values{"reason": {"평가 전 이의"}})
	if r.Status != 409 {
		t.Errorf("objection before rating: %d", r.Status)
	}
	contains(t, "objection before rating", r.Body, "먼저 답변을 평가한 뒤에 이의를 제기할 수 있습니다.")
	if got := f.ratings(); got != "0/0/0" {
		t.Fatalf("refused input left ratings %s", got)
	}
	if r := f.s1.post(rate, url.Values{"rating": {"4"}, "comment": {"빨리 답해 주셔서 고맙습니다"}}); r.Status != 303 || r.Header.Get("Location") != ansPath(f.id, "#answer-rating") {
		t.Fatalf("supporter's rating: %d → %q", r.Status, r.Header.Get("Location"))
	}
	own = f.s1.get(f.proposal)
	contains(t, "after rating", own.Body, "지지자 평가 4.0 / 5 · 1명", "답변 평가를 저장했습니다.", `action="`+object+`"`, "매우 만족")
	for lang, want := range map[string]string{"ko": "이의를 제기하는 이유를 적어 주세요.", "en": "Give the reasons for your objection.", "zh": "請填寫提出異議的理由。"} {
		f.s1.lang = lang
		r := f.s1.post(object, url.Values{"reason": {"  "}})
		if r.Status != 422 {
			t.Errorf("empty reason in %s: %d", lang, r.Status)
		}
		contains(t, "empty reason in "+lang, r.Body, want)
	}
	f.s1.lang = ""
	if r := f.s1.post(object, url.Values{"reason": {strings.Repeat("가", forum.AnswerObjectionMax+1)}}); r.Status != 422 {
		t.Errorf("too long a reason: %d", r.Status)
	}
	if got := f.ratings(); got != "1/4/0" {
		t.Fatalf("after one rating and refused objections: %s", got)
	}
	// The guest sees the aggregate, never who rated or what they wrote.
	contains(t, "guest after a rating", guest.get(f.proposal).Body, "지지자 평가 4.0 / 5 · 1명")
	notContains(t, "guest after a rating", guest.get(f.proposal).Body, "빨리 답해 주셔서")
}

// TestAnswerRatings_ObjectionsSendTheAnswerBack has two supporters object:
// the second objection sends the proposal back, the page, the timeline, the
// notifications and the public moderation log say so, the API and the
// open data show aggregates only, and the second answer links to the first.
func TestAnswerRatings_ObjectionsSendTheAnswerBack(t *testing.T) {
	f := newRatedFixture(t)
	rate := ansPath(f.id, "/answer-rating")
	object := ansPath(f.id, "/answer-objection")
	for i, c := range []*client{f.s1, f.s2} {
		if r := c.post(rate, url.Values{"rating": {itoa(1 + i)}, "comment": {"비공개 의견 " + itoa(i)}}); r.Status != 303 {
			t.Fatalf("rating %d: %d", i, r.Status)
		}
	}
	if r := f.s1.post(object, url.Values{"reason": {"비공개 이유 하나"}}); r.Status != 303 {
		t.Fatalf("first objection: %d %.300s", r.Status, r.Body)
	}
	contains(t, "after one objection", f.s1.get(f.proposal).Body, "이의를 접수했습니다.", "이의 1명 / 기준 2명", "이의를 제기함")
	if r := f.s1.post(object, url.Values{"reason": {"또"}}); r.Status != 409 {
		t.Errorf("second objection by the same supporter: %d", r.Status)
	}
	f.e.clock.Add(time.Hour)
	r := f.s2.post(object, url.Values{"reason": {"비공개 이유 둘"}})
	if r.Status != 303 {
		t.Fatalf("crossing objection: %d", r.Status)
	}
	page := f.s2.get(f.proposal).Body
	contains(t, "returned page", page, "이의가 기준에 이르러", "지지자 2명의 이의로 이 제안은 부처에 돌아갔습니다.", "새 답변 기한:",
		"지지자들의 이의로 부처에 돌아감", "현재로서는 어렵습니다", "제안은 한 번만 부처에 돌아갑니다.")
	notContains(t, "returned page", page, `action="`+object+`"`, `action="`+rate+`"`, "비공개 이유", "비공개 의견")
	// The ministry that answers again reads the reasons, without names.
	official := f.lead.get(f.proposal).Body
	contains(t, "the official's page", official, "지지자가 남긴 의견과 이의 이유 2건", "비공개 의견 0", "비공개 이유 하나", "비공개 이유 둘")
	notContains(t, "the official's page", official, f.s1.user().Name)
	p, err := f.e.st.Proposal(context.Background(), f.id)
	if err != nil || p.Status != forum.StatusAwaiting || p.AnswerRound != 2 {
		t.Fatalf("returned proposal: %+v, %v", p, err)
	}
	if n := f.e.count(`SELECT count(*) FROM notifications WHERE kind = ? AND user_id IN (?, ?, ?)`, forum.NoteAnswerReturned,
		f.s1.user().ID, f.s2.user().ID, f.lead.user().ID); n != "3" {
		t.Errorf("told of the return: %s of 3", n)
	}
	contains(t, "supporter's notifications", f.s1.get("/notifications").Body, "지지자 2명의 이의로 답변이 부처에 돌아갔습니다.")
	f.lead.lang = "en"
	contains(t, "official's notifications", f.lead.get("/notifications").Body, "2 supporters objected, and the answer went back to the ministry.")
	f.lead.lang = ""
	contains(t, "public moderation log", f.e.client().get("/moderation/log").Body, "지지자 이의로 답변 반려")

	// Aggregates only in the API and the open data.
	api := f.e.client().get("/api/v1/proposals/" + itoa(int(f.id)) + "/answer-ratings")
	var got apiAnswerRatings
	if err := json.Unmarshal([]byte(api.Body), &got); err != nil || api.Status != 200 {
		t.Fatalf("API: %d %v %.300s", api.Status, err, api.Body)
	}
	if got.Round != 2 || got.Status != "awaiting_response" || got.ReturnedAt == nil || got.ObjectionsNeeded != 2 || len(got.Rounds) != 2 ||
		got.Rounds[0].Ratings != 2 || got.Rounds[0].Average == nil || *got.Rounds[0].Average != 1.5 || got.Rounds[0].Objections != 2 ||
		got.Rounds[1].AnsweredAt != nil || got.Rounds[1].Ratings != 0 {
		t.Errorf("API = %s", api.Body)
	}
	csv := f.e.client().get("/open-data/answer-ratings.csv")
	contains(t, "open data", csv.Body, "proposal_id,url,ministry,round,ratings,average,objections", ","+itoa(1)+",2,1.5,2")
	for _, body := range []string{api.Body, csv.Body, f.e.client().get("/open-data/answer-ratings.ndjson").Body} {
		notContains(t, "published aggregates", body, "비공개", f.s1.user().Name, `"user`)
	}

	// The second answer: round 2 of the revisions, linked to the first, rated but not objected to.
	if r := f.lead.post(ansPath(f.id, "/response"), ansAnswerForm("partially_accepted", "두 번째 검토: 일부 수용")); r.Status != 303 {
		t.Fatalf("second answer: %d %.300s", r.Status, r.Body)
	}
	if got := f.e.count(`SELECT count(*) || ':' || sum(CASE WHEN number = round THEN 1 ELSE 0 END) FROM response_revisions WHERE proposal_id = ?`, f.id); got != "2:2" {
		t.Errorf("revisions:of them numbered as their round = %s, want 2:2 (version 1 in round 1, version 2 in round 2)", got)
	}
	page = f.s1.get(f.proposal).Body
	contains(t, "second answer", page, "두 번째 검토: 일부 수용", "이 답변은 지지자들의 이의에 따른 두 번째 답변입니다.",
		`href="/proposals/`+itoa(int(f.id))+`/response/history#v1"`, "1차 답변", "2차 답변", "지지자 평가 1.5 / 5 · 2명", `action="`+rate+`"`)
	notContains(t, "second answer", page, `action="`+object+`"`)
	if r := f.s1.post(rate, url.Values{"rating": {"5"}}); r.Status != 303 {
		t.Errorf("round 2 rating: %d", r.Status)
	}
	f.s1.lang = "en"
	if r := f.s1.post(object, url.Values{"reason": {"again"}}); r.Status != 409 || !strings.Contains(r.Body, "A second answer takes no objections, only ratings.") {
		t.Errorf("round 2 objection: %d", r.Status)
	}
	if got := f.e.count(`SELECT round || ':' || count(*) || ':' || sum(rating) FROM answer_ratings WHERE proposal_id = ? GROUP BY round ORDER BY round DESC LIMIT 1`, f.id); got != "2:1:5" {
		t.Errorf("round 2 ratings = %s", got)
	}
	// The scorecards count every round's ratings of the ministry's answers.
	contains(t, "ministries", f.e.client().get("/ministries").Body, "2.7 / 5 (3명)")
	contains(t, "stats", f.e.client().get("/stats").Body, "지지자의 답변 평가", "2.7 / 5 (3명)")
	var ms struct {
		Items []apiMinistry `json:"items"`
	}
	if err := json.Unmarshal([]byte(f.e.client().get("/api/v1/ministries").Body), &ms); err != nil {
		t.Fatal(err)
	}
	for _, m := range ms.Items {
		if m.Slug == f.e.mins[0].Slug && (m.Scorecard.AnswerRatings != 3 || m.Scorecard.AnswerSatisfaction == nil || *m.Scorecard.AnswerSatisfaction != 2.67) {
			t.Errorf("API scorecard = %+v", m.Scorecard)
		}
	}
}

// TestHTMLChecker_AnswerRating runs the Nu Html Checker over the feedback
// block in each of its states: a supporter's forms, the page of a form come
// back with errors, the ministry's view with the notes, and round 2.
func TestHTMLChecker_AnswerRating(t *testing.T) {
	if _, err := os.Stat(vnuPath); err != nil {
		t.Skipf("vnu.jar not found at %s", vnuPath)
	}
	java, err := exec.LookPath("java")
	if err != nil {
		t.Skip("java not found")
	}
	f := newRatedFixture(t)
	rate, object := ansPath(f.id, "/answer-rating"), ansPath(f.id, "/answer-objection")
	pages := map[string]string{"rating-form": f.s1.get(f.proposal).Body}
	pages["rating-error"] = f.s1.post(rate, url.Values{"comment": {"선택 없음"}}).Body
	f.s1.post(rate, url.Values{"rating": {"2"}, "comment": {"짧은 의견"}})
	pages["objection-form"] = f.s1.get(f.proposal).Body
	pages["objection-error"] = f.s1.post(object, url.Values{"reason": {""}}).Body
	f.s1.post(object, url.Values{"reason": {"이유 하나"}})
	f.s2.post(rate, url.Values{"rating": {"1"}})
	f.s2.post(object, url.Values{"reason": {"이유 둘"}})
	pages["returned-official"] = f.lead.get(f.proposal).Body
	pages["returned-page"] = f.e.client().get(rate).Body
	f.lead.post(ansPath(f.id, "/response"), ansAnswerForm("accepted", "두 번째 답변"))
	pages["second-answer"] = f.s1.get(f.proposal).Body
	for name, body := range pages {
		if !strings.Contains(body, `id="answer-rating"`) {
			t.Errorf("%s: no feedback block", name)
		}
		for _, s := range headingSkips(body) {
			t.Errorf("%s: heading skips a level: %s", name, s)
		}
	}
	checkHTML(t, java, pages)
}
