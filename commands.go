package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strings"

	"github.com/e-people/e-people/forum/bench"
	"github.com/e-people/e-people/forum/store"
	"github.com/e-people/e-people/forum/store/dialect"
)

// command is one subcommand of epeople: its name, the arguments it takes,
// one line on what it does, and how it runs.
type command struct {
	name, args, summary string
	run                 func(args []string) error
}

// commands lists the subcommands, in the order usage shows them.
func commands() []command {
	return []command{
		{"serve", "[flags]", "serve the forum (the default: `epeople -db FILE` serves too)", serveCommand},
		{"admin", "create|ministry|reset-2fa [flags]", "create an account or a ministry, or reset a second factor", adminCommand},
		{"backup", "[-db FILE] PATH", "write a consistent copy of the live SQLite database to PATH (mode 0600)", backupCommand},
		{"bench", "[flags]", "measure the forum under load", func(args []string) error { return bench.Command(args, schemaSQL) }},
		{"migrate", "-from FILE -to URL", "copy an SQLite forum into PostgreSQL, and verify it", migrateCommand},
		{"version", "", "print the module version, VCS revision and Go version", versionCommand},
		{"help", "[COMMAND]", "list the commands, or a command's flags", nil},
	}
}

// errUsage is a command line the flag package has already refused, with
// its usage, on stderr: the exit status is 2.
var errUsage = errors.New("usage")

// run runs the command line args (without the program name) and returns the
// exit status: 0, 1 when the command failed, 2 when the command line is wrong.
// An unknown first word never starts the server.
func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || (strings.HasPrefix(args[0], "-") && !isHelp(args[0])) {
		args = append([]string{"serve"}, args...) // flags alone serve, as before subcommands existed
	}
	name, rest := args[0], args[1:]
	if isHelp(name) || name == "help" {
		if name == "help" && len(rest) > 0 {
			return run([]string{rest[0], "-h"}, stdout, stderr)
		}
		usage(stdout)
		return 0
	}
	var cmd *command
	for _, c := range commands() {
		if c.name == name && c.run != nil {
			cmd = &c
		}
	}
	if cmd == nil {
		fmt.Fprintf(stderr, "epeople: unknown command %q\n\n", name)
		usage(stderr)
		return 2
	}
	err := cmd.run(rest)
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return 0
	case errors.Is(err, errUsage):
		return 2
	}
	fmt.Fprintln(stderr, "epeople:", err)
	return 1
}

func isHelp(arg string) bool { return arg == "-h" || arg == "-help" || arg == "--help" }

// usage lists the commands with one line each.
func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: epeople COMMAND [flags]")
	fmt.Fprintln(w, "\ncommands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-9s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\n`epeople COMMAND -h` lists a command's flags.")
}

// newFlags is the flag set of `epeople name`, whose -h shows args and the
// set's own flags, and whose parse errors end in errUsage.
func newFlags(name, args string) *flag.FlagSet {
	fs := flag.NewFlagSet("epeople "+name, flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: epeople %s %s\n", name, args)
		n := 0
		fs.VisitAll(func(*flag.Flag) { n++ })
		if n > 0 {
			fmt.Fprintln(fs.Output(), "\nflags:")
			fs.PrintDefaults()
		}
	}
	return fs
}

// parse parses args into fs: flag.ErrHelp after -h, errUsage after a bad flag.
func parse(fs *flag.FlagSet, args []string) error {
	err := fs.Parse(args)
	if err != nil && !errors.Is(err, flag.ErrHelp) {
		return errUsage
	}
	return err
}

func serveCommand(args []string) error {
	var cfg config
	fs := newFlags("serve", "[flags]")
	cfg.flags(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(fs.Output(), "epeople serve: unexpected argument %q\n", fs.Arg(0))
		fs.Usage()
		return errUsage
	}
	return serve(cfg)
}

// backupCommand runs `epeople backup [-db FILE] PATH`. The database must
// exist: a mistyped -db is an error, never an empty database backed up.
func backupCommand(args []string) error {
	var cfg config
	fs := newFlags("backup", "[-db FILE] PATH")
	cfg.dbFlag(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return errUsage
	}
	if !dialect.IsPostgres(cfg.db) {
		if _, err := os.Stat(cfg.db); err != nil {
			return fmt.Errorf("backup: no database at -db %s: %w", cfg.db, err)
		}
	}
	return withStore(cfg, func(ctx context.Context, st *store.Store) error {
		if err := st.Backup(ctx, fs.Arg(0)); err != nil {
			return err
		}
		fmt.Printf("backed up %s to %s\n", cfg.db, fs.Arg(0))
		return nil
	})
}

// versionCommand prints what the binary was built from.
func versionCommand(args []string) error {
	fs := newFlags("version", "")
	if err := parse(fs, args); err != nil {
		return err
	}
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return errors.New("version: this binary carries no build information")
	}
	fmt.Print(versionText(bi))
	return nil
}

// versionText is the module, its version, the VCS revision (with its time,
// and "modified" when the tree had uncommitted changes) and the Go version.
func versionText(bi *debug.BuildInfo) string {
	set := map[string]string{}
	for _, s := range bi.Settings {
		set[s.Key] = s.Value
	}
	var b strings.Builder
	fmt.Fprintf(&b, "epeople %s (%s)\n", bi.Main.Version, bi.Main.Path)
	if rev := set["vcs.revision"]; rev != "" {
		fmt.Fprintf(&b, "revision %s", rev)
		if t := set["vcs.time"]; t != "" {
			fmt.Fprintf(&b, " of %s", t)
		}
		if set["vcs.modified"] == "true" {
			b.WriteString(", modified")
		}
		b.WriteString("\n")
	} else {
		b.WriteString("revision unknown (built outside a VCS checkout)\n")
	}
	fmt.Fprintf(&b, "%s\n", bi.GoVersion)
	return b.String()
}
