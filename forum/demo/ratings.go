package demo

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/e-people/e-people/forum"
	"github.com/e-people/e-people/forum/store"
)

// DemoAnswerObjections is the number of supporters' objections that send an
// answer back in the demo, small enough for its few citizens to reach.
const DemoAnswerObjections = 3

// demoObjections are the reasons demo supporters give when they object to an answer.
var demoObjections = []string{
	"시범 사업 지역을 어떻게 고르는지 기준이 빠져 있습니다. 선정 기준과 일정을 밝혀 주세요.",
	"예산을 반영하겠다는 말만 있고 규모가 없습니다. 얼마를 언제 쓰는지 알려 주세요.",
	"다른 나라의 사례를 검토했는지 답변에 나오지 않습니다.",
}

// seedRatings has supporters rate the ministries' answers (issue 18): the
// answered proposal's supporters rate it, a few object (short of the
// setting), and a second proposal is answered and sent back by its
// supporters' objections, to await the ministry's second answer.
func (s *seeder) seedRatings(ctx context.Context) error {
	if err := s.st.SetSettings(ctx, map[string]string{forum.SettingAnswerObjections: strconv.Itoa(DemoAnswerObjections)}); err != nil {
		return err
	}
	answered, err := s.st.ListProposals(ctx, store.ProposalQuery{Status: forum.StatusAnswered, Sort: store.SortSupported, Limit: 1})
	if err != nil {
		return err
	}
	if len(answered.Proposals) == 0 {
		return fmt.Errorf("seed ratings: no answered proposal to rate")
	}
	if _, err := s.rateAll(ctx, answered.Proposals[0], DemoAnswerObjections-1); err != nil {
		return err
	}
	awaiting, err := s.st.ListProposals(ctx, store.ProposalQuery{Status: forum.StatusAwaiting, Sort: store.SortSupported, Limit: 10})
	if err != nil {
		return err
	}
	// The one awaiting an answer jointly (seedAnswers) is the one the demo
	// has: its lead answers, its supporters send the answer back, and it
	// awaits the joint answer again, as round 2.
	for _, p := range awaiting.Proposals {
		if p.ID == s.res.BenchmarkProposalID {
			continue
		}
		var official *forum.User
		for slug, m := range s.ministries {
			if m.ID == p.MinistryID {
				official = s.officials[slug]
			}
		}
		body := "검토 결과 현행 제도로 충분하다고 판단합니다.\n\n관련 통계를 계속 살펴보겠습니다."
		in := forum.ResponseInput{Decision: forum.DecisionRejected, Summary: "현행 제도로 충분하다고 판단합니다.", Body: body,
			LegalBasis: "관련 법률", ResponsibleUnit: "정책총괄과", Contact: "044-000-0000"}
		if err := s.st.PublishResponse(ctx, official, p.ID, in, s.md.Markdown(body)); err != nil {
			return fmt.Errorf("seed an answer to send back: %w", err)
		}
		returned, err := s.rateAll(ctx, p, DemoAnswerObjections)
		if err != nil {
			return err
		}
		if !returned {
			return fmt.Errorf("seed ratings: proposal %d has too few supporters to send its answer back", p.ID)
		}
		return nil
	}
	return nil
}

// rateAll has every demo citizen who supports p rate its answer, and the
// first objections of them object; it reports whether an objection sent
// the answer back.
func (s *seeder) rateAll(ctx context.Context, p *forum.Proposal, objections int) (bool, error) {
	ratings := []int{4, 2, 3, 5, 1, 3, 4, 2}
	n := 0
	for _, u := range s.citizens {
		in := forum.RatingInput{Rating: ratings[n%len(ratings)]}
		if n < objections {
			in.Rating = 1 + n%2
		}
		_, err := s.st.RateAnswer(ctx, u, p.ID, in)
		if errors.Is(err, forum.ErrForbidden) { // not a supporter of p
			continue
		}
		if err != nil {
			return false, fmt.Errorf("seed a rating: %w", err)
		}
		if n < objections {
			ret, err := s.st.ObjectToAnswer(ctx, u, p.ID, demoObjections[n%len(demoObjections)])
			if err != nil {
				return false, fmt.Errorf("seed an objection: %w", err)
			}
			if ret.Returned {
				return true, nil
			}
		}
		n++
	}
	return false, nil
}
