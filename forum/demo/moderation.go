package demo

import (
	"context"
	"fmt"

	"github.com/e-people/e-people/forum"
	"github.com/e-people/e-people/forum/store"
	"github.com/e-people/e-people/moderation"
)

// seedModeration leaves the moderators something to see: a spam comment
// the rules held, a comment two citizens reported, and one a moderator hid.
func (s *seeder) seedModeration(ctx context.Context) error {
	all, err := s.st.ListProposals(ctx, store.ProposalQuery{Status: forum.StatusOpen, Sort: store.SortSupported, Limit: 10})
	if err != nil {
		return err
	}
	var page store.ProposalPage // the most supported, but never the benchmark thread, whose size is exact
	for _, p := range all.Proposals {
		if p.ID != s.res.BenchmarkProposalID {
			page.Proposals = append(page.Proposals, p)
		}
	}
	if len(page.Proposals) < 3 {
		return fmt.Errorf("seed moderation: need 3 open proposals, have %d", len(page.Proposals))
	}
	spam := "좋은 제안이네요. 여가 시간에는 토토사이트 추천 링크로 놀러 오세요!"
	_, err = s.st.CreateComment(ctx, store.NewComment{Subject: forum.ProposalSubject(page.Proposals[0].ID), AuthorID: s.citizen(29).ID,
		Input: forum.CommentInput{Stance: forum.StanceNeutral, Body: spam}, Body: s.md.Markdown(spam), Hold: []string{moderation.RuleBannedTerm}})
	if err != nil {
		return fmt.Errorf("seed held comment: %w", err)
	}
	s.res.Comments++
	rude := "이런 제안을 하는 사람들은 생각이 없는 것 같습니다. 다들 정신 차리세요."
	reported, err := s.comment(ctx, page.Proposals[1].ID, s.citizen(30), nil, forum.StanceAgainst, rude)
	if err != nil {
		return err
	}
	for _, n := range []int{4, 9} {
		if _, err := s.st.Report(ctx, forum.Report{Kind: forum.ItemComment, ItemID: reported.ID, ReporterID: s.citizen(n).ID,
			Reason: string(moderation.ReportAbuse), Text: "다른 참여자를 비하합니다."}, 3, nil); err != nil {
			return fmt.Errorf("seed report: %w", err)
		}
	}
	doxx := "담당 공무원 연락처를 공개합니다: 010-1234-5678, 집 주소는 …"
	hidden, err := s.comment(ctx, page.Proposals[2].ID, s.citizen(31), nil, forum.StanceAgainst, doxx)
	if err != nil {
		return err
	}
	if err := s.st.Hide(ctx, s.moderator, forum.ItemComment, hidden.ID, moderation.HidePersonalData); err != nil {
		return fmt.Errorf("seed hidden comment: %w", err)
	}
	return nil
}
