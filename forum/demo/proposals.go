package demo

import "github.com/e-people/e-people/forum"

// proposalSeed is one demo proposal, the state it should end in, how many
// citizens support it and the discussion beneath it.
type proposalSeed struct {
	author   int // citizen number
	title    string
	body     string // Markdown
	category string // slug
	ministry string // slug
	state    forum.ProposalStatus
	supports int
	thread   []commentSeed
}

// commentSeed is one comment, its votes and its replies.
type commentSeed struct {
	by       int // citizen number, or byAnyone, byAuthor, byOfficial, byModerator
	stance   forum.Stance
	up, down int
	body     string
	replies  []commentSeed
}

func pro(by, up, down int, body string, replies ...commentSeed) commentSeed {
	return commentSeed{by, forum.StanceFor, up, down, body, replies}
}

func con(by, up, down int, body string, replies ...commentSeed) commentSeed {
	return commentSeed{by, forum.StanceAgainst, up, down, body, replies}
}

func neu(by, up, down int, body string, replies ...commentSeed) commentSeed {
	return commentSeed{by, forum.StanceNeutral, up, down, body, replies}
}

var proposals = []proposalSeed{
	{
		author: leeSeoyeon, category: "safety", ministry: "mois", state: forum.StatusOpen, supports: 24,
		title: "어린이보호구역 밖 통학로까지 보도와 안전시설을 넓혀 주세요",
		body: `초등학생 두 아이를 키우는 학부모입니다. 2020년 이른바 '민식이법' 시행 이후 어린이보호구역 안의 안전은 분명히 좋아졌습니다. 하지만 아이들이 실제로 걷는 길은 교문 앞 300m에서 끝나지 않습니다. 저희 아파트 단지에서 학교까지 가는 길의 절반 이상이 보호구역 밖이고, 그중 상당 구간은 보도가 없는 이면도로입니다.

## 제안 내용

1. **통학로 전수 조사**: 보호구역 경계가 아니라 실제 통학 경로를 기준으로, 학교별 주요 통학로의 보도 유무와 차량 통행량을 조사해 공개해 주세요.
2. **보도 없는 구간 우선 정비**: 폭이 좁아 보도를 만들 수 없는 길은 일방통행으로 바꾸거나 보행자우선도로로 지정해 주세요.
3. **등하교 시간 차량 통행 제한**: 학교 앞 이면도로에서 등하교 시간대에만 차량 통행을 막는 '스쿨 스트리트'를 시범 도입해 주세요.
4. **불법 주정차 상시 단속**: 보호구역 안 주정차는 금지되었지만, 바로 바깥에 선 차량이 아이들 시야를 가리는 일은 여전합니다.

## 기대 효과

아이들은 교문 앞에서만 안전하면 안 됩니다. 집을 나서는 순간부터 학교에 도착할 때까지 안전해야 합니다. 통학로 정비는 어르신과 장애인을 비롯한 모든 보행자의 안전으로도 이어집니다.`,
		thread: []commentSeed{
			pro(byAnyone, 9, 0, "저희 동네도 똑같습니다. 보호구역 표지판이 끝나는 지점부터 보도가 사라지고, 아이들이 주차된 차 사이로 걸어갑니다. 실제 통학로 기준 조사는 꼭 필요합니다.",
				neu(byAuthor, 2, 0, "공감해 주셔서 감사합니다. 위험한 구간 사진을 찍어 구청 생활불편신고와 함께 내시면 정비 우선순위를 정할 때 도움이 된다고 합니다.")),
			con(byAnyone, 3, 2, "취지는 좋지만 등하교 시간 차량 통행 제한은 주민 반발이 클 겁니다. 출근 차량이 옆 골목으로 몰리면 그 길이 또 위험해집니다.",
				pro(byAnyone, 5, 0, "해외의 스쿨 스트리트 사례를 보면 우회 교통량이 걱정했던 것보다 크지 않았다고 합니다. 시범 운영으로 확인해 보면 될 것 같아요.",
					neu(byAnyone, 1, 0, "시범 구간을 정하기 전에 주민 설명회를 먼저 열면 반발도 줄일 수 있을 것 같습니다."))),
			pro(byAnyone, 6, 1, "불법 주정차 단속이 제일 시급하다고 봅니다. 학교 바로 옆 골목에 늘 차가 서 있어서 아이들이 도로 한가운데로 걸어요."),
			neu(byOfficial, 4, 0, "행정안전부 담당자입니다. 실제 통학 경로 기준의 조사와 보행자우선도로 지정 확대 제안은 교육부, 경찰청과 함께 검토하겠습니다. 지역별 위험 구간 사례를 댓글로 남겨 주시면 검토에 참고하겠습니다."),
		},
	},
	{
		author: jungYeeun, category: "welfare", ministry: "molit", state: forum.StatusOpen, supports: 27,
		title: "청년 월세 지원, 소득 기준을 현실화하고 상시 제도로 바꿔 주세요",
		body: `사회초년생으로 서울의 원룸에 살고 있습니다. 보증금 1,000만 원에 월세 60만 원, 관리비까지 합치면 월급의 3분의 1 가까이가 주거비로 나갑니다. 청년 월세 지원 제도가 있다는 이야기를 듣고 신청하려 했지만, 부모님과 따로 산 지 몇 년이 지났는데도 원가구 소득 기준 때문에 대상이 되지 않았습니다.

지금의 지원은 월 최대 20만 원을 정해진 기간 동안만 주는 방식이라, 지원이 끝나면 부담이 그대로 돌아옵니다. 실제 임대료 수준과 청년의 독립 현실을 반영해 다음과 같이 바꾸기를 제안합니다.

| 항목 | 현재 | 제안 |
|---|---|---|
| 소득 기준 | 청년가구와 원가구 소득을 함께 심사 | 독립 1년 이상이면 청년가구 소득만 심사 |
| 지원 금액 | 월 최대 20만 원 | 지역별 평균 임대료에 연동 |
| 지원 기간 | 기간을 정해 한시 지원 | 소득 기준을 충족하는 동안 상시 지원 |
| 신청 방법 | 지자체별 공고 | 연중 온라인 상시 접수 |

- 지원금이 임대료 인상으로 흡수되지 않도록, 지원 대상 주택의 임대료 변동도 함께 살펴 주세요.
- 전세사기 피해 이후 월세로 옮긴 청년이 많은 만큼, 피해 청년은 우선 지원해 주세요.`,
		thread: []commentSeed{
			pro(byAnyone, 11, 0, "원가구 소득 기준은 정말 현실과 맞지 않습니다. 독립한 지 5년이 넘었는데도 부모님 소득 때문에 탈락했어요.",
				pro(byAnyone, 3, 0, "저도 같은 이유로 탈락했습니다. 주민등록상 따로 산 기간을 기준으로 판단하면 좋겠어요.")),
			con(byAnyone, 4, 2, "월세 지원을 늘리면 결국 집주인이 월세를 올려서 효과가 사라진다는 연구도 있습니다. 공공임대 공급을 늘리는 게 근본 대책이라고 생각합니다.",
				neu(byAuthor, 2, 0, "좋은 지적입니다. 그래서 제안에 임대료 변동을 살펴 달라는 내용을 넣었는데, 공공임대 확대와 함께 가야 한다는 데 동의합니다."),
				pro(byAnyone, 3, 1, "공공임대는 짓는 데 몇 년이 걸리니까, 그 사이를 버틸 수 있게 해 주는 지원도 필요하다고 봅니다.")),
			neu(byAnyone, 5, 0, "지역별 평균 임대료 연동은 좋은데, 같은 서울이라도 구마다 차이가 커서 기준을 어떻게 잡을지가 관건일 것 같습니다."),
		},
	},
	{
		author: yoonSeojin, category: "environment", ministry: "me", state: forum.StatusOpen, supports: 18,
		title: "일회용 컵 보증금제를 전국으로 확대해 주세요",
		body: `2022년 12월부터 세종과 제주에서 일회용 컵 보증금제가 시행되고 있습니다. 음료를 일회용 컵에 담아 살 때 보증금 300원을 내고, 컵을 돌려주면 돌려받는 방식입니다. 하지만 적용 지역이 두 곳에 그치다 보니 같은 브랜드 매장이라도 지역에 따라 규칙이 달라, 소비자와 점주 모두 혼란을 겪고 있습니다.

## 왜 전국 확대가 필요한가

- 일부 지역에서만 시행하면 그 지역 매장만 비용과 불편을 떠안게 됩니다.
- 따로 회수된 컵은 재질이 고르게 모여 고품질 재활용이 가능하지만, 회수량이 적으면 재활용 체계가 자리 잡지 못합니다.
- 길거리와 공원에 버려지는 컵은 결국 지자체 청소 예산으로 치우고 있습니다.

## 함께 바꿔야 할 점

1. **반납 편의**: 산 매장이 아니어도 어느 매장, 어느 무인 회수기에서나 반납할 수 있어야 합니다.
2. **점주 부담 완화**: 라벨 구입과 처리 비용을 정부가 지원하고, 회수한 컵을 보관할 공간 문제도 함께 풀어 주세요.
3. **적용 대상 확대**: 지금은 매장이 100곳 이상인 브랜드에만 적용되는데, 이 기준을 단계적으로 넓혀 주세요.

규칙이 전국 어디서나 같아야 소비자도 습관을 바꿀 수 있습니다.`,
		thread: []commentSeed{
			pro(byAnyone, 8, 1, "제주에 살면서 2년 넘게 써 봤는데 처음 몇 달만 번거롭고 지금은 익숙해졌습니다. 전국으로 하면 오히려 더 편해질 거예요.",
				neu(byAnyone, 1, 0, "제주에서는 반납률이 어느 정도인가요? 실제 수치가 궁금합니다.",
					pro(byAnyone, 2, 0, "정확한 수치는 모르지만 동네 카페 기준으로는 대부분 돌려받는 것 같아요. 환경부에서 공식 통계를 정기적으로 공개해 주면 좋겠네요."))),
			con(byAnyone, 5, 3, "점주 입장에서는 라벨 붙이고 컵 씻어서 보관하는 일이 만만치 않습니다. 인건비 지원 없이 확대하면 작은 매장만 힘들어집니다.",
				pro(byAnyone, 2, 0, "그래서 제안에 점주 지원이 들어가 있는 거겠죠. 무인 회수기를 늘리면 매장 부담도 줄어들 것 같습니다.")),
			pro(byAnyone, 3, 0, "텀블러 할인과 함께 가면 효과가 더 클 것 같습니다."),
		},
	},
	{
		author: hanJiwoo, category: "digital", ministry: "msit", state: forum.StatusOpen, supports: 12,
		title: "버스 정류장과 전통시장, 마을회관에 공공 와이파이를 넓혀 주세요",
		body: `통신비 부담을 덜고 디지털 접근성을 높이려고 공공 와이파이가 꾸준히 늘어 왔지만, 정작 사람들이 오래 머무는 곳에서는 아직 잡히지 않거나 느린 경우가 많습니다. 특히 버스 정류장, 전통시장, 농어촌 마을회관처럼 데이터 요금이 부담스러운 분들이 자주 찾는 곳이 그렇습니다.

다음을 제안합니다.

1. 유동 인구가 많은 시내버스 정류장과 전통시장, 읍·면 마을회관을 우선 설치 대상으로 정해 주세요.
2. 오래된 장비는 최신 규격으로 바꾸고, 접속 품질을 주기적으로 측정해 공개해 주세요.
3. 암호화된 보안 접속을 기본으로 하고, 공공 와이파이를 안전하게 쓰는 법을 함께 안내해 주세요.

| 장소 | 지금 | 바라는 점 |
|---|---|---|
| 시내버스 정류장 | 일부 지역만 설치 | 환승 거점부터 단계적 확대 |
| 전통시장 | 상인회별 개별 설치 | 공공망으로 통합해 카드 결제까지 안정적으로 |
| 마을회관 | 거의 없음 | 어르신 디지털 교육과 연계 |

공공 와이파이는 단순한 편의 시설이 아니라, 누구나 온라인 행정 서비스를 쓸 수 있게 하는 기본 인프라라고 생각합니다.`,
		thread: []commentSeed{
			pro(byAnyone, 5, 0, "시골 부모님 댁 마을회관에 와이파이가 생기면 영상통화도 하시고 교육도 받으실 수 있을 텐데요. 꼭 포함해 주세요."),
			con(byAnyone, 1, 2, "요즘은 데이터 무제한 요금제가 많아서 공공 와이파이 수요가 예전만 못하다고 생각합니다. 그 예산을 다른 데 쓰는 게 나을 수도 있어요.",
				pro(byAnyone, 4, 0, "무제한 요금제는 비싸서 어르신이나 학생에게는 여전히 부담입니다. 요금제를 바꿀 형편이 안 되는 사람들을 위한 제도라고 봅니다.")),
			neu(byAnyone, 4, 0, "보안이 제일 걱정입니다. 공공 와이파이에서 금융 앱을 써도 괜찮은지에 대한 안내도 같이 해 주세요."),
		},
	},
	{
		author: shinDonghyuk, category: "jobs", ministry: "moel", state: forum.StatusOpen, supports: 26,
		title: "주 4.5일제, 중소기업부터 시범 도입하고 지원해 주세요",
		body: `우리나라의 연간 노동시간은 꾸준히 줄고 있지만 여전히 OECD 평균보다 깁니다. 대기업과 공공기관에서는 유연근무와 주 4.5일제 실험이 늘고 있는데, 노동자 대부분이 일하는 중소기업은 인력과 비용 부담 때문에 엄두를 내지 못합니다.

## 제안

- **시범 사업**: 희망하는 중소기업을 공모해 2년 동안 주 4.5일제(예: 금요일 오후 휴무)를 시범 운영하고, 임금을 줄이지 않고 노동시간을 줄이는 기업에는 인건비 일부를 지원해 주세요.
- **업종별 모델**: 제조, 서비스, IT 등 업종마다 교대 방식과 고객 응대 방식이 다르므로, 업종에 맞는 운영 모델을 함께 만들어 주세요.
- **성과 공개**: 생산성, 이직률, 산업재해, 직원 건강 지표를 시범 전후로 측정해 모두 공개해 주세요.

## 우려에 대하여

생산성이 떨어질 것이라는 걱정이 있습니다. 그래서 바로 법으로 강제하자는 것이 아니라, 스스로 참여하는 기업에서 먼저 검증하자는 것입니다. 해외 시범 사업에서는 매출이 유지되면서 이직과 병가가 줄었다는 결과도 나왔습니다. 우리 현실에도 맞는지 우리 데이터로 확인해 보자는 제안입니다.`,
		thread: []commentSeed{
			pro(byAnyone, 14, 2, "IT 회사에 다니는데 작년부터 격주 금요일 오후 휴무를 하고 있습니다. 업무 집중도가 오히려 올라갔고 퇴사자가 줄었어요. 중소기업도 지원만 있으면 충분히 할 수 있습니다.",
				con(byAnyone, 4, 1, "IT 회사는 가능하겠지만, 생산 라인이 돌아가는 제조업은 사람이 빠지면 그만큼 생산이 줄어듭니다. 업종별 차이를 꼭 봐야 합니다.",
					pro(byAnyone, 3, 0, "그래서 업종별 모델을 따로 만들자는 거죠. 교대 조를 하나 더 두는 방식이면 오히려 일자리가 늘어날 수도 있습니다."),
					neu(byAnyone, 2, 0, "제조업은 교대제를 바꾸는 비용을 누가 부담하느냐가 핵심일 것 같습니다."))),
			con(byAnyone, 9, 3, "직원 여섯 명인 작은 회사를 운영하고 있습니다. 한 명만 빠져도 거래처 대응이 안 됩니다. 인건비 일부 지원으로는 대체 인력을 구하기 어렵습니다.",
				pro(byAnyone, 3, 1, "그래서 의무가 아니라 자발적인 시범 사업으로 하자는 것 아닐까요? 가능한 곳부터 해 보면 됩니다."),
				neu(byAnyone, 4, 0, "대체 인력 채용 지원을 같이 묶으면 어떨까요? 청년 일자리 정책과 연계할 수 있을 것 같습니다.")),
			neu(byAnyone, 6, 0, "'임금 감소 없이'라는 조건이 핵심인 것 같습니다. 시간이 줄면서 월급도 줄면 노동자 입장에서는 반기기 어렵습니다."),
			pro(byAnyone, 5, 0, "아이를 키우는 입장에서는 금요일 오후만 비어도 병원이나 학교 행사에 갈 수 있어서 정말 큰 도움이 됩니다."),
			neu(byOfficial, 3, 0, "고용노동부 담당자입니다. 실노동시간 단축을 위한 중소기업 지원 방안을 검토하고 있습니다. 시범 사업 설계에 참고할 수 있도록 업종별 현장 사례를 남겨 주시면 감사하겠습니다."),
		},
	},
	{
		author: ahnChaewon, category: "environment", ministry: "moe", state: forum.StatusOpen, supports: 15,
		title: "미세먼지 철, 학교 교실 공기질 관리를 강화해 주세요",
		body: `매년 12월부터 3월까지 미세먼지 계절관리제가 시행되지만, 아이들이 하루 중 가장 오래 머무는 교실의 공기질은 학교마다 차이가 큽니다. 공기정화장치가 있어도 필터 교체 주기가 제각각이고, 언제 환기해야 하는지 기준을 모르는 경우도 많습니다.

## 제안 사항

1. 모든 교실에 초미세먼지(PM2.5)와 이산화탄소 측정기를 두고, 측정값을 학부모도 볼 수 있게 공개해 주세요.
2. 공기정화장치 필터 교체 비용을 학교 운영비와 별도로 지원해, 교체 주기를 지킬 수 있게 해 주세요.
3. 바깥 공기가 나쁜 날에도 이산화탄소 농도가 높아지지 않도록 기계식 환기설비를 단계적으로 늘려 주세요.
4. 고농도 예보가 있는 날 실외 체육 수업을 대신할 실내 공간 기준을 마련해 주세요.

미세먼지는 하루아침에 줄어들지 않습니다. 배출을 줄이는 정책과 함께, 아이들이 덜 마시게 하는 정책도 필요합니다.`,
		thread: []commentSeed{
			pro(byAnyone, 7, 0, "아이 학교 공기청정기 필터를 언제 갈았는지 물어봤더니 담당 선생님도 모르시더라고요. 교체 기록 공개가 꼭 필요합니다."),
			neu(byAnyone, 3, 0, "이산화탄소 측정은 좋은 제안이네요. 창문을 닫아 두면 미세먼지는 줄어도 오후가 되면 아이들이 졸려 합니다.",
				pro(byAnyone, 2, 0, "맞아요. 그래서 기계식 환기설비가 필요합니다. 공기청정기만으로는 해결이 안 됩니다.")),
			con(byAnyone, 2, 1, "교실마다 측정기를 두면 관리할 사람이 또 필요합니다. 학교 행정 업무가 이미 너무 많아요.",
				neu(byAnyone, 1, 0, "측정값이 자동으로 서버에 올라가는 방식이면 선생님 업무는 거의 늘지 않을 것 같습니다.")),
		},
	},
	{
		author: hongJia, category: "culture", ministry: "mcst", state: forum.StatusDraft,
		title: "공공도서관 평일 야간·일요일 개관을 늘려 주세요",
		body: `직장인은 평일 저녁이나 주말에만 도서관에 갈 수 있는데, 동네 공공도서관 상당수가 평일 저녁 일찍 문을 닫고 일요일이나 월요일에 쉽니다.

- 권역마다 최소 한 곳은 평일 밤 10시까지 자료실을 열어 주세요.
- 야간 운영 인력은 사서 정규 채용을 늘려 채우고, 무인 대출·반납기도 함께 늘려 주세요.
- 휴관일을 도서관마다 다르게 정해, 같은 지역에서는 어느 요일이든 한 곳은 열려 있게 해 주세요.

(초안입니다. 지역별 운영 현황 자료를 더 찾아 보완한 뒤 공동 발의를 받으려 합니다.)`,
	},
	{
		author: yangSeoyun, category: "transport", ministry: "molit", state: forum.StatusGathering,
		title: "출퇴근 광역버스 입석 문제, 증차와 2층 버스로 해결해 주세요",
		body: `경기도에서 서울로 광역버스를 타고 출퇴근합니다. 고속도로를 달리는 광역버스의 입석 운행은 위험해서 원칙적으로 금지되어 있지만, 출근 시간에는 좌석이 모자라 서서 가거나 만차 버스를 몇 대씩 그냥 보내야 합니다.

1. 출퇴근 시간대 이용률이 높은 노선부터 증차하고, 노선별 배차 간격을 공개해 주세요.
2. 증차가 어려운 노선에는 출근 시간대 전세버스를 투입하고, 2층 전기버스 도입을 늘려 주세요.
3. 정류장마다 실시간 잔여 좌석 정보를 모든 광역버스에서 볼 수 있게 해 주세요.

수도권 주민의 절반 이상이 서울 밖에 살고 있습니다. 광역 출퇴근은 일부의 문제가 아닙니다.`,
	},
	{
		author: moonTaeyang, category: "economy", ministry: "moef", state: forum.StatusWithdrawn, supports: 4,
		title: "간이과세자 기준 금액을 물가에 맞춰 자동으로 조정해 주세요",
		body: `작은 분식집을 운영하고 있습니다. 간이과세 기준 금액은 몇 년에 한 번씩 시행령 개정으로 오르는데, 그 사이 식재료값과 임대료가 오르면서 실제로 남는 돈은 그대로인데 매출액만 늘어 일반과세자로 바뀌는 가게가 많습니다.

- 간이과세 기준 금액을 소비자물가 상승률에 맞춰 해마다 자동으로 조정해 주세요.
- 일반과세자로 바뀌는 첫해에는 신고 안내와 세무 상담을 무료로 지원해 주세요.

세금을 안 내겠다는 것이 아니라, 기준이 현실을 따라가게 하자는 취지입니다.`,
	},
	{
		author: emilyCarter, category: "safety", ministry: "mois", state: forum.StatusOpen, supports: 16,
		title: "Send emergency alerts in English, Chinese and Vietnamese as well as Korean",
		body: `I have lived in Korea for six years and work in Incheon. Emergency alert texts (재난문자) reach every phone, which is excellent, but they are often written only in Korean. During heavy rain or a heat wave, many of the more than two million foreign residents in Korea cannot tell whether a message is an evacuation order or a routine notice.

## What I propose

1. **Key facts in several languages.** Add a short line in English, Chinese and Vietnamese to every alert of the highest levels: what happened, where, and what to do.
2. **A link to a translated page.** Each alert could carry a short link to the full text in more languages, for example in the Safety Korea app (안전디딤돌).
3. **A setting on the phone.** Let residents choose a second language for alerts.

## Why it matters

In a disaster, minutes count. Foreign workers on farms and in factories are often the people furthest from information. A few words in a language they read could decide whether they leave a flooded basement in time.`,
		thread: []commentSeed{
			pro(sarahNguyen, 7, 0, "Strongly agree. During the floods in 2022 my colleagues from Nepal had no idea what the alerts said until a Korean co-worker translated them.",
				neu(byAnyone, 2, 0, "Some alerts now include an English line, but not consistently. A clear rule about which alert levels must be translated would help.")),
			con(byAnyone, 1, 3, "Alerts need to be short to be read quickly. Adding three languages to every message might make them harder to read for everyone.",
				pro(byAuthor, 4, 0, "That's why the proposal suggests a short link or a phone setting. The Korean text can stay exactly as short as it is now.")),
			neu(byAnyone, 3, 0, "좋은 제안입니다. 외국인 주민이 많은 지역부터 먼저 시행해 보면 어떨까요?"),
		},
	},
	{
		author: danielBrooks, category: "transport", ministry: "molit", state: forum.StatusOpen, supports: 9,
		title: "Publish one national real-time bus and subway data feed in a standard format",
		body: `Developers, researchers and map services in Korea have to collect real-time public transport data from many different city and provincial APIs. Each uses its own format, its own keys and its own usage limits, so small teams and non-profits give up, and travellers get apps that work well in Seoul but not in smaller cities.

I propose that the Ministry of Land, Infrastructure and Transport publish:

- one national feed of scheduled and real-time bus, subway and intercity bus data;
- in the international GTFS and GTFS Realtime formats, alongside the existing APIs;
- with a free tier generous enough for student projects and accessibility apps.

| Today | Proposed |
|---|---|
| Separate APIs per region | One national feed |
| Different formats | GTFS and GTFS Realtime |
| Low daily request limits | A free tier sized for real apps |

Good open data helps blind and low-vision travellers in particular, who depend on screen-reader-friendly apps that small developers often build.`,
		thread: []commentSeed{
			pro(byAnyone, 5, 0, "As a blind user I rely on apps built by small developers. A single national feed would make those apps work everywhere, not just in Seoul."),
			neu(byAnyone, 2, 0, "Some cities already publish GTFS files. The hard part is keeping real-time data accurate, so the ministry should publish quality figures too.",
				pro(byAuthor, 1, 0, "Agreed. A public dashboard showing the feed's uptime and freshness would be a good start.")),
		},
	},
	{
		author: sarahNguyen, category: "education", ministry: "moe", state: forum.StatusOpen, supports: 11,
		title: "Mental health counselling in English and Chinese for international students",
		body: `There are now more than 200,000 international students in Korea. Most universities have a counselling centre, but appointments are usually in Korean only, and students who struggle with isolation, visa worries or academic pressure rarely know where to turn.

I would like the Ministry of Education to:

1. ask universities that recruit international students to offer counselling in at least English, and in Chinese or Vietnamese where many of their students speak those languages;
2. fund a shared, confidential telephone and video counselling service that smaller universities can join;
3. include mental-health resources in the orientation every new international student receives.

This is not only about kindness. Students who get help early are more likely to finish their degrees and to recommend studying in Korea to others.`,
		thread: []commentSeed{
			pro(byAnyone, 6, 0, "I'm a graduate student in Daejeon. Our counselling centre has one counsellor who speaks some English, and the waiting list is a month long. A shared service would really help.",
				neu(byAnyone, 1, 0, "Does anyone know whether the national crisis line 109 offers interpreters? If it does, it should be in every orientation pack.")),
			con(byAnyone, 1, 2, "Universities already have tight budgets. Requiring counselling in several languages may be too much for small regional universities.",
				pro(byAuthor, 3, 0, "That is exactly why the proposal includes a shared service that smaller universities can join instead of hiring their own counsellors.")),
		},
	},
	{
		author: chenYijun, category: "digital", ministry: "msit", state: forum.StatusOpen, supports: 10,
		title: "擴大高齡者數位能力教育，讓長輩安心使用自助點餐機與線上行政服務",
		body: `我是住在首爾的臺灣人，和韓國籍的先生及公婆同住。公婆常常因為不會使用自助點餐機、行動支付和線上掛號而感到挫折，甚至不敢一個人去速食店。韓國的數位服務非常發達，但長輩被排除在外的情況也越來越明顯。

## 建議

1. **社區就近學習**：在行政福祉中心、老人福利館和公共圖書館開設小班數位課程，每班不超過十人，並有助教一對一協助。
2. **實機練習**：準備與真實店家相同的自助點餐機與售票機，讓長輩在沒有壓力的環境下反覆練習。
3. **多語言教材**：為多元文化家庭的長輩與照顧者提供中文、越南文等教材。
4. **保留人工窗口**：推動數位化的同時，公共服務仍應保留人工服務窗口。

數位能力不應該成為享受公共服務的門檻。讓長輩學得會、用得安心，是整個社會的責任。`,
		thread: []commentSeed{
			pro(wangShufen, 6, 0, "非常贊成。我母親來韓國探親時，連在咖啡店點餐都需要我幫忙。如果社區有課程，我很願意陪她一起去上課。"),
			pro(byAnyone, 4, 0, "저희 부모님도 키오스크 앞에서 늘 망설이십니다. 실제 기계로 연습할 수 있는 교실이 있으면 좋겠어요."),
			neu(linJiahao, 3, 0, "除了教育之外，也希望店家的自助機介面能更簡單，字體更大，並且一定要有語音導引。",
				pro(byAuthor, 1, 0, "同意，教育和設計要一起改善，長輩才會真的願意使用。")),
		},
	},
	{
		author: linJiahao, category: "family", ministry: "mogef", state: forum.StatusOpen, supports: 8,
		title: "擴大多元文化家庭子女的雙語教育支援",
		body: `韓國的多元文化家庭子女人數持續增加。這些孩子天生擁有學習兩種語言的環境，但在實際生活中，許多孩子因為擔心被同學另眼看待，漸漸不再使用父母其中一方的母語，最後只會說韓語。

我們建議：

- 擴大家庭中心的雙語教育課程，並增加週末班與線上班，讓雙薪家庭也能參加。
- 在學校的課後課程中開設中文、越南文等語言班，開放給所有學生報名，讓雙語成為值得驕傲的能力。
- 培訓並聘用多元文化背景的雙語講師，提供穩定的工作機會。

| 對象 | 現況 | 建議 |
|---|---|---|
| 學齡前兒童 | 部分家庭中心提供 | 全國家庭中心普及 |
| 國小學生 | 課程有限 | 開設課後雙語班 |
| 父母 | 以韓語教育為主 | 增加親子共學課程 |

雙語能力是孩子的財產，也是韓國與世界連結的橋樑。`,
		thread: []commentSeed{
			pro(chenYijun, 5, 0, "我的孩子上小學後就不太願意說中文了。如果學校有開放給所有同學的中文班，孩子應該會更有自信。"),
			neu(byAnyone, 3, 0, "좋은 제안입니다. 방과후 언어 수업을 모든 학생에게 열어 두면 다문화 가정 아이들도 자연스럽게 자부심을 가질 수 있을 것 같아요."),
			con(wangShufen, 2, 1, "學校課後課程的名額和預算都有限，應該先確保基礎課業輔導。",
				neu(byAuthor, 1, 0, "也許可以先從多元文化學生較多的學校開始試辦，再逐步擴大。")),
		},
	},
}
