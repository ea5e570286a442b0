package demo

import (
	"context"
	"fmt"

	"github.com/e-people/e-people/forum"
	"github.com/e-people/e-people/forum/store"
)

// seedMilestones has the ministry that accepted a proposal (seedAnswers's
// partly accepted one) plan what it will do: one milestone done with
// evidence, one put off with a reason, one still ahead.
func (s *seeder) seedMilestones(ctx context.Context) error {
	page, err := s.st.ListProposals(ctx, store.ProposalQuery{Status: forum.StatusAnswered, Sort: store.SortSupported, Limit: 20})
	if err != nil {
		return err
	}
	var p *forum.Proposal
	for _, c := range page.Proposals {
		r, err := s.st.Response(ctx, c.ID)
		if err != nil {
			return fmt.Errorf("seed milestones: %w", err)
		}
		if r.Decision.PlansMilestones() {
			p = c
			break
		}
	}
	if p == nil {
		return fmt.Errorf("seed milestones: no accepted proposal")
	}
	var official *forum.User
	for _, o := range s.officials {
		if o.MinistryID == p.MinistryID {
			official = o
		}
	}
	if official == nil {
		return fmt.Errorf("seed milestones: no official of ministry %d", p.MinistryID)
	}
	now := s.st.Now()
	day := func(d int) forum.MilestoneInput {
		return forum.MilestoneInput{Due: forum.MilestoneDue(now.AddDate(0, 0, d))}
	}
	plan := []forum.MilestoneInput{day(14), day(30), day(120)}
	plan[0].Title, plan[0].Unit = "시범 사업 대상 지역 선정 공고", "정책기획과"
	plan[1].Title, plan[1].Unit = "관련 시행령 개정안 입법예고", "법무지원팀"
	plan[2].Title, plan[2].Unit = "시범 사업 결과 공개와 전국 확대 검토", "정책기획과"
	ids, err := s.st.PlanMilestones(ctx, official, p.ID, plan)
	if err != nil {
		return fmt.Errorf("seed milestones: %w", err)
	}
	evidence := "대상 지역 **10곳**을 선정해 공고했습니다. 선정 기준과 지역별 계획은 공고문에 있습니다."
	done := forum.MilestoneDoneInput{Evidence: evidence, URL: "https://www.korea.kr/briefing/pressReleaseView.do"}
	if _, err := s.st.CompleteMilestone(ctx, official, ids[0], done, s.md.Markdown(evidence)); err != nil {
		return fmt.Errorf("seed milestone done: %w", err)
	}
	reason := "관계 부처 협의에서 개인정보 처리 조항을 보완하기로 해 입법예고를 한 달 미룹니다."
	delay := forum.MilestoneDelayInput{Reason: reason, Due: forum.MilestoneDue(now.AddDate(0, 0, 60))}
	if _, err := s.st.DelayMilestone(ctx, official, ids[1], delay, s.md.Markdown(reason)); err != nil {
		return fmt.Errorf("seed milestone delay: %w", err)
	}
	return nil
}
