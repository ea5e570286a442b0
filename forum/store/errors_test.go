package store

import (
	"errors"
	"fmt"
	"testing"
)

// TestConstraintCodes checks that constraint violations are told apart by
// the driver's codes, and that a message that merely reads like one is not.
func TestConstraintCodes(t *testing.T) {
	s := openTest(t, nil)
	insert := func(q string) error {
		return s.write(ctx, func(t *tx) error {
			_, err := t.ExecContext(ctx, q)
			return err
		})
	}
	fk := insert(`INSERT INTO categories (slug, name_ko, name_en, ministry_id) VALUES ('fk', '가', 'a', 999)`)
	if err := insert(`INSERT INTO categories (slug, name_ko, name_en) VALUES ('dup', '가', 'a')`); err != nil {
		t.Fatalf("first insert: %v", err)
	}
	dup := insert(`INSERT INTO categories (slug, name_ko, name_en) VALUES ('dup', '나', 'b')`)
	text := errors.New("FOREIGN KEY constraint failed; UNIQUE constraint failed")
	for _, tc := range []struct {
		name       string
		err        error
		fk, unique bool
	}{
		{"foreign key", fk, true, false},
		{"foreign key wrapped", fmt.Errorf("create category: %w", fk), true, false},
		{"unique", dup, false, true},
		{"text alone", text, false, false},
		{"nil", nil, false, false},
	} {
		if got := isForeignKey(tc.err); got != tc.fk {
			t.Errorf("%s: isForeignKey(%v) = %v, want %v", tc.name, tc.err, got, tc.fk)
		}
		if got := isUnique(tc.err); got != tc.unique {
			t.Errorf("%s: isUnique(%v) = %v, want %v", tc.name, tc.err, got, tc.unique)
		}
	}
}
