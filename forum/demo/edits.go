package demo

import (
	"context"
	"fmt"

	"github.com/e-people/e-people/forum"
)

// seedEdits shows issue 18's edits told to supporters: an open proposal
// its author edited after citizens supported it (each supporter has a
// notification with the diff and the one-click withdrawal), and a proposal
// past its threshold whose author rewrote most of it, which waits in the
// review queue's "edits waiting for approval".
func (s *seeder) seedEdits(ctx context.Context) error {
	shade, err := s.createProposal(ctx, proposalSeed{author: 4, category: "environment", ministry: "me", state: forum.StatusOpen, supports: 9,
		title: "동네 공원에 그늘막을 늘려 주세요",
		body: "여름 한낮에 동네 공원은 그늘이 없어 아이와 어르신이 머물기 어렵습니다.\n\n" +
			"- 놀이터와 벤치 옆에 그늘막을 설치해 주세요.\n- 그늘막은 봄부터 가을까지 펼쳐 두면 좋겠습니다."})
	if err != nil {
		return err
	}
	if err := s.edit(ctx, shade, shade.Title,
		"여름 한낮에 동네 공원은 그늘이 거의 없어 아이와 어르신이 오래 머물기 어렵습니다.\n\n"+
			"- 놀이터와 벤치, 운동기구 옆에 그늘막을 설치해 주세요.\n- 그늘막은 5월부터 9월까지 펼쳐 두면 좋겠습니다.", false); err != nil {
		return err
	}
	bus, err := s.createProposal(ctx, proposalSeed{author: 6, category: "transport", ministry: "molit", state: forum.StatusOpen,
		supports: DemoSupportThreshold,
		title:    "심야버스 노선을 늘려 주세요",
		body:     "자정이 넘으면 집에 갈 방법이 택시뿐인 동네가 많습니다. 수도권 외곽까지 심야버스 노선을 늘려 주세요."})
	if err != nil {
		return err
	}
	if !bus.PastThreshold() {
		return fmt.Errorf("seed edits: the night-bus proposal did not reach its threshold (%d supporters)", bus.Supports)
	}
	return s.edit(ctx, bus, "심야버스와 새벽 첫차를 함께 늘려 주세요",
		"야간 교대 근무자와 청년들은 자정 이후와 새벽 4시 전 사이에 이동 수단이 없습니다.\n\n"+
			"1. 수도권 외곽과 산업단지까지 심야버스 노선을 새로 만들어 주세요.\n"+
			"2. 새벽 첫차 시간을 30분 앞당겨 주세요.\n3. 배차 간격을 정류장 전광판에 알려 주세요.", true)
}

// edit saves the author's edit of p, and checks that it was shown, or
// waits for a moderator, as pending says.
func (s *seeder) edit(ctx context.Context, p *forum.Proposal, title, body string, pending bool) error {
	in := forum.ProposalInput{Title: title, Body: body, CategoryID: p.CategoryID, MinistryID: p.MinistryID}
	if err := in.Validate(); err != nil {
		return fmt.Errorf("check edit of %q: %w", p.Title, err)
	}
	out, err := s.st.Edit(ctx, p.ID, p.AuthorID, in, s.md.Markdown(body), forum.DefaultRules, nil)
	if err != nil {
		return err
	}
	if out.Pending != pending {
		return fmt.Errorf("seed edits: the edit of %q changed %d%%: pending %v, want %v", p.Title, out.ChangedPct, out.Pending, pending)
	}
	return nil
}
