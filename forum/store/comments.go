package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/e-people/e-people/forum"
	"github.com/e-people/e-people/moderation"
)

const commentCols = `c.id, COALESCE(c.proposal_id, 0), COALESCE(c.debate_id, 0), COALESCE(c.parent_id, 0), c.depth, c.author_id, u.name, u.role,
	c.stance, c.body_src, c.body_html, c.up_count, c.down_count, c.status, c.mod_state, c.mod_reason, c.created_at, c.updated_at,
	c.version, c.lang`

const commentFrom = ` FROM comments c JOIN users u ON u.id = c.author_id `

func scanComment(row interface{ Scan(...any) error }) (*forum.Comment, error) {
	var c forum.Comment
	var body string
	var created, updated int64
	if err := row.Scan(&c.ID, &c.ProposalID, &c.DebateID, &c.ParentID, &c.Depth, &c.AuthorID, &c.AuthorName, &c.AuthorRole, &c.Stance,
		&c.BodySrc, &body, &c.Up, &c.Down, &c.Status, &c.ModState, &c.ModReason, &created, &updated,
		&c.Version, &c.Lang); err != nil {
		return nil, err
	}
	if c.Lang == "" { // written before lang was stored (indexComments)
		c.Lang = forum.DetectLang(c.BodySrc, "")
	}
	c.Body = moderation.TrustedFromStore(body)
	c.CreatedAt, c.UpdatedAt = fromUnix(created), fromUnix(updated)
	return &c, nil
}

// subjectSQL is the column and table that hold a subject's comments and their count.
func subjectSQL(s forum.Subject) (column, table string) {
	if s.Kind == forum.KindDebate {
		return "debate_id", "debates"
	}
	return "proposal_id", "proposals"
}

// subjectOpen reports whether the subject takes comments and votes now:
// forum.Proposal.TakesComments or forum.Debate.TakesComments.
func subjectOpen(ctx context.Context, t *tx, s forum.Subject) (bool, error) {
	if s.Kind == forum.KindDebate {
		var d forum.Debate
		if err := t.QueryRowContext(ctx, `SELECT status, locked FROM debates WHERE id = ?`, s.ID).Scan(&d.Status, &d.Locked); err != nil {
			return false, err
		}
		return d.TakesComments(), nil
	}
	var p forum.Proposal
	if err := t.QueryRowContext(ctx, `SELECT status, locked, mod_state FROM proposals WHERE id = ?`, s.ID).Scan(&p.Status, &p.Locked, &p.ModState); err != nil {
		return false, err
	}
	return p.TakesComments(), nil
}

// NewComment is a comment about to be created.
type NewComment struct {
	Subject  forum.Subject
	AuthorID int64
	Input    forum.CommentInput
	Body     moderation.Sanitized
	Hold     []string // content rules tripped: the comment waits for a moderator
	Cap      *Cap     // the author's comment cap, spent in the same write; nil for none
}

// commentTarget is what creating a comment reads before it writes, in one
// statement by primary keys: whether the subject takes comments, what the
// search index files the comment under, and the author's role, tier and name.
type commentTarget struct {
	open     bool
	public   bool // the thread is public, so its shown comments are searchable
	status   string
	ministry int64
	category sql.NullInt64
	author   forum.User
}

// proposalTargetSQL and debateTargetSQL read a commentTarget; the arguments
// are the subject's id and the author's.
var (
	proposalTargetSQL = `SELECT p.status, p.locked, p.mod_state, p.ministry_id, p.category_id, ` + publicProposal + `,
		u.role, u.tier, u.name FROM proposals p, users u WHERE p.id = ? AND u.id = ?`
	debateTargetSQL = `SELECT d.status, d.locked, d.ministry_id, u.role, u.tier, u.name FROM debates d, users u WHERE d.id = ? AND u.id = ?`
)

// readCommentTarget reads the commentTarget of a new comment by authorID under subject.
func readCommentTarget(ctx context.Context, t *tx, subject forum.Subject, authorID int64) (commentTarget, error) {
	ct := commentTarget{author: forum.User{ID: authorID}}
	a := &ct.author
	if subject.Kind == forum.KindDebate {
		var d forum.Debate
		err := t.QueryRowContext(ctx, debateTargetSQL, subject.ID, authorID).Scan(&d.Status, &d.Locked, &ct.ministry, &a.Role, &a.Tier, &a.Name)
		ct.open, ct.public, ct.status = d.TakesComments(), true, string(d.Status)
		return ct, err
	}
	var p forum.Proposal
	err := t.QueryRowContext(ctx, proposalTargetSQL, subject.ID, authorID).Scan(&p.Status, &p.Locked, &p.ModState, &ct.ministry, &ct.category,
		&ct.public, &a.Role, &a.Tier, &a.Name)
	ct.open, ct.status = p.TakesComments(), string(p.Status)
	return ct, err
}

// parentSQL reads what a reply needs of its parent: its depth, whether it
// takes replies, whether it is under the same subject, and its author.
func parentSQL(column string) string {
	// COALESCE(x, 0) = ?, not SQLite's x IS ?, which PostgreSQL does not take; ids start at 1.
	return `SELECT depth, status, mod_state, COALESCE(` + column + `, 0) = ?, author_id FROM comments WHERE id = ?`
}

// insertCommentSQL adds a comment and returns it as scanComment reads it;
// the author's name and role, from another table, are the last two arguments.
func insertCommentSQL(column string) string {
	return `INSERT INTO comments (` + column + `, parent_id, depth, author_id, stance, body_src, body_html, mod_state, created_at, updated_at, lang)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		RETURNING id, COALESCE(proposal_id, 0), COALESCE(debate_id, 0), COALESCE(parent_id, 0), depth, author_id, ?, ?,
		stance, body_src, body_html, up_count, down_count, status, mod_state, mod_reason, created_at, updated_at, version, lang`
}

// CreateComment adds a comment or reply to an open proposal or debate and
// returns it as written. Everything it reads is read by primary key, in the
// same write, so nothing it decides on can change before it commits.
func (s *Store) CreateComment(ctx context.Context, nc NewComment) (*forum.Comment, error) {
	var cm *forum.Comment
	column, table := subjectSQL(nc.Subject)
	err := s.writeKeyed(ctx, turnKey(nc.Subject.Kind, nc.Subject.ID), func(t *tx) error {
		target, err := readCommentTarget(ctx, t, nc.Subject, nc.AuthorID)
		if err != nil {
			return err
		}
		if !target.open {
			return forum.Refuse(forum.ErrInvalidState, "err.comments_closed")
		}
		depth := 1
		var parent any
		var parentAuthor int64
		if nc.Input.ParentID != 0 {
			var pc forum.Comment
			var same bool
			err := t.QueryRowContext(ctx, parentSQL(column), nc.Subject.ID, nc.Input.ParentID).
				Scan(&pc.Depth, &pc.Status, &pc.ModState, &same, &parentAuthor)
			if err != nil && !errors.Is(err, sql.ErrNoRows) {
				return err // a failure to read (on PostgreSQL, a conflict to retry) is no verdict on the parent
			}
			if err != nil || !same || !pc.TakesInteraction() { // nothing piles up under a held or hidden comment
				return forum.Invalid("parent", "err.parent_missing")
			}
			pd := pc.Depth
			if pd >= forum.MaxCommentDepth {
				return forum.Invalid("parent", "err.too_deep", forum.MaxCommentDepth)
			}
			depth, parent = pd+1, nc.Input.ParentID
		}
		if err := forum.CheckTier(&target.author, s.Settings().Tiers, forum.ActionComment); err != nil {
			return err
		}
		now := t.now.Unix()
		state := forum.ModVisible
		if len(nc.Hold) > 0 {
			state = forum.ModHeld
		}
		cm, err = scanComment(t.QueryRowContext(ctx, insertCommentSQL(column),
			nc.Subject.ID, parent, depth, nc.AuthorID, nc.Input.Stance, nc.Input.Body, nc.Body.String(), state, now, now, commentLang(nc.Body.String()),
			target.author.Name, target.author.Role))
		if err != nil {
			return err
		}
		if err := t.spend(ctx, ActivityComments, nc.AuthorID, nc.Cap); err != nil {
			return err
		}
		if state == forum.ModHeld {
			if err := hold(ctx, t, forum.ItemComment, cm.ID, nc.Hold); err != nil {
				return err
			}
		}
		// What indexComment would decide, from what this write has read: a
		// comment is searchable while it is shown and its thread public.
		if state == forum.ModVisible && target.public {
			err = putIndex(ctx, t, SearchComment, cm.ID, indexText(nc.Body.String()), "", target.status, target.ministry, target.category, now)
		} else {
			err = unindex(ctx, t, SearchComment, cm.ID)
		}
		if err != nil {
			return fmt.Errorf("index comment %d: %w", cm.ID, err)
		}
		var count int
		if err := t.QueryRowContext(ctx, `UPDATE `+table+` SET comment_count = comment_count + 1 WHERE id = ? RETURNING comment_count`,
			nc.Subject.ID).Scan(&count); err != nil {
			return err
		}
		if err := t.event(ctx, nc.Subject.Topic(), forum.CommentCreatedEvent{
			ProposalID: nc.Subject.ProposalID(), DebateID: nc.Subject.DebateID(), CommentID: cm.ID, ParentID: nc.Input.ParentID,
			Stance: nc.Input.Stance, Comments: count}); err != nil {
			return err
		}
		if parent == nil || state != forum.ModVisible || parentAuthor == nc.AuthorID {
			return nil
		}
		// Replies to one comment are one subject: the page shows them as one.
		data := map[string]any{"kind": "comment", "id": cm.ID, "parent_id": nc.Input.ParentID}
		if err := describeItem(ctx, t, forum.ItemComment, cm.ID, data); err != nil {
			return err
		}
		return notifyAbout(ctx, t, parentAuthor, forum.NoteReply, forum.NoteSubject("comment", nc.Input.ParentID), data)
	})
	if err != nil {
		return nil, fmt.Errorf("create comment: %w", err)
	}
	return cm, nil
}

// Comment returns the comment with id.
func (s *Store) Comment(ctx context.Context, id int64) (*forum.Comment, error) {
	c, err := scanComment(s.r.QueryRowContext(ctx, `SELECT `+commentCols+commentFrom+`WHERE c.id = ?`, id))
	if err != nil {
		return nil, fmt.Errorf("get comment %d: %w", id, mapErr(err))
	}
	return c, nil
}

// Comments returns every comment of a proposal or debate, oldest first.
func (s *Store) Comments(ctx context.Context, subject forum.Subject) ([]*forum.Comment, error) {
	column, _ := subjectSQL(subject)
	rows, err := s.r.QueryContext(ctx, `SELECT `+commentCols+commentFrom+`WHERE c.`+column+` = ? ORDER BY c.id`, subject.ID)
	if err != nil {
		return nil, fmt.Errorf("list comments: %w", mapErr(err))
	}
	defer rows.Close()
	var out []*forum.Comment
	for rows.Next() {
		c, err := scanComment(rows)
		if err != nil {
			return nil, fmt.Errorf("list comments: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// UserComment is a comment with the title of the proposal or the question of the debate it belongs to.
type UserComment struct {
	*forum.Comment
	SubjectTitle string
}

// UserComments returns the visible comments userID wrote on public proposals and in debates, newest first.
func (s *Store) UserComments(ctx context.Context, userID int64, limit int) ([]UserComment, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+commentCols+`, COALESCE(p.title, d.question)`+commentFrom+`
		LEFT JOIN proposals p ON p.id = c.proposal_id LEFT JOIN debates d ON d.id = c.debate_id
		WHERE c.author_id = ? AND `+shownComment+` AND (d.id IS NOT NULL OR `+publicProposal+`)
		ORDER BY c.id DESC LIMIT ?`, userID, limit)
	if err != nil {
		return nil, fmt.Errorf("list user comments: %w", mapErr(err))
	}
	defer rows.Close()
	var out []UserComment
	for rows.Next() {
		var title string
		c, err := scanComment(scanPlus{rows, &title})
		if err != nil {
			return nil, fmt.Errorf("list user comments: %w", err)
		}
		out = append(out, UserComment{c, title})
	}
	return out, rows.Err()
}

// authorsComment reads comment id inside t, refusing anyone but its author.
func authorsComment(ctx context.Context, t *tx, id, authorID int64) (*forum.Comment, error) {
	c, err := scanComment(t.QueryRowContext(ctx, `SELECT `+commentCols+commentFrom+`WHERE c.id = ?`, id))
	if err != nil {
		return nil, err
	}
	if c.AuthorID != authorID {
		return nil, forum.Refuse(forum.ErrForbidden, "err.not_your_comment")
	}
	return c, nil
}

// EditComment replaces the body of the author's comment while the rules allow editing.
// A non-empty hold (content rules tripped) sends the edited comment back to review.
func (s *Store) EditComment(ctx context.Context, id, authorID int64, src string, body moderation.Sanitized, rules forum.Rules, hold []string) (*forum.Comment, error) {
	err := s.write(ctx, func(t *tx) error {
		c, err := authorsComment(ctx, t, id, authorID)
		if err != nil {
			return err
		}
		open, err := subjectOpen(ctx, t, c.Subject())
		if err != nil {
			return err
		}
		if !open || !rules.CanEditComment(c, t.now) {
			return forum.Refuse(forum.ErrInvalidState, "err.edit_closed")
		}
		if err := noPendingAppeal(ctx, t, forum.ItemComment, id); err != nil {
			return err
		}
		if _, err := t.ExecContext(ctx, `UPDATE comments SET body_src = ?, body_html = ?, updated_at = ?, lang = ? WHERE id = ?`,
			src, body.String(), t.now.Unix(), commentLang(body.String()), id); err != nil {
			return err
		}
		subj := c.Subject()
		if err := t.event(ctx, subj.Topic(),
			forum.CommentUpdatedEvent{ProposalID: subj.ProposalID(), DebateID: subj.DebateID(), CommentID: id}); err != nil {
			return err
		}
		if err := holdEdit(ctx, t, forum.ItemComment, id, c.ModState, hold); err != nil {
			return err
		}
		return indexComment(ctx, t, id)
	})
	if err != nil {
		return nil, fmt.Errorf("edit comment %d: %w", id, err)
	}
	return s.Comment(ctx, id)
}

// DeleteComment blanks the author's comment, leaving a placeholder so its replies keep their place.
func (s *Store) DeleteComment(ctx context.Context, id, authorID int64) (*forum.Comment, error) {
	err := s.write(ctx, func(t *tx) error {
		c, err := authorsComment(ctx, t, id, authorID)
		if err != nil {
			return err
		}
		if c.Status != forum.CommentVisible {
			return forum.Refuse(forum.ErrInvalidState, "err.comment_gone")
		}
		if err := noPendingAppeal(ctx, t, forum.ItemComment, id); err != nil {
			return err
		}
		return eraseComment(ctx, t, c)
	})
	if err != nil {
		return nil, fmt.Errorf("delete comment %d: %w", id, err)
	}
	return s.Comment(ctx, id)
}

// eraseComment blanks visible comment c, counts it off its thread and
// tells the thread's topic.
func eraseComment(ctx context.Context, t *tx, c *forum.Comment) error {
	if _, err := t.ExecContext(ctx, `UPDATE comments SET status = 'deleted', body_src = '', body_html = '', updated_at = ? WHERE id = ?`,
		t.now.Unix(), c.ID); err != nil {
		return err
	}
	if err := indexComment(ctx, t, c.ID); err != nil {
		return err
	}
	subj := c.Subject()
	_, table := subjectSQL(subj)
	var count int
	if err := t.QueryRowContext(ctx, `UPDATE `+table+` SET comment_count = comment_count - 1 WHERE id = ? RETURNING comment_count`,
		subj.ID).Scan(&count); err != nil {
		return err
	}
	return t.event(ctx, subj.Topic(),
		forum.CommentDeletedEvent{ProposalID: subj.ProposalID(), DebateID: subj.DebateID(), CommentID: c.ID, Stance: c.Stance, Comments: count})
}

// VoteComment sets userID's vote on a comment to value (+1, -1, or 0 to take
// it back) and returns the comment with its new tallies.
func (s *Store) VoteComment(ctx context.Context, id, userID int64, value int) (*forum.Comment, error) {
	if value < -1 || value > 1 {
		return nil, forum.Invalid("value", "err.bad_vote")
	}
	r := &voteReq{id: id, userID: userID, value: value}
	err := s.writeGrouped(ctx, func(t *tx) error {
		c, err := scanComment(t.QueryRowContext(ctx, `SELECT `+commentCols+commentFrom+`WHERE c.id = ?`, id))
		if err != nil {
			return err
		}
		if c.AuthorID == userID {
			return forum.Refuse(forum.ErrForbidden, "err.vote_own")
		}
		subj := c.Subject()
		open, err := subjectOpen(ctx, t, subj)
		if err != nil {
			return err
		}
		if !c.TakesInteraction() || !open {
			return forum.Refuse(forum.ErrInvalidState, "err.vote_closed")
		}
		var old int
		err = t.QueryRowContext(ctx, `SELECT value FROM comment_votes WHERE comment_id = ? AND user_id = ?`, id, userID).Scan(&old)
		if err != nil && !isNotFound(err) {
			return err
		}
		if old == value {
			return nil
		}
		if value == 0 {
			_, err = t.ExecContext(ctx, `DELETE FROM comment_votes WHERE comment_id = ? AND user_id = ?`, id, userID)
		} else {
			_, err = t.ExecContext(ctx, `INSERT INTO comment_votes (comment_id, user_id, value, created_at) VALUES (?, ?, ?, ?)
				ON CONFLICT (comment_id, user_id) DO UPDATE SET value = excluded.value`, id, userID, value, t.now.Unix())
		}
		if err != nil {
			return err
		}
		up, down := tally(old, value)
		var u, d int
		if err := t.QueryRowContext(ctx, `UPDATE comments SET up_count = up_count + ?, down_count = down_count + ? WHERE id = ?
			RETURNING up_count, down_count`, up, down, id).Scan(&u, &d); err != nil {
			return err
		}
		return t.event(ctx, subj.Topic(),
			forum.CommentVotedEvent{ProposalID: subj.ProposalID(), DebateID: subj.DebateID(), CommentID: id, Up: u, Down: d})
	}, voteGroup, r)
	if err != nil {
		return nil, fmt.Errorf("vote on comment %d: %w", id, err)
	}
	return s.Comment(ctx, id)
}

// tally returns how the up and down counts change when a vote goes from old to new.
func tally(old, new int) (up, down int) {
	count := func(v, sign int) (u, d int) {
		switch v {
		case 1:
			return sign, 0
		case -1:
			return 0, sign
		}
		return 0, 0
	}
	u1, d1 := count(old, -1)
	u2, d2 := count(new, 1)
	return u1 + u2, d1 + d2
}
