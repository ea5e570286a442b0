package store

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/e-people/e-people/forum"
)

// noteRow is one stored notification, as these tests read it.
type noteRow struct {
	User    int64
	Kind    string
	Subject string
	Data    map[string]any
}

// notesAfter returns the notifications stored after id, in order.
func notesAfter(tb testing.TB, s *Store, id int64) []noteRow {
	tb.Helper()
	rows, err := s.DB().Query(`SELECT user_id, kind, subject, data FROM notifications WHERE id > ? ORDER BY id`, id)
	if err != nil {
		tb.Fatal(err)
	}
	defer rows.Close()
	var out []noteRow
	for rows.Next() {
		var n noteRow
		var data string
		if err := rows.Scan(&n.User, &n.Kind, &n.Subject, &data); err != nil {
			tb.Fatal(err)
		}
		if err := json.Unmarshal([]byte(data), &n.Data); err != nil {
			tb.Fatalf("notification data %q: %v", data, err)
		}
		out = append(out, n)
	}
	if err := rows.Err(); err != nil {
		tb.Fatal(err)
	}
	return out
}

func lastNoteID(tb testing.TB, s *Store) int64 {
	tb.Helper()
	return int64(count(tb, s, `SELECT COALESCE(max(id), 0) FROM notifications`))
}

func follow(tb testing.TB, s *Store, userID int64, kind forum.ItemKind, id int64) {
	tb.Helper()
	if err := s.Follow(ctx, userID, kind, id, true); err != nil {
		tb.Fatal(err)
	}
}

// wantTold checks that exactly the users in want got one notification of
// kind about subject each, naming title, and nobody got anything else.
func wantTold(tb testing.TB, got []noteRow, kind, subject, title string, want ...int64) {
	tb.Helper()
	per := map[int64]int{}
	for _, n := range got {
		if n.Kind != kind || n.Subject != subject || n.Data["title"] != title {
			tb.Errorf("notification %+v, want %s about %s naming %q", n, kind, subject, title)
		}
		per[n.User]++
	}
	for _, u := range want {
		if per[u] != 1 {
			tb.Errorf("%s: user %d told %d times, want once", kind, u, per[u])
		}
		delete(per, u)
	}
	if len(per) != 0 {
		tb.Errorf("%s: told users %v too", kind, per)
	}
}

// TestStore_FollowMinistryAndDebate (issue 16, item 2): following a ministry
// or a debate notifies, of each thing once, even a user who follows both the
// proposal and its ministry.
func TestStore_FollowMinistryAndDebate(t *testing.T) {
	w := newAnsRoutingWorld(t)
	both, ministryOnly, coFan, debateFan, nobody := newUser(t, w.s, "both"), newUser(t, w.s, "ministry"), newUser(t, w.s, "cofan"), newUser(t, w.s, "debatefan"), newUser(t, w.s, "nobody")
	_ = nobody
	follow(t, w.s, ministryOnly.ID, "ministry", w.ministry)
	follow(t, w.s, both.ID, "ministry", w.ministry)
	follow(t, w.s, coFan.ID, "ministry", w.co)

	p := w.awaiting(t, "도서관 야간 개방")
	follow(t, w.s, both.ID, forum.ItemProposal, p.ID)
	subject := forum.NoteSubject("proposal", p.ID)

	// Routed to the co-answering ministry: its followers hear of it.
	from := lastNoteID(t, w.s)
	if err := w.s.AddCoMinistry(ctx, w.official, p.ID, w.co); err != nil {
		t.Fatal(err)
	}
	wantTold(t, notesAfter(t, w.s, from), forum.NoteRouted, subject, "도서관 야간 개방", coFan.ID)

	// An answer the ministry publishes: the proposal's followers (the supporter
	// among them) and the ministry's, each once.
	from = lastNoteID(t, w.s)
	ansPublish(t, w.s, w.official, p.ID, ansAnswer(forum.DecisionAccepted, "수용합니다"))
	wantTold(t, notesAfter(t, w.s, from), forum.NoteResponse, subject, "도서관 야간 개방", both.ID, ministryOnly.ID, w.reporter.ID)

	// A transfer: the followers of the proposal and of the ministry it goes to.
	q := w.awaiting(t, "버스 노선 조정")
	follow(t, w.s, both.ID, forum.ItemProposal, q.ID)
	from = lastNoteID(t, w.s)
	if err := w.s.Transfer(ctx, w.official, q.ID, w.co, "소관 부처로 이관"); err != nil {
		t.Fatal(err)
	}
	wantTold(t, notesAfter(t, w.s, from), forum.NoteTransferred, forum.NoteSubject("proposal", q.ID), "버스 노선 조정", both.ID, coFan.ID, w.reporter.ID)

	// A debate the ministry announces, then opens, closes and concludes.
	from = lastNoteID(t, w.s)
	d := w.debate(t, "주4일제 도입", time.Hour, 3*time.Hour)
	ds := forum.NoteSubject("debate", d.ID)
	wantTold(t, notesAfter(t, w.s, from), forum.NoteDebateAnnounced, ds, "주4일제 도입", both.ID, ministryOnly.ID)
	follow(t, w.s, debateFan.ID, "debate", d.ID)
	follow(t, w.s, both.ID, "debate", d.ID)

	from = lastNoteID(t, w.s)
	w.clock.advance(time.Hour)
	if opened, _, err := w.s.AdvanceDebates(ctx); err != nil || opened != 1 {
		t.Fatalf("open: %d, %v", opened, err)
	}
	wantTold(t, notesAfter(t, w.s, from), forum.NoteDebateOpened, ds, "주4일제 도입", both.ID, ministryOnly.ID, debateFan.ID)

	from = lastNoteID(t, w.s)
	w.clock.advance(2 * time.Hour)
	if _, closed, err := w.s.AdvanceDebates(ctx); err != nil || closed != 1 {
		t.Fatalf("close: %d, %v", closed, err)
	}
	wantTold(t, notesAfter(t, w.s, from), forum.NoteDebateClosed, ds, "주4일제 도입", both.ID, debateFan.ID)

	from = lastNoteID(t, w.s)
	if _, err := w.s.Conclude(ctx, d.ID, "결론", html("결론")); err != nil {
		t.Fatal(err)
	}
	wantTold(t, notesAfter(t, w.s, from), forum.NoteDebateConcluded, ds, "주4일제 도입", both.ID, ministryOnly.ID, debateFan.ID)

	// A debate open at once is told once, as opened.
	from = lastNoteID(t, w.s)
	now := w.debate(t, "지금 여는 토론", 0, time.Hour)
	wantTold(t, notesAfter(t, w.s, from), forum.NoteDebateOpened, forum.NoteSubject("debate", now.ID), "지금 여는 토론", both.ID, ministryOnly.ID)

	// Every notification above went with a live event that names it.
	rows, err := w.s.DB().Query(`SELECT topic, payload FROM events WHERE type = ?`, forum.EventNotification)
	if err != nil {
		t.Fatal(err)
	}
	var topics, payloads []string
	for rows.Next() {
		var topic, payload string
		if err := rows.Scan(&topic, &payload); err != nil {
			t.Fatal(err)
		}
		topics, payloads = append(topics, topic), append(payloads, payload)
	}
	rows.Close()
	seen := 0
	for i, topic := range topics {
		var ev forum.NotificationEvent
		dec := json.NewDecoder(strings.NewReader(payloads[i]))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&ev); err != nil || ev.NotificationID == 0 {
			t.Errorf("event on %s: %s (%v), want a notification_id", topic, payloads[i], err)
			continue
		}
		var owner int64
		var kind string
		if err := w.s.DB().QueryRow(`SELECT user_id, kind FROM notifications WHERE id = ?`, ev.NotificationID).Scan(&owner, &kind); err != nil ||
			forum.UserTopic(owner) != topic || kind != ev.Kind {
			t.Errorf("event on %s names notification %d of user %d (%s), %v", topic, ev.NotificationID, owner, kind, err)
		}
		seen++
	}
	if want := count(t, w.s, `SELECT count(*) FROM notifications`); seen != want {
		t.Errorf("%d notification events for %d notifications", seen, want)
	}
}

// TestStore_NotificationsNameTheirItems (issue 16, item 3): a reply's
// notification is about the comment replied to, names the thread and
// quotes the reply; a moderation note names the item.
func TestStore_NotificationsNameTheirItems(t *testing.T) {
	w := newRoleWorld(t)
	p := w.openProposal(t, "통학로 안전 펜스")
	top := w.comment(t, p.ID, w.author.ID, 0, "# 펜스가 필요합니다\n\n**특히** 초등학교 앞")
	from := lastNoteID(t, w.s)
	r1 := w.comment(t, p.ID, w.citizen.ID, top.ID, "동의합니다. 저희 동네도 그래요")
	w.comment(t, p.ID, w.reporter.ID, top.ID, "저도요")
	got := notesAfter(t, w.s, from)
	if len(got) != 2 {
		t.Fatalf("notifications %+v, want two replies", got)
	}
	n := got[0]
	if n.User != w.author.ID || n.Kind != forum.NoteReply || n.Subject != forum.NoteSubject("comment", top.ID) ||
		n.Data["title"] != "통학로 안전 펜스" || n.Data["excerpt"] != "동의합니다. 저희 동네도 그래요" ||
		n.Data["id"] != float64(r1.ID) || n.Data["proposal_id"] != float64(p.ID) {
		t.Errorf("reply notification %+v", n)
	}
	if got[1].Subject != n.Subject {
		t.Errorf("second reply about %q, want %q: one subject", got[1].Subject, n.Subject)
	}
	if e := excerpt(top.BodySrc); e != "펜스가 필요합니다 특히 초등학교 앞" {
		t.Errorf("excerpt = %q", e)
	}
	if e := excerpt(strings.Repeat("가", 70)); e != strings.Repeat("가", 60)+"…" {
		t.Errorf("long excerpt = %q", e)
	}
}
