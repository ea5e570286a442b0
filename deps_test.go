package main

import (
	"encoding/json"
	"errors"
	"io"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// TestDependencyDirection keeps every package of the module in its room
// (DESIGN.md §1). Dependencies point one way: main -> forum/web ->
// forum/store, forum/live -> forum -> moderation, and moderation, views and
// assets import nothing of ours. SQL stays in the store, Fiber in the web
// layer. A package the table does not name fails the test, so a new package
// gets its place on purpose.
func TestDependencyDirection(t *testing.T) {
	// The packages of ours each package may import, by path inside the
	// module ("." is main). Test files are not checked.
	allowed := map[string][]string{
		".": {"assets", "views", "moderation", "forum", "forum/bench", "forum/demo", "forum/live",
			"forum/mail", "forum/schedule", "forum/store", "forum/web", "forum/identity", "forum/metrics", "forum/cluster", "forum/store/dialect"},
		".ci/vulndb":     {}, // builds the vulnerability database for make vulncheck
		"assets":         {},
		"views":          {},
		"moderation":     {},
		"forum":          {"moderation", "forum/textdiff", "forum/workday"},
		"forum/search":   {},
		"forum/identity": {"forum"},
		"forum/schedule": {},
		"forum/metrics":  {}, // the Prometheus wiring: web, store and live hand it plain numbers through main
		"forum/store":    {"forum", "forum/attachment", "forum/search", "forum/store/dialect", "forum/workday", "moderation"},
		// What a civil request may carry, by content: pure, standard library and x/text only.
		"forum/attachment": {},
		// How the store's queries run on PostgreSQL; the store's test helpers open PostgreSQL through it too.
		"forum/store/dialect": {},
		"forum/live":          {"forum"},
		"forum/mail":          {"forum/store"},
		"forum/demo":          {"forum", "forum/store", "moderation"},
		"forum/web":           {"forum", "forum/attachment", "forum/live", "forum/ogcard", "forum/search", "forum/store", "forum/textdiff", "forum/workday", "moderation"},
		// A proposal's share card (issue 18): draws the PNG from words and a font, pure.
		"forum/ogcard": {},
		// Several nodes as one forum: ordered events, the bus, registry and leader, through the store.
		"forum/cluster": {"forum", "forum/store"},
		// The load generator drives a forum it starts itself, through the
		// end-to-end harness or in process.
		"forum/bench": {"forum", "forum/cluster", "forum/demo", "forum/e2e", "forum/store", "forum/store/dialect", "forum/web", "moderation"},
		// The end-to-end harness drives the built binary over HTTP (it takes
		// the session cookie's name from web); it may read the database the
		// binary wrote, through the store.
		"forum/e2e": {"forum/store", "forum/web"},
		// The store's test helpers.
		"forum/store/storetest": {"forum", "forum/store", "forum/store/dialect"},
		// Word- and character-level diffs of two texts (issue 18's edits told to supporters): go-diff only.
		"forum/textdiff": {},
		// Working days and Korea's holidays for the periods of civil requests: the standard library only.
		"forum/workday": {},
	}
	// Outside packages only some rooms may import, by import path prefix.
	confined := []struct {
		what     string
		prefixes []string
		rooms    []string
	}{
		// SQL lives in the store; main opens the database, and the store's
		// test helpers and the end-to-end harness read the real file.
		{"SQL", []string{"database/sql", "github.com/mattn/go-sqlite3", "github.com/jackc/pgx", "github.com/lib/pq"},
			[]string{".", "forum/store", "forum/store/dialect", "forum/store/storetest", "forum/e2e"}},
		{"Fiber", []string{"github.com/gofiber/", "github.com/valyala/fasthttp"},
			[]string{".", "forum/web"}},
		{"Prometheus", []string{"github.com/prometheus/"}, []string{"forum/metrics"}},
		{"NATS", []string{"github.com/nats-io/"}, []string{"forum/cluster"}},
	}

	pkgs := modulePackages(t)
	if len(pkgs) == 0 {
		t.Fatal("go list found no package of the module")
	}
	for _, p := range pkgs {
		may, ok := allowed[p.rel]
		if !ok {
			t.Errorf("package %s has no entry in TestDependencyDirection: add one naming the packages of ours it may import (DESIGN.md §1)", p.rel)
			continue
		}
		for _, imp := range p.ours {
			if !slices.Contains(may, imp) {
				t.Errorf("%s imports %s, which its entry in TestDependencyDirection does not allow (it may import %v)", p.rel, imp, may)
			}
		}
		for _, imp := range p.others {
			for _, c := range confined {
				for _, prefix := range c.prefixes {
					if strings.HasPrefix(imp, prefix) && !slices.Contains(c.rooms, p.rel) {
						t.Errorf("%s imports %s: %s stays in %v", p.rel, imp, c.what, c.rooms)
					}
				}
			}
		}
	}
}

// modulePackage is one package of the module and what it imports, split
// into packages of ours (by path inside the module) and all others.
type modulePackage struct {
	rel          string
	ours, others []string
}

// modulePackages lists every package of the module, the build tools under
// .ci included (./... skips dot folders), with `go list -deps`.
func modulePackages(t *testing.T) []modulePackage {
	t.Helper()
	cmd := exec.Command("go", "list", "-tags", "sqlite_fts5", "-deps", "-json=ImportPath,Imports,Module", "./...", "./.ci/vulndb")
	out, err := cmd.Output()
	if err != nil {
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			t.Fatalf("go list: %v\n%s", err, exit.Stderr)
		}
		t.Fatalf("go list: %v", err)
	}
	type listed struct {
		ImportPath string
		Imports    []string
		Module     *struct {
			Path string
			Main bool
		}
	}
	var all []listed
	dec := json.NewDecoder(strings.NewReader(string(out)))
	for {
		var p listed
		if err := dec.Decode(&p); err == io.EOF {
			break
		} else if err != nil {
			t.Fatalf("read go list output: %v", err)
		}
		all = append(all, p)
	}
	var mod string
	for _, p := range all {
		if p.Module != nil && p.Module.Main {
			mod = p.Module.Path
		}
	}
	if mod == "" {
		t.Fatal("go list found no package of the main module")
	}
	rel := func(path string) (string, bool) {
		if path == mod {
			return ".", true
		}
		r, ok := strings.CutPrefix(path, mod+"/")
		return r, ok
	}
	var pkgs []modulePackage
	for _, p := range all {
		r, ok := rel(p.ImportPath)
		if !ok {
			continue
		}
		mp := modulePackage{rel: r}
		for _, imp := range p.Imports {
			if ir, ok := rel(imp); ok {
				mp.ours = append(mp.ours, ir)
			} else {
				mp.others = append(mp.others, imp)
			}
		}
		pkgs = append(pkgs, mp)
	}
	return pkgs
}
