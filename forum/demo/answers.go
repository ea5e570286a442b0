package demo

import (
	"context"
	"fmt"
	"time"

	"github.com/e-people/e-people/forum"
	"github.com/e-people/e-people/forum/store"
)

// seedAnswers has ministries answer in public: one proposal that reached the
// threshold gets its official answer, another is handed to a second ministry
// with a reason and answered jointly later.
func (s *seeder) seedAnswers(ctx context.Context) error {
	awaiting, err := s.st.ListProposals(ctx, store.ProposalQuery{Status: forum.StatusAwaiting, Sort: store.SortSupported, Limit: 10})
	if err != nil {
		return err
	}
	var list []*forum.Proposal
	for _, p := range awaiting.Proposals {
		if p.ID != s.res.BenchmarkProposalID {
			list = append(list, p)
		}
	}
	if len(list) < 2 {
		return fmt.Errorf("seed answers: need 2 proposals awaiting an answer, have %d", len(list))
	}
	slugOf := map[int64]string{}
	for slug, m := range s.ministries {
		slugOf[m.ID] = slug
	}
	answered := list[0]
	official := s.officials[slugOf[answered.MinistryID]]
	body := "제안해 주신 내용을 관계 부서와 함께 검토했습니다.\n\n" +
		"- 올해 하반기에 시범 사업 대상 지역 10곳을 선정하고,\n- 내년 예산안에 관련 예산을 반영하겠습니다.\n\n" +
		"추진 상황은 이 답변을 수정해 계속 알려 드리겠습니다."
	in := forum.ResponseInput{Decision: forum.DecisionPartial, Summary: "시범 사업으로 먼저 추진하고, 효과를 보고 전국 확대를 검토하겠습니다.",
		Body: body, LegalBasis: "관련 법률 시행령 개정 검토", ResponsibleUnit: "정책기획과", Contact: "044-000-0000",
		NextStep: "시범 지역 선정 공고", NextStepDate: s.st.Now().AddDate(0, 2, 0).Truncate(24 * time.Hour)}
	if err := in.Validate(); err != nil {
		return fmt.Errorf("check demo answer: %w", err)
	}
	if err := s.st.PublishResponse(ctx, official, answered.ID, in, s.md.Markdown(body)); err != nil {
		return fmt.Errorf("seed answer: %w", err)
	}
	routed := list[1]
	lead := s.officials[slugOf[routed.MinistryID]]
	other := s.ministries["mois"]
	if other.ID == routed.MinistryID {
		other = s.ministries["moel"]
	}
	if err := s.st.AddCoMinistry(ctx, lead, routed.ID, other.ID); err != nil {
		return fmt.Errorf("seed co-answering ministry: %w", err)
	}
	return nil
}
