package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/e-people/e-people/forum"
)

// ministryTopicTypes are the events about a proposal or a debate that the
// live topic of its ministry (forum.MinistryTopic) carries as well: what
// changes on a ministry's page, not every comment and vote of its threads.
var ministryTopicTypes = map[string]bool{
	forum.EventProposalStatus: true, forum.EventProposalSupported: true, forum.EventProposalSponsored: true,
	forum.EventProposalTransferred: true, forum.EventProposalCoMinistry: true, forum.EventResponsePublished: true,
	forum.EventDebateOpened: true, forum.EventDebateClosed: true, forum.EventDebateConcluded: true,
}

// appendMinistryCopies appends, after evs, a copy of each of them that a
// ministry's topic carries (ministryTopicTypes) on that topic: the lead
// ministry of a public proposal (both the old and the new one for a
// transfer), the ministry of a debate. A copy has the original's type and
// data; it is not public, so that the feed gets each change once.
func (t *tx) appendMinistryCopies(ctx context.Context, evs []forum.Event) error {
	var copies []forum.Event
	for _, e := range evs {
		if !ministryTopicTypes[e.Type] {
			continue
		}
		kind, arg, _ := strings.Cut(e.Topic, ":")
		id, err := strconv.ParseInt(arg, 10, 64)
		if err != nil {
			continue
		}
		var slugs []string
		switch kind {
		case "proposal":
			if !e.Public { // a draft's, or a withheld proposal's, changes stay on its own topic
				continue
			}
			var slug string
			if err := t.QueryRowContext(ctx, `SELECT m.slug FROM proposals p JOIN ministries m ON m.id = p.ministry_id WHERE p.id = ?`, id).Scan(&slug); err != nil {
				return fmt.Errorf("ministry of proposal %d: %w", id, err)
			}
			slugs = append(slugs, slug)
			if e.Type == forum.EventProposalTransferred {
				var tr forum.ProposalTransferredEvent
				if err := json.Unmarshal(e.Data, &tr); err != nil {
					return fmt.Errorf("read transfer event: %w", err)
				}
				var from string
				if err := t.QueryRowContext(ctx, `SELECT slug FROM ministries WHERE id = ?`, tr.From).Scan(&from); err != nil {
					return fmt.Errorf("ministry %d: %w", tr.From, err)
				}
				if from != slug {
					slugs = append(slugs, from)
				}
			}
		case "debate":
			var slug string
			if err := t.QueryRowContext(ctx, `SELECT m.slug FROM debates d JOIN ministries m ON m.id = d.ministry_id WHERE d.id = ?`, id).Scan(&slug); err != nil {
				return fmt.Errorf("ministry of debate %d: %w", id, err)
			}
			slugs = append(slugs, slug)
		default:
			continue
		}
		for _, slug := range slugs {
			copies = append(copies, forum.Event{Topic: forum.MinistryTopic(slug), Type: e.Type, Data: e.Data})
		}
	}
	if len(copies) == 0 {
		return nil
	}
	return t.appendEvents(copies)
}
