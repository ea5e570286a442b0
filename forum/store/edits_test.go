package store

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/e-people/e-people/forum"
)

// editNotes returns userID's notifications of the edit kinds, newest first,
// with their data.
func editNotes(tb testing.TB, s *Store, userID int64, kind string) []map[string]any {
	tb.Helper()
	ns, err := s.Notifications(ctx, userID, 100)
	if err != nil {
		tb.Fatal(err)
	}
	var out []map[string]any
	for _, n := range ns {
		if n.Kind != kind {
			continue
		}
		var d map[string]any
		if err := json.Unmarshal(n.Data, &d); err != nil {
			tb.Fatal(err)
		}
		out = append(out, d)
	}
	return out
}

func editInput(w *world, title, body string) forum.ProposalInput {
	return forum.ProposalInput{Title: title, Body: body, CategoryID: w.category, MinistryID: w.ministry}
}

func TestStore_EditNotifiesSupportersOnce(t *testing.T) {
	w := newWorld(t)
	p := w.openProposal(t, "버스 요금을 내려 주세요")
	a, b, c, bystander := newUser(t, w.s, "a"), newUser(t, w.s, "b"), newUser(t, w.s, "c"), newUser(t, w.s, "bystander")
	for _, u := range []*forum.User{a, b, c} {
		if _, err := w.s.Support(ctx, p.ID, u.ID, nil); err != nil {
			t.Fatal(err)
		}
	}
	outbox := count(t, w.s, `SELECT count(*) FROM outbox WHERE kind = ?`, forum.NoteProposalEdited)
	w.clock.advance(time.Hour)
	before := lastEventID(t, w.s)
	out, err := w.s.Edit(ctx, p.ID, w.author.ID, editInput(w, "버스 요금을 내려 주세요", "버스 요금을 100원 내려 주세요 본문"), html("x"), forum.DefaultRules, nil)
	if err != nil || out.Pending || out.Revision != 2 {
		t.Fatalf("Edit = %+v, %v", out, err)
	}
	evs := eventsAfter(t, w.s, before)
	userEvents := 0
	for _, e := range evs {
		if e.Type == forum.EventNotification {
			userEvents++
		}
	}
	if userEvents != 3 {
		t.Errorf("notification events = %d (%v), want one per supporter", userEvents, evs)
	}
	for _, u := range []*forum.User{a, b, c} {
		ns := editNotes(t, w.s, u.ID, forum.NoteProposalEdited)
		if len(ns) != 1 || ns[0]["from"] != 1.0 || ns[0]["revision"] != 2.0 || ns[0]["proposal_id"] != float64(p.ID) {
			t.Errorf("supporter %s notes = %v, want one from 1 to 2", u.Name, ns)
		}
	}
	for _, u := range []*forum.User{bystander, w.author} {
		if ns := editNotes(t, w.s, u.ID, forum.NoteProposalEdited); len(ns) != 0 {
			t.Errorf("%s was told: %v", u.Name, ns)
		}
	}
	// Every supporter mails immediately by default: one mail each.
	if got := count(t, w.s, `SELECT count(*) FROM outbox WHERE kind = ?`, forum.NoteProposalEdited) - outbox; got != 3 {
		t.Errorf("mails = %d, want 3", got)
	}

	// Saved again at once: nobody is told twice, and no second mail.
	w.clock.advance(time.Second)
	if _, err := w.s.Edit(ctx, p.ID, w.author.ID, editInput(w, "버스 요금을 내려 주세요", "버스 요금을 200원 내려 주세요 본문"), html("y"), forum.DefaultRules, nil); err != nil {
		t.Fatal(err)
	}
	for _, u := range []*forum.User{a, b, c} {
		if ns := editNotes(t, w.s, u.ID, forum.NoteProposalEdited); len(ns) != 1 || ns[0]["from"] != 1.0 {
			t.Errorf("supporter %s notes after a second edit = %v, want still the one from revision 1", u.Name, ns)
		}
	}
	if got := count(t, w.s, `SELECT count(*) FROM outbox WHERE kind = ?`, forum.NoteProposalEdited) - outbox; got != 3 {
		t.Errorf("mails after a second edit = %d, want still 3", got)
	}
	// Once a has read it, the next edit tells a again, from revision 3.
	if err := w.s.MarkNotificationsRead(ctx, a.ID); err != nil {
		t.Fatal(err)
	}
	w.clock.advance(time.Minute)
	if _, err := w.s.Edit(ctx, p.ID, w.author.ID, editInput(w, "버스 요금을 내려 주세요!", "버스 요금을 200원 내려 주세요 본문"), html("y"), forum.DefaultRules, nil); err != nil {
		t.Fatal(err)
	}
	if ns := editNotes(t, w.s, a.ID, forum.NoteProposalEdited); len(ns) != 2 || ns[0]["from"] != 3.0 || ns[0]["revision"] != 4.0 {
		t.Errorf("a's notes = %v, want a new one from 3 to 4", ns)
	}
	if ns := editNotes(t, w.s, b.ID, forum.NoteProposalEdited); len(ns) != 1 {
		t.Errorf("b's notes = %v, want still one", ns)
	}
	// Withdrawn supporters are not told.
	if _, err := w.s.Unsupport(ctx, p.ID, c.ID); err != nil {
		t.Fatal(err)
	}
	if err := w.s.MarkNotificationsRead(ctx, c.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := w.s.Edit(ctx, p.ID, w.author.ID, editInput(w, "버스 요금을 내려 주세요?", "버스 요금을 200원 내려 주세요 본문"), html("y"), forum.DefaultRules, nil); err != nil {
		t.Fatal(err)
	}
	if ns := editNotes(t, w.s, c.ID, forum.NoteProposalEdited); len(ns) != 1 {
		t.Errorf("a former supporter was told: %v", ns)
	}
	checkCounters(t, w.s)
}

// reachedWorld is a world whose proposal reached its threshold (3
// supporters), with them.
func reachedWorld(t *testing.T) (*world, *forum.Proposal, []*forum.User) {
	t.Helper()
	w := newWorld(t)
	ansThresholds(t, w.s, 3, 30, 30)
	p := w.openProposal(t, "초등학교 앞 횡단보도에 신호등을 설치해 주세요")
	var sup []*forum.User
	for _, n := range []string{"s1", "s2", "s3"} {
		u := newUser(t, w.s, n)
		if _, err := w.s.Support(ctx, p.ID, u.ID, nil); err != nil {
			t.Fatal(err)
		}
		sup = append(sup, u)
	}
	got, err := w.s.Proposal(ctx, p.ID)
	if err != nil || got.Status != forum.StatusAwaiting || !got.PastThreshold() {
		t.Fatalf("after 3 supports = %+v, %v", got, err)
	}
	return w, got, sup
}

func TestStore_EditReview(t *testing.T) {
	w, p, sup := reachedWorld(t)
	mod := w.member(t, forum.RoleModerator, "moderator")
	citizen := newUser(t, w.s, "citizen")
	rules := forum.DefaultRules
	title := p.Title

	// A small edit past the threshold is shown at once.
	out, err := w.s.Edit(ctx, p.ID, w.author.ID, editInput(w, title, p.BodySrc+"!"), html("small"), rules, nil)
	if err != nil || out.Pending || out.ChangedPct > 30 {
		t.Fatalf("small edit = %+v, %v", out, err)
	}
	for _, u := range sup {
		if err := w.s.MarkNotificationsRead(ctx, u.ID); err != nil {
			t.Fatal(err)
		}
	}
	// Nor may the ministry or the category change any more.
	other, otherCat := places(t, w.s, "other")
	in := editInput(w, title, p.BodySrc)
	in.MinistryID = other
	_, err = w.s.Edit(ctx, p.ID, w.author.ID, in, html("x"), rules, nil)
	wantInvalid(t, err, "err.edit_ministry_fixed")
	in = editInput(w, title, p.BodySrc)
	in.CategoryID = otherCat
	_, err = w.s.Edit(ctx, p.ID, w.author.ID, in, html("x"), rules, nil)
	wantInvalid(t, err, "err.edit_category_fixed")

	// A substantial one waits, and changes nothing shown.
	before := lastEventID(t, w.s)
	w.clock.advance(time.Minute)
	big := editInput(w, "모든 학교 앞에 육교를 놓아 주세요", "전국의 모든 초등학교와 중학교 앞에 육교를 놓고 과속 단속 카메라도 달아 주세요.")
	out, err = w.s.Edit(ctx, p.ID, w.author.ID, big, html("big"), rules, nil)
	if err != nil || !out.Pending || out.Revision != 3 || out.ChangedPct <= 30 {
		t.Fatalf("substantial edit = %+v, %v", out, err)
	}
	if evs := eventsAfter(t, w.s, before); len(evs) != 0 {
		t.Errorf("a pending edit made events %v", evs)
	}
	shown, _ := w.s.Proposal(ctx, p.ID)
	if shown.Title != title || shown.Revisions != 2 {
		t.Errorf("proposal after a pending edit = %q, %d revisions", shown.Title, shown.Revisions)
	}
	revs, _ := w.s.Revisions(ctx, p.ID)
	if len(revs) != 2 {
		t.Errorf("Revisions = %d, want the 2 shown", len(revs))
	}
	pe, err := w.s.PendingEdit(ctx, p.ID)
	if err != nil || pe == nil || pe.Number != 3 || pe.State != forum.RevisionPending || pe.Title != big.Title || pe.ChangedPct != out.ChangedPct {
		t.Fatalf("PendingEdit = %+v, %v", pe, err)
	}
	for _, u := range sup {
		if ns := editNotes(t, w.s, u.ID, forum.NoteProposalEdited); len(ns) != 1 {
			t.Errorf("supporter told of a pending edit: %v", ns)
		}
	}
	// A newer edit replaces it.
	big.Body += " 꼭 부탁드립니다."
	out, err = w.s.Edit(ctx, p.ID, w.author.ID, big, html("big2"), rules, nil)
	if err != nil || !out.Pending || out.Revision != 4 {
		t.Fatalf("second substantial edit = %+v, %v", out, err)
	}
	if r, err := w.s.Revision(ctx, p.ID, 3); err != nil || r.State != forum.RevisionRejected || r.Reason != forum.ReasonEditReplaced {
		t.Errorf("replaced revision = %+v, %v", r, err)
	}
	if n := count(t, w.s, `SELECT count(*) FROM proposal_revisions WHERE proposal_id = ? AND state = 'pending'`, p.ID); n != 1 {
		t.Errorf("pending revisions = %d, want 1", n)
	}
	list, err := w.s.PendingEdits(ctx, 10)
	if err != nil || len(list) != 1 || list[0].Number != 4 || list[0].Proposal.ID != p.ID || list[0].Proposal.Title != title {
		t.Fatalf("PendingEdits = %+v, %v", list, err)
	}

	// Roles: a citizen and the author may not decide; a rejection needs a reason.
	wantErr(t, w.s.DecideEdit(ctx, citizen, p.ID, 4, true, "", rules), forum.ErrForbidden)
	wantErr(t, w.s.DecideEdit(ctx, w.author, p.ID, 4, true, "", rules), forum.ErrForbidden)
	wantInvalid(t, w.s.DecideEdit(ctx, mod, p.ID, 4, false, "  ", rules), "err.edit_reason_required")
	wantErr(t, w.s.DecideEdit(ctx, mod, p.ID, 3, true, "", rules), forum.ErrInvalidState)
	wantErr(t, w.s.DecideEdit(ctx, mod, p.ID, 99, true, "", rules), forum.ErrNotFound)

	// Rejected: the text stays, the author hears why, the log says it.
	audit0 := lastAuditID(t, w.s)
	if err := w.s.DecideEdit(ctx, mod, p.ID, 4, false, "취지가 달라져 새 제안으로 내 주세요", rules); err != nil {
		t.Fatal(err)
	}
	shown, _ = w.s.Proposal(ctx, p.ID)
	if shown.Title != title || shown.Revisions != 2 {
		t.Errorf("proposal after a rejection = %q, %d", shown.Title, shown.Revisions)
	}
	if ns := editNotes(t, w.s, w.author.ID, forum.NoteEditRejected); len(ns) != 1 || ns[0]["reason"] != "취지가 달라져 새 제안으로 내 주세요" {
		t.Errorf("author's rejection notes = %v", ns)
	}
	if a := audits(t, w.s, audit0); len(a) != 1 || a[0].Action != forum.ActionEditReject || a[0].ItemID != p.ID || a[0].ActorID != mod.ID ||
		a[0].Reason != "취지가 달라져 새 제안으로 내 주세요" || a[0].Before != "pending" || a[0].After != "rejected" {
		t.Errorf("audit = %+v", a)
	}
	if pe, err := w.s.PendingEdit(ctx, p.ID); err != nil || pe != nil {
		t.Errorf("PendingEdit after rejection = %+v, %v", pe, err)
	}
	wantErr(t, w.s.DecideEdit(ctx, mod, p.ID, 4, true, "", rules), forum.ErrInvalidState)

	// Approved: shown exactly as an ordinary edit — event, supporters told.
	out, err = w.s.Edit(ctx, p.ID, w.author.ID, big, html("big3"), rules, nil)
	if err != nil || !out.Pending || out.Revision != 5 {
		t.Fatalf("third substantial edit = %+v, %v", out, err)
	}
	audit0 = lastAuditID(t, w.s)
	expectEvents(t, w.s, func() {
		if err := w.s.DecideEdit(ctx, mod, p.ID, 5, true, "", rules); err != nil {
			t.Fatal(err)
		}
	}, ev{forum.EventProposalEdited, forum.ProposalTopic(p.ID)}, ev{forum.EventNotification, forum.UserTopic(sup[0].ID)},
		ev{forum.EventNotification, forum.UserTopic(sup[1].ID)}, ev{forum.EventNotification, forum.UserTopic(sup[2].ID)},
		ev{forum.EventNotification, forum.UserTopic(w.author.ID)})
	shown, _ = w.s.Proposal(ctx, p.ID)
	if shown.Title != big.Title || shown.BodySrc != big.Body || shown.Body.String() != "<p>big3</p>" || shown.Revisions != 3 {
		t.Errorf("proposal after approval = %q %q %q, %d", shown.Title, shown.BodySrc, shown.Body, shown.Revisions)
	}
	revs, _ = w.s.Revisions(ctx, p.ID)
	if len(revs) != 3 || revs[2].Number != 5 || revs[2].State != forum.RevisionPublished || revs[2].DecidedAt.IsZero() {
		t.Errorf("Revisions after approval = %+v", revs)
	}
	for _, u := range sup {
		if ns := editNotes(t, w.s, u.ID, forum.NoteProposalEdited); len(ns) != 2 || ns[0]["from"] != 2.0 || ns[0]["revision"] != 5.0 {
			t.Errorf("supporter %s after approval: %v", u.Name, ns)
		}
	}
	if ns := editNotes(t, w.s, w.author.ID, forum.NoteEditApproved); len(ns) != 1 {
		t.Errorf("author's approval notes = %v", ns)
	}
	if a := audits(t, w.s, audit0); len(a) != 1 || a[0].Action != forum.ActionEditApprove || a[0].After != "published" {
		t.Errorf("audit = %+v", a)
	}
	// The search index has the new title.
	checkCounters(t, w.s)
}

func TestStore_EditClosedAndMerged(t *testing.T) {
	w, p, _ := reachedWorld(t)
	official := w.member(t, forum.RoleOfficial, "answerer")
	if err := w.s.PublishResponse(ctx, official, p.ID, ansAnswer(forum.DecisionAccepted, "수용합니다"), html("수용")); err != nil {
		t.Fatalf("answer: %v", err)
	}
	_, err := w.s.Edit(ctx, p.ID, w.author.ID, editInput(w, p.Title, p.BodySrc+"?"), html("x"), forum.DefaultRules, nil)
	wantErr(t, err, forum.ErrInvalidState)
	merged := &forum.Proposal{Status: forum.StatusOpen, MergedInto: 9}
	if forum.DefaultRules.CanEdit(merged, w.clock.now()) {
		t.Error("a merged proposal is editable")
	}
}
