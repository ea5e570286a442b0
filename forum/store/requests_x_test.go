package store

import (
	"bytes"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/e-people/e-people/forum"
	"github.com/e-people/e-people/forum/workday"
)

// attachmentOf is an attachment of data, named name, with its real hash.
func attachmentOf(name, kind string, data []byte) NewAttachment {
	sum := sha256.Sum256(data)
	return NewAttachment{Name: name, Kind: kind, Data: data, SHA256: hex.EncodeToString(sum[:])}
}

// outboxKinds counts userID's mails by kind.
func outboxKinds(tb testing.TB, s *Store, userID int64) map[string]int {
	tb.Helper()
	ms, err := s.Outbox(ctx, 1000)
	if err != nil {
		tb.Fatal(err)
	}
	out := map[string]int{}
	for _, m := range ms {
		if m.UserID == userID {
			out[m.Kind]++
		}
	}
	return out
}

// The receipt is mailed whatever the filer's mail frequency; the request's
// other notifications are mailed one by one only to those who want every
// notification by mail, and the filing is not mailed twice.
func TestRequestNotes_MailFollowsFrequency(t *testing.T) {
	rw := newRequestWorld(t)
	if err := rw.s.SetEmailFrequency(ctx, rw.filer.ID, EmailNone); err != nil {
		t.Fatal(err)
	}
	r := rw.file(t, "수신 거부자의 접수증")
	if got := outboxKinds(t, rw.s, rw.filer.ID); got[MailRequestReceipt] != 1 || len(got) != 1 {
		t.Fatalf("mails to a filer who wants none: %v, want the receipt only", got)
	}
	note := func(u *forum.User, kind string) {
		t.Helper()
		err := rw.s.write(ctx, func(t *tx) error {
			return notifyAbout(ctx, t, u.ID, kind, forum.NoteSubject("request", r.ID),
				map[string]any{"request_id": r.ID, "receipt": r.Receipt(), "title": r.Title})
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	note(rw.filer, forum.NoteRequestInfo)
	if got := outboxKinds(t, rw.s, rw.filer.ID); got[forum.NoteRequestInfo] != 0 {
		t.Errorf("a filer who wants no mail was mailed the question: %v", got)
	}
	for _, f := range []string{EmailDaily, EmailWeekly} {
		if err := rw.s.SetEmailFrequency(ctx, rw.filer.ID, f); err != nil {
			t.Fatal(err)
		}
		note(rw.filer, forum.NoteRequestExtended)
		if got := outboxKinds(t, rw.s, rw.filer.ID); got[forum.NoteRequestExtended] != 0 {
			t.Errorf("%s: mailed at once: %v", f, got)
		}
	}
	if err := rw.s.SetEmailFrequency(ctx, rw.filer.ID, EmailImmediate); err != nil {
		t.Fatal(err)
	}
	note(rw.filer, forum.NoteRequestAnswered)
	note(rw.filer, forum.NoteRequestFiled)
	got := outboxKinds(t, rw.s, rw.filer.ID)
	if got[forum.NoteRequestAnswered] != 1 || got[forum.NoteRequestFiled] != 0 || got[MailRequestReceipt] != 1 {
		t.Errorf("immediate: %v, want the answer mailed once and no second receipt", got)
	}
	// A notification about something else is not mailed by this rule.
	err := rw.s.write(ctx, func(t *tx) error {
		return notifyAbout(ctx, t, rw.filer.ID, forum.NoteContentRestored, "comment:1", map[string]any{"kind": "comment", "id": 1})
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := outboxKinds(t, rw.s, rw.filer.ID); got[forum.NoteContentRestored] != 0 {
		t.Errorf("a moderation note was mailed at once: %v", got)
	}
}

// The data download holds the filer's requests, their history, answers
// and files' names, and nobody else's.
func TestPrivacy_ExportIncludesRequests(t *testing.T) {
	rw := newRequestWorld(t)
	r := rw.file(t, "내려받기에 담길 민원", attachmentOf("진단서.pdf", "pdf", []byte("%PDF-1.7 export %%EOF")))
	export := func(u *forum.User) map[string]string {
		t.Helper()
		files := map[string]*bytes.Buffer{}
		err := rw.s.ExportAccount(ctx, u.ID, func(name string) (io.Writer, error) {
			files[name] = &bytes.Buffer{}
			return files[name], nil
		})
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]string{}
		for k, v := range files {
			out[k] = v.String()
		}
		return out
	}
	mine := export(rw.filer)
	for file, want := range map[string][]string{
		"requests.json":            {`"title":"내려받기에 담길 민원"`, `"body":"내려받기에 담길 민원 본문"`, `"status":"received"`, `"due_at":"2026-02-26T14:59:59Z"`},
		"request_steps.json":       {`"kind":"filed"`, `"request_id":` + itoa(r.ID)},
		"request_answers.json":     {"[]"},
		"request_attachments.json": {`"name":"진단서.pdf"`, `"kind":"pdf"`},
	} {
		for _, w := range want {
			if !strings.Contains(mine[file], w) {
				t.Errorf("%s lacks %s:\n%s", file, w, mine[file])
			}
		}
	}
	if strings.Contains(mine["request_attachments.json"], "%PDF") {
		t.Error("the download carries the file's bytes")
	}
	for name, body := range export(rw.citizen) {
		if strings.Contains(body, "내려받기에 담길 민원") || strings.Contains(body, "진단서") {
			t.Errorf("another citizen's %s holds the filer's request: %s", name, body)
		}
	}
}

// Deleting (or anonymising) an account deletes the requests it filed that
// were not published, their files and the stored bytes no other request
// names, and the officials' notifications about them; a published request
// and its entry stay.
func TestPrivacy_DeleteAccountErasesRequests(t *testing.T) {
	for _, posts := range []bool{true, false} {
		rw := newRequestWorld(t)
		own := attachmentOf("주민등록초본.pdf", "pdf", []byte("%PDF-1.7 only mine %%EOF"))
		shared := attachmentOf("안내문.txt", "text", []byte("같은 안내문"))
		gone := rw.file(t, "지워질 민원", own, shared)
		kept := rw.file(t, "공개된 민원")
		theirs, err := rw.s.FileRequest(ctx, rw.citizen, NewRequest{Input: forum.RequestInput{Kind: forum.RequestInquiry,
			MinistryID: rw.ministry, Title: "남의 민원", Body: "본문"}, Body: html("본문"), Files: []NewAttachment{shared}})
		if err != nil {
			t.Fatal(err)
		}
		if err := rw.s.SetEmailFrequency(ctx, rw.official.ID, EmailImmediate); err != nil {
			t.Fatal(err)
		}
		err = rw.s.write(ctx, func(t *tx) error {
			if _, err := t.ExecContext(ctx, `INSERT INTO faqs (request_id, ministry_id, kind, official_id, title, question_src, question_html,
				decision, summary, answer_src, answer_html, published_at) VALUES (?, ?, 'inquiry', ?, '공개된 민원', '질문', '<p>질문</p>',
				'informed', '요지', '답', '<p>답</p>', ?)`, kept.ID, rw.ministry, rw.official.ID, t.now.Unix()); err != nil {
				return err
			}
			for _, r := range []*forum.Request{gone, kept} {
				if err := notifyAbout(ctx, t, rw.official.ID, forum.NoteRequestObjection, forum.NoteSubject("request", r.ID),
					map[string]any{"request_id": r.ID, "receipt": r.Receipt(), "title": r.Title}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := rw.s.ReadAttachment(ctx, rw.official, gone.ID, 1); err != nil { // a read recorded, to be erased too
			t.Fatal(err)
		}
		if err := rw.s.DeleteAccount(ctx, rw.filer.ID, posts); err != nil {
			t.Fatal(err)
		}
		// Both requests stay for the ministry's figures, emptied of what
		// was personal, and, being open, are withdrawn.
		for _, r := range []*forum.Request{gone, kept} {
			got, err := rw.s.Request(ctx, r.ID)
			if err != nil {
				t.Fatalf("posts=%v: %v", posts, err)
			}
			if got.Title != "" || got.BodySrc != "" || got.Body.String() != "" || got.Kind != r.Kind || got.MinistryID != r.MinistryID {
				t.Errorf("posts=%v: request %d after the deletion: %+v", posts, r.ID, got)
			}
			if got.Status != forum.RequestWithdrawn {
				t.Errorf("posts=%v: an open request of a deleted account is %s, want withdrawn", posts, got.Status)
			}
		}
		for _, q := range []struct {
			what  string
			query string
			arg   any
			want  int
		}{
			{"steps, kept without their notes", `SELECT count(*) FROM request_steps WHERE request_id = ? AND note_src = ''`, gone.ID, 1},
			{"steps with a note", `SELECT count(*) FROM request_steps WHERE request_id = ? AND note_src <> ''`, gone.ID, 0},
			{"reads, the staff's own record", `SELECT count(*) FROM request_reads WHERE request_id = ?`, gone.ID, 1},
			{"attachments", `SELECT count(*) FROM request_attachments WHERE request_id = ?`, gone.ID, 0},
			{"own blob", `SELECT count(*) FROM attachment_blobs WHERE sha256 = ?`, own.SHA256, 0},
			{"shared blob", `SELECT count(*) FROM attachment_blobs WHERE sha256 = ?`, shared.SHA256, 1},
			{"other request's files", `SELECT count(*) FROM request_attachments WHERE request_id = ?`, theirs.ID, 1},
			{"note about the erased request", `SELECT count(*) FROM notifications WHERE subject = ?`, forum.NoteSubject("request", gone.ID), 0},
			{"note about the published request", `SELECT count(*) FROM notifications WHERE subject = ?`, forum.NoteSubject("request", kept.ID), 0},
			{"the published entry, masked", `SELECT count(*) FROM faqs WHERE request_id = ?`, kept.ID, 1},
			{"official's mails about the requests", `SELECT count(*) FROM outbox WHERE kind = ?`, forum.NoteRequestObjection, 0},
			{"the other citizen's request", `SELECT count(*) FROM requests WHERE id = ? AND title = '남의 민원'`, theirs.ID, 1},
		} {
			var n int
			if err := rw.s.DB().QueryRow(q.query, q.arg).Scan(&n); err != nil {
				t.Fatal(err)
			}
			if n != q.want {
				t.Errorf("posts=%v: %s: %d rows, want %d", posts, q.what, n, q.want)
			}
		}
		if _, data, err := rw.s.ReadAttachment(ctx, rw.citizen, theirs.ID, 3); err != nil || string(data) != "같은 안내문" {
			t.Errorf("posts=%v: the other citizen's file: %q, %v", posts, data, err)
		}
	}
}

// A backup of a SQLite store holds the attachments' bytes.
func TestBackup_IncludesAttachmentBlobs(t *testing.T) {
	rw := newRequestWorld(t)
	if rw.s.pg {
		t.Skip("PostgreSQL is backed up by its own tools (TestStore_Backup)")
	}
	data := []byte("%PDF-1.7 \x00\x01\x02 the bytes of a filed document %%EOF")
	att := attachmentOf("증빙.pdf", "pdf", data)
	rw.file(t, "백업될 첨부", att)
	dest := filepath.Join(t.TempDir(), "backup.db")
	if err := rw.s.Backup(ctx, dest); err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite3", "file:"+dest+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var got []byte
	var name string
	if err := db.QueryRow(`SELECT b.data, a.name FROM attachment_blobs b JOIN request_attachments a ON a.sha256 = b.sha256
		WHERE b.sha256 = ?`, att.SHA256).Scan(&got, &name); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, data) || name != "증빙.pdf" {
		t.Errorf("backup holds %q named %q, want %q", got, name, data)
	}
}

// Administrators add and remove days off; the calendar follows at once,
// each change is in the moderation log, and a refused one writes nothing.
func TestHolidays_AddRemove(t *testing.T) {
	rw := newRequestWorld(t)
	day := time.Date(2027, 3, 15, 12, 0, 0, 0, workday.Seoul())
	in := forum.HolidayInput{Day: " 2027-03-15 ", NameKO: " 임시공휴일 ", NameEN: "Temporary holiday"}
	for _, u := range []*forum.User{nil, rw.filer, rw.moderator, rw.official} {
		if err := rw.s.AddHoliday(ctx, u, in); !errors.Is(err, forum.ErrForbidden) {
			t.Errorf("add by %v: %v", u, err)
		}
	}
	var ve *forum.ValidationError
	if err := rw.s.AddHoliday(ctx, rw.admin, forum.HolidayInput{Day: "2027-03-01", NameKO: "삼일절 또"}); !errors.As(err, &ve) || ve.Key != "err.holiday_official" {
		t.Errorf("an official day: %v", err)
	}
	if err := rw.s.AddHoliday(ctx, rw.admin, forum.HolidayInput{Day: "2027-02-30", NameKO: "없는 날"}); !errors.As(err, &ve) || ve.Key != "err.holiday_day" {
		t.Errorf("a day that does not exist: %v", err)
	}
	if n := countRows(t, rw.s, "holidays"); n != 0 {
		t.Fatalf("refused adds wrote %d rows", n)
	}
	before := countRows(t, rw.s, "moderation_actions")
	if err := rw.s.AddHoliday(ctx, rw.admin, in); err != nil {
		t.Fatal(err)
	}
	if rw.s.Calendar().IsWorkingDay(day) {
		t.Error("the calendar does not count the added day")
	}
	if h, ok := rw.s.Calendar().Holiday(day); !ok || !h.Extra || h.Name("en") != "Temporary holiday" || h.NameKO != "임시공휴일" {
		t.Errorf("holiday %+v", h)
	}
	if err := rw.s.AddHoliday(ctx, rw.admin, in); !errors.As(err, &ve) || ve.Key != "err.holiday_exists" {
		t.Errorf("the same day twice: %v", err)
	}
	if err := rw.s.RemoveHoliday(ctx, rw.official, "2027-03-15"); !errors.Is(err, forum.ErrForbidden) {
		t.Errorf("remove by an official: %v", err)
	}
	if err := rw.s.RemoveHoliday(ctx, rw.admin, "2027-03-15"); err != nil {
		t.Fatal(err)
	}
	if !rw.s.Calendar().IsWorkingDay(day) {
		t.Error("the removed day is still off")
	}
	if err := rw.s.RemoveHoliday(ctx, rw.admin, "2027-03-15"); !errors.Is(err, forum.ErrNotFound) {
		t.Errorf("removing it again: %v", err)
	}
	var acts []string
	rows, err := rw.s.DB().Query(`SELECT action || ' ' || item_kind || ' ' || CAST(item_id AS TEXT) || ' ' || before_state || '|' || after_state
		FROM moderation_actions WHERE id > ? ORDER BY id`, before)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var a string
		if err := rows.Scan(&a); err != nil {
			t.Fatal(err)
		}
		acts = append(acts, a)
	}
	want := []string{"holiday_added holiday 20270315 |2027-03-15 임시공휴일", "holiday_removed holiday 20270315 2027-03-15 임시공휴일|"}
	if strings.Join(acts, "\n") != strings.Join(want, "\n") {
		t.Errorf("log:\n%s\nwant:\n%s", strings.Join(acts, "\n"), strings.Join(want, "\n"))
	}
}
