package web

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/e-people/e-people/views"
)

// TestCatalogs_Complete fails on a key missing in any language, on a key a
// template or handler uses that no catalog has, and on format verbs that differ.
func TestCatalogs_Complete(t *testing.T) {
	cats, err := loadCatalogs(views.FS)
	if err != nil {
		t.Fatal(err)
	}
	verbs := regexp.MustCompile(`%[ds]`)
	for key, ko := range cats["ko"] {
		for _, lang := range Languages[1:] {
			v, ok := cats[lang][key]
			if !ok {
				t.Errorf("%s: missing %q", lang, key)
				continue
			}
			if strings.Join(verbs.FindAllString(v, -1), "") != strings.Join(verbs.FindAllString(ko, -1), "") {
				t.Errorf("%s %q: verbs %v differ from Korean %v", lang, key, verbs.FindAllString(v, -1), verbs.FindAllString(ko, -1))
			}
		}
	}
	for _, lang := range Languages[1:] {
		for key := range cats[lang] {
			if _, ok := cats["ko"][key]; !ok {
				t.Errorf("%s has %q, which Korean lacks", lang, key)
			}
		}
	}
	used := map[string]bool{}
	tmplKey := regexp.MustCompile(`\bt "([a-z0-9_.]+)"`)
	htmls, _ := fs.Glob(views.FS, "*.html")
	for _, f := range htmls {
		b, _ := fs.ReadFile(views.FS, f)
		for _, m := range tmplKey.FindAllStringSubmatch(string(b), -1) {
			used[m[1]] = true
		}
	}
	goKey := regexp.MustCompile(`"((?:err|flash|error)\.[a-z0-9_.]+[a-z0-9_])"`)
	for _, dir := range []string{".", "..", "../store"} {
		files, _ := filepath.Glob(filepath.Join(dir, "*.go"))
		for _, f := range files {
			if strings.HasSuffix(f, "_test.go") {
				continue
			}
			b, _ := os.ReadFile(f)
			for _, m := range goKey.FindAllStringSubmatch(string(b), -1) {
				used[m[1]] = true
			}
		}
	}
	used["comment.closed.proposal"], used["comment.closed.debate"] = true, true
	for _, st := range []string{"draft", "gathering", "open"} {
		used["flash.proposal_created."+st] = true
	}
	if len(used) < 100 {
		t.Fatalf("found only %d keys in use: the scan is broken", len(used))
	}
	for key := range used {
		for _, lang := range Languages {
			if _, ok := cats[lang][key]; !ok {
				t.Errorf("%s: key %q used but missing", lang, key)
			}
		}
	}
}
