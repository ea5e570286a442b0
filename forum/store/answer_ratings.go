package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/e-people/e-people/forum"
)

// Supporters' ratings of, and objections to, a ministry's answer to a
// proposal (issue 18). One row of answer_ratings per supporter and answer
// round holds the rating and, in round 1, the objection.

// roundAnswered is the first answer of round r of proposal id that its
// lead ministry (the one that signs the answer of record) published, as
// unix time (0 while it is owed), with the last version number the lead
// published in the round.
const roundAnswered = `SELECT COALESCE(min(rr.created_at), 0), COALESCE(max(rr.number), 0)
	FROM response_revisions rr JOIN responses a ON a.proposal_id = rr.proposal_id AND a.ministry_id = rr.ministry_id
	WHERE rr.proposal_id = ? AND rr.round = ?`

// feedbackTarget is what a rating or objection reads of its proposal inside the write.
type feedbackTarget struct {
	p         forum.Proposal
	answering []int64 // the lead ministry, then the co-answering ones
	answered  int64   // the current round's first answer; 0 while it is owed
	supporter bool
}

// loadFeedbackTarget reads proposal id for u's rating or objection and
// checks that u may give one (forum.MayGiveAnswerFeedback) on a proposal
// they can see.
func loadFeedbackTarget(ctx context.Context, t *tx, u *forum.User, id int64) (feedbackTarget, error) {
	var f feedbackTarget
	var state string
	err := t.QueryRowContext(ctx, `SELECT p.status, p.answer_round, p.ministry_id, p.mod_state, COALESCE(p.merged_into, 0),
		EXISTS (SELECT 1 FROM supports s WHERE s.proposal_id = p.id AND s.user_id = ?)
		FROM proposals p WHERE p.id = ?`, u.ID, id).Scan(&f.p.Status, &f.p.AnswerRound, &f.p.MinistryID, &state, &f.p.MergedInto, &f.supporter)
	if err != nil {
		return f, err
	}
	f.p.ID = id
	if !f.p.Status.Public() || state != string(forum.ModVisible) {
		return f, forum.ErrNotFound
	}
	lead, co, _, err := answering(ctx, t, id)
	if err != nil {
		return f, err
	}
	f.answering = append([]int64{lead}, co...)
	if err := forum.MayGiveAnswerFeedback(u, f.supporter, f.answering...); err != nil {
		return f, err
	}
	if err := t.QueryRowContext(ctx, roundAnswered, id, f.p.AnswerRound).Scan(&f.answered, new(int)); err != nil {
		return f, err
	}
	switch {
	case f.p.AnswerRound > 1 && (!f.p.Status.Answered() || f.answered == 0):
		return f, forum.Refuse(forum.ErrInvalidState, "rating.err.returned")
	case !f.p.Status.Answered() || f.answered == 0:
		return f, forum.Refuse(forum.ErrInvalidState, "rating.err.not_answered")
	}
	return f, nil
}

// queryRower runs a one-row query: the reader pool or a write transaction.
type queryRower interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// roundScore reads the aggregates of round r of proposal id through q.
func roundScore(ctx context.Context, q queryRower, id int64, r int) (forum.AnswerRoundScore, error) {
	sc := forum.AnswerRoundScore{Round: r}
	err := q.QueryRowContext(ctx, `SELECT count(*), COALESCE(sum(rating), 0), COALESCE(sum(objects), 0)
		FROM answer_ratings WHERE proposal_id = ? AND round = ?`, id, r).Scan(&sc.Ratings, &sc.RatingSum, &sc.Objections)
	return sc, err
}

// ratedEvent tells the proposal's open pages the round's new aggregates.
func ratedEvent(ctx context.Context, t *tx, id int64, sc forum.AnswerRoundScore) error {
	avg := float64(int(sc.Average()*10+0.5)) / 10
	return t.event(ctx, forum.ProposalTopic(id), forum.AnswerRatedEvent{Average: avg, Objections: sc.Objections,
		ProposalID: id, Ratings: sc.Ratings, Round: sc.Round})
}

// RateAnswer records supporter u's rating (1 to 5, with an optional
// comment) of the answer of proposal id's current round. Only a supporter
// rates (no official of an answering ministry), only an answered round, and
// only within forum.AnswerObjectionWindow of that round's first answer;
// within it a second rating replaces the first and keeps any objection.
func (s *Store) RateAnswer(ctx context.Context, u *forum.User, id int64, in forum.RatingInput) (forum.AnswerRoundScore, error) {
	var sc forum.AnswerRoundScore
	if err := in.Validate(); err != nil {
		return sc, fmt.Errorf("rate answer: %w", err)
	}
	comment := strings.TrimSpace(in.Comment)
	err := s.writeKeyed(ctx, turnKey(forum.KindProposal, id), func(t *tx) error {
		f, err := loadFeedbackTarget(ctx, t, u, id)
		if err != nil {
			return err
		}
		if !forum.AnswerFeedbackOpen(&f.p, fromUnix(f.answered), t.now) {
			return forum.Refuse(forum.ErrInvalidState, "rating.err.closed")
		}
		now := t.now.Unix()
		if _, err := t.ExecContext(ctx, `INSERT INTO answer_ratings (proposal_id, round, user_id, rating, comment, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (proposal_id, round, user_id) DO UPDATE SET rating = excluded.rating, comment = excluded.comment, updated_at = excluded.updated_at`,
			id, f.p.AnswerRound, u.ID, in.Rating, comment, now, now); err != nil {
			return err
		}
		if sc, err = roundScore(ctx, t, id, f.p.AnswerRound); err != nil {
			return err
		}
		return ratedEvent(ctx, t, id, sc)
	})
	if err != nil {
		return sc, fmt.Errorf("rate answer to %d: %w", id, mapErr(err))
	}
	return sc, nil
}

// ObjectToAnswer records supporter u's objection, with its reason, to the
// first answer to proposal id. The supporter must have rated it (the row
// holds both), may object once, and only within forum.AnswerObjectionWindow
// of the first answer. The objection that brings them to
// Settings.AnswerObjections returns the proposal to its ministry in the
// same write (forum.TransReturn: round 2, a new due date
// Settings.Thresholds.ResponseIn from now), logs it in the public
// moderation log and tells the followers and the ministry's officials.
// The proposal returns once: round 2 takes no objections.
func (s *Store) ObjectToAnswer(ctx context.Context, u *forum.User, id int64, reason string) (forum.AnswerReturn, error) {
	var out forum.AnswerReturn
	if err := forum.ValidateAnswerObjection(reason); err != nil {
		return out, fmt.Errorf("object to answer: %w", err)
	}
	reason = strings.TrimSpace(reason)
	needed := s.Settings().AnswerObjections
	err := s.writeKeyed(ctx, turnKey(forum.KindProposal, id), func(t *tx) error {
		out = forum.AnswerReturn{}
		f, err := loadFeedbackTarget(ctx, t, u, id)
		if err != nil {
			return err
		}
		if f.p.AnswerRound != 1 {
			return forum.Refuse(forum.ErrInvalidState, "rating.err.second_round")
		}
		if !forum.AnswerObjectionsOpen(&f.p, fromUnix(f.answered), t.now) {
			return forum.Refuse(forum.ErrInvalidState, "rating.err.objection_closed")
		}
		var objects int
		err = t.QueryRowContext(ctx, `SELECT objects FROM answer_ratings WHERE proposal_id = ? AND round = 1 AND user_id = ?`, id, u.ID).Scan(&objects)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			return forum.Refuse(forum.ErrInvalidState, "rating.err.rate_first")
		case err != nil:
			return err
		case objects == 1:
			return forum.Refuse(forum.ErrConflict, "rating.err.objected_once")
		}
		if err := execCount(t, 1, `UPDATE answer_ratings SET objects = 1, objection = ?, updated_at = ?
			WHERE proposal_id = ? AND round = 1 AND user_id = ? AND objects = 0`, reason, t.now.Unix(), id, u.ID); err != nil {
			return err
		}
		sc, err := roundScore(ctx, t, id, 1)
		if err != nil {
			return err
		}
		out.Objections = sc.Objections
		if err := ratedEvent(ctx, t, id, sc); err != nil {
			return err
		}
		if !forum.ObjectionsReturn(sc.Objections, needed) || !f.p.Status.Returnable() {
			return nil
		}
		from := f.p.Status
		if err := s.transition(ctx, t, id, forum.TransReturn); err != nil {
			return err
		}
		var due int64
		if err := t.QueryRowContext(ctx, `SELECT response_due FROM proposals WHERE id = ?`, id).Scan(&due); err != nil {
			return err
		}
		out.Returned, out.Due = true, fromUnix(due)
		if err := audit(ctx, t, nil, forum.ActAnswerReturned, forum.ItemProposal, id, "", string(from), string(forum.StatusAwaiting)); err != nil {
			return err
		}
		data := map[string]any{"proposal_id": id, "objections": sc.Objections, "due": due, "ministry": f.answering[0]}
		if err := notifyFollowersOf(ctx, t, forum.NoteAnswerReturned, forum.NoteSubject(string(forum.ItemProposal), id), data,
			followed{string(forum.ItemProposal), id}); err != nil {
			return err
		}
		// The officials of the lead ministry who do not follow the proposal
		// (those who do were told above).
		officials, err := ministryOfficialIDs(ctx, t, f.answering[0])
		if err != nil {
			return err
		}
		for _, o := range officials {
			var follows bool
			if err := t.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM follows WHERE user_id = ? AND item_kind = ? AND item_id = ?)`,
				o, forum.ItemProposal, id).Scan(&follows); err != nil {
				return err
			}
			if follows {
				continue
			}
			if err := notifyAbout(ctx, t, o, forum.NoteAnswerReturned, forum.NoteSubject(string(forum.ItemProposal), id), data); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return out, fmt.Errorf("object to answer to %d: %w", id, mapErr(err))
	}
	return out, nil
}

// AnswerScores returns how proposal id's supporters judged the answer of
// each round it has had, round 1 first (aggregates only): nothing before
// the first answer.
func (s *Store) AnswerScores(ctx context.Context, id int64) ([]forum.AnswerRoundScore, error) {
	var rounds int
	if err := s.r.QueryRowContext(ctx, `SELECT answer_round FROM proposals WHERE id = ?`, id).Scan(&rounds); err != nil {
		return nil, fmt.Errorf("answer scores of %d: %w", id, mapErr(err))
	}
	var out []forum.AnswerRoundScore
	for r := 1; r <= rounds; r++ {
		var answered int64
		var version int
		if err := s.r.QueryRowContext(ctx, roundAnswered, id, r).Scan(&answered, &version); err != nil {
			return nil, fmt.Errorf("answer scores of %d: %w", id, mapErr(err))
		}
		sc, err := roundScore(ctx, s.r, id, r)
		if err != nil {
			return nil, fmt.Errorf("answer scores of %d: %w", id, mapErr(err))
		}
		sc.AnsweredAt, sc.Version = fromUnix(answered), version
		out = append(out, sc)
	}
	return out, nil
}

// MyAnswerRatings returns user's own ratings of proposal id's answers, by
// round, oldest round first.
func (s *Store) MyAnswerRatings(ctx context.Context, id, user int64) ([]forum.AnswerRating, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT round, rating, comment, objects, objection, updated_at FROM answer_ratings
		WHERE proposal_id = ? AND user_id = ? ORDER BY round`, id, user)
	if err != nil {
		return nil, fmt.Errorf("my answer ratings: %w", mapErr(err))
	}
	defer rows.Close()
	var out []forum.AnswerRating
	for rows.Next() {
		var r forum.AnswerRating
		var objects int
		var updated int64
		if err := rows.Scan(&r.Round, &r.Rating, &r.Comment, &objects, &r.Objection, &updated); err != nil {
			return nil, fmt.Errorf("my answer ratings: %w", err)
		}
		r.Objects, r.UpdatedAt = objects == 1, fromUnix(updated)
		out = append(out, r)
	}
	return out, rows.Err()
}

// AnswerRatingStat is one row of the answer-ratings open data: a proposal's
// answer round, how many supporters rated it and their average (never who
// rated what), and how many objected.
type AnswerRatingStat struct {
	ProposalID int64
	MinistryID int64 // the proposal's lead ministry
	Round      int
	Ratings    int
	RatingSum  int
	Objections int
}

// EachAnswerRatingStat calls fn with the aggregates of every rated answer
// round of a public proposal, by proposal and round.
func (s *Store) EachAnswerRatingStat(ctx context.Context, fn func(AnswerRatingStat) error) error {
	rows, err := s.r.QueryContext(ctx, `SELECT a.proposal_id, p.ministry_id, a.round, count(*), sum(a.rating), sum(a.objects)
		FROM answer_ratings a JOIN proposals p ON p.id = a.proposal_id
		WHERE `+publicProposal+`
		GROUP BY a.proposal_id, p.ministry_id, a.round ORDER BY a.proposal_id, a.round`)
	if err != nil {
		return fmt.Errorf("answer rating stats: %w", mapErr(err))
	}
	defer rows.Close()
	for rows.Next() {
		var st AnswerRatingStat
		if err := rows.Scan(&st.ProposalID, &st.MinistryID, &st.Round, &st.Ratings, &st.RatingSum, &st.Objections); err != nil {
			return fmt.Errorf("answer rating stats: %w", err)
		}
		if err := fn(st); err != nil {
			return err
		}
	}
	return rows.Err()
}

// answerRatingScores sums every rating of a public proposal's answers by
// its lead ministry, for the scorecards: count and sum.
func (s *Store) answerRatingScores(ctx context.Context) (map[int64][2]int, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT p.ministry_id, count(*), sum(a.rating)
		FROM answer_ratings a JOIN proposals p ON p.id = a.proposal_id
		WHERE `+publicProposal+` GROUP BY p.ministry_id`)
	if err != nil {
		return nil, fmt.Errorf("answer rating scores: %w", mapErr(err))
	}
	defer rows.Close()
	out := map[int64][2]int{}
	for rows.Next() {
		var m int64
		var n, sum int
		if err := rows.Scan(&m, &n, &sum); err != nil {
			return nil, fmt.Errorf("answer rating scores: %w", err)
		}
		out[m] = [2]int{n, sum}
	}
	return out, rows.Err()
}

// AnswerNotes returns what the supporters wrote with their ratings of
// proposal id's answers (comments, and the reasons of objections), every
// round, oldest first, without who wrote them: for the officials of the
// answering ministries, who prepare and review the answers.
func (s *Store) AnswerNotes(ctx context.Context, id int64) ([]forum.AnswerNote, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT round, rating, comment, objection, updated_at FROM answer_ratings
		WHERE proposal_id = ? AND (comment <> '' OR objects = 1) ORDER BY round, updated_at, user_id`, id)
	if err != nil {
		return nil, fmt.Errorf("answer notes of %d: %w", id, mapErr(err))
	}
	defer rows.Close()
	var out []forum.AnswerNote
	for rows.Next() {
		var n forum.AnswerNote
		var at int64
		if err := rows.Scan(&n.Round, &n.Rating, &n.Comment, &n.Objection, &at); err != nil {
			return nil, fmt.Errorf("answer notes of %d: %w", id, err)
		}
		n.At = fromUnix(at)
		out = append(out, n)
	}
	return out, rows.Err()
}
