package web

import (
	"net/url"
	"testing"
)

func TestZZExplore(t *testing.T) {
	e := newEnv(t)
	a := e.register("작성자")
	b := e.register("다른이")
	id := itoa(int(e.openProposal(a, "탐색 제안", "본문")))
	r := a.post("/proposals/"+id+"/comments", url.Values{"stance": {"for"}, "body": {"의견"}})
	t.Log(r.Status, r.Header.Get("Location"))
	var cs any
	_ = cs
	for _, lang := range []string{"ko", "en"} {
		a.lang, b.lang = lang, lang
		r = a.do("POST", "/comments/1/vote", url.Values{"value": {"1"}, "_csrf": {a.csrf()}}, "Accept", "application/json")
		t.Log("selfvote", r.Status, r.Body)
		r = b.do("POST", "/comments/1/edit", url.Values{"body": {"x"}, "_csrf": {b.csrf()}}, "Accept", "application/json")
		t.Log("edit", r.Status, r.Body)
		r = b.do("POST", "/comments/1/edit", url.Values{"body": {"x"}, "_csrf": {b.csrf()}})
		t.Log("edit html", r.Status, len(r.Body))
	}
	p := a.propose("두번째", "본문")
	pp, _ := e.st.Proposal(t.Context(), p)
	r = a.post("/proposals/"+itoa(int(p))+"/sponsor/"+pp.SponsorToken, nil)
	t.Log("selfsponsor", r.Status, r.Body)
}
