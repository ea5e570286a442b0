// Command vulndb builds a local Go vulnerability database for govulncheck
// (`govulncheck -db file:///abs/dir`) from the golang.org/x/vulndb module,
// because vuln.go.dev may be out of reach where only the Go module proxy is.
//
// The module's zip, fetched through the proxy and checked against the
// checksum database like any module, ships every report as OSV JSON under
// data/osv/. This program copies those files to <out>/ID/<id>.json and writes
// the index of the v1 schema (https://go.dev/security/vuln/database#api):
// index/db.json, index/modules.json and index/vulns.json.
//
// The modules index leaves out each vulnerability's "fixed" version, which the
// schema makes optional: govulncheck then reads every entry of a module it
// uses and matches our versions against the entry's own ranges.
//
//	go run ./.ci/vulndb -version v0.0.0-20261105234957-e22db6528018 -out .cache/vulndb/x
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"time"
)

func main() {
	version := flag.String("version", "", "version of golang.org/x/vulndb to fetch through the module proxy")
	osvDir := flag.String("osv", "", "a directory of OSV JSON files to use instead of fetching (overrides -version)")
	out := flag.String("out", "", "directory to write the database to (replaced when complete)")
	flag.Parse()
	if *out == "" || (*version == "" && *osvDir == "") {
		fmt.Fprintln(os.Stderr, "usage: vulndb -version v0.0.0-... -out DIR  (or -osv DIR -out DIR)")
		os.Exit(2)
	}
	if err := run(*version, *osvDir, *out); err != nil {
		fmt.Fprintln(os.Stderr, "vulndb:", err)
		os.Exit(1)
	}
}

func run(version, osvDir, out string) error {
	if osvDir == "" {
		dir, err := download(version)
		if err != nil {
			return err
		}
		osvDir = filepath.Join(dir, "data", "osv")
	}
	// Build beside the target and rename, so an interrupted build never
	// leaves a half-written database that a later run would trust.
	tmp := out + ".tmp"
	if err := os.RemoveAll(tmp); err != nil {
		return fmt.Errorf("clearing %s: %w", tmp, err)
	}
	n, err := build(osvDir, tmp)
	if err != nil {
		return err
	}
	if err := os.RemoveAll(out); err != nil {
		return fmt.Errorf("clearing %s: %w", out, err)
	}
	if err := os.Rename(tmp, out); err != nil {
		return fmt.Errorf("moving the database into place: %w", err)
	}
	fmt.Printf("vulndb: %d entries from %s in %s\n", n, osvDir, out)
	return nil
}

// download fetches golang.org/x/vulndb@version into the module cache and
// returns its directory. It runs outside any module so that our go.mod and
// go.sum are left alone.
func download(version string) (string, error) {
	cmd := exec.Command("go", "mod", "download", "-json", "golang.org/x/vulndb@"+version)
	cmd.Dir = os.TempDir()
	cmd.Env = append(os.Environ(), "GO111MODULE=on")
	cmd.Stderr = os.Stderr
	b, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("go mod download golang.org/x/vulndb@%s: %w", version, err)
	}
	var m struct{ Dir, Error string }
	if err := json.Unmarshal(b, &m); err != nil {
		return "", fmt.Errorf("reading go mod download's answer: %w", err)
	}
	if m.Error != "" || m.Dir == "" {
		return "", fmt.Errorf("go mod download golang.org/x/vulndb@%s: %s", version, m.Error)
	}
	return m.Dir, nil
}

// entry is the part of an OSV entry the index needs.
type entry struct {
	ID       string    `json:"id"`
	Modified time.Time `json:"modified"`
	Aliases  []string  `json:"aliases,omitempty"`
	Affected []struct {
		Package struct {
			Name string `json:"name"`
		} `json:"package"`
	} `json:"affected"`
}

type moduleVuln struct {
	ID       string    `json:"id"`
	Modified time.Time `json:"modified"`
}

type module struct {
	Path  string       `json:"path"`
	Vulns []moduleVuln `json:"vulns"`
}

type vuln struct {
	ID       string    `json:"id"`
	Modified time.Time `json:"modified"`
	Aliases  []string  `json:"aliases,omitempty"`
}

// build writes the v1 database for the OSV files in osvDir to out and
// returns the number of entries.
func build(osvDir, out string) (int, error) {
	files, err := filepath.Glob(filepath.Join(osvDir, "*.json"))
	if err != nil {
		return 0, fmt.Errorf("listing %s: %w", osvDir, err)
	}
	if len(files) == 0 {
		return 0, fmt.Errorf("no OSV entries in %s", osvDir)
	}
	for _, d := range []string{"ID", "index"} {
		if err := os.MkdirAll(filepath.Join(out, d), 0o755); err != nil {
			return 0, fmt.Errorf("creating %s: %w", d, err)
		}
	}
	var (
		dbModified time.Time
		modules    = map[string]*module{}
		vulns      []vuln
	)
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return 0, fmt.Errorf("reading %s: %w", f, err)
		}
		var e entry
		if err := json.Unmarshal(b, &e); err != nil {
			return 0, fmt.Errorf("parsing %s: %w", f, err)
		}
		if e.ID == "" || filepath.Base(f) != e.ID+".json" {
			return 0, fmt.Errorf("%s: the file name does not match the entry's id %q", f, e.ID)
		}
		if err := os.WriteFile(filepath.Join(out, "ID", e.ID+".json"), b, 0o644); err != nil {
			return 0, fmt.Errorf("writing %s: %w", e.ID, err)
		}
		if e.Modified.After(dbModified) {
			dbModified = e.Modified
		}
		vulns = append(vulns, vuln{ID: e.ID, Modified: e.Modified, Aliases: e.Aliases})
		seen := map[string]bool{}
		for _, a := range e.Affected {
			p := a.Package.Name
			if p == "" || seen[p] {
				continue
			}
			seen[p] = true
			m := modules[p]
			if m == nil {
				m = &module{Path: p}
				modules[p] = m
			}
			m.Vulns = append(m.Vulns, moduleVuln{ID: e.ID, Modified: e.Modified})
		}
	}
	mods := make([]*module, 0, len(modules))
	for _, m := range modules {
		sort.Slice(m.Vulns, func(i, j int) bool { return m.Vulns[i].ID < m.Vulns[j].ID })
		mods = append(mods, m)
	}
	sort.Slice(mods, func(i, j int) bool { return mods[i].Path < mods[j].Path })
	sort.Slice(vulns, func(i, j int) bool { return vulns[i].ID < vulns[j].ID })
	for name, v := range map[string]any{
		"db": struct {
			Modified time.Time `json:"modified"`
		}{dbModified},
		"modules": mods,
		"vulns":   vulns,
	} {
		b, err := json.Marshal(v)
		if err != nil {
			return 0, fmt.Errorf("encoding index/%s.json: %w", name, err)
		}
		if err := os.WriteFile(filepath.Join(out, "index", name+".json"), b, 0o644); err != nil {
			return 0, fmt.Errorf("writing index/%s.json: %w", name, err)
		}
	}
	if _, ok := modules["stdlib"]; !ok {
		return 0, errors.New("no entry for the standard library: is this the vulndb module?")
	}
	return len(files), nil
}
