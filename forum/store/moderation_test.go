package store

import (
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/e-people/e-people/forum"
	"github.com/e-people/e-people/forum/store/storetest"
	"github.com/e-people/e-people/moderation"
)

// member creates a user with role; an official speaks for the world's ministry.
func (w *world) member(tb testing.TB, role forum.Role, name string) *forum.User {
	tb.Helper()
	u := forum.User{Role: role, Name: name, Email: fmt.Sprintf("%s.%d@example.kr", name, userSeq.Add(1)), Tier: forum.TierEmailVerified}
	if role == forum.RoleOfficial {
		u.MinistryID = w.ministry
	}
	out, err := w.s.CreateUser(ctx, u, "hash")
	if err != nil {
		tb.Fatalf("create %s %s: %v", role, name, err)
	}
	if role.IsStaff() { // staff powers need a confirmed second factor
		return enrol(tb, w.s, out)
	}
	return out
}

// enrol confirms a second factor for u, as staff must before their powers
// work, and returns the account as the store now reads it.
func enrol(tb testing.TB, s *Store, u *forum.User) *forum.User {
	tb.Helper()
	if err := s.EnableSecondFactor(ctx, u.ID, "JBSWY3DPEHPK3PXP", 0, nil, ""); err != nil {
		tb.Fatalf("enrol %s: %v", u.Name, err)
	}
	out, err := s.User(ctx, u.ID)
	if err != nil {
		tb.Fatal(err)
	}
	return out
}

// proposeBy opens a proposal written by authorID, held for review when hold names rules.
func (w *world) proposeBy(tb testing.TB, authorID int64, title string, hold ...string) *forum.Proposal {
	tb.Helper()
	p, err := w.s.CreateProposal(ctx, NewProposal{
		AuthorID:     authorID,
		Input:        forum.ProposalInput{Title: title, Body: title + " 본문", CategoryID: w.category, MinistryID: w.ministry},
		Body:         html(title),
		SponsorToken: "token-" + title,
		Hold:         hold,
	}, 0)
	if err != nil {
		tb.Fatalf("create proposal %q: %v", title, err)
	}
	return p
}

// heldComment posts a comment that trips the content rules in hold.
func (w *world) heldComment(tb testing.TB, proposalID, authorID int64, body string, hold ...string) *forum.Comment {
	tb.Helper()
	c, err := w.s.CreateComment(ctx, NewComment{Subject: forum.ProposalSubject(proposalID), AuthorID: authorID,
		Input: forum.CommentInput{Stance: forum.StanceAgainst, Body: body}, Body: html(body), Hold: hold})
	if err != nil {
		tb.Fatalf("create held comment: %v", err)
	}
	return c
}

// report files one report and fails the test on error.
func (w *world) report(tb testing.TB, kind forum.ItemKind, id, reporterID int64, autoHide int) bool {
	tb.Helper()
	hidden, err := w.s.Report(ctx, forum.Report{Kind: kind, ItemID: id, ReporterID: reporterID, Reason: string(moderation.ReportSpam)}, autoHide, nil)
	if err != nil {
		tb.Fatalf("report %s %d by %d: %v", kind, id, reporterID, err)
	}
	return hidden
}

// pendingReview returns the id of the item's pending review entry, failing unless there is exactly one.
func pendingReview(tb testing.TB, s *Store, kind forum.ItemKind, id int64) int64 {
	tb.Helper()
	if n := count(tb, s, `SELECT count(*) FROM review_items WHERE item_kind = ? AND item_id = ? AND state = 'pending'`, kind, id); n != 1 {
		tb.Fatalf("%s %d has %d pending review entries, want 1", kind, id, n)
	}
	var rid int64
	if err := s.DB().QueryRow(`SELECT id FROM review_items WHERE item_kind = ? AND item_id = ? AND state = 'pending'`, kind, id).Scan(&rid); err != nil {
		tb.Fatal(err)
	}
	return rid
}

// modState returns an item's mod_state and mod_reason.
func modState(tb testing.TB, s *Store, kind forum.ItemKind, id int64) (state, reason string) {
	tb.Helper()
	if err := s.DB().QueryRow(`SELECT mod_state, mod_reason FROM `+string(kind)+`s WHERE id = ?`, id).Scan(&state, &reason); err != nil {
		tb.Fatal(err)
	}
	return state, reason
}

// wantModState fails unless the item is in state for reason.
func wantModState(tb testing.TB, s *Store, kind forum.ItemKind, id int64, state forum.ModState, reason string) {
	tb.Helper()
	if st, r := modState(tb, s, kind, id); st != string(state) || r != reason {
		tb.Errorf("%s %d is %s (%q), want %s (%q)", kind, id, st, r, state, reason)
	}
}

// auditRow is one moderation_actions row as the tests compare it.
type auditRow struct {
	ActorID               int64 // 0 for the system
	Role, Action, Kind    string
	ItemID                int64
	Reason, Before, After string
}

// audits returns the moderation_actions rows after id, oldest first.
func audits(tb testing.TB, s *Store, after int64) []auditRow {
	tb.Helper()
	rows, err := s.DB().Query(`SELECT COALESCE(actor_id, 0), actor_role, action, item_kind, item_id, reason_code, before_state, after_state
		FROM moderation_actions WHERE id > ? ORDER BY id`, after)
	if err != nil {
		tb.Fatal(err)
	}
	defer rows.Close()
	var out []auditRow
	for rows.Next() {
		var a auditRow
		if err := rows.Scan(&a.ActorID, &a.Role, &a.Action, &a.Kind, &a.ItemID, &a.Reason, &a.Before, &a.After); err != nil {
			tb.Fatal(err)
		}
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		tb.Fatal(err)
	}
	return out
}

// lastAuditID is the id of the newest moderation_actions row.
func lastAuditID(tb testing.TB, s *Store) int64 {
	tb.Helper()
	return int64(count(tb, s, `SELECT COALESCE(max(id), 0) FROM moderation_actions`))
}

// expectAudit runs do and checks that it wrote exactly want to the moderation log.
func expectAudit(tb testing.TB, s *Store, do func(), want ...auditRow) {
	tb.Helper()
	before := lastAuditID(tb, s)
	do()
	if got := audits(tb, s, before); !reflect.DeepEqual(got, want) && (len(got) != 0 || len(want) != 0) {
		tb.Errorf("audit rows = %+v\nwant %+v", got, want)
	}
}

// notes returns the kinds of a user's notifications, oldest first.
func notes(tb testing.TB, s *Store, userID int64) []string {
	tb.Helper()
	rows, err := s.DB().Query(`SELECT kind FROM notifications WHERE user_id = ? ORDER BY id`, userID)
	if err != nil {
		tb.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			tb.Fatal(err)
		}
		out = append(out, k)
	}
	return out
}

// lastPayload decodes the payload of the newest event of typ on topic.
func lastPayload(tb testing.TB, s *Store, topic, typ string) map[string]any {
	tb.Helper()
	var payload string
	if err := s.DB().QueryRow(`SELECT payload FROM events WHERE topic = ? AND type = ? ORDER BY id DESC LIMIT 1`, topic, typ).Scan(&payload); err != nil {
		tb.Fatalf("event %s@%s: %v", typ, topic, err)
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(payload), &m); err != nil {
		tb.Fatal(err)
	}
	return m
}

func TestModeration_Report(t *testing.T) {
	w := newWorld(t)
	p := w.openProposal(t, "신고 대상 제안")
	c := w.comment(t, p.ID, w.author.ID, 0, "신고 대상 댓글")
	r1 := newUser(t, w.s, "reporter1")

	if _, err := w.s.Report(ctx, forum.Report{Kind: forum.ItemComment, ItemID: c.ID, ReporterID: w.author.ID, Reason: "spam"}, 3, nil); !errors.Is(err, forum.ErrForbidden) {
		t.Errorf("report own comment: %v, want ErrForbidden", err)
	}
	if _, err := w.s.Report(ctx, forum.Report{Kind: forum.ItemUser, ItemID: w.author.ID, ReporterID: w.author.ID, Reason: "spam"}, 3, nil); !errors.Is(err, forum.ErrForbidden) {
		t.Errorf("report own account: %v, want ErrForbidden", err)
	}
	if n := count(t, w.s, `SELECT count(*) FROM review_items`); n != 0 {
		t.Errorf("refused reports queued %d review entries", n)
	}
	w.report(t, forum.ItemComment, c.ID, r1.ID, 3)
	if _, err := w.s.Report(ctx, forum.Report{Kind: forum.ItemComment, ItemID: c.ID, ReporterID: r1.ID, Reason: "abuse"}, 3, nil); !errors.Is(err, forum.ErrConflict) {
		t.Errorf("second report by the same user: %v, want ErrConflict", err)
	}
	if n := count(t, w.s, `SELECT count(*) FROM reports WHERE item_kind = 'comment' AND item_id = ?`, c.ID); n != 1 {
		t.Errorf("%d reports stored, want 1", n)
	}
	pendingReview(t, w.s, forum.ItemComment, c.ID)
	if _, err := w.s.Report(ctx, forum.Report{Kind: forum.ItemComment, ItemID: c.ID + 1000, ReporterID: r1.ID, Reason: "spam"}, 3, nil); !errors.Is(err, forum.ErrNotFound) {
		t.Errorf("report of a missing comment: %v, want ErrNotFound", err)
	}
	if _, err := w.s.Report(ctx, forum.Report{Kind: "debate", ItemID: p.ID, ReporterID: r1.ID, Reason: "spam"}, 3, nil); err == nil {
		t.Errorf("report of an unknown kind succeeded")
	}
	checkCounters(t, w.s)
}

func TestModeration_ReportAutoHide(t *testing.T) {
	for _, kind := range []forum.ItemKind{forum.ItemComment, forum.ItemProposal} {
		for _, reporters := range []int{2, 3, 4} {
			t.Run(fmt.Sprintf("%s/%d", kind, reporters), func(t *testing.T) {
				w := newWorld(t)
				p := w.openProposal(t, "자동 숨김 제안")
				id, hiddenEvent := p.ID, ev{forum.EventProposalHidden, forum.ProposalTopic(p.ID)}
				if kind == forum.ItemComment {
					id = w.comment(t, p.ID, w.author.ID, 0, "자동 숨김 댓글").ID
					hiddenEvent = ev{forum.EventCommentHidden, forum.ProposalTopic(p.ID)}
				}
				var hidden []bool
				for i := range reporters {
					r := newUser(t, w.s, fmt.Sprintf("r%d", i))
					var want []ev
					if i == 2 { // the item is hidden and its author told
						want = []ev{hiddenEvent, {forum.EventNotification, forum.UserTopic(w.author.ID)}}
					}
					expectEvents(t, w.s, func() { hidden = append(hidden, w.report(t, kind, id, r.ID, 3)) }, want...)
					pendingReview(t, w.s, kind, id)
				}
				for i, h := range hidden {
					if h != (i == 2) {
						t.Errorf("report %d: hidden = %v, want %v", i+1, h, i == 2)
					}
				}
				autoHides := audits(t, w.s, 0)
				if reporters < 3 {
					wantModState(t, w.s, kind, id, forum.ModVisible, "")
					if len(autoHides) != 0 {
						t.Errorf("audit rows with %d reporters: %+v", reporters, autoHides)
					}
					return
				}
				wantModState(t, w.s, kind, id, forum.ModHidden, forum.ReasonAutoHidden)
				want := []auditRow{{Role: "system", Action: forum.ActAutoHide, Kind: string(kind), ItemID: id,
					Reason: forum.ReasonAutoHidden, Before: "visible", After: "hidden"}}
				if !reflect.DeepEqual(autoHides, want) {
					t.Errorf("audit rows = %+v, want %+v", autoHides, want)
				}
				checkCounters(t, w.s)
			})
		}
	}
}

func TestModeration_ReportUserNeverHides(t *testing.T) {
	w := newWorld(t)
	target := newUser(t, w.s, "target")
	for i := range 5 {
		r := newUser(t, w.s, fmt.Sprintf("r%d", i))
		if w.report(t, forum.ItemUser, target.ID, r.ID, 3) {
			t.Errorf("report %d of a user hid something", i+1)
		}
	}
	pendingReview(t, w.s, forum.ItemUser, target.ID)
	u, err := w.s.User(ctx, target.ID)
	if err != nil || u.Status != forum.UserActive || !u.CanPost(w.clock.now()) {
		t.Errorf("reported user: %+v %v", u, err)
	}
	if n := count(t, w.s, `SELECT count(*) FROM moderation_actions`); n != 0 {
		t.Errorf("reports of a user wrote %d audit rows", n)
	}
}

// roleWorld is a world with one user of each role, plus a second official.
type roleWorld struct {
	*world
	citizen, official, moderator, admin, official2, reporter *forum.User
}

func newRoleWorld(tb testing.TB) *roleWorld {
	tb.Helper()
	w := newWorld(tb)
	return &roleWorld{world: w,
		citizen:   w.member(tb, forum.RoleCitizen, "citizen"),
		official:  w.member(tb, forum.RoleOfficial, "official"),
		moderator: w.member(tb, forum.RoleModerator, "moderator"),
		admin:     w.member(tb, forum.RoleAdmin, "admin"),
		official2: w.member(tb, forum.RoleOfficial, "official2"),
		reporter:  w.member(tb, forum.RoleCitizen, "reporter"),
	}
}

func (w *roleWorld) actor(role forum.Role) *forum.User {
	return map[forum.Role]*forum.User{forum.RoleCitizen: w.citizen, forum.RoleOfficial: w.official,
		forum.RoleModerator: w.moderator, forum.RoleAdmin: w.admin}[role]
}

// roleCase is one action prepared against content or an account of owner.
type roleCase struct {
	run  func(actor *forum.User) error
	snap func() string // what the action would change
}

func TestModeration_RoleMatrix(t *testing.T) {
	ops := []struct {
		name    string
		audits  int // rows a success writes
		prepare func(t *testing.T, w *roleWorld, owner *forum.User) roleCase
	}{
		{"Hide", 1, func(t *testing.T, w *roleWorld, owner *forum.User) roleCase {
			p := w.openProposal(t, "제안")
			c := w.comment(t, p.ID, owner.ID, 0, "댓글")
			return roleCase{
				run: func(a *forum.User) error { return w.s.Hide(ctx, a, forum.ItemComment, c.ID, moderation.HideSpam) },
				snap: func() string {
					st, r := modState(t, w.s, forum.ItemComment, c.ID)
					return st + "/" + r
				},
			}
		}},
		{"HideProposal", 1, func(t *testing.T, w *roleWorld, owner *forum.User) roleCase {
			p := w.proposeBy(t, owner.ID, "숨길 제안")
			return roleCase{
				run: func(a *forum.User) error { return w.s.Hide(ctx, a, forum.ItemProposal, p.ID, moderation.HideOfftopic) },
				snap: func() string {
					st, r := modState(t, w.s, forum.ItemProposal, p.ID)
					return st + "/" + r
				},
			}
		}},
		{"Restore", 1, func(t *testing.T, w *roleWorld, owner *forum.User) roleCase {
			p := w.openProposal(t, "제안")
			c := w.comment(t, p.ID, owner.ID, 0, "댓글")
			if _, err := w.s.DB().Exec(`UPDATE comments SET mod_state = 'hidden', mod_reason = 'spam' WHERE id = ?`, c.ID); err != nil {
				t.Fatal(err)
			}
			return roleCase{
				run: func(a *forum.User) error { return w.s.Restore(ctx, a, forum.ItemComment, c.ID) },
				snap: func() string {
					st, r := modState(t, w.s, forum.ItemComment, c.ID)
					return st + "/" + r
				},
			}
		}},
		{"Decide", 1, func(t *testing.T, w *roleWorld, owner *forum.User) roleCase {
			p := w.openProposal(t, "제안")
			c := w.comment(t, p.ID, owner.ID, 0, "댓글")
			w.report(t, forum.ItemComment, c.ID, w.reporter.ID, 3)
			rid := pendingReview(t, w.s, forum.ItemComment, c.ID)
			return roleCase{
				run: func(a *forum.User) error {
					return w.s.Decide(ctx, a, rid, moderation.DecisionReject, moderation.HideSpam)
				},
				snap: func() string {
					st, _ := modState(t, w.s, forum.ItemComment, c.ID)
					var rs string
					if err := w.s.DB().QueryRow(`SELECT state FROM review_items WHERE id = ?`, rid).Scan(&rs); err != nil {
						t.Fatal(err)
					}
					return st + "/" + rs
				},
			}
		}},
		{"SetLock", 1, func(t *testing.T, w *roleWorld, owner *forum.User) roleCase {
			p := w.proposeBy(t, owner.ID, "잠글 제안")
			return roleCase{
				run: func(a *forum.User) error { return w.s.SetLock(ctx, a, forum.ProposalSubject(p.ID), true) },
				snap: func() string {
					return fmt.Sprint(count(t, w.s, `SELECT locked FROM proposals WHERE id = ?`, p.ID))
				},
			}
		}},
		{"Suspend", 1, func(t *testing.T, w *roleWorld, owner *forum.User) roleCase {
			until := w.clock.now().Add(48 * time.Hour)
			return roleCase{
				run:  func(a *forum.User) error { return w.s.Suspend(ctx, a, owner.ID, until, moderation.HideOffensive) },
				snap: func() string { return userStatus(t, w.s, owner.ID) },
			}
		}},
		{"Lift", 1, func(t *testing.T, w *roleWorld, owner *forum.User) roleCase {
			if _, err := w.s.DB().Exec(`UPDATE users SET status = 'suspended', suspended_until = ? WHERE id = ?`,
				w.clock.now().Add(24*time.Hour).Unix(), owner.ID); err != nil {
				t.Fatal(err)
			}
			return roleCase{
				run:  func(a *forum.User) error { return w.s.Lift(ctx, a, owner.ID) },
				snap: func() string { return userStatus(t, w.s, owner.ID) },
			}
		}},
		{"Claim", 0, func(t *testing.T, w *roleWorld, owner *forum.User) roleCase {
			p := w.openProposal(t, "제안")
			c := w.comment(t, p.ID, owner.ID, 0, "댓글")
			w.report(t, forum.ItemComment, c.ID, w.reporter.ID, 3)
			rid := pendingReview(t, w.s, forum.ItemComment, c.ID)
			return roleCase{
				run: func(a *forum.User) error { return w.s.Claim(ctx, a, rid) },
				snap: func() string {
					return fmt.Sprint(count(t, w.s, `SELECT COALESCE(claimed_by, 0) FROM review_items WHERE id = ?`, rid))
				},
			}
		}},
		{"Appoint", 1, func(t *testing.T, w *roleWorld, owner *forum.User) roleCase {
			return roleCase{
				run: func(a *forum.User) error { return w.s.Appoint(ctx, a, owner.ID) },
				snap: func() string {
					u, err := w.s.User(ctx, owner.ID)
					if err != nil {
						t.Fatal(err)
					}
					return string(u.Role)
				},
			}
		}},
	}
	want := func(op string, actor forum.Role, target string) error {
		switch {
		case actor == forum.RoleCitizen || actor == forum.RoleOfficial:
			return forum.ErrForbidden
		case op == "Appoint" && actor != forum.RoleAdmin:
			return forum.ErrForbidden
		case op == "Appoint" && target != "citizen":
			return forum.ErrInvalidState // only citizens become moderators
		case actor == forum.RoleModerator && target != "citizen":
			return forum.ErrForbidden
		case op == "Suspend" && target == "self":
			return forum.ErrForbidden // nobody suspends themselves
		}
		return nil
	}
	for _, op := range ops {
		for _, role := range []forum.Role{forum.RoleCitizen, forum.RoleOfficial, forum.RoleModerator, forum.RoleAdmin} {
			for _, target := range []string{"citizen", "self", "staff"} {
				t.Run(op.name+"/"+string(role)+"/"+target, func(t *testing.T) {
					w := newRoleWorld(t)
					actor := w.actor(role)
					owner := map[string]*forum.User{"citizen": w.author, "self": actor, "staff": w.official2}[target]
					rc := op.prepare(t, w, owner)
					before, audit0, notes0, ev0 := rc.snap(), lastAuditID(t, w.s), count(t, w.s, `SELECT count(*) FROM notifications`), lastEventID(t, w.s)
					err := rc.run(actor)
					wantErr := want(op.name, role, target)
					if !errors.Is(err, wantErr) || (wantErr == nil && err != nil) {
						t.Fatalf("error = %v, want %v", err, wantErr)
					}
					rows := audits(t, w.s, audit0)
					if wantErr != nil {
						if after := rc.snap(); after != before {
							t.Errorf("refused action changed %q to %q", before, after)
						}
						if len(rows) != 0 || count(t, w.s, `SELECT count(*) FROM notifications`) != notes0 || lastEventID(t, w.s) != ev0 {
							t.Errorf("refused action wrote audit rows %+v, notifications or events", rows)
						}
						return
					}
					if after := rc.snap(); after == before {
						t.Errorf("allowed action left %q unchanged", before)
					}
					if len(rows) != op.audits {
						t.Fatalf("audit rows = %+v, want %d", rows, op.audits)
					}
					if op.audits == 1 && (rows[0].Role != string(role) || rows[0].ActorID != actor.ID) {
						t.Errorf("audit actor = %d %s, want %d %s", rows[0].ActorID, rows[0].Role, actor.ID, role)
					}
					checkCounters(t, w.s)
				})
			}
		}
	}
}

func userStatus(tb testing.TB, s *Store, id int64) string {
	tb.Helper()
	var status string
	var until sql.NullInt64
	if err := s.DB().QueryRow(`SELECT status, suspended_until FROM users WHERE id = ?`, id).Scan(&status, &until); err != nil {
		tb.Fatal(err)
	}
	return fmt.Sprintf("%s/%d", status, until.Int64)
}

func TestModeration_AuditRows(t *testing.T) {
	w := newRoleWorld(t)
	mod, admin := w.moderator, w.admin
	p := w.openProposal(t, "감사 기록 제안")
	c := w.comment(t, p.ID, w.author.ID, 0, "감사 기록 댓글")
	cid, pid, uid := c.ID, p.ID, w.citizen.ID
	until := w.clock.now().Add(24 * time.Hour)
	row := func(actor *forum.User, action string, kind forum.ItemKind, id int64, reason, before, after string) auditRow {
		return auditRow{ActorID: actor.ID, Role: string(actor.Role), Action: action, Kind: string(kind), ItemID: id,
			Reason: reason, Before: before, After: after}
	}
	steps := []struct {
		name string
		do   func() error
		want auditRow
	}{
		{"hide", func() error { return w.s.Hide(ctx, mod, forum.ItemComment, cid, moderation.HideSpam) },
			row(mod, forum.ActHide, forum.ItemComment, cid, "spam", "visible", "hidden")},
		{"restore", func() error { return w.s.Restore(ctx, mod, forum.ItemComment, cid) },
			row(mod, forum.ActRestore, forum.ItemComment, cid, "", "hidden", "visible")},
		{"hide proposal", func() error { return w.s.Hide(ctx, admin, forum.ItemProposal, pid, moderation.HideDuplicate) },
			row(admin, forum.ActHide, forum.ItemProposal, pid, "duplicate", "visible", "hidden")},
		{"restore proposal", func() error { return w.s.Restore(ctx, admin, forum.ItemProposal, pid) },
			row(admin, forum.ActRestore, forum.ItemProposal, pid, "", "hidden", "visible")},
		{"lock", func() error { return w.s.SetLock(ctx, mod, forum.ProposalSubject(pid), true) },
			row(mod, forum.ActLock, forum.ItemProposal, pid, "", "unlocked", "locked")},
		{"unlock", func() error { return w.s.SetLock(ctx, mod, forum.ProposalSubject(pid), false) },
			row(mod, forum.ActUnlock, forum.ItemProposal, pid, "", "locked", "unlocked")},
		{"suspend", func() error { return w.s.Suspend(ctx, mod, uid, until, moderation.HideOffensive) },
			row(mod, forum.ActSuspend, forum.ItemUser, uid, "offensive", "active", "suspended until 2025-03-02T09:00:00Z")},
		{"lift suspension", func() error { return w.s.Lift(ctx, mod, uid) },
			row(mod, forum.ActLift, forum.ItemUser, uid, "", "suspended", "active")},
		{"ban", func() error { return w.s.Suspend(ctx, admin, uid, time.Time{}, moderation.HideIllegal) },
			row(admin, forum.ActBan, forum.ItemUser, uid, "illegal", "active", "banned")},
		{"lift ban", func() error { return w.s.Lift(ctx, admin, uid) },
			row(admin, forum.ActLift, forum.ItemUser, uid, "", "banned", "active")},
		{"appoint", func() error { return w.s.Appoint(ctx, admin, uid) },
			row(admin, forum.ActAppoint, forum.ItemUser, uid, "", "citizen", "moderator")},
	}
	for _, st := range steps {
		expectAudit(t, w.s, func() {
			if err := st.do(); err != nil {
				t.Fatalf("%s: %v", st.name, err)
			}
		}, st.want)
	}
	checkCounters(t, w.s)
}

func TestModeration_FailuresWriteNothing(t *testing.T) {
	w := newRoleWorld(t)
	mod := w.moderator
	p := w.openProposal(t, "실패 제안")
	visible := w.comment(t, p.ID, w.author.ID, 0, "보이는 댓글")
	hidden := w.comment(t, p.ID, w.author.ID, 0, "숨긴 댓글")
	if err := w.s.Hide(ctx, w.admin, forum.ItemComment, hidden.ID, moderation.HideSpam); err != nil {
		t.Fatal(err)
	}
	w.report(t, forum.ItemComment, visible.ID, w.reporter.ID, 3)
	rid := pendingReview(t, w.s, forum.ItemComment, visible.ID)
	if err := w.s.SetLock(ctx, mod, forum.ProposalSubject(p.ID), true); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		do   func() error
		is   error  // errors.Is target, or nil for a validation error
		key  string // the validation key when is is nil
	}{
		{"hide with no reason", func() error { return w.s.Hide(ctx, mod, forum.ItemComment, visible.ID, "") }, nil, "err.reason_required"},
		{"hide with a made-up reason", func() error { return w.s.Hide(ctx, mod, forum.ItemComment, visible.ID, "boring") }, nil, "err.reason_required"},
		{"hide twice", func() error { return w.s.Hide(ctx, mod, forum.ItemComment, hidden.ID, moderation.HideSpam) }, forum.ErrInvalidState, ""},
		{"hide a user", func() error { return w.s.Hide(ctx, mod, forum.ItemUser, w.citizen.ID, moderation.HideSpam) }, forum.ErrForbidden, ""},
		{"hide a missing comment", func() error { return w.s.Hide(ctx, mod, forum.ItemComment, 99999, moderation.HideSpam) }, forum.ErrNotFound, ""},
		{"restore a visible comment", func() error { return w.s.Restore(ctx, mod, forum.ItemComment, visible.ID) }, forum.ErrInvalidState, ""},
		{"reject without a reason", func() error { return w.s.Decide(ctx, mod, rid, moderation.DecisionReject, "") }, nil, "err.reason_required"},
		{"decide a missing entry", func() error { return w.s.Decide(ctx, mod, 99999, moderation.DecisionApprove, "") }, forum.ErrNotFound, ""},
		{"lock twice", func() error { return w.s.SetLock(ctx, mod, forum.ProposalSubject(p.ID), true) }, forum.ErrInvalidState, ""},
		{"suspend without a reason", func() error {
			return w.s.Suspend(ctx, mod, w.citizen.ID, w.clock.now().Add(time.Hour), "")
		}, nil, "err.reason_required"},
		{"suspend until the past", func() error {
			return w.s.Suspend(ctx, mod, w.citizen.ID, w.clock.now().Add(-time.Hour), moderation.HideSpam)
		}, nil, "err.until_past"},
		{"lift an active account", func() error { return w.s.Lift(ctx, mod, w.citizen.ID) }, forum.ErrInvalidState, ""},
		{"appoint an official", func() error { return w.s.Appoint(ctx, w.admin, w.official.ID) }, forum.ErrInvalidState, ""},
	}
	for _, tc := range cases {
		audit0, notes0, ev0 := lastAuditID(t, w.s), count(t, w.s, `SELECT count(*) FROM notifications`), lastEventID(t, w.s)
		err := tc.do()
		if tc.is != nil {
			if !errors.Is(err, tc.is) {
				t.Errorf("%s: error = %v, want %v", tc.name, err, tc.is)
			}
		} else {
			wantInvalid(t, err, tc.key)
		}
		if rows := audits(t, w.s, audit0); len(rows) != 0 {
			t.Errorf("%s: wrote audit rows %+v", tc.name, rows)
		}
		if count(t, w.s, `SELECT count(*) FROM notifications`) != notes0 || lastEventID(t, w.s) != ev0 {
			t.Errorf("%s: wrote notifications or events", tc.name)
		}
	}
	wantModState(t, w.s, forum.ItemComment, visible.ID, forum.ModVisible, "")
	wantModState(t, w.s, forum.ItemComment, hidden.ID, forum.ModHidden, "spam")
	if pendingReview(t, w.s, forum.ItemComment, visible.ID) != rid {
		t.Errorf("the pending review entry changed")
	}
	if u, _ := w.s.User(ctx, w.citizen.ID); u.Status != forum.UserActive || u.Role != forum.RoleCitizen {
		t.Errorf("citizen after refused actions: %+v", u)
	}
	checkCounters(t, w.s)
}

func TestModeration_HideNotifiesAuthor(t *testing.T) {
	w := newRoleWorld(t)
	p := w.openProposal(t, "알림 제안")
	c := w.comment(t, p.ID, w.author.ID, 0, "알림 댓글")
	w.report(t, forum.ItemComment, c.ID, w.reporter.ID, 3)
	userTopic := forum.UserTopic(w.author.ID)
	expectEvents(t, w.s, func() {
		if err := w.s.Hide(ctx, w.moderator, forum.ItemComment, c.ID, moderation.HidePersonalData); err != nil {
			t.Fatal(err)
		}
	}, ev{forum.EventCommentHidden, forum.ProposalTopic(p.ID)}, ev{forum.EventNotification, userTopic})
	wantModState(t, w.s, forum.ItemComment, c.ID, forum.ModHidden, "personal_data")
	if n := count(t, w.s, `SELECT count(*) FROM review_items WHERE item_kind = 'comment' AND item_id = ? AND state = 'rejected' AND resolved_by = ?`,
		c.ID, w.moderator.ID); n != 1 {
		t.Errorf("hide left the review entry open")
	}
	if got := notes(t, w.s, w.author.ID); !reflect.DeepEqual(got, []string{forum.NoteContentHidden}) {
		t.Errorf("notifications = %v", got)
	}
	pl := lastPayload(t, w.s, userTopic, forum.EventNotification)
	if pl["kind"] != forum.NoteContentHidden || pl["unread"] != float64(1) {
		t.Errorf("notification event payload = %v", pl)
	}
	if ev := lastPayload(t, w.s, forum.ProposalTopic(p.ID), forum.EventCommentHidden); ev["comment_id"] != float64(c.ID) || ev["reason"] != "personal_data" {
		t.Errorf("comment.hidden payload = %v", ev)
	}

	expectEvents(t, w.s, func() {
		if err := w.s.Restore(ctx, w.moderator, forum.ItemComment, c.ID); err != nil {
			t.Fatal(err)
		}
	}, ev{forum.EventCommentRestored, forum.ProposalTopic(p.ID)}, ev{forum.EventNotification, userTopic})
	if got := notes(t, w.s, w.author.ID); !reflect.DeepEqual(got, []string{forum.NoteContentHidden, forum.NoteContentRestored}) {
		t.Errorf("notifications = %v", got)
	}
	if pl := lastPayload(t, w.s, userTopic, forum.EventNotification); pl["kind"] != forum.NoteContentRestored || pl["unread"] != float64(2) {
		t.Errorf("notification event payload = %v", pl)
	}
	if n := count(t, w.s, `SELECT count(*) FROM notifications WHERE user_id <> ?`, w.author.ID); n != 0 {
		t.Errorf("%d notifications went to someone else", n)
	}
	// A hidden proposal drops out of the public topic too.
	expectEvents(t, w.s, func() {
		if err := w.s.Hide(ctx, w.moderator, forum.ItemProposal, p.ID, moderation.HideSpam); err != nil {
			t.Fatal(err)
		}
	}, ev{forum.EventProposalHidden, forum.ProposalTopic(p.ID)}, ev{forum.EventNotification, userTopic})
	checkCounters(t, w.s)
}

func TestModeration_Decide(t *testing.T) {
	cases := []struct {
		decision moderation.Decision
		reason   moderation.HideReason
		state    forum.ModState
		modR     string
		review   string
		action   string
		notes    []string
	}{
		{moderation.DecisionApprove, "", forum.ModVisible, "", "approved", forum.ActApprove, nil},
		{moderation.DecisionReject, moderation.HideOfftopic, forum.ModHidden, "offtopic", "rejected", forum.ActReject, []string{forum.NoteContentHidden}},
		{moderation.DecisionIgnore, "", forum.ModVisible, "", "ignored", forum.ActIgnore, nil},
	}
	for _, tc := range cases {
		t.Run(string(tc.decision), func(t *testing.T) {
			w := newRoleWorld(t)
			p := w.openProposal(t, "검토 제안")
			c := w.comment(t, p.ID, w.author.ID, 0, "검토 댓글")
			w.report(t, forum.ItemComment, c.ID, w.reporter.ID, 3)
			rid := pendingReview(t, w.s, forum.ItemComment, c.ID)
			expectAudit(t, w.s, func() {
				if err := w.s.Decide(ctx, w.moderator, rid, tc.decision, tc.reason); err != nil {
					t.Fatal(err)
				}
			}, auditRow{ActorID: w.moderator.ID, Role: "moderator", Action: tc.action, Kind: "comment", ItemID: c.ID,
				Reason: tc.modR, Before: "visible", After: string(tc.state)})
			wantModState(t, w.s, forum.ItemComment, c.ID, tc.state, tc.modR)
			if n := count(t, w.s, `SELECT count(*) FROM review_items WHERE id = ? AND state = ? AND resolved_by = ? AND resolved_at IS NOT NULL`,
				rid, tc.review, w.moderator.ID); n != 1 {
				t.Errorf("review entry not %s", tc.review)
			}
			if got := notes(t, w.s, w.author.ID); !reflect.DeepEqual(got, tc.notes) {
				t.Errorf("notifications = %v, want %v", got, tc.notes)
			}
			for _, d := range moderation.AllDecisions() {
				if err := w.s.Decide(ctx, w.admin, rid, d, moderation.HideSpam); !errors.Is(err, forum.ErrInvalidState) {
					t.Errorf("deciding %s again: %v, want ErrInvalidState", d, err)
				}
			}
			checkCounters(t, w.s)
		})
	}

	t.Run("reject needs a reason", func(t *testing.T) {
		w := newRoleWorld(t)
		p := w.openProposal(t, "검토 제안")
		w.report(t, forum.ItemProposal, p.ID, w.reporter.ID, 3)
		rid := pendingReview(t, w.s, forum.ItemProposal, p.ID)
		for _, r := range []moderation.HideReason{"", "reports", "nope"} {
			err := w.s.Decide(ctx, w.moderator, rid, moderation.DecisionReject, r)
			var ve *forum.ValidationError
			if !errors.As(err, &ve) {
				t.Errorf("reject with reason %q: %v, want a *forum.ValidationError", r, err)
			}
		}
		pendingReview(t, w.s, forum.ItemProposal, p.ID)
		if err := w.s.Decide(ctx, w.moderator, rid, "maybe", ""); err == nil {
			t.Errorf("an unknown decision succeeded")
		}
		pendingReview(t, w.s, forum.ItemProposal, p.ID)
		wantModState(t, w.s, forum.ItemProposal, p.ID, forum.ModVisible, "")
	})

	t.Run("ignore shows an auto-hidden item", func(t *testing.T) {
		w := newRoleWorld(t)
		p := w.openProposal(t, "검토 제안")
		c := w.comment(t, p.ID, w.author.ID, 0, "자동 숨김 댓글")
		for i := range 3 {
			w.report(t, forum.ItemComment, c.ID, w.member(t, forum.RoleCitizen, fmt.Sprint("r", i)).ID, 3)
		}
		wantModState(t, w.s, forum.ItemComment, c.ID, forum.ModHidden, forum.ReasonAutoHidden)
		rid := pendingReview(t, w.s, forum.ItemComment, c.ID)
		expectEvents(t, w.s, func() {
			if err := w.s.Decide(ctx, w.moderator, rid, moderation.DecisionIgnore, ""); err != nil {
				t.Fatal(err)
			}
		}, ev{forum.EventCommentRestored, forum.ProposalTopic(p.ID)}, ev{forum.EventNotification, forum.UserTopic(w.author.ID)})
		wantModState(t, w.s, forum.ItemComment, c.ID, forum.ModVisible, "")
		rows := audits(t, w.s, 0)
		if last := rows[len(rows)-1]; last.Action != forum.ActIgnore || last.Before != "hidden" || last.After != "visible" {
			t.Errorf("last audit row = %+v", last)
		}
	})

	t.Run("reject an auto-hidden item records its reason", func(t *testing.T) {
		w := newRoleWorld(t)
		p := w.openProposal(t, "검토 제안")
		for i := range 3 {
			w.report(t, forum.ItemProposal, p.ID, w.member(t, forum.RoleCitizen, fmt.Sprint("r", i)).ID, 3)
		}
		rid := pendingReview(t, w.s, forum.ItemProposal, p.ID)
		if err := w.s.Decide(ctx, w.moderator, rid, moderation.DecisionReject, moderation.HideDefamatory); err != nil {
			t.Fatal(err)
		}
		wantModState(t, w.s, forum.ItemProposal, p.ID, forum.ModHidden, "defamatory")
		// Told once when reports hid it, once when a moderator confirmed it with a reason.
		if got := notes(t, w.s, w.author.ID); !reflect.DeepEqual(got, []string{forum.NoteContentHidden, forum.NoteContentHidden}) {
			t.Errorf("author notifications = %v, want content_hidden twice", got)
		}
	})

	t.Run("ignoring new reports keeps a moderator's hide", func(t *testing.T) {
		w := newRoleWorld(t)
		p := w.openProposal(t, "검토 제안")
		c := w.comment(t, p.ID, w.author.ID, 0, "숨긴 댓글")
		if err := w.s.Hide(ctx, w.admin, forum.ItemComment, c.ID, moderation.HideSpam); err != nil {
			t.Fatal(err)
		}
		w.report(t, forum.ItemComment, c.ID, w.reporter.ID, 3)
		rid := pendingReview(t, w.s, forum.ItemComment, c.ID)
		expectAudit(t, w.s, func() {
			if err := w.s.Decide(ctx, w.moderator, rid, moderation.DecisionIgnore, ""); err != nil {
				t.Fatal(err)
			}
		}, auditRow{ActorID: w.moderator.ID, Role: "moderator", Action: forum.ActIgnore, Kind: "comment", ItemID: c.ID,
			Before: "hidden", After: "hidden"})
		wantModState(t, w.s, forum.ItemComment, c.ID, forum.ModHidden, "spam")
	})

	t.Run("approve a held comment", func(t *testing.T) {
		w := newRoleWorld(t)
		p := w.openProposal(t, "검토 제안")
		c := w.heldComment(t, p.ID, w.citizen.ID, "보류 댓글", "link")
		rid := pendingReview(t, w.s, forum.ItemComment, c.ID)
		if err := w.s.Decide(ctx, w.moderator, rid, moderation.DecisionApprove, ""); err != nil {
			t.Fatal(err)
		}
		wantModState(t, w.s, forum.ItemComment, c.ID, forum.ModVisible, "")
		if got := notes(t, w.s, w.citizen.ID); !reflect.DeepEqual(got, []string{forum.NoteContentRestored}) {
			t.Errorf("notifications = %v", got)
		}
	})

	for _, tc := range []struct {
		decision moderation.Decision
		held     bool
		state    string
	}{
		{moderation.DecisionApprove, false, "approved"},
		{moderation.DecisionReject, true, "rejected"},
		{moderation.DecisionIgnore, true, "ignored"},
	} {
		t.Run("user "+string(tc.decision), func(t *testing.T) {
			w := newRoleWorld(t)
			u, err := w.s.CreateUser(ctx, forum.User{Role: forum.RoleCitizen, Name: "throwaway", Email: "x@mailinator.com", Held: true}, "hash")
			if err != nil || !u.Held {
				t.Fatalf("create held user: %+v %v", u, err)
			}
			rid := pendingReview(t, w.s, forum.ItemUser, u.ID)
			if rules := count(t, w.s, `SELECT count(*) FROM review_items WHERE id = ? AND rules = 'disposable_email'`, rid); rules != 1 {
				t.Errorf("review rules are not disposable_email")
			}
			if rows := audits(t, w.s, 0); len(rows) != 1 || rows[0].Action != forum.ActHold || rows[0].Role != "system" || rows[0].Kind != "user" {
				t.Errorf("audit rows = %+v", rows)
			}
			expectAudit(t, w.s, func() {
				if err := w.s.Decide(ctx, w.moderator, rid, tc.decision, moderation.HideSpam); err != nil {
					t.Fatal(err)
				}
			}, auditRow{ActorID: w.moderator.ID, Role: "moderator", Action: string(tc.decision), Kind: "user", ItemID: u.ID,
				Reason: map[bool]string{true: "spam"}[tc.decision == moderation.DecisionReject]})
			got, err := w.s.User(ctx, u.ID)
			if err != nil || got.Held != tc.held || got.Status != forum.UserActive {
				t.Errorf("user after %s: %+v %v, want held %v", tc.decision, got, err, tc.held)
			}
			if n := count(t, w.s, `SELECT count(*) FROM review_items WHERE id = ? AND state = ?`, rid, tc.state); n != 1 {
				t.Errorf("review entry not %s", tc.state)
			}
		})
	}

	t.Run("moderator may not decide on a staff account", func(t *testing.T) {
		w := newRoleWorld(t)
		w.report(t, forum.ItemUser, w.official.ID, w.reporter.ID, 3)
		rid := pendingReview(t, w.s, forum.ItemUser, w.official.ID)
		wantErr(t, w.s.Decide(ctx, w.moderator, rid, moderation.DecisionIgnore, ""), forum.ErrForbidden)
		pendingReview(t, w.s, forum.ItemUser, w.official.ID)
		if err := w.s.Decide(ctx, w.admin, rid, moderation.DecisionIgnore, ""); err != nil {
			t.Errorf("admin decides on an official: %v", err)
		}
	})
}

func TestModeration_Claim(t *testing.T) {
	w := newRoleWorld(t)
	mod2 := w.member(t, forum.RoleModerator, "moderator2")
	p := w.openProposal(t, "검토 제안")
	c := w.comment(t, p.ID, w.author.ID, 0, "검토 댓글")
	w.report(t, forum.ItemComment, c.ID, w.reporter.ID, 3)
	rid := pendingReview(t, w.s, forum.ItemComment, c.ID)
	claimedBy := func() int64 {
		return int64(count(t, w.s, `SELECT COALESCE(claimed_by, 0) FROM review_items WHERE id = ?`, rid))
	}
	if err := w.s.Claim(ctx, w.moderator, rid); err != nil || claimedBy() != w.moderator.ID {
		t.Fatalf("first claim: %v, claimed by %d", err, claimedBy())
	}
	wantErr(t, w.s.Claim(ctx, mod2, rid), forum.ErrConflict)
	w.clock.advance(20 * time.Minute)
	if err := w.s.Claim(ctx, w.moderator, rid); err != nil { // renewing one's own claim
		t.Errorf("renew claim: %v", err)
	}
	w.clock.advance(29 * time.Minute)
	wantErr(t, w.s.Claim(ctx, mod2, rid), forum.ErrConflict)
	wantErr(t, w.s.Claim(ctx, w.admin, rid), forum.ErrConflict)
	if claimedBy() != w.moderator.ID {
		t.Errorf("a refused claim took the entry")
	}
	w.clock.advance(2 * time.Minute)
	if err := w.s.Claim(ctx, mod2, rid); err != nil || claimedBy() != mod2.ID {
		t.Errorf("claim after 30 minutes: %v, claimed by %d", err, claimedBy())
	}
	if at := count(t, w.s, `SELECT claimed_at FROM review_items WHERE id = ?`, rid); int64(at) != w.clock.now().Unix() {
		t.Errorf("claimed_at = %d, want %d", at, w.clock.now().Unix())
	}
	wantErr(t, w.s.Claim(ctx, w.moderator, 99999), forum.ErrNotFound)
	if err := w.s.Decide(ctx, mod2, rid, moderation.DecisionApprove, ""); err != nil {
		t.Fatal(err)
	}
	wantErr(t, w.s.Claim(ctx, w.moderator, rid), forum.ErrInvalidState)
	if n := count(t, w.s, `SELECT count(*) FROM moderation_actions WHERE action NOT IN ('approve')`); n != 0 {
		t.Errorf("claims wrote %d audit rows", n)
	}
}

func TestModeration_SetLock(t *testing.T) {
	w := newRoleWorld(t)
	p := w.openProposal(t, "잠금 제안")
	c := w.comment(t, p.ID, w.citizen.ID, 0, "잠금 전 댓글")
	subj := forum.ProposalSubject(p.ID)
	newComment := func() error {
		_, err := w.s.CreateComment(ctx, NewComment{Subject: subj, AuthorID: w.reporter.ID,
			Input: forum.CommentInput{Stance: forum.StanceNeutral, Body: "새 댓글"}, Body: html("새 댓글")})
		return err
	}
	expectEvents(t, w.s, func() {
		if err := w.s.SetLock(ctx, w.moderator, subj, true); err != nil {
			t.Fatal(err)
		}
	}, ev{forum.EventThreadLocked, subj.Topic()})
	if got, _ := w.s.Proposal(ctx, p.ID); !got.Locked {
		t.Errorf("proposal not locked")
	}
	wantErr(t, newComment(), forum.ErrInvalidState)
	_, err := w.s.VoteComment(ctx, c.ID, w.reporter.ID, 1)
	wantErr(t, err, forum.ErrInvalidState)
	wantErr(t, w.s.SetLock(ctx, w.admin, subj, true), forum.ErrInvalidState)

	if err := w.s.SetLock(ctx, w.moderator, subj, false); err != nil {
		t.Fatal(err)
	}
	if got, _ := w.s.Proposal(ctx, p.ID); got.Locked {
		t.Errorf("proposal still locked")
	}
	if err := newComment(); err != nil {
		t.Errorf("comment after unlock: %v", err)
	}
	if got, err := w.s.VoteComment(ctx, c.ID, w.reporter.ID, 1); err != nil || got.Up != 1 {
		t.Errorf("vote after unlock: %+v %v", got, err)
	}
	wantErr(t, w.s.SetLock(ctx, w.moderator, subj, false), forum.ErrInvalidState)
	wantErr(t, w.s.SetLock(ctx, w.moderator, forum.ProposalSubject(99999), true), forum.ErrNotFound)

	// A debate is hosted by an official: staff content a moderator may not lock.
	now := w.clock.now()
	d, err := w.s.CreateDebate(ctx, NewDebate{HostID: w.official.ID, Background: html("배경"),
		Input: forum.DebateInput{Question: "잠글 토론", Background: "배경", OpensAt: now, ClosesAt: now.Add(time.Hour), MinistryID: w.ministry}})
	if err != nil {
		t.Fatal(err)
	}
	ds := forum.DebateSubject(d.ID)
	wantErr(t, w.s.SetLock(ctx, w.moderator, ds, true), forum.ErrForbidden)
	expectAudit(t, w.s, func() {
		if err := w.s.SetLock(ctx, w.admin, ds, true); err != nil {
			t.Fatal(err)
		}
	}, auditRow{ActorID: w.admin.ID, Role: "admin", Action: forum.ActLock, Kind: "debate", ItemID: d.ID, Before: "unlocked", After: "locked"})
	_, err = w.s.CreateComment(ctx, NewComment{Subject: ds, AuthorID: w.citizen.ID,
		Input: forum.CommentInput{Stance: forum.StanceFor, Body: "논거"}, Body: html("논거")})
	wantErr(t, err, forum.ErrInvalidState)
	checkCounters(t, w.s)
}

func TestModeration_Suspend(t *testing.T) {
	w := newRoleWorld(t)
	until := w.clock.now().Add(72 * time.Hour)
	if err := w.s.Suspend(ctx, w.moderator, w.citizen.ID, until, moderation.HideOffensive); err != nil {
		t.Fatal(err)
	}
	u, err := w.s.User(ctx, w.citizen.ID)
	if err != nil || u.Status != forum.UserSuspended || !u.SuspendedUntil.Equal(until) {
		t.Fatalf("suspended user: %+v %v", u, err)
	}
	if u.CanPost(w.clock.now()) || u.CanPost(until.Add(-time.Second)) {
		t.Errorf("a suspended user may post before %v", until)
	}
	if !u.CanPost(until) || !u.CanPost(until.Add(time.Hour)) {
		t.Errorf("a suspended user may not post after %v", until)
	}
	if got := notes(t, w.s, w.citizen.ID); !reflect.DeepEqual(got, []string{forum.NoteSuspended}) {
		t.Errorf("notifications = %v", got)
	}
	if err := w.s.Lift(ctx, w.moderator, w.citizen.ID); err != nil {
		t.Fatal(err)
	}
	if u, _ := w.s.User(ctx, w.citizen.ID); u.Status != forum.UserActive || !u.SuspendedUntil.IsZero() {
		t.Errorf("lifted user: %+v", u)
	}

	// A ban has no end; it also closes the account's review entry.
	w.report(t, forum.ItemUser, w.citizen.ID, w.reporter.ID, 3)
	rid := pendingReview(t, w.s, forum.ItemUser, w.citizen.ID)
	if err := w.s.Suspend(ctx, w.moderator, w.citizen.ID, time.Time{}, moderation.HideSpam); err != nil {
		t.Fatal(err)
	}
	u, _ = w.s.User(ctx, w.citizen.ID)
	if u.Status != forum.UserBanned || !u.SuspendedUntil.IsZero() || u.CanPost(w.clock.now().Add(10*365*24*time.Hour)) {
		t.Errorf("banned user: %+v", u)
	}
	if n := count(t, w.s, `SELECT count(*) FROM review_items WHERE id = ? AND state = 'rejected'`, rid); n != 1 {
		t.Errorf("ban left the review entry open")
	}
	if err := w.s.Lift(ctx, w.moderator, w.citizen.ID); err != nil {
		t.Fatal(err)
	}
	if u, _ := w.s.User(ctx, w.citizen.ID); u.Status != forum.UserActive {
		t.Errorf("lifted ban: %+v", u)
	}

	// Staff accounts are beyond a moderator's reach.
	mod2 := w.member(t, forum.RoleModerator, "moderator2")
	for _, target := range []*forum.User{w.official, w.admin, mod2, w.moderator} {
		audit0 := lastAuditID(t, w.s)
		wantErr(t, w.s.Suspend(ctx, w.moderator, target.ID, until, moderation.HideSpam), forum.ErrForbidden)
		if st := userStatus(t, w.s, target.ID); st != "active/0" || len(audits(t, w.s, audit0)) != 0 {
			t.Errorf("moderator suspending %s %d: %s", target.Role, target.ID, st)
		}
	}
	if err := w.s.Suspend(ctx, w.admin, mod2.ID, until, moderation.HideSpam); err != nil {
		t.Errorf("admin suspends a moderator: %v", err)
	}
	// A suspended moderator acts no more, whatever their role says.
	suspended, _ := w.s.User(ctx, mod2.ID)
	p := w.openProposal(t, "정지된 중재자")
	wantErr(t, w.s.Hide(ctx, suspended, forum.ItemProposal, p.ID, moderation.HideSpam), forum.ErrForbidden)
	wantErr(t, w.s.Suspend(ctx, w.admin, 99999, until, moderation.HideSpam), forum.ErrNotFound)
	checkCounters(t, w.s)
}

func TestModeration_Holds(t *testing.T) {
	w := newRoleWorld(t)
	p := w.openProposal(t, "공개 제안")
	visible := w.comment(t, p.ID, w.citizen.ID, 0, "보이는 댓글")

	c := w.heldComment(t, p.ID, w.citizen.ID, "금칙어 댓글", "banned_term")
	want := []auditRow{{Role: "system", Action: forum.ActHold, Kind: "comment", ItemID: c.ID, Reason: "banned_term", Before: "visible", After: "held"}}
	if rows := audits(t, w.s, 0); !reflect.DeepEqual(rows, want) {
		t.Errorf("hold audit rows = %+v, want %+v", rows, want)
	}
	if c.ModState != forum.ModHeld {
		t.Errorf("held comment mod_state = %s", c.ModState)
	}
	rid := pendingReview(t, w.s, forum.ItemComment, c.ID)
	if n := count(t, w.s, `SELECT count(*) FROM review_items WHERE id = ? AND rules = 'banned_term'`, rid); n != 1 {
		t.Errorf("review rules are not banned_term")
	}
	// A report of a held item keeps the one entry and its rules.
	w.report(t, forum.ItemComment, c.ID, w.reporter.ID, 1)
	if pendingReview(t, w.s, forum.ItemComment, c.ID) != rid || count(t, w.s, `SELECT count(*) FROM review_items WHERE id = ? AND rules = 'banned_term'`, rid) != 1 {
		t.Errorf("a report changed the held comment's review entry")
	}
	wantModState(t, w.s, forum.ItemComment, c.ID, forum.ModHeld, "")

	held := w.proposeBy(t, w.citizen.ID, "금칙어 제안", "banned_term", "link")
	if held.ModState != forum.ModHeld || held.Status != forum.StatusOpen {
		t.Errorf("held proposal: %s %s", held.ModState, held.Status)
	}
	prid := pendingReview(t, w.s, forum.ItemProposal, held.ID)
	if n := count(t, w.s, `SELECT count(*) FROM review_items WHERE id = ? AND rules = 'banned_term,link'`, prid); n != 1 {
		t.Errorf("proposal review rules are not banned_term,link")
	}
	if n := count(t, w.s, `SELECT count(*) FROM moderation_actions WHERE action = 'hold' AND item_kind = 'proposal' AND item_id = ?
		AND actor_id IS NULL AND actor_role = 'system' AND reason_code = 'banned_term,link'`, held.ID); n != 1 {
		t.Errorf("%d hold audit rows for the proposal", n)
	}
	shown := w.proposeBy(t, w.citizen.ID, "보이는 제안")
	hidden := w.proposeBy(t, w.citizen.ID, "숨길 제안")
	hiddenC := w.comment(t, shown.ID, w.citizen.ID, 0, "숨길 댓글")
	if err := w.s.Hide(ctx, w.moderator, forum.ItemProposal, hidden.ID, moderation.HideSpam); err != nil {
		t.Fatal(err)
	}
	if err := w.s.Hide(ctx, w.moderator, forum.ItemComment, hiddenC.ID, moderation.HideSpam); err != nil {
		t.Fatal(err)
	}

	page, err := w.s.ListProposals(ctx, ProposalQuery{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	var listed []int64
	for _, x := range page.Proposals {
		listed = append(listed, x.ID)
	}
	if want := []int64{shown.ID, p.ID}; !reflect.DeepEqual(listed, want) {
		t.Errorf("ListProposals = %v, want %v", listed, want)
	}
	mine, err := w.s.UserProposals(ctx, w.citizen.ID, false)
	if err != nil || len(mine) != 1 || mine[0].ID != shown.ID {
		t.Errorf("public UserProposals = %v %v", mine, err)
	}
	comments, err := w.s.UserComments(ctx, w.citizen.ID, 50)
	if err != nil {
		t.Fatal(err)
	}
	if len(comments) != 1 || comments[0].ID != visible.ID {
		t.Errorf("UserComments = %+v, want only %d", comments, visible.ID)
	}
	// The author keeps a held comment's place: it counts, and still shows once approved.
	if err := w.s.Decide(ctx, w.moderator, rid, moderation.DecisionApprove, ""); err != nil {
		t.Fatal(err)
	}
	if comments, _ := w.s.UserComments(ctx, w.citizen.ID, 50); len(comments) != 2 || comments[0].ID != c.ID {
		t.Errorf("UserComments after approval = %+v", comments)
	}
	checkCounters(t, w.s)
}

func TestModeration_Appeals(t *testing.T) {
	setup := func(t *testing.T) (*roleWorld, *forum.User, *forum.Comment) {
		w := newRoleWorld(t)
		mod2 := w.member(t, forum.RoleModerator, "moderator2")
		p := w.openProposal(t, "이의 제안")
		c := w.comment(t, p.ID, w.citizen.ID, 0, "숨겨질 댓글")
		return w, mod2, c
	}
	t.Run("filing", func(t *testing.T) {
		w, _, c := setup(t)
		wantErr(t, w.s.FileAppeal(ctx, w.citizen.ID, forum.ItemComment, c.ID, "보이는데요"), forum.ErrInvalidState)
		held := w.heldComment(t, c.ProposalID, w.citizen.ID, "보류", "banned_term")
		wantErr(t, w.s.FileAppeal(ctx, w.citizen.ID, forum.ItemComment, held.ID, "보류인데요"), forum.ErrInvalidState)
		if err := w.s.Hide(ctx, w.moderator, forum.ItemComment, c.ID, moderation.HideOffensive); err != nil {
			t.Fatal(err)
		}
		wantErr(t, w.s.FileAppeal(ctx, w.reporter.ID, forum.ItemComment, c.ID, "남의 글"), forum.ErrForbidden)
		wantInvalid(t, w.s.FileAppeal(ctx, w.citizen.ID, forum.ItemUser, w.citizen.ID, "계정"), "err.bad_item")
		wantErr(t, w.s.FileAppeal(ctx, w.citizen.ID, forum.ItemComment, 99999, "없음"), forum.ErrNotFound)
		w.clock.advance(14 * 24 * time.Hour)
		if err := w.s.FileAppeal(ctx, w.citizen.ID, forum.ItemComment, c.ID, "부당합니다"); err != nil {
			t.Fatalf("appeal within the window: %v", err)
		}
		if n := count(t, w.s, `SELECT count(*) FROM appeals WHERE item_kind = 'comment' AND item_id = ? AND author_id = ?
			AND state = 'pending' AND hidden_by = ? AND text = '부당합니다'`, c.ID, w.citizen.ID, w.moderator.ID); n != 1 {
			t.Errorf("appeal row missing")
		}
		wantErr(t, w.s.FileAppeal(ctx, w.citizen.ID, forum.ItemComment, c.ID, "다시"), forum.ErrInvalidState)
		if n := count(t, w.s, `SELECT count(*) FROM appeals`); n != 1 {
			t.Errorf("%d appeals, want 1", n)
		}
	})
	t.Run("too late", func(t *testing.T) {
		w, _, c := setup(t)
		if err := w.s.Hide(ctx, w.moderator, forum.ItemComment, c.ID, moderation.HideOffensive); err != nil {
			t.Fatal(err)
		}
		w.clock.advance(16 * 24 * time.Hour)
		wantErr(t, w.s.FileAppeal(ctx, w.citizen.ID, forum.ItemComment, c.ID, "늦었나요"), forum.ErrInvalidState)
		if n := count(t, w.s, `SELECT count(*) FROM appeals`); n != 0 {
			t.Errorf("late appeal stored")
		}
	})
	for _, grant := range []bool{true, false} {
		t.Run(fmt.Sprintf("decide grant=%v", grant), func(t *testing.T) {
			w, mod2, c := setup(t)
			if err := w.s.Hide(ctx, w.moderator, forum.ItemComment, c.ID, moderation.HideOffensive); err != nil {
				t.Fatal(err)
			}
			if err := w.s.FileAppeal(ctx, w.citizen.ID, forum.ItemComment, c.ID, "부당합니다"); err != nil {
				t.Fatal(err)
			}
			aid := int64(count(t, w.s, `SELECT id FROM appeals`))
			for _, a := range []*forum.User{w.moderator, w.citizen, w.official, nil} {
				audit0 := lastAuditID(t, w.s)
				wantErr(t, w.s.DecideAppeal(ctx, a, aid, grant, "스스로"), forum.ErrForbidden)
				if len(audits(t, w.s, audit0)) != 0 {
					t.Errorf("refused decision wrote audit rows")
				}
			}
			if n := count(t, w.s, `SELECT count(*) FROM appeals WHERE state = 'pending'`); n != 1 {
				t.Errorf("refused decisions changed the appeal")
			}
			notes0 := notes(t, w.s, w.citizen.ID)
			action, state, after, appealState := forum.ActAppealDeny, forum.ModHidden, "hidden", "denied"
			if grant {
				action, state, after, appealState = forum.ActAppealOK, forum.ModVisible, "visible", "granted"
			}
			expectAudit(t, w.s, func() {
				if err := w.s.DecideAppeal(ctx, mod2, aid, grant, "검토 결과"); err != nil {
					t.Fatal(err)
				}
			}, auditRow{ActorID: mod2.ID, Role: "moderator", Action: action, Kind: "comment", ItemID: c.ID, Before: "hidden", After: after})
			reason := "offensive"
			if grant {
				reason = ""
			}
			wantModState(t, w.s, forum.ItemComment, c.ID, state, reason)
			if n := count(t, w.s, `SELECT count(*) FROM appeals WHERE id = ? AND state = ? AND decided_by = ? AND decision_reason = '검토 결과'
				AND decided_at IS NOT NULL`, aid, appealState, mod2.ID); n != 1 {
				t.Errorf("appeal not %s", appealState)
			}
			got := notes(t, w.s, w.citizen.ID)[len(notes0):]
			decided := 0
			for _, k := range got {
				if k == forum.NoteAppealDecided {
					decided++
				}
			}
			// One decision, one notification: a granted appeal restores the
			// comment without a content_restored of its own (issue 16).
			if decided != 1 || len(got) != 1 {
				t.Errorf("new notifications = %v, want only one %s", got, forum.NoteAppealDecided)
			}
			for _, g := range []bool{true, false} {
				wantErr(t, w.s.DecideAppeal(ctx, w.admin, aid, g, "또"), forum.ErrInvalidState)
			}
			wantErr(t, w.s.DecideAppeal(ctx, mod2, 99999, grant, ""), forum.ErrNotFound)
			checkCounters(t, w.s)
		})
	}
	t.Run("auto-hidden", func(t *testing.T) {
		w, _, c := setup(t)
		for i := range 3 {
			w.report(t, forum.ItemComment, c.ID, w.member(t, forum.RoleCitizen, fmt.Sprint("r", i)).ID, 3)
		}
		if err := w.s.FileAppeal(ctx, w.citizen.ID, forum.ItemComment, c.ID, "신고가 부당합니다"); err != nil {
			t.Fatal(err)
		}
		aid := int64(count(t, w.s, `SELECT id FROM appeals WHERE hidden_by IS NULL`))
		if err := w.s.DecideAppeal(ctx, w.moderator, aid, true, ""); err != nil {
			t.Fatalf("any moderator decides an appeal of the system's hide: %v", err)
		}
		wantModState(t, w.s, forum.ItemComment, c.ID, forum.ModVisible, "")
	})
	t.Run("staff content", func(t *testing.T) {
		w, mod2, _ := setup(t)
		p := w.proposeBy(t, w.official.ID, "공무원 제안")
		if err := w.s.Hide(ctx, w.admin, forum.ItemProposal, p.ID, moderation.HideOfftopic); err != nil {
			t.Fatal(err)
		}
		if err := w.s.FileAppeal(ctx, w.official.ID, forum.ItemProposal, p.ID, "이의"); err != nil {
			t.Fatal(err)
		}
		aid := int64(count(t, w.s, `SELECT id FROM appeals`))
		for _, grant := range []bool{true, false} {
			wantErr(t, w.s.DecideAppeal(ctx, mod2, aid, grant, ""), forum.ErrForbidden)
		}
		wantModState(t, w.s, forum.ItemProposal, p.ID, forum.ModHidden, "offtopic")
	})
}

func TestModeration_Log(t *testing.T) {
	w := newRoleWorld(t)
	p := w.openProposal(t, "기록 제안")
	c := w.comment(t, p.ID, w.author.ID, 0, "기록 댓글")
	for i := range 4 {
		w.clock.advance(time.Minute)
		if err := w.s.Hide(ctx, w.moderator, forum.ItemComment, c.ID, moderation.HideSpam); err != nil {
			t.Fatalf("hide %d: %v", i, err)
		}
		if err := w.s.Restore(ctx, w.moderator, forum.ItemComment, c.ID); err != nil {
			t.Fatalf("restore %d: %v", i, err)
		}
	}
	w.heldComment(t, p.ID, w.citizen.ID, "보류", "link")
	all, err := w.s.ModerationLog(ctx, 0, 0)
	if err != nil || len(all) != 9 {
		t.Fatalf("log: %d rows, %v", len(all), err)
	}
	if all[0].Action != forum.ActHold || all[0].ActorRole != "system" || all[1].Action != forum.ActRestore || all[2].Action != forum.ActHide {
		t.Errorf("newest rows = %+v", all[:3])
	}
	if h := all[2]; h.Kind != forum.ItemComment || h.ItemID != c.ID || h.ReasonCode != "spam" || h.Before != "visible" ||
		h.After != "hidden" || h.ActorRole != "moderator" || !h.CreatedAt.Equal(w.clock.now()) {
		t.Errorf("hide row = %+v", h)
	}
	var paged []int64
	var before int64
	for pages := 0; ; pages++ {
		rows, err := w.s.ModerationLog(ctx, before, 2)
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) == 0 {
			if pages != 5 {
				t.Errorf("%d pages, want 5", pages)
			}
			break
		}
		for _, r := range rows {
			paged = append(paged, r.ID)
		}
		before = rows[len(rows)-1].ID
	}
	var want []int64
	for _, r := range all {
		want = append(want, r.ID)
	}
	if !reflect.DeepEqual(paged, want) {
		t.Errorf("paged ids = %v, want %v", paged, want)
	}
	for i := 1; i < len(all); i++ {
		if all[i].ID >= all[i-1].ID || all[i].CreatedAt.After(all[i-1].CreatedAt) {
			t.Errorf("log not newest first at %d", i)
		}
	}
}

func TestModeration_Stats(t *testing.T) {
	w := newRoleWorld(t)
	st, err := w.s.ModerationStats(ctx)
	if err != nil || st.Pending != 0 || st.OldestPending != 0 || st.PendingAppeals != 0 || st.MedianFirstTime != 0 || len(st.ActionsPerDay) != 7 {
		t.Fatalf("empty stats: %+v %v", st, err)
	}
	p := w.openProposal(t, "통계 제안")
	var cs []*forum.Comment
	for i := range 5 {
		cs = append(cs, w.comment(t, p.ID, w.citizen.ID, 0, fmt.Sprint("댓글 ", i)))
	}
	for _, c := range cs[:3] {
		w.report(t, forum.ItemComment, c.ID, w.reporter.ID, 3)
	}
	decide := func(c *forum.Comment, d moderation.Decision) {
		t.Helper()
		if err := w.s.Decide(ctx, w.moderator, pendingReview(t, w.s, forum.ItemComment, c.ID), d, moderation.HideSpam); err != nil {
			t.Fatal(err)
		}
	}
	w.clock.advance(10 * time.Minute)
	decide(cs[0], moderation.DecisionApprove) // waited 10m
	w.clock.advance(10 * time.Minute)
	decide(cs[1], moderation.DecisionIgnore) // 20m
	w.clock.advance(40 * time.Minute)
	decide(cs[2], moderation.DecisionReject) // 60m
	if err := w.s.FileAppeal(ctx, w.citizen.ID, forum.ItemComment, cs[2].ID, "이의"); err != nil {
		t.Fatal(err)
	}
	w.report(t, forum.ItemComment, cs[3].ID, w.reporter.ID, 3)
	w.clock.advance(2 * time.Hour)
	w.report(t, forum.ItemComment, cs[4].ID, w.reporter.ID, 3)
	w.heldComment(t, p.ID, w.citizen.ID, "보류", "link") // a system action: not counted per day
	w.clock.advance(30 * time.Minute)

	st, err = w.s.ModerationStats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := ModStats{Pending: 3, OldestPending: 2*time.Hour + 30*time.Minute, PendingAppeals: 1,
		ActionsPerDay: []DayCount{{"2025-02-23", 0}, {"2025-02-24", 0}, {"2025-02-25", 0}, {"2025-02-26", 0},
			{"2025-02-27", 0}, {"2025-02-28", 0}, {"2025-03-01", 3}},
		MedianFirstTime: 20 * time.Minute}
	if !reflect.DeepEqual(st, want) {
		t.Errorf("stats = %+v\nwant    %+v", st, want)
	}

	// A day later (Korea time), a fourth decision lands on the next day.
	w.clock.advance(24 * time.Hour)
	decide(cs[3], moderation.DecisionApprove)
	st, err = w.s.ModerationStats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	wantDays := []DayCount{{"2025-02-24", 0}, {"2025-02-25", 0}, {"2025-02-26", 0}, {"2025-02-27", 0}, {"2025-02-28", 0}, {"2025-03-01", 3}, {"2025-03-02", 1}}
	if !reflect.DeepEqual(st.ActionsPerDay, wantDays) || st.Pending != 2 || st.MedianFirstTime != time.Hour {
		t.Errorf("stats a day later = %+v", st)
	}
}

func TestModeration_Notifications(t *testing.T) {
	w := newRoleWorld(t)
	p := w.openProposal(t, "알림 제안")
	c := w.comment(t, p.ID, w.citizen.ID, 0, "알림 댓글")
	if n, err := w.s.UnreadNotifications(ctx, w.citizen.ID); err != nil || n != 0 {
		t.Fatalf("unread at start: %d %v", n, err)
	}
	if err := w.s.Hide(ctx, w.moderator, forum.ItemComment, c.ID, moderation.HideSpam); err != nil {
		t.Fatal(err)
	}
	w.clock.advance(time.Minute)
	if err := w.s.Restore(ctx, w.moderator, forum.ItemComment, c.ID); err != nil {
		t.Fatal(err)
	}
	if err := w.s.Hide(ctx, w.moderator, forum.ItemProposal, p.ID, moderation.HideSpam); err != nil { // the world's author, not citizen
		t.Fatal(err)
	}
	list, err := w.s.Notifications(ctx, w.citizen.ID, 10)
	if err != nil || len(list) != 2 {
		t.Fatalf("notifications: %+v %v", list, err)
	}
	if list[0].Kind != forum.NoteContentRestored || list[1].Kind != forum.NoteContentHidden || !list[0].ReadAt.IsZero() ||
		!list[0].CreatedAt.Equal(w.clock.now()) {
		t.Errorf("notifications = %+v", list)
	}
	var data map[string]any
	if err := json.Unmarshal(list[1].Data, &data); err != nil || data["kind"] != "comment" || data["id"] != float64(c.ID) || data["reason"] != "spam" {
		t.Errorf("notification data = %s %v", list[1].Data, err)
	}
	if one, _ := w.s.Notifications(ctx, w.citizen.ID, 1); len(one) != 1 || one[0].ID != list[0].ID {
		t.Errorf("limit 1 = %+v", one)
	}
	if n, _ := w.s.UnreadNotifications(ctx, w.citizen.ID); n != 2 {
		t.Errorf("unread = %d, want 2", n)
	}
	w.clock.advance(time.Minute)
	if err := w.s.MarkNotificationsRead(ctx, w.citizen.ID); err != nil {
		t.Fatal(err)
	}
	if n, _ := w.s.UnreadNotifications(ctx, w.citizen.ID); n != 0 {
		t.Errorf("unread after marking = %d", n)
	}
	list, _ = w.s.Notifications(ctx, w.citizen.ID, 10)
	for _, n := range list {
		if !n.ReadAt.Equal(w.clock.now()) {
			t.Errorf("notification %d read at %v", n.ID, n.ReadAt)
		}
	}
	if n, _ := w.s.UnreadNotifications(ctx, w.author.ID); n != 1 {
		t.Errorf("another user's unread = %d, want 1", n)
	}
	// A new notification after reading counts from zero again.
	if err := w.s.Hide(ctx, w.moderator, forum.ItemComment, c.ID, moderation.HideSpam); err != nil {
		t.Fatal(err)
	}
	if pl := lastPayload(t, w.s, forum.UserTopic(w.citizen.ID), forum.EventNotification); pl["unread"] != float64(1) {
		t.Errorf("unread in event = %v, want 1", pl["unread"])
	}
}

func TestModeration_CountSince(t *testing.T) {
	w := newRoleWorld(t)
	u := w.citizen
	other := w.openProposal(t, "다른 제안")
	another := w.proposeBy(t, w.reporter.ID, "또 다른 제안")
	start := w.clock.now()
	act := func(round int) {
		t.Helper()
		w.proposeBy(t, u.ID, fmt.Sprint("내 제안 ", round))
		w.comment(t, other.ID, u.ID, 0, fmt.Sprint("내 댓글 ", round))
		w.comment(t, other.ID, u.ID, 0, fmt.Sprint("내 댓글 또 ", round))
		target := []*forum.Proposal{other, another}[round]
		if _, err := w.s.Support(ctx, target.ID, u.ID, nil); err != nil {
			t.Fatal(err)
		}
		w.report(t, forum.ItemProposal, target.ID, u.ID, 0)
	}
	act(0)
	w.clock.advance(time.Hour)
	act(1)
	for _, tc := range []struct {
		a          Activity
		all, since int
	}{
		{ActivityProposals, 2, 1},
		{ActivityComments, 4, 2},
		{ActivitySupports, 2, 1},
		{ActivityReports, 2, 1},
	} {
		if n, err := w.s.CountSince(ctx, u.ID, tc.a, start); err != nil || n != tc.all {
			t.Errorf("CountSince(%s, start) = %d %v, want %d", tc.a, n, err, tc.all)
		}
		if n, err := w.s.CountSince(ctx, u.ID, tc.a, start.Add(30*time.Minute)); err != nil || n != tc.since {
			t.Errorf("CountSince(%s, +30m) = %d %v, want %d", tc.a, n, err, tc.since)
		}
		if n, err := w.s.CountSince(ctx, w.admin.ID, tc.a, start); err != nil || n != 0 {
			t.Errorf("CountSince(%s) of someone idle = %d %v", tc.a, n, err)
		}
	}
	if _, err := w.s.CountSince(ctx, u.ID, "debates", start); err == nil {
		t.Errorf("an unknown activity was counted")
	}
	checkCounters(t, w.s)
}

func TestModeration_AuthorFacts(t *testing.T) {
	w := newRoleWorld(t)
	u := w.citizen
	p := w.proposeBy(t, u.ID, "사실 제안")
	w.comment(t, p.ID, u.ID, 0, "첫 댓글")
	w.heldComment(t, p.ID, u.ID, "보류 댓글", "link")
	hidden := w.comment(t, p.ID, u.ID, 0, "숨길 댓글")
	if err := w.s.Hide(ctx, w.moderator, forum.ItemComment, hidden.ID, moderation.HideSpam); err != nil {
		t.Fatal(err)
	}
	w.comment(t, p.ID, w.reporter.ID, 0, "남의 댓글")
	recent, approved, err := w.s.AuthorFacts(ctx, u.ID, w.clock.now().Add(-time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"첫 댓글", "보류 댓글", "숨길 댓글", "사실 제안", "사실 제안 본문"}
	if !sameSet(recent, want) || approved != 2 {
		t.Errorf("AuthorFacts = %q, %d; want %q, 2", recent, approved, want)
	}
	w.clock.advance(2 * time.Hour)
	w.comment(t, p.ID, u.ID, 0, "나중 댓글")
	recent, approved, err = w.s.AuthorFacts(ctx, u.ID, w.clock.now().Add(-time.Hour))
	if err != nil || !reflect.DeepEqual(recent, []string{"나중 댓글"}) || approved != 3 {
		t.Errorf("AuthorFacts later = %q, %d, %v", recent, approved, err)
	}
	if recent, approved, err := w.s.AuthorFacts(ctx, w.admin.ID, time.Time{}); err != nil || len(recent) != 0 || approved != 0 {
		t.Errorf("AuthorFacts of someone idle = %q, %d, %v", recent, approved, err)
	}
}

// sameSet reports whether a and b hold the same strings in any order.
func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	seen := map[string]int{}
	for _, s := range a {
		seen[s]++
	}
	for _, s := range b {
		seen[s]--
	}
	for _, n := range seen {
		if n != 0 {
			return false
		}
	}
	return true
}

// TestModeration_DismissedReportsDoNotCountAgain: after a moderator dismisses
// the reports that hid an item, only new reports count towards hiding it again.
func TestModeration_DismissedReportsDoNotCountAgain(t *testing.T) {
	w := newRoleWorld(t)
	p := w.openProposal(t, "다시 신고된 제안")
	for i := range 3 {
		w.report(t, forum.ItemProposal, p.ID, w.member(t, forum.RoleCitizen, fmt.Sprint("first", i)).ID, 3)
	}
	wantModState(t, w.s, forum.ItemProposal, p.ID, forum.ModHidden, forum.ReasonAutoHidden)
	if err := w.s.Decide(ctx, w.moderator, pendingReview(t, w.s, forum.ItemProposal, p.ID), moderation.DecisionIgnore, ""); err != nil {
		t.Fatal(err)
	}
	wantModState(t, w.s, forum.ItemProposal, p.ID, forum.ModVisible, "")
	w.clock.advance(time.Second)
	for i := range 2 {
		if w.report(t, forum.ItemProposal, p.ID, w.member(t, forum.RoleCitizen, fmt.Sprint("second", i)).ID, 3) {
			t.Fatalf("report %d after the dismissal hid the item again", i+1)
		}
	}
	wantModState(t, w.s, forum.ItemProposal, p.ID, forum.ModVisible, "")
	if !w.report(t, forum.ItemProposal, p.ID, w.member(t, forum.RoleCitizen, "second2").ID, 3) {
		t.Fatal("three new reporters did not hide it")
	}
}

// TestModeration_AuthorFactsBounded: the shown-posts count stops at
// approvedBound, and reads an index that covers it, however many comments
// the author has: the check runs before every post.
func TestModeration_AuthorFactsBounded(t *testing.T) {
	w := newRoleWorld(t)
	u := w.citizen
	p := w.proposeBy(t, u.ID, "많이 쓰는 사람의 제안")
	for i := range approvedBound + 3 {
		w.comment(t, p.ID, u.ID, 0, fmt.Sprintf("댓글 %d", i))
	}
	_, approved, err := w.s.AuthorFacts(ctx, u.ID, w.clock.now())
	if err != nil || approved != approvedBound {
		t.Fatalf("AuthorFacts of an author with %d shown posts = %d, %v; want the bound %d", approvedBound+4, approved, err, approvedBound)
	}
	if storetest.Postgres() {
		// authorApprovedSQL leaves ?2 unused, which PostgreSQL cannot type: the statement that holds it, then.
		pgUsesIndexes(t, "the shown-posts count", pgPlan(t, w.s, authorFactsSQL, u.ID, 0, approvedBound), "comments_author_state")
		return
	}
	plan := strings.Join(queryPlan(t, w.s, authorApprovedSQL, u.ID, 0, approvedBound), "\n")
	if !strings.Contains(plan, "COVERING INDEX comments_author_state") || strings.Contains(plan, "SCAN comments") {
		t.Errorf("the shown-posts count does not read the covering index comments_author_state:\n%s", plan)
	}
}

// TestModeration_ClaimHoldsDecisions: while one moderator's claim holds,
// another's decision is refused with a *forum.ClaimedError naming the
// holder and the claim's end, and changes nothing; the holder and an
// administrator may decide; after forum.ClaimTTL anyone may.
func TestModeration_ClaimHoldsDecisions(t *testing.T) {
	w := newRoleWorld(t)
	mod2 := w.member(t, forum.RoleModerator, "moderator2")
	p := w.openProposal(t, "청구 제안")
	entry := func(body string) int64 {
		c := w.comment(t, p.ID, w.author.ID, 0, body)
		w.report(t, forum.ItemComment, c.ID, w.reporter.ID, 3)
		return pendingReview(t, w.s, forum.ItemComment, c.ID)
	}
	state := func(rid int64) string {
		var st string
		if err := w.s.r.QueryRowContext(ctx, `SELECT state FROM review_items WHERE id = ?`, rid).Scan(&st); err != nil {
			t.Fatal(err)
		}
		return st
	}
	held := entry("먼저 맡은 항목")
	if err := w.s.Claim(ctx, w.moderator, held); err != nil {
		t.Fatal(err)
	}
	claimedAt := w.clock.now()
	w.clock.advance(10 * time.Minute)
	err := w.s.Decide(ctx, mod2, held, moderation.DecisionReject, moderation.HideSpam)
	var cl *forum.ClaimedError
	if !errors.As(err, &cl) || cl.By != w.moderator.Name || cl.ByID != w.moderator.ID || !cl.Until.Equal(claimedAt.Add(forum.ClaimTTL)) {
		t.Fatalf("another moderator decides a claimed entry: %v (%+v), want a ClaimedError by %s until %v", err, cl, w.moderator.Name, claimedAt.Add(forum.ClaimTTL))
	}
	wantErr(t, err, forum.ErrConflict)
	if st := state(held); st != "pending" {
		t.Errorf("a refused decision left the entry %s", st)
	}
	if err := w.s.Decide(ctx, w.moderator, held, moderation.DecisionIgnore, ""); err != nil {
		t.Errorf("the holder decides: %v", err)
	}
	err = w.s.Decide(ctx, mod2, held, moderation.DecisionApprove, "")
	var rf *forum.Refusal
	if !errors.As(err, &rf) || rf.Key != "err.review_decided" {
		t.Errorf("deciding a decided entry: %v, want the refusal err.review_decided", err)
	}

	byAdmin := entry("관리자가 결정하는 항목")
	if err := w.s.Claim(ctx, w.moderator, byAdmin); err != nil {
		t.Fatal(err)
	}
	if err := w.s.Decide(ctx, w.admin, byAdmin, moderation.DecisionIgnore, ""); err != nil {
		t.Errorf("an administrator decides a claimed entry: %v", err)
	}

	lapsed := entry("시간이 지난 항목")
	if err := w.s.Claim(ctx, w.moderator, lapsed); err != nil {
		t.Fatal(err)
	}
	w.clock.advance(forum.ClaimTTL - time.Second)
	wantErr(t, w.s.Decide(ctx, mod2, lapsed, moderation.DecisionIgnore, ""), forum.ErrConflict)
	w.clock.advance(2 * time.Second)
	if err := w.s.Decide(ctx, mod2, lapsed, moderation.DecisionIgnore, ""); err != nil {
		t.Errorf("deciding after the claim lapsed: %v", err)
	}
}

// TestModeration_OneDecisionWins: two moderators deciding one entry at the
// same moment: exactly one decision is taken and logged; the other is told
// the entry was decided (or that the other holds it), on either database.
func TestModeration_OneDecisionWins(t *testing.T) {
	w := newRoleWorld(t)
	mod2 := w.member(t, forum.RoleModerator, "moderator2")
	p := w.openProposal(t, "동시 결정 제안")
	for round := range 5 {
		c := w.comment(t, p.ID, w.author.ID, 0, fmt.Sprintf("동시 결정 댓글 %d", round))
		w.report(t, forum.ItemComment, c.ID, w.reporter.ID, 3)
		rid := pendingReview(t, w.s, forum.ItemComment, c.ID)
		errs := make(chan error, 2)
		start := make(chan struct{})
		for _, m := range []*forum.User{w.moderator, mod2} {
			go func() {
				<-start
				errs <- w.s.Decide(ctx, m, rid, moderation.DecisionReject, moderation.HideSpam)
			}()
		}
		close(start)
		won := 0
		for range 2 {
			err := <-errs
			var rf *forum.Refusal
			switch {
			case err == nil:
				won++
			case errors.As(err, &rf) && rf.Key == "err.review_decided":
			default:
				t.Errorf("round %d: the losing decision: %v", round, err)
			}
		}
		if won != 1 {
			t.Errorf("round %d: %d decisions won, want 1", round, won)
		}
		if n := count(t, w.s, `SELECT count(*) FROM moderation_actions WHERE action = 'reject' AND item_kind = 'comment' AND item_id = ?`, c.ID); n != 1 {
			t.Errorf("round %d: %d reject rows in the log, want 1", round, n)
		}
	}
}
