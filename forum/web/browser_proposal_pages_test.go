package web

import (
	"context"
	"net/url"
	"strconv"
	"testing"
	"time"

	"github.com/e-people/e-people/forum"
	"github.com/e-people/e-people/forum/store"
	"github.com/e-people/e-people/moderation"
)

// TestBrowser_ProposalStateLive keeps a proposal's page open while the last
// support it needs arrives from elsewhere: the badge, the clock and the
// timeline all change without a reload.
func TestBrowser_ProposalStateLive(t *testing.T) {
	e := newEnv(t)
	bg := context.Background()
	if err := e.st.SetSettings(bg, map[string]string{forum.SettingSupportThreshold: "2", forum.SettingSupportWindow: "30",
		forum.SettingResponseDays: "30"}); err != nil {
		t.Fatal(err)
	}
	br := newBrowser(t, e, 120*time.Second)
	author := e.register("제안한 시민").user()
	p, err := e.st.CreateProposal(bg, store.NewProposal{AuthorID: author.ID, SponsorToken: "browser-state",
		Input: forum.ProposalInput{Title: "마을버스 막차 시간 연장", Body: "막차를 밤 12시까지 늦춰 주십시오.", CategoryID: e.cats[0].ID, MinistryID: e.mins[0].ID},
		Body:  moderation.TrustedFromStore("<p>막차를 밤 12시까지 늦춰 주십시오.</p>")}, 0)
	if err != nil {
		t.Fatal(err)
	}
	path := "/proposals/" + strconv.FormatInt(p.ID, 10)
	if r := e.register("먼저 지지한 시민").post(path+"/support", url.Values{}); r.Status != 303 {
		t.Fatalf("first support: %d", r.Status)
	}

	g := br.tab("guest")
	g.open(path)
	g.waitText("#live-status", "실시간")
	g.wantText("[data-live=status]", "지지 모으는 중")
	g.wantText("[data-live=clock]", "지지 모집 마감까지 30일 남았습니다.")
	g.wantCount("[data-live=timeline] li", 1)
	g.noReload()

	if r := e.register("마지막 지지자").post(path+"/support", url.Values{}); r.Status != 303 {
		t.Fatalf("last support: %d", r.Status)
	}
	due, err := e.st.Proposal(bg, p.ID)
	if err != nil || due.Status != forum.StatusAwaiting {
		t.Fatalf("after the last support: %+v, %v", due, err)
	}
	g.waitText("[data-live=status]", "답변 기다리는 중")
	g.waitText("[data-live=clock]", "부처 답변 기한까지 30일 남았습니다 (기한: "+formatDay("ko", due.ResponseDue)+").")
	g.waitCount("[data-live=timeline] li", 2)
	g.wantText("[data-live=timeline] li:last-child", "지지 목표에 도달했습니다. 답변 기한: "+formatDay("ko", due.ResponseDue))
	g.wantCount("[data-live=clock] .forecast", 0)
	g.wantText("[data-live=supports]", "2")
	g.stillSame()
}

// TestBrowser_ProposalPagesScreens draws the list, a proposal and the debate
// states at phone and desktop widths in every language, for people to look at
// (EPEOPLE_SCREENSHOTS); it checks that the cards and clocks are there.
func TestBrowser_ProposalPagesScreens(t *testing.T) {
	f := newAnsFixture(t)
	e := f.e
	bg := context.Background()
	br := newBrowser(t, e, 240*time.Second)
	open := e.openProposal(e.register("카드 제안자"), "동네 체육관 주말 개방을 요청합니다", "주말에도 체육관을 열어 주십시오.")
	if _, err := e.st.Support(bg, open, f.supporters[0].ID, nil); err != nil {
		t.Fatal(err)
	}
	f.awaiting("마을버스 막차 시간을 밤 12시까지 연장해 주세요")
	answered := f.awaiting("공영 주차장 요금 인하")
	if r := f.lead.post(ansPath(answered, "/response"), ansAnswerForm("partially_accepted", "시간대별 요금을 도입합니다")); r.Status != 303 {
		t.Fatalf("answer: %d %.300s", r.Status, r.Body)
	}
	host := e.staff(forum.RoleOfficial, f.mohw, "김하늘").user()
	now := e.clock.Now()
	var debates []string
	for _, d := range []struct {
		q             string
		opens, closes time.Duration
	}{{"공공 와이파이를 늘려야 합니까?", 4 * time.Hour, 7 * 24 * time.Hour}, {"도서관 야간 개방이 필요합니까?", -time.Hour, 3*24*time.Hour + time.Hour}} {
		db, err := e.st.CreateDebate(bg, store.NewDebate{HostID: host.ID, Input: forum.DebateInput{Question: d.q,
			OpensAt: now.Add(d.opens), ClosesAt: now.Add(d.closes), MinistryID: f.mohw}})
		if err != nil {
			t.Fatal(err)
		}
		debates = append(debates, "/debates/"+strconv.FormatInt(db.ID, 10))
	}
	b := br.tab("reader")
	for _, lang := range []string{"ko", "en", "zh"} {
		b.open("/lang?lang=" + lang + "&next=/proposals")
		b.wantCount(".proposal-card", 3)
		b.wantCount(".proposal-card progress", 1)
		b.wantCount(".proposal-card .card-deadline", 2)
		b.screenshot("list-"+lang+"-390", 390, 844, true)
		b.screenshot("list-"+lang+"-1280", 1280, 900, false)
		b.open(ansPath(open, ""))
		b.wantCount("[data-live=clock] .clock", 1)
		b.screenshot("proposal-"+lang+"-390", 390, 844, true)
		b.screenshot("proposal-"+lang+"-1280", 1280, 900, false)
		for i, name := range []string{"upcoming", "open"} {
			b.open(debates[i])
			b.screenshot("debate-"+name+"-"+lang+"-390", 390, 844, true)
		}
		b.wantCount(".debate-when strong", 1)
		b.screenshot("debate-open-"+lang+"-1280", 1280, 900, false)
	}
}
