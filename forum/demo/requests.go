package demo

import (
	"context"
	"fmt"

	"github.com/e-people/e-people/forum"
	"github.com/e-people/e-people/forum/store"
)

// requestSeed is one demo civil request: who files it, to which ministry
// (or, with ministry "", by its category), and how far it has gone.
type requestSeed struct {
	citizen  int
	kind     forum.RequestKind
	ministry string
	category string
	title    string
	body     string
	consent  bool
	answer   *forum.RequestAnswerInput // nil while the ministry has not answered
	rating   int                       // the filer's rating of the answer; 0 for none
	question string                    // the ministry asks the filer this (the clock stops); "" for none
	publish  bool                      // published, masked, as a frequently asked request
}

var requestSeeds = []requestSeed{
	{citizen: 1, kind: forum.RequestInquiry, ministry: "mois", title: "주민등록등본 온라인 발급 수수료 문의",
		body: "정부24에서 주민등록등본을 발급하면 수수료가 없다고 들었는데, 무인민원발급기에서는 얼마인지 궁금합니다.\n\n" +
			"또 가족의 등본을 대신 발급받을 수 있는 경우도 알려 주세요.",
		consent: true, rating: 5, publish: true,
		answer: &forum.RequestAnswerInput{Decision: forum.RequestInformed,
			Summary: "정부24 온라인 발급은 무료이며, 무인민원발급기 발급 수수료는 1통에 200원입니다.",
			Body: "문의하신 내용에 대해 안내드립니다.\n\n- 정부24(www.gov.kr) 온라인 발급: 무료\n- 무인민원발급기: 1통 200원\n" +
				"- 주민센터 방문 발급: 1통 400원\n\n같은 세대의 가족은 본인 확인 후 대신 발급받을 수 있습니다.",
			LegalBasis: "주민등록법 시행규칙 제13조", ResponsibleUnit: "주민과", Contact: "044-205-0000"}},
	{citizen: 2, kind: forum.RequestGrievance, category: "transport", title: "버스 정류장 점자 블록 파손 방치",
		body:    "집 앞 버스 정류장의 점자 블록이 석 달째 깨진 채로 있습니다. 시각장애인 이웃이 넘어질 뻔했습니다. 보수를 요청합니다.",
		consent: false, rating: 2,
		answer: &forum.RequestAnswerInput{Decision: forum.RequestRejected,
			Summary: "정류장 시설은 지방자치단체 소관이어서 이 부처가 직접 보수할 수 없습니다.",
			Body: "말씀하신 정류장은 시·군·구가 설치하고 관리하는 시설이어서 국토교통부가 직접 보수할 권한이 없습니다. " +
				"해당 지방자치단체에 보수를 요청하시고, 처리되지 않으면 다시 알려 주십시오.",
			LegalBasis: "도로법 제23조(도로관리청)", ResponsibleUnit: "대중교통과", Contact: "044-201-0000",
			Remedies:   []forum.Remedy{forum.RemedyObjection, forum.RemedyAppeal, forum.RemedyLitigation},
			RemedyNote: "이 답변을 받은 날부터 90일 이내에 이의신청을, 처분이 있음을 안 날부터 90일 이내에 행정심판을 청구할 수 있습니다."}},
	{citizen: 1, kind: forum.RequestSuggestion, ministry: "molit", title: "전동킥보드 주차 구역 표시 기준 마련 건의",
		body:    "보도 위에 아무렇게나 세워 둔 전동킥보드 때문에 유모차와 휠체어가 지나가기 어렵습니다. 주차 구역 표시 기준을 만들어 주세요.",
		consent: true, question: "건의하신 지역(시·군·구)과 자주 불편을 겪는 장소를 알려 주시면 검토에 반영하겠습니다."},
	{citizen: 3, kind: forum.RequestLawInquiry, ministry: "moel", title: "주 15시간 미만 근로자의 연차휴가 적용 여부",
		body: "주 12시간 일하는 아르바이트생에게도 연차휴가를 주어야 하는지 법령 해석을 요청합니다."},
}

// seedRequests files the demo's civil requests and takes each as far as
// its seed says: answered and rated, published as a frequently asked
// request, waiting for the filer's information, or just received.
func (s *seeder) seedRequests(ctx context.Context) error {
	for _, rs := range requestSeeds {
		filer := s.citizen(rs.citizen)
		in := forum.RequestInput{Kind: rs.kind, Title: rs.title, Body: rs.body, PublishConsent: rs.consent}
		if rs.ministry != "" {
			in.MinistryID = s.ministries[rs.ministry].ID
		} else {
			in.CategoryID = s.categories[rs.category].ID
		}
		r, err := s.st.FileRequest(ctx, filer, store.NewRequest{Input: in, Body: s.md.Markdown(rs.body), Lang: "ko"})
		if err != nil {
			return fmt.Errorf("seed request %q: %w", rs.title, err)
		}
		official := s.officials[s.slugOf(r.MinistryID)]
		if rs.question != "" {
			if err := s.st.AskRequestInfo(ctx, official, r.ID, rs.question, s.md.Markdown(rs.question)); err != nil {
				return fmt.Errorf("seed request question: %w", err)
			}
		}
		if rs.answer == nil {
			continue
		}
		if err := s.st.AssignRequest(ctx, official, r.ID, official.ID); err != nil {
			return fmt.Errorf("seed request assignment: %w", err)
		}
		if err := s.st.AnswerRequest(ctx, official, r.ID, *rs.answer, s.md.Markdown(rs.answer.Body), "ko"); err != nil {
			return fmt.Errorf("seed request answer: %w", err)
		}
		if rs.rating != 0 {
			if err := s.st.RateRequest(ctx, filer, r.ID, forum.RatingInput{Rating: rs.rating}); err != nil {
				return fmt.Errorf("seed request rating: %w", err)
			}
		}
		if rs.publish {
			d, err := s.st.DraftFAQ(ctx, official, r.ID)
			if err != nil {
				return fmt.Errorf("seed request publication: %w", err)
			}
			if _, err := s.st.PublishFAQ(ctx, official, r.ID, store.NewFAQ{Input: d.Input,
				Question: s.md.Markdown(d.Input.Question), Answer: s.md.Markdown(d.Input.Answer), Lang: "ko"}); err != nil {
				return fmt.Errorf("seed request publication: %w", err)
			}
		}
	}
	return nil
}

// slugOf returns the slug of ministry id among the demo's ministries.
func (s *seeder) slugOf(id int64) string {
	for slug, m := range s.ministries {
		if m.ID == id {
			return slug
		}
	}
	return ""
}
