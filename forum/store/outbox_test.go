package store

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/e-people/e-people/forum"
)

// setFrequency sets a user's mail preference or fails the test.
func setFrequency(tb testing.TB, s *Store, userID int64, f string) {
	tb.Helper()
	if err := s.SetEmailFrequency(ctx, userID, f); err != nil {
		tb.Fatal(err)
	}
}

// queueMail puts a mail for address in the outbox directly and returns its id.
func queueMail(tb testing.TB, s *Store, address string) int64 {
	tb.Helper()
	var id int64
	if err := s.DB().QueryRow(`INSERT INTO outbox (address, kind, data, created_at) VALUES (?, 'threshold_reached', '{"proposal_id":1}', ?)
		RETURNING id`, address, s.now().Unix()).Scan(&id); err != nil {
		tb.Fatal(err)
	}
	return id
}

// addNote leaves userID a notification of kind created at at.
func addNote(tb testing.TB, s *Store, userID int64, kind string, at time.Time) {
	tb.Helper()
	if _, err := s.DB().Exec(`INSERT INTO notifications (user_id, kind, data, created_at) VALUES (?, ?, '{}', ?)`, userID, kind, at.Unix()); err != nil {
		tb.Fatal(err)
	}
}

func mailAddresses(ms []Mail) []string {
	out := []string{}
	for _, m := range ms {
		out = append(out, m.Address)
	}
	return out
}

func TestStore_NotifyFollowersMailsOnlyImmediateFollowers(t *testing.T) {
	w := newWorld(t)
	p := w.openProposal(t, "야간 버스 증편")
	users := map[string]*forum.User{}
	for _, f := range []string{EmailImmediate, EmailNone, EmailDaily} {
		u := newUser(t, w.s, "follower-"+f)
		setFrequency(t, w.s, u.ID, f)
		if err := w.s.Follow(ctx, u.ID, forum.ItemProposal, p.ID, true); err != nil {
			t.Fatal(err)
		}
		users[f] = u
	}
	// A second immediate follower who is banned gets no mail either.
	banned := newUser(t, w.s, "banned")
	if err := w.s.Follow(ctx, banned.ID, forum.ItemProposal, p.ID, true); err != nil {
		t.Fatal(err)
	}
	if _, err := w.s.DB().Exec(`UPDATE users SET status = 'banned' WHERE id = ?`, banned.ID); err != nil {
		t.Fatal(err)
	}

	w.clock.advance(forum.DefaultThresholds.Window + time.Hour)
	if n, err := w.s.AdvanceProposals(ctx); err != nil || n != 1 {
		t.Fatalf("advance proposals: %d, %v", n, err)
	}
	out, err := w.s.Outbox(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := mailAddresses(out), []string{users[EmailImmediate].Email}; !reflect.DeepEqual(got, want) {
		t.Fatalf("outbox addresses = %v, want %v", got, want)
	}
	m := out[0]
	if m.UserID != users[EmailImmediate].ID || m.Kind != forum.NoteStatusChanged || !m.SentAt.IsZero() || m.Attempts != 0 {
		t.Errorf("mail = %+v", m)
	}
	var data struct {
		ProposalID int64  `json:"proposal_id"`
		Status     string `json:"status"`
	}
	if err := json.Unmarshal(m.Data, &data); err != nil || data.ProposalID != p.ID || data.Status != string(forum.StatusClosed) {
		t.Errorf("mail data = %s (%v)", m.Data, err)
	}
	// Everyone is still told on the site.
	for f, u := range users {
		if n, err := w.s.UnreadNotifications(ctx, u.ID); err != nil || n != 1 {
			t.Errorf("%s follower: %d unread notifications, %v", f, n, err)
		}
	}
}

func TestStore_MailSendAndRetry(t *testing.T) {
	w := newWorld(t)
	first := queueMail(t, w.s, "first@example.kr")
	w.clock.advance(time.Second)
	second := queueMail(t, w.s, "second@example.kr")

	pending := func(want ...string) {
		t.Helper()
		ms, err := w.s.PendingMail(ctx, 10)
		if err != nil {
			t.Fatal(err)
		}
		if got := mailAddresses(ms); !reflect.DeepEqual(got, append([]string{}, want...)) {
			t.Fatalf("pending = %v, want %v", got, want)
		}
	}
	pending("first@example.kr", "second@example.kr")
	if ms, _ := w.s.PendingMail(ctx, 1); len(ms) != 1 || ms[0].ID != first {
		t.Fatalf("PendingMail(1) = %+v, want the oldest", ms)
	}

	if err := w.s.MarkMailSent(ctx, second); err != nil {
		t.Fatal(err)
	}
	if err := w.s.MarkMailSent(ctx, second); !errors.Is(err, forum.ErrNotFound) {
		t.Errorf("marking a sent mail sent again: %v, want ErrNotFound", err)
	}
	if err := w.s.MarkMailFailed(ctx, second, "late"); !errors.Is(err, forum.ErrNotFound) {
		t.Errorf("failing a sent mail: %v, want ErrNotFound", err)
	}
	pending("first@example.kr")

	// Each failure waits longer before the next try; the fifth is the last.
	for i, wait := range []time.Duration{time.Minute, 4 * time.Minute, 16 * time.Minute, 64 * time.Minute} {
		if err := w.s.MarkMailFailed(ctx, first, "421 try later\r\n\xff"); err != nil {
			t.Fatal(err)
		}
		pending()
		w.clock.advance(wait - time.Second)
		pending()
		w.clock.advance(time.Second)
		pending("first@example.kr")
		if out, _ := w.s.Outbox(ctx, 10); out[1].Attempts != i+1 || out[1].LastError != "421 try later\r\n\uFFFD" {
			t.Fatalf("after failure %d: %+v", i+1, out[1])
		}
	}
	if err := w.s.MarkMailFailed(ctx, first, "550 no such user"); err != nil {
		t.Fatal(err)
	}
	w.clock.advance(24 * time.Hour)
	pending()

	out, err := w.s.Outbox(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(out) != 2 || out[0].ID != second || out[1].ID != first {
		t.Fatalf("outbox = %+v, want newest first", out)
	}
	if out[0].SentAt.IsZero() || out[0].GaveUp() {
		t.Errorf("sent mail = %+v", out[0])
	}
	if f := out[1]; f.Attempts != MaxMailAttempts || f.LastError != "550 no such user" || !f.SentAt.IsZero() || !f.GaveUp() {
		t.Errorf("failed mail = %+v", f)
	}
	if err := w.s.MarkMailSent(ctx, 9999); !errors.Is(err, forum.ErrNotFound) {
		t.Errorf("unknown mail: %v, want ErrNotFound", err)
	}
}

func TestStore_SetEmailFrequency(t *testing.T) {
	w := newWorld(t)
	u := newUser(t, w.s, "reader")
	if u.EmailFrequency != EmailImmediate {
		t.Errorf("new account's frequency = %q, want %q", u.EmailFrequency, EmailImmediate)
	}
	for _, f := range []string{EmailDaily, EmailWeekly, EmailNone, EmailImmediate} {
		setFrequency(t, w.s, u.ID, f)
		got, err := w.s.User(ctx, u.ID)
		if err != nil || got.EmailFrequency != f {
			t.Errorf("after setting %q: %+v, %v", f, got, err)
		}
	}
	var ve *forum.ValidationError
	for _, bad := range []string{"", "monthly", "WEEKLY", "daily "} {
		if err := w.s.SetEmailFrequency(ctx, u.ID, bad); !errors.As(err, &ve) {
			t.Errorf("frequency %q: %v, want a validation error", bad, err)
		}
	}
	if err := w.s.SetEmailFrequency(ctx, 9999, EmailDaily); !errors.Is(err, forum.ErrNotFound) {
		t.Errorf("unknown user: %v, want ErrNotFound", err)
	}
}

func TestStore_QueueDigests(t *testing.T) {
	w := newWorld(t)
	daily := newUser(t, w.s, "daily")
	quiet := newUser(t, w.s, "quiet") // daily, nothing new
	immediate := newUser(t, w.s, "immediate")
	none := newUser(t, w.s, "none")
	suspended := newUser(t, w.s, "suspended")
	for _, u := range []*forum.User{daily, quiet, suspended} {
		setFrequency(t, w.s, u.ID, EmailDaily)
	}
	setFrequency(t, w.s, none.ID, EmailNone)
	if _, err := w.s.DB().Exec(`UPDATE users SET status = 'suspended', suspended_until = ? WHERE id = ?`,
		w.clock.now().Add(48*time.Hour).Unix(), suspended.ID); err != nil {
		t.Fatal(err)
	}
	now := w.clock.now()
	since := now.Add(-24 * time.Hour)
	addNote(t, w.s, daily.ID, forum.NoteResponse, since.Add(-time.Minute)) // before the day: not in it
	addNote(t, w.s, daily.ID, forum.NoteResponse, since.Add(time.Hour))
	addNote(t, w.s, daily.ID, forum.NoteResponse, since.Add(2*time.Hour))
	addNote(t, w.s, daily.ID, forum.NoteTransferred, now.Add(-time.Second))
	addNote(t, w.s, daily.ID, forum.NoteTransferred, now) // this very second: waits for the next digest
	addNote(t, w.s, quiet.ID, forum.NoteResponse, since.Add(-time.Hour))
	for _, u := range []*forum.User{immediate, none, suspended} {
		addNote(t, w.s, u.ID, forum.NoteResponse, since.Add(time.Hour))
	}

	type digest struct {
		Count int            `json:"count"`
		Kinds map[string]int `json:"kinds"`
	}
	digests := func() map[string]digest {
		t.Helper()
		out, err := w.s.Outbox(ctx, 100)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]digest{}
		for _, m := range out {
			if m.Kind != MailDigest {
				t.Errorf("outbox has a %q mail", m.Kind)
				continue
			}
			var d digest
			if err := json.Unmarshal(m.Data, &d); err != nil {
				t.Fatal(err)
			}
			got[m.Address] = d
		}
		return got
	}

	if n, err := w.s.QueueDigests(ctx, since); err != nil || n != 1 {
		t.Fatalf("QueueDigests = %d, %v; want 1", n, err)
	}
	want := map[string]digest{daily.Email: {Count: 3, Kinds: map[string]int{forum.NoteResponse: 2, forum.NoteTransferred: 1}}}
	if got := digests(); !reflect.DeepEqual(got, want) {
		t.Fatalf("digests = %+v, want %+v", got, want)
	}

	// Again the same day, even later and with something new: nothing more.
	if n, err := w.s.QueueDigests(ctx, since); err != nil || n != 0 {
		t.Fatalf("second QueueDigests = %d, %v; want 0", n, err)
	}
	w.clock.advance(3 * time.Hour)
	addNote(t, w.s, daily.ID, forum.NoteStatusChanged, w.clock.now().Add(-time.Minute))
	if n, err := w.s.QueueDigests(ctx, since); err != nil || n != 0 {
		t.Fatalf("QueueDigests later the same day = %d, %v; want 0", n, err)
	}

	// The next day's digest has what came since the last one, once.
	w.clock.set(now.Add(24 * time.Hour))
	if n, err := w.s.QueueDigests(ctx, now); err != nil || n != 1 {
		t.Fatalf("next day's QueueDigests = %d, %v; want 1", n, err)
	}
	out, err := w.s.Outbox(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	var d digest
	if err := json.Unmarshal(out[0].Data, &d); err != nil {
		t.Fatal(err)
	}
	if want := (digest{Count: 2, Kinds: map[string]int{forum.NoteTransferred: 1, forum.NoteStatusChanged: 1}}); out[0].Address != daily.Email || !reflect.DeepEqual(d, want) {
		t.Errorf("next day's digest to %s = %+v, want %+v", out[0].Address, d, want)
	}
}

// TestStore_QueueWeeklyDigests (issue 16, item 4): a weekly user's digest
// covers the week, or what came since their last digest, once; daily
// digests leave weekly users alone and the other way round. Its entries
// fold the notifications of one kind about one subject.
func TestStore_QueueWeeklyDigests(t *testing.T) {
	w := newWorld(t)
	weekly, daily := newUser(t, w.s, "weekly"), newUser(t, w.s, "daily")
	setFrequency(t, w.s, weekly.ID, EmailWeekly)
	setFrequency(t, w.s, daily.ID, EmailDaily)
	now := w.clock.now()
	since := now.Add(-7 * 24 * time.Hour)
	addNote(t, w.s, weekly.ID, forum.NoteResponse, since.Add(-time.Minute)) // before the week
	for _, at := range []time.Duration{time.Hour, 3 * 24 * time.Hour, 6 * 24 * time.Hour} {
		if _, err := w.s.DB().Exec(`INSERT INTO notifications (user_id, kind, data, created_at, subject) VALUES (?, ?, '{"title":"제안"}', ?, 'proposal:1')`,
			weekly.ID, forum.NoteReply, since.Add(at).Unix()); err != nil {
			t.Fatal(err)
		}
	}
	addNote(t, w.s, weekly.ID, forum.NoteTransferred, now.Add(-time.Minute))
	addNote(t, w.s, daily.ID, forum.NoteResponse, now.Add(-time.Hour))

	if n, err := w.s.QueueDigests(ctx, now.Add(-24*time.Hour)); err != nil || n != 1 {
		t.Fatalf("daily QueueDigests = %d, %v; want 1 (the daily user's only)", n, err)
	}
	if n, err := w.s.QueueWeeklyDigests(ctx, since); err != nil || n != 1 {
		t.Fatalf("QueueWeeklyDigests = %d, %v; want 1", n, err)
	}
	out, err := w.s.Outbox(ctx, 10)
	if err != nil || len(out) != 2 || out[0].Address != weekly.Email || out[1].Address != daily.Email {
		t.Fatalf("outbox %+v, %v; want the weekly digest after the daily one", out, err)
	}
	var d struct {
		Count     int            `json:"count"`
		Kinds     map[string]int `json:"kinds"`
		Frequency string         `json:"frequency"`
		Items     []DigestItem   `json:"items"`
	}
	if err := json.Unmarshal(out[0].Data, &d); err != nil {
		t.Fatal(err)
	}
	if d.Count != 4 || d.Kinds[forum.NoteReply] != 3 || d.Kinds[forum.NoteTransferred] != 1 || d.Frequency != EmailWeekly ||
		len(d.Items) != 2 || d.Items[0].Kind != forum.NoteTransferred || d.Items[1].Count != 3 || d.Items[1].Subject != "proposal:1" {
		t.Errorf("weekly digest %s", out[0].Data)
	}
	// Asked again the same week: nothing more. A week later: only what is new.
	if n, err := w.s.QueueWeeklyDigests(ctx, since); err != nil || n != 0 {
		t.Fatalf("again = %d, %v; want 0", n, err)
	}
	addNote(t, w.s, weekly.ID, forum.NoteStatusChanged, now.Add(2*24*time.Hour))
	w.clock.set(now.Add(7 * 24 * time.Hour))
	if n, err := w.s.QueueWeeklyDigests(ctx, now); err != nil || n != 1 {
		t.Fatalf("next week = %d, %v; want 1", n, err)
	}
	if out, err = w.s.Outbox(ctx, 1); err != nil || !strings.Contains(string(out[0].Data), `"count":1,`) {
		t.Errorf("next week's digest %s, %v; want one notification", out[0].Data, err)
	}
}
