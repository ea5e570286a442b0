package store

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/e-people/e-people/forum"
)

// TestStore_SQLInjectionCorpus stores every SQL-injection string of the shared
// corpus as a proposal title and body and as a comment body, and reads each
// back byte for byte.
func TestStore_SQLInjectionCorpus(t *testing.T) {
	dir := filepath.Join("..", "..", "..", "shared", "corpora", "payloadsallthethings", "sqli")
	files, err := filepath.Glob(filepath.Join(dir, "*.txt"))
	if err != nil || len(files) == 0 {
		t.Skipf("SQL-injection corpus not found at %s (expected beside the work tree as shared/corpora): %v", dir, err)
	}
	var payloads []string
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		payloads = append(payloads, string(b)) // the whole file too, newlines and all
		for _, line := range strings.Split(string(b), "\n") {
			if strings.TrimSpace(line) != "" {
				payloads = append(payloads, line) // as is, a trailing CR included
			}
		}
	}
	w := newWorld(t)
	commenter := newUser(t, w.s, "commenter")
	host := w.openProposal(t, "댓글을 받는 제안")
	type stored struct {
		payload  string
		proposal int64
		comment  int64
	}
	var all []stored
	for _, pl := range payloads {
		p, err := w.s.CreateProposal(ctx, NewProposal{AuthorID: w.author.ID,
			Input: forum.ProposalInput{Title: pl, Body: pl, CategoryID: w.category, MinistryID: w.ministry},
			Body:  html("x"), SponsorToken: pl}, 0)
		if err != nil {
			t.Fatalf("store proposal %q: %v", pl, err)
		}
		c, err := w.s.CreateComment(ctx, NewComment{Subject: forum.ProposalSubject(host.ID), AuthorID: commenter.ID,
			Input: forum.CommentInput{Stance: forum.StanceNeutral, Body: pl}, Body: html("x")})
		if err != nil {
			t.Fatalf("store comment %q: %v", pl, err)
		}
		all = append(all, stored{pl, p.ID, c.ID})
	}
	for _, st := range all {
		p, err := w.s.Proposal(ctx, st.proposal)
		if err != nil {
			t.Fatal(err)
		}
		if p.Title != st.payload || p.BodySrc != st.payload || p.SponsorToken != st.payload {
			t.Errorf("proposal %d does not round-trip %q: title %q body %q", p.ID, st.payload, p.Title, p.BodySrc)
		}
		c, err := w.s.Comment(ctx, st.comment)
		if err != nil {
			t.Fatal(err)
		}
		if c.BodySrc != st.payload {
			t.Errorf("comment %d does not round-trip %q: %q", c.ID, st.payload, c.BodySrc)
		}
	}
	// The queries were not changed: every row is where it should be and nothing else moved.
	if n := count(t, w.s, `SELECT count(*) FROM proposals`); n != len(payloads)+1 {
		t.Errorf("proposals = %d, want %d", n, len(payloads)+1)
	}
	if n := count(t, w.s, `SELECT count(*) FROM users`); n != 2 {
		t.Errorf("users = %d, want 2", n)
	}
	comments, err := w.s.Comments(ctx, forum.ProposalSubject(host.ID))
	if err != nil || len(comments) != len(payloads) {
		t.Errorf("Comments = %d, %v; want %d", len(comments), err, len(payloads))
	}
	page, err := w.s.ListProposals(ctx, ProposalQuery{Limit: 100})
	if err != nil || len(page.Proposals) != 100 {
		t.Errorf("ListProposals = %d, %v", len(page.Proposals), err)
	}
	t.Logf("%d payloads from %d files", len(payloads), len(files))
	checkCounters(t, w.s)
}
