package demo

import (
	"context"
	"fmt"

	"github.com/e-people/e-people/forum"
)

// mergeSeeds are two proposals asking the same thing, the second of which
// the moderator merges into the first (issue 18): the first counts the
// supporters of both, once each; the second is a signpost that keeps its
// comments.
var mergeSeeds = [2]proposalSeed{
	{
		author: 11, category: "safety", ministry: "mois", state: forum.StatusOpen, supports: 14,
		title: "공공도서관을 평일 밤 10시까지 열어 주세요",
		body: `퇴근하고 나면 동네 도서관이 이미 문을 닫습니다. 직장인과 수험생이 저녁에도 쓸 수 있도록 평일 운영 시간을 밤 10시까지 늘려 주세요.

## 제안 내용

1. 평일 열람실과 자료실 운영을 밤 10시까지 연장
2. 야간 인력은 지역 일자리 사업과 연계
3. 이용이 적은 분관은 요일을 나눠 순환 운영`,
	},
	{
		author: 12, category: "safety", ministry: "mois", state: forum.StatusOpen, supports: 9,
		title: "도서관 야간 개방 시간 연장 요청",
		body:  `저녁 7시면 문을 닫는 도서관이 많습니다. 밤에도 공부하고 책을 빌릴 수 있게 운영 시간을 늘려 주셨으면 합니다.`,
	},
}

// seedMerges creates the two duplicates, has a citizen comment on the
// second, and merges it into the first as the moderator.
func (s *seeder) seedMerges(ctx context.Context) error {
	var ps [2]*forum.Proposal
	for i, seed := range mergeSeeds {
		p, err := s.createProposal(ctx, seed)
		if err != nil {
			return fmt.Errorf("seed merges: %w", err)
		}
		ps[i] = p
	}
	if _, err := s.comment(ctx, ps[1].ID, s.citizen(13), nil, forum.StanceFor,
		"같은 내용의 제안이 이미 있네요. 한쪽으로 모아서 힘을 실었으면 좋겠습니다."); err != nil {
		return fmt.Errorf("seed merges: %w", err)
	}
	m, err := s.st.MergeProposal(ctx, s.moderator, ps[1].ID, ps[0].ID,
		"같은 요청(공공도서관 야간 운영 연장)이어서 먼저 올라온 제안으로 모읍니다.")
	if err != nil {
		return fmt.Errorf("seed merges: %w", err)
	}
	s.res.Supports -= m.Moved - m.Added // a person who supported both now counts once
	return nil
}
