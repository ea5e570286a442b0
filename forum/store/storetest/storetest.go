// Package storetest gives the tests of every package one way to the schema
// of a fresh database.
//
// schema.sql stays at the module root, where main embeds it into the binary
// and hands it to store.Open; Go cannot embed a file from a parent folder, so
// tests read it from disk. The package imports nothing of ours, so that the
// store's own tests can use it too, and only tests import it: the binary
// never links it.
package storetest

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// Schema returns the text of schema.sql at the root of the module under
// test: the nearest folder at or above the working directory (go test runs
// each package in its own folder) that holds go.mod.
func Schema(tb testing.TB) string {
	tb.Helper()
	path, err := schemaPath()
	if err != nil {
		tb.Fatalf("find schema: %v", err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		tb.Fatalf("read schema: %v", err)
	}
	return string(b)
}

// schemaPath walks up from the working directory to the module root.
func schemaPath() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("find module root: %w", err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return filepath.Join(dir, "schema.sql"), nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("find module root: no go.mod at or above the working directory")
		}
		dir = parent
	}
}
