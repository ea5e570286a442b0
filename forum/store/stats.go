package store

import (
	"context"
	"fmt"
	"time"

	"github.com/e-people/e-people/forum"
	"github.com/e-people/e-people/moderation"
)

// Bucket is one bar of a time series: the count of things in the period starting at Start.
type Bucket struct {
	Start time.Time
	N     int
}

// CategoryCount is how many public proposals a category holds.
type CategoryCount struct {
	Category forum.Category
	N        int
}

// Stats are the public figures of the statistics page.
type Stats struct {
	ProposalsByMonth    []Bucket // public proposals by the month they were published, oldest first
	SupportsByDay       []Bucket // supports given to public proposals by day, oldest first
	ProposalsByCategory []CategoryCount
}

// Stats counts public proposals per month over the last months months and
// supports per day over the last days days, both in loc, and public proposals per category.
func (s *Store) Stats(ctx context.Context, months, days int, loc *time.Location) (Stats, error) {
	now := s.now().In(loc)
	var st Stats
	first := time.Date(now.Year(), now.Month()-time.Month(months-1), 1, 0, 0, 0, 0, loc)
	for i := 0; i < months; i++ {
		st.ProposalsByMonth = append(st.ProposalsByMonth, Bucket{Start: first.AddDate(0, i, 0)})
	}
	rows, err := s.r.QueryContext(ctx, `SELECT p.published_at FROM proposals p WHERE `+publicProposal+` AND p.published_at >= ?`, first.Unix())
	if err != nil {
		return st, fmt.Errorf("stats: %w", mapErr(err))
	}
	for rows.Next() {
		var at int64
		if err := rows.Scan(&at); err != nil {
			rows.Close()
			return st, fmt.Errorf("stats: %w", err)
		}
		t := time.Unix(at, 0).In(loc)
		i := (t.Year()-first.Year())*12 + int(t.Month()-first.Month())
		if i >= 0 && i < months {
			st.ProposalsByMonth[i].N++
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return st, fmt.Errorf("stats: %w", err)
	}

	day0 := time.Date(now.Year(), now.Month(), now.Day()-(days-1), 0, 0, 0, 0, loc)
	for i := 0; i < days; i++ {
		st.SupportsByDay = append(st.SupportsByDay, Bucket{Start: day0.AddDate(0, 0, i)})
	}
	// Days are counted in SQL at loc's offset from UTC now; loc is expected to keep no daylight saving time.
	_, off := now.Zone()
	rows, err = s.r.QueryContext(ctx, `SELECT (s.created_at + ?) / 86400 - ?, count(*) FROM supports s JOIN proposals p ON p.id = s.proposal_id
		WHERE `+publicProposal+` AND s.created_at >= ? GROUP BY 1`, off, (day0.Unix()+int64(off))/86400, day0.Unix())
	if err != nil {
		return st, fmt.Errorf("stats: %w", mapErr(err))
	}
	for rows.Next() {
		var i, n int
		if err := rows.Scan(&i, &n); err != nil {
			rows.Close()
			return st, fmt.Errorf("stats: %w", err)
		}
		if i >= 0 && i < days {
			st.SupportsByDay[i].N += n
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return st, fmt.Errorf("stats: %w", err)
	}

	cats, err := s.Categories(ctx)
	if err != nil {
		return st, err
	}
	counts := map[int64]int{}
	rows, err = s.r.QueryContext(ctx, `SELECT p.category_id, count(*) FROM proposals p WHERE `+publicProposal+` GROUP BY p.category_id`)
	if err != nil {
		return st, fmt.Errorf("stats: %w", mapErr(err))
	}
	for rows.Next() {
		var id int64
		var n int
		if err := rows.Scan(&id, &n); err != nil {
			rows.Close()
			return st, fmt.Errorf("stats: %w", err)
		}
		counts[id] = n
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return st, fmt.Errorf("stats: %w", err)
	}
	for _, c := range cats {
		st.ProposalsByCategory = append(st.ProposalsByCategory, CategoryCount{Category: c, N: counts[c.ID]})
	}
	return st, nil
}

// FeedAnswer is a published official answer, or a co-answering ministry's
// part of a joint answer (Part), with the proposal it answers.
type FeedAnswer struct {
	Proposal   *forum.Proposal
	MinistryID int64 // the ministry that signs it
	Part       bool  // a co-answering ministry's part; Proposal.MinistryID leads the answer
	Decision   forum.Decision
	Summary    string
	Body       moderation.Sanitized
	NextStep   string
	NextDate   time.Time // the next step's date (a day, kept as Seoul's midnight); zero when none
	At         time.Time // when the current version was published
}

// LatestAnswers lists the newest official answers to public proposals and
// the newest co-answering ministries' parts of them, newest first.
func (s *Store) LatestAnswers(ctx context.Context, limit int) ([]FeedAnswer, error) {
	if limit <= 0 || limit > 500 {
		limit = 20
	}
	rows, err := s.r.QueryContext(ctx, `SELECT `+proposalCols+`, r.ministry_id, r.part, r.decision, r.summary, r.body_html,
		r.next_step, COALESCE(r.next_step_date, 0), r.updated_at`+proposalFrom+`
		JOIN `+answerRows+` ON r.proposal_id = p.id
		WHERE (r.part = 1 OR p.status IN (`+answeredStatuses+`)) AND `+publicProposal+`
		ORDER BY r.updated_at DESC, p.id DESC, r.part, r.ministry_id LIMIT ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("latest answers: %w", mapErr(err))
	}
	defer rows.Close()
	var out []FeedAnswer
	for rows.Next() {
		var a FeedAnswer
		var body string
		var next, at int64
		var part int
		if a.Proposal, err = scanProposal(newScanPlusRow(rows, &a.MinistryID, &part, &a.Decision, &a.Summary, &body, &a.NextStep, &next, &at)); err != nil {
			return nil, fmt.Errorf("latest answers: %w", err)
		}
		a.Part, a.Body, a.NextDate, a.At = part == 1, moderation.TrustedFromStore(body), fromUnix(next), fromUnix(at)
		out = append(out, a)
	}
	return out, rows.Err()
}
