package forum

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestProposalStatus_Next(t *testing.T) {
	states := []ProposalStatus{StatusDraft, StatusGathering, StatusOpen, StatusClosed, StatusWithdrawn}
	transitions := []Transition{TransSubmit, TransSponsors, TransClose, TransWithdraw}
	allowed := map[ProposalStatus]map[Transition]ProposalStatus{
		StatusDraft:     {TransSubmit: StatusGathering, TransWithdraw: StatusWithdrawn},
		StatusGathering: {TransSponsors: StatusOpen, TransWithdraw: StatusWithdrawn},
		StatusOpen:      {TransClose: StatusClosed, TransWithdraw: StatusWithdrawn},
		StatusClosed:    {},
		StatusWithdrawn: {},
	}
	for _, from := range states {
		for _, tr := range transitions {
			want, ok := allowed[from][tr]
			t.Run(string(from)+"/"+string(tr), func(t *testing.T) {
				got, err := from.Next(tr)
				if ok {
					if err != nil || got != want {
						t.Fatalf("Next = %q, %v; want %q, nil", got, err, want)
					}
					return
				}
				if !errors.Is(err, ErrInvalidState) {
					t.Fatalf("Next = %q, %v; want ErrInvalidState", got, err)
				}
				if got != from {
					t.Errorf("refused Next returned %q, want the unchanged %q", got, from)
				}
			})
		}
	}
	if _, err := ProposalStatus("bogus").Next(TransSubmit); !errors.Is(err, ErrInvalidState) {
		t.Errorf("Next from an unknown state: %v, want ErrInvalidState", err)
	}
	if _, err := StatusDraft.Next("bogus"); !errors.Is(err, ErrInvalidState) {
		t.Errorf("unknown transition: %v, want ErrInvalidState", err)
	}
}

func TestProposalStatus_PublicValid(t *testing.T) {
	for _, tc := range []struct {
		s             ProposalStatus
		public, valid bool
	}{
		{StatusDraft, false, true},
		{StatusGathering, false, true},
		{StatusOpen, true, true},
		{StatusClosed, true, true},
		{StatusWithdrawn, false, true},
		{"", false, false},
		{"OPEN", false, false},
	} {
		if got := tc.s.Public(); got != tc.public {
			t.Errorf("%q.Public() = %v, want %v", tc.s, got, tc.public)
		}
		if got := tc.s.Valid(); got != tc.valid {
			t.Errorf("%q.Valid() = %v, want %v", tc.s, got, tc.valid)
		}
	}
}

func TestRules_CanEdit(t *testing.T) {
	r := DefaultRules
	created := time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name     string
		status   ProposalStatus
		after    time.Duration
		supports int
		want     bool
	}{
		{"draft long after", StatusDraft, 72 * time.Hour, 0, true},
		{"draft with supports", StatusDraft, 0, 500, true},
		{"gathering at once", StatusGathering, 0, 0, true},
		// Issue 18: no window of time and no cap on supporters (they are
		// told of each edit with its diff; past the threshold a large edit
		// waits for a moderator), until the ministry answers.
		{"open a month later", StatusOpen, 30 * 24 * time.Hour, 0, true},
		{"gathering at 31m", StatusGathering, 31 * time.Minute, 0, true},
		{"open with 101 supports", StatusOpen, time.Minute, 101, true},
		{"awaiting its answer", StatusAwaiting, 40 * 24 * time.Hour, 50000, true},
		{"answered", StatusAnswered, 0, 0, false},
		{"referred", StatusReferred, 0, 0, false},
		{"closed at once", StatusClosed, 0, 0, false},
		{"withdrawn at once", StatusWithdrawn, 0, 0, false},
		{"merged", StatusOpen, 0, 0, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := &Proposal{Status: tc.status, CreatedAt: created, Supports: tc.supports}
			if tc.name == "merged" {
				p.MergedInto = 7
			}
			if got := r.CanEdit(p, created.Add(tc.after)); got != tc.want {
				t.Errorf("CanEdit = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestRules_CanEditComment(t *testing.T) {
	r := DefaultRules
	created := time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name   string
		status CommentStatus
		after  time.Duration
		want   bool
	}{
		{"at once", CommentVisible, 0, true},
		{"at 14m59s", CommentVisible, 15*time.Minute - time.Second, true},
		{"exactly at 15m", CommentVisible, 15 * time.Minute, true},
		{"at 15m plus 1ns", CommentVisible, 15*time.Minute + time.Nanosecond, false},
		{"a day later", CommentVisible, 24 * time.Hour, false},
		{"deleted at once", CommentDeleted, 0, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := &Comment{Status: tc.status, CreatedAt: created}
			if got := r.CanEditComment(c, created.Add(tc.after)); got != tc.want {
				t.Errorf("CanEditComment = %v, want %v", got, tc.want)
			}
		})
	}
}

// fields returns the field names of a validation error, in order.
func fields(t *testing.T, err error) []string {
	t.Helper()
	if err == nil {
		return nil
	}
	var ve ValidationErrors
	if !errors.As(err, &ve) {
		t.Fatalf("error %v (%T) is not ValidationErrors", err, err)
	}
	var out []string
	for _, e := range ve {
		out = append(out, e.Field)
	}
	return out
}

func sameFields(a, b []string) bool { return strings.Join(a, ",") == strings.Join(b, ",") }

func TestProposalInput_Validate(t *testing.T) {
	ok := ProposalInput{Title: "국민청원", Body: "본문", CategoryID: 1, MinistryID: 2}
	with := func(f func(*ProposalInput)) ProposalInput { in := ok; f(&in); return in }
	for _, tc := range []struct {
		name string
		in   ProposalInput
		want []string // fields in error; nil when valid
	}{
		{"valid", ok, nil},
		{"title 3 Hangul", with(func(in *ProposalInput) { in.Title = "가나다" }), []string{"title"}},
		{"title 4 Hangul", with(func(in *ProposalInput) { in.Title = "가나다라" }), nil},
		{"title 120 Hangul", with(func(in *ProposalInput) { in.Title = strings.Repeat("가", 120) }), nil},
		{"title 121 Hangul", with(func(in *ProposalInput) { in.Title = strings.Repeat("가", 121) }), []string{"title"}},
		{"title empty", with(func(in *ProposalInput) { in.Title = "" }), []string{"title"}},
		{"body 10000 Hangul", with(func(in *ProposalInput) { in.Body = strings.Repeat("정", ProposalBodyMax) }), nil},
		{"body 10001 Hangul", with(func(in *ProposalInput) { in.Body = strings.Repeat("정", ProposalBodyMax+1) }), []string{"body"}},
		{"body blank", with(func(in *ProposalInput) { in.Body = " \n\t " }), []string{"body"}},
		{"no category", with(func(in *ProposalInput) { in.CategoryID = 0 }), []string{"category"}},
		{"negative ministry", with(func(in *ProposalInput) { in.MinistryID = -1 }), []string{"ministry"}},
		{"all wrong at once", ProposalInput{Title: "짧", Body: ""}, []string{"title", "body", "category", "ministry"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := fields(t, tc.in.Validate()); !sameFields(got, tc.want) {
				t.Errorf("fields = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestCommentInput_Validate(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   CommentInput
		want []string
	}{
		{"for", CommentInput{Stance: StanceFor, Body: "찬성합니다"}, nil},
		{"against", CommentInput{Stance: StanceAgainst, Body: "반대"}, nil},
		{"neutral reply", CommentInput{ParentID: 7, Stance: StanceNeutral, Body: "글쎄요"}, nil},
		{"no stance", CommentInput{Body: "본문"}, []string{"stance"}},
		{"unknown stance", CommentInput{Stance: "FOR", Body: "본문"}, []string{"stance"}},
		{"blank body", CommentInput{Stance: StanceFor, Body: "   "}, []string{"body"}},
		{"body at max", CommentInput{Stance: StanceFor, Body: strings.Repeat("댓", CommentBodyMax)}, nil},
		{"body over max", CommentInput{Stance: StanceFor, Body: strings.Repeat("댓", CommentBodyMax+1)}, []string{"body"}},
		{"both wrong", CommentInput{}, []string{"stance", "body"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := fields(t, tc.in.Validate()); !sameFields(got, tc.want) {
				t.Errorf("fields = %v, want %v", got, tc.want)
			}
		})
	}
}

// commonList is a PasswordChecker over a fixed list.
type commonList []string

func (c commonList) Common(pw string) bool {
	for _, s := range c {
		if strings.EqualFold(s, pw) {
			return true
		}
	}
	return false
}

func TestRegistration_Validate(t *testing.T) {
	common := commonList{"password1234", "qwertyuiop"}
	impersonates := func(name string) bool { return strings.Contains(name, "관리자") }
	ok := Registration{Name: "홍길동", Email: "hong@example.kr", Password: "긴비밀번호입니다열자"}
	with := func(f func(*Registration)) Registration { r := ok; f(&r); return r }
	for _, tc := range []struct {
		name string
		in   Registration
		want []string
		key  string // catalog key of the first problem, when checked
	}{
		{"valid", ok, nil, ""},
		{"name 1 rune", with(func(r *Registration) { r.Name = "홍" }), []string{"name"}, "err.name_length"},
		{"name 40 runes", with(func(r *Registration) { r.Name = strings.Repeat("홍", 40) }), nil, ""},
		{"name 41 runes", with(func(r *Registration) { r.Name = strings.Repeat("홍", 41) }), []string{"name"}, "err.name_length"},
		{"name impersonates", with(func(r *Registration) { r.Name = "관리자님" }), []string{"name"}, "err.name_reserved"},
		{"email missing", with(func(r *Registration) { r.Email = "" }), []string{"email"}, "err.email_invalid"},
		{"email without at", with(func(r *Registration) { r.Email = "hong.example.kr" }), []string{"email"}, "err.email_invalid"},
		{"email with display name", with(func(r *Registration) { r.Email = "Hong <hong@example.kr>" }), []string{"email"}, "err.email_invalid"},
		{"email with spaces", with(func(r *Registration) { r.Email = " hong@example.kr" }), []string{"email"}, "err.email_invalid"},
		{"email too long", with(func(r *Registration) {
			r.Email = strings.Repeat("a", 64) + "@" + strings.Repeat(strings.Repeat("b", 60)+".", 4) + "kr"
		}), []string{"email"}, "err.email_invalid"},
		{"password 9 Hangul", with(func(r *Registration) { r.Password = strings.Repeat("비", 9) }), []string{"password"}, "err.password_short"},
		{"password 10 Hangul", with(func(r *Registration) { r.Password = "국민참여예산제도개선" }), nil, ""},
		{"password 10 Hangul repeated", with(func(r *Registration) { r.Password = strings.Repeat("비", 10) }), []string{"password"}, "err.password_weak"},
		{"password 9 ASCII", with(func(r *Registration) { r.Password = "abcdefghi" }), []string{"password"}, "err.password_short"},
		{"password 10 ASCII", with(func(r *Registration) { r.Password = "Kx9#mpl2qz" }), nil, ""},
		{"password 10 a", with(func(r *Registration) { r.Password = "aaaaaaaaaa" }), []string{"password"}, "err.password_weak"},
		{"password 10 zeros", with(func(r *Registration) { r.Password = "0000000000" }), []string{"password"}, "err.password_weak"},
		{"password sequence", with(func(r *Registration) { r.Password = "abcdefghij" }), []string{"password"}, "err.password_weak"},
		{"password keyboard walk", with(func(r *Registration) { r.Password = "1qaz2wsx3edc" }), []string{"password"}, "err.password_weak"},
		{"password word and year", with(func(r *Registration) { r.Password = "p@ssw0rd2024" }), []string{"password"}, "err.password_weak"},
		{"password Korean word repeated", with(func(r *Registration) { r.Password = "비밀번호비밀번호" + "비밀" }), []string{"password"}, "err.password_weak"},
		{"password name and digits", with(func(r *Registration) { r.Name = "Seoyeon Lee"; r.Password = "seoyeon1234" }), []string{"password"}, "err.password_weak"},
		{"password e-mail local part", with(func(r *Registration) { r.Password = "hong!example" }), []string{"password"}, "err.password_weak"},
		{"password passphrase", with(func(r *Registration) { r.Password = "correct horse battery staple" }), nil, ""},
		{"password demo", with(func(r *Registration) { r.Password = "demo-citizen-2026!" }), nil, ""},
		{"password 256", with(func(r *Registration) { r.Password = strings.Repeat("plum river", PasswordMax/10) + "ab1234" }), nil, ""},
		{"password 256 weak start", with(func(r *Registration) { r.Password = strings.Repeat("p", PasswordMax) }), []string{"password"}, "err.password_weak"},
		{"password 257", with(func(r *Registration) { r.Password = strings.Repeat("p", PasswordMax+1) }), []string{"password"}, "err.password_long"},
		{"password common", with(func(r *Registration) { r.Password = "Password1234" }), []string{"password"}, "err.password_common"},
		{"password is the e-mail", with(func(r *Registration) { r.Password = "HONG@example.kr" }), []string{"password"}, "err.password_personal"},
		{"password is the name", with(func(r *Registration) { r.Name = "longname12"; r.Password = "LongName12" }), []string{"password"}, "err.password_personal"},
		{"everything wrong", Registration{Name: "x", Email: "nope", Password: "short"}, []string{"name", "email", "password"}, "err.name_length"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.in.Validate(common, impersonates)
			if got := fields(t, err); !sameFields(got, tc.want) {
				t.Fatalf("fields = %v, want %v (%v)", got, tc.want, err)
			}
			if tc.key != "" {
				if ve := err.(ValidationErrors)[0]; ve.Key != tc.key {
					t.Errorf("key = %q, want %q", ve.Key, tc.key)
				}
			}
		})
	}
	if err := ok.Validate(nil, impersonates); err != nil {
		t.Errorf("a nil PasswordChecker must be allowed: %v", err)
	}
}

func TestNormalizeEmail(t *testing.T) {
	if got := NormalizeEmail("  Hong@Example.KR \n"); got != "hong@example.kr" {
		t.Errorf("NormalizeEmail = %q", got)
	}
}

func TestThread(t *testing.T) {
	// Flat, oldest first: 1 ─ 2 ─ 4 ─ 6, 1 ─ 5, 3, and 7 whose parent is not in the list.
	flat := []*Comment{
		{ID: 1, Depth: 1},
		{ID: 2, ParentID: 1, Depth: 2},
		{ID: 3, Depth: 1},
		{ID: 4, ParentID: 2, Depth: 3},
		{ID: 5, ParentID: 1, Depth: 2},
		{ID: 6, ParentID: 4, Depth: 4},
		{ID: 7, ParentID: 99, Depth: 2},
	}
	flat[0].Replies = []*Comment{{ID: 42}} // stale replies are cleared
	var render func([]*Comment) string
	render = func(cs []*Comment) string {
		var b strings.Builder
		for i, c := range cs {
			if i > 0 {
				b.WriteString(" ")
			}
			b.WriteString(string(rune('0' + c.ID)))
			if len(c.Replies) > 0 {
				b.WriteString("(" + render(c.Replies) + ")")
			}
		}
		return b.String()
	}
	roots := Thread(flat)
	if got, want := render(roots), "1(2(4(6)) 5) 3 7"; got != want {
		t.Errorf("Thread = %s, want %s", got, want)
	}
	// Threading twice gives the same tree, not doubled replies.
	if got, want := render(Thread(flat)), "1(2(4(6)) 5) 3 7"; got != want {
		t.Errorf("second Thread = %s, want %s", got, want)
	}
	if got := Thread(nil); len(got) != 0 {
		t.Errorf("Thread(nil) = %v", got)
	}
}

func TestComment_CanReplyScore(t *testing.T) {
	for _, tc := range []struct {
		depth  int
		status CommentStatus
		want   bool
	}{
		{1, CommentVisible, true},
		{2, CommentVisible, true},
		{3, CommentVisible, false},
		{1, CommentDeleted, false},
	} {
		c := &Comment{Depth: tc.depth, Status: tc.status}
		if got := c.CanReply(); got != tc.want {
			t.Errorf("depth %d %s: CanReply = %v, want %v", tc.depth, tc.status, got, tc.want)
		}
	}
	if got := (&Comment{Up: 3, Down: 5}).Score(); got != -2 {
		t.Errorf("Score = %d, want -2", got)
	}
}
