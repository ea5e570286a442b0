package demo

import (
	"context"
	"strings"

	"github.com/e-people/e-people/forum"
)

// pensionDebate is the benchmark proposal: an open national debate that
// collects Options.BenchmarkComments comments.
var pensionDebate = proposalSeed{
	author: parkJihun, category: "welfare", ministry: "mohw", state: forum.StatusOpen, supports: 28,
	title: "[토론] 국민연금 개혁, 어떤 방향이어야 할까요?",
	body: `2025년 3월 국회에서 보험료율을 9%에서 13%로 단계적으로 올리고 소득대체율을 43%로 정하는 국민연금법 개정안이 통과되었습니다. 하지만 이번 개혁은 '얼마를 내고 얼마를 받느냐'를 조정한 모수개혁이고, 제도의 틀을 바꾸는 구조개혁 논의는 아직 남아 있습니다. 국회 연금특위가 구조개혁을 다루기 전에 시민들이 먼저 충분히 토론해 보자는 뜻에서 이 제안을 올립니다.

## 제안하는 방향

1. **자동조정장치 도입**: 기대수명과 가입자 수 변화에 맞춰 연금액 인상률을 자동으로 조정하되, 최소 급여 수준은 법으로 보장합니다.
2. **의무가입 연령 상향**: 지금은 59세까지인 의무가입 연령을, 2033년 65세가 되는 수급 개시 연령에 맞춰 64세까지 단계적으로 늘립니다. 정년 연장 논의와 함께 진행합니다.
3. **기초연금·퇴직연금과의 역할 분담**: 기초연금은 저소득 노인에게 집중하고, 퇴직연금은 의무화해 노후 소득의 한 축으로 키웁니다.
4. **기금운용 개선**: 기금운용의 독립성과 전문성을 높여 장기 수익률을 끌어올립니다.

## 쟁점

| 쟁점 | 찬성 쪽 논리 | 반대 쪽 논리 |
|---|---|---|
| 자동조정장치 | 재정 안정, 미래 세대 부담 완화 | 사실상 급여 삭감, 노인 빈곤 심화 |
| 의무가입 연령 상향 | 가입 기간이 늘어 연금액 증가 | 정년과 맞지 않아 보험료 부담만 증가 |
| 퇴직연금 의무화 | 노후 소득의 다층화 | 영세 사업장의 비용 부담 |

찬성, 반대, 중립 어느 쪽이든 좋습니다. 근거와 함께 의견을 남겨 주시고, 설득력 있는 의견에는 추천을 눌러 주세요.`,
}

// moderatorNotice opens the debate; officialNote is the ministry's word half-way through.
const (
	moderatorNotice = "토론 운영 안내입니다. 서로의 의견을 존중해 주시고, 상대를 비난하기보다 근거로 이야기해 주세요. 개인정보나 욕설이 담긴 댓글은 운영 원칙에 따라 가려질 수 있습니다. 통계나 자료를 인용하실 때는 출처를 함께 남겨 주세요."
	officialNote    = "보건복지부 담당자입니다. 자동조정장치와 의무가입 연령 상향에 대한 세대별 재정 효과는 국민연금 재정계산 결과와 함께 정리해 안내드리겠습니다. 이 토론에서 나온 의견은 구조개혁 논의 자료로 정리해 전달하겠습니다."
)

// argumentBank holds sentences that can be combined into one comment for a stance:
// a claim, one or two reasons, and sometimes a closing wish.
type argumentBank struct{ claims, reasons, closers []string }

var pensionArguments = map[forum.Stance]argumentBank{
	forum.StanceFor: {
		claims: []string{
			"이번 제안의 방향에 대체로 찬성합니다.",
			"자동조정장치 도입에 찬성합니다.",
			"모수개혁만으로는 부족하고, 구조개혁이 반드시 뒤따라야 한다고 봅니다.",
			"의무가입 연령을 64세까지 늘리는 방향이 합리적이라고 생각합니다.",
			"미래 세대에게 부담을 넘기지 않으려면 지금 결단해야 합니다.",
			"퇴직연금 의무화까지 포함한 다층 구조 개편에 찬성합니다.",
		},
		reasons: []string{
			"출산율이 0.7명대까지 떨어진 상황에서 지금 구조로는 가입자 한 명이 떠안는 부담이 계속 커질 수밖에 없습니다.",
			"평균수명은 계속 늘어나는데 급여 구조가 그대로라면 재정이 버티기 어렵습니다.",
			"정년 뒤에도 일하는 분들이 많은데 59세에 가입이 끝나는 것은 현실과 맞지 않습니다.",
			"가입 기간이 늘어나면 보험료를 더 내는 만큼 받는 연금액도 늘어납니다.",
			"스웨덴과 일본 등 여러 나라가 이미 인구와 경제 여건에 따라 급여를 조정하는 장치를 운영하고 있습니다.",
			"제도가 지속된다는 믿음이 있어야 청년들도 보험료를 기꺼이 낼 수 있습니다.",
			"개혁이 늦어질수록 나중에 필요한 보험료 인상 폭이 더 커진다는 점은 여러 재정 추계가 보여 줍니다.",
			"기초연금을 저소득 노인에게 집중하면 같은 예산으로 더 두텁게 지원할 수 있습니다.",
			"의무가입 연령을 늘리면 가입이 끝나고 연금을 받기까지 생기는 소득 공백도 줄어듭니다.",
			"지금 20대와 30대가 받을 연금을 지키려면 제도를 미리 손봐야 합니다.",
		},
		closers: []string{
			"세대 간 부담을 공정하게 나누는 방향으로 논의가 이어졌으면 합니다.",
			"정치적 부담이 있더라도 이번에는 꼭 결론을 냈으면 합니다.",
			"다만 저소득층을 위한 최소 급여 보장은 반드시 함께 마련되어야 합니다.",
			"국회 연금특위가 시민 의견을 충분히 듣고 일정을 분명히 정해 주면 좋겠습니다.",
		},
	},
	forum.StanceAgainst: {
		claims: []string{
			"자동조정장치 도입에는 반대합니다.",
			"결국 받는 돈을 깎자는 이야기로밖에 들리지 않습니다.",
			"재정 안정만 강조하다가 노후 소득 보장이라는 연금 본래의 목적을 잊고 있는 것 같습니다.",
			"의무가입 연령 상향은 정년 연장 없이 추진하면 부담만 늘어납니다.",
			"이번 제안의 방향에는 동의하기 어렵습니다.",
			"퇴직연금 의무화는 영세 사업장의 현실과 거리가 멉니다.",
		},
		reasons: []string{
			"우리나라 노인빈곤율은 OECD 최고 수준인데 급여를 더 줄이면 노후 빈곤이 심해질 겁니다.",
			"소득대체율 43%도 명목일 뿐, 실제 가입 기간을 생각하면 받는 금액은 훨씬 적습니다.",
			"59세에 퇴직하고 일자리가 없는데 보험료를 5년 더 내라는 것은 현실을 모르는 말입니다.",
			"기금이 소진되더라도 많은 나라처럼 그해 걷어 그해 주는 부과 방식으로 운영할 수 있습니다.",
			"국가의 지급 보장을 법에 명시했으니 재정 투입 방안을 먼저 논의해야 합니다.",
			"자영업자와 플랫폼 노동자는 보험료를 혼자 전액 부담해서 인상 충격이 두 배입니다.",
			"자동조정장치를 먼저 도입한 나라들에서도 연금액이 물가를 따라가지 못한다는 비판이 나왔습니다.",
			"작은 가게는 인건비 부담이 이미 한계인데 퇴직연금까지 의무화하면 고용을 줄일 수밖에 없습니다.",
			"급여 인상률이 물가를 따라가지 못하면 실제로 손에 쥐는 연금은 해마다 줄어드는 셈입니다.",
			"청년의 불신은 급여를 깎는다고 사라지지 않고, 국가가 끝까지 책임진다는 신호가 있어야 회복됩니다.",
		},
		closers: []string{
			"급여를 깎기 전에 국고 지원을 늘리는 방안부터 검토해 주세요.",
			"노후 소득 보장을 약하게 만드는 개혁이라면 찬성하기 어렵습니다.",
			"정년 연장과 고령자 일자리 대책이 먼저 나와야 한다고 생각합니다.",
			"보험료를 내는 사람들의 형편도 함께 고려해 주셨으면 합니다.",
		},
	},
	forum.StanceNeutral: {
		claims: []string{
			"찬반을 떠나 정확한 정보부터 공유되었으면 합니다.",
			"방향에는 공감하지만 세부 설계가 더 중요하다고 생각합니다.",
			"솔직히 아직 어느 쪽이 맞는지 판단이 서지 않습니다.",
			"양쪽 의견을 다 읽어 보니 둘 다 일리가 있습니다.",
		},
		reasons: []string{
			"자동조정장치도 어떤 지표에 연동하느냐에 따라 결과가 완전히 달라집니다.",
			"기금운용 수익률을 1%포인트만 높여도 기금 소진 시점이 몇 년 늦춰진다는 분석이 있습니다.",
			"기초연금, 퇴직연금, 개인연금을 함께 봐야 노후 소득의 전체 그림이 보입니다.",
			"세대별로 실제 얼마를 내고 얼마를 받는지 직접 계산해 볼 수 있는 도구가 있으면 좋겠습니다.",
			"출산과 군 복무를 가입 기간으로 인정하는 크레딧 제도를 더 넓힐 필요도 있어 보입니다.",
			"정년 연장 논의와 연금 개혁 일정이 따로 움직이는 것이 가장 큰 문제 같습니다.",
			"해외 사례를 가져올 때는 그 나라의 기초연금과 세금 구조까지 함께 비교해야 합니다.",
			"보험료율이 13%까지 오르는 동안 경기 상황을 보며 속도를 조절할 장치도 필요해 보입니다.",
		},
		closers: []string{
			"보건복지부에서 세대별 시뮬레이션 결과를 알기 쉽게 공개해 주시면 좋겠습니다.",
			"다른 분들 의견도 더 듣고 싶습니다.",
			"근거 자료가 있다면 출처도 같이 남겨 주시면 좋겠습니다.",
		},
	},
}

// Reply openers: a reply that shares its parent's stance agrees, one that
// takes the other side disagrees, one that takes a side after a neutral
// comment says which, and a neutral one weighs or asks.
var (
	agreeOpeners = []string{"동의합니다.", "좋은 지적입니다.", "저도 같은 생각입니다.", "맞는 말씀이에요.",
		"같은 의견입니다.", "공감합니다. 한 가지 덧붙이고 싶습니다."}
	disagreeOpeners = []string{"말씀은 이해하지만 생각이 조금 다릅니다.", "그 부분은 동의하기 어렵습니다.",
		"반대로 볼 수도 있다고 생각합니다.", "현실은 조금 다르다고 봅니다.", "전제부터 다시 봐야 할 것 같습니다."}
	sideOpeners = map[forum.Stance][]string{
		forum.StanceFor:     {"저는 찬성하는 쪽입니다.", "고민해 봤지만 저는 찬성입니다.", "그래도 저는 개혁이 필요하다고 봅니다."},
		forum.StanceAgainst: {"저는 반대하는 쪽입니다.", "고민해 봤지만 저는 반대입니다.", "그래도 저는 이 방향은 아니라고 봅니다."},
	}
	neutralOpeners = []string{"말씀에 일리가 있네요. 다만 함께 볼 점이 있습니다.", "혹시 근거 자료가 있을까요?",
		"조금 다른 각도에서 보면 어떨까요?", "찬반을 떠나 짚고 싶은 점이 있습니다.", "판단하기 전에 따져 볼 것이 있습니다."}
)

// pick returns a random element of list.
func (s *seeder) pick(list []string) string { return list[s.rng.IntN(len(list))] }

// argument composes a top-level comment for stance.
func (s *seeder) argument(stance forum.Stance) string {
	b := pensionArguments[stance]
	first := s.rng.IntN(len(b.reasons))
	parts := []string{s.pick(b.claims), b.reasons[first]}
	if s.rng.Float64() < 0.4 {
		second := (first + 1 + s.rng.IntN(len(b.reasons)-1)) % len(b.reasons)
		parts = append(parts, b.reasons[second])
	}
	text := strings.Join(parts, " ")
	if s.rng.Float64() < 0.5 {
		sep := " "
		if s.rng.Float64() < 0.3 {
			sep = "\n\n"
		}
		text += sep + s.pick(b.closers)
	}
	return text
}

// reply composes a reply of stance to parent, with a reason parent has not already given.
func (s *seeder) reply(stance forum.Stance, parent *forum.Comment) string {
	openers := disagreeOpeners
	switch {
	case stance == forum.StanceNeutral:
		openers = neutralOpeners
	case parent.Stance == forum.StanceNeutral:
		openers = sideOpeners[stance]
	case stance == parent.Stance:
		openers = agreeOpeners
	}
	b := pensionArguments[stance]
	reason := s.pick(b.reasons)
	for try := 0; try < 5 && strings.Contains(parent.BodySrc, reason); try++ {
		reason = s.pick(b.reasons)
	}
	text := s.pick(openers) + " " + reason
	if s.rng.Float64() < 0.3 {
		text += " " + s.pick(b.closers)
	}
	return text
}

// topStance draws the stance of a top-level comment.
func (s *seeder) topStance() forum.Stance {
	switch r := s.rng.Float64(); {
	case r < 0.40:
		return forum.StanceFor
	case r < 0.78:
		return forum.StanceAgainst
	}
	return forum.StanceNeutral
}

// replyStance draws the stance of a reply to a comment of parent's stance.
func (s *seeder) replyStance(parent forum.Stance) forum.Stance {
	r := s.rng.Float64()
	if parent == forum.StanceNeutral {
		return []forum.Stance{forum.StanceFor, forum.StanceAgainst, forum.StanceNeutral}[min(int(r*2.5), 2)]
	}
	switch {
	case r < 0.45 && parent == forum.StanceFor:
		return forum.StanceAgainst
	case r < 0.45:
		return forum.StanceFor
	case r < 0.75:
		return parent
	}
	return forum.StanceNeutral
}

// parentFrom picks a comment to reply to: mostly a recent one, sometimes any.
func (s *seeder) parentFrom(list []*forum.Comment) *forum.Comment {
	if s.rng.Float64() < 0.2 {
		return list[s.rng.IntN(len(list))]
	}
	return list[len(list)-1-s.rng.IntN(min(30, len(list)))]
}

// seedBenchmark creates the pension debate and its comments: the moderator's
// notice first, the ministry's note half-way, and citizens' arguments and
// replies at depths 2 and 3 in between, then votes on a few dozen of them.
func (s *seeder) seedBenchmark(ctx context.Context) error {
	p, err := s.createProposal(ctx, pensionDebate)
	if err != nil {
		return err
	}
	s.res.BenchmarkProposalID = p.ID
	n := s.opt.BenchmarkComments
	var tops, seconds, thirds []*forum.Comment
	for i := range n {
		var c *forum.Comment
		r := s.rng.Float64()
		switch {
		case i == 0:
			c, err = s.comment(ctx, p.ID, s.moderator, nil, forum.StanceNeutral, moderatorNotice)
		case i == n/2 && n >= 50:
			c, err = s.comment(ctx, p.ID, s.officials[pensionDebate.ministry], nil, forum.StanceNeutral, officialNote)
		case r < 0.45 || len(tops) == 0:
			stance := s.topStance()
			c, err = s.comment(ctx, p.ID, s.author(byAnyone, p, "", nil), nil, stance, s.argument(stance))
		default:
			parent := s.parentFrom(tops)
			if r >= 0.8 && len(seconds) > 0 {
				parent = s.parentFrom(seconds)
			}
			stance := s.replyStance(parent.Stance)
			c, err = s.comment(ctx, p.ID, s.author(byAnyone, p, "", parent), parent, stance, s.reply(stance, parent))
		}
		if err != nil {
			return err
		}
		switch {
		case c.AuthorRole.IsStaff():
			// Staff notes stand alone: nobody argues with the house rules.
		case c.Depth == 1:
			tops = append(tops, c)
		case c.Depth == 2:
			seconds = append(seconds, c)
		default:
			thirds = append(thirds, c)
		}
	}
	return s.voteDebate(ctx, tops, seconds, thirds)
}

// voteDebate gives a dozen arguments for and against, a few neutral ones and
// some replies their recommendations, so the debate has best arguments.
func (s *seeder) voteDebate(ctx context.Context, tops, seconds, thirds []*forum.Comment) error {
	quota := map[forum.Stance]int{forum.StanceFor: 12, forum.StanceAgainst: 12, forum.StanceNeutral: 4}
	for _, i := range s.rng.Perm(len(tops)) {
		c := tops[i]
		if quota[c.Stance] == 0 {
			continue
		}
		quota[c.Stance]--
		if err := s.vote(ctx, c, 2+s.rng.IntN(18), s.rng.IntN(5)); err != nil {
			return err
		}
	}
	replies := append(seconds[:len(seconds):len(seconds)], thirds...)
	for k, i := range s.rng.Perm(len(replies)) {
		if k == 12 {
			break
		}
		if err := s.vote(ctx, replies[i], 1+s.rng.IntN(5), s.rng.IntN(2)); err != nil {
			return err
		}
	}
	return nil
}
