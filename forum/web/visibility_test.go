package web

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/e-people/e-people/forum"
	"github.com/e-people/e-people/forum/store"
	"github.com/e-people/e-people/moderation"
)

// visWorld is one forum with an item in every visibility state, and a
// signed-in client of every role. Every text carries a marker word, so a
// page leaks an item exactly when its body holds the item's marker.
type visWorld struct {
	e       *env
	roles   map[string]*client // guest, citizen, author, commenter, official, moderator, admin
	users   map[string]*forum.User
	props   map[string]*forum.Proposal // by marker of its title
	comms   map[string]*forum.Comment  // by marker of its text
	debate  *forum.Debate
	seers   map[string][]string // marker → the roles that may read it on its own pages
	public  []string            // markers everyone may read everywhere
	markers []string
}

const (
	vOpen        = "Vopenmark"         // an open proposal, answered
	vOpenAnswer  = "Vansopenmark"      // its answer
	vHidden      = "Vhiddenmark"       // an answered proposal that moderators hid
	vHiddenAns   = "Vanshiddenmark"    // its answer
	vHeld        = "Vheldmark"         // an open proposal held for review
	vDraft       = "Vdraftmark"        // a draft
	vGather      = "Vgathermark"       // a proposal gathering co-sponsors
	vGatherHeld  = "Vgheldmark"        // the same, held (a held account's)
	vShown       = "Vcshownmark"       // a comment on the open proposal
	vHeldC       = "Vcheldmark"        // a held comment there
	vHiddenC     = "Vchiddenmark"      // a hidden comment there
	vUnderHidden = "Vcunderhiddenmark" // a visible comment under the hidden proposal
	vDebateC     = "Vdshownmark"       // an argument in an open debate
	vDebateHeldC = "Vdheldmark"        // a held argument there
)

var visRoles = []string{"guest", "citizen", "author", "commenter", "official", "moderator", "admin"}

func newVisWorld(t *testing.T) *visWorld {
	t.Helper()
	e := newEnv(t)
	ctx := context.Background()
	if err := e.st.SetSettings(ctx, map[string]string{forum.SettingSupportThreshold: "1"}); err != nil {
		t.Fatal(err)
	}
	w := &visWorld{e: e, roles: map[string]*client{}, users: map[string]*forum.User{},
		props: map[string]*forum.Proposal{}, comms: map[string]*forum.Comment{}}
	w.roles["guest"] = e.client()
	for _, r := range []string{"citizen", "author", "commenter"} {
		w.roles[r] = e.register("시민 " + r)
	}
	w.roles["official"] = e.staff(forum.RoleOfficial, e.mins[0].ID, "담당 공무원")
	w.roles["moderator"] = e.staff(forum.RoleModerator, 0, "중재자")
	w.roles["admin"] = e.staff(forum.RoleAdmin, 0, "관리자")
	for _, r := range visRoles[1:] {
		w.users[r] = w.roles[r].user()
	}
	propose := func(marker string, threshold int, draft bool, hold ...string) *forum.Proposal {
		p, err := e.st.CreateProposal(ctx, store.NewProposal{AuthorID: w.users["author"].ID, SponsorToken: "sponsor-token-" + itoa(len(w.props)),
			Input: forum.ProposalInput{Title: marker + " 제안 제목", Body: marker + " 본문", CategoryID: e.cats[0].ID, MinistryID: e.mins[0].ID},
			Body:  moderation.TrustedFromStore("<p>" + marker + " 본문</p>"), Draft: draft, Hold: hold}, threshold)
		if err != nil {
			t.Fatal(err)
		}
		w.props[marker] = p
		return p
	}
	comment := func(p *forum.Proposal, marker string, hold ...string) *forum.Comment {
		c, err := e.st.CreateComment(ctx, store.NewComment{Subject: forum.ProposalSubject(p.ID), AuthorID: w.users["commenter"].ID,
			Input: forum.CommentInput{Stance: forum.StanceFor, Body: marker + " 의견"}, Body: moderation.TrustedFromStore("<p>" + marker + " 의견</p>"), Hold: hold})
		if err != nil {
			t.Fatal(err)
		}
		w.comms[marker] = c
		return c
	}
	answer := func(p *forum.Proposal, marker string) {
		if _, err := e.st.Support(ctx, p.ID, w.users["citizen"].ID, nil); err != nil {
			t.Fatal(err)
		}
		if err := e.st.PublishResponse(ctx, w.users["official"], p.ID, forum.ResponseInput{Decision: forum.DecisionAccepted,
			Summary: marker + " 요약", Body: marker + " 답변"}, moderation.TrustedFromStore("<p>"+marker+" 답변</p>")); err != nil {
			t.Fatal(err)
		}
	}
	d, err := e.st.CreateDebate(ctx, store.NewDebate{HostID: w.users["official"].ID, Input: forum.DebateInput{Question: "열린 토론의 질문",
		OpensAt: e.clock.Now().Add(-time.Hour), ClosesAt: e.clock.Now().Add(48 * time.Hour), MinistryID: e.mins[0].ID}})
	if err != nil {
		t.Fatal(err)
	}
	w.debate = d
	for m, hold := range map[string][]string{vDebateC: nil, vDebateHeldC: {"links"}} {
		c, err := e.st.CreateComment(ctx, store.NewComment{Subject: forum.DebateSubject(d.ID), AuthorID: w.users["commenter"].ID,
			Input: forum.CommentInput{Stance: forum.StanceFor, Body: m + " 토론 의견"}, Body: moderation.TrustedFromStore("<p>" + m + " 토론 의견</p>"), Hold: hold})
		if err != nil {
			t.Fatal(err)
		}
		w.comms[m] = c
	}
	open := propose(vOpen, 0, false)
	answer(open, vOpenAnswer)
	comment(open, vShown)
	comment(open, vHeldC, "links")
	hiddenC := comment(open, vHiddenC)
	hidden := propose(vHidden, 0, false)
	answer(hidden, vHiddenAns)
	comment(hidden, vUnderHidden)
	propose(vHeld, 0, false, "new_account")
	propose(vDraft, 0, true)
	propose(vGather, 5, false)
	propose(vGatherHeld, 5, false, "new_account")
	for _, h := range []struct {
		kind forum.ItemKind
		id   int64
	}{{forum.ItemComment, hiddenC.ID}, {forum.ItemProposal, hidden.ID}} {
		if err := e.st.Hide(ctx, w.users["moderator"], h.kind, h.id, moderation.HideSpam); err != nil {
			t.Fatal(err)
		}
	}
	for m, p := range w.props {
		if w.props[m], _ = e.st.Proposal(ctx, p.ID); w.props[m] == nil {
			t.Fatalf("reload %s", m)
		}
	}
	for m, want := range map[string]string{vOpen: "answered/visible", vHidden: "answered/hidden", vHeld: "open/held",
		vDraft: "draft/visible", vGather: "gathering/visible", vGatherHeld: "gathering/held"} {
		if got := string(w.props[m].Status) + "/" + string(w.props[m].ModState); got != want {
			t.Fatalf("%s is %s, want %s", m, got, want)
		}
	}
	staff := []string{"moderator", "admin"}
	w.public = []string{vOpen, vOpenAnswer, vShown, vDebateC}
	w.seers = map[string][]string{
		vHidden: append([]string{"author"}, staff...), vHiddenAns: append([]string{"author"}, staff...),
		vUnderHidden: append([]string{"author"}, staff...), vHeld: append([]string{"author"}, staff...),
		vDraft: {"author"}, vGather: append([]string{"author"}, staff...), vGatherHeld: append([]string{"author"}, staff...),
		vHeldC: append([]string{"commenter"}, staff...), vHiddenC: append([]string{"commenter"}, staff...),
		vDebateHeldC: append([]string{"commenter"}, staff...),
	}
	for _, m := range w.public {
		w.seers[m] = visRoles
	}
	for m := range w.seers {
		w.markers = append(w.markers, m)
	}
	slices.Sort(w.markers)
	return w
}

// mayRead reports whether a route may show marker: everyone's markers, and
// those that allowed grants the viewer on this route.
func (w *visWorld) mayRead(marker string, allowed map[string]bool) bool {
	return slices.Contains(w.public, marker) || allowed[marker]
}

// check fetches path as role and fails on a 5xx or on any marker the role
// may not see there; want lists markers the page must show.
func (w *visWorld) check(t *testing.T, role, path string, allowed map[string]bool, want ...string) resp {
	t.Helper()
	r := w.roles[role].get(path)
	if r.Status >= 500 {
		t.Errorf("%s GET %s: status %d", role, path, r.Status)
	}
	for _, m := range w.markers {
		if strings.Contains(strings.ToLower(r.Body), strings.ToLower(m)) && !w.mayRead(m, allowed) {
			t.Errorf("%s GET %s (%d) leaks %s", role, path, r.Status, m)
		}
	}
	for _, m := range want {
		if !strings.Contains(r.Body, m) {
			t.Errorf("%s GET %s (%d): missing %s, which %s may read: %.300s", role, path, r.Status, m, role, r.Body)
		}
	}
	return r
}

// TestVisibility_EveryReadRoute walks every read route × every visibility
// state × every role: no page, form, list, search, API, download or feed
// shows an item to a viewer the one rule (forum.Visibility) hides it from.
func TestVisibility_EveryReadRoute(t *testing.T) {
	w := newVisWorld(t)
	id := func(m string) string { return itoa(int(w.props[m].ID)) }
	cid := func(m string) string { return itoa(int(w.comms[m].ID)) }
	ownPage := func(role string, markers ...string) map[string]bool {
		out := map[string]bool{}
		for _, m := range markers {
			out[m] = slices.Contains(w.seers[m], role)
		}
		return out
	}
	wantIf := func(ok bool, m string) []string {
		if ok {
			return []string{m}
		}
		return nil
	}
	answered := map[string]string{vOpen: vOpenAnswer, vHidden: vHiddenAns}
	for _, role := range visRoles {
		t.Run(role, func(t *testing.T) {
			// The item pages of every proposal: page, history, the answer's history, the report form.
			for _, m := range []string{vOpen, vHidden, vHeld, vDraft, vGather, vGatherHeld} {
				own := ownPage(role, m, answered[m])
				if m == vOpen {
					own = ownPage(role, m, answered[m], vShown, vHeldC, vHiddenC)
				}
				if m == vHidden {
					own = ownPage(role, m, answered[m], vUnderHidden)
				}
				seen := slices.Contains(w.seers[m], role)
				w.check(t, role, "/proposals/"+id(m), own, wantIf(seen, m)...)
				w.check(t, role, "/proposals/"+id(m)+"/history", own, wantIf(seen, m)...)
				w.check(t, role, "/proposals/"+id(m)+"/response/history", own, wantIf(seen && answered[m] != "", answered[m])...)
				w.check(t, role, "/reports/new?kind=proposal&id="+id(m), own, wantIf(seen && role != "guest", m)...)
				if r := w.roles[role].get("/proposals/" + id(m)); !seen && r.Status == http.StatusOK && !strings.Contains(r.Body, "alert-error") {
					t.Errorf("%s GET /proposals/%s: 200 without the withheld notice", role, id(m))
				}
				// Whoever holds the co-sponsor link reads a proposal gathering co-sponsors, unless it is held.
				sponsorOwn := own
				if m == vGather {
					sponsorOwn = map[string]bool{vGather: true}
				}
				w.check(t, role, "/proposals/"+id(m)+"/sponsor/"+w.props[m].SponsorToken, sponsorOwn, wantIf(sponsorOwn[m], m)...)
			}
			// The comment pages: the report form and the permanent link.
			for _, m := range []string{vShown, vHeldC, vHiddenC, vUnderHidden, vDebateC, vDebateHeldC} {
				seen := slices.Contains(w.seers[m], role)
				w.check(t, role, "/reports/new?kind=comment&id="+cid(m), ownPage(role, m), wantIf(seen && role != "guest", m)...)
				r := w.roles[role].get("/comments/" + cid(m))
				threadSeen := m != vUnderHidden || seen
				if threadSeen != (r.Status == http.StatusSeeOther) {
					t.Errorf("%s GET /comments/%s (%s): status %d", role, cid(m), m, r.Status)
				}
			}
			// Profiles: the author's own page lists every proposal of theirs.
			profile := map[string]bool{}
			if role == "author" {
				profile = ownPage(role, vHidden, vHeld, vDraft, vGather, vGatherHeld)
			}
			w.check(t, role, "/users/"+itoa(int(w.users["author"].ID)), profile, vOpen)
			w.check(t, role, "/users/"+itoa(int(w.users["commenter"].ID)), nil, vShown)
			// Everything public: lists, search, suggestions, the API, downloads, feeds.
			w.check(t, role, "/", nil)
			for _, path := range []string{"/proposals", "/ministries/mohw", "/api/v1/proposals",
				"/open-data/proposals.csv", "/open-data/proposals.ndjson", "/feeds/proposals.atom",
				"/feeds/ministries/mohw.atom", "/feeds/categories/welfare.atom"} {
				w.check(t, role, path, nil, vOpen)
			}
			for _, path := range []string{"/open-data/responses.csv", "/open-data/responses.ndjson", "/feeds/answers.atom"} {
				w.check(t, role, path, nil, vOpenAnswer)
			}
			w.check(t, role, "/stats", nil)
			w.check(t, role, "/debates/"+itoa(int(w.debate.ID)), ownPage(role, vDebateHeldC), vDebateC)
			for _, path := range []string{"/debates", "/api/v1/debates", "/api/v1/debates/" + itoa(int(w.debate.ID)), "/ministries",
				"/moderation/log", "/api/v1/moderation-log", "/open-data/moderation-log.csv", "/inbox"} {
				w.check(t, role, path, nil)
			}
			w.check(t, role, "/users/"+itoa(int(w.users["commenter"].ID)), nil, vDebateC)
			// Notifications name their items (issue 16), each only while its reader may read it.
			w.check(t, role, "/notifications", ownPage(role, vHidden, vHeld, vDraft, vGather, vGatherHeld, vHeldC, vHiddenC, vUnderHidden, vDebateHeldC))
			// Search by the words every item of a kind shares, so the query echoed
			// back names no item: only results can leak.
			for q, want := range map[string]string{"본문": vOpen, "제목": vOpen, "의견": vShown, "답변": vOpenAnswer, "요약": vOpenAnswer} {
				w.check(t, role, "/search?q="+url.QueryEscape(q), nil, want)
				w.check(t, role, "/api/v1/search?q="+url.QueryEscape(q), nil, want)
			}
			w.check(t, role, "/proposals/similar?title="+url.QueryEscape("제안 제목 본문"), nil, vOpen)
			for _, m := range []string{vOpen, vHidden, vHeld, vDraft, vGather, vGatherHeld} {
				r := w.check(t, role, "/api/v1/proposals/"+id(m), nil, wantIf(m == vOpen, m)...)
				if (r.Status == http.StatusOK) != (m == vOpen) {
					t.Errorf("%s GET /api/v1/proposals/%s (%s): status %d", role, id(m), m, r.Status)
				}
			}
		})
	}
}

// Placeholders of held, hidden and deleted comments name no author, not even
// by id.
func TestVisibility_PlaceholdersCarryNoAuthor(t *testing.T) {
	w := newVisWorld(t)
	if _, err := w.e.st.DeleteComment(context.Background(), w.comms[vShown].ID, w.users["commenter"].ID); err != nil {
		t.Fatal(err)
	}
	w.e.srv.threads.reset()
	body := w.roles["guest"].get("/proposals/" + itoa(int(w.props[vOpen].ID))).Body
	for _, m := range []string{vShown, vHeldC, vHiddenC} {
		li := regexp.MustCompile(`<li [^>]*id="c` + itoa(int(w.comms[m].ID)) + `"[^>]*>`).FindString(body)
		if li == "" {
			t.Fatalf("no placeholder for %s", m)
		}
		if strings.Contains(li, "data-author") {
			t.Errorf("placeholder of %s names its author: %s", m, li)
		}
	}
}

// A guest cannot subscribe to the live topic of a proposal it may not read;
// a moderator can.
func TestVisibility_LiveTopics(t *testing.T) {
	w := newVisWorld(t)
	base := serveLoopback(t, w.e)
	for _, tc := range []struct {
		role, marker string
		ok           bool
	}{
		{"guest", vOpen, true}, {"guest", vHidden, false}, {"guest", vHeld, false}, {"guest", vGather, false},
		{"citizen", vHidden, false}, {"commenter", vHidden, false},
		{"author", vHidden, true}, {"moderator", vHidden, true}, {"moderator", vHeld, true},
	} {
		c := w.roles[tc.role]
		c.mu.Lock()
		cookies := maps(c.cookies)
		c.mu.Unlock()
		ws, res, err := dialLive(t, base, "topics=proposal:"+itoa(int(w.props[tc.marker].ID)), "", cookies)
		if (err == nil) != tc.ok {
			status := 0
			if res != nil {
				status = res.StatusCode
			}
			t.Errorf("%s subscribing to %s: err %v (status %d), want ok=%v", tc.role, tc.marker, err, status, tc.ok)
		}
		if ws != nil {
			ws.Close()
		}
	}
}

func maps(m map[string]string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// Mail names a proposal only to a recipient who may read it.
func TestVisibility_MailNamesOnlyWhatTheRecipientMayRead(t *testing.T) {
	w := newVisWorld(t)
	ctx := context.Background()
	data := []byte(`{"proposal_id":` + itoa(int(w.props[vHidden].ID)) + `,"decision":"accepted","revision":1}`)
	for role, want := range map[string]bool{"citizen": false, "commenter": false, "author": true, "moderator": true} {
		_, body, err := w.e.srv.ComposeMail(ctx, store.Mail{UserID: w.users[role].ID, Kind: forum.NoteResponse, Data: data})
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(body, vHidden) != want {
			t.Errorf("mail to %s names the hidden proposal: %v, want %v", role, !want, want)
		}
	}
}

// Through the web: a held proposal cannot be co-sponsored into the open, and
// a held or hidden comment takes no reply and no vote.
func TestVisibility_NoInteractionWithWithheld(t *testing.T) {
	w := newVisWorld(t)
	ctx := context.Background()
	gh := w.props[vGatherHeld]
	if r := w.roles["citizen"].post("/proposals/"+itoa(int(gh.ID))+"/sponsor/"+gh.SponsorToken, nil); r.Status != http.StatusConflict {
		t.Errorf("co-sponsoring a held proposal: status %d", r.Status)
	}
	if p, _ := w.e.st.Proposal(ctx, gh.ID); p.Sponsors != 0 || p.Status != forum.StatusGathering {
		t.Errorf("held proposal now %s with %d co-sponsors", p.Status, p.Sponsors)
	}
	for _, m := range []string{vHeldC, vHiddenC} {
		c := w.comms[m]
		r := w.roles["citizen"].post("/proposals/"+itoa(int(w.props[vOpen].ID))+"/comments",
			url.Values{"stance": {"for"}, "body": {"답글입니다"}, "parent": {itoa(int(c.ID))}})
		if r.Status != http.StatusBadRequest {
			t.Errorf("reply to %s: status %d", m, r.Status)
		}
		if r := w.roles["citizen"].post("/comments/"+itoa(int(c.ID))+"/vote", url.Values{"value": {"1"}}); r.Status != http.StatusConflict {
			t.Errorf("vote on %s: status %d", m, r.Status)
		}
		if got, _ := w.e.st.Comment(ctx, c.ID); got.Up != 0 {
			t.Errorf("%s has %d up votes", m, got.Up)
		}
	}
}

// The audit's high finding: an edit that trips a content rule holds the
// proposal, and its new text was readable at once on the history page.
func TestVisibility_HeldEditNotInHistory(t *testing.T) {
	e := newEnv(t)
	author := e.register("고친 작성자")
	id := e.openProposal(author, "고쳐질 공개 제안", "처음 본문입니다.")
	r := author.post("/proposals/"+itoa(int(id))+"/edit", url.Values{"title": {"고쳐질 공개 제안"},
		"body":     {"Veditmark https://a.example https://b.example https://c.example"},
		"category": {itoa(int(e.cats[0].ID))}, "ministry": {itoa(int(e.mins[0].ID))}})
	if r.Status != http.StatusSeeOther {
		t.Fatalf("edit: status %d: %.300s", r.Status, r.Body)
	}
	if p, _ := e.st.Proposal(context.Background(), id); p.ModState != forum.ModHeld {
		t.Fatalf("the edit left the proposal %s, want held", p.ModState)
	}
	for _, path := range []string{"/proposals/" + itoa(int(id)), "/proposals/" + itoa(int(id)) + "/history"} {
		if got := e.client().get(path); strings.Contains(got.Body, "Veditmark") || strings.Contains(got.Body, "처음 본문") {
			t.Errorf("guest GET %s (%d) reads the held proposal", path, got.Status)
		}
		contains(t, "author GET "+path, author.get(path).Body, "Veditmark")
	}
}
