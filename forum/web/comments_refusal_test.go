package web

import (
	"context"
	"net/http"
	"net/url"
	"testing"

	"github.com/e-people/e-people/forum"
)

// TestComments_TakingCommentsMeansSeenByAll: the comment handler reads the
// proposal only when the write refuses the comment, which is right because
// a proposal that takes comments is one everyone may see whole; this holds
// for every status, lock and moderation state.
func TestComments_TakingCommentsMeansSeenByAll(t *testing.T) {
	statuses := append(forum.PublicStatuses(), forum.StatusDraft, forum.StatusGathering, forum.StatusWithdrawn)
	for _, st := range statuses {
		for _, locked := range []bool{false, true} {
			for _, ms := range []forum.ModState{forum.ModVisible, forum.ModHeld, forum.ModHidden} {
				p := &forum.Proposal{ID: 1, AuthorID: 2, Status: st, Locked: locked, ModState: ms}
				if p.TakesComments() && p.VisibilityTo(nil) != forum.Seen {
					t.Errorf("%s, locked %v, %s: takes comments but a guest sees it %v", st, locked, ms, p.VisibilityTo(nil))
				}
			}
		}
	}
}

// TestComments_RefusalsAnswerAsBefore: a comment on each proposal of the
// visibility world, by each kind of signed-in poster, with a good and with
// an empty body, answers as reading the proposal first would: not found
// when the poster may not see it, a conflict when it is withheld from them,
// the form again on bad input, a conflict when it takes no comments, and
// the comment otherwise.
func TestComments_RefusalsAnswerAsBefore(t *testing.T) {
	w := newVisWorld(t)
	ctx := context.Background()
	n := 0
	for _, role := range []string{"citizen", "author", "moderator"} {
		u := w.users[role]
		for _, m := range []string{vOpen, vHidden, vHeld, vDraft, vGather, vGatherHeld} {
			p, err := w.e.st.Proposal(ctx, w.props[m].ID)
			if err != nil {
				t.Fatal(err)
			}
			for _, valid := range []bool{true, false} {
				n++
				body := ""
				if valid {
					body = "새 의견 " + itoa(n)
				}
				var want int
				switch v := p.VisibilityTo(u); {
				case v == forum.Unseen:
					want = http.StatusNotFound
				case v == forum.Withheld:
					want = http.StatusConflict
				case !valid:
					want = http.StatusBadRequest
				case !p.TakesComments():
					want = http.StatusConflict
				default:
					want = http.StatusSeeOther
				}
				r := w.roles[role].post("/proposals/"+itoa(int(p.ID))+"/comments", url.Values{"stance": {"for"}, "body": {body}})
				if r.Status != want {
					t.Errorf("%s comments on %s (valid %v): status %d, want %d", role, m, valid, r.Status, want)
				}
			}
		}
	}
	citizen := w.roles["citizen"]
	if r := citizen.post("/debates/999999/comments", url.Values{"stance": {"for"}, "body": {"없는 토론"}}); r.Status != http.StatusNotFound {
		t.Errorf("an argument in a missing debate: status %d, want 404", r.Status)
	}
	if r := citizen.post("/debates/"+itoa(int(w.debate.ID))+"/comments", url.Values{"stance": {"for"}, "body": {""}}); r.Status != http.StatusBadRequest {
		t.Errorf("an empty argument: status %d, want 400", r.Status)
	}
	if r := citizen.post("/debates/"+itoa(int(w.debate.ID))+"/comments", url.Values{"stance": {"for"}, "body": {"토론 새 의견"}}); r.Status != http.StatusSeeOther {
		t.Errorf("an argument: status %d, want 303", r.Status)
	}
}

// TestContentRules_ParsedOncePerSetting: the banned terms are parsed once
// per value of the setting, not per post, and a change of the setting is in
// force for the very next post.
func TestContentRules_ParsedOncePerSetting(t *testing.T) {
	e := newEnv(t)
	first, again := e.srv.contentRules(), e.srv.contentRules()
	if len(first.BannedTerms) == 0 || &first.BannedTerms[0] != &again.BannedTerms[0] {
		t.Fatalf("the default terms were parsed again for a second post")
	}
	if err := e.st.SetSettings(context.Background(), map[string]string{forum.SettingBannedTerms: "금지어\nForbidden"}); err != nil {
		t.Fatal(err)
	}
	changed := e.srv.contentRules()
	if len(changed.BannedTerms) != 2 || changed.BannedTerms[0] != "금지어" || changed.BannedTerms[1] != "forbidden" {
		t.Fatalf("after the change the terms are %q", changed.BannedTerms)
	}
	if again := e.srv.contentRules(); &again.BannedTerms[0] != &changed.BannedTerms[0] {
		t.Errorf("the changed terms were parsed again for a second post")
	}
}
