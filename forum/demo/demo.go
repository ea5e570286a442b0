// Package demo fills an empty forum with believable demo data: the central
// ministries and policy categories, staff and citizen accounts, proposals in
// every state with co-sponsors, supports, threaded comments and votes, and one
// long debate to measure pages and live updates against.
package demo

import (
	"context"
	crand "crypto/rand"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"strconv"
	"time"

	"github.com/e-people/e-people/forum"
	"github.com/e-people/e-people/forum/store"
	"github.com/e-people/e-people/moderation"
)

// Account is a demo account and the password it signs in with.
type Account struct {
	Role     forum.Role
	Name     string
	Email    string
	Password string
	Ministry string // slug of an official's ministry; empty for other roles
	// RecoveryCodes are a staff account's one-time second-factor codes
	// (shown once, as enrolment does); nil for citizens.
	RecoveryCodes []string
}

// Result tells what Seed created.
type Result struct {
	Accounts []Account
	// StaffKey is the second-factor (TOTP) key every demo staff account is
	// enrolled with: staff powers need one, and staff sign in with its codes.
	StaffKey            forum.TOTPKey
	BenchmarkProposalID int64 // the open debate carrying Options.BenchmarkComments comments
	Debates             int   // policy debates scheduled by ministries
	Proposals           int   // proposals created, in every state
	Comments            int   // comments and replies posted, the benchmark's included
	Supports            int   // supports given
}

// Options tunes Seed.
type Options struct {
	// Now is the clock that stamps the demo_seeded_at setting; time.Now when nil.
	// Rows themselves carry the store's own clock.
	Now func() time.Time
	// BenchmarkComments is how many comments the benchmark debate gets; 1000 when 0 or less.
	BenchmarkComments int
	// Hash hashes a password; forum.HashPassword when nil. Seed calls it once per distinct password.
	Hash func(string) (string, error)
}

// SeededAtKey is the setting under which Seed records when it ran (RFC 3339),
// so that a deployment can tell demo data from real data.
const SeededAtKey = "demo_seeded_at"

// Seed fills an empty database with demo data and returns the accounts it
// made. It returns an error wrapping forum.ErrConflict if the database already
// has users, ministries or categories. Seed writes through the store one
// transaction at a time, so a failure part-way leaves what was written so far:
// start again from a fresh file. Its content is the same on every run; only
// sponsor links and password salts differ.
func Seed(ctx context.Context, st *store.Store, md *moderation.Renderer, opt Options) (*Result, error) {
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.BenchmarkComments <= 0 {
		opt.BenchmarkComments = 1000
	}
	if opt.Hash == nil {
		opt.Hash = forum.HashPassword
	}
	if md == nil {
		md = moderation.NewRenderer()
	}
	s := &seeder{
		st: st, md: md, opt: opt,
		rng:        rand.New(rand.NewPCG(2026, 3)),
		ministries: map[string]forum.Ministry{},
		categories: map[string]forum.Category{},
		officials:  map[string]*forum.User{},
		res:        &Result{},
	}
	if err := s.run(ctx); err != nil {
		return nil, fmt.Errorf("seed demo data: %w", err)
	}
	return s.res, nil
}

// seeder carries what Seed has created so far.
type seeder struct {
	st        *store.Store
	md        *moderation.Renderer
	opt       Options
	rng       *rand.Rand
	threshold int

	ministries map[string]forum.Ministry // by slug
	categories map[string]forum.Category // by slug
	officials  map[string]*forum.User    // by ministry slug
	moderator  *forum.User
	citizens   []*forum.User // citizen n is citizens[n-1]
	res        *Result
}

func (s *seeder) run(ctx context.Context) error {
	if err := s.checkEmpty(ctx); err != nil {
		return err
	}
	s.threshold = s.st.Settings().SponsorThreshold
	if s.threshold > len(citizenNames)-1 {
		return fmt.Errorf("sponsor threshold %d needs more co-sponsors than the %d demo citizens", s.threshold, len(citizenNames))
	}
	// A national threshold of 50,000 would leave every demo progress bar empty;
	// set before the proposals, the most supported ones reach it and await their ministry's answer.
	if err := s.st.SetSettings(ctx, map[string]string{forum.SettingSupportThreshold: strconv.Itoa(DemoSupportThreshold)}); err != nil {
		return err
	}
	steps := []func(context.Context) error{s.seedMinistries, s.seedCategories, s.seedAccounts, s.seedProposals, s.seedBenchmark,
		s.seedDebates, s.seedModeration, s.seedAnswers, s.seedRequests,
		// Issue 18's parts, each in its own file.
		s.seedMerges, s.seedEdits, s.seedMilestones, s.seedObjections, s.seedRatings}
	for _, step := range steps {
		if err := step(ctx); err != nil {
			return err
		}
	}
	return s.st.SetSetting(ctx, SeededAtKey, s.opt.Now().UTC().Format(time.RFC3339))
}

// DemoSupportThreshold is the support goal the demo sets, small enough for its few citizens to reach.
const DemoSupportThreshold = 25

// checkEmpty refuses a database that already has people or ministries.
func (s *seeder) checkEmpty(ctx context.Context) error {
	users := 0
	for _, r := range []forum.Role{forum.RoleCitizen, forum.RoleModerator, forum.RoleOfficial, forum.RoleAdmin} {
		n, err := s.st.CountUsers(ctx, r)
		if err != nil {
			return err
		}
		users += n
	}
	ms, err := s.st.Ministries(ctx)
	if err != nil {
		return err
	}
	cs, err := s.st.Categories(ctx)
	if err != nil {
		return err
	}
	if users > 0 || len(ms) > 0 || len(cs) > 0 {
		return fmt.Errorf("database already has %d users, %d ministries and %d categories: %w", users, len(ms), len(cs), forum.ErrConflict)
	}
	return nil
}

func (s *seeder) seedMinistries(ctx context.Context) error {
	for _, m := range ministries {
		m, err := s.st.CreateMinistry(ctx, m)
		if err != nil {
			return err
		}
		s.ministries[m.Slug] = m
	}
	return nil
}

func (s *seeder) seedCategories(ctx context.Context) error {
	for _, c := range categories {
		c.MinistryID = s.ministries[c.ministry].ID
		created, err := s.st.CreateCategory(ctx, c.Category)
		if err != nil {
			return err
		}
		s.categories[created.Slug] = created
	}
	return nil
}

// accounts lists every demo account: the administrator, the moderator, one
// official per ministry and the citizens.
func accounts() []Account {
	out := []Account{
		{Role: forum.RoleAdmin, Name: adminName, Email: "admin" + emailDomain, Password: AdminPassword},
		{Role: forum.RoleModerator, Name: moderatorName, Email: "moderator" + emailDomain, Password: StaffPassword},
	}
	for _, m := range ministries {
		out = append(out, Account{Role: forum.RoleOfficial, Name: officialNames[m.Slug],
			Email: "official." + m.Slug + emailDomain, Password: StaffPassword, Ministry: m.Slug})
	}
	for i, name := range citizenNames {
		out = append(out, Account{Role: forum.RoleCitizen, Name: name,
			Email: "citizen" + strconv.Itoa(i+1) + emailDomain, Password: CitizenPassword})
	}
	return out
}

func (s *seeder) seedAccounts(ctx context.Context) error {
	hashes := map[string]string{} // password → its one hash
	for _, a := range accounts() {
		reg := forum.Registration{Name: moderation.PlainText(a.Name), Email: a.Email, Password: a.Password}
		if err := reg.Validate(nil, moderation.ImpersonatesStaff); err != nil {
			return fmt.Errorf("check account %s: %w", a.Email, err)
		}
		hash, ok := hashes[a.Password]
		if !ok {
			var err error
			if hash, err = s.opt.Hash(a.Password); err != nil {
				return fmt.Errorf("hash password of %s: %w", a.Email, err)
			}
			hashes[a.Password] = hash
		}
		// Long-standing accounts: the first-day comment cap is for new ones,
		// and would refuse the demo's citizens, who seed dozens of comments.
		// The demo vouches for its own addresses, as an administrator does.
		u, err := s.st.CreateUser(ctx, forum.User{Role: a.Role, Name: reg.Name, Email: a.Email, Tier: forum.TierEmailVerified,
			MinistryID: s.ministries[a.Ministry].ID, CreatedAt: s.opt.Now().AddDate(0, -3, 0)}, hash)
		if err != nil {
			return err
		}
		if a.Role.IsStaff() {
			if u, a.RecoveryCodes, err = s.enrol(ctx, u); err != nil {
				return err
			}
		}
		switch a.Role {
		case forum.RoleOfficial:
			s.officials[a.Ministry] = u
		case forum.RoleModerator:
			s.moderator = u
		case forum.RoleCitizen:
			s.citizens = append(s.citizens, u)
		}
		s.res.Accounts = append(s.res.Accounts, a)
	}
	return nil
}

// enrol confirms the demo's staff key as u's second factor with fresh
// recovery codes, as staff must before their powers work, and returns the
// account as the store now reads it and the codes.
func (s *seeder) enrol(ctx context.Context, u *forum.User) (*forum.User, []string, error) {
	if s.res.StaffKey.Secret == "" {
		raw := make([]byte, 20)
		if _, err := crand.Read(raw); err != nil {
			return nil, nil, err
		}
		key, err := forum.NewTOTPKey("demo staff", raw)
		if err != nil {
			return nil, nil, err
		}
		s.res.StaffKey = key
	}
	codes := forum.NewRecoveryCodes()
	hashes := make([]string, len(codes))
	for i, c := range codes {
		hashes[i] = forum.RecoveryCodeHash(c)
	}
	if err := s.st.EnableSecondFactor(ctx, u.ID, s.res.StaffKey.Secret, 0, hashes, ""); err != nil {
		return nil, nil, fmt.Errorf("enrol %s: %w", u.Email, err)
	}
	u, err := s.st.User(ctx, u.ID)
	return u, codes, err
}

// citizen returns citizen n, numbered from 1 as in the e-mail addresses.
func (s *seeder) citizen(n int) *forum.User { return s.citizens[n-1] }

// pickCitizens returns n distinct citizens in random order, none of them with an id in exclude.
func (s *seeder) pickCitizens(n int, exclude ...int64) []*forum.User {
	var out []*forum.User
	for _, i := range s.rng.Perm(len(s.citizens)) {
		if len(out) == n {
			break
		}
		u := s.citizens[i]
		skip := false
		for _, id := range exclude {
			skip = skip || u.ID == id
		}
		if !skip {
			out = append(out, u)
		}
	}
	return out
}

// sponsorToken returns a fresh secret for a proposal's co-sponsor link.
func sponsorToken() (string, error) {
	b := make([]byte, 16)
	if _, err := crand.Read(b); err != nil {
		return "", fmt.Errorf("make sponsor token: %w", err)
	}
	return hex.EncodeToString(b), nil
}

// createProposal writes p and takes it to its intended state: a draft stays a
// draft, a gathering proposal gets two co-sponsors (or one fewer than the
// threshold), and the others get enough co-sponsors to open, then their
// supports, and the withdrawn one is withdrawn by its author.
func (s *seeder) createProposal(ctx context.Context, p proposalSeed) (*forum.Proposal, error) {
	author := s.citizen(p.author)
	in := forum.ProposalInput{Title: moderation.PlainText(p.title), Body: p.body,
		CategoryID: s.categories[p.category].ID, MinistryID: s.ministries[p.ministry].ID}
	if err := in.Validate(); err != nil {
		return nil, fmt.Errorf("check proposal %q: %w", p.title, err)
	}
	token, err := sponsorToken()
	if err != nil {
		return nil, err
	}
	created, err := s.st.CreateProposal(ctx, store.NewProposal{AuthorID: author.ID, Input: in, Body: s.md.Markdown(in.Body),
		SponsorToken: token, Draft: p.state == forum.StatusDraft}, s.threshold)
	if err != nil {
		return nil, err
	}
	s.res.Proposals++
	if p.state == forum.StatusDraft {
		return created, nil
	}
	sponsors := s.threshold
	if p.state == forum.StatusGathering {
		sponsors = min(2, s.threshold-1)
	}
	for _, u := range s.pickCitizens(max(sponsors, 0), author.ID) {
		if created, err = s.st.Sponsor(ctx, created.ID, u.ID, token, s.threshold); err != nil {
			return nil, err
		}
	}
	if created.Status != forum.StatusOpen {
		return created, nil
	}
	for _, u := range s.pickCitizens(p.supports, author.ID) {
		if _, err := s.st.Support(ctx, created.ID, u.ID, nil); err != nil {
			return nil, err
		}
		s.res.Supports++
	}
	if p.state == forum.StatusWithdrawn {
		if err := s.st.Withdraw(ctx, created.ID, author.ID); err != nil {
			return nil, err
		}
	}
	return s.st.Proposal(ctx, created.ID)
}

// Who writes a comment, besides a numbered citizen.
const (
	byAnyone    = 0  // a random citizen other than the author of the comment replied to
	byAuthor    = -1 // the proposal's author
	byOfficial  = -2 // the official of the proposal's ministry
	byModerator = -3
)

// author resolves who of a comment seed.
func (s *seeder) author(who int, p *forum.Proposal, ministry string, parent *forum.Comment) *forum.User {
	switch who {
	case byAuthor:
		for _, u := range s.citizens {
			if u.ID == p.AuthorID {
				return u
			}
		}
	case byOfficial:
		return s.officials[ministry]
	case byModerator:
		return s.moderator
	case byAnyone:
		var exclude []int64
		if parent != nil {
			exclude = append(exclude, parent.AuthorID)
		}
		return s.pickCitizens(1, exclude...)[0]
	}
	return s.citizen(who)
}

// comment posts one comment or reply and returns it.
func (s *seeder) comment(ctx context.Context, proposalID int64, by *forum.User, parent *forum.Comment, stance forum.Stance, body string) (*forum.Comment, error) {
	return s.commentOn(ctx, forum.ProposalSubject(proposalID), by, parent, stance, body)
}

// commentOn posts a comment under a proposal or in a debate.
func (s *seeder) commentOn(ctx context.Context, subject forum.Subject, by *forum.User, parent *forum.Comment, stance forum.Stance, body string) (*forum.Comment, error) {
	in := forum.CommentInput{Stance: stance, Body: body}
	if parent != nil {
		in.ParentID = parent.ID
	}
	if err := in.Validate(); err != nil {
		return nil, fmt.Errorf("check comment %q: %w", body, err)
	}
	c, err := s.st.CreateComment(ctx, store.NewComment{Subject: subject, AuthorID: by.ID, Input: in, Body: s.md.Markdown(body)})
	if err != nil {
		return nil, err
	}
	s.res.Comments++
	return c, nil
}

// vote has up random citizens recommend c and down others disagree with it.
func (s *seeder) vote(ctx context.Context, c *forum.Comment, up, down int) error {
	for i, u := range s.pickCitizens(up+down, c.AuthorID) {
		value := 1
		if i >= up {
			value = -1
		}
		if _, err := s.st.VoteComment(ctx, c.ID, u.ID, value); err != nil {
			return err
		}
	}
	return nil
}

// postThread posts seeds, and their replies beneath them, under parent (nil for top level).
func (s *seeder) postThread(ctx context.Context, p *forum.Proposal, ministry string, parent *forum.Comment, seeds []commentSeed) error {
	for _, cs := range seeds {
		c, err := s.comment(ctx, p.ID, s.author(cs.by, p, ministry, parent), parent, cs.stance, cs.body)
		if err != nil {
			return err
		}
		if err := s.vote(ctx, c, cs.up, cs.down); err != nil {
			return err
		}
		if err := s.postThread(ctx, p, ministry, c, cs.replies); err != nil {
			return err
		}
	}
	return nil
}

func (s *seeder) seedProposals(ctx context.Context) error {
	for _, ps := range proposals {
		p, err := s.createProposal(ctx, ps)
		if err != nil {
			return err
		}
		if p.Status.TakesComments() { // open, or (the most supported) past the demo threshold and awaiting an answer
			if err := s.postThread(ctx, p, ps.ministry, nil, ps.thread); err != nil {
				return err
			}
		}
	}
	return nil
}
