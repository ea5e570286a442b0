package demo_test

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/e-people/e-people/forum"
	"github.com/e-people/e-people/forum/demo"
	"github.com/e-people/e-people/forum/store"
	"github.com/e-people/e-people/forum/store/storetest"
	"github.com/e-people/e-people/moderation"
	"golang.org/x/crypto/argon2"
)

func openStore(tb testing.TB) *store.Store {
	tb.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(tb.TempDir(), "demo.db"), storetest.Schema(tb), store.Options{})
	if err != nil {
		tb.Fatalf("open store: %v", err)
	}
	tb.Cleanup(func() { st.Close() })
	return st
}

// cheapHash is an argon2id PHC hash with tiny parameters, which
// forum.CheckPassword verifies like any other but in microseconds.
func cheapHash(password string) (string, error) {
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key := argon2.IDKey([]byte(password), salt, 1, 64, 1, 32)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=64,t=1,p=1$%s$%s", argon2.Version, b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

func TestSeed(t *testing.T) {
	ctx := context.Background()
	st := openStore(t)
	comments := 1000
	if testing.Short() {
		comments = 120
	}
	hashed := map[string]int{}
	seededAt := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	start := time.Now()
	res, err := demo.Seed(ctx, st, moderation.NewRenderer(), demo.Options{
		Now:               func() time.Time { return seededAt },
		BenchmarkComments: comments,
		Hash: func(pw string) (string, error) {
			hashed[pw]++
			return cheapHash(pw)
		},
	})
	if err != nil {
		t.Fatalf("Seed: %v", err)
	}
	t.Logf("Seed took %v: %d accounts, %d proposals, %d comments, %d supports",
		time.Since(start).Round(time.Millisecond), len(res.Accounts), res.Proposals, res.Comments, res.Supports)

	// Demo citizens can comment on the day they are seeded: they are not
	// new accounts under the first-day cap.
	citizen, _, err := st.UserByEmail(ctx, "citizen1@e-people.example")
	if err != nil {
		t.Fatal(err)
	}
	if age := seededAt.Sub(citizen.CreatedAt); age < 24*time.Hour {
		t.Errorf("demo citizen created %v before seeding; want a long-standing account", age)
	}
	if len(hashed) != 3 {
		t.Errorf("hashed %d distinct passwords, want 3: %v", len(hashed), hashed)
	}
	for pw, n := range hashed {
		if n != 1 {
			t.Errorf("hashed %q %d times, want once", pw, n)
		}
	}
	if v, err := st.Setting(ctx, demo.SeededAtKey, ""); err != nil || v != "2026-03-01T09:00:00Z" {
		t.Errorf("setting %s = %q, %v; want the Options.Now time", demo.SeededAtKey, v, err)
	}

	// Civil requests at every stage: answered, rated and published; refused
	// and rated low; waiting for the filer (the clock stopped); just received.
	mine, err := st.UserRequests(ctx, citizen.ID)
	if err != nil || len(mine) != 2 {
		t.Fatalf("citizen 1's requests = %d, %v; want 2", len(mine), err)
	}
	states := map[forum.RequestStatus]int{}
	for _, r := range mine {
		states[r.Status]++
	}
	if states[forum.RequestAnswered] != 1 || states[forum.RequestInfoRequested] != 1 {
		t.Errorf("citizen 1's requests are %v; want one answered, one waiting for information", states)
	}
	if faqs, err := st.FAQs(ctx, store.FAQQuery{}); err != nil || len(faqs) != 1 || strings.Contains(faqs[0].QuestionSrc, citizen.Name) {
		t.Errorf("published requests = %+v, %v; want one, without the filer's name", faqs, err)
	}

	ms, err := st.Ministries(ctx)
	if err != nil || len(ms) < 10 {
		t.Fatalf("Ministries = %d, %v; want at least 10", len(ms), err)
	}
	for _, slug := range []string{"mohw", "moe", "me", "molit", "mois", "moel", "msit", "mogef", "mcst", "moef"} {
		m, err := st.MinistryBySlug(ctx, slug)
		if err != nil || m.NameKO == "" || m.NameEN == "" || m.NameZH == "" {
			t.Errorf("ministry %s = %+v, %v; want names in three languages", slug, m, err)
		}
	}
	cs, err := st.Categories(ctx)
	if err != nil || len(cs) != 10 {
		t.Fatalf("Categories = %d, %v; want 10", len(cs), err)
	}
	for _, c := range cs {
		if c.MinistryID == 0 || c.NameEN == "" || c.NameZH == "" {
			t.Errorf("category %+v lacks a name or a ministry", c)
		}
	}

	roles := map[forum.Role]int{}
	officials := map[string]bool{}
	seen := map[string]bool{}
	var users []*forum.User
	for _, a := range res.Accounts {
		roles[a.Role]++
		if seen[a.Email] {
			t.Errorf("account %s listed twice", a.Email)
		}
		seen[a.Email] = true
		u, hash, err := st.UserByEmail(ctx, a.Email)
		if err != nil {
			t.Errorf("UserByEmail(%s): %v", a.Email, err)
			continue
		}
		users = append(users, u)
		if u.Role != a.Role || u.Name != a.Name || u.Status != forum.UserActive {
			t.Errorf("user %s = %+v, want role %s name %s", a.Email, u, a.Role, a.Name)
		}
		if ok, err := forum.CheckPassword(hash, a.Password); !ok || err != nil {
			t.Errorf("CheckPassword(%s) = %v, %v", a.Email, ok, err)
		}
		if moderation.ImpersonatesStaff(a.Name) {
			t.Errorf("name %q of %s reads as staff", a.Name, a.Email)
		}
		if a.Role == forum.RoleOfficial {
			m, err := st.MinistryBySlug(ctx, a.Ministry)
			if err != nil || u.MinistryID != m.ID {
				t.Errorf("official %s has ministry %d, want %s (%v)", a.Email, u.MinistryID, a.Ministry, err)
			}
			officials[a.Ministry] = true
		}
	}
	if roles[forum.RoleAdmin] != 1 || roles[forum.RoleModerator] != 1 || len(officials) != len(ms) || roles[forum.RoleCitizen] < 30 {
		t.Errorf("roles = %v with officials for %d of %d ministries; want 1 admin, 1 moderator, one official per ministry, 30+ citizens",
			roles, len(officials), len(ms))
	}
	if u, _, err := st.UserByEmail(ctx, "admin@e-people.example"); err != nil || u.Role != forum.RoleAdmin {
		t.Errorf("admin@e-people.example = %+v, %v", u, err)
	}

	statuses := map[forum.ProposalStatus]int{}
	var all []*forum.Proposal
	for _, u := range users {
		ps, err := st.UserProposals(ctx, u.ID, true)
		if err != nil {
			t.Fatalf("UserProposals: %v", err)
		}
		all = append(all, ps...)
	}
	supports, commentSum, withBest := 0, 0, 0
	for _, p := range all {
		statuses[p.Status]++
		supports += p.Supports
		commentSum += p.Comments
		if p.Status == forum.StatusGathering && p.Sponsors != 2 {
			t.Errorf("gathering proposal %q has %d sponsors, want 2", p.Title, p.Sponsors)
		}
		flat, err := st.Comments(ctx, forum.ProposalSubject(p.ID))
		if err != nil {
			t.Fatalf("Comments: %v", err)
		}
		if f, a := forum.BestArguments(flat); f != nil && a != nil {
			withBest++
		}
	}
	debates, err := st.Debates(ctx, store.DebateQuery{})
	if err != nil {
		t.Fatalf("Debates: %v", err)
	}
	if len(debates) != res.Debates || res.Debates < 2 {
		t.Errorf("%d debates stored, Result says %d", len(debates), res.Debates)
	}
	for _, d := range debates {
		commentSum += d.Comments
	}
	if len(all) != res.Proposals || supports != res.Supports || commentSum != res.Comments {
		t.Errorf("stored %d proposals, %d supports, %d comments; Result says %d, %d, %d",
			len(all), supports, commentSum, res.Proposals, res.Supports, res.Comments)
	}
	for _, s := range []forum.ProposalStatus{forum.StatusDraft, forum.StatusGathering, forum.StatusOpen, forum.StatusWithdrawn} {
		if statuses[s] == 0 {
			t.Errorf("no proposal is %s: %v", s, statuses)
		}
	}
	if withBest < 4 {
		t.Errorf("%d proposals have best arguments for and against, want at least 4", withBest)
	}

	bench, err := st.Proposal(ctx, res.BenchmarkProposalID)
	if err != nil || (bench.Status != forum.StatusOpen && bench.Status != forum.StatusAwaiting) || bench.Comments != comments {
		t.Fatalf("benchmark proposal = %+v, %v; want open (or awaiting its answer) with %d comments", bench, err, comments)
	}
	flat, err := st.Comments(ctx, forum.ProposalSubject(bench.ID))
	if err != nil || len(flat) != comments {
		t.Fatalf("benchmark has %d comments (%v), want %d", len(flat), err, comments)
	}
	depths, stances := map[int]int{}, map[forum.Stance]int{}
	for _, c := range flat {
		depths[c.Depth]++
		stances[c.Stance]++
	}
	if depths[1] == 0 || depths[2] == 0 || depths[3] == 0 || len(stances) != 3 {
		t.Errorf("benchmark depths %v, stances %v; want all three of each", depths, stances)
	}
	if f, a := forum.BestArguments(flat); f == nil || a == nil {
		t.Errorf("benchmark best arguments = %v, %v; want both", f, a)
	}

	if checker, ok := any(st).(interface{ CheckCounters(context.Context) error }); ok {
		if err := checker.CheckCounters(ctx); err != nil {
			t.Errorf("CheckCounters: %v", err)
		}
	}

	if _, err := demo.Seed(ctx, st, moderation.NewRenderer(), demo.Options{Hash: cheapHash}); !errors.Is(err, forum.ErrConflict) {
		t.Errorf("second Seed = %v, want ErrConflict", err)
	}
}

// BenchmarkSeed seeds a fresh database with the default options, the real
// password hash included.
func BenchmarkSeed(b *testing.B) {
	ctx := context.Background()
	for b.Loop() {
		st := openStore(b)
		if _, err := demo.Seed(ctx, st, moderation.NewRenderer(), demo.Options{}); err != nil {
			b.Fatalf("Seed: %v", err)
		}
	}
}
