package demo

import (
	"context"
	"fmt"
	"time"

	"github.com/e-people/e-people/forum"
	"github.com/e-people/e-people/forum/store"
)

// debateSeed is a ministry's time-boxed debate and its first arguments.
type debateSeed struct {
	ministry   string
	question   string
	background string
	opens      time.Duration // from now
	lasts      time.Duration
	arguments  []struct {
		who    int
		stance forum.Stance
		body   string
	}
}

var debateSeeds = []debateSeed{
	{
		ministry: "moe",
		question: "고등학교 1학년부터 고교학점제 과목 선택을 전면 허용해야 할까요?",
		background: "2025학년도부터 고교학점제가 전면 시행되었습니다. 학생이 진로에 맞춰 과목을 고르는 취지는 좋지만, " +
			"**1학년에게는 아직 이르다**는 의견과 **처음부터 선택권을 넓혀야 한다**는 의견이 맞섭니다.\n\n" +
			"- 현재: 1학년은 공통과목 중심, 2학년부터 선택과목\n- 쟁점: 진로 탐색 시간, 작은 학교의 과목 개설 여력, 대입과의 연계\n\n" +
			"교육부는 이 토론의 의견을 2027학년도 운영 지침에 반영하겠습니다.",
		opens: -time.Hour, lasts: 7 * 24 * time.Hour,
		arguments: []struct {
			who    int
			stance forum.Stance
			body   string
		}{
			{3, forum.StanceFor, "진로를 일찍 정한 학생에게는 1학년 공통과목이 시간 낭비입니다. 선택권을 넓혀 주세요."},
			{7, forum.StanceAgainst, "1학년 때는 아직 진로를 모르는 학생이 대부분입니다. 공통과목으로 기초를 다지는 기간이 필요합니다."},
			{12, forum.StanceNeutral, "작은 학교는 교사가 부족해 개설할 수 있는 과목이 적습니다. **공동 교육과정**과 온라인 강좌 지원이 먼저입니다."},
			{18, forum.StanceAgainst, "선택이 빨라질수록 대입에 유리한 과목으로 쏠릴 것 같습니다."},
		},
	},
	{
		ministry: "me",
		question: "카페 일회용 컵 보증금제, 전국 시행 전에 무엇을 먼저 준비해야 할까요?",
		background: "세종과 제주에서 시범 운영한 일회용 컵 보증금제를 전국으로 넓히는 방안을 검토하고 있습니다. " +
			"반납 장소, 소상공인 부담, 라벨 비용 등에 대해 의견을 듣고자 합니다.",
		opens: 3 * 24 * time.Hour, lasts: 14 * 24 * time.Hour,
	},
}

// seedDebates schedules the ministries' demo debates: one open with its first
// arguments, one that opens in a few days.
func (s *seeder) seedDebates(ctx context.Context) error {
	now := s.st.Now() // schedules follow the store's clock, which decides when debates open and close
	for _, ds := range debateSeeds {
		m, ok := s.ministries[ds.ministry]
		if !ok {
			return fmt.Errorf("debate %q: no ministry %q", ds.question, ds.ministry)
		}
		in := forum.DebateInput{Question: ds.question, Background: ds.background, MinistryID: m.ID,
			OpensAt: now.Add(ds.opens).Truncate(time.Minute), ClosesAt: now.Add(ds.opens + ds.lasts).Truncate(time.Minute)}
		if err := in.Validate(now); err != nil {
			return fmt.Errorf("check debate %q: %w", ds.question, err)
		}
		d, err := s.st.CreateDebate(ctx, store.NewDebate{HostID: s.officials[ds.ministry].ID, Input: in, Background: s.md.Markdown(ds.background)})
		if err != nil {
			return fmt.Errorf("create debate %q: %w", ds.question, err)
		}
		s.res.Debates++
		for _, a := range ds.arguments {
			if _, err := s.commentOn(ctx, forum.DebateSubject(d.ID), s.citizen(a.who), nil, a.stance, a.body); err != nil {
				return fmt.Errorf("argue in %q: %w", ds.question, err)
			}
		}
	}
	return nil
}
