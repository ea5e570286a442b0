package store

import (
	"errors"
	"testing"
	"time"

	"github.com/e-people/e-people/forum"
)

// requestWorld is a world with everyone a civil request's rules name: its
// filer, another citizen, a moderator, an official of the ministry that
// holds it, an official of another ministry, and an administrator.
type requestWorld struct {
	*world
	other               int64 // the other ministry
	filer, citizen      *forum.User
	moderator, official *forum.User
	outsider, admin     *forum.User
	unverified          *forum.User
}

func newRequestWorld(tb testing.TB) *requestWorld {
	tb.Helper()
	w := newWorld(tb)
	// Friday 13 February 2026, 10:00 in Korea: the working day before 설날.
	w.clock.set(time.Date(2026, 2, 13, 1, 0, 0, 0, time.UTC))
	other, _ := places(tb, w.s, "other")
	rw := &requestWorld{world: w, other: other, filer: newUser(tb, w.s, "filer"), citizen: newUser(tb, w.s, "citizen"),
		moderator: w.member(tb, forum.RoleModerator, "moderator"), official: w.member(tb, forum.RoleOfficial, "official"),
		admin: w.member(tb, forum.RoleAdmin, "admin")}
	out, err := w.s.CreateUser(ctx, forum.User{Role: forum.RoleOfficial, MinistryID: other, Name: "outsider",
		Email: "outsider@example.kr", Tier: forum.TierEmailVerified}, "hash")
	if err != nil {
		tb.Fatal(err)
	}
	rw.outsider = enrol(tb, w.s, out)
	rw.unverified, err = w.s.CreateUser(ctx, forum.User{Role: forum.RoleCitizen, Name: "unverified", Email: "unverified@example.kr"}, "hash")
	if err != nil {
		tb.Fatal(err)
	}
	return rw
}

// file files an inquiry by the world's filer to its ministry.
func (rw *requestWorld) file(tb testing.TB, title string, files ...NewAttachment) *forum.Request {
	tb.Helper()
	r, err := rw.s.FileRequest(ctx, rw.filer, NewRequest{Input: forum.RequestInput{Kind: forum.RequestInquiry,
		MinistryID: rw.ministry, Title: title, Body: title + " 본문"}, Body: html(title), Files: files})
	if err != nil {
		tb.Fatalf("file request %q: %v", title, err)
	}
	return r
}

func countRows(tb testing.TB, s *Store, table string) int {
	tb.Helper()
	var n int
	if err := s.DB().QueryRow(`SELECT count(*) FROM ` + table).Scan(&n); err != nil {
		tb.Fatal(err)
	}
	return n
}

func TestRequests_FileAndRead(t *testing.T) {
	rw := newRequestWorld(t)
	pdf := NewAttachment{Name: "근거.pdf", Kind: "pdf", Data: []byte("%PDF-1.7 test %%EOF"), SHA256: "aa11"}
	r := rw.file(t, "여권 재발급 기간 문의", pdf, pdf)
	// An inquiry's 7 working days from Friday 13 February 2026 skip the
	// weekend and 설날 (16–18 February): 13, 19, 20, 23, 24, 25, 26.
	kst := time.FixedZone("KST", 9*3600)
	if want := time.Date(2026, 2, 26, 23, 59, 59, 0, kst); !r.Due.Equal(want) {
		t.Errorf("due %v, want %v", r.Due.In(kst), want)
	}
	if r.Status != forum.RequestReceived || r.PeriodDays != 7 || r.Round != 1 {
		t.Errorf("filed: %+v", r)
	}
	if got := r.Receipt(); len(got) != len("2602-0000001-0") || got[:5] != "2602-" {
		t.Errorf("receipt %q", got)
	}
	// The same bytes twice are one blob and two attachments.
	if n := countRows(t, rw.s, "attachment_blobs"); n != 1 {
		t.Errorf("%d blobs, want 1", n)
	}
	if as, err := rw.s.RequestAttachments(ctx, r.ID); err != nil || len(as) != 2 || as[0].Name != "근거.pdf" {
		t.Errorf("attachments %+v, %v", as, err)
	}

	for _, c := range []struct {
		name   string
		u      *forum.User
		read   bool
		logged bool
	}{
		{"filer", rw.filer, true, false},
		{"another citizen", rw.citizen, false, false},
		{"moderator", rw.moderator, false, false},
		{"official of the holding ministry", rw.official, true, true},
		{"official of another ministry", rw.outsider, false, false},
		{"administrator", rw.admin, true, true},
		{"guest", nil, false, false},
	} {
		before := countRows(t, rw.s, "request_reads")
		got, err := rw.s.ReadRequestByReceipt(ctx, c.u, r.Receipt())
		if c.read && (err != nil || got.ID != r.ID) {
			t.Errorf("%s: %v", c.name, err)
		}
		if !c.read && !errors.Is(err, forum.ErrNotFound) {
			t.Errorf("%s read someone else's request: %v", c.name, err)
		}
		_, data, err := rw.s.ReadAttachment(ctx, c.u, r.ID, 1)
		if c.read != (err == nil) || (c.read && string(data) != string(pdf.Data)) {
			t.Errorf("%s: attachment %q, %v", c.name, data, err)
		}
		after := countRows(t, rw.s, "request_reads")
		if want := map[bool]int{true: 2, false: 0}[c.logged]; after-before != want {
			t.Errorf("%s: %d reads recorded, want %d", c.name, after-before, want)
		}
	}
	reads, err := rw.s.RequestReads(ctx, r.ID)
	if err != nil || len(reads) != 4 || reads[0].MinistryID != rw.ministry || reads[2].MinistryID != 0 {
		t.Errorf("reads %+v, %v", reads, err)
	}
	// A wrong month or check digit finds nothing.
	if _, err := rw.s.ReadRequestByReceipt(ctx, rw.filer, "2603"+r.Receipt()[4:]); !errors.Is(err, forum.ErrNotFound) {
		t.Errorf("another month: %v", err)
	}
	steps, err := rw.s.RequestSteps(ctx, r.ID)
	if err != nil || len(steps) != 1 || steps[0].Kind != "filed" || !steps[0].Due.Equal(r.Due) {
		t.Errorf("steps %+v, %v", steps, err)
	}
	if mine, err := rw.s.UserRequests(ctx, rw.filer.ID); err != nil || len(mine) != 1 {
		t.Errorf("the filer's requests: %d, %v", len(mine), err)
	}
	var mails int
	if err := rw.s.DB().QueryRow(`SELECT count(*) FROM outbox WHERE user_id = ? AND kind = ?`, rw.filer.ID, MailRequestReceipt).Scan(&mails); err != nil || mails != 1 {
		t.Errorf("%d receipt mails, %v", mails, err)
	}
}

func TestRequests_FileRefusals(t *testing.T) {
	rw := newRequestWorld(t)
	noUsual, err := rw.s.CreateCategory(ctx, forum.Category{Slug: "loose", NameKO: "기타 분야", NameEN: "Loose"})
	if err != nil {
		t.Fatal(err)
	}
	ok := forum.RequestInput{Kind: forum.RequestGrievance, CategoryID: rw.category, Title: "제목", Body: "본문"}
	for _, c := range []struct {
		name string
		u    *forum.User
		in   func(forum.RequestInput) forum.RequestInput
		want string // the field refused, or "" for a refusal of the account
	}{
		{"unverified", rw.unverified, func(in forum.RequestInput) forum.RequestInput { return in }, ""},
		{"no kind", rw.filer, func(in forum.RequestInput) forum.RequestInput { in.Kind = "x"; return in }, "kind"},
		{"no title", rw.filer, func(in forum.RequestInput) forum.RequestInput { in.Title = " "; return in }, "title"},
		{"unknown ministry", rw.filer, func(in forum.RequestInput) forum.RequestInput { in.MinistryID = 999; return in }, "ministry"},
		{"unknown category", rw.filer, func(in forum.RequestInput) forum.RequestInput { in.CategoryID = 999; return in }, "category"},
		{"category without a usual ministry", rw.filer, func(in forum.RequestInput) forum.RequestInput { in.CategoryID = noUsual.ID; return in }, "ministry"},
	} {
		_, err := rw.s.FileRequest(ctx, c.u, NewRequest{Input: c.in(ok), Body: html("본문")})
		ve, invalid := forum.AsValidation(err)
		var te *forum.TierError
		switch {
		case c.want == "" && !errors.As(err, &te):
			t.Errorf("%s: %v, want a tier refusal", c.name, err)
		case c.want != "" && (!invalid || ve[0].Field != c.want):
			t.Errorf("%s: %v, want the field %s refused", c.name, err, c.want)
		}
	}
	for _, table := range []string{"requests", "request_steps", "attachment_blobs", "request_attachments", "outbox"} {
		if n := countRows(t, rw.s, table); n != 0 {
			t.Errorf("%d rows left in %s", n, table)
		}
	}
	// "Not sure" goes to the category's usual ministry, a grievance for 7 working days.
	r, err := rw.s.FileRequest(ctx, rw.filer, NewRequest{Input: ok, Body: html("본문")})
	if err != nil || r.MinistryID != rw.ministry || r.CategoryID != rw.category || r.PeriodDays != 7 {
		t.Fatalf("routed by category: %+v, %v", r, err)
	}
}
