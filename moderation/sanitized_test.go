package moderation

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

func TestSanitized_RoundTripsThroughStore(t *testing.T) {
	var zero Sanitized
	if !zero.IsZero() || zero.String() != "" || zero.HTML() != "" {
		t.Errorf("zero Sanitized = %q, want empty", zero.String())
	}
	s := RenderMarkdown("**굵게** <script>alert(1)</script>")
	if s.IsZero() {
		t.Fatalf("RenderMarkdown returned an empty fragment")
	}
	back := TrustedFromStore(s.String())
	if back != s || string(back.HTML()) != s.String() {
		t.Errorf("TrustedFromStore(%q) = %q, want the same fragment", s.String(), back.String())
	}
	if !RenderMarkdown("").IsZero() {
		t.Errorf("RenderMarkdown(\"\") is not zero")
	}
}

// TestOnlySanitizedMakesTemplateHTML enforces house rule 2 over the whole
// module: the only conversion to html/template's HTML type is Sanitized.HTML.
func TestOnlySanitizedMakesTemplateHTML(t *testing.T) {
	root := moduleRoot(t)
	fset := token.NewFileSet()
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if name := d.Name(); path != root && (strings.HasPrefix(name, ".") || name == "testdata" || name == "vendor" || name == "node_modules") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			t.Logf("skipping %s: %v", path, err) // someone else's file mid-edit
			return nil
		}
		names := map[string]bool{}
		for _, imp := range f.Imports {
			if p, _ := strconv.Unquote(imp.Path.Value); p == "html/template" {
				name := "template"
				if imp.Name != nil {
					name = imp.Name.Name
				}
				names[name] = true
			}
		}
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			sel, ok := call.Fun.(*ast.SelectorExpr)
			if !ok || sel.Sel.Name != "HTML" {
				return true
			}
			if x, ok := sel.X.(*ast.Ident); ok && names[x.Name] {
				rel, _ := filepath.Rel(root, path)
				if filepath.ToSlash(rel) != "moderation/sanitized.go" {
					t.Errorf("%s: conversion to template.HTML outside moderation.Sanitized", fset.Position(call.Pos()))
				}
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatalf("walk module: %v", err)
	}
}
