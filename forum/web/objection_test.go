package web

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"os/exec"
	"strings"
	"testing"

	"github.com/e-people/e-people/forum"
)

// objectionFixture is an open proposal and the comment ids of its debate.
type objectionFixture struct {
	e      *env
	id     int64
	path   string
	critic *client
}

func newObjectionFixture(t *testing.T) *objectionFixture {
	t.Helper()
	e := newEnv(t)
	author := e.register("제안자")
	id := e.openProposal(author, "공공도서관 야간 개방", "평일 밤 열 시까지 공공도서관을 열어 주세요.")
	return &objectionFixture{e: e, id: id, path: "/proposals/" + itoa(int(id)), critic: e.register("비판하는 시민")}
}

// comment posts a comment by c with stance and returns its id.
func (f *objectionFixture) comment(t *testing.T, c *client, stance, body string) int64 {
	t.Helper()
	if r := c.post(f.path+"/comments", url.Values{"stance": {stance}, "body": {body}}); r.Status != http.StatusSeeOther {
		t.Fatalf("comment: %d %.300s", r.Status, r.Body)
	}
	cs, err := f.e.st.Comments(context.Background(), forum.ProposalSubject(f.id))
	if err != nil {
		t.Fatal(err)
	}
	for _, cm := range cs {
		if strings.Contains(cm.BodySrc, body) {
			return cm.ID
		}
	}
	t.Fatalf("comment %q not found", body)
	return 0
}

// vote has n new citizens vote comment id up.
func (f *objectionFixture) vote(t *testing.T, id int64, n int) {
	t.Helper()
	for i := 0; i < n; i++ {
		if r := f.e.register("추천 "+itoa(i)).post("/comments/"+itoa(int(id))+"/vote", url.Values{"value": {"1"}}); r.Status != http.StatusSeeOther {
			t.Fatalf("vote: %d %.300s", r.Status, r.Body)
		}
	}
}

// supported reports whether c supports the proposal, and with saw_objection.
func (f *objectionFixture) supported(t *testing.T, c *client) (bool, int) {
	t.Helper()
	v := f.e.reader().Value(`SELECT COALESCE(max(saw_objection), -1) FROM supports WHERE proposal_id = ? AND user_id = ?`, f.id, c.user().ID)
	return v != "-1", int(atoi64(v))
}

// TestObjection_SupportStep: without an argument against, a support is
// recorded at once; with one, the support form leads to the confirmation
// page and records nothing; the confirmation with the arguments shown
// records it with saw_objection = 1; stale ids show the page again; guests
// are sent to sign in; the count is public on the page, in the API and in
// the open data.
func TestObjection_SupportStep(t *testing.T) {
	f := newObjectionFixture(t)
	confirm := f.path + "/support"

	// No argument against yet: recorded directly, as before.
	early := f.e.register("일찍 온 지지자")
	if r := early.post(confirm, nil); r.Status != http.StatusSeeOther || r.Header.Get("Location") != f.path+"#support" {
		t.Fatalf("support without objection: %d to %q", r.Status, r.Header.Get("Location"))
	}
	if ok, saw := f.supported(t, early); !ok || saw != 0 {
		t.Errorf("support without objection: recorded %v, saw_objection %d; want true, 0", ok, saw)
	}
	forID := f.comment(t, f.critic, "for", "야간 개방은 직장인에게 꼭 필요합니다.")
	firstAgainst := f.comment(t, f.critic, "against", "야간 인건비가 도서 구입 예산을 줄입니다.")

	// Guests are sent to sign in, for the page and the form.
	guest := f.e.client()
	if r := guest.get(confirm); r.Status != http.StatusSeeOther || !strings.HasPrefix(r.Header.Get("Location"), "/login?next=") {
		t.Errorf("guest GET %s: %d to %q, want the sign-in page", confirm, r.Status, r.Header.Get("Location"))
	}
	if r := guest.post(confirm, nil); r.Status != http.StatusUnauthorized {
		t.Errorf("guest POST %s: %d, want 401", confirm, r.Status)
	}

	// With an argument against: the form without seen is sent to the confirmation page; nothing recorded.
	citizen := f.e.register("읽는 시민")
	page := citizen.get(f.path)
	contains(t, "proposal page", page.Body, `data-objection-dialog="objection-dialog"`, `<dialog id="objection-dialog"`,
		"야간 인건비가 도서 구입 예산을 줄입니다.", "야간 개방은 직장인에게 꼭 필요합니다.", `/comments/`+itoa(int(firstAgainst)),
		`name="against" value="`+itoa(int(firstAgainst))+`"`, `name="for" value="`+itoa(int(forID))+`"`, "objection.js", "읽었습니다. 지지합니다")
	if r := citizen.post(confirm, nil); r.Status != http.StatusSeeOther || r.Header.Get("Location") != confirm {
		t.Fatalf("support with an objection, unseen: %d to %q, want 303 to %s", r.Status, r.Header.Get("Location"), confirm)
	}
	if ok, _ := f.supported(t, citizen); ok {
		t.Fatal("a support was recorded before the objection was shown")
	}
	r := citizen.get(confirm)
	if r.Status != http.StatusOK {
		t.Fatalf("GET %s: %d", confirm, r.Status)
	}
	contains(t, "confirmation page", r.Body, "지지하기 전에 반대 의견을 읽어 주세요", "가장 강한 반대 의견", "가장 강한 찬성 의견",
		"야간 인건비가 도서 구입 예산을 줄입니다.", "야간 개방은 직장인에게 꼭 필요합니다.", "비판하는 시민",
		`href="/comments/`+itoa(int(firstAgainst))+`"`, `name="seen" value="1"`, `name="against" value="`+itoa(int(firstAgainst))+`"`,
		`href="`+f.path+`#support"`)
	if strings.Contains(r.Body, "<dialog") {
		t.Error("the confirmation page carries the dialog too")
	}

	// A stronger argument against appears while the citizen reads: the old ids are stale.
	stronger := f.comment(t, f.critic, "against", "밤에는 이용자가 적어 효과가 작습니다.")
	f.vote(t, stronger, 2)
	stale := url.Values{"seen": {"1"}, "against": {itoa(int(firstAgainst))}, "for": {itoa(int(forID))}}
	if r := citizen.post(confirm, stale); r.Status != http.StatusSeeOther || r.Header.Get("Location") != confirm+"?changed=1" {
		t.Fatalf("stale confirmation: %d to %q, want 303 to %s?changed=1", r.Status, r.Header.Get("Location"), confirm)
	}
	if ok, _ := f.supported(t, citizen); ok {
		t.Fatal("a support was recorded on stale arguments")
	}
	r = citizen.get(confirm + "?changed=1")
	contains(t, "confirmation page again", r.Body, "가장 강한 의견이 바뀌었습니다", "밤에는 이용자가 적어 효과가 작습니다.",
		`name="against" value="`+itoa(int(stronger))+`"`)

	// Confirmed on the arguments as they are: recorded, marked.
	fresh := url.Values{"seen": {"1"}, "against": {itoa(int(stronger))}, "for": {itoa(int(forID))}}
	if r := citizen.post(confirm, fresh); r.Status != http.StatusSeeOther || r.Header.Get("Location") != f.path+"#support" {
		t.Fatalf("confirmed support: %d to %q", r.Status, r.Header.Get("Location"))
	}
	if ok, saw := f.supported(t, citizen); !ok || saw != 1 {
		t.Errorf("confirmed support: recorded %v, saw_objection %d; want true, 1", ok, saw)
	}
	// Already a supporter: nothing to confirm.
	if r := citizen.get(confirm); r.Status != http.StatusSeeOther || r.Header.Get("Location") != f.path+"#support" {
		t.Errorf("GET %s as a supporter: %d to %q", confirm, r.Status, r.Header.Get("Location"))
	}
	if r := citizen.post(confirm, nil); r.Status != http.StatusSeeOther || r.Header.Get("Location") != f.path+"#support" {
		t.Errorf("second support: %d to %q, want the proposal", r.Status, r.Header.Get("Location"))
	}

	// The figure is public: the page (as a guest), the API, the open data.
	contains(t, "guest's proposal page", f.e.client().get(f.path).Body, "이 중 1명은 반대 의견을 먼저 읽고 지지했습니다.")
	var one struct {
		Supports               int `json:"supports"`
		SupportsAfterObjection int `json:"supports_after_objection"`
	}
	if err := json.Unmarshal([]byte(f.e.client().get("/api/v1/proposals/"+itoa(int(f.id))).Body), &one); err != nil {
		t.Fatal(err)
	}
	if one.Supports != 2 || one.SupportsAfterObjection != 1 {
		t.Errorf("API proposal: supports %d, after objection %d; want 2, 1", one.Supports, one.SupportsAfterObjection)
	}
	var list struct {
		Items []struct {
			ID                     int64 `json:"id"`
			SupportsAfterObjection int   `json:"supports_after_objection"`
		} `json:"items"`
	}
	if err := json.Unmarshal([]byte(f.e.client().get("/api/v1/proposals").Body), &list); err != nil {
		t.Fatal(err)
	}
	if len(list.Items) != 1 || list.Items[0].ID != f.id || list.Items[0].SupportsAfterObjection != 1 {
		t.Errorf("API list: %+v, want proposal %d with 1 after objection", list.Items, f.id)
	}
	csv := f.e.client().get("/open-data/proposals.csv").Body
	lines := strings.Split(strings.TrimSpace(csv), "\n")
	if len(lines) != 2 || !strings.HasSuffix(strings.TrimSpace(lines[0]), ",supports_after_objection") || !strings.HasSuffix(strings.TrimSpace(lines[1]), ",1") {
		t.Errorf("proposals.csv = %q, want a last column supports_after_objection of 1", csv)
	}
	if nd := f.e.client().get("/open-data/proposals.ndjson").Body; !strings.Contains(nd, `"supports_after_objection":1`) {
		t.Errorf("proposals.ndjson = %.300s, want supports_after_objection 1", nd)
	}
}

// TestObjection_JSON: a script is refused (409) a support it has not
// confirmed, reads the arguments from the support step as JSON, and
// confirms with what it was given.
func TestObjection_JSON(t *testing.T) {
	f := newObjectionFixture(t)
	against := f.comment(t, f.critic, "against", "예산이 부족합니다.")
	script := f.e.register("스크립트")
	accept := []string{"Accept", "application/json"}
	form := url.Values{"_csrf": {script.csrf()}}
	r := script.do("POST", f.path+"/support", form, accept...)
	if r.Status != http.StatusConflict || !strings.Contains(r.Body, `"code":"objection_unseen"`) {
		t.Fatalf("unconfirmed JSON support: %d %s", r.Status, r.Body)
	}
	if ok, _ := f.supported(t, script); ok {
		t.Fatal("recorded an unconfirmed JSON support")
	}
	var step struct {
		Objection bool `json:"objection"`
		Against   *struct {
			ID       int64  `json:"id"`
			BodyHTML string `json:"body_html"`
			URL      string `json:"url"`
		} `json:"against"`
		For     *struct{} `json:"for"`
		Confirm struct {
			Seen, Against, For int64
		} `json:"confirm"`
	}
	r = script.do("GET", f.path+"/support", nil, accept...)
	if err := json.Unmarshal([]byte(r.Body), &step); err != nil {
		t.Fatalf("support step JSON: %v: %s", err, r.Body)
	}
	if !step.Objection || step.Against == nil || step.Against.ID != against || !strings.Contains(step.Against.BodyHTML, "예산이 부족합니다.") ||
		!strings.HasSuffix(step.Against.URL, "/comments/"+itoa(int(against))) || step.For != nil || step.Confirm.Against != against || step.Confirm.Seen != 1 {
		t.Fatalf("support step JSON = %s", r.Body)
	}
	form = url.Values{"_csrf": {script.csrf()}, "seen": {"1"}, "against": {itoa(int(step.Confirm.Against))}, "for": {itoa(int(step.Confirm.For))}}
	r = script.do("POST", f.path+"/support", form, accept...)
	if r.Status != http.StatusOK || !strings.Contains(r.Body, `"saw_objection":true`) {
		t.Fatalf("confirmed JSON support: %d %s", r.Status, r.Body)
	}
	if ok, saw := f.supported(t, script); !ok || saw != 1 {
		t.Errorf("confirmed JSON support: recorded %v, saw_objection %d", ok, saw)
	}
}

// TestObjection_HTML runs the Nu Html Checker over the confirmation page and
// the proposal page that carries the dialog, and checks their headings.
func TestObjection_HTML(t *testing.T) {
	java, err := exec.LookPath("java")
	if err != nil {
		t.Skip("java not found: `make test-deps` installs default-jre-headless")
	}
	f := newObjectionFixture(t)
	f.comment(t, f.critic, "against", "예산이 부족합니다.")
	f.comment(t, f.critic, "for", "직장인에게 필요합니다.")
	reader := f.e.register("검사하는 시민")
	pages := map[string]resp{"confirm": reader.get(f.path + "/support"), "dialog": reader.get(f.path)}
	bodies := map[string]string{}
	for name, r := range pages {
		if r.Status != http.StatusOK {
			t.Fatalf("%s: status %d", name, r.Status)
		}
		for _, s := range headingSkips(r.Body) {
			t.Errorf("%s: heading skips a level: %s", name, s)
		}
		bodies[name] = r.Body
	}
	checkHTML(t, java, bodies)
}

// TestObjection_Languages: the support step and the figure speak English and
// Traditional Chinese too, with no catalog key left showing.
func TestObjection_Languages(t *testing.T) {
	f := newObjectionFixture(t)
	against := f.comment(t, f.critic, "against", "예산이 부족합니다.")
	seen := f.e.register("먼저 읽은 시민")
	if r := seen.post(f.path+"/support", url.Values{"seen": {"1"}, "against": {itoa(int(against))}, "for": {"0"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("confirmed support: %d", r.Status)
	}
	for _, tc := range []struct {
		lang       string
		step, seen []string
	}{
		{"en", []string{"Before you support, read the strongest objection", "The strongest argument against", "Agree 0 · Disagree 0", "I have read it. I support this"},
			[]string{"Of these, 1 read the strongest argument against before supporting."}},
		{"zh", []string{"支持之前，請先閱讀反對意見", "最有力的反對意見", "認同 0 · 不認同 0", "我已閱讀，我支持"},
			[]string{"其中 1 人先閱讀了最有力的反對意見才支持。"}},
	} {
		c := f.e.register("reader " + tc.lang)
		c.lang = tc.lang
		step := c.get(f.path + "/support")
		contains(t, tc.lang+" support step", step.Body, tc.step...)
		page := c.get(f.path)
		contains(t, tc.lang+" proposal page", page.Body, tc.seen...)
		for _, body := range []string{step.Body, page.Body} {
			if i := strings.Index(strings.ReplaceAll(body, "objection.js", ""), "objection."); i >= 0 {
				t.Errorf("%s: a catalog key shows: %q", tc.lang, strings.ReplaceAll(body, "objection.js", "")[i:][:40])
			}
		}
	}
}

// supportThroughStep supports the proposal at path (/proposals/{id}) as the
// support step asks: it reads the step as a script does and confirms the
// arguments it shows (none: a plain support).
func (c *client) supportThroughStep(path string) resp {
	c.e.t.Helper()
	var step struct {
		Confirm struct{ Against, For int64 } `json:"confirm"`
	}
	if r := c.do("GET", path+"/support", nil, "Accept", "application/json"); r.Status != http.StatusOK || json.Unmarshal([]byte(r.Body), &step) != nil {
		c.e.t.Fatalf("support step of %s: %d %.300s", path, r.Status, r.Body)
	}
	return c.post(path+"/support", url.Values{"seen": {"1"}, "against": {itoa(int(step.Confirm.Against))}, "for": {itoa(int(step.Confirm.For))}})
}
