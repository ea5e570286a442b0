package store

import (
	"strings"
	"testing"

	"github.com/e-people/e-people/forum"
	"github.com/e-people/e-people/forum/store/storetest"
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
	if storetest.Postgres() {
		// A UTF8 PostgreSQL database refuses invalid text as it is written
		// (SQLSTATE 22021), so CheckText has nothing to find afterwards.
		_, err := w.s.CreateComment(ctx, NewComment{Subject: forum.ProposalSubject(p.ID), AuthorID: w.author.ID,
			Input: forum.CommentInput{Stance: forum.StanceFor, Body: "깨진 \xed\xa0\x80 댓글"}, Body: html("깨진 댓글")})
		if err == nil || !strings.Contains(err.Error(), "22021") {
			t.Errorf("a comment of invalid UTF-8 was not refused by the database: %v", err)
		}
		if err := w.s.CheckText(ctx); err != nil {
			t.Errorf("after the refused write: %v", err)
		}
		return
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
