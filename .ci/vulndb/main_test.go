package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

const stdlibEntry = `{"id":"GO-2026-0001","modified":"2026-03-01T00:00:00Z","aliases":["CVE-2026-1"],
"affected":[{"package":{"name":"stdlib"},"ranges":[{"type":"SEMVER","events":[{"introduced":"0"},{"fixed":"1.26.9"}]}]},
{"package":{"name":"toolchain"},"ranges":[]}]}`

const moduleEntry = `{"id":"GO-2026-0002","modified":"2026-04-01T00:00:00Z",
"affected":[{"package":{"name":"example.com/m"},"ranges":[]},{"package":{"name":"example.com/m"},"ranges":[]}]}`

func writeOSV(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestBuild_V1Index builds a database from two OSV entries and reads it back
// the way govulncheck does: the index names every module's entries once, and
// ID/<id>.json is the entry as published.
func TestBuild_V1Index(t *testing.T) {
	osvDir, out := t.TempDir(), filepath.Join(t.TempDir(), "db")
	writeOSV(t, osvDir, map[string]string{"GO-2026-0001.json": stdlibEntry, "GO-2026-0002.json": moduleEntry})
	if err := run("", osvDir, out); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(out + ".tmp"); !os.IsNotExist(err) {
		t.Errorf("the build directory %s.tmp is left behind (%v)", out, err)
	}

	var mods []struct {
		Path  string
		Vulns []struct{ ID, Fixed string }
	}
	readJSON(t, filepath.Join(out, "index", "modules.json"), &mods)
	got := map[string][]string{}
	for _, m := range mods {
		for _, v := range m.Vulns {
			got[m.Path] = append(got[m.Path], v.ID)
			if v.Fixed != "" {
				t.Errorf("%s %s: fixed %q; the index leaves it out so govulncheck reads the ranges", m.Path, v.ID, v.Fixed)
			}
		}
	}
	want := map[string][]string{"stdlib": {"GO-2026-0001"}, "toolchain": {"GO-2026-0001"}, "example.com/m": {"GO-2026-0002"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("modules index %v, want %v", got, want)
	}

	var db struct{ Modified string }
	readJSON(t, filepath.Join(out, "index", "db.json"), &db)
	if db.Modified != "2026-04-01T00:00:00Z" {
		t.Errorf("db modified %q, want the newest entry's", db.Modified)
	}
	var vulns []struct {
		ID      string
		Aliases []string
	}
	readJSON(t, filepath.Join(out, "index", "vulns.json"), &vulns)
	if len(vulns) != 2 || vulns[0].ID != "GO-2026-0001" || len(vulns[0].Aliases) != 1 {
		t.Errorf("vulns index %+v", vulns)
	}
	b, err := os.ReadFile(filepath.Join(out, "ID", "GO-2026-0002.json"))
	if err != nil || string(b) != moduleEntry {
		t.Errorf("ID/GO-2026-0002.json = %q, %v; want the entry as published", b, err)
	}
}

// TestBuild_Refuses checks that a directory which is not the vulndb data, or
// an entry filed under another id, fails the build and keeps the old database.
func TestBuild_Refuses(t *testing.T) {
	out := filepath.Join(t.TempDir(), "db")
	if err := os.MkdirAll(filepath.Join(out, "index"), 0o755); err != nil {
		t.Fatal(err)
	}
	for name, files := range map[string]map[string]string{
		"empty":     {},
		"misfiled":  {"GO-2026-0009.json": stdlibEntry},
		"not json":  {"GO-2026-0001.json": "{"},
		"no stdlib": {"GO-2026-0002.json": moduleEntry},
	} {
		dir := t.TempDir()
		writeOSV(t, dir, files)
		if err := run("", dir, out); err == nil {
			t.Errorf("%s: built a database", name)
		}
		if _, err := os.Stat(filepath.Join(out, "index")); err != nil {
			t.Errorf("%s: the previous database is gone: %v", name, err)
		}
	}
}

func readJSON(t *testing.T, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}
