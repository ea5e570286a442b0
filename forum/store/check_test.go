package store

import (
	"strings"
	"testing"
)

// TestStore_CheckText finds text that is not UTF-8 wherever it was written,
// and passes a database whose text is all valid.
func TestStore_CheckText(t *testing.T) {
	w := newWorld(t)
	p := w.openProposal(t, "정상 제목 ✓")
	w.comment(t, p.ID, w.author.ID, 0, "정상 댓글 😀")
	if err := w.s.CheckText(ctx); err != nil {
		t.Fatalf("valid database: %v", err)
	}
	w.comment(t, p.ID, w.author.ID, 0, "깨진 \xed\xa0\x80 댓글")
	err := w.s.CheckText(ctx)
	if err == nil {
		t.Fatal("invalid UTF-8 in a comment not found")
	}
	for _, want := range []string{"comments.body_src", `\xed\xa0\x80`} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not name %s", err, want)
		}
	}
}
