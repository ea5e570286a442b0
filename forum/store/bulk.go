package store

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/e-people/e-people/forum"
)

// The helpers of the multi-row statements that a batch's grouped writes
// (writeGroup) run.

// placeholders returns n copies of tuple joined by commas.
func placeholders(tuple string, n int) string {
	return strings.TrimSuffix(strings.Repeat(tuple+",", n), ",")
}

// execCount runs a statement that must change exactly n rows.
func execCount(t *tx, n int, query string, args ...any) error {
	res, err := t.ExecContext(t.ctx, query, args...)
	if err != nil {
		return err
	}
	if got, err := res.RowsAffected(); err != nil || got != int64(n) {
		return fmt.Errorf("%d rows changed, want %d (%v)", got, n, err)
	}
	return nil
}

// firstPerAccount splits a group's items, each an R made by the group's
// callers: in are the indexes of each account's first write, which the
// group step applies together; alone are the account's later ones, which
// run alone after the group, so that every write of the step is the only
// one of its account (and its cap, pair and vote its own).
func firstPerAccount[R any](items []any, account func(R) int64) (reqs []R, in, alone []int) {
	reqs = make([]R, len(items))
	seen := map[int64]bool{}
	for i, it := range items {
		r := it.(R)
		reqs[i] = r
		if id := account(r); seen[id] {
			alone = append(alone, i)
		} else {
			seen[id] = true
			in = append(in, i)
		}
	}
	return reqs, in, alone
}

// encodeEvent sets e's type and payload from data.
func encodeEvent(e *forum.Event, data forum.EventData) error {
	payload, err := json.Marshal(data)
	if err != nil {
		return fmt.Errorf("encode event: %w", err)
	}
	e.Type, e.Data = data.EventType(), payload
	return nil
}

// appendEvents appends evs, whose topics, types, payloads and publicity are
// set, to the events table in one statement, in order, as t.event does
// one by one, and stamps their ids and time.
func (t *tx) appendEvents(evs []forum.Event) error {
	if len(evs) == 0 {
		return nil
	}
	if t.pg {
		// As tx.event does on PostgreSQL: held, and numbered at the commit.
		for _, e := range evs {
			t.holdEvent(e.Topic, e.Type, e.Data, e.Public)
		}
	} else if err := t.insertEvents(evs); err != nil {
		return err
	}
	return t.appendMinistryCopies(t.ctx, evs)
}

// insertEvents inserts evs into the events table in one statement, in
// order, stamps their ids and time, and adds them to t.events.
func (t *tx) insertEvents(evs []forum.Event) error {
	now := t.now.Unix()
	args := make([]any, 0, 5*len(evs))
	for _, e := range evs {
		args = append(args, e.Topic, e.Type, string(e.Data), e.Public, now)
	}
	rows, err := t.QueryContext(t.ctx, `INSERT INTO events (topic, type, payload, public, created_at) VALUES `+
		placeholders("(?, ?, ?, ?, ?)", len(evs))+` RETURNING id`, args...)
	if err != nil {
		return fmt.Errorf("append events: %w", err)
	}
	ids := make([]int64, 0, len(evs))
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return fmt.Errorf("append events: %w", err)
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("append events: %w", err)
	}
	if len(ids) != len(evs) {
		return fmt.Errorf("append events: %d ids for %d events", len(ids), len(evs))
	}
	// The rows were inserted in order, so their ids are in order too.
	sort.Slice(ids, func(a, b int) bool { return ids[a] < ids[b] })
	for k := range evs {
		evs[k].ID, evs[k].CreatedAt = ids[k], t.now
	}
	t.events = append(t.events, evs...)
	return nil
}
