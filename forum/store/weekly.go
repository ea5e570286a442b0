package store

import (
	"context"
	"encoding/json"
	"sort"
	"strconv"
	"strings"
)

// FollowedChange is what changed in a week on one proposal or debate a
// user follows (or wrote, or supports: whatever they are told about), for
// the weekly digest (issue 18): the status it moved to, how many official
// answers or versions of one, milestone updates and new comments, and the
// count of every other kind of news about it.
type FollowedChange struct {
	Kind       string         `json:"kind"` // "proposal" or "debate"
	ID         int64          `json:"id"`
	Status     string         `json:"status,omitempty"` // the last status it was changed to in the week
	Answers    int            `json:"answers,omitempty"`
	Milestones int            `json:"milestones,omitempty"`
	Comments   int            `json:"comments,omitempty"` // comments by others, shown, on a followed item
	Other      map[string]int `json:"other,omitempty"`    // other notification kinds, counted
	last       int64          // the newest notification or comment id seen, to list the busiest first
}

// followedChanges gathers userID's FollowedChange list over [from, end):
// from their notifications about proposals and debates, and from the
// comments others left on the proposals and debates they follow. At most
// DigestItems items, the most recently changed first.
func followedChanges(ctx context.Context, t *tx, userID, from, end int64) ([]FollowedChange, error) {
	byItem := map[string]*FollowedChange{}
	item := func(kind string, id int64) *FollowedChange {
		key := kind + ":" + strconv.FormatInt(id, 10)
		if c := byItem[key]; c != nil {
			return c
		}
		c := &FollowedChange{Kind: kind, ID: id}
		byItem[key] = c
		return c
	}
	rows, err := t.QueryContext(ctx, `SELECT id, kind, subject, data FROM notifications
		WHERE user_id = ? AND created_at >= ? AND created_at < ? AND subject <> '' ORDER BY id`, userID, from, end)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var id int64
		var kind, subject, data string
		if err := rows.Scan(&id, &kind, &subject, &data); err != nil {
			rows.Close()
			return nil, err
		}
		k, num, ok := strings.Cut(subject, ":")
		n, err := strconv.ParseInt(num, 10, 64)
		if !ok || err != nil || (k != "proposal" && k != "debate") {
			continue
		}
		c := item(k, n)
		c.last = max(c.last, id)
		switch {
		case kind == "status_changed":
			var d struct {
				Status string `json:"status"`
			}
			if json.Unmarshal([]byte(data), &d) == nil && d.Status != "" {
				c.Status = d.Status
			}
		case kind == "official_response":
			c.Answers++
		case strings.Contains(kind, "milestone"):
			c.Milestones++
		default:
			if c.Other == nil {
				c.Other = map[string]int{}
			}
			c.Other[kind]++
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for _, q := range []struct{ kind, col string }{{"proposal", "proposal_id"}, {"debate", "debate_id"}} {
		rows, err := t.QueryContext(ctx, `SELECT f.item_id, count(c.id), max(c.id) FROM follows f
			JOIN comments c ON c.`+q.col+` = f.item_id
			WHERE f.user_id = ? AND f.item_kind = ? AND c.created_at >= ? AND c.created_at < ?
				AND c.status = 'visible' AND c.mod_state = 'visible' AND c.author_id <> ?
			GROUP BY f.item_id`, userID, q.kind, from, end, userID)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var id, last int64
			var n int
			if err := rows.Scan(&id, &n, &last); err != nil {
				rows.Close()
				return nil, err
			}
			c := item(q.kind, id)
			c.Comments = n
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	out := make([]FollowedChange, 0, len(byItem))
	for _, c := range byItem {
		out = append(out, *c)
	}
	// News first (newest notification first), then the items with comments only, busiest first.
	sort.Slice(out, func(i, j int) bool {
		if out[i].last != out[j].last {
			return out[i].last > out[j].last
		}
		if out[i].Comments != out[j].Comments {
			return out[i].Comments > out[j].Comments
		}
		return out[i].Kind+strconv.FormatInt(out[i].ID, 10) < out[j].Kind+strconv.FormatInt(out[j].ID, 10)
	})
	if len(out) > DigestItems {
		out = out[:DigestItems]
	}
	return out, nil
}

// quietFollower is a user to digest for the comments on what they follow alone.
type quietFollower struct {
	id    int64
	email string
	from  int64 // digested_at
}

// commentedFollowers are the active users with e-mail frequency freq, not
// digested up to end, who follow a proposal or debate that someone else
// commented on (shown) in [max(since, digested_at), end).
func commentedFollowers(ctx context.Context, t *tx, freq string, since, end int64) ([]quietFollower, error) {
	var out []quietFollower
	seen := map[int64]bool{}
	for _, q := range []struct{ kind, col string }{{"proposal", "proposal_id"}, {"debate", "debate_id"}} {
		rows, err := t.QueryContext(ctx, `SELECT DISTINCT u.id, u.email, COALESCE(u.digested_at, 0) FROM users u
			JOIN follows f ON f.user_id = u.id AND f.item_kind = ?
			JOIN comments c ON c.`+q.col+` = f.item_id
			WHERE u.email_frequency = ? AND `+activeUser+` AND COALESCE(u.digested_at, 0) < ?
				AND c.created_at >= ? AND c.created_at >= COALESCE(u.digested_at, 0) AND c.created_at < ?
				AND c.status = 'visible' AND c.mod_state = 'visible' AND c.author_id <> u.id
			ORDER BY u.id`, q.kind, freq, end, since, end)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var f quietFollower
			if err := rows.Scan(&f.id, &f.email, &f.from); err != nil {
				rows.Close()
				return nil, err
			}
			if !seen[f.id] {
				seen[f.id] = true
				out = append(out, f)
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}
