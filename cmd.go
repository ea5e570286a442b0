package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"maps"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"
	"time"

	"github.com/e-people/e-people/forum"
	"github.com/e-people/e-people/forum/demo"
	"github.com/e-people/e-people/forum/mail"
	"github.com/e-people/e-people/forum/store"
	"github.com/e-people/e-people/forum/store/dialect"
	"github.com/e-people/e-people/forum/web"
	"github.com/e-people/e-people/moderation"
	"github.com/e-people/e-people/views"
)

// firstStart seeds demo data, or prints a one-time setup link, on a database with no administrator.
func firstStart(ctx context.Context, cfg config, st *store.Store) error {
	admins, err := st.CountUsers(ctx, forum.RoleAdmin)
	if err != nil || admins > 0 {
		return err
	}
	if cfg.demo {
		fmt.Println("Filling the empty database with demo data…")
		res, err := demo.Seed(ctx, st, moderation.NewRenderer(), demo.Options{})
		if err != nil {
			return err
		}
		debug.FreeOSMemory() // seeding's garbage is not the server's working set
		fmt.Printf("Demo data: %d proposals, %d debates, %d comments, %d supports. Sign in at %s/login as:\n",
			res.Proposals, res.Debates, res.Comments, res.Supports, cfg.baseURL)
		shown, citizens := map[forum.Role]bool{}, 0
		for _, a := range res.Accounts {
			if a.Role == forum.RoleCitizen {
				citizens++
			}
			if !shown[a.Role] {
				shown[a.Role] = true
				fmt.Printf("  %-10s %-36s password: %s\n", a.Role, a.Email, a.Password)
			}
		}
		fmt.Println("  Every ministry has an official at official.<slug>@e-people.example, and citizens run from")
		fmt.Printf("  citizen1@ to citizen%d@e-people.example; each kind shares the password above.\n", citizens)
		printDemoStaff(res)
		return nil
	}
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		return err
	}
	token := base64.RawURLEncoding.EncodeToString(b)
	if err := st.SetSetupToken(ctx, forum.TokenHash(token)); err != nil {
		return err
	}
	fmt.Printf("No administrator yet. Create the first one, once, at:\n  %s/setup/%s\n", cfg.baseURL, token)
	return nil
}

// printDemoStaff prints the second-factor key every demo staff account is
// enrolled with, and a few recovery codes of the first account of each
// staff role: staff sign in with a code.
func printDemoStaff(res *demo.Result) {
	fmt.Println("  Staff sign in with a second factor. Add this key to an authenticator app (TOTP, 6 digits, 30 s);")
	fmt.Printf("  it serves every demo staff account:\n    %s\n    %s\n", res.StaffKey.Secret, res.StaffKey.URL)
	fmt.Println("  or, without an app, type one of these one-time recovery codes of the accounts above at the code prompt:")
	shown := map[forum.Role]bool{}
	for _, a := range res.Accounts {
		if a.Role.IsStaff() && !shown[a.Role] && len(a.RecoveryCodes) >= 3 {
			shown[a.Role] = true
			fmt.Printf("    %-10s %s\n", a.Role, strings.Join(a.RecoveryCodes[:3], "  "))
		}
	}
}

// adminUsage lists admin's subcommands.
const adminUsage = `usage: epeople admin create -role admin|moderator|official|citizen -email E -password P -name N [-ministry SLUG] [-tier T] [-db FILE]
       epeople admin ministry -slug SLUG -name-ko NAME -name-en NAME [-name-zh NAME] [-description TEXT] [-db FILE]
       epeople admin reset-2fa -email E [-db FILE]
` + "`epeople admin SUBCOMMAND -h` lists a subcommand's flags."

// adminCommand runs `epeople admin create|ministry|reset-2fa ...`.
func adminCommand(args []string) error {
	if len(args) == 0 || isHelp(args[0]) {
		fmt.Fprintln(os.Stderr, adminUsage)
		if len(args) == 0 {
			return errUsage
		}
		return nil
	}
	switch args[0] {
	case "create":
		return createAccountCommand(args[1:])
	case "ministry":
		return createMinistryCommand(args[1:])
	case "reset-2fa":
		return resetSecondFactorCommand(args[1:])
	}
	fmt.Fprintf(os.Stderr, "epeople admin: unknown subcommand %q\n%s\n", args[0], adminUsage)
	return errUsage
}

// createAccountCommand runs `epeople admin create`: an account of any
// role, e.g. staff. Refusals are sentences in Korean and English.
func createAccountCommand(args []string) error {
	var cfg config
	fs := newFlags("admin create", "-role admin|moderator|official|citizen -email E -password P -name N [-ministry SLUG] [-tier T] [-db FILE]")
	cfg.dbFlag(fs)
	cfg.denylistFlag(fs)
	role := fs.String("role", "citizen", "admin, moderator, official or citizen")
	email := fs.String("email", "", "e-mail address (the sign-in name)")
	password := fs.String("password", "", "password: at least 10 characters, hard to guess (several words; no repeats, sequences, name or e-mail)")
	name := fs.String("name", "", "display name")
	ministry := fs.String("ministry", "", "ministry slug (officials only; `epeople admin ministry` creates one)")
	tier := fs.String("tier", string(forum.TierEmailVerified), "registered, email_verified or identity_verified: the administrator running this vouches for the address by default")
	if err := parse(fs, args); err != nil {
		return err
	}
	u := forum.User{Role: forum.Role(*role), Name: moderation.PlainText(*name), Email: forum.NormalizeEmail(*email), Tier: forum.Tier(*tier)}
	if !u.Role.Valid() {
		return fmt.Errorf("unknown role %q: admin, moderator, official or citizen", *role)
	}
	if !u.Tier.Valid() {
		return fmt.Errorf("unknown tier %q: registered, email_verified or identity_verified", *tier)
	}
	if (u.Role == forum.RoleOfficial) != (*ministry != "") {
		return errors.New("officials, and only officials, need -ministry SLUG (공무원 계정에만 -ministry가 필요합니다)")
	}
	checker, err := passwordDenylist(cfg.denylist)
	if err != nil {
		return err
	}
	if err := (forum.Registration{Name: u.Name, Email: u.Email, Password: *password}).Validate(checker, func(string) bool { return false }); err != nil {
		return fmt.Errorf("create account: %w", humanError(err))
	}
	return withStore(cfg, func(ctx context.Context, st *store.Store) error {
		if *ministry != "" {
			m, err := st.MinistryBySlug(ctx, *ministry)
			if errors.Is(err, forum.ErrNotFound) {
				return fmt.Errorf("no ministry %q: create it first with `epeople admin ministry -slug %s -name-ko … -name-en …` (부처가 없습니다. 먼저 만들어 주십시오)", *ministry, *ministry)
			}
			if err != nil {
				return fmt.Errorf("ministry %q: %w", *ministry, err)
			}
			u.MinistryID = m.ID
		}
		hash, err := forum.HashPassword(*password)
		if err != nil {
			return err
		}
		created, err := st.CreateUser(ctx, u, hash)
		if err != nil {
			return fmt.Errorf("create account: %w", humanError(err))
		}
		fmt.Printf("created %s #%d %s <%s>, %s\n", created.Role, created.ID, created.Name, created.Email, created.Tier)
		return nil
	})
}

// createMinistryCommand runs `epeople admin ministry`: a new ministry, so
// that officials can be created on a fresh database.
func createMinistryCommand(args []string) error {
	var cfg config
	fs := newFlags("admin ministry", "-slug SLUG -name-ko NAME -name-en NAME [-name-zh NAME] [-description TEXT] [-db FILE]")
	cfg.dbFlag(fs)
	var m forum.Ministry
	fs.StringVar(&m.Slug, "slug", "", "the ministry's address name: lower-case letters, digits and hyphens, 2 to 30 (e.g. molit); it never changes")
	fs.StringVar(&m.NameKO, "name-ko", "", "its name in Korean (e.g. 국토교통부)")
	fs.StringVar(&m.NameEN, "name-en", "", "its name in English (e.g. 'Ministry of Land, Infrastructure and Transport')")
	fs.StringVar(&m.NameZH, "name-zh", "", "its name in Traditional Chinese (optional)")
	fs.StringVar(&m.Description, "description", "", "what it is responsible for, as plain text (optional)")
	if err := parse(fs, args); err != nil {
		return err
	}
	m.Slug = strings.TrimSpace(m.Slug)
	m.NameKO, m.NameEN, m.NameZH = moderation.PlainText(m.NameKO), moderation.PlainText(m.NameEN), moderation.PlainText(m.NameZH)
	m.Description = moderation.PlainText(m.Description)
	if err := m.Validate(true); err != nil {
		return fmt.Errorf("create ministry: %w", humanError(err))
	}
	return withStore(cfg, func(ctx context.Context, st *store.Store) error {
		created, err := st.CreateMinistry(ctx, m)
		if errors.Is(err, forum.ErrConflict) {
			return fmt.Errorf("create ministry: %w", humanError(forum.Invalid("slug", "err.ministry_slug_taken")))
		}
		if err != nil {
			return fmt.Errorf("create ministry: %w", err)
		}
		fmt.Printf("created ministry #%d %s (%s, %s)\n", created.ID, created.Slug, created.NameKO, created.NameEN)
		return nil
	})
}

// humanError turns a validation error, or an address already registered,
// into the sentences people read on the site, in Korean and English; any
// other error is returned as it is.
func humanError(err error) error {
	ves, ok := forum.AsValidation(err)
	switch {
	case ok:
	case errors.Is(err, forum.ErrEmailTaken):
		ves = forum.ValidationErrors{forum.Invalid("email", "err.email_taken")}
	default:
		return err
	}
	ko, en := cliCatalog("ko"), cliCatalog("en")
	var lines []string
	for _, v := range ves {
		lines = append(lines, fmt.Sprintf("-%s: %s / %s", flagName(v.Field), message(ko, v.Key, v.Args), message(en, v.Key, v.Args)))
	}
	return errors.New(strings.Join(lines, "\n  "))
}

// flagName is the command-line flag of a form field.
func flagName(field string) string { return strings.ReplaceAll(field, "_", "-") }

// message is key's message in catalog cat with args, or key itself when the
// catalog lacks it.
func message(cat map[string]string, key string, args []any) string {
	f, ok := cat[key]
	if !ok {
		return key
	}
	if len(args) == 0 {
		return f
	}
	return fmt.Sprintf(f, args...)
}

// cliCatalog is the site's message catalog of lang: locales/<lang>.json and
// every locales/<lang>.<area>.json, as the web layer reads them.
func cliCatalog(lang string) map[string]string {
	cat := map[string]string{}
	names, _ := fs.Glob(views.FS, "locales/"+lang+".*.json")
	for _, name := range append([]string{"locales/" + lang + ".json"}, names...) {
		b, err := fs.ReadFile(views.FS, name)
		if err != nil {
			continue
		}
		var m map[string]string
		if json.Unmarshal(b, &m) == nil {
			maps.Copy(cat, m)
		}
	}
	return cat
}

// resetSecondFactorCommand runs `epeople admin reset-2fa -email E`: for an
// administrator locked out of their second factor, it clears it (logged as
// an admin's action) and ends their sessions; they enrol again after
// signing in with their password.
func resetSecondFactorCommand(args []string) error {
	var cfg config
	fs := newFlags("admin reset-2fa", "-email E [-db FILE]")
	cfg.dbFlag(fs)
	email := fs.String("email", "", "e-mail address of the account whose second factor to reset")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *email == "" {
		fs.Usage()
		return errUsage
	}
	return withStore(cfg, func(ctx context.Context, st *store.Store) error {
		u, _, err := st.UserByEmail(ctx, *email)
		if err != nil {
			return fmt.Errorf("account %q: %w", *email, err)
		}
		if err := st.ResetSecondFactor(ctx, nil, u.ID); err != nil {
			if errors.Is(err, forum.ErrInvalidState) {
				return fmt.Errorf("%s has no second factor to reset", u.Email)
			}
			return err
		}
		fmt.Printf("reset the second factor of %s #%d <%s> and ended their sessions; they enrol again at /account/2fa after signing in\n", u.Role, u.ID, u.Email)
		return nil
	})
}

// loadList reads an optional operator-supplied list file; nil when no path is given.
// passwordDenylist loads -password-denylist, which adds to the built-in
// strength check; nil when none is given.
func passwordDenylist(path string) (forum.PasswordChecker, error) {
	common, err := loadList(path, forum.LoadCommonPasswords)
	if err != nil || common == nil {
		return nil, err
	}
	return *common, nil
}

func loadList[T any](path string, load func(io.Reader) (T, error)) (*T, error) {
	if path == "" {
		return nil, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("load %s: %w", path, err)
	}
	defer f.Close()
	v, err := load(f)
	if err != nil {
		return nil, fmt.Errorf("load %s: %w", path, err)
	}
	return &v, nil
}

func withStore(cfg config, fn func(context.Context, *store.Store) error) error {
	ctx := context.Background()
	st, err := store.Open(ctx, cfg.db, schemaSQL, store.Options{})
	if err != nil {
		return err
	}
	return errors.Join(fn(ctx, st), st.Close())
}

// smtpSender is the mail server of -smtp-url; nil when none is set.
func smtpSender(rawURL string) (*mail.SMTP, error) {
	if rawURL == "" {
		return nil, nil
	}
	return mail.NewSMTP(rawURL)
}

// startMailer sends the outbox, and queues the daily digests at 08:00 Korea
// time, until ctx ends or the returned stop is called; stop waits for it.
// Without a sender the mail stays in the outbox, which admins read at /admin/outbox.
func startMailer(ctx context.Context, sender *mail.SMTP, st *store.Store, srv *web.Server, log *slog.Logger) (stop func()) {
	if sender == nil {
		log.Info("no -smtp-url: mail is not sent, and stays in the outbox at /admin/outbox")
		return func() {}
	}
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		mail.Run(ctx, st, sender, 30*time.Second, mail.Options{Compose: srv.ComposeMail, Log: log})
	}()
	log.Info("sending mail", "server", sender.Addr())
	return func() { cancel(); <-done }
}

// migrateCommand runs `epeople migrate -from FILE -to postgres://…`: it
// copies the SQLite forum FILE into the PostgreSQL database, continuing a
// copy that was interrupted, then compares every row of both.
func migrateCommand(args []string) error {
	fs := newFlags("migrate", "-from FILE.db -to postgres://user:pass@host:port/name [-batch N]")
	from := fs.String("from", "", "the SQLite database file to copy (upgraded to this binary's schema first)")
	to := fs.String("to", "", "the PostgreSQL database to copy into: postgres://user:pass@host:port/name (empty, or a copy this command began)")
	batch := fs.Int("batch", 500, "rows copied in one PostgreSQL transaction")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *from == "" || *to == "" || dialect.IsPostgres(*from) || !dialect.IsPostgres(*to) {
		return errors.New("usage: epeople migrate -from FILE.db -to postgres://user:pass@host:port/name [-batch N]")
	}
	if _, err := os.Stat(*from); err != nil {
		return fmt.Errorf("open the source: %w", err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	src, err := store.Open(ctx, *from, schemaSQL, store.Options{})
	if err != nil {
		return fmt.Errorf("open the source: %w", err)
	}
	defer src.Close()
	dst, err := store.Open(ctx, *to, "", store.Options{})
	if err != nil {
		return fmt.Errorf("open the target: %w", err)
	}
	defer dst.Close()
	shown := map[string]int64{}
	err = store.Copy(ctx, src, dst, store.CopyOptions{Batch: *batch, Report: func(table string, done, total int64) {
		// A line when a table is done, and one per tenth of a big one.
		if done == total || done-shown[table] >= max(total/10, 100000) {
			shown[table] = done
			fmt.Printf("%-20s %d of %d rows\n", table, done, total)
		}
	}})
	if err != nil {
		return fmt.Errorf("%w (run the same command again to continue)", err)
	}
	if err := store.Verify(ctx, src, dst, 5); err != nil {
		return err
	}
	fmt.Println("verified: every row of every table is the same in both databases")
	return nil
}
