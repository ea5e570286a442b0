package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/e-people/e-people/forum"
	"github.com/e-people/e-people/moderation"
)

const debateCols = `d.id, d.ministry_id, d.host_id, u.name, u.role, d.question, d.background_src, d.background_html,
	d.opens_at, d.closes_at, d.status, d.conclusion_src, d.conclusion_html, d.concluded_at, d.comment_count, d.locked, d.created_at, d.lang`

const debateFrom = ` FROM debates d JOIN users u ON u.id = d.host_id `

func scanDebate(row interface{ Scan(...any) error }) (*forum.Debate, error) {
	var d forum.Debate
	var bg, concl string
	var opens, closes, created int64
	var concluded sql.NullInt64
	if err := row.Scan(&d.ID, &d.MinistryID, &d.HostID, &d.HostName, &d.HostRole, &d.Question, &d.BackgroundSrc, &bg,
		&opens, &closes, &d.Status, &d.ConclusionSrc, &concl, &concluded, &d.Comments, &d.Locked, &created, &d.Lang); err != nil {
		return nil, err
	}
	d.Background, d.Conclusion = moderation.TrustedFromStore(bg), moderation.TrustedFromStore(concl)
	d.OpensAt, d.ClosesAt, d.CreatedAt = fromUnix(opens), fromUnix(closes), fromUnix(created)
	d.ConcludedAt = fromNullUnix(concluded)
	return &d, nil
}

// NewDebate is a debate about to be opened by its host.
type NewDebate struct {
	HostID     int64
	Input      forum.DebateInput
	Background moderation.Sanitized
}

// CreateDebate schedules a debate; it is open at once when its opening time has come.
func (s *Store) CreateDebate(ctx context.Context, nd NewDebate) (*forum.Debate, error) {
	var id int64
	err := s.write(ctx, func(t *tx) error {
		in := nd.Input
		if err := t.QueryRowContext(ctx, `INSERT INTO debates (ministry_id, host_id, question, background_src, background_html,
			opens_at, closes_at, status, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, `+debateUpcoming+`, ?) RETURNING id`,
			in.MinistryID, nd.HostID, in.Question, in.Background, nd.Background.String(),
			in.OpensAt.Unix(), in.ClosesAt.Unix(), t.now.Unix()).Scan(&id); err != nil {
			return err
		}
		if _, _, err := advanceDebates(ctx, t); err != nil {
			return err
		}
		if err := indexDebate(ctx, t, id); err != nil {
			return err
		}
		// A debate open at once was told as opened by advanceDebates: once is enough.
		var status forum.DebateStatus
		if err := t.QueryRowContext(ctx, `SELECT status FROM debates WHERE id = ?`, id).Scan(&status); err != nil {
			return err
		}
		if status != forum.DebateUpcoming {
			return nil
		}
		return notifyFollowersOf(ctx, t, forum.NoteDebateAnnounced, forum.NoteSubject("debate", id),
			map[string]any{"debate_id": id, "opens_at": in.OpensAt.Unix()}, followed{"ministry", in.MinistryID})
	})
	if err != nil {
		return nil, fmt.Errorf("create debate: %w", err)
	}
	return s.Debate(ctx, id)
}

// Debate returns the debate with id.
func (s *Store) Debate(ctx context.Context, id int64) (*forum.Debate, error) {
	d, err := scanDebate(s.r.QueryRowContext(ctx, `SELECT `+debateCols+debateFrom+`WHERE d.id = ?`, id))
	if err != nil {
		return nil, fmt.Errorf("get debate %d: %w", id, mapErr(err))
	}
	return d, nil
}

// DebateQuery filters the debate list.
type DebateQuery struct {
	Status     forum.DebateStatus // all when empty
	MinistryID int64
	Limit      int // 100 when 0
}

// Debates lists debates: open ones closing soonest first, upcoming ones
// opening soonest first, closed ones most recently closed first.
func (s *Store) Debates(ctx context.Context, q DebateQuery) ([]*forum.Debate, error) {
	if q.Limit <= 0 || q.Limit > 500 {
		q.Limit = 100
	}
	where, args := []string{"1 = 1"}, []any{}
	if q.Status != "" {
		where, args = append(where, "d.status = ?"), append(args, q.Status)
	}
	if q.MinistryID != 0 {
		where, args = append(where, "d.ministry_id = ?"), append(args, q.MinistryID)
	}
	rows, err := s.r.QueryContext(ctx, `SELECT `+debateCols+debateFrom+`WHERE `+strings.Join(where, " AND ")+`
		ORDER BY CASE d.status WHEN `+debateOpen+` THEN 0 WHEN `+debateUpcoming+` THEN 1 ELSE 2 END,
		CASE WHEN d.status = `+debateOpen+` THEN d.closes_at WHEN d.status = `+debateUpcoming+` THEN d.opens_at ELSE -d.closes_at END, d.id DESC
		LIMIT ?`, append(args, q.Limit)...)
	if err != nil {
		return nil, fmt.Errorf("list debates: %w", mapErr(err))
	}
	defer rows.Close()
	var out []*forum.Debate
	for rows.Next() {
		d, err := scanDebate(rows)
		if err != nil {
			return nil, fmt.Errorf("list debates: %w", err)
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// AdvanceDebates opens every upcoming debate whose opening time has come and
// closes every open debate whose closing time has passed, by the store's
// clock. It is idempotent, so it catches up after any downtime.
func (s *Store) AdvanceDebates(ctx context.Context) (opened, closed int, err error) {
	err = s.write(ctx, func(t *tx) error {
		opened, closed, err = advanceDebates(ctx, t)
		return err
	})
	if err != nil {
		return 0, 0, fmt.Errorf("advance debates: %w", err)
	}
	return opened, closed, nil
}

func advanceDebates(ctx context.Context, t *tx) (opened, closed int, err error) {
	now := t.now.Unix()
	step := func(from, to forum.DebateStatus, column string) (int, error) {
		rows, err := t.QueryContext(ctx, `UPDATE debates SET status = ? WHERE status = ? AND `+column+` <= ? RETURNING id`, to, from, now)
		if err != nil {
			return 0, err
		}
		var ids []int64
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return 0, err
			}
			ids = append(ids, id)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return 0, err
		}
		for _, id := range ids {
			if err := indexDebate(ctx, t, id); err != nil {
				return 0, err
			}
			n, err := debateTally(ctx, t, id)
			if err != nil {
				return 0, err
			}
			var ev forum.EventData = forum.DebateOpenedEvent{Against: n.Against, DebateID: id, For: n.For, Neutral: n.Neutral, Status: to}
			if to == forum.DebateClosed {
				ev = forum.DebateClosedEvent{Against: n.Against, DebateID: id, For: n.For, Neutral: n.Neutral, Status: to}
			}
			if err := t.event(ctx, forum.DebateTopic(id), ev); err != nil {
				return 0, err
			}
			if err := notifyDebate(ctx, t, id, to); err != nil {
				return 0, err
			}
		}
		return len(ids), nil
	}
	if opened, err = step(forum.DebateUpcoming, forum.DebateOpen, "opens_at"); err != nil {
		return 0, 0, err
	}
	// A debate whose whole window passed during downtime opens and closes in one go.
	closed, err = step(forum.DebateOpen, forum.DebateClosed, "closes_at")
	return opened, closed, err
}

// notifyDebate tells a debate's followers that it opened (to
// forum.DebateOpen), closed (forum.DebateClosed) or was concluded (""), and
// the followers of its ministry that it opened or was concluded, each once.
func notifyDebate(ctx context.Context, t *tx, id int64, to forum.DebateStatus) error {
	var ministry int64
	if err := t.QueryRowContext(ctx, `SELECT ministry_id FROM debates WHERE id = ?`, id).Scan(&ministry); err != nil {
		return err
	}
	note, items := forum.NoteDebateConcluded, []followed{{"debate", id}, {"ministry", ministry}}
	switch to {
	case forum.DebateOpen:
		note = forum.NoteDebateOpened
	case forum.DebateClosed:
		note, items = forum.NoteDebateClosed, items[:1]
	}
	return notifyFollowersOf(ctx, t, note, forum.NoteSubject("debate", id), map[string]any{"debate_id": id}, items...)
}

// debateTally counts a debate's visible arguments by stance, for its events:
// the conclusion's event is just the tally.
func debateTally(ctx context.Context, t *tx, id int64) (forum.DebateConcludedEvent, error) {
	n := forum.DebateConcludedEvent{DebateID: id}
	err := t.QueryRowContext(ctx, `SELECT
		count(*) FILTER (WHERE stance = 'for'), count(*) FILTER (WHERE stance = 'against'), count(*) FILTER (WHERE stance = 'neutral')
		FROM comments WHERE debate_id = ? AND `+keptComment("comments"), id).Scan(&n.For, &n.Against, &n.Neutral)
	return n, err
}

// NextDebateChange returns when the next debate opens or closes, and false when none is scheduled.
func (s *Store) NextDebateChange(ctx context.Context) (time.Time, bool, error) {
	var next sql.NullInt64
	err := s.r.QueryRowContext(ctx, `SELECT min(CASE status WHEN `+debateUpcoming+` THEN opens_at ELSE closes_at END)
		FROM debates WHERE status IN (`+scheduledDebates+`)`).Scan(&next)
	if err != nil {
		return time.Time{}, false, fmt.Errorf("next debate change: %w", mapErr(err))
	}
	return fromNullUnix(next), next.Valid, nil
}

// Conclude publishes (or revises) the host's conclusion of a closed debate.
func (s *Store) Conclude(ctx context.Context, id int64, src string, html moderation.Sanitized) (*forum.Debate, error) {
	err := s.write(ctx, func(t *tx) error {
		var status forum.DebateStatus
		if err := t.QueryRowContext(ctx, `SELECT status FROM debates WHERE id = ?`, id).Scan(&status); err != nil {
			return err
		}
		if !status.Concludable() {
			return forum.ErrInvalidState
		}
		if _, err := t.ExecContext(ctx, `UPDATE debates SET conclusion_src = ?, conclusion_html = ?, concluded_at = ? WHERE id = ?`,
			src, html.String(), t.now.Unix(), id); err != nil {
			return err
		}
		n, err := debateTally(ctx, t, id)
		if err != nil {
			return err
		}
		if err := t.event(ctx, forum.DebateTopic(id), n); err != nil {
			return err
		}
		return notifyDebate(ctx, t, id, "")
	})
	if err != nil {
		return nil, fmt.Errorf("conclude debate %d: %w", id, err)
	}
	return s.Debate(ctx, id)
}

// EventsAfter returns up to limit events with id > after, in id order, whose
// topic is one of topics, or, when feed is set, that are public.
func (s *Store) EventsAfter(ctx context.Context, topics []string, feed bool, after int64, limit int) ([]forum.Event, error) {
	var conds []string
	args := []any{after}
	if len(topics) > 0 {
		conds = append(conds, `topic IN (`+placeholders("?", len(topics))+`)`)
		for _, t := range topics {
			args = append(args, t)
		}
	}
	if feed {
		conds = append(conds, `public = 1`)
	}
	if len(conds) == 0 {
		return nil, nil
	}
	rows, err := s.r.QueryContext(ctx, `SELECT `+eventCols+` FROM events
		WHERE id > ? AND (`+strings.Join(conds, " OR ")+`) ORDER BY id LIMIT ?`, append(args, limit)...)
	if err != nil {
		return nil, fmt.Errorf("events after %d: %w", after, mapErr(err))
	}
	out, err := scanEvents(rows)
	if err != nil {
		return nil, fmt.Errorf("events after %d: %w", after, mapErr(err))
	}
	return out, nil
}

// eventCols are the columns scanEvents reads, in its order.
const eventCols = `id, topic, type, payload, public, created_at`

// scanEvents reads and closes rows of eventCols.
func scanEvents(rows *sql.Rows) ([]forum.Event, error) {
	defer rows.Close()
	var out []forum.Event
	for rows.Next() {
		var e forum.Event
		var payload string
		var created int64
		if err := rows.Scan(&e.ID, &e.Topic, &e.Type, &payload, &e.Public, &created); err != nil {
			return nil, err
		}
		e.Data, e.CreatedAt = []byte(payload), fromUnix(created)
		out = append(out, e)
	}
	return out, rows.Err()
}

// MinEventID returns the oldest stored event's id, or 0 when there is none.
func (s *Store) MinEventID(ctx context.Context) (int64, error) {
	var id sql.NullInt64
	if err := s.r.QueryRowContext(ctx, `SELECT min(id) FROM events`).Scan(&id); err != nil {
		return 0, fmt.Errorf("min event id: %w", mapErr(err))
	}
	return id.Int64, nil
}

// LastEventID returns the newest event's id, or 0: a page rendered now has seen every event up to it.
func (s *Store) LastEventID(ctx context.Context) (int64, error) {
	var id sql.NullInt64
	if err := s.r.QueryRowContext(ctx, `SELECT max(id) FROM events`).Scan(&id); err != nil {
		return 0, fmt.Errorf("last event id: %w", mapErr(err))
	}
	return id.Int64, nil
}
